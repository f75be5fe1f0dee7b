// Issue 20 in the browser, on a phone: the school's DSL switches on sharing figures with the trust
// ("Share figures with the trust") and grants the trust's safeguarding lead a week's access to one
// pupil's record ("Grant the trust access"); the trust lead signs in at /trust (email, password,
// code), sees "Trust overview" with the figures and "as of" time, opens the grant and the pupil's
// record; the DSL revokes it and the trust lead is refused. axe on every state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { makePupil, makeUser, signIn } from '../src/test/harness.ts';
import {
  logConcerns,
  makeTrust,
  makeTrustMember,
  trustCode,
} from '../src/features/trust/trust-test-kit.ts';
import {
  expectNoAxeViolations,
  expectNoProblems,
  launchBrowser,
  openTab,
  PHONE,
  signInThroughPage,
  startServer,
  type Server,
} from './support.ts';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.t.close();
});

describe("a trust's view", () => {
  it('the school shares and grants; the trust lead sees the figures and the record; revoked, refused', async () => {
    const t = server.t;
    const trust = await makeTrust(t, 2);
    const schoolId = trust.schoolIds[0]!;
    const dsl = await makeUser(t.services, schoolId, 'dsl', 'Dana Lead');
    const pupil = await makePupil(t.services, schoolId, { firstName: 'Ava', lastName: 'Brook' });
    await logConcerns(t, await signIn(t.app, dsl, { elevated: true }), schoolId, pupil.id, 6);
    const lead = await makeTrustMember(t, trust.trustId);

    // The DSL: the school's policies page, "Share figures with the trust".
    const staffTab = await openTab(browser, server.baseUrl, PHONE);
    const staff = staffTab.page;
    await signInThroughPage(staff, server, dsl);
    await staff.goto('/admin/policies');
    await staff.getByRole('heading', { name: 'Share figures with the trust' }).waitFor();
    await expectNoAxeViolations(staff);
    await staff.getByLabel(/Share this school’s figures with/).check();
    await staff.getByRole('button', { name: 'Save sharing' }).click();
    await staff
      .getByRole('status')
      .filter({ hasText: 'can now see the school’s figures' })
      .waitFor();
    await expectNoAxeViolations(staff);

    // "Grant the trust access": a reason left out first, then the pupil, a reason, 7 days.
    await staff.getByRole('link', { name: 'Trust access to records' }).click();
    await staff.getByRole('heading', { name: 'Grant the trust access' }).waitFor();
    await expectNoAxeViolations(staff);
    await staff.getByLabel('Pupil’s name').fill('Ava');
    await staff.getByRole('button', { name: 'Find pupil' }).click();
    await staff.getByLabel('Pupil', { exact: true }).waitFor();
    await staff.getByRole('button', { name: 'Grant access' }).click();
    await staff.getByText('Give the reason the trust needs this access.').first().waitFor();
    await expectNoAxeViolations(staff);
    await staff.getByLabel('Reason').fill('Reviewing the case with the DSL.');
    await staff.getByRole('button', { name: 'Grant access' }).click();
    await staff.getByRole('status').filter({ hasText: 'Access given' }).waitFor();
    await staff.getByRole('heading', { name: /Ava Brook’s record/ }).waitFor();
    await expectNoAxeViolations(staff);

    // The trust lead at /trust: email, password, then the code.
    const trustTab = await openTab(browser, server.baseUrl, PHONE);
    const tp = trustTab.page;
    await tp.goto('/trust');
    await tp.getByLabel('Email address').fill(lead.email);
    await tp.getByLabel('Password', { exact: true }).fill(lead.password);
    await expectNoAxeViolations(tp);
    await tp.getByRole('button', { name: 'Sign in' }).click();
    await tp.getByLabel('Authentication code').waitFor({ timeout: 30_000 });
    await expectNoAxeViolations(tp);
    await tp.getByLabel('Authentication code').fill(await trustCode(t, lead));
    await tp.getByRole('button', { name: 'Verify' }).click();
    await tp.getByRole('heading', { level: 1, name: 'Trust overview' }).waitFor();
    await tp.getByText(/Figures for .* to the end of the month/).waitFor();
    await tp.getByRole('table').first().waitFor();
    await expectNoAxeViolations(tp);
    expect(await tp.getByRole('button', { name: /Compute the figures again/ }).count()).toBe(0);

    // The grant, and the pupil's record under it.
    await tp.getByRole('link', { name: /one pupil’s record/ }).click();
    await tp.getByRole('heading', { level: 1, name: 'Access given to you' }).waitFor();
    await tp.getByText('Reviewing the case with the DSL.').waitFor();
    await expectNoAxeViolations(tp);
    await tp.getByRole('link', { name: /Ava Brook/ }).click();
    await tp.getByRole('heading', { level: 1, name: 'Ava Brook' }).waitFor();
    await tp.getByText(/6 entries in the chronology/).waitFor();
    await expectNoAxeViolations(tp);

    // The DSL revokes; the trust lead's next read is refused and says why.
    await staff.getByRole('button', { name: /Revoke .*Ava Brook’s record/ }).click();
    await staff.getByRole('status').filter({ hasText: 'Access revoked.' }).waitFor();
    await expectNoAxeViolations(staff);
    await tp.reload();
    await tp.getByRole('alert').filter({ hasText: 'This access has ended' }).waitFor();
    await expectNoAxeViolations(tp);
    expectNoProblems(staffTab);
    await staffTab.context.close();
    await trustTab.context.close();
  });
});
