// Trips and their offline emergency cards (issue 21, part M): schemas shared by the server and
// the web app, and the shape of a card inside an encrypted bundle (which only the device opens).
import { CONSENT_STATES, type ConsentState } from './consents.ts';
import { Type, type Static } from 'typebox';
import { EntryContent } from './medical.ts';

const Uuid = Type.String({ format: 'uuid' });
/** The most consent forms one trip names. */
export const MAX_TRIP_CONSENT_FORMS = 20;

export const NewTrip = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    startsOn: Type.String({ format: 'date' }),
    endsOn: Type.String({ format: 'date' }),
    leaderIds: Type.Array(Uuid, { minItems: 1, maxItems: 50, uniqueItems: true }),
    pupilIds: Type.Array(Uuid, { minItems: 1, maxItems: 500, uniqueItems: true }),
    /** The school's consent forms that apply to this trip: their answers go on its cards. */
    consentFormIds: Type.Optional(
      Type.Array(Uuid, { maxItems: MAX_TRIP_CONSENT_FORMS, uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);
export type NewTrip = Static<typeof NewTrip>;
/**
 * An edit gives the whole trip again (a consent form left out is no longer linked), with the
 * trip's `fingerprint` as the editor loaded it: an edit based on a trip someone else has changed
 * since is refused (409) rather than silently undoing their change.
 */
export const EditTrip = Type.Object(
  { ...NewTrip.properties, basedOn: Type.String({ pattern: '^[0-9a-f]{32}$' }) },
  { additionalProperties: false },
);
export type EditTrip = Static<typeof EditTrip>;
export const TripEdited = Type.Object({
  id: Type.String(),
  /** Cards already downloaded for the trip, revoked by the edit: they must be prepared again. */
  revokedBundles: Type.Integer(),
});
export type TripEdited = Static<typeof TripEdited>;

export const TRIP_ACTIONS = ['download_cards', 'revoke_cards', 'edit'] as const;
export type TripAction = (typeof TRIP_ACTIONS)[number];

export const TripSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  startsOn: Type.String(),
  endsOn: Type.String(),
  pupils: Type.Integer(),
  leaders: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  /** When the trip's cards stop opening: the end of its last day plus 24 hours. */
  cardsExpireAt: Type.String(),
  allowed: Type.Array(
    Type.Unsafe<TripAction>(Type.Union(TRIP_ACTIONS.map((a) => Type.Literal(a)))),
  ),
});
export type TripSummary = Static<typeof TripSummary>;
export const TripList = Type.Object({ items: Type.Array(TripSummary) });
export type TripList = Static<typeof TripList>;

export const BundleSummary = Type.Object({
  id: Type.String(),
  holder: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  revokedBecause: Type.Union([
    Type.Literal('revoked'),
    Type.Literal('replaced'),
    Type.Literal('trip_edited'),
    Type.Null(),
  ]),
});
const ConsentStateT = Type.Unsafe<ConsentState>(
  Type.Union(CONSENT_STATES.map((s) => Type.Literal(s))),
);
export const Trip = Type.Object({
  ...TripSummary.properties,
  /** The consent forms the trip names, chosen from the school's. */
  consentForms: Type.Array(Type.Object({ id: Type.String(), title: Type.String() })),
  pupilList: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      /** Per linked form: what the parents' answers come to (the consent pages' own rule). */
      consents: Type.Array(
        Type.Object({
          formId: Type.String(),
          title: Type.String(),
          version: Type.Union([Type.Integer(), Type.Null()]),
          state: Type.Union([ConsentStateT, Type.Literal('not_asked')]),
        }),
      ),
    }),
  ),
  bundles: Type.Array(BundleSummary),
  /** What the trip's details are now, for an edit to say what it was based on (EditTrip). */
  fingerprint: Type.String(),
});
export type Trip = Static<typeof Trip>;

/** The encrypted bundle as downloaded: AES-256-GCM, the tag at the end of `ciphertext`. */
export const CardBundle = Type.Object({
  id: Type.String(),
  schoolId: Type.String(),
  /** The device's own proof for the public status and log routes (never shown to anyone). */
  statusToken: Type.String(),
  tripId: Type.String(),
  tripName: Type.String(),
  expiresAt: Type.String(),
  /** base64 */
  iv: Type.String(),
  /** base64: the cards' JSON (CardSet), encrypted, with the 16-byte tag appended. */
  ciphertext: Type.String(),
  /** The additional data the ciphertext is bound to. */
  aad: Type.String(),
});
export type CardBundle = Static<typeof CardBundle>;
export const BundleKey = Type.Object({ key: Type.String(), expiresAt: Type.String() });
export type BundleKey = Static<typeof BundleKey>;
export const BUNDLE_STATES = ['active', 'revoked', 'expired'] as const;
export const BundleStatus = Type.Object({
  state: Type.Unsafe<(typeof BUNDLE_STATES)[number]>(
    Type.Union(BUNDLE_STATES.map((s) => Type.Literal(s))),
  ),
  expiresAt: Type.String(),
});
export type BundleStatus = Static<typeof BundleStatus>;

/** What the device logged while it had no network, sent when it is back. */
/** The most events a device sends at once (it sends its log in chunks of this size). */
export const DEVICE_EVENTS_PER_REQUEST = 500;
/** The most events recorded for one bundle, per pupil on it: a log cannot flood the audit trail. */
export const DEVICE_EVENTS_PER_PUPIL = 20;

export const DeviceEvents = Type.Object(
  {
    events: Type.Array(
      Type.Object(
        {
          /** A random id the device gives each event: one sent twice is recorded once. */
          id: Uuid,
          kind: Type.Union([Type.Literal('viewed'), Type.Literal('refused')]),
          at: Type.String({ format: 'date-time' }),
          pupilId: Type.Optional(Uuid),
          reason: Type.Optional(
            Type.Union([
              Type.Literal('expired'),
              Type.Literal('revoked'),
              Type.Literal('wrong_pin'),
              Type.Literal('locked'),
            ]),
          ),
        },
        { additionalProperties: false },
      ),
      { maxItems: DEVICE_EVENTS_PER_REQUEST },
    ),
  },
  { additionalProperties: false },
);
export type DeviceEvents = Static<typeof DeviceEvents>;
/** The public routes' parameters and proof: the bundle, in its school, and its status token. */
export const BundleInSchool = Type.Object({ schoolId: Uuid, id: Uuid });
export const StatusToken = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export const TokenDeviceEvents = Type.Object(
  { token: StatusToken.properties.token, events: DeviceEvents.properties.events },
  { additionalProperties: false },
);
export type TokenDeviceEvents = Static<typeof TokenDeviceEvents>;

/** One pupil's card, inside the encrypted bundle. */
export type Card = {
  pupilId: string;
  name: string;
  dateOfBirth: string | null;
  yearGroup: string | null;
  form: string | null;
  /** A data: URL when Lantern holds the pupil's photo as data. */
  photo: string | null;
  contacts: {
    name: string;
    relationship: string | null;
    priority: number | null;
    phones: { kind: string; number: string }[];
  }[];
  conditions: CardItem[];
  medications: CardItem[];
  allergies: CardItem[];
  dietary: CardItem[];
  plans: {
    kind: string;
    title: string;
    expiresOn: string;
    /** The plan's current file, carried inside the encrypted bundle to open with no network. */
    document?: PlanDocument;
    /** The file did not fit the trip's budget beside the others (TRIP_DOCUMENTS_MAX_BYTES). */
    documentLeftOut?: true;
  }[];
  /**
   * What the parents' answers to each consent form asking about the pupil come to (issue 21), on
   * the form's current version: given, refused, parents disagree, not answered, or the form
   * withdrawn by the school.
   */
  consents: { title: string; version: number; state: ConsentState }[];
};
export type CardItem = EntryContent & { confirmed: boolean };
/** A plan's file on a card: its bytes (base64), type and SHA-256 (hex) as Lantern holds them. */
export type PlanDocument = { fileName: string; mime: string; sha256: string; data: string };
/**
 * The most plan documents' bytes one trip's bundle carries (all its pupils' plans together,
 * smallest first; a file that does not fit is left out and the card says so). The
 * device keeps the bundle in the browser's local storage (about 5 million characters an origin,
 * the bundle's base64 inside base64 taking 16/9 of the bytes), so one plan of the largest size a
 * plan may be (2 MiB) fits with room for the cards themselves.
 */
export const TRIP_DOCUMENTS_MAX_BYTES = 2 * 1024 * 1024;
export type CardSet = {
  bundleId: string;
  tripName: string;
  startsOn: string;
  endsOn: string;
  expiresAt: string;
  cards: Card[];
};
