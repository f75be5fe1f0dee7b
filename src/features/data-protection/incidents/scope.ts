// An operator's incident (issue 17: "the operator who hosts several schools can notify every
// affected school's contacts from one entry, with the affected schools worked out from the audit
// trail"): what the operator says happened, and the scope that decides which schools it touched,
// in the terms the audit entries record — when (the entry's time), what kind of access (the
// audit trail's own kinds: views, changes, exports, refusals, sign-ins, administration), from
// where (the entry's address, or a network), by whom (a member's account, found by its email; or
// a process, the system actor's label such as "MIS API key <id>" or "MIS sync"). Pure: checks the
// operator's words and turns the scope into SQL conditions over `audit_events e`, values always
// as parameters. Refusals are DomainErrors whose message the command prints as it is.
import { isIP } from 'node:net';
import { badRequest } from '../../../core/errors.ts';
import { SYSTEM_REASONS } from '../../../core/context.ts';
import { AUDIT_ACTIONS } from '../../../platform/audit/catalogue.ts';
import { TRAIL_KINDS, type TrailKind } from '../../../shared/schemas/audit-trail.ts';
import { BREACH_TYPES } from '../../../shared/schemas/data-protection.ts';
import { EVENT_LABELS } from '../../audit-trail/labels.ts';

export type IncidentType = (typeof BREACH_TYPES)[number];

/** The scope: entries written in [from, to], and matching every criterion given. */
export type IncidentScope = {
  from: string;
  to: string;
  kinds: TrailKind[];
  /** Addresses or networks (CIDR), as given. */
  addresses: string[];
  /** Account emails, lower case: a school's member of staff or a trust's member. */
  accounts: string[];
  /** A system actor's label, alone or with its detail ("MIS API key", "MIS API key 1f…"). */
  process: string | null;
  /** Only these schools are considered (all when empty). */
  schools: string[];
};

export type IncidentFacts = {
  reference: string;
  title: string;
  description: string;
  types: IncidentType[];
  startedAt: string;
  /** Null while it has not ended. */
  endedAt: string | null;
  awareAt: string;
  recordedBy: string;
};

/** What the command was given; every field but the reference may be left out on a re-run. */
export type IncidentInput = {
  reference: string;
  title?: string | undefined;
  description?: string | undefined;
  types?: string[] | undefined;
  started?: string | undefined;
  ended?: string | undefined;
  aware?: string | undefined;
  kinds?: string[] | undefined;
  addresses?: string[] | undefined;
  accounts?: string[] | undefined;
  process?: string | undefined;
  schools?: string[] | undefined;
  by?: string | undefined;
};

const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
/** An instant with its zone: a bare local time would be read differently on each machine. */
const INSTANT = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/i;

const refuse = (message: string) => badRequest(message, 'incident_refused');

export function checkReference(reference: string): string {
  if (!REFERENCE.test(reference))
    throw refuse(
      'Give the incident a reference of letters, digits, dots, dashes or underscores (up to 60), such as INC-2026-004: it names the incident in every school, and running the command again with it tells no school twice.',
    );
  return reference;
}

function instant(name: string, value: string | undefined, now: Date): string {
  if (value === undefined) throw refuse(`Say ${name} (an ISO time with its zone).`);
  if (!INSTANT.test(value.trim()) || Number.isNaN(Date.parse(value.trim())))
    throw refuse(
      `${name[0]!.toUpperCase()}${name.slice(1)} must be a time with its zone, such as 2026-12-01T09:30Z or 2026-12-01T09:30+00:00; “${value.slice(0, 40)}” is not.`,
    );
  const [y, mo, d] = value.trim().slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d)
    throw refuse(
      `${name[0]!.toUpperCase()}${name.slice(1)}: “${value.slice(0, 40)}” is not a date.`,
    );
  const at = new Date(Date.parse(value.trim()));
  if (at.getTime() > now.getTime()) throw refuse(`${name} cannot be in the future.`);
  return at.toISOString();
}

function text(name: string, value: string | undefined, max: number): string {
  const v = value?.trim() ?? '';
  if (v === '') throw refuse(`Give ${name}.`);
  if (v.length > max) throw refuse(`Keep ${name} to ${max} characters.`);
  return v;
}

/** An address or a network (CIDR) that PostgreSQL's inet type reads as the entry's address. */
export function checkAddress(a: string): string {
  const [host, bits, extra] = a.trim().split('/');
  const v = isIP(host ?? '');
  const max = v === 4 ? 32 : 128;
  const ok =
    v !== 0 &&
    extra === undefined &&
    (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max));
  if (!ok)
    throw refuse(
      `“${a.slice(0, 60)}” is not an IP address or network: give one such as 203.0.113.7, 203.0.113.0/24 or 2001:db8::/32.`,
    );
  return a.trim();
}

const PROCESSES = Object.values(SYSTEM_REASONS);

function checkProcess(p: string | undefined): string | null {
  if (p === undefined) return null;
  const v = p.trim();
  if (!PROCESSES.some((label) => v === label || v.startsWith(`${label} `)))
    throw refuse(
      `“${v.slice(0, 60)}” is not a process Lantern's audit trail names: give one of ${PROCESSES.map((x) => `“${x}”`).join(', ')}, alone or followed by its detail as the trail shows it (such as “MIS API key <key id>”).`,
    );
  return v;
}

/** The operator's facts and the scope, checked; the times against `now`. */
export function checkIncident(
  input: IncidentInput,
  now: Date,
): { facts: IncidentFacts; scope: IncidentScope } {
  const startedAt = instant('when it started (--started)', input.started, now);
  const endedAt =
    input.ended === undefined ? null : instant('when it ended (--ended)', input.ended, now);
  const awareAt = instant('when you became aware (--aware)', input.aware, now);
  if (endedAt !== null && endedAt < startedAt)
    throw refuse('The incident cannot end (--ended) before it started (--started).');
  if (awareAt < startedAt)
    throw refuse('You cannot have become aware (--aware) before the incident started (--started).');
  const types = [...new Set(input.types ?? [])];
  if (types.length === 0 || !types.every((x) => (BREACH_TYPES as readonly string[]).includes(x)))
    throw refuse(
      `Say what kind of incident it is (--type): ${BREACH_TYPES.join(', ')} (one or more).`,
    );
  const kinds = [...new Set(input.kinds ?? [])];
  const unknownKind = kinds.find((k) => !(TRAIL_KINDS as readonly string[]).includes(k));
  if (unknownKind !== undefined)
    throw refuse(
      `“${unknownKind.slice(0, 30)}” is not a kind of access the audit trail records: give ${TRAIL_KINDS.join(', ')}.`,
    );
  const accounts = [...new Set((input.accounts ?? []).map((a) => a.trim().toLowerCase()))];
  const badAccount = accounts.find((a) => !EMAIL.test(a));
  if (badAccount !== undefined)
    throw refuse(
      `“${badAccount.slice(0, 60)}” is not an email address: name an account by its email.`,
    );
  const schools = [...new Set(input.schools ?? [])];
  if (!schools.every((s) => UUID.test(s)))
    throw refuse('Give each school by its id (the UUID that “school create” printed).');
  return {
    facts: {
      reference: checkReference(input.reference),
      title: text('the incident a title (--title)', input.title, 200),
      description: text(
        'what happened, in plain words (--description or --description-file)',
        input.description,
        4000,
      ),
      types: BREACH_TYPES.filter((x) => types.includes(x)),
      startedAt,
      endedAt,
      awareAt,
      recordedBy:
        input.by === undefined
          ? SYSTEM_REASONS.operator
          : text('your name or organisation (--by)', input.by, 200),
    },
    scope: {
      from: startedAt,
      // An incident still going on is scoped up to the moment it is recorded, once and for all.
      to: endedAt ?? now.toISOString(),
      kinds: TRAIL_KINDS.filter((k) => kinds.includes(k)),
      addresses: [...new Set((input.addresses ?? []).map(checkAddress))],
      accounts,
      process: checkProcess(input.process),
      schools,
    },
  };
}

/** The events of the audit trail's kinds (every event has one: labels.ts). */
export function actionsOfKinds(kinds: readonly TrailKind[]): string[] {
  return AUDIT_ACTIONS.filter((a) => kinds.includes(EVENT_LABELS[a][1]));
}

/** An IPv4 network also as the IPv4-mapped IPv6 network a dual-stack listener records. */
function withMapped(a: string): string[] {
  const [host, bits] = a.split('/');
  if (isIP(host!) !== 4) return [a];
  return [a, `::ffff:${host}/${96 + Number(bits ?? 32)}`];
}

/**
 * The scope as conditions on `audit_events e`, its values appended to `params`. An address is
 * compared as inet (so 203.0.113.0/24 holds 203.0.113.7); an entry whose address is not one
 * (never written by Lantern) simply does not match.
 */
export function scopeSql(scope: IncidentScope, params: unknown[]): string[] {
  const add = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = [
    `e.at >= ${add(scope.from)}::timestamptz`,
    `e.at <= ${add(scope.to)}::timestamptz`,
  ];
  if (scope.schools.length > 0) where.push(`e.school_id = ANY(${add(scope.schools)}::uuid[])`);
  if (scope.kinds.length > 0)
    where.push(`e.action = ANY(${add(actionsOfKinds(scope.kinds))}::text[])`);
  if (scope.addresses.length > 0)
    where.push(
      `(CASE WHEN e.ip ~ '^[0-9A-Fa-f:.]+$' THEN e.ip::inet END) <<= ANY(${add(scope.addresses.flatMap(withMapped))}::inet[])`,
    );
  if (scope.accounts.length > 0) {
    // A member of staff by their account in the school; a trust member (migration 0065) by the
    // member the entry's details name (actor_id stays NULL for them: core/trust-context.ts).
    const a = add(scope.accounts);
    where.push(
      `(e.actor_id IN (SELECT u.id FROM users u WHERE u.school_id = e.school_id
         AND lower(u.email) = ANY(${a}::text[]))
        OR (e.actor_id IS NULL AND e.details ->> 'trustMember' IN (SELECT tm.id::text
          FROM trust_members tm WHERE lower(tm.email) = ANY(${a}::text[]))))`,
    );
  }
  if (scope.process !== null) {
    const p = add(scope.process);
    where.push(
      `e.actor_id IS NULL AND (e.actor_label = ${p} OR left(e.actor_label, length(${p}) + 1) = ${p} || ' ')`,
    );
  }
  return where;
}

const KIND_WORDS: Record<TrailKind, string> = {
  view: 'views',
  change: 'changes',
  export: 'exports and downloads',
  refusal: 'refusals',
  sign_in: 'sign-ins',
  admin: 'administration',
};

const when = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    dateStyle: 'long',
    timeStyle: 'short',
  }).format(new Date(iso));

/** The scope in words, for the operator's screen and each school's draft. */
export function scopeInWords(scope: IncidentScope, accountsHere?: readonly string[]): string {
  const parts = [`entries written from ${when(scope.from)} to ${when(scope.to)} (UK time)`];
  if (scope.kinds.length > 0)
    parts.push(`of these kinds: ${scope.kinds.map((k) => KIND_WORDS[k]).join(', ')}`);
  if (scope.addresses.length > 0) parts.push(`from ${scope.addresses.join(', ')}`);
  if (scope.accounts.length > 0) {
    const named = accountsHere ?? scope.accounts;
    parts.push(
      named.length > 0
        ? `by the account${named.length === 1 ? '' : 's'} ${named.join(', ')}`
        : 'by the accounts the operator named',
    );
  }
  if (scope.process !== null) parts.push(`by the process “${scope.process}”`);
  return parts.join('; ');
}

export { when as ukTime };
