// The readers on feeds shaped as the integrators publish them (fixtures/published, built from
// Wonde's API documentation, Groupcall's Xporter on Demand examples and SIMS report exports as
// schools save them; docs/MIS.md names the sources), not from Lantern's own generator.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMisFolder } from './index.ts';

const published = (name: string) => join(import.meta.dirname, '..', 'fixtures', 'published', name);

async function simsFolder(bytes: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lantern-sims-'));
  await writeFile(join(dir, 'pupils.csv'), bytes);
  return dir;
}
const simsText = async () => readFile(join(published('sims'), 'pupils.txt'), 'utf8');

describe('Wonde as documented', () => {
  it('reads paged bodies, date objects and plain dates, relationship with or without data', async () => {
    const snap = await readMisFolder('wonde', published('wonde-full'));
    expect(snap.kind).toBe('full');
    expect(snap.pupils.map((p) => p.misId)).toEqual(['A1000', 'A1001', 'A1002', 'A1003', 'A1004']);
    const zoe = snap.pupils[0]!;
    expect(zoe.forename).toBe('Zoë');
    expect(zoe.surname).toBe("O'Brien");
    expect(zoe.dateOfBirth).toBe('2012-01-10');
    expect(zoe.flags).toContainEqual({
      kind: 'child_protection_plan',
      startDate: '2024-11-04',
      endDate: null,
    });
    expect(zoe.flags.map((f) => f.kind)).toContain('fsm');
    // in_care_date_ranges: every range with its dates (plain dates and date objects alike).
    const tom = snap.pupils[1]!;
    expect(tom.flags.filter((f) => f.kind === 'looked_after')).toEqual([
      { kind: 'looked_after', startDate: '2023-02-01', endDate: null },
      { kind: 'looked_after', startDate: '2019-05-01', endDate: '2020-01-31' },
    ]);
    const ava = snap.contacts.filter((c) => c.pupils.some((l) => l.pupilMisId === 'A1002'));
    expect(ava.map((c) => [c.pupils[0]!.relationship, c.pupils[0]!.livesWithPupil])).toEqual([
      ['Mother', true],
      ['Father', false],
    ]);
    expect(snap.staff.map((s) => s.email)).toEqual([
      'jo.hart@example.invalid',
      'r.patel@example.invalid',
    ]);
  });

  it('a delta says so in its pagination links; restored_at restores, leavers carry their date', async () => {
    const snap = await readMisFolder('wonde', published('wonde-delta'));
    expect(snap.kind).toBe('delta');
    expect(snap.restorations).toEqual([{ entity: 'pupil', misId: 'A1002' }]);
    expect(snap.deletions).toEqual([
      { entity: 'pupil', misId: 'A1004', reason: 'left', date: '2025-01-17' },
      { entity: 'pupil', misId: 'A1001', reason: 'deleted', date: '2025-01-19' },
    ]);
    await expect(
      readMisFolder('wonde', published('wonde-delta'), { kind: 'full' }),
    ).rejects.toThrow(
      /students\.json: is a changeset .*updated_after.* cannot be imported as a full/,
    );
  });
});

describe('Xporter on Demand as documented', () => {
  it('a full extract: 0/1 flags, InLeaCare with its date, NumAEAMarks, SEN rows by StudentId', async () => {
    const snap = await readMisFolder('xporter', published('xporter-full'));
    expect(snap.kind).toBe('full');
    expect(snap.nextCursor).toBe('cr-0001');
    const ben = snap.pupils.find((p) => p.misId === 'S1')!;
    expect(ben.flags).toContainEqual({
      kind: 'looked_after',
      startDate: '2023-04-01',
      endDate: null,
    });
    expect(ben.attendance?.approvedEducationalActivity).toBe(4);
    const cara = snap.pupils.find((p) => p.misId === 'S2')!;
    expect(cara.senNeeds.map((n) => n.code)).toEqual(['SPLD']);
    expect(cara.flags.map((f) => f.kind)).toContain('sen_support');
    expect(snap.pupils.find((p) => p.misId === 'S0')!.flags).toEqual([]);
  });

  it('a paged changeset is a delta, and refused as a full import', async () => {
    const snap = await readMisFolder('xporter', published('xporter-changeset'));
    expect(snap.kind).toBe('delta');
    expect(snap.pupils.map((p) => p.misId)).toEqual(['S0', 'S3']);
    expect(snap.deletions).toEqual([
      { entity: 'pupil', misId: 'S5', reason: 'deleted', date: null },
    ]);
    expect(snap.nextCursor).toBe('cr-0002');
    expect(snap.pupils[1]!.attendance?.approvedEducationalActivity).toBe(7);
    expect(snap.pupils[1]!.flags.map((f) => f.kind)).toEqual(['looked_after']);
    await expect(
      readMisFolder('xporter', published('xporter-changeset'), { kind: 'full' }),
    ).rejects.toThrow(
      'Students.json: is a changeset (it carries __changedRows__), which holds only what changed',
    );
  });
});

describe('SIMS reports as schools save them', () => {
  const expectRead = async (bytes: Buffer) => {
    const snap = await readMisFolder('csv', await simsFolder(bytes), {
      csv: { today: '2025-01-20' },
    });
    expect(snap.pupils.map((p) => [p.misId, p.forename, p.legalForename, p.yearGroup])).toEqual([
      ['2041', 'Shiv', 'Siobhán', '7'],
      ['2042', 'Luke', 'Lukasz', '8'],
      ['2044', 'Tolu', 'Tolu', '7'],
    ]);
    expect(snap.groups.map((g) => g.name)).toContain('Year 7');
    expect(snap.groups.map((g) => g.name)).not.toContain('Year Year 7');
    // A Leaving Date already passed: a leaver, with that date.
    expect(snap.deletions).toEqual([
      { entity: 'pupil', misId: '2043', reason: 'left', date: '2024-07-18' },
    ]);
    expect(snap.pupils[1]!.flags.map((f) => f.kind)).toEqual(['looked_after']);
  };
  const text = async () => (await simsText()).replace('Łukasz', 'Lukasz').replace(/\n/g, '\r\n');

  it('UTF-8 with and without a byte-order mark', async () => {
    await expectRead(Buffer.from(await text(), 'utf8'));
    await expectRead(Buffer.from(`\uFEFF${await text()}`, 'utf8'));
  });

  it('Excel "Unicode Text": UTF-16 LE with its mark, tab-separated', async () => {
    const tabbed = (await text()).replace(/,/g, '\t');
    await expectRead(Buffer.from(`\uFEFF${tabbed}`, 'utf16le'));
  });

  it('Windows-1252 saved with a .csv name', async () => {
    // Siobhán's á is the one byte 0xE1 in Windows-1252 (as in Latin-1), not valid UTF-8.
    const cp1252 = Buffer.from([...(await text())].map((c) => c.charCodeAt(0)));
    expect(cp1252.includes(0xe1)).toBe(true);
    await expectRead(cp1252);
  });

  it('headings that match no known name are listed with the names expected', async () => {
    const dir = await simsFolder(
      Buffer.from('Pupil Ref,Given,Family,Born\r\n1,A,B,01/02/2013\r\n'),
    );
    const err = (await readMisFolder('csv', dir).then(
      () => new Error('read'),
      (e: unknown) => e,
    )) as Error;
    expect(err.message).toMatch(
      /^pupils\.csv: is missing the required column "mis id", "forename"/,
    );
    expect(err.message).toContain('headings found: "Pupil Ref", "Given", "Family", "Born"');
    expect(err.message).toContain('"mis id" (person id, mis id');
    // The school's own headings, as the administrator maps them, then read.
    const snap = await readMisFolder('csv', dir, {
      csv: {
        synonyms: {
          pupils: { 'pupil ref': 'mis id', given: 'forename', family: 'surname', born: 'dob' },
        },
      },
    });
    expect(snap.pupils.map((p) => [p.misId, p.forename, p.dateOfBirth])).toEqual([
      ['1', 'A', '2013-02-01'],
    ]);
  });
});
