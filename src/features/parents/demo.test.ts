// The parents' demo data (issue 21): Pat Parent signs in with the written credentials and an
// authenticator code and sees their child; staff see accepted, invited (reminded once), not
// invited, and a restricted contact who can never be invited.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, makeSchool, makeUser, signIn, testApp, type TestApp } from '../../test/harness.ts';
import { totpCodeAt } from '../identity/totp.ts';
import type { InvitationList } from '../../shared/schemas/parents.ts';
import { seedParents, type DemoParentCredential } from './demo.ts';
import { parentCall, parentSessionOf } from './parent-test-kit.ts';

let t: TestApp;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'lantern-parents-demo-'));
  t = await testApp({ config: { logLevel: 'error', dataDir } });
});
afterAll(async () => t.close());

describe('parents demo data', () => {
  it('has an accepted parent who can sign in, and invitations in each state', async () => {
    const schoolId = await makeSchool(t.services);
    const admin = await makeUser(t.services, schoolId, 'school_admin');
    const domain = `demo-${schoolId.slice(0, 8)}.lantern.invalid`;
    await seedParents(t.services, schoolId, { schoolName: 'Demo', domain, invitedBy: admin.id });
    const [cred] = JSON.parse(
      readFileSync(path.join(dataDir, 'demo-parent-credentials.json'), 'utf8'),
    ) as DemoParentCredential[];
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/parent/auth/sign-in',
      payload: { email: cred!.email, password: cred!.password },
    });
    expect(first.statusCode, first.body).toBe(200);
    const coded = await parentCall(t, parentSessionOf(first), 'POST', '/api/parent/auth/code', {
      code: totpCodeAt(cred!.totpSecret, t.services.clock.now()),
    });
    expect(coded.statusCode, coded.body).toBe(200);
    const kids = await parentCall(t, parentSessionOf(coded), 'GET', '/api/parent/children');
    expect(kids.json<{ children: { firstName: string }[] }>().children).toMatchObject([
      { firstName: 'Ava' },
    ]);

    const staff = await signIn(t.app, admin, { elevated: true });
    const statuses = async (year: string) =>
      (await call(t.app, staff, 'GET', `/api/parents/invitations?yearGroup=${year}`))
        .json<InvitationList>()
        .rows.map((r) => [r.contactName, r.status, r.restricted]);
    expect(await statuses('Nursery')).toEqual([
      ['Sam Carer', 'invited', false],
      ['Pat Parent', 'accepted', false],
    ]);
    expect(await statuses('Reception')).toEqual([
      ['Lee Guardian', 'not_invited', false],
      ['Rory Guardian', 'not_invited', true],
    ]);
  });
});
