// Where a chronology's entries come from: one source per kind of record, each with its own
// visibility rule applied in SQL — concerns through the concern policy (visibleWhere, and canRead
// again on each row shown), actions through actionsVisibleWhere, and case work (referrals,
// conversations, case events) only for those who manage cases, never on a restricted matter the
// viewer is not granted (restrictedTouchSql through each source's own filter, issue 11); MIS
// events for anyone who may see the chronology at all. Each source answers two questions in SQL:
// which of its rows come next in the chronology's order (keysSql: kind, id and exact time only,
// filters, rules and the page position in the WHERE, ordered and limited), and how many there are
// (countSql, the same filters and rules). Then `present` builds the entries shown, from their ids.
// To change safely: a new rule for a kind goes into its `where` (so the total, every page and the
// PDF all obey it), never into a filter applied after the rows are read.
import type { Tx } from '../../core/context.ts';
import { can } from '../../core/access/actor.ts';
import { allowedActions, canRead, pupilAsSeen, visibleWhere } from '../concerns/policy.ts';
import { metaOf, SELECT_VIEW, type ConcernRow } from '../concerns/read.ts';
import {
  actionsVisibleWhere,
  presentActions,
  SELECT_ACTIONS,
  type ActionRow,
} from '../actions/service.ts';
import { presentReferrals, SELECT_REFERRALS } from '../referrals/service.ts';
import { referralTouchesGranted } from '../referrals/policy.ts';
import { conversationTouchesGranted } from '../conversations/policy.ts';
import { caseTouchesGranted } from '../cases/policy.ts';
import { triageLabel } from '../../shared/triage.ts';
import type {
  ChronologyEntry as ChronologyEntryView,
  EntryKind,
} from '../../shared/schemas/chronology.ts';

/** An entry as the service builds it: the schema's, with its kind from ENTRY_KINDS. */
export type ChronologyEntry = Omit<ChronologyEntryView, 'kind'> & { kind: EntryKind };

export type ChronologyFilter = {
  categoryId?: string;
  kinds?: EntryKind[];
  from?: Date;
  to?: Date;
};

/** Parameters gathered while a statement is built: `$n` for the next one. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
  /** A fragment numbered from the next parameter (the policies' `(from) => {sql, params}`). */
  take(fragment: (from: number) => { sql: string; params: unknown[] }): string {
    const f = fragment(this.values.length + 1);
    this.values.push(...f.params);
    return f.sql;
  }
}

type Source = {
  kind: EntryKind;
  /** The row's id and the time it sits at in the chronology, as SQL. */
  id: string;
  time: string;
  /** FROM … (with joins), over the aliases `id`/`time` refer to. */
  from: string;
  /** The pupil, the kind's visibility rules and the filters (besides time), as SQL. */
  where: (p: Params, t: Tx, pupilId: string, f: ChronologyFilter) => string[];
  /** Builds the entries for these ids (keyed by id); ids it may not show are left out. */
  present: (t: Tx, pupilId: string, ids: string[]) => Promise<Map<string, ChronologyEntry>>;
};

const byId = (entries: ChronologyEntry[]) => new Map(entries.map((e) => [e.id, e]));

const concerns: Source = {
  kind: 'concern',
  id: 'c.id',
  time: 'c.happened_at',
  from: 'concerns c',
  where: (p, t, pupilId, f) => [
    `c.id IN (SELECT x.concern_id FROM concern_pupils x WHERE x.pupil_id = ${p.add(pupilId)})`,
    ...(f.categoryId
      ? [
          `EXISTS (SELECT 1 FROM concern_categories y WHERE y.concern_id = c.id AND y.category_id = ${p.add(f.categoryId)})`,
        ]
      : []),
    p.take((from) => visibleWhere(t.actor, from)),
  ],
  present: async (t, pupilId, ids) => {
    const sealer = await t.sealer();
    const rows = await t.q<ConcernRow>(`${SELECT_VIEW} WHERE c.id = ANY($1::uuid[])`, [ids]);
    return byId(
      rows
        // The SQL rule already chose these; the policy has the last word on each one shown.
        .filter((r) => canRead(t.actor, metaOf(r)))
        .map((r) => ({
          id: r.id,
          kind: 'concern',
          happenedAt: r.happened_at.toISOString(),
          title: r.categories.map((k) => k.name).join(', ') || 'Concern',
          text: sealer.open('concerns.body', r.id, r.body),
          categories: r.categories.map((k) => ({ id: k.id, name: k.name, colour: k.colour })),
          author: r.author_name,
          pupils: r.pupils.map((x) => ({
            ...pupilAsSeen(t.actor, x, { about: pupilId, knownTo: [r.author_id] }),
            role: x.role,
          })),
          status: r.status,
          ...(allowedActions(t.actor, metaOf(r)).includes('triage')
            ? { triage: triageLabel(r.triage?.state ?? 'new', r.triage?.risk ?? null) }
            : {}),
          overdue: false,
          allowed: allowedActions(t.actor, metaOf(r)).includes('view') ? ['open'] : [],
        })),
    );
  },
};

const actions: Source = {
  kind: 'action',
  id: 'a.id',
  time: 'coalesce(a.completed_at, a.created_at)',
  from: 'actions a',
  where: (p, t, pupilId) => [
    `a.pupil_id = ${p.add(pupilId)}`,
    p.take((from) => actionsVisibleWhere(t, from)),
  ],
  present: async (t, _pupilId, ids) => {
    const rows = await t.q<ActionRow>(`${SELECT_ACTIONS} WHERE a.id = ANY($1::uuid[])`, [ids]);
    return byId(
      (await presentActions(t, rows)).map((a) => ({
        id: a.id,
        kind: 'action',
        happenedAt: new Date(a.completedAt ?? a.createdAt).toISOString(),
        title: `Action (${a.type.replace('_', ' ')})${a.completedAt ? ' — completed' : ''}`,
        text: a.outcome ? `${a.text}\nOutcome: ${a.outcome}` : a.text,
        categories: [],
        author: a.assignee.name,
        pupils: [],
        status: a.state,
        overdue: a.overdue,
        allowed: a.allowed,
      })),
    );
  },
};

type ReferralRow = Parameters<typeof presentReferrals>[1][number];

const referrals: Source = {
  kind: 'referral',
  id: 'r.id',
  time: 'r.referred_at',
  from: 'referrals r',
  where: (p, t, pupilId) => [
    `r.pupil_id = ${p.add(pupilId)}`,
    p.take((from) => referralTouchesGranted(t.actor, from)),
  ],
  present: async (t, _pupilId, ids) => {
    const rows = await t.q<ReferralRow>(`${SELECT_REFERRALS} WHERE r.id = ANY($1::uuid[])`, [ids]);
    const referredBy = new Map(rows.map((r) => [r.id, r.referred_by]));
    return byId(
      (await presentReferrals(t, rows)).map((r) => ({
        id: r.id,
        kind: 'referral',
        happenedAt: r.referredAt,
        title: `Referral to ${r.agency}${r.overdue ? ' — response overdue' : ''}`,
        text:
          [
            r.details,
            r.reference && `Reference: ${r.reference}`,
            r.contact && `Contact: ${r.contact}`,
          ]
            .filter(Boolean)
            .join('\n') || null,
        categories: [],
        author: referredBy.get(r.id) ?? null,
        pupils: [],
        status: r.status,
        overdue: r.overdue,
        // A referral's page needs case.manage (src/features/referrals/routes.ts), as this list does.
        allowed: ['open'],
      })),
    );
  },
};

const conversations: Source = {
  kind: 'conversation',
  id: 'v.id',
  time: 'v.happened_at',
  from: 'conversations v',
  where: (p, t, pupilId) => [
    `v.pupil_id = ${p.add(pupilId)}`,
    p.take((from) => conversationTouchesGranted(t.actor, from)),
  ],
  present: async (t, _pupilId, ids) => {
    const sealer = await t.sealer();
    const rows = await t.q<{
      id: string;
      with_whom: string;
      decision: string | null;
      happened_at: Date;
      text: Buffer;
      author: string;
    }>(
      `SELECT v.id, v.with_whom, v.decision, v.happened_at, v.text, u.name AS author
       FROM conversations v JOIN users u ON u.id = v.author_id WHERE v.id = ANY($1::uuid[])`,
      [ids],
    );
    return byId(
      rows.map((v) => ({
        id: v.id,
        kind: 'conversation',
        happenedAt: v.happened_at.toISOString(),
        title: `Conversation with ${v.with_whom}${v.decision ? ` — decision: ${v.decision.replaceAll('_', ' ')}` : ''}`,
        text: sealer.open('conversations.text', v.id, v.text),
        categories: [],
        author: v.author,
        pupils: [],
        status: v.decision,
        overdue: false,
        allowed: [],
      })),
    );
  },
};

const caseEvents: Source = {
  kind: 'case_event',
  id: 'e.id',
  time: 'e.at',
  from: 'case_events e JOIN cases c ON c.id = e.case_id',
  where: (p, t, pupilId) => [
    `c.pupil_id = ${p.add(pupilId)}`,
    p.take((from) => caseTouchesGranted(t.actor, from)),
  ],
  present: async (t, _pupilId, ids) => {
    const sealer = await t.sealer();
    const rows = await t.q<{
      id: string;
      kind: string;
      at: Date;
      by_name: string;
      outcome: Buffer | null;
      rationale: Buffer | null;
    }>(
      `SELECT e.id, e.kind, e.at, u.name AS by_name, e.outcome, e.rationale
       FROM case_events e JOIN users u ON u.id = e.by_id WHERE e.id = ANY($1::uuid[])`,
      [ids],
    );
    return byId(
      rows.map((e) => {
        const outcome = e.outcome ? sealer.open('case_events.outcome', e.id, e.outcome) : null;
        const rationale = e.rationale
          ? sealer.open('case_events.rationale', e.id, e.rationale)
          : null;
        return {
          id: e.id,
          kind: 'case_event',
          happenedAt: e.at.toISOString(),
          title: `Case ${e.kind.replaceAll('_', ' ')}`,
          text:
            [outcome && `Outcome: ${outcome}`, rationale && `Rationale: ${rationale}`]
              .filter(Boolean)
              .join('\n') || null,
          categories: [],
          author: e.by_name,
          pupils: [],
          status: e.kind,
          overdue: false,
          allowed: [],
        };
      }),
    );
  },
};

const MIS_EVENT_TEXT: Record<string, (from: string | null, to: string | null) => string> = {
  joined: (_f, to) => (to ? `Joined the school (${to}).` : 'Joined the school.'),
  left: () => 'Left the school (no longer in the MIS); archived with their history kept.',
  returned: (_f, to) => (to ? `Returned to the school (${to}).` : 'Returned to the school.'),
  changed_form: (from, to) => `Moved form${from ? ` from ${from}` : ''}${to ? ` to ${to}` : ''}.`,
  changed_year: (from, to) =>
    `Moved year group${from ? ` from ${from}` : ''}${to ? ` to ${to}` : ''}.`,
};

/** MIS events (joined, left, returned, changed form or year), written by each sync run. */
const misEvents: Source = {
  kind: 'mis_event',
  id: 'm.id',
  time: 'm.happened_at',
  from: 'pupil_events m',
  where: (p, _t, pupilId) => [`m.pupil_id = ${p.add(pupilId)}`],
  present: async (t, _pupilId, ids) => {
    const rows = await t.q<{
      id: string;
      kind: string;
      happened_at: Date;
      from_value: string | null;
      to_value: string | null;
    }>(
      `SELECT id, kind, happened_at, from_value, to_value FROM pupil_events
       WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return byId(
      rows.map((r) => ({
        id: r.id,
        kind: 'mis_event',
        happenedAt: r.happened_at.toISOString(),
        title: `MIS: ${r.kind.replaceAll('_', ' ')}`,
        text: (MIS_EVENT_TEXT[r.kind] ?? (() => null))(r.from_value, r.to_value),
        categories: [],
        author: null,
        pupils: [],
        status: r.kind,
        overdue: false,
        allowed: [],
      })),
    );
  },
};

const SOURCES: readonly Source[] = [
  concerns,
  actions,
  referrals,
  conversations,
  caseEvents,
  misEvents,
];

/** The sources this viewer and filter read: case work only for those who manage cases. */
export function sourcesFor(t: Tx, f: ChronologyFilter): readonly Source[] {
  return SOURCES.filter(
    (s) =>
      (!f.kinds || f.kinds.includes(s.kind)) &&
      (!f.categoryId || s.kind === 'concern') &&
      (can(t.actor, 'case.manage') ||
        (s.kind !== 'referral' && s.kind !== 'conversation' && s.kind !== 'case_event')),
  );
}

export type { Source };
