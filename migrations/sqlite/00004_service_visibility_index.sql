-- Every public read filters services on these two columns; an index on
-- them (with id, for keyset paging) lets counts and pages of a large
-- directory read the index instead of every service row.

-- +goose Up
CREATE INDEX services_visible ON services (visibility, professionals_only, id);

-- +goose Down
DROP INDEX services_visible;
