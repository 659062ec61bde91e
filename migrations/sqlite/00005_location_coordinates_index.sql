-- "Near this postcode" first keeps locations inside a box around the point;
-- this index finds them without reading every location.

-- +goose Up
CREATE INDEX locations_coordinates ON locations (latitude, longitude);

-- +goose Down
DROP INDEX locations_coordinates;
