-- Organisation admins keep their listings: every change is recorded
-- (listing_changes, HSDS metadata semantics: who, when, which field, old and
-- new value), responders can be named per service (service_responders; none
-- named means every responder of the organisation), and a listing harvested
-- from a feed that an organisation takes over is recorded as claimed
-- (listing_claims). None of these tables is published.

-- +goose Up
CREATE TABLE listing_changes (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    changed_at DATETIME NOT NULL,
    changed_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    changed_by_name TEXT NOT NULL DEFAULT '',
    action_type TEXT NOT NULL CHECK (action_type IN ('create', 'update', 'confirm', 'claim')),
    field_name TEXT NOT NULL,
    previous_value TEXT NOT NULL DEFAULT '',
    replacement_value TEXT NOT NULL DEFAULT ''
);
CREATE INDEX listing_changes_service ON listing_changes (service_id, changed_at);

CREATE TABLE service_responders (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    membership_id TEXT NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, membership_id)
);
CREATE INDEX service_responders_membership ON service_responders (membership_id);

CREATE TABLE listing_claims (
    service_id TEXT PRIMARY KEY REFERENCES services (id) ON DELETE CASCADE,
    member_organisation_id TEXT NOT NULL REFERENCES member_organisations (id) ON DELETE CASCADE,
    previous_source TEXT NOT NULL,
    claimed_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    claimed_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE listing_claims;
DROP TABLE service_responders;
DROP TABLE listing_changes;
