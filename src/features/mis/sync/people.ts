// Contacts (with their links to pupils) and staff. A contact's links are rewritten when the
// contact changes; a link Lantern has restricted (e.g. by court order) is reported as a conflict
// and the restriction, held apart, always stays. A contact's addresses, phones and emails are
// sealed under the school's key before they reach SQL (issue 11, finding 9). Staff who leave have
// their Lantern accounts disabled and their sessions ended; their names stay on everything they
// wrote.
import { MisFormatError, type Contact, type Snapshot, type StaffMember } from '../snapshot.ts';
import { endUserSessions } from '../../identity/sessions.ts';
import type { Sealer } from '../../../platform/crypto/school-keys.ts';
import { inSlices, recordHash, sealedHex, type SyncState } from './state.ts';
import { restoreArchived } from './restore.ts';

const CONTACTS_FILE = {
  wonde: 'contacts.json',
  xporter: 'StudentContacts.json',
  csv: 'contacts.csv',
} as const;

type Row = { id: string; mis_id: string; mis_hash: string | null; gone: Date | null };

export async function syncContacts(s: SyncState, snap: Snapshot): Promise<void> {
  // A full feed with no contacts at all did not include them (SIMS's contacts.csv is optional; an
  // Xporter StudentContacts missing or empty): it says nothing about who the contacts are, so
  // they and their links are left alone, as staff are for a feed that carries none.
  if (s.kind === 'full' && snap.contacts.length === 0) return;
  const existing = await s.q.query<Row>(
    'SELECT id, mis_id, mis_hash, archived_at AS gone FROM contacts',
  );
  const byMis = new Map(existing.map((c) => [c.mis_id, c]));
  const restricted = new Set(
    (
      await s.q.query<{ k: string }>(
        `SELECT pupil_id || '|' || contact_id AS k FROM contact_restrictions WHERE removed_at IS NULL`,
      )
    ).map((r) => r.k),
  );
  const upserts: Record<string, unknown>[] = [];
  const links: Record<string, unknown>[] = [];
  const rewritten: string[] = [];
  const seen = new Set<string>();
  for (const c of snap.contacts) {
    const old = byMis.get(c.misId);
    const hash = s.hash(c);
    seen.add(c.misId);
    if (old && old.mis_hash === hash && !old.gone) continue;
    const id = old?.id ?? crypto.randomUUID();
    if (!old) s.contacts.added += 1;
    else if (old.gone) s.contacts.restored += 1;
    else s.contacts.changed += 1;
    upserts.push({ id, ...contactRow(s.sealer, id, c), mis_hash: hash });
    rewritten.push(id);
    for (const l of c.pupils) {
      const pupilId = s.pupilIds.get(l.pupilMisId);
      if (!pupilId)
        throw new MisFormatError(
          CONTACTS_FILE[snap.format],
          { recordId: c.misId.slice(0, 100), field: 'pupil' },
          `${JSON.stringify(l.pupilMisId.slice(0, 40))} is not a pupil defined anywhere in the ` +
            'feed, nor held by Lantern from an earlier run',
        );
      if (old && restricted.has(`${pupilId}|${id}`)) {
        s.conflicts.push({ kind: 'contact_restricted', pupilId, contactId: id, field: 'contact' });
      }
      links.push({
        pupil_id: pupilId,
        contact_id: id,
        relationship: l.relationship,
        priority: l.priority,
        parental_responsibility: l.parentalResponsibility,
        lives_with_pupil: l.livesWithPupil,
        court_order: l.courtOrder,
      });
    }
  }
  await inSlices(upserts, 1000, async (slice) => {
    const written = await s.q.query(
      `INSERT INTO contacts (id, school_id, mis_id, title, first_name, last_name, legal_first_name,
         legal_last_name, addresses, phones, emails, mis_hash)
       SELECT id, $2, mis_id, title, first_name, last_name, legal_first_name, legal_last_name,
         addresses, phones, emails, mis_hash FROM json_populate_recordset(NULL::contacts, $1::json)
       ON CONFLICT (school_id, mis_id) DO UPDATE SET title = EXCLUDED.title,
         first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
         legal_first_name = EXCLUDED.legal_first_name, legal_last_name = EXCLUDED.legal_last_name,
         addresses = EXCLUDED.addresses, phones = EXCLUDED.phones, emails = EXCLUDED.emails,
         mis_hash = EXCLUDED.mis_hash, archived_at = NULL, updated_at = $3
       WHERE contacts.id = EXCLUDED.id
       RETURNING id`,
      [JSON.stringify(slice), s.schoolId, s.now],
    );
    // The sealed values are bound to the id this run chose: a contact another run added at the
    // same moment (another id) is not overwritten with values it could not open.
    if (written.length !== slice.length) {
      throw new Error(
        'Another MIS sync for this school added the same contacts at the same moment; ' +
          'this run changed nothing: run it again.',
      );
    }
  });
  // A full run states every link, so a changed contact's links are rewritten. A delta states only
  // the links it sends: those are added or updated, and a link it does not name is left alone.
  if (s.kind === 'full')
    await inSlices(rewritten, 2000, async (slice) => {
      await s.q.query('DELETE FROM pupil_contacts WHERE contact_id = ANY($1::uuid[])', [slice]);
    });
  await inSlices(links, 2000, async (slice) => {
    await s.q.query(
      `INSERT INTO pupil_contacts (school_id, pupil_id, contact_id, relationship, priority,
         parental_responsibility, lives_with_pupil, court_order)
       SELECT $2, pupil_id, contact_id, relationship, priority, parental_responsibility,
         lives_with_pupil, court_order FROM json_populate_recordset(NULL::pupil_contacts, $1::json)
       ON CONFLICT (pupil_id, contact_id) DO UPDATE SET relationship = EXCLUDED.relationship,
         priority = EXCLUDED.priority, parental_responsibility = EXCLUDED.parental_responsibility,
         lives_with_pupil = EXCLUDED.lives_with_pupil, court_order = EXCLUDED.court_order`,
      [JSON.stringify(slice), s.schoolId],
    );
  });
  await restoreArchived(s, snap, 'contact', s.contacts, seen);
  const gone = goneIds(s, snap, existing, seen, 'contact');
  if (gone.length > 0) {
    await s.q.query('UPDATE contacts SET archived_at = $2 WHERE id = ANY($1::uuid[])', [
      gone,
      s.now,
    ]);
    await s.q.query('DELETE FROM pupil_contacts WHERE contact_id = ANY($1::uuid[])', [gone]);
    s.contacts.archived += gone.length;
  }
}

function contactRow(sealer: Sealer, id: string, c: Contact): Record<string, unknown> {
  return {
    mis_id: c.misId,
    title: c.title,
    first_name: c.forename,
    last_name: c.surname,
    legal_first_name: c.legalForename,
    legal_last_name: c.legalSurname,
    addresses: sealedHex(sealer, 'contacts.addresses', id, c.addresses),
    phones: sealedHex(sealer, 'contacts.phones', id, c.phones),
    emails: sealedHex(sealer, 'contacts.emails', id, c.emails),
  };
}

function goneIds(
  s: SyncState,
  snap: Snapshot,
  existing: Row[],
  seen: Set<string>,
  entity: 'contact' | 'staff',
): string[] {
  if (s.kind === 'full')
    return existing.filter((r) => !r.gone && !seen.has(r.mis_id)).map((r) => r.id);
  const byMis = new Map(existing.map((r) => [r.mis_id, r]));
  return snap.deletions
    .filter((d) => d.entity === entity)
    .map((d) => byMis.get(d.misId))
    .filter((r): r is Row => !!r && !r.gone)
    .map((r) => r.id);
}

export async function syncStaff(s: SyncState, snap: Snapshot): Promise<void> {
  const existing = await s.q.query<Row & { user_id: string | null }>(
    'SELECT id, mis_id, mis_hash, left_at AS gone, user_id FROM mis_staff',
  );
  const byMis = new Map(existing.map((r) => [r.mis_id, r]));
  for (const r of existing) s.staffIds.set(r.mis_id, { id: r.id, userId: r.user_id });
  // A SIMS report carries no staff: its absence of staff says nothing about who has left.
  if (snap.format === 'csv') return;
  const users = await s.q.query<{ id: string; email: string; mis_id: string | null }>(
    'SELECT id, lower(email) AS email, mis_id FROM users',
  );
  const userByMis = new Map(users.filter((u) => u.mis_id).map((u) => [u.mis_id, u.id]));
  const userByEmail = new Map(users.map((u) => [u.email, u.id]));
  const seen = new Set<string>();
  for (const m of snap.staff) {
    seen.add(m.misId);
    const old = byMis.get(m.misId);
    const hash = recordHash(m);
    const userId =
      userByMis.get(m.misId) ??
      (m.email ? userByEmail.get(m.email.toLowerCase()) : undefined) ??
      null;
    if (old && old.mis_hash === hash && !old.gone && (old.user_id ?? null) === userId) continue;
    const id = old?.id ?? crypto.randomUUID();
    if (!old) s.staff.added += 1;
    else if (old.gone) s.staff.restored += 1;
    else s.staff.changed += 1;
    await upsertStaff(s, id, m, hash, userId);
    s.staffIds.set(m.misId, { id, userId });
  }
  await restoreArchived(s, snap, 'staff', s.staff, seen);
  const gone = goneIds(s, snap, existing, seen, 'staff');
  if (gone.length === 0) return;
  await s.q.query('UPDATE mis_staff SET left_at = $2 WHERE id = ANY($1::uuid[])', [gone, s.now]);
  s.staff.archived += gone.length;
  const leavers = existing.filter((r) => gone.includes(r.id) && r.user_id);
  for (const r of leavers) {
    const userId = r.user_id ?? '';
    const [u] = await s.q.query<{ disabled_at: Date | null }>(
      'SELECT disabled_at FROM users WHERE id = $1',
      [userId],
    );
    if (!u || u.disabled_at) continue;
    await s.q.query('UPDATE users SET disabled_at = $2 WHERE id = $1', [userId, s.now]);
    const ended = await endUserSessions(s.q, userId, 'disabled', s.now);
    await s.audit({
      action: 'user.disabled',
      targetType: 'user',
      targetId: userId,
      details: { reason: 'left_mis', sessionsEnded: ended.length },
    });
  }
}

async function upsertStaff(
  s: SyncState,
  id: string,
  m: StaffMember,
  hash: string,
  userId: string | null,
): Promise<void> {
  await s.q.query(
    `INSERT INTO mis_staff (id, school_id, mis_id, user_id, title, first_name, last_name,
       legal_first_name, legal_last_name, email, mis_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (school_id, mis_id) DO UPDATE SET user_id = EXCLUDED.user_id,
       title = EXCLUDED.title, first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
       legal_first_name = EXCLUDED.legal_first_name, legal_last_name = EXCLUDED.legal_last_name,
       email = EXCLUDED.email, mis_hash = EXCLUDED.mis_hash, left_at = NULL, updated_at = $12`,
    [
      id,
      s.schoolId,
      m.misId,
      userId,
      m.title,
      m.forename,
      m.surname,
      m.legalForename,
      m.legalSurname,
      m.email,
      hash,
      s.now,
    ],
  );
  if (userId) await s.q.query('UPDATE users SET mis_id = $2 WHERE id = $1', [userId, m.misId]);
}
