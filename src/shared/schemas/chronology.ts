// A pupil's chronology: the filter query, each entry as shown, and a page of it (the pupil, the
// newest CHRONOLOGY_PAGE entries after the cursor, the total the viewer may see, and the cursor of
// the next page while there is one). The PDF export takes the same filters and answers a file
// (FileBody, ./vault.ts) holding every entry.
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';
import { PupilSummary } from './pupils.ts';

export const ENTRY_KINDS = [
  'concern',
  'action',
  'referral',
  'conversation',
  'case_event',
  'mis_event',
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** What the viewer may do with an entry (`open` its own page, `complete` an action). */
export const ENTRY_ABILITIES = ['open', 'complete'] as const;
export type EntryAbility = (typeof ENTRY_ABILITIES)[number];

const N = Type.Union([Type.String(), Type.Null()]);
export const ChronologyEntry = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  happenedAt: Type.String({ format: 'date-time' }),
  title: Type.String(),
  text: N,
  categories: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), colour: Type.String() }),
  ),
  author: N,
  pupils: Type.Array(Type.Object({ id: N, name: Type.String(), role: Type.String() })),
  status: N,
  /** A concern's triage state (issue 14), for the DSL team; absent for anyone else. */
  triage: Type.Optional(Type.String()),
  overdue: Type.Boolean(),
  /** What the viewer may do with the entry, from each record's policy; the UI shows only these. */
  allowed: Type.Array(
    Type.Unsafe<EntryAbility>(Type.Union(ENTRY_ABILITIES.map((a) => Type.Literal(a)))),
  ),
});
export type ChronologyEntry = Static<typeof ChronologyEntry>;

export const ChronologyQuery = Type.Object(
  {
    categoryId: Type.Optional(Uuid),
    kinds: Type.Optional(
      Type.Array(Type.Unsafe<EntryKind>(Type.Union(ENTRY_KINDS.map((k) => Type.Literal(k))))),
    ),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type ChronologyQuery = Static<typeof ChronologyQuery>;

/** How many entries a page of the chronology holds. */
export const CHRONOLOGY_PAGE = 100;

export const ChronologyPageQuery = Type.Object(
  {
    ...ChronologyQuery.properties,
    /** Where the page starts: the `nextCursor` of the page before (signed; opaque). */
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);
export type ChronologyPageQuery = Static<typeof ChronologyPageQuery>;

export const Chronology = Type.Object({
  pupil: PupilSummary,
  /** Newest first, at most CHRONOLOGY_PAGE. */
  entries: Type.Array(ChronologyEntry),
  /** Every entry the viewer may see under these filters, on all pages (counted for each page). */
  total: Type.Integer({ minimum: 0 }),
  /** The next (older) page; absent on the last. */
  nextCursor: Type.Optional(Type.String()),
});
export type Chronology = Static<typeof Chronology>;
