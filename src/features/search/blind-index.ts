// Keyed blind index for searching encrypted record text.
//
// What this protects: record text is encrypted at rest, so the database cannot search it. Instead
// each document is stored with a set of blinded tokens, HMAC-SHA-256(searchKey, word), and a query
// is blinded the same way and matched by set containment. Without the school's search key the
// tokens reveal nothing about the words; with it, anyone can test a guessed word, so the key is held
// and wrapped exactly like the school's data keys (see docs/SEARCH.md).
//
// Word forms (issue 14): each word is indexed, and each query word looked for, by its English stem
// (the Porter stemmer, npm `stemmer`), so "bruise" finds "bruises", "bruised" and "bruising".
//
// Changing this safely: any change to tokenize() (normalisation, stop words, lengths, the stemmer
// or its version) or to the token encoding changes every token, so it needs INDEX_VERSION bumped
// (every writer of tokens writes `index_version = INDEX_VERSION` beside them; the columns' default
// stays 1, so a writer that forgets leaves its record to be re-indexed), a migration with a
// partial index of the rows below the new version (as 0095 does), and the re-index (reindex.ts)
// then brings each school's records up to it in the background; `lantern search reindex` does it
// at once.
// Never use the record-encryption key here: the search key must be a separate key.

import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { stemmer } from 'stemmer';

/**
 * Stored next to each document's tokens; bump when tokens would change for the same text.
 * 1: whole words. 2: Porter stems (stemmer 2.0.1).
 */
export const INDEX_VERSION = 2;
/** Distinct tokens kept per document; bounds index size and what a long document leaks. */
export const MAX_TOKENS_PER_DOCUMENT = 1000;
/** Words longer than this are cut; nobody searches for 65-letter words, and it bounds HMAC input. */
export const MAX_TOKEN_LENGTH = 64;
export const MIN_TOKEN_LENGTH = 2;
/** Query words beyond this are ignored, so a pasted paragraph cannot become a huge query. */
export const MAX_QUERY_TOKENS = 16;
/**
 * 16 bytes (128 bits) of the 32-byte HMAC. Collisions would make a search return an unrelated
 * record; at 128 bits the chance of any collision among even 10^9 distinct words in one school is
 * about 10^-21, and a guess without the key succeeds with probability 2^-128. Halving the length
 * halves index storage and the size of the GIN index that answers the query.
 */
export const BLIND_TOKEN_BYTES = 16;
export const MIN_SEARCH_KEY_BYTES = 32;

// Domain separation: the same key could never produce a token that equals another use's MAC.
const TOKEN_CONTEXT = `lantern/search/v${INDEX_VERSION}/stem\0`;

/**
 * A small English stop-word list. Kept short on purpose: every word dropped is a word nobody can
 * search for, and in safeguarding records words such as "no", "not", "mum" or "home" matter.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'been',
  'but',
  'by',
  'did',
  'do',
  'for',
  'from',
  'had',
  'has',
  'have',
  'he',
  'her',
  'him',
  'his',
  'if',
  'in',
  'into',
  'is',
  'it',
  'its',
  'me',
  'my',
  'of',
  'on',
  'or',
  'our',
  'she',
  'so',
  'that',
  'the',
  'their',
  'them',
  'then',
  'there',
  'these',
  'they',
  'this',
  'to',
  'us',
  'was',
  'we',
  'were',
  'what',
  'when',
  'which',
  'who',
  'will',
  'with',
  'you',
  'your',
]);

const COMBINING_MARKS = /\p{M}+/gu;
// Apostrophes inside words are removed rather than split on, so "didn't" and "didnt" match.
const APOSTROPHES = /['\u2018\u2019\u02bc]/g;
const WORD = /[\p{L}\p{N}]+/gu;
// A word as written, before normalising: its combining marks and inside apostrophes kept, so that
// normalising it gives the same word the index took ("didn't" -> "didnt", "e\u0301" -> "e").
const WRITTEN_WORD = /[\p{L}\p{N}\p{M}]+(?:['\u2018\u2019\u02bc][\p{L}\p{N}\p{M}]+)*/gu;

/** Normalises one string the way documents and queries are both normalised. */
export function normalise(text: string): string {
  return text.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase().replace(APOSTROPHES, '');
}

/** The stem a word is indexed and searched by (the word already normalised by `normalise`). */
export function stemOf(word: string): string {
  return stemmer(word);
}

/**
 * The stem of each searchable word of `text`, in order (repeats included): stop words and words
 * shorter than MIN_TOKEN_LENGTH left out, each word cut at MAX_TOKEN_LENGTH before stemming.
 */
function* searchStems(text: string): Generator<string> {
  for (const match of normalise(text).matchAll(WORD)) {
    const word = match[0].slice(0, MAX_TOKEN_LENGTH);
    if (word.length < MIN_TOKEN_LENGTH || STOP_WORDS.has(word)) continue;
    yield stemOf(word);
  }
}

/**
 * Splits text into distinct search tokens in first-seen order: NFKD with diacritics stripped,
 * lower-cased, words of letters and digits, at least MIN_TOKEN_LENGTH long, stop words dropped,
 * each word reduced to its stem, at most `maxTokens` distinct stems.
 */
export function tokenize(text: string, maxTokens: number = MAX_TOKENS_PER_DOCUMENT): string[] {
  const seen = new Set<string>();
  for (const stem of searchStems(text)) {
    if (seen.has(stem)) continue;
    seen.add(stem);
    if (seen.size >= maxTokens) break;
  }
  return [...seen];
}

/**
 * The words of `text` a search for `query` matched, as written in the text (each once, first
 * seen first), and where the first of them starts: what the results show the searcher. Works on
 * the text the searcher already reads, never on the index.
 */
export function matchedWords(text: string, query: string): { words: string[]; firstAt: number } {
  const wanted = new Set(tokenize(query, MAX_QUERY_TOKENS));
  const words: string[] = [];
  const seen = new Set<string>();
  let firstAt = -1;
  if (wanted.size === 0) return { words, firstAt };
  // Word by word in the original text, so what is shown is what was written ("Bruised", not
  // "bruis"); each is normalised and stemmed as the index does.
  for (const match of text.matchAll(WRITTEN_WORD)) {
    const written = match[0];
    const norm = normalise(written);
    // Normalising can split what was written (a compatibility character): look at each part.
    const parts = [...norm.matchAll(WORD)].map((m) => m[0].slice(0, MAX_TOKEN_LENGTH));
    const hit = parts.some(
      (w) => w.length >= MIN_TOKEN_LENGTH && !STOP_WORDS.has(w) && wanted.has(stemOf(w)),
    );
    if (!hit) continue;
    if (firstAt < 0) firstAt = match.index;
    if (seen.has(norm)) continue;
    seen.add(norm);
    words.push(written);
  }
  return { words, firstAt };
}

function assertSearchKey(key: Buffer): void {
  if (key.length < MIN_SEARCH_KEY_BYTES) {
    throw new Error(`search key must be at least ${MIN_SEARCH_KEY_BYTES} bytes`);
  }
}

function blind(key: KeyObject, token: string): string {
  return createHmac('sha256', key)
    .update(TOKEN_CONTEXT)
    .update(token, 'utf8')
    .digest()
    .subarray(0, BLIND_TOKEN_BYTES)
    .toString('base64url');
}

/**
 * Blinds already-tokenised words with the school's search key. Each result is a 22-character
 * base64url string (16 bytes), suitable for a text[] column with a GIN index.
 */
export function blindTokens(key: Buffer, tokens: readonly string[]): string[] {
  assertSearchKey(key);
  // One key object for the document: an HMAC keyed by a KeyObject costs a sixth of one keyed by
  // a Buffer, which Node checks and copies into a new key each time (issue 12's CPU profile).
  const keyObject = createSecretKey(key);
  return [...new Set(tokens.map((token) => blind(keyObject, token)))];
}

/** The blinded tokens to store for one document's text (tokenize then blind). */
export function blindDocument(key: Buffer, text: string): string[] {
  return blindTokens(key, tokenize(text));
}

/**
 * The blinded tokens a document must ALL contain to match `query` (AND semantics; in PostgreSQL
 * `search_tokens @> $1`). An empty array means the query had no searchable words (only stop words
 * or one-letter words): the caller must treat that as "no text criterion" or refuse it, never as
 * "match everything" by accident.
 */
export function blindQuery(key: Buffer, query: string): string[] {
  return blindTokens(key, tokenize(query, MAX_QUERY_TOKENS));
}
