-- Provenance of imported records, one row per (source, record type, record
-- id). content_hash is a hash of the record as the importer last prepared
-- it, so a run can tell created, updated and unchanged records apart without
-- reading every table back; last_changed_at is when the importer last wrote
-- the record, which also tells it whether someone edited the record here
-- since (the record's own last_modified is then later). Used by
-- models/importer; docs/import.md explains the rules.

-- +goose Up
CREATE TABLE import_records (
    source TEXT NOT NULL,
    record_type TEXT NOT NULL CHECK (record_type IN ('service', 'organization', 'taxonomy', 'taxonomy_term')),
    record_id TEXT NOT NULL,
    source_record_id TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL,
    first_seen_at DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL,
    last_changed_at DATETIME NOT NULL,
    PRIMARY KEY (source, record_type, record_id)
);
CREATE INDEX import_records_record ON import_records (record_type, record_id);

-- +goose Down
DROP TABLE import_records;
