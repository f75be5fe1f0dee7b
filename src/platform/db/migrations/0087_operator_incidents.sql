-- 0087 The operator's incident notice (issue 17: "the operator who hosts several schools can notify
-- every affected school's contacts from one entry, with the affected schools worked out from the
-- audit trail"). One entry per incident, the platform's own (no school's tenancy), kept by its
-- reference: what the operator says happened and the scope that picked the schools. Each affected
-- school gets a draft breach of its own, sealed under its key and linked here; one per incident
-- and school, so running the command again tells no school twice. lantern_app has no right on
-- operator_incidents at all: only operator commands (the owner's login) read or write it, and a
-- school reads what it was told in its own draft. Never edit this file once landed.
CREATE TABLE operator_incidents (
  id uuid PRIMARY KEY,
  reference text NOT NULL UNIQUE CHECK (reference ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$'),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
  types text[] NOT NULL CHECK (cardinality(types) > 0
    AND types <@ ARRAY['confidentiality', 'integrity', 'availability']::text[]),
  started_at timestamptz NOT NULL,
  -- Null: still going on when recorded (the scope then ends at recorded_at).
  ended_at timestamptz,
  aware_at timestamptz NOT NULL,
  -- The criteria, as features/data-protection/incidents/scope.ts IncidentScope.
  scope jsonb NOT NULL,
  recorded_by text NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 200),
  recorded_at timestamptz NOT NULL,
  CHECK (ended_at IS NULL OR ended_at >= started_at)
);
REVOKE ALL ON operator_incidents FROM PUBLIC;

ALTER TABLE dp_breaches ADD COLUMN operator_incident_id uuid REFERENCES operator_incidents (id);
CREATE UNIQUE INDEX dp_breaches_operator_incident ON dp_breaches (school_id, operator_incident_id)
  WHERE operator_incident_id IS NOT NULL;

ALTER TABLE dp_breaches DROP CONSTRAINT dp_breaches_source_check;
ALTER TABLE dp_breaches ADD CONSTRAINT dp_breaches_source_check
  CHECK (source IN ('recorded', 'audit_verify', 'unusual_access', 'transfer_revoked',
                    'operator_incident'));
-- Several operators' incidents may each have an open draft at once, as unusual access may.
DROP INDEX dp_breaches_one_draft;
CREATE UNIQUE INDEX dp_breaches_one_draft ON dp_breaches (school_id, source)
  WHERE status = 'draft' AND source NOT IN ('unusual_access', 'transfer_revoked', 'operator_incident');
