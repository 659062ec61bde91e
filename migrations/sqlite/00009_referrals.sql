-- Referrals: from a caseworker of one member organisation to a service (and
-- the member organisation that responds for it), for one person.
--
-- Everything about the person, and every free text that may describe them,
-- is sealed with AES-256-GCM before it is written (the *_sealed columns,
-- with the id of the key that sealed them). person_hash is a keyed hash of
-- the person's name and date of birth, so a referral can be found by them
-- without storing them in the clear. Plain columns hold only what is not
-- about the person: statuses, dates, codes and who on the platform acted.

-- +goose Up
CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE RESTRICT,
    service_name TEXT NOT NULL DEFAULT '',
    receiving_organisation_id TEXT NOT NULL REFERENCES member_organisations (id) ON DELETE RESTRICT,
    referring_organisation_id TEXT NOT NULL REFERENCES member_organisations (id) ON DELETE RESTRICT,
    referrer_user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    assigned_user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('sent', 'received', 'accepted', 'declined', 'withdrawn', 'completed', 'unsuccessful')),
    version INTEGER NOT NULL DEFAULT 1,
    urgency TEXT NOT NULL CHECK (urgency IN ('routine', 'soon', 'urgent')),
    lawful_basis TEXT NOT NULL CHECK (lawful_basis IN ('consent', 'public_task', 'legitimate_interests', 'vital_interests')),
    person_agreed BOOLEAN NOT NULL,
    agreement_method TEXT NOT NULL DEFAULT '',
    agreed_on DATETIME,
    had_capacity BOOLEAN NOT NULL,
    under_16 BOOLEAN NOT NULL DEFAULT FALSE,
    key_id TEXT NOT NULL,
    person_sealed BLOB NOT NULL,
    person_hash TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    due_at DATETIME NOT NULL,
    received_at DATETIME,
    responded_at DATETIME,
    closed_at DATETIME,
    anonymised_at DATETIME
);
CREATE INDEX referrals_receiving ON referrals (receiving_organisation_id, status, created_at);
CREATE INDEX referrals_referring ON referrals (referring_organisation_id, status, created_at);
CREATE INDEX referrals_person ON referrals (person_hash);
CREATE INDEX referrals_service ON referrals (service_id, status);

-- Every change to a referral: status moves, assignment, corrections.
CREATE TABLE referral_events (
    id TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    at DATETIME NOT NULL,
    user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    side TEXT NOT NULL CHECK (side IN ('referrer', 'responder', 'system')),
    kind TEXT NOT NULL CHECK (kind IN ('status', 'assigned', 'corrected', 'anonymised')),
    from_status TEXT NOT NULL DEFAULT '',
    to_status TEXT NOT NULL DEFAULT '',
    reason_code TEXT NOT NULL DEFAULT '',
    suggested_service_id TEXT REFERENCES services (id) ON DELETE SET NULL,
    assigned_user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    key_id TEXT NOT NULL DEFAULT '',
    reason_sealed BLOB
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, at);

CREATE TABLE referral_notes (
    id TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    at DATETIME NOT NULL,
    user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    side TEXT NOT NULL CHECK (side IN ('referrer', 'responder')),
    key_id TEXT NOT NULL,
    body_sealed BLOB NOT NULL
);
CREATE INDEX referral_notes_referral ON referral_notes (referral_id, at);

-- Who looked at a referral's personal data, and how.
CREATE TABLE referral_access_log (
    id TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    at DATETIME NOT NULL,
    user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    member_organisation_id TEXT REFERENCES member_organisations (id) ON DELETE SET NULL,
    action TEXT NOT NULL CHECK (action IN ('view', 'print', 'export'))
);
CREATE INDEX referral_access_log_referral ON referral_access_log (referral_id, at);
CREATE INDEX referral_access_log_user ON referral_access_log (user_id, at);

-- +goose Down
DROP TABLE referral_access_log;
DROP TABLE referral_notes;
DROP TABLE referral_events;
DROP TABLE referrals;
