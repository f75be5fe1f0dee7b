// Redacting names from free text (issue 20, the inspection pack's PDF). What it protects: a reason
// written by staff may name any child, parent or colleague; every name Lantern holds for the school
// (each pupil's first, last and preferred names, each member's name, the contacts of the pupils
// sampled) is replaced by a reference. Matching ignores case, diacritics, and the kind of
// apostrophe or hyphen, and works on whole words: a name's parts of 3 letters or more, or a full
// name (so "Jo Day" is caught, "jo" alone is not). A part that is also a common English word
// ("will", "may", "grace") is replaced only where the text capitalises it. To change safely: keep
// the tests in redact-names.test.ts passing; never shorten the list of names the caller passes.

export type NamedPerson = { ref: string; names: readonly string[] };

/** One character folded: no diacritics, lower case, one apostrophe, one hyphen. */
const fold = (c: string) =>
  c
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[’‘ʼ`´]/g, "'")
    .replace(/[‐‑‒–—]/g, '-');

const tokensOf = (s: string) => [...fold(s).matchAll(/[\p{L}\p{N}]+/gu)].map((m) => m[0]);

/** Words that are also given names or surnames, redacted only where the text capitalises them. */
const COMMON = new Set(
  (
    'will may mark grace hope rose faith joy bill sue art dawn iris ruby amber jade ivy holly ' +
    'summer autumn april june pat sky rich young white black brown green wood hill rice field ' +
    'stone cook baker page hunter king bishop mason miller long short little bell day may'
  ).split(' '),
);

/** The table of names: tokens joined by a space → reference (the first person named wins). */
function table(people: readonly NamedPerson[]): { map: Map<string, string>; longest: number } {
  const map = new Map<string, string>();
  let longest = 1;
  const add = (tokens: string[], ref: string) => {
    if (tokens.length === 0) return;
    const key = tokens.join(' ');
    if (!map.has(key)) map.set(key, ref);
    longest = Math.max(longest, tokens.length);
  };
  for (const p of people) {
    const fields = p.names.filter((n) => n.trim() !== '').map(tokensOf);
    // Every full name a person goes by: each field alone, and each given name with each surname.
    for (const f of fields) if (f.length > 1 || (f[0]?.length ?? 0) >= 3) add(f, p.ref);
    // "O'Brien" written "OBrien", "Mary-Jane" written "Maryjane".
    for (const f of fields) if (f.length > 1) add([f.join('')], p.ref);
    for (const a of fields) for (const b of fields) if (a !== b) add([...a, ...b], p.ref);
    for (const f of fields) for (const part of f) if (part.length >= 3) add([part], p.ref);
  }
  return { map, longest };
}

/** The text with every name the people hold replaced by its reference. */
const tables = new WeakMap<readonly NamedPerson[], ReturnType<typeof table>>();

export function redactNames(text: string, people: readonly NamedPerson[]): string {
  const built = tables.get(people) ?? table(people);
  tables.set(people, built);
  const { map, longest } = built;
  // The folded text with, for each folded character, where it came from in the original.
  let folded = '';
  const from: number[] = [];
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    for (const f of fold(ch)) {
      folded += f;
      from.push(i);
    }
    i += ch.length;
  }
  from.push(text.length);
  const words = [...folded.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => ({
    word: m[0],
    start: m.index,
    end: m.index + m[0].length,
  }));
  const joinable = (a: number, b: number) => /^[\s'-]+$/.test(folded.slice(a, b));
  let out = '';
  let at = 0;
  for (let i = 0; i < words.length;) {
    let hit: { n: number; ref: string } | undefined;
    for (let n = Math.min(longest, words.length - i); n >= 1 && !hit; n -= 1) {
      const run = words.slice(i, i + n);
      if (run.some((w, k) => k > 0 && !joinable(run[k - 1]!.end, w.start))) continue;
      const ref = map.get(run.map((w) => w.word).join(' '));
      if (ref === undefined) continue;
      const first = text.slice(from[run[0]!.start], from[run[0]!.start]! + 1);
      if (n === 1 && COMMON.has(run[0]!.word) && first === first.toLowerCase()) continue;
      hit = { n, ref };
    }
    if (!hit) {
      i += 1;
      continue;
    }
    const start = from[words[i]!.start]!;
    const end = from[words[i + hit.n - 1]!.end]!;
    out += text.slice(at, start) + hit.ref;
    at = end;
    i += hit.n;
  }
  return out + text.slice(at);
}
