// The anchor code (issue 20): each day's anchor of a school's chain as a short code
// (shared/anchor-code.ts), emailed through the outbox to the register's holders (the DPO) when the
// school chose it, and a code read back checked against the trail. The choice is the DPO's (the
// `data_protection` ability), kept in the school's settings under `anchorCodeEmail`, audited with
// before and after. The email holds the code and nothing else.
import type { SchoolTx, Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import type { Services } from '../../platform/services.ts';
import type { Database } from '../../platform/db/engine.ts';
import { verifyAudit, type VerifyResult } from '../../platform/audit/verify.ts';
import { queueMail } from '../../platform/mail/outbox.ts';
import type { Anchor } from '../../platform/audit/anchors.ts';
import {
  ANCHOR_CODE_EXAMPLE,
  formatAnchorCode,
  parseAnchorCode,
} from '../../shared/anchor-code.ts';
import type { AnchorCodeCheck } from '../../shared/schemas/audit-trail.ts';
import { registerHolders } from '../data-protection/signals.ts';

const emailChosen = (settings: unknown) =>
  (settings as { anchorCodeEmail?: unknown } | null)?.anchorCodeEmail === true;

export async function anchorEmailChosen(t: Pick<SchoolTx, 'q' | 'schoolId'>): Promise<boolean> {
  const [s] = await t.q<{ settings: unknown }>('SELECT settings FROM schools WHERE id = $1', [
    t.schoolId,
  ]);
  return emailChosen(s?.settings);
}

export async function chooseAnchorEmail(t: Tx, on: boolean): Promise<void> {
  const [s] = await t.q<{ settings: unknown }>(
    'SELECT settings FROM schools WHERE id = $1 FOR UPDATE',
    [t.schoolId],
  );
  const before = emailChosen(s?.settings);
  if (before === on) return;
  await t.q(
    `UPDATE schools SET settings = jsonb_set(coalesce(settings, '{}'::jsonb), '{anchorCodeEmail}', $2::jsonb)
     WHERE id = $1`,
    [t.schoolId, JSON.stringify(on)],
  );
  await t.audit({
    action: 'audit.anchor_email_changed',
    targetType: 'school',
    targetId: t.schoolId,
    details: { changed: ['anchorCodeEmail'], before: String(before), after: String(on) },
  });
}

/** Queues the day's code to the register's holders, if the school chose it; returns how many. */
export async function emailAnchorCode(
  t: SchoolTx,
  services: Pick<Services, 'config' | 'log'>,
  anchor: Anchor,
): Promise<number> {
  if (!(await anchorEmailChosen(t))) return 0;
  const holders = await registerHolders(t.db);
  if (holders.length === 0) return 0;
  const rows = await t.q<{ email: string }>(
    'SELECT email FROM users WHERE id = ANY($1::uuid[]) AND disabled_at IS NULL',
    [holders],
  );
  const day = anchor.at.slice(0, 10);
  const code = formatAnchorCode(day, anchor.seq, anchor.hash);
  const [school] = await t.q<{ name: string }>('SELECT name FROM schools WHERE id = $1', [
    t.schoolId,
  ]);
  for (const { email } of rows)
    await queueMail(
      t.db,
      services,
      { template: 'anchor_code', to: email, code, ...(school ? { school: school.name } : {}) },
      t.now,
    );
  await t.audit({
    action: 'audit.anchor_code_emailed',
    details: { seq: anchor.seq, day, recipients: rows.length },
  });
  return rows.length;
}

const notACode = () =>
  badRequest(
    `That is not an anchor code. A code looks like ${ANCHOR_CODE_EXAMPLE}: the date, the entry number and 16 letters and digits.`,
    'bad_code',
  );

/**
 * The school's chain recomputed from its first entry up to the code's (verifyAudit, as the owner,
 * outside the member's transaction): run before checkAnchorCode, which reports a match only if
 * this is intact. A code that is no code is refused here.
 */
export async function anchorCodeChain(
  db: Database,
  schoolId: string,
  text: string,
): Promise<VerifyResult> {
  const code = parseAnchorCode(text);
  if (!code) throw notACode();
  return verifyAudit(db, schoolId, code.seq);
}

/**
 * Whether a code read back matches the trail: the entry it names is there, its hash begins with
 * the code's digits, it had been written by the end of the code's day (UTC), and the chain up to
 * it recomputes intact (`chain`, from anchorCodeChain), so an earlier entry rewritten, whose
 * later hashes were left alone, is caught. Audited.
 */
export async function checkAnchorCode(
  t: SchoolTx,
  text: string,
  chain: VerifyResult,
): Promise<AnchorCodeCheck> {
  const code = parseAnchorCode(text);
  if (!code) throw notACode();
  const broken = chain.breaks[0];
  const [row] = await t.q<{ hash: Buffer; at: Date }>(
    'SELECT hash, at FROM audit_events WHERE school_id = $1 AND seq = $2',
    [t.schoolId, code.seq],
  );
  let matches = false;
  let message: string;
  if (!row)
    message = `Entry ${code.seq} is not in the trail: the trail was cut short after ${code.day}, or the code was misread.`;
  else if (!Buffer.from(row.hash).toString('hex').startsWith(code.hash16))
    message = `Entry ${code.seq} does not match the code: the trail was rewritten after ${code.day}, or the code was misread.`;
  else if (new Date(row.at).toISOString().slice(0, 10) > code.day)
    message = `Entry ${code.seq} was written after ${code.day}: the code does not belong to that day.`;
  else if (broken)
    message = `Entry ${code.seq} carries the code's hash, but the trail before it does not recompute: entry ${broken.seq}, ${broken.problem}. The trail was altered after ${code.day}.`;
  else {
    matches = true;
    message = `The code matches: entry ${code.seq} was in the trail on ${code.day} with this hash, and every entry up to it is unchanged.`;
  }
  await t.audit({
    action: 'audit.anchor_code_checked',
    details: { matches, day: code.day, seq: code.seq },
  });
  return { matches, message };
}
