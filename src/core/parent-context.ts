// The parents' door (issue 21): a signed-in parent's transaction, beside the staff one in
// context.ts and opened through the same `openSchool` (tenant, sealing, audit at commit). Protects
// the separation between families and from safeguarding records: a parent's work reaches a child
// only through `t.child(pupilId)`, which answers a child this parent is linked to (through the
// MIS's own pupil_contacts link, with parental responsibility or as the primary contact, accepted,
// not revoked, the contact not restricted for that child) and otherwise refuses with 404 "No such
// child." — auditing the attempt in a transaction of its own, since the refused one rolls back.
// Audit entries name the parent by label ("Parent: Ann Example") with actor_id NULL: never a staff
// user id, so the trail's "people", "who has seen this record" and the unusual-access scan (which
// follow actor_id) never take a parent for a member of staff. To change safely: keep every parent
// read of a child behind `child()`, keep the link rule in LINKED_CHILD_SQL alone, and keep
// refusals audited even when the work rolls back.
import { DomainError } from './errors.ts';
import { openSchool, type Door, type Origin, type SchoolTx } from './context.ts';
import type { AuditActor, AuditEvent } from '../platform/audit/catalogue.ts';
import type { Queryable } from '../platform/db/engine.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in parent's context (src/http/parent-request-context.ts); null otherwise. */
    parentContext: ParentContext | null;
  }
}

/** Who the signed-in parent is. */
export type ParentActor = {
  parentId: string;
  schoolId: string;
  contactId: string;
  name: string;
};

/** A child this parent may see: only what a parent's own pages need. */
export type LinkedChild = {
  pupilId: string;
  firstName: string;
  lastName: string;
  yearGroup: string | null;
};

export type ParentTx = SchoolTx & {
  parent: Omit<ParentActor, 'schoolId'>;
  /** The child when this parent is linked and accepted; otherwise 404 "No such child." (audited). */
  child(pupilId: string): Promise<LinkedChild>;
  /** Every child this parent is linked to now, by name. */
  children(): Promise<LinkedChild[]>;
};

export const NO_SUCH_CHILD = 'No such child.';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True (as SQL) when the DSL has restricted the contact — a court order or any restriction in
 * force today, for ANY pupil of the school: such a contact is never invited, and an account they
 * already have reaches no child. `contact` is a column, `today` a date parameter ('$2').
 */
export function restrictedContactSql(contact: string, today: string): string {
  return `EXISTS (SELECT 1 FROM contact_restrictions r
                  WHERE r.contact_id = ${contact} AND r.removed_at IS NULL
                    AND (r.starts_on IS NULL OR r.starts_on <= ${today}::date)
                    AND (r.ends_on IS NULL OR r.ends_on >= ${today}::date))`;
}

/**
 * The one rule of which children a parent reaches: an accepted, unrevoked link through the MIS's
 * pupil_contacts (parental responsibility, or the primary contact), the pupil on roll, and no
 * restriction in force on that contact for that pupil. $1 is the parent, $2 the date today.
 */
const LINKED_CHILD_SQL = `
  SELECT p.id AS pupil_id, coalesce(p.preferred_name, p.first_name) AS first_name, p.last_name,
         p.year_group
  FROM parent_links l
  JOIN parent_accounts a ON a.id = l.parent_id AND a.status = 'active'
  JOIN pupil_contacts pc ON pc.pupil_id = l.pupil_id AND pc.contact_id = l.contact_id
  JOIN pupils p ON p.id = l.pupil_id AND p.archived_at IS NULL
  WHERE l.parent_id = $1 AND l.accepted_at IS NOT NULL AND l.revoked_at IS NULL
    AND (pc.parental_responsibility IS TRUE OR pc.priority = 1)
    AND NOT ${restrictedContactSql('l.contact_id', '$2')}`;

type ChildRow = {
  pupil_id: string;
  first_name: string;
  last_name: string;
  year_group: string | null;
};
const present = (r: ChildRow): LinkedChild => ({
  pupilId: r.pupil_id,
  firstName: r.first_name,
  lastName: r.last_name,
  yearGroup: r.year_group,
});

export async function linkedChildren(
  q: Queryable,
  parentId: string,
  now: Date,
  pupilId?: string,
): Promise<LinkedChild[]> {
  const rows = await q.query<ChildRow>(
    `${LINKED_CHILD_SQL} ${pupilId ? 'AND l.pupil_id = $3::uuid' : ''}
     ORDER BY p.last_name, p.first_name`,
    pupilId
      ? [parentId, now.toISOString().slice(0, 10), pupilId]
      : [parentId, now.toISOString().slice(0, 10)],
  );
  return rows.map(present);
}

/** The audit actor of a parent: a label, never a staff user's id. */
export function parentAuditActor(origin: Origin, name: string): AuditActor {
  return {
    actorId: null,
    actorLabel: `Parent: ${name}`,
    ip: origin.ip,
    userAgent: origin.userAgent,
  };
}

/** A signed-in parent at work. */
export class ParentContext {
  readonly parent: ParentActor;
  readonly sessionId: string;
  readonly #services: Door;
  readonly #who: AuditActor;
  constructor(services: Door, parent: ParentActor, sessionId: string, origin: Origin) {
    this.#services = services;
    this.parent = parent;
    this.sessionId = sessionId;
    this.#who = parentAuditActor(origin, parent.name);
  }

  async tx<T>(fn: (t: ParentTx) => Promise<T>): Promise<T> {
    const refusals: AuditEvent[] = [];
    const { parentId, contactId, name } = this.parent;
    try {
      return await openSchool(this.#services, this.parent.schoolId, this.#who, (t) =>
        fn({
          ...t,
          parent: { parentId, contactId, name },
          children: () => linkedChildren(t.db, parentId, t.now),
          child: async (pupilId) => {
            const [found] = UUID.test(pupilId)
              ? await linkedChildren(t.db, parentId, t.now, pupilId)
              : [];
            if (found) return found;
            refusals.push({
              action: 'parent.child_refused',
              targetType: 'pupil',
              targetId: UUID.test(pupilId) ? pupilId : 'not-an-id',
            });
            throw new DomainError('not_found', 'no_such_child', NO_SUCH_CHILD);
          },
        }),
      );
    } catch (err) {
      // The work rolled back; the refused attempts are still on the trail.
      if (refusals.length > 0) {
        await openSchool(this.#services, this.parent.schoolId, this.#who, async (t) => {
          for (const e of refusals) await t.audit(e);
        });
      }
      throw err;
    }
  }
}

/** The signed-in parent's context for this request (401 when there is none). */
export function parentCtx(req: { parentContext: ParentContext | null }): ParentContext {
  if (!req.parentContext) {
    throw new DomainError('unauthorised', 'unauthorised', 'Please sign in.');
  }
  return req.parentContext;
}

/**
 * A parent's transaction before their session is full (giving the code, setting up the second
 * factor, signing out): audited as the parent, with no way to a child.
 */
export function parentDoor(
  services: Door,
  origin: Origin,
  schoolId: string,
  name: string,
): { tx<T>(fn: (t: SchoolTx) => Promise<T>): Promise<T> } {
  const who = parentAuditActor(origin, name);
  return { tx: (fn) => openSchool(services, schoolId, who, fn) };
}
