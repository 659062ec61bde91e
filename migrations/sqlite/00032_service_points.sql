-- service_points: one row per (service, location) with the location's
-- coordinates, the service's full-text rowid and the visibility flags, kept
-- by triggers. "Words near a postcode" then reads one covering index for
-- the places in range and intersects them with the full-text matches by
-- rowid, instead of looking up a service, its locations and its search row
-- for each of tens of thousands of matches (380 ms at 100,000 services on
-- SQLite; see docs/performance.md). PostgreSQL plans the joins well enough
-- and does not have this table. WITHOUT ROWID: the primary key is the
-- table, one b-tree fewer for every write to keep up to date.

-- +goose Up
CREATE TABLE service_points (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    search_rowid INTEGER,
    latitude REAL,
    longitude REAL,
    published BOOLEAN NOT NULL,
    service_professionals_only BOOLEAN NOT NULL,
    location_professionals_only BOOLEAN NOT NULL,
    PRIMARY KEY (service_id, location_id)
) WITHOUT ROWID;
CREATE INDEX service_points_location ON service_points (location_id);
-- Everything the search reads, so it never visits the table.
CREATE INDEX service_points_coordinates ON service_points (latitude, longitude, search_rowid, published,
    service_professionals_only, location_professionals_only, service_id);

INSERT INTO service_points (service_id, location_id, search_rowid, latitude, longitude, published,
    service_professionals_only, location_professionals_only)
SELECT sal.service_id, sal.location_id, r.rowid, l.latitude, l.longitude, s.visibility = 'published',
    s.professionals_only, l.professionals_only
FROM service_at_locations sal
JOIN services s ON s.id = sal.service_id
JOIN locations l ON l.id = sal.location_id
LEFT JOIN service_search_rows r ON r.service_id = sal.service_id
WHERE true
ON CONFLICT (service_id, location_id) DO NOTHING;

-- +goose StatementBegin
CREATE TRIGGER service_points_sal_insert AFTER INSERT ON service_at_locations
BEGIN
    INSERT INTO service_points (service_id, location_id, search_rowid, latitude, longitude, published,
        service_professionals_only, location_professionals_only)
    SELECT NEW.service_id, NEW.location_id, (SELECT r.rowid FROM service_search_rows r WHERE r.service_id = NEW.service_id),
        l.latitude, l.longitude, s.visibility = 'published', s.professionals_only, l.professionals_only
    FROM services s, locations l WHERE s.id = NEW.service_id AND l.id = NEW.location_id
    ON CONFLICT (service_id, location_id) DO NOTHING;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER service_points_sal_delete AFTER DELETE ON service_at_locations
BEGIN
    -- Another service_at_location may link the same pair; keep its point.
    DELETE FROM service_points WHERE service_id = OLD.service_id AND location_id = OLD.location_id
        AND NOT EXISTS (SELECT 1 FROM service_at_locations WHERE service_id = OLD.service_id AND location_id = OLD.location_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER service_points_sal_update AFTER UPDATE OF service_id, location_id ON service_at_locations
BEGIN
    DELETE FROM service_points WHERE service_id = OLD.service_id AND location_id = OLD.location_id
        AND NOT EXISTS (SELECT 1 FROM service_at_locations WHERE service_id = OLD.service_id AND location_id = OLD.location_id);
    INSERT INTO service_points (service_id, location_id, search_rowid, latitude, longitude, published,
        service_professionals_only, location_professionals_only)
    SELECT NEW.service_id, NEW.location_id, (SELECT rowid FROM service_search_rows WHERE service_id = NEW.service_id),
        l.latitude, l.longitude, s.visibility = 'published', s.professionals_only, l.professionals_only
    FROM services s, locations l WHERE s.id = NEW.service_id AND l.id = NEW.location_id
    ON CONFLICT (service_id, location_id) DO NOTHING;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER service_points_search_insert AFTER INSERT ON service_search_rows
BEGIN
    UPDATE service_points SET search_rowid = NEW.rowid WHERE service_id = NEW.service_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER service_points_search_delete AFTER DELETE ON service_search_rows
BEGIN
    UPDATE service_points SET search_rowid = NULL WHERE service_id = OLD.service_id AND search_rowid = OLD.rowid;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER service_points_location_update AFTER UPDATE OF latitude, longitude, professionals_only ON locations
BEGIN
    UPDATE service_points SET latitude = NEW.latitude, longitude = NEW.longitude,
        location_professionals_only = NEW.professionals_only
    WHERE location_id = NEW.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER service_points_service_update AFTER UPDATE OF visibility, professionals_only ON services
BEGIN
    UPDATE service_points SET published = NEW.visibility = 'published', service_professionals_only = NEW.professionals_only
    WHERE service_id = NEW.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER service_points_sal_insert;
DROP TRIGGER service_points_sal_delete;
DROP TRIGGER service_points_sal_update;
DROP TRIGGER service_points_search_insert;
DROP TRIGGER service_points_search_delete;
DROP TRIGGER service_points_location_update;
DROP TRIGGER service_points_service_update;
DROP TABLE service_points;
