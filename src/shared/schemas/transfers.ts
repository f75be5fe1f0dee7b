// Child-protection file transfers (issue 18): the establishment directory, the sending school's
// transfers (with their statutory clock), and the receiving school's inbox and "Previous school"
// section. Types for the server and the web app alike.
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';
import type { BodyMapMark } from '../body-map.ts';
import { TRANSFER_KEEPS, type TransferKeeps } from '../retention.ts';

const N = Type.Union([Type.String(), Type.Null()]);
const CalendarDate = Type.String({ format: 'date' });

export const TRANSFER_STATES = [
  'draft',
  'sent',
  'viewed',
  'accepted',
  'rejected',
  'failed',
  'revoked',
  'closed',
] as const;
export type TransferState = (typeof TRANSFER_STATES)[number];
export const CLOCK_RULES = ['school_days', 'calendar_days'] as const;
export type ClockRule = (typeof CLOCK_RULES)[number];
/** Days the statutory clock allows (KCSIE: "within 5 days"). */
export const TRANSFER_DAYS = 5;

// The directory: a destination picked by name or URN. The words travel in the body, not the URL.
export const DirectorySearch = Type.Object(
  { query: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export const Establishment = Type.Object({
  urn: Type.Integer(),
  name: Type.String(),
  localAuthority: N,
  postcode: N,
  status: N,
  /**
   * The domain a DSL address there must be under: only one this school's DSL confirmed. The
   * directory's website host is never taken for it (a school's website and its email are often
   * elsewhere: a trust's, a council's, a web designer's domain).
   */
  domain: N,
  /** The directory's website host, a hint for the DSL confirming the domain (never a domain). */
  website: N,
  domainConfirmed: Type.Boolean(),
  /** The school uses this Lantern: the file goes straight to its DSL team. */
  onThisLantern: Type.Boolean(),
});
export type Establishment = Static<typeof Establishment>;
export const DirectoryResults = Type.Object({ items: Type.Array(Establishment) });
export type DirectoryResults = Static<typeof DirectoryResults>;
export const UrnParams = Type.Object({ urn: Type.Integer({ minimum: 1, maximum: 999999999 }) });
export const ConfirmDomain = Type.Object(
  { domain: Type.String({ minLength: 3, maxLength: 253 }) },
  { additionalProperties: false },
);

// The sending school's side.
export const NewTransfer = Type.Object(
  {
    pupilId: Uuid,
    leavingOn: CalendarDate,
    /** null: the destination is unknown (missing education, home education, moved abroad). */
    destinationUrn: Type.Union([Type.Integer({ minimum: 1, maximum: 999999999 }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type NewTransfer = Static<typeof NewTransfer>;

export const SetDestination = Type.Object(
  { destinationUrn: Type.Integer({ minimum: 1, maximum: 999999999 }) },
  { additionalProperties: false },
);

export const SendTransfer = Type.Object(
  {
    /** Items left out, each only with its reason; everything else goes. */
    withhold: Type.Array(
      Type.Object(
        {
          itemId: Type.String({ minLength: 1, maxLength: 100 }),
          reason: Type.String({ minLength: 1, maxLength: 2000 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 1000 },
    ),
    /**
     * A school on no Lantern: the receiving DSL's address, under the school's domain (the
     * directory's or one this school's DSL confirmed). "Send again" reuses the last one if absent.
     */
    recipientEmail: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
  },
  { additionalProperties: false },
);
export type SendTransfer = Static<typeof SendTransfer>;

export const TransferClock = Type.Object({
  rule: Type.Unsafe<ClockRule>(Type.Union(CLOCK_RULES.map((r) => Type.Literal(r)))),
  /** The later of the leaving date and the day the destination was confirmed; null while unknown. */
  startsOn: N,
  dueOn: N,
  /** How the screen says it: "5 school days from …". */
  explanation: Type.String(),
  overdue: Type.Boolean(),
});
export type TransferClock = Static<typeof TransferClock>;

export const LINK_STATES = ['live', 'revoked', 'replaced', 'accepted'] as const;
export type LinkState = (typeof LINK_STATES)[number];
/** Days a link to a school on no Lantern works, unless the school sets its own (1 to 60). */
export const LINK_DAYS_DEFAULT = 14;
export const LINK_DAYS_MAX = 60;

const TRANSFER_ACTIONS = ['send', 'set_destination', 'revoke', 'send_again', 'close'] as const;
export type TransferAction = (typeof TRANSFER_ACTIONS)[number];

export const TransferOut = Type.Object({
  id: Uuid,
  pupil: Type.Object({ id: Type.String(), name: Type.String() }),
  trigger: Type.String(),
  leavingOn: Type.String(),
  destination: Type.Union([
    Type.Object({
      urn: Type.Integer(),
      name: Type.String(),
      /** On this Lantern the file goes to its inbox; otherwise as a link to its DSL's address. */
      onThisLantern: Type.Boolean(),
      /** The domain that DSL address must be under (null: none confirmed yet, confirm one first). */
      domain: N,
      /** The directory's website host: a hint for confirming the domain, never the domain. */
      website: N,
    }),
    Type.Null(),
  ]),
  state: Type.Unsafe<TransferState>(Type.Union(TRANSFER_STATES.map((s) => Type.Literal(s)))),
  clock: TransferClock,
  sentAt: N,
  receipt: Type.Union([Type.Object({ name: Type.String(), role: Type.String() }), Type.Null()]),
  acceptedAt: N,
  rejectedReason: N,
  closedReason: N,
  manifestSha256: N,
  /** The link sent to a school on no Lantern (the latest one), else null. */
  link: Type.Union([
    Type.Object({
      email: Type.String(),
      expiresAt: Type.String(),
      openedAt: N,
      state: Type.Unsafe<LinkState>(Type.Union(LINK_STATES.map((s) => Type.Literal(s)))),
    }),
    Type.Null(),
  ]),
  /** Once accepted: what this school keeps (its retention setting), and until when. */
  kept: Type.Union([
    Type.Object({
      mode: Type.Unsafe<TransferKeeps>(Type.Union(TRANSFER_KEEPS.map((k) => Type.Literal(k)))),
      until: N,
      /** When the nightly job removed the copy, its date passed (null: still kept). */
      removedAt: N,
      /**
       * The day the copy fell due for review under a `review` rule (null: not yet): it is kept
       * until the school decides (not yet in the retention review queue; see RETENTION.md).
       */
      reviewDueOn: N,
    }),
    Type.Null(),
  ]),
  /** Tasks the unknown destination calls for (tell the local authority, the social worker). */
  tasks: Type.Array(Type.String()),
  allowed: Type.Array(
    Type.Unsafe<TransferAction>(Type.Union(TRANSFER_ACTIONS.map((a) => Type.Literal(a)))),
  ),
});
export type TransferOut = Static<typeof TransferOut>;

export const FileItem = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  happenedAt: Type.String(),
  title: Type.String(),
  text: N,
  categories: Type.Array(Type.String()),
  author: N,
  /** Other pupils as the receiving school may see them: initials and role, never an id. */
  pupils: Type.Array(Type.Object({ name: Type.String(), role: Type.String() })),
  status: N,
  /** A concern's body map, when it has one (absent otherwise, so older files hash the same). */
  bodyMap: Type.Optional(
    Type.Array(
      Type.Object({
        side: Type.Unsafe<BodyMapMark['side']>(Type.String()),
        x: Type.Number(),
        y: Type.Number(),
        type: Type.Unsafe<BodyMapMark['type']>(Type.String()),
        description: Type.String(),
      }),
    ),
  ),
});
export type FileItem = Static<typeof FileItem>;

export const ManifestEntry = Type.Object({
  itemId: Type.String(),
  kind: Type.String(),
  sha256: Type.String(),
});
export type ManifestEntry = Static<typeof ManifestEntry>;

export const TransferFilePreview = Type.Object({
  transfer: TransferOut,
  items: Type.Array(FileItem),
});
export type TransferFilePreview = Static<typeof TransferFilePreview>;

// The receiving school's side.
const INBOX_ACTIONS = ['open', 'accept', 'reject'] as const;
export type InboxAction = (typeof INBOX_ACTIONS)[number];
const InboxState = Type.Union([
  Type.Literal('sent'),
  Type.Literal('viewed'),
  Type.Literal('accepted'),
  Type.Literal('rejected'),
  Type.Literal('revoked'),
]);
export const TransferIn = Type.Object({
  id: Uuid,
  fromSchool: Type.String(),
  state: InboxState,
  receivedAt: Type.String(),
  /** Held until the pupil is on this school's roll (matched by UPN). */
  pupilMatched: Type.Boolean(),
  allowed: Type.Array(
    Type.Unsafe<InboxAction>(Type.Union(INBOX_ACTIONS.map((a) => Type.Literal(a)))),
  ),
});
export type TransferIn = Static<typeof TransferIn>;

export const ReceivedFile = Type.Object({
  id: Uuid,
  fromSchool: Type.String(),
  pupil: Type.Object({ name: Type.String(), dateOfBirth: N, upn: N }),
  sentAt: Type.String(),
  items: Type.Array(FileItem),
  withheld: Type.Array(Type.Object({ itemId: Type.String(), reason: Type.String() })),
  manifest: Type.Array(ManifestEntry),
  manifestSha256: Type.String(),
  receipt: Type.Union([Type.Object({ name: Type.String(), role: Type.String() }), Type.Null()]),
  acceptedAt: N,
});
export type ReceivedFile = Static<typeof ReceivedFile>;

export const Receipt = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type Receipt = Static<typeof Receipt>;
export const Rejection = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);

/** Closing a transfer that will not be sent through Lantern: always with its reason. */
export const CloseTransfer = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);

export const TransfersView = Type.Object({
  out: Type.Array(TransferOut),
  in: Type.Array(TransferIn),
  clockRule: Type.Unsafe<ClockRule>(Type.Union(CLOCK_RULES.map((r) => Type.Literal(r)))),
  /** How many days a link to a school on no Lantern works. */
  linkDays: Type.Integer(),
});
export type TransfersView = Static<typeof TransfersView>;

export const ClockRuleBody = Type.Object(
  { clockRule: Type.Unsafe<ClockRule>(Type.Union(CLOCK_RULES.map((r) => Type.Literal(r)))) },
  { additionalProperties: false },
);

export const PreviousSchool = Type.Object({ files: Type.Array(ReceivedFile) });
export type PreviousSchool = Static<typeof PreviousSchool>;

export const LinkSettingsBody = Type.Object(
  { linkDays: Type.Integer({ minimum: 1, maximum: LINK_DAYS_MAX }) },
  { additionalProperties: false },
);

// The public page of a link to a school on no Lantern: no session; the token travels in the body
// (the page reads it from the link's #fragment, which no server or Referer ever sees).
const Token = Type.String({ minLength: 1, maxLength: 100 });
export const LinkToken = Type.Object({ token: Token }, { additionalProperties: false });
/** The page's ask: with the token from the email, or (a reload) none, when the view key decides. */
export const LinkAsk = Type.Object(
  { token: Type.Optional(Token) },
  { additionalProperties: false },
);
export const LinkCode = Type.Object(
  { token: Token, code: Type.String({ minLength: 1, maxLength: 20 }) },
  { additionalProperties: false },
);
export const LinkReceipt = Type.Object(
  {
    token: Type.Optional(Token),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export const LinkView = Type.Object({
  fromSchool: Type.String(),
  toSchool: Type.String(),
  expiresAt: Type.String(),
  /** locked: a code is needed; open: this browser opened it; accepted: receipt confirmed. */
  state: Type.Union([Type.Literal('locked'), Type.Literal('open'), Type.Literal('accepted')]),
  /** The address the code goes to, partly hidden (j•••@school.sch.uk). */
  codeTo: Type.String(),
  file: Type.Union([
    Type.Object({
      pupil: Type.Object({ name: Type.String(), dateOfBirth: N, upn: N }),
      items: Type.Array(
        Type.Object({ kind: Type.String(), happenedAt: Type.String(), title: Type.String() }),
      ),
      withheld: Type.Array(Type.Object({ itemId: Type.String(), reason: Type.String() })),
      manifestSha256: Type.String(),
    }),
    Type.Null(),
  ]),
  receipt: Type.Union([Type.Object({ name: Type.String(), role: Type.String() }), Type.Null()]),
});
export type LinkView = Static<typeof LinkView>;
export const CodeSent = Type.Object({ sentTo: Type.String(), validMinutes: Type.Integer() });
export type CodeSent = Static<typeof CodeSent>;

/** Opening the copy a school kept of a transferred file: always with a reason. */
export const KeptCopyRequest = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);
export const KeptCopy = Type.Object({
  kept: Type.Unsafe<TransferKeeps>(Type.Union(TRANSFER_KEEPS.map((k) => Type.Literal(k)))),
  keptUntil: N,
  items: Type.Array(FileItem),
  withheld: Type.Array(Type.Object({ itemId: Type.String(), reason: Type.String() })),
  manifestSha256: Type.String(),
  /** Every opening, with who, when and why. */
  openings: Type.Array(
    Type.Object({ by: Type.String(), at: Type.String(), reason: Type.String() }),
  ),
});
export type KeptCopy = Static<typeof KeptCopy>;
