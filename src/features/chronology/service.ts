// A pupil's chronology, built on demand from every kind of record about them, in order of when
// it happened. Each source is read through the same visibility rules as its own list: concerns
// through the concern policy (visibleWhere + canRead), actions through actionsVisibleWhere, and
// case work (referrals, conversations, case events) only for those who manage cases. Case work on
// a restricted matter the viewer is not granted — an action, referral, conversation or case event
// whose concern, or a concern of whose case, is in such a category — is left out, unopened
// (restrictedTouchSql through each source's own filter, issue 11), here and so in the PDF. A linked
// pupil the viewer may not see is shown as "Another pupil", never by name.
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
import { listReferrals } from '../referrals/service.ts';
import { conversationTouchesGranted } from '../conversations/policy.ts';
import { caseTouchesGranted } from '../cases/policy.ts';
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

function within(f: ChronologyFilter, d: Date): boolean {
  return (!f.from || d >= f.from) && (!f.to || d <= f.to);
}

export async function buildChronology(
  t: Tx,
  pupilId: string,
  f: ChronologyFilter,
): Promise<ChronologyEntry[]> {
  const want = (k: EntryKind) =>
    (!f.kinds || f.kinds.includes(k)) && (!f.categoryId || k === 'concern');
  const sealer = await t.sealer();
  const out: ChronologyEntry[] = [];

  if (want('concern')) {
    const params: unknown[] = [pupilId];
    const where = [
      'EXISTS (SELECT 1 FROM concern_pupils x WHERE x.concern_id = c.id AND x.pupil_id = $1)',
    ];
    if (f.categoryId) {
      params.push(f.categoryId);
      where.push(
        `EXISTS (SELECT 1 FROM concern_categories y WHERE y.concern_id = c.id AND y.category_id = $${params.length})`,
      );
    }
    const vis = visibleWhere(t.actor, params.length + 1);
    where.push(vis.sql);
    params.push(...vis.params);
    const rows = await t.q<ConcernRow>(`${SELECT_VIEW} WHERE ${where.join(' AND ')}`, params);
    for (const r of rows) {
      if (!canRead(t.actor, metaOf(r)) || !within(f, r.happened_at)) continue;
      out.push({
        id: r.id,
        kind: 'concern',
        happenedAt: r.happened_at.toISOString(),
        title: r.categories.map((k) => k.name).join(', ') || 'Concern',
        text: sealer.open('concerns.body', r.id, r.body),
        categories: r.categories.map((k) => ({ id: k.id, name: k.name, colour: k.colour })),
        author: r.author_name,
        pupils: r.pupils.map((p) => ({
          ...pupilAsSeen(t.actor, p, { about: pupilId, knownTo: [r.author_id] }),
          role: p.role,
        })),
        status: r.status,
        overdue: false,
        allowed: allowedActions(t.actor, metaOf(r)).includes('view') ? ['open'] : [],
      });
    }
  }

  if (want('action')) {
    const vis = actionsVisibleWhere(t, 2);
    const rows = await t.q<ActionRow>(`${SELECT_ACTIONS} WHERE a.pupil_id = $1 AND ${vis.sql}`, [
      pupilId,
      ...vis.params,
    ]);
    for (const a of await presentActions(t, rows)) {
      const at = new Date(a.completedAt ?? a.createdAt);
      if (!within(f, at)) continue;
      out.push({
        id: a.id,
        kind: 'action',
        happenedAt: at.toISOString(),
        title: `Action (${a.type.replace('_', ' ')})${a.completedAt ? ' — completed' : ''}`,
        text: a.outcome ? `${a.text}\nOutcome: ${a.outcome}` : a.text,
        categories: [],
        author: a.assignee.name,
        pupils: [],
        status: a.state,
        overdue: a.overdue,
        allowed: a.allowed,
      });
    }
  }

  if (!can(t.actor, 'case.manage')) return sortEntries(out);

  if (want('referral')) {
    for (const r of await listReferrals(t, { pupilId, limit: 5000 })) {
      if (!within(f, new Date(r.referredAt))) continue;
      out.push({
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
        author: null,
        pupils: [],
        status: r.status,
        overdue: r.overdue,
        // A referral's page needs case.manage (src/features/referrals/routes.ts), as this list does.
        allowed: ['open'],
      });
    }
  }

  if (want('conversation')) {
    const touch = conversationTouchesGranted(t.actor, 2);
    const rows = await t.q<{
      id: string;
      with_whom: string;
      decision: string | null;
      happened_at: Date;
      text: Buffer;
      author: string;
    }>(
      `SELECT v.id, v.with_whom, v.decision, v.happened_at, v.text, u.name AS author
       FROM conversations v JOIN users u ON u.id = v.author_id
       WHERE v.pupil_id = $1 AND ${touch.sql}`,
      [pupilId, ...touch.params],
    );
    for (const v of rows) {
      if (!within(f, v.happened_at)) continue;
      out.push({
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
      });
    }
  }

  if (want('case_event')) {
    const touch = caseTouchesGranted(t.actor, 2);
    const rows = await t.q<{
      id: string;
      kind: string;
      at: Date;
      by_name: string;
      outcome: Buffer | null;
      rationale: Buffer | null;
    }>(
      `SELECT e.id, e.kind, e.at, u.name AS by_name, e.outcome, e.rationale
       FROM case_events e JOIN cases c ON c.id = e.case_id JOIN users u ON u.id = e.by_id
       WHERE c.pupil_id = $1 AND ${touch.sql}`,
      [pupilId, ...touch.params],
    );
    for (const e of rows) {
      if (!within(f, e.at)) continue;
      const outcome = e.outcome ? sealer.open('case_events.outcome', e.id, e.outcome) : null;
      const rationale = e.rationale
        ? sealer.open('case_events.rationale', e.id, e.rationale)
        : null;
      out.push({
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
      });
    }
  }

  if (want('mis_event')) out.push(...(await misEvents(t, pupilId, f)));
  return sortEntries(out);
}

const MIS_EVENT_TEXT: Record<string, (from: string | null, to: string | null) => string> = {
  joined: (_f, to) => (to ? `Joined the school (${to}).` : 'Joined the school.'),
  left: () => 'Left the school (no longer in the MIS); archived with their history kept.',
  returned: (_f, to) => (to ? `Returned to the school (${to}).` : 'Returned to the school.'),
  changed_form: (from, to) => `Moved form${from ? ` from ${from}` : ''}${to ? ` to ${to}` : ''}.`,
  changed_year: (from, to) =>
    `Moved year group${from ? ` from ${from}` : ''}${to ? ` to ${to}` : ''}.`,
};

/** MIS events (joined, left, returned, changed form or year), written by each sync run. */
async function misEvents(t: Tx, pupilId: string, f: ChronologyFilter): Promise<ChronologyEntry[]> {
  const rows = await t.q<{
    id: string;
    kind: string;
    happened_at: Date;
    from_value: string | null;
    to_value: string | null;
  }>(
    `SELECT id, kind, happened_at, from_value, to_value FROM pupil_events
     WHERE pupil_id = $1 ORDER BY happened_at`,
    [pupilId],
  );
  return rows
    .filter((r) => within(f, r.happened_at))
    .map((r) => ({
      id: r.id,
      kind: 'mis_event' as const,
      happenedAt: r.happened_at.toISOString(),
      title: `MIS: ${r.kind.replaceAll('_', ' ')}`,
      text: (MIS_EVENT_TEXT[r.kind] ?? (() => null))(r.from_value, r.to_value),
      categories: [],
      author: null,
      pupils: [],
      status: r.kind,
      overdue: false,
      allowed: [],
    }));
}

function sortEntries(entries: ChronologyEntry[]): ChronologyEntry[] {
  // Oldest first, as a chronology reads; ties broken by id so the order is stable.
  return entries.sort((a, b) =>
    a.happenedAt < b.happenedAt ? -1 : a.happenedAt > b.happenedAt ? 1 : a.id < b.id ? -1 : 1,
  );
}
