// Request and response schemas of signing in, sessions, second factors and passwords
// (src/features/identity). The web app takes its types from here.
import { Type, type Static } from 'typebox';

/** The kinds of second factor a person may give. */
export const FactorMethod = Type.Union([
  Type.Literal('totp'),
  Type.Literal('recovery_code'),
  Type.Literal('webauthn'),
]);
export type FactorMethod = Static<typeof FactorMethod>;

const Email = Type.String({ minLength: 3, maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: 1024 });

// Signing in, and the session the UI is given.

export const SignIn = Type.Object(
  { email: Email, password: Password },
  { additionalProperties: false },
);
export type SignIn = Static<typeof SignIn>;

export const SessionInfo = Type.Object({
  user: Type.Object({
    id: Type.String(),
    name: Type.String(),
    email: Type.String(),
    role: Type.String(),
  }),
  school: Type.Object({ id: Type.String(), name: Type.String() }),
  csrfToken: Type.String(),
  capabilities: Type.Array(Type.String(), {
    description: 'What this user may do now; the UI shows only these (the server still checks).',
  }),
  capabilitiesWhenElevated: Type.Array(Type.String(), {
    description: 'What they may do after stepping up with a second factor.',
  }),
  elevated: Type.Boolean(),
  elevatedUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  secondFactor: Type.Object({
    enrolled: Type.Boolean(),
    required: Type.Boolean({ description: 'The school requires this user to enrol one.' }),
    enrolmentRequired: Type.Boolean({
      description:
        'Required but none set up: this session may only set one up (then it is elevated).',
    }),
    totp: Type.Boolean(),
    webauthn: Type.Integer(),
    recoveryCodesLeft: Type.Integer(),
  }),
  expiresAt: Type.String({ format: 'date-time' }),
  idleExpiresAt: Type.String({ format: 'date-time' }),
  idleWarningAt: Type.String({ format: 'date-time' }),
  sourceUrl: Type.String({
    description: 'Where the source code of this running version can be had (AGPL-3.0).',
  }),
});
export type SessionInfo = Static<typeof SessionInfo>;

/** A correct password from someone who must now give a second factor. */
export const PendingInfo = Type.Object({
  secondFactorRequired: Type.Literal(true),
  methods: Type.Array(FactorMethod),
  csrfToken: Type.String(),
});
export type PendingInfo = Static<typeof PendingInfo>;

export const SignedIn = Type.Union([SessionInfo, PendingInfo]);
export type SignedIn = Static<typeof SignedIn>;

// My sessions.

export const SessionList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      current: Type.Boolean(),
      createdAt: Type.String({ format: 'date-time' }),
      lastSeenAt: Type.String({ format: 'date-time' }),
      userAgent: Type.Union([Type.String(), Type.Null()]),
      elevated: Type.Boolean(),
    }),
  ),
});
export type SessionList = Static<typeof SessionList>;

export const SessionsEnded = Type.Object({ ended: Type.Integer() });
export type SessionsEnded = Static<typeof SessionsEnded>;

// Passwords.

export const ForgottenPassword = Type.Object({ email: Email }, { additionalProperties: false });
export type ForgottenPassword = Static<typeof ForgottenPassword>;

export const SetPasswordWithLink = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }), password: Password },
  { additionalProperties: false },
);
export type SetPasswordWithLink = Static<typeof SetPasswordWithLink>;

export const PasswordChange = Type.Object(
  { currentPassword: Password, newPassword: Password },
  { additionalProperties: false },
);
export type PasswordChange = Static<typeof PasswordChange>;

// Second factors.

/** An authentication code or a recovery code. */
export const FactorCode = Type.Object(
  { code: Type.String({ minLength: 6, maxLength: 20 }) },
  { additionalProperties: false },
);
export type FactorCode = Static<typeof FactorCode>;

export const TotpEnrolment = Type.Object({
  qrSvg: Type.String(),
  manualKey: Type.String(),
  otpauthUri: Type.String(),
});
export type TotpEnrolment = Static<typeof TotpEnrolment>;

/** The authenticator app confirmed: the elevated session, and recovery codes if there were none. */
export const TotpConfirmed = Type.Object({
  session: SessionInfo,
  recoveryCodes: Type.Union([Type.Array(Type.String()), Type.Null()]),
});
export type TotpConfirmed = Static<typeof TotpConfirmed>;

export const RecoveryCodes = Type.Object({ codes: Type.Array(Type.String()) });
export type RecoveryCodes = Static<typeof RecoveryCodes>;

/** The browser's answer to a security-key challenge. */
export const SecurityKeyResponse = Type.Object(
  {
    response: Type.Unknown({ description: 'The browser credential response (JSON)' }),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type SecurityKeyResponse = Static<typeof SecurityKeyResponse>;

/** The options handed to the browser's WebAuthn call. */
export const SecurityKeyOptions = Type.Object({ options: Type.Unknown() });
export type SecurityKeyOptions = Static<typeof SecurityKeyOptions>;

export const SecurityKeyRegistered = Type.Object({
  id: Type.String(),
  recoveryCodes: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description: 'Ten new recovery codes, shown once, when the user had none left.',
  }),
  session: Type.Union([SessionInfo, Type.Null()], {
    description:
      'The first factor, like a confirmed authenticator app, replaces the session with an elevated one (new id and CSRF token); null otherwise.',
  }),
});
export type SecurityKeyRegistered = Static<typeof SecurityKeyRegistered>;

export const SecurityKey = Type.Object({
  id: Type.String(),
  label: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type SecurityKey = Static<typeof SecurityKey>;

export const SecurityKeyList = Type.Object({ items: Type.Array(SecurityKey) });
export type SecurityKeyList = Static<typeof SecurityKeyList>;
