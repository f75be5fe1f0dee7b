-- 0022 MIS flags sealed, and the Xporter on Demand pull (issue 13). Never edit once landed.
--
-- A vulnerability flag ("child in need", "looked after", "child protection plan") is itself
-- special-category data, so its kind is now sealed under the school's key (kind_sealed, declared
-- in SEALED_COLUMNS as pupil_flags.kind) and the clear column is left NULL. The step below seals
-- the rows already held (SQL cannot seal), then a check refuses any clear kind from here on.
-- Dates stay in clear: without the kind they say nothing about the child.
ALTER TABLE pupil_flags ADD COLUMN kind_sealed bytea;
ALTER TABLE pupil_flags ALTER COLUMN flag DROP NOT NULL;

-- lantern:step seal_pupil_flag_kinds

ALTER TABLE pupil_flags ADD CONSTRAINT pupil_flags_kind_sealed
  CHECK (flag IS NULL AND kind_sealed IS NOT NULL);

-- The scheduled pull speaks Wonde's API or Groupcall's Xporter on Demand. Xporter's school token
-- is fetched per run from its STS with the establishment number, the application id (relying
-- party) and the school's secret (kept, sealed, in the existing token column).
ALTER TABLE mis_connectors ADD COLUMN format text NOT NULL DEFAULT 'wonde'
  CHECK (format IN ('wonde', 'xporter'));
ALTER TABLE mis_connectors ADD COLUMN estab text CHECK (length(estab) BETWEEN 1 AND 50);
ALTER TABLE mis_connectors ADD COLUMN relying_party text
  CHECK (length(relying_party) BETWEEN 1 AND 200);
ALTER TABLE mis_connectors ADD CONSTRAINT mis_connectors_xporter_ids
  CHECK (format <> 'xporter' OR (estab IS NOT NULL AND relying_party IS NOT NULL));
