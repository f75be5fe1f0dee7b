// Reads a folder of Wonde API response bodies (one file per endpoint, each a page
// `{data, meta}` or an array of pages) into a Snapshot. Missing files mean no data of that kind.
import type {
  AttendanceMark,
  Contact,
  Deletion,
  DeletionEntity,
  Group,
  Membership,
  Pupil,
  Restoration,
  Snapshot,
  SnapshotKind,
  StaffMember,
} from '../snapshot.ts';
import { decideKind } from '../snapshot.ts';
import { dfeAttendanceCodes } from './common.ts';
import type { PathSegment } from './json-splitter.ts';
import { streamJsonValues } from './json-stream.ts';
import { feedFolder, type FeedFolder, type FolderLike } from './feed-folder.ts';
import {
  LIMITS,
  assertUniqueIds,
  assertUniqueUpns,
  fail,
  isObject,
  optBool,
  optDate,
  quote,
  reqId,
  reqText,
} from './validate.ts';
import type { JsonObject, RecordCtx } from './validate.ts';
import {
  inc,
  readWondeContact,
  readWondeEmployee,
  readWondeGroup,
  readWondeStudent,
  relationship,
} from './wonde-records.ts';

export interface ReadOptions {
  /**
   * Whether the files hold everything (`full`) or only changes since a date (`delta`). Pages
   * fetched with `updated_after` say so in their `meta.pagination` links, and then decide.
   */
  kind?: SnapshotKind | undefined;
}

/** A Wonde page's own word that it was fetched with `updated_after` (its pagination links). */
export function deltaEvidence(page: unknown): string | null {
  if (!isObject(page) || !isObject(page['meta'])) return null;
  const pg = page['meta']['pagination'];
  if (!isObject(pg)) return null;
  for (const k of ['next', 'previous', 'current']) {
    const link = pg[k];
    if (typeof link === 'string' && /[?&]updated_after=/.test(link))
      return `its meta.pagination.${k} link asks for updated_after`;
  }
  return null;
}

/** `meta` of a page, or of each page of an array of pages (the records are streamed apart). */
function isPageMeta(path: PathSegment[]): boolean {
  if (path.length === 1) return path[0] === 'meta';
  return path.length === 2 && typeof path[0] === 'number' && path[1] === 'meta';
}

/** `data[n]` of one page, or `[page].data[n]` of an array of pages. */
export function isPageRecord(path: PathSegment[]): boolean {
  if (path.length === 2) return path[0] === 'data' && typeof path[1] === 'number';
  return (
    path.length === 3 &&
    typeof path[0] === 'number' &&
    path[1] === 'data' &&
    typeof path[2] === 'number'
  );
}

async function* records(
  folder: FeedFolder,
  file: string,
): AsyncGenerator<{ ctx: RecordCtx; rec: JsonObject }> {
  let index = 0;
  for await (const value of streamJsonValues(folder, file, isPageRecord)) {
    const ctx: RecordCtx = { file, index, id: null };
    if (!isObject(value)) fail(ctx, null, 'is not an object');
    yield { ctx, rec: value };
    index += 1;
  }
}

class Collector {
  readonly groups = new Map<string, Group>();
  readonly contacts = new Map<string, Contact>();
  readonly #memberships = new Map<string, Membership>();

  addGroup(g: Group, override: boolean): void {
    if (override || !this.groups.has(g.misId)) this.groups.set(g.misId, g);
  }

  addMembership(m: Membership): void {
    this.#memberships.set(`${m.groupMisId}\u0000${m.memberKind}\u0000${m.memberMisId}`, m);
  }

  memberships(): Membership[] {
    return [...this.#memberships.values()];
  }

  /** A contact may arrive both inside students and in contacts.json; keep one, with every link. */
  addContact(c: Contact, override: boolean): Contact {
    const existing = this.contacts.get(c.misId);
    if (!existing) {
      this.contacts.set(c.misId, c);
      return c;
    }
    const merged = override ? { ...c, pupils: existing.pupils } : existing;
    for (const l of c.pupils)
      if (!merged.pupils.some((x) => x.pupilMisId === l.pupilMisId)) merged.pupils.push(l);
    this.contacts.set(c.misId, merged);
    return merged;
  }
}

const DELETION_TYPES: Record<string, DeletionEntity> = {
  student: 'pupil',
  contact: 'contact',
  employee: 'staff',
  group: 'group',
  class: 'group',
};

export async function readWonde(from: FolderLike, options: ReadOptions = {}): Promise<Snapshot> {
  const folder = feedFolder(from);
  const evidence: { file: string | null; found: string | null } = { file: null, found: null };
  for (const file of ['students.json', 'contacts.json', 'employees.json', 'groups.json']) {
    if (evidence.found !== null) break;
    for await (const meta of streamJsonValues(folder, file, isPageMeta)) {
      const found = deltaEvidence({ meta });
      if (found !== null) {
        evidence.file = file;
        evidence.found = found;
        break;
      }
    }
  }
  const c = new Collector();
  for await (const { ctx, rec } of records(folder, 'groups.json')) {
    const g = readWondeGroup(ctx, rec);
    c.addGroup(g, true);
    for (const [key, kind] of [
      ['students', 'pupil'],
      ['employees', 'staff'],
    ] as const) {
      const members = inc(rec, key);
      if (!Array.isArray(members)) continue;
      members.forEach((m, i) => {
        const id = reqText(ctx, `${key}[${i}].id`, isObject(m) ? m['id'] : m, LIMITS.id);
        c.addMembership({ groupMisId: g.misId, memberKind: kind, memberMisId: id });
      });
    }
  }

  const pupils: Pupil[] = [];
  for await (const { ctx, rec } of records(folder, 'students.json')) {
    const s = readWondeStudent(ctx, rec);
    pupils.push(s.pupil);
    for (const { contact, link } of s.links) c.addContact({ ...contact, pupils: [link] }, false);
    for (const g of s.groups) {
      c.addGroup(g, false);
      c.addMembership({ groupMisId: g.misId, memberKind: 'pupil', memberMisId: s.pupil.misId });
    }
  }
  assertUniqueIds(
    'students.json',
    pupils.map((p) => p.misId),
    'id',
  );
  assertUniqueUpns('students.json', pupils, 'upn');

  for await (const { ctx, rec } of records(folder, 'contacts.json')) {
    const contact = readWondeContact(ctx, rec);
    const students = inc(rec, 'students');
    if (Array.isArray(students)) {
      students.forEach((st, i) => {
        if (!isObject(st)) fail(ctx, `students[${i}]`, 'must be an object');
        const pupilId = reqText(ctx, `students[${i}].id`, st['id'], LIMITS.id);
        contact.pupils.push(
          relationship(ctx, `students[${i}].relationship`, pupilId, inc(st, 'relationship')),
        );
      });
    }
    c.addContact(contact, true);
  }

  const staff: StaffMember[] = [];
  for await (const { ctx, rec } of records(folder, 'employees.json')) {
    const e = readWondeEmployee(ctx, rec);
    staff.push(e.staff);
    for (const g of e.groupIds)
      c.addMembership({ groupMisId: g, memberKind: 'staff', memberMisId: e.staff.misId });
  }
  assertUniqueIds(
    'employees.json',
    staff.map((s) => s.misId),
    'id',
  );

  const deletions: Deletion[] = [];
  const restorations: Restoration[] = [];
  for await (const { ctx, rec } of records(folder, 'students-leaver.json')) {
    const misId = reqId(ctx, 'id', rec['id']);
    const ed = inc(rec, 'education_details');
    const date = optDate(
      ctx,
      'education_details.leaving_date',
      isObject(ed) ? ed['leaving_date'] : null,
    );
    deletions.push({ entity: 'pupil', misId, reason: 'left', date });
  }
  for await (const { ctx, rec } of records(folder, 'deletions.json')) {
    const misId = reqId(ctx, 'id', rec['id']);
    const type = reqText(ctx, 'type', rec['type'], LIMITS.code);
    const entity = DELETION_TYPES[type];
    if (!entity) fail(ctx, 'type', `${quote(type)} is not a known deletion type`);
    // `restored_at` set: the record came back after it was deleted, so it is restored, never
    // archived (re-reading the same list twice then changes nothing).
    const restoredAt = optDate(ctx, 'restored_at', rec['restored_at']);
    if (restoredAt !== null || optBool(ctx, 'restored', rec['restored']) === true) {
      restorations.push({ entity, misId });
      continue;
    }
    const date = optDate(ctx, 'deleted_at', rec['deleted_at'] ?? rec['created_at']);
    deletions.push({ entity, misId, reason: 'deleted', date });
  }
  const kind = decideKind(evidence.file ?? 'students.json', evidence.found, options.kind);

  return {
    format: 'wonde',
    kind,
    pupils,
    contacts: [...c.contacts.values()],
    staff,
    groups: [...c.groups.values()],
    memberships: c.memberships(),
    attendanceCodes: dfeAttendanceCodes(),
    deletions,
    restorations,
    nextCursor: null,
    attendanceMarks: () => wondeMarks(folder),
  };
}

function idOf(v: unknown): unknown {
  const d = isObject(v) && 'data' in v ? v['data'] : v;
  return isObject(d) ? d['id'] : d;
}

function codeOf(v: unknown): unknown {
  const d = isObject(v) && 'data' in v ? v['data'] : v;
  return isObject(d) ? d['code'] : d;
}

/** Session attendance, one mark per record, validated as it streams. */
export async function* wondeMarks(folder: FeedFolder): AsyncGenerator<AttendanceMark> {
  for await (const { ctx, rec } of records(folder, 'attendance.json')) {
    const pupilMisId = reqText(
      ctx,
      'student',
      idOf(rec['student'] ?? rec['student_id']),
      LIMITS.id,
    );
    ctx.id = typeof rec['id'] === 'string' ? rec['id'] : pupilMisId;
    const date = optDate(ctx, 'date', rec['date']);
    if (date === null) fail(ctx, 'date', 'is missing');
    const session = reqText(ctx, 'session', rec['session'], LIMITS.code).toUpperCase();
    if (session !== 'AM' && session !== 'PM')
      fail(ctx, 'session', `${quote(rec['session'])} is not AM or PM`);
    const code = reqText(
      ctx,
      'attendance_code',
      codeOf(rec['attendance_code'] ?? rec['code']),
      LIMITS.code,
    );
    yield { pupilMisId, date, session, code };
  }
}
