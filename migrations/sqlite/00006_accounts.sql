-- Accounts, member organisations, roles, invitations, sessions, audit
-- events and rate limits.
--
-- Users are keyed on (issuer, subject) from the OpenID Provider, never on
-- email. A member organisation is a tenant of the platform; it may be linked
-- to one HSDS organization whose listings it then keeps.

-- +goose Up
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    name TEXT NOT NULL DEFAULT '',
    platform_admin BOOLEAN NOT NULL DEFAULT FALSE,
    suspended_at DATETIME,
    created_at DATETIME NOT NULL,
    last_sign_in_at DATETIME,
    UNIQUE (issuer, subject)
);
CREATE INDEX users_email ON users (email);

CREATE TABLE member_organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    hsds_organization_id TEXT UNIQUE REFERENCES organizations (id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    request_note TEXT NOT NULL DEFAULT '',
    requested_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL,
    decided_at DATETIME,
    decided_by TEXT REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE memberships (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    member_organisation_id TEXT NOT NULL REFERENCES member_organisations (id) ON DELETE CASCADE,
    caseworker BOOLEAN NOT NULL DEFAULT FALSE,
    responder BOOLEAN NOT NULL DEFAULT FALSE,
    org_admin BOOLEAN NOT NULL DEFAULT FALSE,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'pending')),
    created_at DATETIME NOT NULL,
    UNIQUE (user_id, member_organisation_id)
);
CREATE INDEX memberships_organisation ON memberships (member_organisation_id);

-- An invitation is sent by email; only a hash of its token is stored.
CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    member_organisation_id TEXT NOT NULL REFERENCES member_organisations (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    caseworker BOOLEAN NOT NULL DEFAULT FALSE,
    responder BOOLEAN NOT NULL DEFAULT FALSE,
    org_admin BOOLEAN NOT NULL DEFAULT FALSE,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at DATETIME,
    used_by TEXT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX invitations_organisation ON invitations (member_organisation_id);

-- A verified email domain lets people join an organisation as pending
-- members, to be approved by its admins.
CREATE TABLE email_domains (
    domain TEXT PRIMARY KEY,
    member_organisation_id TEXT NOT NULL REFERENCES member_organisations (id) ON DELETE CASCADE,
    verified_at DATETIME NOT NULL,
    verified_by TEXT REFERENCES users (id) ON DELETE SET NULL
);

-- `referrals admin create --email` leaves a grant that makes the first user
-- who signs in with that verified email a platform admin.
CREATE TABLE admin_grants (
    email TEXT PRIMARY KEY,
    created_at DATETIME NOT NULL,
    used_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    used_at DATETIME
);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    at DATETIME NOT NULL,
    actor_user_id TEXT,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL DEFAULT '',
    subject_id TEXT NOT NULL DEFAULT '',
    member_organisation_id TEXT,
    ip TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_actor ON audit_events (actor_user_id, at);

-- Sessions (scs), in the shape of scs's gormstore.
CREATE TABLE sessions (
    token VARCHAR(43) PRIMARY KEY,
    data BLOB,
    expiry DATETIME
);
CREATE INDEX idx_sessions_expiry ON sessions (expiry);

-- Fixed-window counters for rate limits that hold across replicas.
CREATE TABLE rate_limits (
    key TEXT NOT NULL,
    window_start DATETIME NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);

-- +goose Down
DROP TABLE rate_limits;
DROP TABLE sessions;
DROP TABLE audit_events;
DROP TABLE admin_grants;
DROP TABLE email_domains;
DROP TABLE invitations;
DROP TABLE memberships;
DROP TABLE member_organisations;
DROP TABLE users;
