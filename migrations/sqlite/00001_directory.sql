-- The HSDS 3.0 directory with the fields the Open Referral UK profile uses.
-- Text fields are NOT NULL DEFAULT '' so that "empty" has one spelling; the
-- API omits empty fields. Timestamps are UTC with millisecond precision.
-- Provenance (source, source_record_id, first_seen_at, last_seen_at) sits on
-- the records a feed publishes at the top level; children belong to them.

-- +goose Up
CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    alternate_name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    year_incorporated INTEGER,
    legal_status TEXT NOT NULL DEFAULT '',
    logo TEXT NOT NULL DEFAULT '',
    uri TEXT NOT NULL DEFAULT '',
    parent_organization_id TEXT REFERENCES organizations (id) ON DELETE SET NULL,
    source TEXT NOT NULL,
    source_record_id TEXT NOT NULL DEFAULT '',
    first_seen_at DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL,
    last_modified DATETIME NOT NULL
);
CREATE INDEX organizations_name ON organizations (name);

CREATE TABLE organization_identifiers (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    identifier_scheme TEXT NOT NULL DEFAULT '',
    identifier_type TEXT NOT NULL DEFAULT '',
    identifier TEXT NOT NULL DEFAULT ''
);
CREATE INDEX organization_identifiers_organization ON organization_identifiers (organization_id);

CREATE TABLE services (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    alternate_name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'inactive', 'defunct', 'temporarily closed')),
    interpretation_services TEXT NOT NULL DEFAULT '',
    application_process TEXT NOT NULL DEFAULT '',
    fees_description TEXT NOT NULL DEFAULT '',
    accreditations TEXT NOT NULL DEFAULT '',
    eligibility_description TEXT NOT NULL DEFAULT '',
    minimum_age REAL,
    maximum_age REAL,
    assured_date TEXT NOT NULL DEFAULT '',
    assurer_email TEXT NOT NULL DEFAULT '',
    alert TEXT NOT NULL DEFAULT '',
    last_modified DATETIME NOT NULL,
    -- Local extensions, never published as HSDS fields.
    visibility TEXT NOT NULL DEFAULT 'published' CHECK (visibility IN ('draft', 'published')),
    professionals_only BOOLEAN NOT NULL DEFAULT FALSE,
    accepts_referrals BOOLEAN NOT NULL DEFAULT FALSE,
    referral_email TEXT NOT NULL DEFAULT '',
    response_target_days INTEGER NOT NULL DEFAULT 5,
    capacity_status TEXT NOT NULL DEFAULT 'open' CHECK (capacity_status IN ('open', 'waiting_list', 'full')),
    source TEXT NOT NULL,
    source_record_id TEXT NOT NULL DEFAULT '',
    first_seen_at DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL
);
CREATE INDEX services_organization ON services (organization_id);
CREATE INDEX services_last_modified ON services (last_modified, id);
CREATE INDEX services_name ON services (name, id);

CREATE TABLE locations (
    id TEXT PRIMARY KEY,
    organization_id TEXT REFERENCES organizations (id) ON DELETE SET NULL,
    location_type TEXT NOT NULL DEFAULT 'physical' CHECK (location_type IN ('physical', 'postal', 'virtual')),
    url TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    alternate_name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    transportation TEXT NOT NULL DEFAULT '',
    latitude REAL,
    longitude REAL,
    coordinates_approximate BOOLEAN NOT NULL DEFAULT FALSE,
    external_identifier TEXT NOT NULL DEFAULT '',
    external_identifier_type TEXT NOT NULL DEFAULT '',
    professionals_only BOOLEAN NOT NULL DEFAULT FALSE,
    source TEXT NOT NULL,
    source_record_id TEXT NOT NULL DEFAULT '',
    first_seen_at DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL
);
CREATE INDEX locations_organization ON locations (organization_id);

CREATE TABLE addresses (
    id TEXT PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    attention TEXT NOT NULL DEFAULT '',
    address_1 TEXT NOT NULL DEFAULT '',
    address_2 TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    region TEXT NOT NULL DEFAULT '',
    state_province TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    address_type TEXT NOT NULL DEFAULT 'physical'
);
CREATE INDEX addresses_location ON addresses (location_id);

CREATE TABLE accessibilities (
    id TEXT PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    description TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT ''
);
CREATE INDEX accessibilities_location ON accessibilities (location_id);

CREATE TABLE service_at_locations (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    description TEXT NOT NULL DEFAULT ''
);
CREATE INDEX service_at_locations_service ON service_at_locations (service_id);
CREATE INDEX service_at_locations_location ON service_at_locations (location_id);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    organization_id TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    service_id TEXT REFERENCES services (id) ON DELETE CASCADE,
    service_at_location_id TEXT REFERENCES service_at_locations (id) ON DELETE CASCADE,
    location_id TEXT REFERENCES locations (id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    department TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    professionals_only BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX contacts_service ON contacts (service_id);
CREATE INDEX contacts_service_at_location ON contacts (service_at_location_id);
CREATE INDEX contacts_location ON contacts (location_id);
CREATE INDEX contacts_organization ON contacts (organization_id);

CREATE TABLE phones (
    id TEXT PRIMARY KEY,
    location_id TEXT REFERENCES locations (id) ON DELETE CASCADE,
    service_id TEXT REFERENCES services (id) ON DELETE CASCADE,
    organization_id TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    contact_id TEXT REFERENCES contacts (id) ON DELETE CASCADE,
    service_at_location_id TEXT REFERENCES service_at_locations (id) ON DELETE CASCADE,
    number TEXT NOT NULL,
    extension INTEGER,
    type TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    professionals_only BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX phones_service ON phones (service_id);
CREATE INDEX phones_location ON phones (location_id);
CREATE INDEX phones_contact ON phones (contact_id);
CREATE INDEX phones_service_at_location ON phones (service_at_location_id);
CREATE INDEX phones_organization ON phones (organization_id);

CREATE TABLE schedules (
    id TEXT PRIMARY KEY,
    service_id TEXT REFERENCES services (id) ON DELETE CASCADE,
    location_id TEXT REFERENCES locations (id) ON DELETE CASCADE,
    service_at_location_id TEXT REFERENCES service_at_locations (id) ON DELETE CASCADE,
    valid_from TEXT NOT NULL DEFAULT '',
    valid_to TEXT NOT NULL DEFAULT '',
    dtstart TEXT NOT NULL DEFAULT '',
    timezone REAL,
    until TEXT NOT NULL DEFAULT '',
    count INTEGER,
    wkst TEXT NOT NULL DEFAULT '',
    freq TEXT NOT NULL DEFAULT '',
    interval INTEGER,
    byday TEXT NOT NULL DEFAULT '',
    byweekno TEXT NOT NULL DEFAULT '',
    bymonthday TEXT NOT NULL DEFAULT '',
    byyearday TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    opens_at TEXT NOT NULL DEFAULT '',
    closes_at TEXT NOT NULL DEFAULT '',
    schedule_link TEXT NOT NULL DEFAULT '',
    attending_type TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT ''
);
CREATE INDEX schedules_service ON schedules (service_id);
CREATE INDEX schedules_location ON schedules (location_id);
CREATE INDEX schedules_service_at_location ON schedules (service_at_location_id);

CREATE TABLE taxonomies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    uri TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    last_modified DATETIME NOT NULL
);

CREATE TABLE taxonomy_terms (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    parent_id TEXT REFERENCES taxonomy_terms (id) ON DELETE SET NULL,
    taxonomy TEXT NOT NULL DEFAULT '',
    taxonomy_id TEXT REFERENCES taxonomies (id) ON DELETE CASCADE,
    language TEXT NOT NULL DEFAULT '',
    term_uri TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    last_modified DATETIME NOT NULL
);
CREATE INDEX taxonomy_terms_taxonomy ON taxonomy_terms (taxonomy_id);
CREATE INDEX taxonomy_terms_parent ON taxonomy_terms (parent_id);

-- attributes link any record to a taxonomy term; link_entity names the table.
CREATE TABLE attributes (
    id TEXT PRIMARY KEY,
    link_id TEXT NOT NULL,
    link_type TEXT NOT NULL DEFAULT '',
    link_entity TEXT NOT NULL DEFAULT 'service',
    taxonomy_term_id TEXT NOT NULL REFERENCES taxonomy_terms (id) ON DELETE CASCADE,
    value TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attributes_link ON attributes (link_entity, link_id);
CREATE INDEX attributes_term ON attributes (taxonomy_term_id, link_entity);

CREATE TABLE service_areas (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    extent TEXT NOT NULL DEFAULT '',
    extent_type TEXT NOT NULL DEFAULT '',
    uri TEXT NOT NULL DEFAULT ''
);
CREATE INDEX service_areas_service ON service_areas (service_id);

CREATE TABLE languages (
    id TEXT PRIMARY KEY,
    service_id TEXT REFERENCES services (id) ON DELETE CASCADE,
    location_id TEXT REFERENCES locations (id) ON DELETE CASCADE,
    phone_id TEXT REFERENCES phones (id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX languages_service ON languages (service_id);
CREATE INDEX languages_location ON languages (location_id);
CREATE INDEX languages_phone ON languages (phone_id);

CREATE TABLE cost_options (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    valid_from TEXT NOT NULL DEFAULT '',
    valid_to TEXT NOT NULL DEFAULT '',
    option TEXT NOT NULL DEFAULT '',
    currency TEXT NOT NULL DEFAULT '',
    amount REAL,
    amount_description TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cost_options_service ON cost_options (service_id);

CREATE TABLE fundings (
    id TEXT PRIMARY KEY,
    organization_id TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    service_id TEXT REFERENCES services (id) ON DELETE CASCADE,
    source TEXT NOT NULL DEFAULT ''
);
CREATE INDEX fundings_service ON fundings (service_id);
CREATE INDEX fundings_organization ON fundings (organization_id);

CREATE TABLE required_documents (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    document TEXT NOT NULL DEFAULT '',
    uri TEXT NOT NULL DEFAULT ''
);
CREATE INDEX required_documents_service ON required_documents (service_id);

-- Full-text index over a service's name, description, organisation and
-- taxonomy terms, rebuilt by models whenever any of those change. The FTS
-- rowid is service_search_rows.rowid: an INTEGER PRIMARY KEY, which VACUUM
-- never renumbers (a plain table's implicit rowid it may), so a service's
-- entry can be replaced without scanning the index.
CREATE TABLE service_search_rows (
    rowid INTEGER PRIMARY KEY,
    service_id TEXT NOT NULL UNIQUE REFERENCES services (id) ON DELETE CASCADE
);
CREATE VIRTUAL TABLE service_search USING fts5 (
    name,
    description,
    organization,
    terms,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- +goose Down
DROP TABLE service_search;
DROP TABLE service_search_rows;
DROP TABLE required_documents;
DROP TABLE fundings;
DROP TABLE cost_options;
DROP TABLE languages;
DROP TABLE service_areas;
DROP TABLE attributes;
DROP TABLE taxonomy_terms;
DROP TABLE taxonomies;
DROP TABLE schedules;
DROP TABLE phones;
DROP TABLE contacts;
DROP TABLE service_at_locations;
DROP TABLE accessibilities;
DROP TABLE addresses;
DROP TABLE locations;
DROP TABLE services;
DROP TABLE organization_identifiers;
DROP TABLE organizations;
