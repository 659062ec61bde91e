-- The caseworker's search by words near a place joins each service the
-- words match to its places and their coordinates. With the coordinates in
-- the indexes those joins read no table pages (index-only scans): at
-- 100,000 services the search took 36-43 ms instead of 56 ms in psql
-- (docs/performance.md). SQLite keeps service_points for this instead
-- (its migration 00032).

-- +goose Up
DROP INDEX service_at_locations_service;
CREATE INDEX service_at_locations_service ON service_at_locations (service_id) INCLUDE (location_id);
CREATE INDEX locations_search_cover ON locations (id) INCLUDE (latitude, longitude, professionals_only);

-- +goose Down
DROP INDEX locations_search_cover;
DROP INDEX service_at_locations_service;
CREATE INDEX service_at_locations_service ON service_at_locations (service_id);
