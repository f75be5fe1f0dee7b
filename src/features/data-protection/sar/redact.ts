// Redactions as pure functions (issue 17). What this protects: a redacted span must never reach
// the requester, and the database must hold no copy of record text. So a redaction keeps its
// offsets and a keyed digest of the text it covers (HMAC-SHA-256 under the school's search key,
// so a guessed name cannot be tested without the key), never the text: `locate` finds the span
// again if the record's text has moved (the same text elsewhere), and reports it stale when the
// text is gone. `applyRedactions` REMOVES each span and leaves a reason marker in its place;
// `leaks` is the last check before a pack is served: no redacted span may stand anywhere in what
// the pack prints. To change safely: a change to the digest's context or encoding makes every
// stored redaction stale (they then block the pack until redone), never silently unredacted.
import { createHmac } from 'node:crypto';
import { redactionMarker, type RedactionReason } from '../../../shared/schemas/subject-access.ts';

const CONTEXT = 'lantern/subject-access/span/v1\0';

export function spanDigest(key: Buffer, span: string): string {
  return createHmac('sha256', key).update(CONTEXT).update(span, 'utf8').digest('base64url');
}

export type StoredSpan = { start: number; end: number; digest: string };

/** Where the stored span stands in the text now, or null when its text is no longer there. */
export function locate(
  key: Buffer,
  text: string,
  s: StoredSpan,
): { start: number; end: number } | null {
  const len = s.end - s.start;
  if (s.end <= text.length && spanDigest(key, text.slice(s.start, s.end)) === s.digest)
    return { start: s.start, end: s.end };
  // The record's text moved (an edit before it): the same words elsewhere, nearest first.
  const starts = Array.from({ length: Math.max(0, text.length - len + 1) }, (_, i) => i).sort(
    (a, b) => Math.abs(a - s.start) - Math.abs(b - s.start),
  );
  for (const i of starts)
    if (spanDigest(key, text.slice(i, i + len)) === s.digest) return { start: i, end: i + len };
  return null;
}

export type PlacedRedaction = { start: number; end: number; reason: RedactionReason };

/** The text with every span removed and a marker naming its reason in its place. */
export function applyRedactions(text: string, spans: readonly PlacedRedaction[]): string {
  // Overlapping spans are one removal, marked with the first one's reason.
  const merged: PlacedRedaction[] = [];
  for (const s of [...spans].sort((a, b) => a.start - b.start || b.end - a.end)) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  let out = '';
  let at = 0;
  for (const s of merged) {
    out += text.slice(at, s.start) + redactionMarker(s.reason);
    at = s.end;
  }
  return out + text.slice(at);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Whitespace-tolerant, case-insensitive, whole-word pattern for a span's words. */
export function spanPattern(span: string): RegExp | null {
  const words = span.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  return new RegExp(`(?<![\\p{L}\\p{N}])${words.map(escape).join('\\s+')}(?![\\p{L}\\p{N}])`, 'iu');
}

/**
 * The spans (their text, as redacted) that still stand in `printed`, as whole words. Spans of
 * fewer than three letters are left out: "he" or "Jo" stands in much text that is not theirs.
 */
export function leaks(printed: string, spans: readonly string[]): string[] {
  return spans.filter((s) => {
    if (s.replace(/[^\p{L}\p{N}]/gu, '').length < 3) return false;
    const p = spanPattern(s);
    return p !== null && p.test(printed);
  });
}

/** Each whole-word place `span` stands in `text` (for "redact everywhere"). */
export function placesOf(text: string, span: string): { start: number; end: number }[] {
  const p = spanPattern(span);
  if (!p) return [];
  const g = new RegExp(p.source, 'giu');
  return [...text.matchAll(g)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}
