// The pupils routes' schemas: finding a pupil, the profile, and the school's own corrections
// (fields marked as locally corrected, flags set in Lantern, contact restrictions).
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';

/**
 * Columns an MIS sync writes (src/features/mis/sync/pupils.ts), which are also the fields a school
 * can mark as locally corrected.
 */
export const PUPIL_FIELDS = [
  'upn',
  'uln',
  'admission_number',
  'first_name',
  'last_name',
  'middle_names',
  'legal_first_name',
  'legal_last_name',
  'display_name',
  'date_of_birth',
  'gender',
  'entry_date',
  'leaving_date',
  'year_group',
  'form',
  'sen_status',
  'fsm_eligible',
  'fsm_end_date',
  'pupil_premium',
  'eal',
  'gifted',
  'religion_code',
  'religion',
  'ethnicity_code',
  'ethnicity',
  'first_language_code',
  'first_language',
  'address',
  'attendance_stats',
  'sibling_mis_ids',
  'photo',
] as const;
export type PupilField = (typeof PUPIL_FIELDS)[number];

export const PupilSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  yearGroup: Type.Union([Type.String(), Type.Null()]),
  form: Type.Union([Type.String(), Type.Null()]),
});
export type PupilSummary = Static<typeof PupilSummary>;

/** Finding a pupil: the typed part of a name travels in the JSON body, never in a URL. */
export const PupilSearch = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 100 }),
    // Archived pupils (leavers) are hidden from pickers; those who may read records find them.
    includeArchived: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type PupilSearch = Static<typeof PupilSearch>;

/** No query string: a name put there by mistake is refused, not quietly logged by a proxy. */
export const PupilSearchNoQuery = Type.Object({}, { additionalProperties: false });

export const PupilList = Type.Object({ items: Type.Array(PupilSummary) });
export type PupilList = Static<typeof PupilList>;

// --- The profile ---

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);
const Str = Nullable(Type.String());

export const Restriction = Type.Object({
  id: Type.String(),
  contactId: Type.String(),
  kind: Type.String(),
  courtOrder: Type.Boolean(),
  note: Str,
  startsOn: Str,
  endsOn: Str,
});
export type Restriction = Static<typeof Restriction>;

export const Profile = Type.Object({
  id: Type.String(),
  firstName: Type.String(),
  lastName: Type.String(),
  middleNames: Str,
  preferredName: Str,
  legalFirstName: Str,
  legalLastName: Str,
  displayName: Str,
  dateOfBirth: Str,
  gender: Str,
  upn: Str,
  admissionNumber: Str,
  yearGroup: Str,
  form: Str,
  archived: Type.Boolean(),
  photo: Nullable(
    Type.Object({
      kind: Type.String(),
      mimeType: Type.Optional(Str),
      data: Type.Optional(Type.String()),
      url: Type.Optional(Type.String()),
    }),
  ),
  flags: Type.Array(
    Type.Object({
      id: Type.String(),
      flag: Type.String(),
      source: Type.String(),
      startsOn: Str,
      endsOn: Str,
    }),
  ),
  sen: Type.Object({
    status: Str,
    needs: Type.Array(
      Type.Object({
        code: Str,
        description: Str,
        rank: Nullable(Type.Integer()),
        startsOn: Str,
        endsOn: Str,
      }),
    ),
    provisions: Type.Array(
      Type.Object({ code: Str, description: Str, startsOn: Str, endsOn: Str }),
    ),
  }),
  attendance: Type.Object({
    from: Type.String(),
    possible: Type.Integer(),
    presentPct: Nullable(Type.Number()),
    authorisedPct: Nullable(Type.Number()),
    unauthorisedPct: Nullable(Type.Number()),
    latePct: Nullable(Type.Number()),
  }),
  restrictions: Type.Array(Restriction),
  contacts: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Str,
      firstName: Type.String(),
      lastName: Type.String(),
      relationship: Str,
      priority: Nullable(Type.Integer()),
      parentalResponsibility: Nullable(Type.Boolean()),
      courtOrder: Nullable(Type.Boolean()),
      restricted: Type.Boolean(),
      phones: Type.Array(Type.Object({ kind: Type.String(), number: Type.String() })),
      emails: Type.Array(Type.Object({ kind: Type.String(), address: Type.String() })),
      addresses: Type.Array(Type.Unknown()),
    }),
  ),
  siblings: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), yearGroup: Str, form: Str }),
  ),
  groups: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String() })),
  overriddenFields: Type.Array(Type.String()),
});
export type Profile = Static<typeof Profile>;

// --- The school's corrections ---

export const FieldBody = Type.Object(
  { field: Type.Unsafe<PupilField>(Type.Union(PUPIL_FIELDS.map((f) => Type.Literal(f)))) },
  { additionalProperties: false },
);
export type FieldBody = Static<typeof FieldBody>;

/** Vulnerability flags (the MIS sets its own; a school may set these in Lantern). */
export const PUPIL_FLAGS = [
  'cp_plan',
  'cin',
  'lac',
  'sen_support',
  'ehcp',
  'fsm',
  'pupil_premium',
  'eal',
  'young_carer',
] as const;
export type PupilFlag = (typeof PUPIL_FLAGS)[number];

export const FlagBody = Type.Object(
  {
    flag: Type.Unsafe<PupilFlag>(Type.Union(PUPIL_FLAGS.map((f) => Type.Literal(f)))),
    startsOn: Type.Optional(Type.String({ format: 'date' })),
    endsOn: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);
export type FlagBody = Static<typeof FlagBody>;

export const FlagSet = Type.Object({ id: Type.String() });
export type FlagSet = Static<typeof FlagSet>;

export const FlagParams = Type.Object({ id: Uuid, flagId: Uuid });
export type FlagParams = Static<typeof FlagParams>;

export const FlagEnd = Type.Object(
  { endsOn: Type.String({ format: 'date' }) },
  { additionalProperties: false },
);
export type FlagEnd = Static<typeof FlagEnd>;

export const RESTRICTION_KINDS = [
  'no_contact',
  'no_collection',
  'no_contact_or_collection',
] as const;
export type RestrictionKind = (typeof RESTRICTION_KINDS)[number];

export const RestrictionBody = Type.Object(
  {
    contactId: Uuid,
    kind: Type.Unsafe<RestrictionKind>(Type.Union(RESTRICTION_KINDS.map((k) => Type.Literal(k)))),
    courtOrder: Type.Boolean(),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    startsOn: Type.Optional(Type.String({ format: 'date' })),
    endsOn: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);
export type RestrictionBody = Static<typeof RestrictionBody>;

export const RestrictionParams = Type.Object({ id: Uuid, restrictionId: Uuid });
export type RestrictionParams = Static<typeof RestrictionParams>;
