// Every sealed column, at rest: a unique marker is written into each column declared in
// SEALED_COLUMNS (and so into the vault: attachment names and contents) through the HTTP API,
// the same way a member would, and into the MIS's special-category and contact fields through an
// MIS push with the school's API key, the way an integrator would. Each marker then reads back through the API, yet none appears in
// the embedded database's files or in a pg_dump of the PostgreSQL database. The columns the test
// wrote are checked against SEALED_COLUMNS, so a column declared without coverage here fails, and
// every stored value in those columns is Lantern's envelope (format byte 0x01, key version 1).
import { execFile } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { App } from '../../core/feature.ts';
import { openDatabase } from '../db/engine.ts';
import { unsafeAsOwner } from '../db/tenancy.ts';
import { createServices, type Services } from '../services.ts';
import {
  appFor,
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  silentLog,
  testApp,
  testConfig,
  totpSecrets,
  type Session,
} from '../../test/harness.ts';
import { SEALED_COLUMNS, type SealedColumn } from './sealed-columns.ts';
import { fullBatch, generateSchool, writeBatch } from '../../features/mis/fixtures/generate.ts';
import type { Address } from '../../features/mis/snapshot.ts';
import { solveChallenge } from '../../features/data-protection/complaints/challenge.ts';
import { asSystem } from '../../core/context.ts';
import { todayInEngland } from '../../features/data-protection/requests/load.ts';
import { asParent, makeFamily } from '../../features/admissions/forms-test-kit.ts';
import { saveAnswers } from '../../features/admissions/answers.ts';
import { answerConsent } from '../../features/consents/answers.ts';
import { makeParent, parentCall, parentSessionOf } from '../../features/parents/parent-test-kit.ts';
import { totpCodeAt } from '../../features/identity/totp.ts';
import { createTrust } from '../../features/administration/create-school.ts';
import { makeTrustMember } from '../../features/trust/trust-test-kit.ts';
import { runStaffMatterSweep } from '../../jobs/staff-concerns.ts';

/** A Wonde full snapshot of a tiny school whose first linked pupil and contact carry markers. */
async function misFeed(m: Record<SealedColumn, string>) {
  const mis = generateSchool({ pupils: 3, staff: 1, groups: 4, days: 1, seed: 3 });
  const contact = mis.contacts.find((c) => c.pupils.length > 0)!;
  const pupil = mis.pupils.find((p) => p.misId === contact.pupils[0]!.pupilMisId)!;
  const address = (street: string): Address => ({
    houseNumber: '1',
    houseName: null,
    street,
    district: null,
    town: 'Town',
    county: null,
    postcode: 'AB1 2CD',
    country: null,
    block: null,
  });
  pupil.religion = { code: m['pupils.religion_code'], description: m['pupils.religion'] };
  pupil.ethnicity = { code: m['pupils.ethnicity_code'], description: m['pupils.ethnicity'] };
  pupil.firstLanguage = {
    code: m['pupils.first_language_code'],
    description: m['pupils.first_language'],
  };
  pupil.senStatus = m['pupils.sen_status'];
  pupil.address = address(m['pupils.address']);
  pupil.photo = { kind: 'url', url: `https://photos.example.invalid/${m['pupils.photo']}` };
  pupil.senNeeds = [
    {
      code: m['pupil_sen_needs.code'],
      description: m['pupil_sen_needs.description'],
      rank: 1,
      startDate: null,
      endDate: null,
    },
  ];
  pupil.senProvisions = [
    {
      code: m['pupil_sen_provisions.code'],
      description: m['pupil_sen_provisions.description'],
      startDate: null,
      endDate: null,
    },
  ];
  // A flag's kind is one of a fixed list, so it carries no marker: child in need, dated.
  pupil.flags = [{ kind: 'child_in_need', startDate: '2025-02-01', endDate: null }];
  contact.addresses = [address(m['contacts.addresses'])];
  contact.phones = [{ kind: 'mobile', number: m['contacts.phones'] }];
  contact.emails = [{ kind: 'home', address: `${m['contacts.emails']}@example.invalid` }];
  const dir = await mkdtemp(path.join(tmpdir(), 'lantern-at-rest-feed-'));
  try {
    await writeBatch('wonde', dir, fullBatch(mis));
    const files: Record<string, unknown> = {};
    for (const f of await readdir(dir))
      files[f] = JSON.parse(await readFile(path.join(dir, f), 'utf8')) as unknown;
    return { files, pupilMisId: pupil.misId };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const run = promisify(execFile);
const engine = inject('engine');

type Stack = { app: App; services: Services; close(): Promise<void> };
let stack: Stack;
let dataDir: string | undefined;

async function openEmbedded(dir: string): Promise<Stack> {
  const db = await openDatabase({ engine: 'embedded', dir: path.join(dir, 'pgdata') });
  const services = await createServices(testConfig({ dataDir: dir }), { db, log: silentLog });
  const { app } = await appFor(services);
  return {
    app,
    services,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

beforeAll(async () => {
  if (engine === 'postgres') {
    const t = await testApp();
    stack = { app: t.app, services: t.services, close: () => t.close() };
    return;
  }
  dataDir = await mkdtemp(path.join(tmpdir(), 'lantern-sealed-at-rest-'));
  stack = await openEmbedded(dataDir);
  // An on-disk database is migrated from the first migration (not the tests' snapshot): on a busy
  // two-core machine that passed a minute.
}, 180_000);

afterAll(async () => {
  await stack.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

// A marker as stored bytes may appear as text, UTF-16, base64 (the vault's contents are sealed
// as base64 text) or hex: pg_dump writes a bytea column as hex, so a column left unsealed shows
// in a dump only that way.
function occurrences(haystack: Buffer, markers: string[]): string[] {
  const found: string[] = [];
  for (const m of markers) {
    const forms: [string, Buffer][] = [
      ['utf8', Buffer.from(m, 'utf8')],
      ['utf16le', Buffer.from(m, 'utf16le')],
      ['base64', Buffer.from(Buffer.from(m).toString('base64'))],
      ['hex', Buffer.from(Buffer.from(m).toString('hex'))],
    ];
    for (const [name, bytes] of forms) if (haystack.includes(bytes)) found.push(`${m} (${name})`);
  }
  return found;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

const mark = (column: string) => `M${column.replace(/[._]/g, '')}${randomUUID().slice(0, 13)}`;

describe('every sealed column at rest', () => {
  it('reads each marker back through the API, and none is in the stored bytes', async () => {
    const { app, services } = stack;
    const ok = (res: { statusCode: number; body: string }, status = 200) =>
      expect(res.statusCode, res.body).toBe(status);
    // One marker per declared column (the TOTP secret is its own marker: see below).
    const m = Object.fromEntries(Object.keys(SEALED_COLUMNS).map((c) => [c, mark(c)])) as Record<
      SealedColumn,
      string
    >;
    const control = `CONTROL${randomUUID()}`;
    const schoolId = await makeSchool(services, `School ${control}`);
    const dslUser = await makeUser(services, schoolId, 'dsl');
    const adminUser = await makeUser(services, schoolId, 'school_admin');
    const pupil = await makePupil(services, schoolId);
    const [cat] = (await categoryIds(services, schoolId)).filter((c) => !c.restricted);
    const dsl: Session = await signIn(app, dslUser, { elevated: true });
    const admin: Session = await signIn(app, adminUser, { elevated: true });
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();

    // A concern, with a body map, then corrected: the first text goes into its versions.
    const mapMark = (d: string) => [
      { side: 'front', x: 0.5, y: 0.5, type: 'bruise', description: d },
    ];
    const concern = await call(app, dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [cat!.id],
      happenedAt: hourAgo,
      location: `Hall ${m['concern_versions.location']}`,
      body: `First ${m['concern_versions.body']}`,
      bodyMap: mapMark(m['concern_versions.body_map']),
    });
    ok(concern, 201);
    const concernId = concern.json<{ id: string }>().id;
    ok(
      await call(app, dsl, 'PATCH', `/api/concerns/${concernId}`, {
        body: `Now ${m['concerns.body']}`,
        location: `Field ${m['concerns.location']}`,
        bodyMap: mapMark(m['concerns.body_map']),
        reason: `Because ${m['concern_versions.reason']}`,
      }),
    );

    // The DSL team's triage decision and its reason (issue 14).
    ok(
      await call(app, dsl, 'POST', `/api/concerns/${concernId}/triage`, {
        state: 'triaged',
        risk: 'low',
        reason: `Weighed ${m['concern_triage.reason']}`,
      }),
    );

    // The vault: a file's name and its bytes.
    const upload = await app.inject({
      method: 'POST',
      url: `/api/concerns/${concernId}/attachments`,
      headers: {
        'x-file-name': `${m['attachments.name']}.txt`,
        cookie: dsl.cookie,
        'x-csrf-token': dsl.csrf,
        'content-type': 'application/octet-stream',
      },
      payload: Buffer.from(`Notes of the meeting. ${m['attachment_blobs.content']}\n`),
    });
    ok(upload, 201);
    const fileId = upload.json<{ id: string }>().id;

    // An action, completed with an outcome.
    const action = await call(app, dsl, 'POST', '/api/actions', {
      pupilId: pupil.id,
      concernId,
      type: 'phone_call',
      text: `Ring ${m['actions.text']}`,
      assigneeId: dslUser.id,
    });
    ok(action, 201);
    const actionId = action.json<{ id: string }>().id;
    ok(
      await call(app, dsl, 'POST', `/api/actions/${actionId}/complete`, {
        outcome: `Rang ${m['actions.outcome']}`,
      }),
    );

    // A referral and a follow-up.
    const agencies = await call(app, dsl, 'GET', '/api/referral-agencies');
    const agencyId = agencies.json<{ items: { id: string }[] }>().items[0]!.id;
    const referral = await call(app, dsl, 'POST', '/api/referrals', {
      pupilId: pupil.id,
      agencyId,
      referredAt: hourAgo,
      contact: `Officer ${m['referrals.contact']}`,
      reference: m['referrals.reference'],
      details: `Details ${m['referrals.details']}`,
      concernId,
    });
    ok(referral, 201);
    const referralId = referral.json<{ id: string }>().id;
    const followUp = await call(app, dsl, 'POST', `/api/referrals/${referralId}/followups`, {
      kind: 'call',
      note: `Chased ${m['referral_followups.note']}`,
    });
    expect([200, 201], followUp.body).toContain(followUp.statusCode);

    // A conversation.
    ok(
      await call(app, dsl, 'POST', '/api/conversations', {
        pupilId: pupil.id,
        withWhom: 'parent',
        happenedAt: hourAgo,
        text: `Spoke ${m['conversations.text']}`,
        concernId,
      }),
      201,
    );

    // A case, closed with an outcome and rationale (on the case and its event).
    const opened = await call(app, dsl, 'POST', '/api/cases', { pupilId: pupil.id, concernId });
    ok(opened, 201);
    const caseId = opened.json<{ id: string }>().id;
    ok(
      await call(app, dsl, 'POST', `/api/cases/${caseId}/close`, {
        outcome: `Outcome ${m['cases.outcome']} ${m['case_events.outcome']}`,
        rationale: `Rationale ${m['cases.rationale']} ${m['case_events.rationale']}`,
      }),
    );

    // A contact restriction (the contact itself comes from the MIS).
    const [contact] = await unsafeAsOwner(services.db, (q) =>
      q.query<{ id: string }>(
        `INSERT INTO contacts (school_id, mis_id, first_name, last_name)
         VALUES ($1, 'C-at-rest', 'Con', 'Tact') RETURNING id`,
        [schoolId],
      ),
    );
    ok(
      await call(app, dsl, 'POST', `/api/pupils/${pupil.id}/restrictions`, {
        contactId: contact!.id,
        kind: 'no_contact',
        courtOrder: true,
        note: `Order ${m['contact_restrictions.note']}`,
      }),
      201,
    );

    // The MIS connector's token (write-only: never shown again).
    ok(
      await call(app, admin, 'PUT', '/api/admin/mis/connector', {
        baseUrl: 'https://api.example.invalid/v1.0/schools/A1',
        token: m['mis_connectors.token'],
      }),
    );

    // The MIS's special-category and contact fields, pushed as an integrator would.
    const created = await call(app, admin, 'POST', '/api/admin/mis/keys', { label: 'At rest' });
    ok(created, 201);
    const feed = await misFeed(m);
    const pushed = await app.inject({
      method: 'POST',
      url: '/api/mis/push',
      headers: { authorization: `Bearer ${created.json<{ key: string }>().key}` },
      payload: { batchId: 'at-rest', format: 'wonde', kind: 'full', files: feed.files },
    });
    ok(pushed);
    // A full run that would archive most of the school is held with its feed, sealed (issue 13):
    // the same feed cut to the marked pupil, who now carries the held feed's marker.
    type Page = { data: Record<string, unknown>[] };
    const students = structuredClone(feed.files['students.json']) as Page | Page[];
    for (const page of Array.isArray(students) ? students : [students]) {
      page.data = page.data.filter((st) => st['id'] === feed.pupilMisId);
      for (const st of page.data) st['middle_names'] = m['mis_sync_runs.held_feed'];
    }
    const held = await app.inject({
      method: 'POST',
      url: '/api/mis/push',
      headers: { authorization: `Bearer ${created.json<{ key: string }>().key}` },
      payload: {
        batchId: 'at-rest-held',
        format: 'wonde',
        kind: 'full',
        files: { ...feed.files, 'students.json': students },
      },
    });
    ok(held, 202);
    const [misPupil] = await unsafeAsOwner(services.db, (q) =>
      q.query<{ id: string }>('SELECT id FROM pupils WHERE school_id = $1 AND mis_id = $2', [
        schoolId,
        feed.pupilMisId,
      ]),
    );

    // A legal hold placed and lifted with reasons (issue 15), each reason its own marker.
    const hold = await call(app, dsl, 'POST', '/api/retention/holds', {
      scope: 'pupil',
      pupilId: pupil.id,
      matter: 'litigation',
      reason: m['retention_holds.reason'],
    });
    ok(hold, 201);
    const holdId = hold.json<{ id: string }>().id;
    ok(
      await call(app, dsl, 'POST', `/api/retention/holds/${holdId}/lift`, {
        reason: m['retention_holds.lift_reason'],
      }),
    );

    // A record in the retention review queue, kept past its date with a reason (issue 15).
    const [review] = await unsafeAsOwner(services.db, (q) =>
      q.query<{ id: string }>(
        `INSERT INTO retention_reviews (school_id, concern_id, kind, action, due_on, queued_at)
         VALUES ($1, $2, 'cp_pupil', 'review', CURRENT_DATE, now()) RETURNING id`,
        [schoolId, concernId],
      ),
    );
    ok(
      await call(app, dsl, 'POST', `/api/retention/reviews/${review!.id}/keep`, {
        until: `${new Date().getUTCFullYear() + 1}-12-31`,
        reason: m['retention_reviews.keep_reason'],
      }),
    );

    // A draft of a long form, kept while its author types (issue 14).
    ok(
      await call(app, dsl, 'PUT', '/api/drafts/concern-new', {
        fields: { body: m['drafts.fields'] },
      }),
    );

    // Child-protection file transfers (issue 18) with a second school on this Lantern: this
    // school sends the pupil's file (an item withheld with a reason), which the other accepts with
    // a receipt and then rejects a second sending; and receives one of the other's, accepted with
    // a receipt, and rejects a second.
    const other = await makeSchool(services);
    const otherDsl = await signIn(app, await makeUser(services, other, 'dsl'), { elevated: true });
    const otherPupil = await makePupil(services, other);
    const [otherCat] = await categoryIds(services, other);
    ok(
      await call(app, otherDsl, 'POST', '/api/concerns', {
        pupils: [{ pupilId: otherPupil.id, role: 'subject' }],
        categoryIds: [otherCat!.id],
        happenedAt: hourAgo,
        body: `Sent ${m['transfer_inbox.file']}`,
      }),
      201,
    );
    const urns = [randomInt(1e8, 1e9), randomInt(1e8, 1e9)] as const;
    await unsafeAsOwner(services.db, async (q) => {
      for (const [i, id] of [schoolId, other].entries()) {
        await q.query(
          `INSERT INTO establishments (urn, name, loaded_at) VALUES ($1, 'At rest', now())`,
          [urns[i]],
        );
        await q.query('UPDATE schools SET urn = $2 WHERE id = $1', [id, urns[i]]);
      }
    });
    const transfer = async (
      from: Session,
      to: Session,
      pupilId: string,
      urn: number,
      decide: { receipt: string } | { reason: string },
      withhold?: string,
    ) => {
      const opened = await call(app, from, 'POST', '/api/transfers', {
        pupilId,
        leavingOn: '2026-03-11',
        destinationUrn: urn,
      });
      ok(opened, 201);
      const id = opened.json<{ id: string }>().id;
      const items = (await call(app, from, 'GET', `/api/transfers/${id}`)).json<{
        items: { id: string }[];
      }>().items;
      ok(
        await call(app, from, 'POST', `/api/transfers/${id}/send`, {
          withhold: withhold ? [{ itemId: items[0]!.id, reason: withhold }] : [],
        }),
      );
      ok(await call(app, to, 'GET', `/api/transfers/inbox/${id}`));
      ok(
        'receipt' in decide
          ? await call(app, to, 'POST', `/api/transfers/inbox/${id}/accept`, {
              name: decide.receipt,
              role: 'DSL',
            })
          : await call(app, to, 'POST', `/api/transfers/inbox/${id}/reject`, {
              reason: decide.reason,
            }),
      );
      return id;
    };
    const fromHere = { receipt: m['transfers.receipt'] };
    const keptId = await transfer(
      dsl,
      otherDsl,
      pupil.id,
      urns[1],
      fromHere,
      m['transfers.withheld'],
    );
    // Accepted, this school keeps a sealed copy (the default), opened only with a reason.
    const keptUrl = `/api/transfers/${keptId}/kept-copy`;
    ok(await call(app, dsl, 'POST', keptUrl, { reason: m['transfer_copy_openings.reason'] }));
    await transfer(dsl, otherDsl, pupil.id, urns[1], { reason: m['transfers.rejected_reason'] });
    const receivedId = await transfer(otherDsl, dsl, otherPupil.id, urns[0], {
      receipt: m['transfer_inbox.receipt'],
    });
    await transfer(otherDsl, dsl, otherPupil.id, urns[0], {
      reason: m['transfer_inbox.rejected_reason'],
    });
    const toClose = await call(app, dsl, 'POST', '/api/transfers', {
      pupilId: pupil.id,
      leavingOn: '2026-03-11',
      destinationUrn: null,
    });
    ok(toClose, 201);
    ok(
      await call(app, dsl, 'POST', `/api/transfers/${toClose.json<{ id: string }>().id}/close`, {
        reason: m['transfers.closed_reason'],
      }),
    );
    // And to a school on no Lantern, as a link to its DSL's address (migration 0090).
    const linkUrn = randomInt(1e8, 1e9);
    await unsafeAsOwner(services.db, (q) =>
      q.query(
        `INSERT INTO establishments (urn, name, website_host, loaded_at)
         VALUES ($1, 'At rest (no Lantern)', 'atrest.sch.uk', now())`,
        [linkUrn],
      ),
    );
    const toLink = await call(app, dsl, 'POST', '/api/transfers', {
      pupilId: pupil.id,
      leavingOn: '2026-03-11',
      destinationUrn: linkUrn,
    });
    ok(toLink, 201);
    ok(
      await call(app, dsl, 'POST', `/api/transfers/directory/${linkUrn}/domain`, {
        domain: 'atrest.sch.uk',
      }),
    );
    ok(
      await call(app, dsl, 'POST', `/api/transfers/${toLink.json<{ id: string }>().id}/send`, {
        withhold: [],
        recipientEmail: `${m['transfer_links.email']}@atrest.sch.uk`,
      }),
    );
    // A concern about an adult (issue 19): a supply worker from an agency, raised by the DSL,
    // triaged by the headteacher (the case manager) as possibly meeting the harm threshold, with
    // the LADO's advice recorded.
    const head = await signIn(app, await makeUser(services, schoolId, 'headteacher'), {
      elevated: true,
    });
    const raised = await call(app, dsl, 'POST', '/api/staff-concerns', {
      subjectKind: 'supply',
      subjectName: m['staff_concerns.subject_name'],
      agency: m['staff_concerns.agency_name'],
      whatHappened: m['staff_concerns.what_happened'],
    });
    ok(raised, 201);
    const matterUrl = `/api/staff-concerns/${raised.json<{ id: string }>().id}`;
    ok(
      await call(app, head, 'POST', `${matterUrl}/triage`, {
        classification: 'possibly_meets_threshold',
        rationale: m['staff_concerns.rationale'],
      }),
    );
    ok(
      await call(app, head, 'POST', `${matterUrl}/lado-contacts`, {
        officer: m['staff_concern_lado_contacts.officer'],
        contactedAt: new Date().toISOString(),
        advice: m['staff_concern_lado_contacts.advice'],
        reference: m['staff_concern_lado_contacts.reference'],
        suspension: m['staff_concern_lado_contacts.suspension'],
      }),
      201,
    );
    // Finishing issue 19: a volunteer's low-level concern, due once they left, kept past its
    // retention date by the head, with a reason.
    const lowLevel = await call(app, dsl, 'POST', '/api/staff-concerns', {
      subjectKind: 'volunteer',
      subjectName: 'Kept volunteer',
      whatHappened: 'Kept matter',
    });
    ok(lowLevel, 201);
    const lowUrl = `/api/staff-concerns/${lowLevel.json<{ id: string }>().id}`;
    ok(
      await call(app, head, 'POST', `${lowUrl}/triage`, {
        classification: 'low_level',
        rationale: 'Kept rationale',
      }),
    );
    ok(await call(app, head, 'POST', `${lowUrl}/left-on`, { leftOn: '2025-01-10' }));
    await runStaffMatterSweep(services, new Date(), [schoolId]);
    const dueMatters = await call(app, head, 'GET', '/api/staff-concerns/retention');
    ok(dueMatters);
    const staffReview = dueMatters.json<{ items: { id: string }[] }>().items[0]!.id;
    ok(
      await call(app, head, 'POST', `/api/staff-concerns/retention/${staffReview}/keep`, {
        reason: m['staff_concern_reviews.keep_reason'],
        until: '2099-01-01',
      }),
    );

    // A rights request in the data-protection register (issue 17), worked to its close.
    const dpo = await signIn(app, await makeUser(services, schoolId, 'dpo'), { elevated: true });
    // A pupil with no contact restriction (one above has a court order: a request about them must
    // name which contact asks).
    const dpSubject = await makePupil(services, schoolId);
    const dpRequest = await call(app, dpo, 'POST', '/api/data-protection/requests', {
      kind: 'subject_access',
      requester: m['dp_requests.requester'],
      relationship: 'parent',
      parentalResponsibility: m['dp_requests.parental_responsibility'],
      channel: 'letter',
      receivedOn: new Date().toISOString().slice(0, 10),
      subjects: [dpSubject.id],
    });
    ok(dpRequest, 201);
    const dpUrl = `/api/data-protection/requests/${dpRequest.json<{ id: string }>().id}`;
    ok(
      await call(app, dpo, 'POST', `${dpUrl}/extension`, {
        months: 1,
        reason: m['dp_requests.extension_reason'],
        notice: m['dp_requests.extension_notice'],
      }),
    );
    ok(
      await call(app, dpo, 'POST', `${dpUrl}/child-voice`, {
        competence: m['dp_requests.competence'],
        views: m['dp_requests.child_views'],
      }),
    );
    ok(
      // Refused: 'completed' is a release, which now needs an approved pack's disclosure.
      await call(app, dpo, 'POST', `${dpUrl}/close`, {
        outcome: 'refused',
        note: m['dp_requests.outcome'],
      }),
    );

    // A breach in the register (issue 17), recorded late with its reason, assessed and closed.
    const breach = await call(app, dpo, 'POST', '/api/data-protection/breaches', {
      becameAwareAt: new Date(Date.now() - 80 * 3_600_000).toISOString(),
      howAware: m['dp_breaches.how_aware'],
      types: ['confidentiality'],
      dataDescription: m['dp_breaches.data_description'],
      containment: m['dp_breaches.containment'],
      lateReason: m['dp_breaches.late_reason'],
    });
    ok(breach, 201);
    const breachUrl = `/api/data-protection/breaches/${breach.json<{ id: string }>().id}`;
    ok(
      await call(app, dpo, 'PATCH', breachUrl, {
        risk: 'unlikely',
        riskAssessment: m['dp_breaches.risk_assessment'],
        icoDecision: 'not_report',
        icoReasons: m['dp_breaches.ico_reasons'],
        peopleDecision: 'not_told',
        peopleReasons: m['dp_breaches.people_reasons'],
      }),
    );
    ok(
      await call(app, dpo, 'POST', `${breachUrl}/ico-updates`, {
        sentOn: new Date().toISOString().slice(0, 10),
        summary: m['dp_breach_updates.summary'],
      }),
      201,
    );
    ok(await call(app, dpo, 'POST', `${breachUrl}/close`, { lessons: m['dp_breaches.lessons'] }));

    // A subject-access response (issue 17): gathered, approved by a second DPO, packed and
    // disclosed, the disclosure naming its recipient.
    const sarSubject = await makePupil(services, schoolId);
    const sar = await call(app, dpo, 'POST', '/api/data-protection/requests', {
      kind: 'subject_access',
      requester: 'The pupil',
      relationship: 'self',
      channel: 'letter',
      receivedOn: todayInEngland(new Date()),
      subjects: [sarSubject.id],
    });
    ok(sar, 201);
    const sarUrl = `/api/data-protection/requests/${sar.json<{ id: string }>().id}`;
    ok(await call(app, dpo, 'POST', `${sarUrl}/gather`));
    const sarItems = await call(app, dpo, 'GET', `${sarUrl}/workbench`);
    for (const i of sarItems.json<{ items: { id: string }[] }>().items)
      ok(
        await call(app, dpo, 'PATCH', `${sarUrl}/items/${i.id}`, {
          included: true,
          reason: 'about_subject',
        }),
      );
    ok(await call(app, dpo, 'POST', `${sarUrl}/ready`));
    const dpo2 = await signIn(app, await makeUser(services, schoolId, 'dpo'), { elevated: true });
    const sarSeen = await call(app, dpo2, 'GET', `${sarUrl}/workbench`);
    ok(
      await call(app, dpo2, 'POST', `${sarUrl}/approve`, {
        digest: sarSeen.json<{ review: { digest: string } }>().review.digest,
      }),
    );
    const sarPack = await call(app, dpo2, 'POST', `${sarUrl}/packs`);
    ok(sarPack, 201);
    ok(
      await call(app, dpo2, 'POST', `${sarUrl}/disclosures`, {
        packId: sarPack.json<{ id: string }>().id,
        recipient: m['dp_disclosures.recipient'],
        method: 'post',
        disclosedOn: todayInEngland(new Date()),
      }),
      201,
    );

    // A complaint through the public form (issue 17), answered by the DPO.
    const got = await call(app, null, 'GET', `/api/public/schools/${schoolId}/complaint-challenge`);
    const challenge = got.json<{ challenge: string }>().challenge;
    ok(
      await call(app, null, 'POST', `/api/public/schools/${schoolId}/complaints`, {
        challenge,
        counter: solveChallenge(challenge),
        complainant: m['dp_complaints.complainant'],
        contact: m['dp_complaints.contact'],
        details: m['dp_complaints.details'],
      }),
      201,
    );
    const complaints = await call(app, dpo, 'GET', '/api/data-protection/complaints');
    const complaintId = complaints.json<{ items: { id: string }[] }>().items[0]!.id;
    ok(
      await call(app, dpo, 'POST', `/api/data-protection/complaints/${complaintId}/response`, {
        response: m['dp_complaints.response'],
      }),
    );

    // The other rights (issue 17): a subject's statement on their record, an erasure's reasoning.
    const rightsPupil = await makePupil(services, schoolId);
    const rightsRecord = await call(app, dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId: rightsPupil.id, role: 'subject' }],
      categoryIds: [cat!.id],
      happenedAt: hourAgo,
      body: 'A record the subject disputes',
    });
    ok(rightsRecord, 201);
    const rightsRequest = async (kind: string) => {
      const made = await call(app, dpo, 'POST', '/api/data-protection/requests', {
        kind,
        requester: 'The pupil',
        relationship: 'self',
        channel: 'letter',
        receivedOn: new Date().toISOString().slice(0, 10),
        subjects: [rightsPupil.id],
      });
      ok(made, 201);
      return `/api/data-protection/requests/${made.json<{ id: string }>().id}`;
    };
    const rectUrl = await rightsRequest('rectification');
    const erasureUrl = await rightsRequest('erasure');
    ok(
      await call(app, dpo, 'POST', `${rectUrl}/statements`, {
        concernId: rightsRecord.json<{ id: string }>().id,
        statement: m['dp_record_statements.statement'],
      }),
    );
    ok(
      await call(app, dpo, 'POST', `${erasureUrl}/decision`, {
        decision: 'refused_legal_obligation',
        reasoning: m['dp_decisions.reasoning'],
      }),
    );

    // A medical and care profile (issue 21): an item's content, and a plan's title, file name and
    // document (a PDF holding its marker); a trip's emergency cards, whose key is random.
    const medPupil = await makePupil(services, schoolId);
    ok(
      await call(app, admin, 'POST', `/api/pupils/${medPupil.id}/medical/entries`, {
        kind: 'allergy',
        content: { name: m['medical_entries.content'], severity: 'severe' },
      }),
      201,
    );
    const planPdf = Buffer.from(
      `%PDF-1.4\n% ${m['medical_plans.content']}\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
    );
    const plan = await call(app, admin, 'POST', `/api/pupils/${medPupil.id}/medical/plans`, {
      kind: 'action_plan',
      title: m['medical_plans.title'],
      expiresOn: new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10),
      fileName: `${m['medical_plans.file_name']}.pdf`,
      content: planPdf.toString('base64'),
    });
    ok(plan, 201);
    const planId = plan.json<{ id: string }>().id;
    const trip = await call(app, admin, 'POST', '/api/trips', {
      name: 'Trip',
      startsOn: new Date().toISOString().slice(0, 10),
      endsOn: new Date().toISOString().slice(0, 10),
      leaderIds: [dslUser.id],
      pupilIds: [medPupil.id],
    });
    ok(trip, 201);
    ok(await call(app, dsl, 'POST', `/api/trips/${trip.json<{ id: string }>().id}/cards`), 201);
    // Issue 21: an admission form sent (the MIS's sealed ethnicity kept in its snapshot),
    // answered by a parent through the parent door's domain function, one field rejected with an
    // internal reason and one accepted into the write-back queue; a consent answer with a note.
    const family = await makeFamily(services, schoolId);
    await asSystem(services, schoolId, 'mis_sync').tx(async (tx) =>
      tx.q('UPDATE pupils SET ethnicity_code = $2 WHERE id = $1', [
        family.pupilId,
        (await tx.sealer()).seal(
          'pupils.ethnicity_code',
          family.pupilId,
          m['admission_requests.mis_snapshot'],
        ),
      ]),
    );
    const admissionForm = await call(app, admin, 'POST', '/api/admissions/forms', {
      title: 'Nursery admission',
      intake: 'nursery',
      questions: ['ethnicity', 'medical_conditions', 'doctor'].map((field) => ({
        field,
        required: false,
      })),
    });
    ok(admissionForm, 201);
    const admissionUrl = `/api/admissions/forms/${admissionForm.json<{ id: string }>().id}`;
    ok(await call(app, admin, 'POST', `${admissionUrl}/send`, { pupilIds: [family.pupilId] }));
    const requestId = (await call(app, admin, 'GET', admissionUrl)).json<{
      requests: { id: string }[];
    }>().requests[0]!.id;
    await asParent(
      services,
      schoolId,
    )((tx) =>
      saveAnswers(tx, requestId, [family.pupilId], family.mum, {
        answers: {
          medical_conditions: m['admission_responses.answers'],
          doctor: m['mis_writeback_rows.value'],
        },
        submit: true,
      }),
    );
    const decisionsUrl = `/api/admissions/requests/${requestId}/decisions`;
    ok(
      await call(app, admin, 'POST', decisionsUrl, {
        contactId: family.mum,
        field: 'medical_conditions',
        decision: 'rejected',
        reason: m['admission_decisions.reason'],
      }),
    );
    ok(
      await call(app, admin, 'POST', decisionsUrl, {
        contactId: family.mum,
        field: 'doctor',
        decision: 'accepted',
      }),
    );
    const consentForm = await call(app, admin, 'POST', '/api/consents/forms', {
      title: 'Local trips',
      text: 'Walks to the park and the library.',
      pupilIds: [family.pupilId],
    });
    ok(consentForm, 201);
    const consentUrl = `/api/consents/forms/${consentForm.json<{ id: string }>().id}`;
    const versionId = (await call(app, admin, 'GET', consentUrl)).json<{
      versions: { id: string }[];
    }>().versions[0]!.id;
    await asParent(
      services,
      schoolId,
    )((tx) =>
      answerConsent(tx, [family.pupilId], family.mum, {
        versionId,
        pupilId: family.pupilId,
        answer: 'given',
        note: m['consent_answers.note'],
      }),
    );

    // The second factor: signing in enrolled the DSL's authenticator; its secret is the marker.
    const totp = totpSecrets.get(dslUser.email);
    expect(totp).toMatch(/^[A-Z2-7]{16,}$/);
    m['totp_credentials.secret'] = totp!;

    // A parent's authenticator app (issue 21), set up through the parents' own routes; its
    // secret is the marker, proven by the code it gives being accepted.
    const parent = await makeParent({ services }, schoolId, [pupil.id], { secondFactor: false });
    const parentIn = await app.inject({
      method: 'POST',
      url: '/api/parent/auth/sign-in',
      payload: { email: parent.email, password: parent.password },
    });
    ok(parentIn);
    const ps = parentSessionOf(parentIn);
    const enrolled = await parentCall({ app }, ps, 'POST', '/api/parent/auth/totp/enrol');
    ok(enrolled);
    m['parent_totp.secret'] = enrolled.json<{ manualKey: string }>().manualKey.replace(/\s/g, '');
    ok(
      await parentCall({ app }, ps, 'POST', '/api/parent/auth/code', {
        code: totpCodeAt(m['parent_totp.secret'], services.clock.now()),
      }),
    );

    // A grant of record access to a member of the school's trust (issue 20): its reason.
    const trustId = await createTrust(services.db, `Trust ${control}`);
    await unsafeAsOwner(services.db, (q) =>
      q.query('UPDATE schools SET trust_id = $2 WHERE id = $1', [schoolId, trustId]),
    );
    const trustMember = await makeTrustMember({ services }, trustId);
    ok(
      await call(app, dsl, 'POST', '/api/trust-grants', {
        memberId: trustMember.id,
        scope: 'pupil',
        pupilId: pupil.id,
        reason: m['trust_grants.reason'],
        days: 7,
      }),
    );

    // Every declared column holds a value written above, and each is Lantern's envelope.
    const exercised: string[] = [];
    await unsafeAsOwner(services.db, async (q) => {
      for (const column of Object.keys(SEALED_COLUMNS)) {
        const [table, declared] = column.split('.') as [string, string];
        // A few columns are stored under a `_sealed` name (the declared name is the one bound
        // into the ciphertext).
        const names = await q.query<{ column_name: string }>(
          `SELECT column_name FROM information_schema.columns
           WHERE table_name = $1 AND column_name = ANY($2::text[])`,
          [table, [declared, `${declared}_sealed`]],
        );
        expect(names, column).toHaveLength(1);
        const col = names[0]!.column_name;
        const rows = await q.query<{ v: Buffer }>(
          `SELECT ${col} AS v FROM ${table} WHERE school_id = $1 AND ${col} IS NOT NULL`,
          [schoolId],
        );
        for (const r of rows) {
          expect(r.v[0], column).toBe(0x01);
          expect(r.v.readUInt32BE(1), column).toBe(1);
        }
        if (rows.length > 0) exercised.push(column);
      }
    });
    // Written by nothing since migration 0060 (each parent's answers moved to
    // admission_responses); declared only so that migration's step could open the old values.
    const retired = new Set<string>(['admission_requests.answers']);
    expect(exercised.sort()).toEqual(
      Object.keys(SEALED_COLUMNS)
        .filter((c) => !retired.has(c))
        .sort(),
    );

    // Each marker reads back through the API (the token and the TOTP secret are write-only: the
    // token's use is proven by the connector's own tests, the secret's by the sign-in below).
    const answers = [
      await call(app, dsl, 'GET', `/api/concerns/${concernId}`),
      await call(app, dsl, 'GET', `/api/concerns/${concernId}/versions`),
      await call(app, dsl, 'GET', `/api/attachments/${fileId}`),
      await call(app, dsl, 'GET', `/api/referrals/${referralId}`),
      await call(app, dsl, 'GET', `/api/cases/${caseId}`),
      await call(app, dsl, 'GET', `/api/pupils/${pupil.id}/chronology`),
      await call(app, dsl, 'GET', `/api/pupils/${pupil.id}`),
      await call(app, dsl, 'GET', `/api/pupils/${misPupil!.id}`),
      await call(app, dsl, 'GET', '/api/retention/holds?lifted=true'),
      await call(app, dsl, 'GET', '/api/drafts/concern-new'),
      await call(app, dsl, 'GET', '/api/transfers'),
      await call(app, dsl, 'POST', keptUrl, { reason: 'At rest, again' }),
      await call(app, dsl, 'GET', `/api/transfers/inbox/${receivedId}`),
      await call(app, dpo, 'GET', dpUrl),
      await call(app, dpo, 'GET', breachUrl),
      await call(app, dpo, 'GET', `${sarUrl}/workbench`),
      await call(app, dpo, 'GET', '/api/data-protection/complaints'),
      await call(app, head, 'GET', matterUrl),
      await call(app, admin, 'GET', `/api/pupils/${medPupil.id}/medical`),
      await call(app, admin, 'GET', `/api/medical/plans/${planId}/file`),
      await call(app, admin, 'GET', `/api/admissions/requests/${requestId}/review`),
      await call(app, admin, 'GET', '/api/admissions/writeback'),
      await call(app, admin, 'GET', consentUrl),
      await call(app, dsl, 'GET', '/api/trust-grants'),
      await call(app, dpo, 'GET', `${rectUrl}/rights`),
      await call(app, dpo, 'GET', `${erasureUrl}/rights`),
    ];
    const misProfileAnswer = answers[7]!; // the MIS pupil's profile, above
    for (const a of answers) ok(a);
    const shown = Buffer.concat(
      answers.map((a) => Buffer.from(`${a.body}\n${JSON.stringify(a.headers)}\n`)),
    );
    // The held feed waits for an administrator's decision, shown only as names: it opens below.
    const writeOnly = new Set<string>([
      'mis_connectors.token',
      'totp_credentials.secret',
      'parent_totp.secret',
      'mis_sync_runs.held_feed',
      // Shown on no page yet (the kept reviews' list is not built): it opens below.
      'retention_reviews.keep_reason',
      'staff_concern_reviews.keep_reason',
      // Transfers (issue 18): the manifest holds ids and hashes, no words; a withheld item's
      // reason is shown to the receiving school (transfers.test.ts), a rejection's to the sender.
      'transfers.manifest',
      'transfers.withheld',
      'transfer_inbox.rejected_reason',
      // The file as a link sent it holds other columns' words: its download is checked against
      // the manifest's SHA-256 in transfers/link.test.ts.
      'transfer_links.file',
      'transfers.sent_file',
      // A trip's cards' key is random, not a marker: released only to the leader (trips.test.ts).
      'trip_card_bundles.bundle_key',
      // A subject-access pack's files hold other columns' words, redacted: their download, byte
      // for byte against the logged SHA-256, is proven in sar.test.ts.
      'dp_request_packs.pdf_file',
      'dp_request_packs.json_file',
      'dp_request_packs.csv_file',
    ]);
    // Kept from the MIS but shown on no page: each opens with the school's key instead.
    const keptNotShown: Partial<Record<SealedColumn, 'text' | 'json'>> = {
      'pupils.religion_code': 'text',
      'pupils.religion': 'text',
      'pupils.ethnicity_code': 'text',
      'pupils.ethnicity': 'text',
      'pupils.first_language_code': 'text',
      'pupils.first_language': 'text',
      'pupils.address': 'json',
    };
    // A flag's kind is a word from a fixed list ("cin"), too short to search the stored bytes
    // for: it is exercised above (an envelope), and here read back as the kind the feed sent.
    const enumerated = new Set<string>(['pupil_flags.kind']);
    const misProfile = misProfileAnswer.json<{ flags: { flag: string }[] }>();
    expect(misProfile.flags.map((f) => f.flag)).toContain('cin');
    for (const [column, marker] of Object.entries(m)) {
      if (
        writeOnly.has(column) ||
        column in keptNotShown ||
        enumerated.has(column) ||
        retired.has(column)
      )
        continue;
      expect(occurrences(shown, [marker]).length, `${column} reads back`).toBeGreaterThan(0);
    }
    const sealer = await unsafeAsOwner(services.db, (q) => services.keys.forSchool(q, schoolId));
    const [stored] = await unsafeAsOwner(services.db, (q) =>
      q.query<Record<string, Buffer>>('SELECT * FROM pupils WHERE id = $1', [misPupil!.id]),
    );
    for (const column of Object.keys(keptNotShown) as SealedColumn[]) {
      const bytes = stored![column.split('.')[1]!]!;
      const opened =
        column === 'pupils.address'
          ? JSON.stringify(sealer.openJson('pupils.address', misPupil!.id, bytes))
          : sealer.open(column as 'pupils.religion', misPupil!.id, bytes);
      expect(opened, `${column} opens`).toContain(m[column]);
    }
    const [heldRun] = await unsafeAsOwner(services.db, (q) =>
      q.query<{ id: string; held_feed: Buffer }>(
        `SELECT id, held_feed FROM mis_sync_runs WHERE school_id = $1 AND status = 'held'`,
        [schoolId],
      ),
    );
    const heldFeed = sealer.openJson('mis_sync_runs.held_feed', heldRun!.id, heldRun!.held_feed);
    expect(JSON.stringify(heldFeed), 'mis_sync_runs.held_feed opens').toContain(
      m['mis_sync_runs.held_feed'],
    );
    const [kept] = await unsafeAsOwner(services.db, (q) =>
      q.query<{ keep_reason: Buffer }>('SELECT keep_reason FROM retention_reviews WHERE id = $1', [
        review!.id,
      ]),
    );
    expect(sealer.open('retention_reviews.keep_reason', review!.id, kept!.keep_reason)).toBe(
      m['retention_reviews.keep_reason'],
    );
    const [staffKept] = await unsafeAsOwner(services.db, (q) =>
      q.query<{ keep_reason: Buffer }>(
        'SELECT keep_reason FROM staff_concern_reviews WHERE id = $1',
        [staffReview],
      ),
    );
    expect(
      sealer.open('staff_concern_reviews.keep_reason', staffReview, staffKept!.keep_reason),
    ).toBe(m['staff_concern_reviews.keep_reason']);
    const again = await signIn(app, dslUser, { elevated: true });
    ok(await call(app, again, 'GET', `/api/concerns/${concernId}`));

    const markers = Object.values(m);
    if (engine === 'postgres') {
      const { stdout } = await run('/usr/bin/pg_dump', [inject('databaseUrl')], {
        maxBuffer: 1024 * 1024 * 1024,
        encoding: 'buffer',
      });
      expect(occurrences(stdout, [control])).toContain(`${control} (utf8)`);
      expect(occurrences(stdout, markers)).toEqual([]);
    } else {
      await stack.services.db.exec('CHECKPOINT');
      await stack.close();
      const files = await filesUnder(dataDir!);
      expect(files.length).toBeGreaterThan(100);
      let controlSeen = false;
      const found: string[] = [];
      for (const file of files) {
        const bytes = await readFile(file);
        if (occurrences(bytes, [control]).length > 0) controlSeen = true;
        for (const o of occurrences(bytes, markers)) found.push(`${o} in ${file}`);
      }
      expect(controlSeen).toBe(true);
      expect(found).toEqual([]);
      stack = await openEmbedded(dataDir!);
    }
  }, 90_000); // Issue 18 added two schools and four transfers between them.
});
