-- directory_state.version changes with every write to a published
-- directory table, whatever makes it (the app, an import, a harvest, an
-- operator's SQL), so that every replica can tell cheaply whether responses
-- it has cached are still current.
-- PostgreSQL fires once per statement, so a bulk import bumps the version
-- a few times, not once per row.

-- +goose Up
CREATE TABLE directory_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO directory_state (id, version) VALUES (1, 1);

-- +goose StatementBegin
CREATE FUNCTION bump_directory_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER organizations_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER organization_identifiers_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organization_identifiers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER services_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON services
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER locations_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON locations
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER addresses_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON addresses
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER accessibilities_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON accessibilities
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER service_at_locations_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_at_locations
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER contacts_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON contacts
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER phones_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON phones
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER schedules_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON schedules
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER taxonomies_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON taxonomies
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER taxonomy_terms_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON taxonomy_terms
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER attributes_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON attributes
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER service_areas_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_areas
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER languages_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON languages
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER cost_options_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cost_options
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER fundings_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON fundings
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER required_documents_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON required_documents
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();

-- +goose Down
DROP TRIGGER organizations_version ON organizations;
DROP TRIGGER organization_identifiers_version ON organization_identifiers;
DROP TRIGGER services_version ON services;
DROP TRIGGER locations_version ON locations;
DROP TRIGGER addresses_version ON addresses;
DROP TRIGGER accessibilities_version ON accessibilities;
DROP TRIGGER service_at_locations_version ON service_at_locations;
DROP TRIGGER contacts_version ON contacts;
DROP TRIGGER phones_version ON phones;
DROP TRIGGER schedules_version ON schedules;
DROP TRIGGER taxonomies_version ON taxonomies;
DROP TRIGGER taxonomy_terms_version ON taxonomy_terms;
DROP TRIGGER attributes_version ON attributes;
DROP TRIGGER service_areas_version ON service_areas;
DROP TRIGGER languages_version ON languages;
DROP TRIGGER cost_options_version ON cost_options;
DROP TRIGGER fundings_version ON fundings;
DROP TRIGGER required_documents_version ON required_documents;
DROP FUNCTION bump_directory_version();
DROP TABLE directory_state;
