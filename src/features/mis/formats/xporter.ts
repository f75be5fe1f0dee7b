// Reads a folder of Groupcall Xporter on Demand response bodies into a Snapshot. Each file is
// one endpoint's body (an object holding the endpoint's row list, plus changeset fields) or an
// array of such pages. Only AttendanceForDateRange is large, so only it is streamed.
import type {
  AttendanceCode,
  AttendanceMark,
  Contact,
  Deletion,
  DeletionEntity,
  Group,
  Membership,
  Pupil,
  SenNeed,
  Snapshot,
  SnapshotKind,
  StaffMember,
} from '../snapshot.ts';
import { decideKind } from '../snapshot.ts';
import { categoriseCode } from './common.ts';
import type { PathSegment } from './json-splitter.ts';
import { readJsonFile, streamJsonValues } from './json-stream.ts';
import { feedFolder, type FeedFolder, type FolderLike } from './feed-folder.ts';
import {
  LIMITS,
  assertUniqueIds,
  assertUniqueUpns,
  fail,
  isObject,
  optDate,
  optInt,
  optText,
  quote,
  reqText,
} from './validate.ts';
import type { JsonObject, RecordCtx } from './validate.ts';
import {
  finishPupil,
  idList,
  readXporterContactRow,
  readXporterStaff,
  readXporterStudent,
  xporterGroupKind,
} from './xporter-records.ts';

interface Body {
  file: string;
  pages: JsonObject[];
}

async function load(folder: FeedFolder, file: string): Promise<Body> {
  const v = await readJsonFile(folder, file);
  if (v === undefined) return { file, pages: [] };
  const pages = Array.isArray(v) ? v : [v];
  pages.forEach((p, i) => {
    if (!isObject(p)) fail({ file, index: null, id: null }, null, `page ${i} is not a JSON object`);
  });
  return { file, pages: pages as JsonObject[] };
}

/** The rows under `key` (or its singular) across every page, with a running record index. */
function* rows(body: Body, keys: string[]): Generator<{ ctx: RecordCtx; rec: JsonObject }> {
  let index = 0;
  for (const page of body.pages) {
    const key = keys.find((k) => k in page);
    if (key === undefined) continue;
    const list = page[key];
    if (!Array.isArray(list))
      fail({ file: body.file, index: null, id: null }, key, 'must be a list');
    for (const rec of list) {
      const ctx: RecordCtx = { file: body.file, index, id: null };
      if (!isObject(rec)) fail(ctx, null, 'is not an object');
      yield { ctx, rec };
      index += 1;
    }
  }
}

/** Ids in `<Endpoint>_deleted` lists: records that left the selection or were deleted. */
function deleted(body: Body, key: string, entity: DeletionEntity): Deletion[] {
  const out: Deletion[] = [];
  for (const page of body.pages) {
    if (!(key in page)) continue;
    const ids = idList({ file: body.file, index: null, id: null }, key, page[key]);
    for (const misId of ids) out.push({ entity, misId, reason: 'deleted', date: null });
  }
  return out;
}

/**
 * XoD marks a changeset at page level. As Groupcall documents it ("Changesets", xporterdocs
 * .groupcall.com/docs/Xporter/concepts/changesets) a page asked for with `changedRows` carries
 * `__changedRows__: [{SnapshotDate, PreviousChangedRows, RequestedChangedRows, NextChangedRows,
 * NextUrl}]` and a `<Endpoint>_deleted` id list. `RequestedChangedRows: "*"` starts a changeset:
 * the page holds the whole dataset (and an empty `_deleted`), so it is a full snapshot whose
 * `NextChangedRows` is the marker for next time. Any other requested marker makes a delta. The
 * older flat spellings (`__changedRows__`/`ChangedRows`/`changedRows` as the token itself, and
 * `NextChangedRows` beside the rows) are still read.
 */
const CHANGESET_KEYS = ['__changedRows__', 'ChangedRows', 'changedRows'];
const NEXT_KEYS = ['NextChangedRows', '__nextChangedRows__', 'nextChangedRows'];

function marker(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && v !== false;
}

/** The documented `__changedRows__` object (first of its list), if the page carries one. */
function changedRowsInfo(v: unknown): JsonObject | null {
  const first = Array.isArray(v) ? (v[0] as unknown) : v;
  return isObject(first) ? first : null;
}

function changeset(bodies: Body[]): { evidence: string | null; file: string; next: string | null } {
  let evidence: string | null = null;
  let file = 'Students.json';
  let next: string | null = null;
  for (const b of bodies) {
    for (const page of b.pages) {
      const ctx = { file: b.file, index: null, id: null };
      const key = CHANGESET_KEYS.find((k) => marker(page[k]));
      const info = key === undefined ? null : changedRowsInfo(page[key]);
      const requested = info?.['RequestedChangedRows'];
      // A changeset started with "*" holds everything: a full snapshot, not a delta. Without a
      // requested marker the page is read as a delta: wrongly reading a delta as full would
      // archive everyone it leaves out, wrongly reading a full one as a delta archives no one.
      const starts = info !== null && requested === '*';
      const del = Object.keys(page).find((k) => k.endsWith('_deleted'));
      if (evidence === null && !starts && (key !== undefined || del !== undefined)) {
        evidence =
          key !== undefined
            ? `it carries ${key}${typeof requested === 'string' ? ` "${requested.slice(0, 40)}"` : ''}`
            : `it lists ${del}`;
        file = b.file;
      }
      for (const k of NEXT_KEYS) {
        const v = info !== null && k === 'NextChangedRows' ? info[k] : page[k];
        if (isObject(v)) continue;
        next = optText(ctx, k, v, LIMITS.text) ?? next;
      }
    }
  }
  return { evidence, file, next };
}

export interface ReadOptions {
  /** The kind the caller expects; checked against the changeset fields (decideKind). */
  kind?: SnapshotKind | undefined;
}

export async function readXporter(from: FolderLike, options: ReadOptions = {}): Promise<Snapshot> {
  const folder = feedFolder(from);
  const [students, contactsBody, staffBody, groupsBody, codesBody] = await Promise.all(
    [
      'Students.json',
      'StudentContacts.json',
      'Staff.json',
      'Groups.json',
      'AttendanceCodes.json',
    ].map((f) => load(folder, f)),
  );
  if (!students || !contactsBody || !staffBody || !groupsBody || !codesBody)
    throw new Error('unreachable');
  const memberships = new Map<string, Membership>();
  const addMember = (m: Membership): void =>
    void memberships.set(`${m.groupMisId}\u0000${m.memberKind}\u0000${m.memberMisId}`, m);

  const pupils: Pupil[] = [];
  for (const { ctx, rec } of rows(students, ['Students', 'Student'])) {
    const s = readXporterStudent(ctx, rec);
    pupils.push(s.pupil);
    for (const g of s.groupIds)
      addMember({ groupMisId: g, memberKind: 'pupil', memberMisId: s.pupil.misId });
  }
  const byId = new Map(pupils.map((p) => [p.misId, p]));
  for (const { ctx, rec } of rows(students, ['StudentSenTypeHistory'])) {
    ctx.id = optText(ctx, 'Id', rec['Id'], LIMITS.id);
    const need: SenNeed = {
      code: optText(ctx, 'NeedTypeCode', rec['NeedTypeCode'] ?? rec['NeedTypeVode'], LIMITS.code),
      description: optText(ctx, 'NeedTypeDescription', rec['NeedTypeDescription'], LIMITS.text),
      rank: optInt(ctx, 'Rank', rec['Rank']),
      startDate: optDate(ctx, 'StartDate', rec['StartDate']),
      endDate: optDate(ctx, 'EndDate', rec['EndDate']),
    };
    // Rows name their pupils in `Students` (a list) or, one per row, in `StudentId`.
    const owners = [
      ...idList(ctx, 'Students', rec['Students']),
      ...idList(ctx, 'StudentId', rec['StudentId'] ?? rec['StudentID']),
    ];
    if (owners.length === 0)
      fail(ctx, 'StudentId', 'is missing (no pupil named for this SEN need)');
    for (const sid of owners) {
      const owner = byId.get(sid);
      if (!owner) fail(ctx, 'StudentId', `${quote(sid)} is not a pupil in Students`);
      owner.senNeeds.push(need);
    }
  }
  const finished = pupils.map(finishPupil);
  assertUniqueIds(
    'Students.json',
    finished.map((p) => p.misId),
    'Id',
  );
  assertUniqueUpns('Students.json', finished, 'UPN');

  const contacts = new Map<string, Contact>();
  for (const { ctx, rec } of rows(contactsBody, ['StudentContacts', 'StudentContact'])) {
    const { contact, link } = readXporterContactRow(ctx, rec);
    const existing = contacts.get(contact.misId);
    contact.pupils = existing
      ? existing.pupils.filter((l) => l.pupilMisId !== link.pupilMisId)
      : [];
    contact.pupils.push(link);
    contacts.set(contact.misId, contact);
  }

  const staff: StaffMember[] = [];
  for (const { ctx, rec } of rows(staffBody, ['Staff'])) {
    const s = readXporterStaff(ctx, rec);
    staff.push(s.staff);
    for (const g of s.groupIds)
      addMember({ groupMisId: g, memberKind: 'staff', memberMisId: s.staff.misId });
  }
  assertUniqueIds(
    'Staff.json',
    staff.map((s) => s.misId),
    'Id',
  );

  const groups: Group[] = [];
  for (const { ctx, rec } of rows(groupsBody, ['Groups', 'Group'])) {
    const misId = reqText(ctx, 'Id', rec['Id'], LIMITS.id);
    ctx.id = misId;
    const sourceType = optText(ctx, 'Type', rec['Type'], LIMITS.code);
    groups.push({
      misId,
      name: reqText(ctx, 'Name', rec['Name'], LIMITS.name),
      kind: xporterGroupKind(sourceType),
      sourceType,
    });
  }
  assertUniqueIds(
    'Groups.json',
    groups.map((g) => g.misId),
    'Id',
  );

  const attendanceCodes: AttendanceCode[] = [];
  for (const { ctx, rec } of rows(codesBody, ['AttendanceCodes', 'AttendanceCode'])) {
    const code = reqText(ctx, 'Mark', rec['Mark'], LIMITS.code);
    ctx.id = code;
    const meaning = optText(
      ctx,
      'ShortMeaningDescription',
      rec['ShortMeaningDescription'],
      LIMITS.text,
    );
    attendanceCodes.push({
      code,
      description: optText(ctx, 'Description', rec['Description'], LIMITS.text),
      meaning,
      physicalMeaning: optText(ctx, 'PhysicalMeaning', rec['PhysicalMeaning'], LIMITS.text),
      category: categoriseCode(code, meaning),
    });
  }

  const deletions = [
    ...deleted(students, 'Students_deleted', 'pupil'),
    ...deleted(contactsBody, 'StudentContacts_deleted', 'contact'),
    ...deleted(staffBody, 'Staff_deleted', 'staff'),
    ...deleted(groupsBody, 'Groups_deleted', 'group'),
  ];
  const cs = changeset([students, contactsBody, staffBody, groupsBody]);
  const kind = decideKind(cs.file, cs.evidence, options.kind);
  return {
    format: 'xporter',
    kind,
    pupils: finished,
    contacts: [...contacts.values()],
    staff,
    groups,
    memberships: [...memberships.values()],
    attendanceCodes,
    deletions,
    restorations: [],
    nextCursor: cs.next,
    attendanceMarks: () => xporterMarks(folder),
  };
}

const MARK_KEYS = new Set<unknown>(['AttendanceForDateRange', 'Attendance']);

/** `AttendanceForDateRange[n]` of one body, or `[page].AttendanceForDateRange[n]` of an array of them. */
function isMarkRow(path: PathSegment[]): boolean {
  if (path.length === 2) return MARK_KEYS.has(path[0]) && typeof path[1] === 'number';
  return (
    path.length === 3 &&
    typeof path[0] === 'number' &&
    MARK_KEYS.has(path[1]) &&
    typeof path[2] === 'number'
  );
}

export async function* xporterMarks(folder: FeedFolder): AsyncGenerator<AttendanceMark> {
  const file = 'AttendanceForDateRange.json';
  let index = 0;
  for await (const rec of streamJsonValues(folder, file, isMarkRow)) {
    const ctx: RecordCtx = { file, index, id: null };
    index += 1;
    if (!isObject(rec)) fail(ctx, null, 'is not an object');
    ctx.id = optText(ctx, 'Id', rec['Id'], LIMITS.id);
    const pupilMisId = reqText(ctx, 'StudentId', rec['StudentId'], LIMITS.id);
    const date = optDate(ctx, 'Date', rec['Date']);
    if (date === null) fail(ctx, 'Date', 'is missing');
    const session = reqText(ctx, 'Session', rec['Session'], LIMITS.code).toUpperCase();
    if (session !== 'AM' && session !== 'PM')
      fail(ctx, 'Session', `${quote(rec['Session'])} is not AM or PM`);
    yield { pupilMisId, date, session, code: reqText(ctx, 'Mark', rec['Mark'], LIMITS.code) };
  }
}
