// Request and response schemas of the parents' side (issue 21): the parent's sign-in, session and
// children. The parent web app (web/src/parent/) takes its types from here. Nothing here may carry
// a safeguarding record's or a staff record's fields (separation.test.ts checks every parent
// route's response schema against a deny-list).
import { Type, type Static } from 'typebox';
import { FactorResetReason } from '../factor-reset.ts';

const Email = Type.String({ minLength: 3, maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: 1024 });

export const ParentSignIn = Type.Object(
  { email: Email, password: Password },
  { additionalProperties: false },
);
export type ParentSignIn = Static<typeof ParentSignIn>;

export const ParentCode = Type.Object(
  { code: Type.String({ minLength: 6, maxLength: 12 }) },
  { additionalProperties: false },
);
export type ParentCode = Static<typeof ParentCode>;

export const ParentStage = Type.Union([
  Type.Literal('second_factor'),
  Type.Literal('enrol'),
  Type.Literal('full'),
]);
export type ParentStage = Static<typeof ParentStage>;

/** The signed-in parent as the parent app sees them. */
export const ParentSessionInfo = Type.Object({
  parent: Type.Object({ name: Type.String(), email: Type.String() }),
  school: Type.Object({ name: Type.String() }),
  stage: ParentStage,
  csrfToken: Type.String(),
  expiresAt: Type.String(),
  /** Ten recovery codes, shown once: only in the answer that confirms a first second factor. */
  recoveryCodes: Type.Optional(Type.Array(Type.String())),
});
export type ParentSessionInfo = Static<typeof ParentSessionInfo>;

/** A recovery code typed at sign-in (`7k2m-q9xd-4hcz`; spaces and dashes allowed). */
export const ParentRecoveryCode = Type.Object(
  { code: Type.String({ minLength: 12, maxLength: 20 }) },
  { additionalProperties: false },
);
export type ParentRecoveryCode = Static<typeof ParentRecoveryCode>;

/** How many unused recovery codes the parent has. */
export const ParentRecoveryCodesLeft = Type.Object({ left: Type.Integer({ minimum: 0 }) });
export type ParentRecoveryCodesLeft = Static<typeof ParentRecoveryCodesLeft>;

/** Ten new recovery codes, shown once; the old ones no longer work. */
export const ParentRecoveryCodesMade = Type.Object({ codes: Type.Array(Type.String()) });
export type ParentRecoveryCodesMade = Static<typeof ParentRecoveryCodesMade>;

export const ParentTotpEnrolment = Type.Object({
  qrSvg: Type.String(),
  manualKey: Type.String(),
  otpauthUri: Type.String(),
});
export type ParentTotpEnrolment = Static<typeof ParentTotpEnrolment>;

/** A child as their parent sees them: name, year group and school, nothing else. */
export const ParentChild = Type.Object({
  id: Type.String(),
  firstName: Type.String(),
  lastName: Type.String(),
  yearGroup: Type.Union([Type.String(), Type.Null()]),
  school: Type.String(),
});
export type ParentChild = Static<typeof ParentChild>;

export const ParentChildren = Type.Object({ children: Type.Array(ParentChild) });
export type ParentChildren = Static<typeof ParentChildren>;

export const ChildParams = Type.Object({ pupilId: Type.String({ maxLength: 64 }) });

export const ParentOk = Type.Object({ ok: Type.Literal(true) });

// The staff side: "Parents and forms" (invitations and accounts).

export const InvitationStatus = Type.Union([
  Type.Literal('not_invited'),
  Type.Literal('invited'),
  Type.Literal('accepted'),
  Type.Literal('bounced'),
  Type.Literal('revoked'),
]);
export type InvitationStatus = Static<typeof InvitationStatus>;

export const InvitationAction = Type.Union([
  Type.Literal('invite'),
  Type.Literal('resend'),
  Type.Literal('revoke'),
  Type.Literal('reset_second_factor'),
]);
/** Why a parent's second factor is reset: kept for staff (the audit trail), never sent. */
export const ParentFactorReset = Type.Object(
  { reason: FactorResetReason },
  { additionalProperties: false },
);
export const ParentFactorResetDone = Type.Object({ sessionsEnded: Type.Integer() });
export type InvitationAction = Static<typeof InvitationAction>;

/** One eligible contact of one pupil, and their invitation. */
export const InvitationRow = Type.Object({
  pupilId: Type.String(),
  pupilName: Type.String(),
  yearGroup: Type.Union([Type.String(), Type.Null()]),
  contactId: Type.String(),
  contactName: Type.String(),
  relationship: Type.Union([Type.String(), Type.Null()]),
  parentalResponsibility: Type.Boolean(),
  hasEmail: Type.Boolean(),
  restricted: Type.Boolean(),
  invitationId: Type.Union([Type.String(), Type.Null()]),
  status: InvitationStatus,
  remindersSent: Type.Integer(),
  invitedAt: Type.Union([Type.String(), Type.Null()]),
  allowed: Type.Array(InvitationAction),
});
export type InvitationRow = Static<typeof InvitationRow>;

export const InvitationList = Type.Object({
  yearGroups: Type.Array(Type.String()),
  rows: Type.Array(InvitationRow),
});
export type InvitationList = Static<typeof InvitationList>;

export const InvitationQuery = Type.Object(
  {
    yearGroup: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    pupilId: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);

export const InviteBody = Type.Object(
  {
    pupilIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 500 })),
    yearGroup: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    contactId: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);
export type InviteBody = Static<typeof InviteBody>;

export const InviteResult = Type.Object({
  invited: Type.Integer(),
  alreadyAccepted: Type.Integer(),
  refused: Type.Array(
    Type.Object({
      pupilId: Type.String(),
      contactId: Type.String(),
      reason: Type.Union([Type.Literal('restricted'), Type.Literal('no_email')]),
      message: Type.String(),
    }),
  ),
});
export type InviteResult = Static<typeof InviteResult>;

// The parent side of an invitation: the emailed link, the child's date of birth, a password.

export const InvitationCheck = Type.Object(
  {
    token: Type.String({ minLength: 43, maxLength: 43 }),
    dateOfBirth: Type.String({ format: 'date' }),
  },
  { additionalProperties: false },
);
export type InvitationCheck = Static<typeof InvitationCheck>;

export const InvitationChecked = Type.Object({
  /** The account has no password yet: the parent chooses one next. */
  needsPassword: Type.Boolean(),
  school: Type.String(),
});
export type InvitationChecked = Static<typeof InvitationChecked>;

export const InvitationAccept = Type.Object(
  {
    token: Type.String({ minLength: 43, maxLength: 43 }),
    dateOfBirth: Type.String({ format: 'date' }),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false },
);
export type InvitationAccept = Static<typeof InvitationAccept>;

/** A parent's own sessions (devices), to see and end. */
export const ParentSessionRow = Type.Object({
  id: Type.String(),
  current: Type.Boolean(),
  startedAt: Type.String(),
  lastSeenAt: Type.String(),
  device: Type.String(),
});
export const ParentSessionList = Type.Object({ sessions: Type.Array(ParentSessionRow) });
export type ParentSessionList = Static<typeof ParentSessionList>;
export const ParentSignedOutEverywhere = Type.Object({ ended: Type.Integer() });

/** A passkey (WebAuthn): the browser's options, and its answer. */
export const PasskeyOptions = Type.Object({ options: Type.Unknown() });
export const PasskeyAnswer = Type.Object(
  { response: Type.Unknown({ description: 'The browser credential response (JSON)' }) },
  { additionalProperties: false },
);
