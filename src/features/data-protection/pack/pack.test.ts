// The data-protection pack (issue 17) is built from the live configuration on each request: a
// setting changed, a group's grant changed, and the next pack says so; the operator's declared
// region and sub-processors come from the one config object; the audit chain is verified; the PDF
// carries the headings; each generation is audited; only the register's holders may have it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText } from 'unpdf';
import {
  call,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type TestApp,
} from '../../../test/harness.ts';
import { unsafeAsOwner } from '../../../platform/db/tenancy.ts';
import { auditRows } from '../../identity/identity-test-kit.ts';
import { pdfStructure } from '../../../test/pdf-structure.ts';
import type { DataProtectionPack } from '../../../shared/schemas/dp-rights.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({
    config: {
      logLevel: 'error',
      dataProtection: {
        region: 'UK South (London)',
        subProcessors: [{ name: 'Acme Hosting Ltd', purpose: 'hosting', location: 'UK' }],
      },
    },
  });
});
afterAll(async () => t.close());

const owner = (sql: string, params: unknown[]) =>
  unsafeAsOwner(t.services.db, (tx) => tx.query(sql, params));

describe('the data-protection pack', () => {
  it('is generated from the live configuration, as JSON and PDF, dated and audited', async () => {
    const schoolId = await makeSchool(t.services);
    const dpo = await signIn(t.app, await makeUser(t.services, schoolId, 'dpo'), {
      elevated: true,
    });
    const get = async () => {
      const res = await call(t.app, dpo, 'GET', '/api/data-protection/pack');
      expect(res.statusCode, res.body).toBe(200);
      const pack = res.json<DataProtectionPack>();
      const value = (sectionId: string, label: string) =>
        pack.sections.find((s) => s.id === sectionId)?.rows.find((r) => r.label.startsWith(label))
          ?.value;
      return { pack, value };
    };
    const first = await get();
    expect(first.pack.generatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(first.pack.sections.map((s) => s.id)).toEqual([
      'about',
      'data',
      'access',
      'second_factor',
      'retention',
      'hosting',
      'sub_processors',
      'backups',
      'audit',
    ]);
    expect(first.value('hosting', 'Region')).toBe('UK South (London)');
    expect(first.value('hosting', 'Database engine')).toMatch(
      t.services.db.engine === 'postgres' ? /PostgreSQL/ : /embedded/,
    );
    expect(first.value('sub_processors', 'Acme Hosting Ltd')).toBe('hosting; UK');
    expect(first.value('audit', 'Result')).toMatch(/^intact/);
    expect(first.value('second_factor', 'Records window')).toBe('15');
    // Where keys and backups are kept, never the operator's file paths.
    const { audit, masterKeyFile } = t.services.config;
    for (const path of [audit.anchorKeyFile, masterKeyFile].filter(Boolean))
      expect(JSON.stringify(first.pack)).not.toContain(path);
    expect(first.value('hosting', 'Audit anchor key')).toBe(
      'in a file on the server, outside the database',
    );
    const bullying = first.value('access', 'Bullying');
    expect(bullying).toMatch(/seen by: .*Headteacher/);
    expect(bullying).toMatch(/seen by: .*SEN team/);

    // The school changes a setting and a grant: the next pack says so, no setting cached.
    await owner(
      `UPDATE schools SET settings = coalesce(settings, '{}'::jsonb) || '{"elevationMinutes": 30}'::jsonb
        WHERE id = $1`,
      [schoolId],
    );
    await owner(
      `INSERT INTO group_category_access (school_id, group_id, category_id, access)
       SELECT g.school_id, g.id, k.id, 'none' FROM staff_groups g JOIN categories k
         ON k.school_id = g.school_id AND k.name = 'Bullying'
        WHERE g.school_id = $1 AND g.key = 'sen'
       ON CONFLICT (group_id, category_id) DO UPDATE SET access = 'none'`,
      [schoolId],
    );
    const second = await get();
    expect(second.value('second_factor', 'Records window')).toBe('30');
    expect(second.value('access', 'Bullying')).not.toMatch(/SEN team/);
    // Viewing again reuses the chain's recent check rather than recomputing it each time.
    expect(second.value('audit', 'Checked at')).toBe(first.value('audit', 'Checked at'));

    const pdf = await call(t.app, dpo, 'GET', '/api/data-protection/pack.pdf');
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const { text } = await extractText(new Uint8Array(pdf.rawPayload), { mergePages: true });
    for (const heading of [
      'Data-protection pack',
      'Categories and who may see each',
      'Second-factor policy',
      'Retention schedule',
      'Where the data and keys live',
      'Sub-processors (declared by the operator)',
      'Audit trail integrity',
    ])
      expect(text).toContain(heading);
    expect(text).toContain('Acme Hosting Ltd');
    // Tagged: read back by a PDF parser, each section's rows are a table of labelled rows.
    const tagged = await pdfStructure(pdf.rawPayload);
    expect(tagged).toMatchObject({ marked: true, lang: 'en-GB', title: 'Data-protection pack' });
    expect(tagged.texts('H2').map((h) => h.text)).toEqual(
      first.pack.sections.map((x) => x.heading),
    );
    expect(tagged.texts('TH').map((h) => h.text)).toContain('Acme Hosting Ltd');
    expect(tagged.texts('TD').map((d) => d.text)).toContain('hosting; UK');

    const generated = (await auditRows(t, schoolId)).filter(
      (r) => r.action === 'dp.pack_generated',
    );
    expect(generated.map((r) => r.details)).toEqual([
      { format: 'view', auditIntact: true },
      { format: 'view', auditIntact: true },
      { format: 'pdf', auditIntact: true },
    ]);

    for (const role of ['dsl', 'teacher'] as const) {
      const s = await signIn(t.app, await makeUser(t.services, schoolId, role), { elevated: true });
      expect((await call(t.app, s, 'GET', '/api/data-protection/pack')).statusCode).toBe(403);
      expect((await call(t.app, s, 'GET', '/api/data-protection/pack.pdf')).statusCode).toBe(403);
    }
  });
});
