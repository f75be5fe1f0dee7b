import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { MisFormatError } from '../snapshot.ts';
import type { AttendanceMark } from '../snapshot.ts';
import { readSimsCsv, readWonde, readXporter } from './index.ts';

async function folder(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lantern-bad-'));
  for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), body);
  return dir;
}

const page = (data: unknown[]): string =>
  JSON.stringify({ data, meta: { pagination: { next: null, more: false } } });
const wondeDate = (d: string): unknown => ({
  date: `${d} 00:00:00.000000`,
  timezone_type: 3,
  timezone: 'Europe/London',
});
const student = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  mis_id: id,
  forename: 'Amelia',
  surname: 'Smith',
  date_of_birth: wondeDate('2013-05-01'),
  ...extra,
});
const CSV_HEAD = 'MIS ID,UPN,Forename,Surname,DOB,Reg Group\r\n';

async function drain(it: AsyncIterable<AttendanceMark>): Promise<number> {
  let n = 0;
  for await (const _ of it) n += 1;
  return n;
}

describe('bad input is rejected with the file, record and field named', () => {
  it('a pupil with no id', async () => {
    const dir = await folder({
      'students.json': page([student('A1'), { forename: 'No', surname: 'Id' }]),
    });
    await expect(readWonde(dir)).rejects.toThrow('students.json record 1: id is missing');
  });

  it('an impossible date, in each format', async () => {
    const w = await folder({
      'students.json': page([student('A123', { date_of_birth: wondeDate('2015-02-31') })]),
    });
    await expect(readWonde(w)).rejects.toThrow(
      'students.json record 0 (id A123): date_of_birth "2015-02-31 00:00:00.000000" is not a real date',
    );
    const x = await folder({
      'Students.json': JSON.stringify({
        Students: [{ Id: '7', Forename: 'A', Surname: 'B', DOB: '2015-02-31T00:00:00' }],
      }),
    });
    await expect(readXporter(x)).rejects.toThrow(
      'Students.json record 0 (id 7): DOB "2015-02-31T00:00:00" is not a real date',
    );
    const c = await folder({ 'pupils.csv': `${CSV_HEAD}1001,,Ann,Lee,31/02/2015,7A\r\n` });
    await expect(readSimsCsv(c)).rejects.toThrow(
      'pupils.csv record 0 (id 1001): DOB "31/02/2015" is not a real date',
    );
  });

  it('two pupils with one UPN', async () => {
    const upn = 'A801000000001';
    const w = await folder({
      'students.json': page([student('A1', { upn }), student('A2', { upn })]),
    });
    await expect(readWonde(w)).rejects.toThrow(
      `students.json record 1 (id A2): upn "${upn}" is also the UPN of record 0 (id A1)`,
    );
    const c = await folder({
      'pupils.csv': `${CSV_HEAD}1,${upn},A,B,01/02/2013,\r\n2,${upn},C,D,03/04/2013,\r\n`,
    });
    await expect(readSimsCsv(c)).rejects.toThrow('pupils.csv record 1 (id 2): UPN');
  });

  it('truncated JSON, in records and in streamed marks', async () => {
    const body = page([student('A1'), student('A2')]);
    const w = await folder({ 'students.json': body.slice(0, body.length - 30) });
    await expect(readWonde(w)).rejects.toThrow(
      /^students\.json: is not complete, valid JSON \(truncated\?\)/,
    );
    const marks = JSON.stringify({
      AttendanceForDateRange: [
        { Id: 1, Date: '2024-09-04', Session: 'AM', StudentId: '7', Mark: '/' },
      ],
    });
    const x = await folder({ 'AttendanceForDateRange.json': marks.slice(0, -5) });
    const snap = await readXporter(x);
    await expect(drain(snap.attendanceMarks())).rejects.toThrow(
      'AttendanceForDateRange.json: is not complete, valid JSON',
    );
    const xs = await folder({ 'Students.json': '{"Students":[{"Id":"1"' });
    await expect(readXporter(xs)).rejects.toThrow('Students.json: is not complete, valid JSON');
  });

  it('a bad attendance mark names the record', async () => {
    const att = page([
      {
        id: 'M9',
        student: 'A1',
        session: 'XM',
        date: wondeDate('2024-09-04'),
        attendance_code: { data: { code: '/' } },
      },
    ]);
    const snap = await readWonde(await folder({ 'attendance.json': att }));
    await expect(drain(snap.attendanceMarks())).rejects.toThrow(
      'attendance.json record 0 (id M9): session "XM" is not AM or PM',
    );
  });

  it('a CSV missing a required column', async () => {
    const dir = await folder({ 'pupils.csv': 'MIS ID,Forename,Surname\r\n1,A,B\r\n' });
    await expect(readSimsCsv(dir)).rejects.toThrow(
      'pupils.csv: is missing the required column "dob"',
    );
  });

  it('a wrong encoding', async () => {
    const json = Buffer.concat([
      Buffer.from('{"data":[{"id":"A1","forename":"Zo'),
      Buffer.from([0xeb]),
      Buffer.from('","surname":"X"}]}'),
    ]);
    await expect(readWonde(await folder({ 'students.json': json }))).rejects.toThrow(
      'students.json: is not valid UTF-8 text (wrong encoding?)',
    );
    // UTF-16 without its byte-order mark cannot be told apart reliably: refused, named.
    const utf16 = Buffer.from(`${CSV_HEAD}1,,A,B,01/02/2013,\r\n`, 'utf16le');
    await expect(readSimsCsv(await folder({ 'pupils.csv': utf16 }))).rejects.toThrow(
      'pupils.csv: contains NUL bytes: it looks like UTF-16 without a byte-order mark',
    );
    const notCp1252 = Buffer.concat([
      Buffer.from(`${CSV_HEAD}1,,A`),
      Buffer.from([0x81]),
      Buffer.from(',B,01/02/2013,\r\n'),
    ]);
    await expect(readSimsCsv(await folder({ 'pupils.csv': notCp1252 }))).rejects.toThrow(
      'is neither UTF-8 nor Windows-1252',
    );
  });

  it('a field thousands of characters long', async () => {
    const dir = await folder({
      'students.json': page([student('A1', { forename: 'x'.repeat(5000) })]),
    });
    const err: unknown = await readWonde(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MisFormatError);
    expect(err).toMatchObject({
      file: 'students.json',
      record: 0,
      recordId: 'A1',
      field: 'forename',
    });
    expect((err as Error).message).toBe(
      'students.json record 0 (id A1): forename is 5000 characters long; the limit is 200',
    );
  });
});

const ODD_NAMES = [
  "O'Brien",
  'Zoë',
  'Łukasz',
  '<script>alert(1)</script>',
  "Robert'); DROP TABLE pupils;--",
  'Chloé "Coco" & Co',
];

describe('names are kept exactly as given', () => {
  it('in Wonde, Xporter and CSV', async () => {
    const w = await folder({
      'students.json': JSON.stringify([
        JSON.parse(page(ODD_NAMES.map((n, i) => student(`A${i}`, { surname: n })))),
      ]),
    });
    expect((await readWonde(w)).pupils.map((p) => p.surname)).toEqual(ODD_NAMES);
    const x = await folder({
      'Students.json': JSON.stringify({
        Students: ODD_NAMES.map((n, i) => ({ Id: String(i), Forename: n, Surname: 'S' })),
      }),
    });
    expect((await readXporter(x)).pupils.map((p) => p.forename)).toEqual(ODD_NAMES);
    const rows = ODD_NAMES.map((n, i) => `${i},,"${n.replace(/"/g, '""')}",S,01/02/2013,7A`).join(
      '\r\n',
    );
    const c = await folder({ 'pupils.csv': `\uFEFF${CSV_HEAD}${rows}\r\n` });
    expect((await readSimsCsv(c)).pupils.map((p) => p.forename)).toEqual(ODD_NAMES);
  });

  it('reads Windows-1252 CSV (the SIMS and Excel default) when the bytes are not UTF-8', async () => {
    const text = `${CSV_HEAD}1,,Zoë,O’Brien,01/02/2013,7A\r\n2,,Chloé,Müller,03/04/2013,7A\r\n`;
    const snap = await readSimsCsv(await folder({ 'pupils.csv': iconv.encode(text, 'win1252') }));
    expect(snap.pupils.map((p) => `${p.forename} ${p.surname}`)).toEqual([
      'Zoë O’Brien',
      'Chloé Müller',
    ]);
    expect(snap.pupils[0]?.dateOfBirth).toBe('2013-02-01');
    expect(snap.groups).toEqual([
      { misId: 'REG:7A', name: '7A', kind: 'registration', sourceType: null },
    ]);
  });
});
