-- Whose bank holidays a service's response target skips: a nation
-- (england-and-wales, scotland, northern-ireland), or '' for the
-- deployment's REFERRALS_BANK_HOLIDAYS. A platform that spans the UK's
-- nations counts a Scottish service's working days by Scotland's. Local,
-- never published.

-- +goose Up
ALTER TABLE services ADD COLUMN bank_holidays TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE services DROP COLUMN bank_holidays;
