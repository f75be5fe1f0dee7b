// The establishment directory (issue 18): the DfE's GIAS establishment CSV loaded by the operator,
// streamed and header-checked, all or nothing; the DSL finds a destination by name or URN; the
// domain of its DSL addresses is only one this school's DSL confirmed (audited), never the
// website's host, and never another school's confirmation.
import { randomInt } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, makeSchool, makeUser, signIn, testApp, type TestApp } from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { auditRows, errorOf } from '../identity/identity-test-kit.ts';
import type { DirectoryResults, Establishment } from '../../shared/schemas/transfers.ts';
import { DirectoryFileError, loadDirectory, setSchoolUrn, websiteHost } from './directory-load.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

const HEADER =
  'URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,TypeOfEstablishment (name),EstablishmentStatus (name),Postcode,SchoolWebsite';
const csv = (rows: string[]) => Readable.from([`\uFEFF${HEADER}\n`, ...rows.map((r) => `${r}\n`)]);
const tag = () => `Zq${randomInt(1e8, 1e9)}`;

describe('the establishment directory', () => {
  it('loads a GIAS file and finds schools by name or URN', async () => {
    const name = tag();
    const urn = randomInt(100_000_000, 999_999_999);
    const r = await loadDirectory(
      t.services,
      csv([
        `${urn},937,Warwickshire,2001,"${name} Primary School, The",Community school,Open,CV1 1AA,www.${name.toLowerCase()}.warwickshire.sch.uk`,
        `${urn + 1},937,Warwickshire,2002,${name} Academy,Academy converter,Closed,CV1 1AB,`,
      ]),
    );
    expect(r).toEqual({ loaded: 2 });
    const schoolId = await makeSchool(t.services);
    const dsl = await signIn(t.app, await makeUser(t.services, schoolId, 'dsl'), {
      elevated: true,
    });
    const found = await call(t.app, dsl, 'POST', '/api/transfers/directory/search', {
      query: name.toLowerCase(),
    });
    expect(found.statusCode, found.body).toBe(200);
    const items = found.json<DirectoryResults>().items;
    expect(items.map((i) => i.urn)).toEqual([urn + 1, urn]);
    expect(items[1]).toMatchObject({
      name: `${name} Primary School, The`,
      localAuthority: 'Warwickshire',
      status: 'Open',
      // The website's host is a hint, never taken for the email domain (the DSL confirms that).
      domain: null,
      website: `${name.toLowerCase()}.warwickshire.sch.uk`,
      domainConfirmed: false,
      onThisLantern: false,
    });
    const byUrn = await call(t.app, dsl, 'POST', '/api/transfers/directory/search', {
      query: String(urn),
    });
    expect(byUrn.json<DirectoryResults>().items).toHaveLength(1);

    const confirmed = await call(t.app, dsl, 'POST', `/api/transfers/directory/${urn}/domain`, {
      domain: 'www.Trust.org.uk',
    });
    expect(confirmed.json<Establishment>()).toMatchObject({
      domain: 'trust.org.uk',
      domainConfirmed: true,
    });
    const bad = await call(t.app, dsl, 'POST', `/api/transfers/directory/${urn}/domain`, {
      domain: 'not a domain',
    });
    expect(bad.statusCode).toBe(400);
    expect((await auditRows(t, schoolId)).map((a) => a.action)).toContain(
      'transfer.domain_confirmed',
    );
    // Another school's DSL sees no domain confirmed: a confirmation is the school's own.
    const other = await makeSchool(t.services);
    const otherDsl = await signIn(t.app, await makeUser(t.services, other, 'dsl'), {
      elevated: true,
    });
    const elsewhere = await call(t.app, otherDsl, 'POST', '/api/transfers/directory/search', {
      query: String(urn),
    });
    expect(elsewhere.json<DirectoryResults>().items).toMatchObject([
      { urn, domain: null, domainConfirmed: false },
    ]);
    const teacher = await signIn(t.app, await makeUser(t.services, schoolId, 'teacher'), {
      elevated: true,
    });
    const refused = await call(t.app, teacher, 'POST', '/api/transfers/directory/search', {
      query: name,
    });
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused).code).toBe('forbidden');
  });

  it('refuses a file without the GIAS columns, or with a bad row, loading nothing', async () => {
    await expect(loadDirectory(t.services, Readable.from(['URN,Name\n1,A\n']))).rejects.toThrow(
      /"EstablishmentName", "LA \(name\)"/,
    );
    const name = tag();
    const urn = randomInt(100_000_000, 999_999_999);
    const bad = loadDirectory(
      t.services,
      csv([
        `${urn},937,Warwickshire,1,${name},x,Open,CV1,`,
        `12ab,937,Warwickshire,1,${name} Two,x,Open,CV1,`,
      ]),
    );
    await expect(bad).rejects.toThrow(DirectoryFileError);
    await expect(bad).rejects.toThrow(/Row 2 \(after the header\): the URN "12ab" is not a number/);
    const rows = await unsafeAsOwner(t.services.db, (q) =>
      q.query('SELECT 1 FROM establishments WHERE urn = $1', [urn]),
    );
    expect(rows).toEqual([]);
    await expect(loadDirectory(t.services, csv([]))).rejects.toThrow(/no establishments/);
  });

  it("records a school's URN only when the directory lists it and no other school has it", async () => {
    const name = tag();
    const urn = randomInt(100_000_000, 999_999_999);
    await loadDirectory(
      t.services,
      csv([`${urn},937,Warwickshire,2001,${name} Primary School,Community school,Open,CV1 1AA,`]),
    );
    const schoolId = await makeSchool(t.services);
    const urnOf = async (id: string) =>
      (
        await unsafeAsOwner(t.services.db, (q) =>
          q.query<{ urn: number | null }>('SELECT urn FROM schools WHERE id = $1', [id]),
        )
      )[0]!.urn;
    const refused = async (id: string, value: string, message: RegExp) => {
      const err = await setSchoolUrn(t.services, id, value).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DirectoryFileError);
      expect((err as Error).message).toMatch(message);
    };
    await refused(schoolId, 'ABC', /A URN is a number/);
    await refused(schoolId, String(urn + 7), /is not in the directory: load the current GIAS file/);
    await refused('not-a-school', String(urn), /No school has that id/);
    await refused('00000000-0000-4000-8000-000000000001', String(urn), /No school has that id/);
    expect(await urnOf(schoolId)).toBeNull();
    const set = await setSchoolUrn(t.services, schoolId, String(urn));
    expect(set).toMatchObject({ directory: `${name} Primary School`, urn });
    expect(set.school.length).toBeGreaterThan(0);
    expect(await urnOf(schoolId)).toBe(urn);
    expect((await auditRows(t, schoolId)).filter((r) => r.action === 'school.urn_set')).toEqual([
      expect.objectContaining({ details: { urn: String(urn) } }),
    ]);
    // Another school cannot take the same URN.
    const other = await makeSchool(t.services);
    await refused(other, String(urn), /is already the URN of/);
    expect(await urnOf(other)).toBeNull();
  });

  it("takes the website's host as the domain", () => {
    expect(websiteHost('http://www.school.sch.uk/')).toBe('school.sch.uk');
    expect(websiteHost('WWW.School.sch.uk')).toBe('school.sch.uk');
    expect(websiteHost('n/a')).toBeNull();
    expect(websiteHost(null)).toBeNull();
  });
});
