// Request and response schemas of the parents' side (issue 21): the parent's sign-in, session and
// children. The parent web app (web/src/parent/) takes its types from here. Nothing here may carry
// a safeguarding record's or a staff record's fields (separation.test.ts checks every parent
// route's response schema against a deny-list).
import { Type, type Static } from 'typebox';

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
});
export type ParentSessionInfo = Static<typeof ParentSessionInfo>;

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
