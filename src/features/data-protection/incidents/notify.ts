// The operator's one notice to every affected school (issue 17), run by `lantern incident notify`.
// What it protects: each school learns of an incident that may touch its data, in its own register
// and on its own 72-hour clock, and learns nothing of any other school; the email carries no
// incident detail, pupil or record, only that there is a draft to read. How: without --confirm it
// only works out the affected schools (match.ts) and says what it would do. With it, it records the
// incident once (operator_incidents, the platform's, audited on the platform's chain), then, in ONE
// transaction per school through the same door as any work (asSystem: the school's tenancy, its
// key, its chain), opens the school's draft breach (source operator_incident, linked to the
// incident, sealed: the operator's words, the window, the counts), alerts the register's holders,
// queues the notice to each of them, and audits it — all or nothing for that school. The draft's
// became_aware_at is the moment the school is told: the school's 72 hours start there. A school
// already told is skipped (one draft per incident and school, a unique index): running the
// command again after a failure tells only the schools not yet told. To change safely: keep every
// school's work inside its own asSystem transaction, and the email's template free of the
// incident's words.
import { randomUUID } from 'node:crypto';
import {
  asSystem,
  SYSTEM_REASONS,
  unsafeAsOperator,
  type SchoolTx,
} from '../../../core/context.ts';
import { badRequest, DomainError } from '../../../core/errors.ts';
import { queueMail } from '../../../platform/mail/outbox.ts';
import { PLATFORM_SCHOOL_ID } from '../../../platform/db/tenancy.ts';
import type { Services } from '../../../platform/services.ts';
import { raiseAlerts } from '../../alerts/service.ts';
import { registerHolders } from '../signals.ts';
import { affectedSchools, type AffectedSchool } from './match.ts';
import {
  checkIncident,
  checkReference,
  scopeInWords,
  ukTime,
  type IncidentFacts,
  type IncidentInput,
  type IncidentScope,
} from './scope.ts';

export type SchoolNotice = AffectedSchool & {
  status: 'would_tell' | 'told' | 'already_told' | 'failed';
  alerted: number;
  emailed: number;
};

export type IncidentOutcome = {
  id: string | null;
  recordedAt: Date | null;
  /** Whether this run recorded the incident (false: it was recorded before, or a dry run). */
  recorded: boolean;
  facts: IncidentFacts;
  scope: IncidentScope;
  scopeWords: string;
  schools: SchoolNotice[];
};

type Stored = {
  id: string;
  reference: string;
  title: string;
  description: string;
  types: IncidentFacts['types'];
  started_at: Date;
  ended_at: Date | null;
  aware_at: Date;
  scope: IncidentScope | string;
  recorded_by: string;
  recorded_at: Date;
};

async function stored(services: Pick<Services, 'db' | 'clock'>, reference: string) {
  const [row] = await unsafeAsOperator(services, SYSTEM_REASONS.operator, (t) =>
    t.q<Stored>('SELECT * FROM operator_incidents WHERE reference = $1', [reference]),
  );
  return row;
}

const GIVEN: (keyof IncidentInput)[] = [
  'title',
  'description',
  'types',
  'started',
  'ended',
  'aware',
  'kinds',
  'addresses',
  'accounts',
  'process',
  'schools',
  'by',
];

function fromStored(r: Stored): { facts: IncidentFacts; scope: IncidentScope } {
  return {
    facts: {
      reference: r.reference,
      title: r.title,
      description: r.description,
      types: r.types,
      startedAt: new Date(r.started_at).toISOString(),
      endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
      awareAt: new Date(r.aware_at).toISOString(),
      recordedBy: r.recorded_by,
    },
    scope: typeof r.scope === 'string' ? (JSON.parse(r.scope) as IncidentScope) : r.scope,
  };
}

/**
 * A named account that is no school's member of staff and no trust's member would match nothing,
 * and the incident would look as if it touched no school: refused, so a mistyped email is seen.
 */
async function refuseUnknownAccounts(services: Services, accounts: readonly string[]) {
  if (accounts.length === 0) return;
  const known = await unsafeAsOperator(services, SYSTEM_REASONS.operator, (t) =>
    t.q<{ email: string }>(
      `SELECT lower(email) AS email FROM users WHERE lower(email) = ANY($1::text[])
       UNION SELECT lower(email) FROM trust_members WHERE lower(email) = ANY($1::text[])`,
      [accounts],
    ),
  );
  const unknown = accounts.filter((a) => !known.some((k) => k.email === a));
  if (unknown.length > 0)
    throw badRequest(
      `No school's member of staff and no trust's member has the account ${unknown.map((a) => `“${a.slice(0, 80)}”`).join(', ')}: check the email (--account). Nothing was recorded.`,
      'incident_refused',
    );
}

/** What the school's draft says: the operator's words, the window, what its trail matched. */
function howAware(f: IncidentFacts, scope: IncidentScope, s: AffectedSchool, here: string[]) {
  return [
    `Your hosting operator${f.recordedBy === SYSTEM_REASONS.operator ? '' : ` (${f.recordedBy})`} told the school of an incident that may affect its data in Lantern: “${f.title}” (the operator's reference ${f.reference}).`,
    `In the operator's words: ${f.description}`,
    `It started ${ukTime(f.startedAt)}, ${f.endedAt ? `ended ${ukTime(f.endedAt)}` : 'and had not ended when the operator recorded it'}; the operator became aware ${ukTime(f.awareAt)} (UK time). Type: ${f.types.join(', ')}.`,
    `In this school's audit trail, ${s.entries} ${s.entries === 1 ? 'entry matches' : 'entries match'} the incident's scope (${scopeInWords(scope, here)}): about ${s.records} ${s.records === 1 ? 'record' : 'records'} and ${s.pupils} ${s.pupils === 1 ? 'pupil' : 'pupils'}. The audit trail shows the entries.`,
    'Decide whether this is a personal data breach for the school: confirm this draft with your assessment, or close it saying why not. The 72 hours for telling the ICO run from when the school was told (the time this draft was opened).',
  ].join('\n\n');
}

/** The school's part, in its own transaction: the draft, the alerts, the emails, the audit. */
async function tellSchool(
  t: SchoolTx,
  services: Pick<Services, 'config' | 'log'>,
  incident: { id: string; facts: IncidentFacts; scope: IncidentScope },
  s: AffectedSchool,
): Promise<{ told: boolean; alerted: number; emailed: number }> {
  const here = (
    await t.q<{ email: string }>(
      `SELECT lower(email) AS email FROM users WHERE lower(email) = ANY($1::text[])
       UNION SELECT lower(email) FROM trust_members WHERE lower(email) = ANY($1::text[])
       ORDER BY 1`,
      [incident.scope.accounts],
    )
  ).map((r) => r.email);
  const id = randomUUID();
  const sealer = await t.sealer();
  const { facts } = incident;
  const made = await t.q(
    `INSERT INTO dp_breaches (id, school_id, status, source, became_aware_at, how_aware, types,
       occurred_from, occurred_to, people_approx, records_approx, recorded_at, signal_key,
       operator_incident_id)
     VALUES ($1, $2, 'draft', 'operator_incident', $3, $4, $5, $6, $7, $8, $9, $3, $10, $11)
     ON CONFLICT DO NOTHING RETURNING id`,
    [
      id,
      t.schoolId,
      t.now,
      sealer.seal('dp_breaches.how_aware', id, howAware(facts, incident.scope, s, here)),
      facts.types,
      facts.startedAt,
      facts.endedAt,
      s.pupils,
      s.records,
      `operator_incident:${incident.id}`,
      incident.id,
    ],
  );
  if (made.length === 0) return { told: false, alerted: 0, emailed: 0 };
  const holders = await registerHolders(t.db);
  const alerted = await raiseAlerts(t.db, t.schoolId, t.now, {
    kind: 'dp_breach_drafted',
    targetType: 'dp_breach',
    targetId: id,
    userIds: holders,
    groups: [],
  });
  const to = await t.q<{ email: string }>(
    'SELECT email FROM users WHERE id = ANY($1::uuid[]) AND disabled_at IS NULL ORDER BY email',
    [holders],
  );
  const url = `${services.config.publicOrigin}/data-protection/breaches`;
  for (const { email } of to)
    await queueMail(
      t.db,
      services,
      { template: 'operator_incident', to: email, school: s.name, url },
      t.now,
    );
  await t.audit({
    action: 'dp.operator_incident_notified',
    targetType: 'dp_breach',
    targetId: id,
    details: {
      incident: incident.id,
      reference: facts.reference,
      entries: s.entries,
      pupils: s.pupils,
      records: s.records,
      alerted: alerted.length,
      emailed: to.length,
    },
  });
  return { told: true, alerted: alerted.length, emailed: to.length };
}

/**
 * Works out the affected schools and, with `confirm`, records the incident (once, by its
 * reference) and tells each affected school not yet told. A reference already recorded is run
 * again as it was recorded: giving it other facts or another scope is refused.
 */
export async function notifyIncident(
  services: Services,
  input: IncidentInput,
  opts: { confirm: boolean },
): Promise<IncidentOutcome> {
  const now = services.clock.now();
  const before = await stored(services, checkReference(input.reference));
  if (before && GIVEN.some((k) => input[k] !== undefined))
    throw new DomainError(
      'conflict',
      'incident_recorded',
      `Incident ${before.reference} was recorded on ${ukTime(new Date(before.recorded_at).toISOString())} (UK time) with its own facts and scope, which cannot change. Give its reference alone to tell any affected school not yet told; for another incident, use another reference.`,
    );
  const { facts, scope } = before ? fromStored(before) : checkIncident(input, now);
  if (!before) await refuseUnknownAccounts(services, scope.accounts);
  let incidentId = before?.id ?? null;
  const found = await affectedSchools(services, scope, {
    id: incidentId,
    reference: facts.reference,
  });
  const outcome: IncidentOutcome = {
    id: incidentId,
    recordedAt: before ? new Date(before.recorded_at) : null,
    recorded: false,
    facts,
    scope,
    scopeWords: scopeInWords(scope),
    schools: found.map((s) => ({
      ...s,
      status: s.breachId ? 'already_told' : 'would_tell',
      alerted: 0,
      emailed: 0,
    })),
  };
  if (!opts.confirm) return outcome;
  if (!incidentId) {
    const id = randomUUID();
    // Two runs at once with one new reference: the second meets the unique reference and is
    // refused as a re-run would be (nothing of it recorded); its reference alone tells the rest.
    await unsafeAsOperator(services, facts.recordedBy, async (t) => {
      await t.q(
        `INSERT INTO operator_incidents (id, reference, title, description, types, started_at,
           ended_at, aware_at, scope, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)`,
        [
          id,
          facts.reference,
          facts.title,
          facts.description,
          facts.types,
          facts.startedAt,
          facts.endedAt,
          facts.awareAt,
          JSON.stringify(scope),
          facts.recordedBy,
          t.now,
        ],
      );
      await t.audit(PLATFORM_SCHOOL_ID, {
        action: 'operator.incident_recorded',
        targetType: 'operator_incident',
        targetId: id,
        details: { incident: id, reference: facts.reference, schools: found.length },
      });
    }).catch((err: unknown) => {
      if ((err as { code?: string } | null)?.code === '23505')
        throw new DomainError(
          'conflict',
          'incident_recorded',
          `Incident ${facts.reference} was recorded by another run just now. Give its reference alone to tell any affected school not yet told; for another incident, use another reference.`,
        );
      throw err;
    });
    incidentId = id;
    outcome.id = id;
    outcome.recorded = true;
    outcome.recordedAt = now;
  }
  const incident = { id: incidentId, facts, scope };
  for (const s of outcome.schools) {
    if (s.status === 'already_told') continue;
    try {
      const r = await asSystem(services, s.schoolId, 'operator', `incident ${facts.reference}`).tx(
        (t) => tellSchool(t, services, incident, s),
      );
      s.status = r.told ? 'told' : 'already_told';
      s.alerted = r.alerted;
      s.emailed = r.emailed;
    } catch (err) {
      // One school's failure leaves the others told; running the command again retries it.
      services.log.error(
        `incident ${facts.reference}: school ${s.schoolId} not told (${err instanceof Error ? err.name : 'error'}); run the command again to retry`,
      );
      s.status = 'failed';
    }
  }
  return outcome;
}
