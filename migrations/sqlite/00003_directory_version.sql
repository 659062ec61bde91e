-- directory_state.version changes with every write to a published
-- directory table, whatever makes it (the app, an import, a harvest, an
-- operator's SQL), so that every replica can tell cheaply whether responses
-- it has cached are still current.

-- +goose Up
CREATE TABLE directory_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO directory_state (id, version) VALUES (1, 1);

-- +goose StatementBegin
CREATE TRIGGER organizations_insert_version AFTER INSERT ON organizations
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER organizations_update_version AFTER UPDATE ON organizations
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER organizations_delete_version AFTER DELETE ON organizations
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER organization_identifiers_insert_version AFTER INSERT ON organization_identifiers
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER organization_identifiers_update_version AFTER UPDATE ON organization_identifiers
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER organization_identifiers_delete_version AFTER DELETE ON organization_identifiers
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER services_insert_version AFTER INSERT ON services
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER services_update_version AFTER UPDATE ON services
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER services_delete_version AFTER DELETE ON services
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER locations_insert_version AFTER INSERT ON locations
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER locations_update_version AFTER UPDATE ON locations
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER locations_delete_version AFTER DELETE ON locations
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER addresses_insert_version AFTER INSERT ON addresses
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER addresses_update_version AFTER UPDATE ON addresses
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER addresses_delete_version AFTER DELETE ON addresses
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER accessibilities_insert_version AFTER INSERT ON accessibilities
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER accessibilities_update_version AFTER UPDATE ON accessibilities
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER accessibilities_delete_version AFTER DELETE ON accessibilities
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER service_at_locations_insert_version AFTER INSERT ON service_at_locations
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER service_at_locations_update_version AFTER UPDATE ON service_at_locations
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER service_at_locations_delete_version AFTER DELETE ON service_at_locations
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER contacts_insert_version AFTER INSERT ON contacts
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER contacts_update_version AFTER UPDATE ON contacts
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER contacts_delete_version AFTER DELETE ON contacts
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER phones_insert_version AFTER INSERT ON phones
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER phones_update_version AFTER UPDATE ON phones
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER phones_delete_version AFTER DELETE ON phones
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER schedules_insert_version AFTER INSERT ON schedules
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER schedules_update_version AFTER UPDATE ON schedules
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER schedules_delete_version AFTER DELETE ON schedules
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER taxonomies_insert_version AFTER INSERT ON taxonomies
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER taxonomies_update_version AFTER UPDATE ON taxonomies
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER taxonomies_delete_version AFTER DELETE ON taxonomies
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER taxonomy_terms_insert_version AFTER INSERT ON taxonomy_terms
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER taxonomy_terms_update_version AFTER UPDATE ON taxonomy_terms
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER taxonomy_terms_delete_version AFTER DELETE ON taxonomy_terms
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER attributes_insert_version AFTER INSERT ON attributes
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER attributes_update_version AFTER UPDATE ON attributes
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER attributes_delete_version AFTER DELETE ON attributes
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER service_areas_insert_version AFTER INSERT ON service_areas
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER service_areas_update_version AFTER UPDATE ON service_areas
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER service_areas_delete_version AFTER DELETE ON service_areas
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER languages_insert_version AFTER INSERT ON languages
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER languages_update_version AFTER UPDATE ON languages
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER languages_delete_version AFTER DELETE ON languages
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER cost_options_insert_version AFTER INSERT ON cost_options
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER cost_options_update_version AFTER UPDATE ON cost_options
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER cost_options_delete_version AFTER DELETE ON cost_options
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER fundings_insert_version AFTER INSERT ON fundings
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER fundings_update_version AFTER UPDATE ON fundings
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER fundings_delete_version AFTER DELETE ON fundings
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER required_documents_insert_version AFTER INSERT ON required_documents
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER required_documents_update_version AFTER UPDATE ON required_documents
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER required_documents_delete_version AFTER DELETE ON required_documents
BEGIN
    UPDATE directory_state SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER organizations_insert_version;
DROP TRIGGER organizations_update_version;
DROP TRIGGER organizations_delete_version;
DROP TRIGGER organization_identifiers_insert_version;
DROP TRIGGER organization_identifiers_update_version;
DROP TRIGGER organization_identifiers_delete_version;
DROP TRIGGER services_insert_version;
DROP TRIGGER services_update_version;
DROP TRIGGER services_delete_version;
DROP TRIGGER locations_insert_version;
DROP TRIGGER locations_update_version;
DROP TRIGGER locations_delete_version;
DROP TRIGGER addresses_insert_version;
DROP TRIGGER addresses_update_version;
DROP TRIGGER addresses_delete_version;
DROP TRIGGER accessibilities_insert_version;
DROP TRIGGER accessibilities_update_version;
DROP TRIGGER accessibilities_delete_version;
DROP TRIGGER service_at_locations_insert_version;
DROP TRIGGER service_at_locations_update_version;
DROP TRIGGER service_at_locations_delete_version;
DROP TRIGGER contacts_insert_version;
DROP TRIGGER contacts_update_version;
DROP TRIGGER contacts_delete_version;
DROP TRIGGER phones_insert_version;
DROP TRIGGER phones_update_version;
DROP TRIGGER phones_delete_version;
DROP TRIGGER schedules_insert_version;
DROP TRIGGER schedules_update_version;
DROP TRIGGER schedules_delete_version;
DROP TRIGGER taxonomies_insert_version;
DROP TRIGGER taxonomies_update_version;
DROP TRIGGER taxonomies_delete_version;
DROP TRIGGER taxonomy_terms_insert_version;
DROP TRIGGER taxonomy_terms_update_version;
DROP TRIGGER taxonomy_terms_delete_version;
DROP TRIGGER attributes_insert_version;
DROP TRIGGER attributes_update_version;
DROP TRIGGER attributes_delete_version;
DROP TRIGGER service_areas_insert_version;
DROP TRIGGER service_areas_update_version;
DROP TRIGGER service_areas_delete_version;
DROP TRIGGER languages_insert_version;
DROP TRIGGER languages_update_version;
DROP TRIGGER languages_delete_version;
DROP TRIGGER cost_options_insert_version;
DROP TRIGGER cost_options_update_version;
DROP TRIGGER cost_options_delete_version;
DROP TRIGGER fundings_insert_version;
DROP TRIGGER fundings_update_version;
DROP TRIGGER fundings_delete_version;
DROP TRIGGER required_documents_insert_version;
DROP TRIGGER required_documents_update_version;
DROP TRIGGER required_documents_delete_version;
DROP TABLE directory_state;
