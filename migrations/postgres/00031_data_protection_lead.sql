-- The data protection lead: a permission an organisation admin gives a
-- member to answer subject access requests, correct and erase a person's
-- data and read the access log. Being org admin does not include it.

-- +goose Up
ALTER TABLE memberships ADD COLUMN data_protection_lead BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE memberships DROP COLUMN data_protection_lead;
