// The demo trust's lead (issue 20): the credentials written to demo-trust-credentials.json sign in
// (password, then a code from the written key), both demo schools' figures are shared, and the
// first school's DSL has granted the lead a week's access to one pupil's record.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, makePupil, makeUser, signIn, testApp, type TestApp } from '../../test/harness.ts';
import { totpCodeAt } from '../identity/totp.ts';
import type { HeldGrants, TrustOverview } from '../../shared/schemas/trust.ts';
import { seedTrustLead, type DemoTrustCredential } from './demo.ts';
import { logConcerns, makeTrust, trustSessionOf } from './trust-test-kit.ts';

let t: TestApp;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'lantern-trust-demo-'));
  t = await testApp({ config: { logLevel: 'error', dataDir } });
});
afterAll(async () => t.close());

describe('the demo trust lead', () => {
  it('signs in with the written credentials and sees both schools and a grant', async () => {
    const trust = await makeTrust(t, 2);
    const schools = [];
    for (const id of trust.schoolIds) {
      const dsl = await makeUser(t.services, id, 'dsl');
      const admin = await makeUser(t.services, id, 'school_admin');
      const pupil = await makePupil(t.services, id);
      await logConcerns(t, await signIn(t.app, dsl, { elevated: true }), id, pupil.id, 5);
      schools.push({ id, admin: admin.id, dsl: dsl.id });
    }
    await seedTrustLead(
      t.services,
      { id: trust.trustId, name: 'Demo trust' },
      schools,
      `trust.lead.${randomUUID().slice(0, 8)}@trust.demo.lantern.invalid`,
    );
    const file = path.join(dataDir, 'demo-trust-credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const [cred] = JSON.parse(readFileSync(file, 'utf8')) as DemoTrustCredential[];
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/trust/auth/sign-in',
      payload: { email: cred!.email, password: cred!.password },
    });
    expect(first.statusCode, first.body).toBe(200);
    const pending = trustSessionOf(first);
    const coded = await call(t.app, pending, 'POST', '/api/trust/auth/code', {
      code: totpCodeAt(cred!.totpSecret, t.services.clock.now()),
    });
    expect(coded.statusCode, coded.body).toBe(200);
    const s = trustSessionOf(coded, pending);
    const o = (await call(t.app, s, 'GET', '/api/trust/overview')).json<TrustOverview>();
    expect(o.schools).toHaveLength(2);
    const held = (await call(t.app, s, 'GET', '/api/trust/grants')).json<HeldGrants>();
    expect(held.items).toHaveLength(1);
    expect(held.items[0]!.state).toBe('active');
    const pupils = await call(t.app, s, 'GET', `/api/trust/grants/${held.items[0]!.id}/pupils`);
    expect(pupils.statusCode, pupils.body).toBe(200);
  });
});
