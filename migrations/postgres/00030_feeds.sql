-- Feeds a platform admin registered for harvesting: an ORUK / HSDS API
-- read on a schedule, incrementally (modified_after) every
-- incremental_minutes and in full every full_hours. Records harvested from
-- a feed have source 'feed:' || name, so the name never changes. The last_*
-- columns describe the latest run for the admin page; last_success_at (when
-- the last committed run started) is the next incremental run's
-- modified_after. models/feeds.go and models/importer/harvest.go use it;
-- docs/import.md explains the rules.

-- +goose Up
CREATE TABLE feeds (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    format TEXT NOT NULL DEFAULT '' CHECK (format IN ('', 'hsds-api', 'oruk-v1-api')),
    incremental_minutes INTEGER NOT NULL DEFAULT 60 CHECK (incremental_minutes > 0),
    full_hours INTEGER NOT NULL DEFAULT 24 CHECK (full_hours > 0),
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'running', 'ok', 'failed')),
    run_requested_at TIMESTAMPTZ,
    last_run_at TIMESTAMPTZ,
    last_run_full BOOLEAN NOT NULL DEFAULT FALSE,
    last_finished_at TIMESTAMPTZ,
    last_success_at TIMESTAMPTZ,
    last_full_at TIMESTAMPTZ,
    last_error TEXT NOT NULL DEFAULT '',
    last_report TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE feeds;
