// The anchor code (issue 20): a day's anchor of a school's audit chain, short enough to email to
// the DPO and read back over the phone — the day (UTC, as the anchor file is named), the chain
// head's sequence number and the first 16 hex digits of its hash, grouped in fours. Holds nothing
// about any child or member. Read back, the code is checked against the trail (the explorer's
// "Check a code", `lantern audit verify --code`); a chain cut short or rewritten since no longer
// matches it. Shared so the page can say what a code looks like.
export type AnchorCode = { day: string; seq: number; hash16: string };

export const ANCHOR_CODE_EXAMPLE = '2026-12-07 #4812 ab12-cd34-ef56-ab12';

export function formatAnchorCode(day: string, seq: number, hashHex: string): string {
  const h = hashHex.slice(0, 16).toLowerCase();
  return `${day} #${seq} ${h.slice(0, 4)}-${h.slice(4, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}`;
}

/** The code as typed or read back (spaces, dashes and case forgiven), or null if it is not one. */
export function parseAnchorCode(text: string): AnchorCode | null {
  const m = /^\s*(\d{4}-\d{2}-\d{2})\s*#?\s*(\d{1,15})\s+([0-9a-f][0-9a-f\s-]*)$/i.exec(text);
  if (!m) return null;
  const hash16 = m[3]!.replace(/[\s-]/g, '').toLowerCase();
  if (!/^[0-9a-f]{16}$/.test(hash16)) return null;
  const day = m[1]!;
  const d = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== day) return null;
  const seq = Number(m[2]);
  if (!Number.isSafeInteger(seq) || seq < 1) return null;
  return { day, seq, hash16 };
}
