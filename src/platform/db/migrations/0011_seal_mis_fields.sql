-- 0011 (issue 11, finding 9): the MIS's special-category and contact fields are sealed like
-- record text — a pupil's religion, ethnicity, first language (each code and description), SEN
-- status, address and photo; SEN needs and provisions; contacts' addresses, phones and emails.
-- Each becomes bytea holding Lantern's envelope under the school's data key (declared in
-- src/platform/crypto/sealed-columns.ts). SQL cannot seal, so this runs in three parts inside
-- one transaction: holding columns are added; the `seal_mis_fields` step (migrate.ts, written in
-- TypeScript with the school keys) seals every existing value into them and re-keys the MIS
-- record hashes; then each column changes type from its holding column, which rewrites the
-- tables, so the clear values do not stay behind in the table files. A value left unsealed stops
-- the migration (nothing is lost). Never edit this file once landed.

CREATE FUNCTION lantern_0011_unsealed(col text) RETURNS bytea
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'migration 0011: a value in % was not sealed', col;
END
$$;

ALTER TABLE pupils
  ADD COLUMN religion_code_sealing bytea,
  ADD COLUMN religion_sealing bytea,
  ADD COLUMN ethnicity_code_sealing bytea,
  ADD COLUMN ethnicity_sealing bytea,
  ADD COLUMN first_language_code_sealing bytea,
  ADD COLUMN first_language_sealing bytea,
  ADD COLUMN sen_status_sealing bytea,
  ADD COLUMN address_sealing bytea,
  ADD COLUMN photo_sealing bytea;
ALTER TABLE pupil_sen_needs ADD COLUMN code_sealing bytea, ADD COLUMN description_sealing bytea;
ALTER TABLE pupil_sen_provisions
  ADD COLUMN code_sealing bytea,
  ADD COLUMN description_sealing bytea;
ALTER TABLE contacts
  ADD COLUMN addresses_sealing bytea,
  ADD COLUMN phones_sealing bytea,
  ADD COLUMN emails_sealing bytea;

-- lantern:step seal_mis_fields

ALTER TABLE pupils
  ALTER COLUMN religion_code TYPE bytea USING CASE WHEN religion_code IS NULL THEN NULL
    ELSE coalesce(religion_code_sealing, lantern_0011_unsealed('pupils.religion_code')) END,
  ALTER COLUMN religion TYPE bytea USING CASE WHEN religion IS NULL THEN NULL
    ELSE coalesce(religion_sealing, lantern_0011_unsealed('pupils.religion')) END,
  ALTER COLUMN ethnicity_code TYPE bytea USING CASE WHEN ethnicity_code IS NULL THEN NULL
    ELSE coalesce(ethnicity_code_sealing, lantern_0011_unsealed('pupils.ethnicity_code')) END,
  ALTER COLUMN ethnicity TYPE bytea USING CASE WHEN ethnicity IS NULL THEN NULL
    ELSE coalesce(ethnicity_sealing, lantern_0011_unsealed('pupils.ethnicity')) END,
  ALTER COLUMN first_language_code TYPE bytea USING CASE WHEN first_language_code IS NULL THEN NULL
    ELSE coalesce(first_language_code_sealing, lantern_0011_unsealed('pupils.first_language_code')) END,
  ALTER COLUMN first_language TYPE bytea USING CASE WHEN first_language IS NULL THEN NULL
    ELSE coalesce(first_language_sealing, lantern_0011_unsealed('pupils.first_language')) END,
  ALTER COLUMN sen_status TYPE bytea USING CASE WHEN sen_status IS NULL THEN NULL
    ELSE coalesce(sen_status_sealing, lantern_0011_unsealed('pupils.sen_status')) END,
  ALTER COLUMN address TYPE bytea USING CASE WHEN address IS NULL THEN NULL
    ELSE coalesce(address_sealing, lantern_0011_unsealed('pupils.address')) END,
  ALTER COLUMN photo TYPE bytea USING CASE WHEN photo IS NULL THEN NULL
    ELSE coalesce(photo_sealing, lantern_0011_unsealed('pupils.photo')) END;
ALTER TABLE pupils
  DROP COLUMN religion_code_sealing,
  DROP COLUMN religion_sealing,
  DROP COLUMN ethnicity_code_sealing,
  DROP COLUMN ethnicity_sealing,
  DROP COLUMN first_language_code_sealing,
  DROP COLUMN first_language_sealing,
  DROP COLUMN sen_status_sealing,
  DROP COLUMN address_sealing,
  DROP COLUMN photo_sealing;

ALTER TABLE pupil_sen_needs
  ALTER COLUMN code TYPE bytea USING CASE WHEN code IS NULL THEN NULL
    ELSE coalesce(code_sealing, lantern_0011_unsealed('pupil_sen_needs.code')) END,
  ALTER COLUMN description TYPE bytea USING CASE WHEN description IS NULL THEN NULL
    ELSE coalesce(description_sealing, lantern_0011_unsealed('pupil_sen_needs.description')) END;
ALTER TABLE pupil_sen_needs DROP COLUMN code_sealing, DROP COLUMN description_sealing;

ALTER TABLE pupil_sen_provisions
  ALTER COLUMN code TYPE bytea USING CASE WHEN code IS NULL THEN NULL
    ELSE coalesce(code_sealing, lantern_0011_unsealed('pupil_sen_provisions.code')) END,
  ALTER COLUMN description TYPE bytea USING CASE WHEN description IS NULL THEN NULL
    ELSE coalesce(description_sealing, lantern_0011_unsealed('pupil_sen_provisions.description')) END;
ALTER TABLE pupil_sen_provisions DROP COLUMN code_sealing, DROP COLUMN description_sealing;

-- A contact's lists were never null (default '[]'); sealed, an absent list is NULL.
ALTER TABLE contacts
  ALTER COLUMN addresses DROP DEFAULT,
  ALTER COLUMN addresses DROP NOT NULL,
  ALTER COLUMN phones DROP DEFAULT,
  ALTER COLUMN phones DROP NOT NULL,
  ALTER COLUMN emails DROP DEFAULT,
  ALTER COLUMN emails DROP NOT NULL;
ALTER TABLE contacts
  ALTER COLUMN addresses TYPE bytea USING CASE WHEN addresses IS NULL THEN NULL
    ELSE coalesce(addresses_sealing, lantern_0011_unsealed('contacts.addresses')) END,
  ALTER COLUMN phones TYPE bytea USING CASE WHEN phones IS NULL THEN NULL
    ELSE coalesce(phones_sealing, lantern_0011_unsealed('contacts.phones')) END,
  ALTER COLUMN emails TYPE bytea USING CASE WHEN emails IS NULL THEN NULL
    ELSE coalesce(emails_sealing, lantern_0011_unsealed('contacts.emails')) END;
ALTER TABLE contacts
  DROP COLUMN addresses_sealing,
  DROP COLUMN phones_sealing,
  DROP COLUMN emails_sealing;

DROP FUNCTION lantern_0011_unsealed(text);
