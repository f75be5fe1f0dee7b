// The parents' door (issue 21): every route here is under /api/parent/ and declares
// `config: { parent: true }`, so only the parents' hook (src/http/parent-request-context.ts)
// answers it, with the parent's own cookie. Thin routes: parse, call, present.
import type { FastifyReply } from 'fastify';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { parentCtx } from '../../core/parent-context.ts';
import { unauthorised } from '../../core/errors.ts';
import { sendParentMailLater } from './emails.ts';
import { responses, ErrorBody } from '../../shared/schemas/common.ts';
import {
  ChildParams,
  ParentChild,
  ParentChildren,
  ParentCode,
  ParentOk,
  ParentSessionInfo,
  ParentSignIn,
  ParentTotpEnrolment,
  InvitationAccept,
  InvitationCheck,
  InvitationChecked,
  ParentSessionList,
  ParentSignedOutEverywhere,
  PasskeyAnswer,
  PasskeyOptions,
  ParentRecoveryCode,
  ParentRecoveryCodesLeft,
  ParentRecoveryCodesMade,
} from '../../shared/schemas/parents.ts';
import { parentRecoveryCodesLeft } from './recovery-codes.ts';
import { acceptInvitation, checkInvitation } from './accept.ts';
import { parentPasskeyOptions, parentPasskeyVerify } from './passkeys.ts';
import { endParentSessions, PARENT_IDLE_MINUTES } from './sessions.ts';
import { DEVICE_COOKIE, DEVICE_COOKIE_DAYS } from '../identity/devices.ts';
import { cookieOptions } from '../identity/issue.ts';
import {
  parentGiveCode,
  parentPasswordSignIn,
  parentRegenerateRecoveryCodes,
  parentUseRecoveryCode,
  parentSignOut,
  parentStartTotp,
  type Issued,
} from './sign-in.ts';
import {
  clearParentCookie,
  resolveParentSession,
  setParentCookie,
  type ParentSession,
} from './sessions.ts';

/** Config of a parent route: signed-in (full) unless told otherwise. */
export const PARENT = { parent: true } as const;
const PARENT_PUBLIC = { parent: true, public: true } as const;
/** Any stage: waiting for the code, setting one up, or full. */
const PARENT_ANY_STAGE = { parent: true, pendingOk: true, enrolOk: true } as const;

function sessionOrThrow(req: { parentSession: ParentSession | null }): ParentSession {
  if (!req.parentSession) throw unauthorised();
  return req.parentSession;
}

function present(s: ParentSession): ParentSessionInfo {
  return {
    parent: { name: s.name, email: s.email },
    school: { name: s.schoolName },
    stage: s.stage,
    csrfToken: s.csrfToken,
    expiresAt: s.expiresAt.toISOString(),
  };
}

/** Sets the cookie(s) after commit, sends a new device's notice, and reads the session back. */
async function afterIssue(
  services: Services,
  reply: FastifyReply,
  issued: Issued,
): Promise<ParentSessionInfo> {
  setParentCookie(reply, services, issued.token);
  if (issued.device) {
    // The same long-lived device cookie as staff (devices.ts): nothing but randomness.
    reply.setCookie(DEVICE_COOKIE, issued.device, {
      ...cookieOptions(services),
      maxAge: DEVICE_COOKIE_DAYS * 86_400,
    });
  }
  if (issued.noticeTo && services.mailer) {
    await sendParentMailLater(services, {
      template: 'new_device',
      to: issued.noticeTo,
      when: services.clock.now().toISOString(),
    });
  }
  const found = await resolveParentSession(services, issued.token, services.clock.now());
  if (found.state !== 'active') throw new Error('new parent session did not resolve');
  const info = present(found.session);
  return issued.recoveryCodes ? { ...info, recoveryCodes: issued.recoveryCodes } : info;
}

export function registerParentRoutes(app: App, services: Services): void {
  app.post(
    '/api/parent/auth/sign-in',
    {
      config: PARENT_PUBLIC,
      schema: {
        tags: ['parents'],
        summary: 'A parent signs in with email and password',
        body: ParentSignIn,
        response: responses({ 200: ParentSessionInfo, 429: ErrorBody }),
      },
    },
    async (req, reply) =>
      afterIssue(services, reply, await parentPasswordSignIn(services, req, req.body)),
  );

  app.post(
    '/api/parent/auth/code',
    {
      config: { parent: true, pendingOk: true, enrolOk: true },
      schema: {
        tags: ['parents'],
        summary: 'The authenticator code that finishes signing in or confirms a new app',
        body: ParentCode,
        response: responses({ 200: ParentSessionInfo, 429: ErrorBody }),
      },
    },
    async (req, reply) => {
      const s = sessionOrThrow(req);
      if (s.stage === 'full') return present(s);
      return afterIssue(services, reply, await parentGiveCode(services, req, s, req.body.code));
    },
  );

  app.post(
    '/api/parent/auth/recovery-code',
    {
      config: { parent: true, pendingOk: true },
      schema: {
        tags: ['parents'],
        summary: 'A recovery code in place of the authenticator code (each works once)',
        body: ParentRecoveryCode,
        response: responses({ 200: ParentSessionInfo, 409: ErrorBody, 429: ErrorBody }),
      },
    },
    async (req, reply) => {
      const s = sessionOrThrow(req);
      if (s.stage === 'full') return present(s);
      return afterIssue(
        services,
        reply,
        await parentUseRecoveryCode(services, req, s, req.body.code),
      );
    },
  );

  app.get(
    '/api/parent/account/recovery-codes',
    {
      config: PARENT,
      schema: {
        tags: ['parents'],
        summary: 'How many unused recovery codes the parent has',
        response: responses({ 200: ParentRecoveryCodesLeft }),
      },
    },
    async (req) => {
      const c = parentCtx(req);
      return { left: await c.tx((t) => parentRecoveryCodesLeft(t, t.parent.parentId)) };
    },
  );

  app.post(
    '/api/parent/account/recovery-codes',
    {
      config: PARENT,
      schema: {
        tags: ['parents'],
        summary: 'Ten new recovery codes (shown once) with a code from the authenticator app',
        body: ParentCode,
        response: responses({ 200: ParentRecoveryCodesMade, 409: ErrorBody, 429: ErrorBody }),
      },
    },
    async (req) => ({
      codes: await parentRegenerateRecoveryCodes(services, req, sessionOrThrow(req), req.body.code),
    }),
  );

  app.post(
    '/api/parent/auth/totp/enrol',
    {
      config: { parent: true, enrolOk: true },
      schema: {
        tags: ['parents'],
        summary: 'Start setting up an authenticator app (required of every parent)',
        response: responses({ 200: ParentTotpEnrolment, 409: ErrorBody }),
      },
    },
    async (req) => parentStartTotp(services, req, sessionOrThrow(req)),
  );

  app.post(
    '/api/parent/auth/passkey/options',
    {
      config: { parent: true, pendingOk: true, enrolOk: true },
      schema: {
        tags: ['parents'],
        summary: 'Options for the browser: set up a passkey, or answer with one',
        response: responses({ 200: PasskeyOptions, 409: ErrorBody }),
      },
    },
    async (req) => parentPasskeyOptions(services, req, sessionOrThrow(req)),
  );

  app.post(
    '/api/parent/auth/passkey',
    {
      config: { parent: true, pendingOk: true, enrolOk: true },
      schema: {
        tags: ['parents'],
        summary: 'The browser’s answer: a new passkey, or one finishing sign-in',
        body: PasskeyAnswer,
        response: responses({ 200: ParentSessionInfo, 429: ErrorBody }),
      },
    },
    async (req, reply) => {
      const s = sessionOrThrow(req);
      if (s.stage === 'full') return present(s);
      return afterIssue(
        services,
        reply,
        await parentPasskeyVerify(services, req, s, req.body.response),
      );
    },
  );

  app.get(
    '/api/parent/session',
    {
      config: PARENT_ANY_STAGE,
      schema: {
        tags: ['parents'],
        summary: 'The signed-in parent’s session',
        response: responses({ 200: ParentSessionInfo }),
      },
    },
    async (req) => present(sessionOrThrow(req)),
  );

  app.post(
    '/api/parent/auth/sign-out',
    {
      config: PARENT_ANY_STAGE,
      schema: {
        tags: ['parents'],
        summary: 'Sign out',
        response: responses({ 200: ParentOk }),
      },
    },
    async (req, reply) => {
      await parentSignOut(services, req, sessionOrThrow(req));
      clearParentCookie(reply, services);
      return { ok: true as const };
    },
  );

  app.get(
    '/api/parent/children',
    {
      config: PARENT,
      schema: {
        tags: ['parents'],
        summary: 'The parent’s children',
        response: responses({ 200: ParentChildren }),
      },
    },
    async (req) => {
      const c = parentCtx(req);
      const school = req.parentSession?.schoolName ?? '';
      const children = await c.tx((t) => t.children());
      return {
        children: children.map((ch) => ({
          id: ch.pupilId,
          firstName: ch.firstName,
          lastName: ch.lastName,
          yearGroup: ch.yearGroup,
          school,
        })),
      };
    },
  );

  app.get(
    '/api/parent/children/:pupilId',
    {
      config: PARENT,
      schema: {
        tags: ['parents'],
        summary: 'One of the parent’s children',
        params: ChildParams,
        response: responses({ 200: ParentChild }),
      },
    },
    async (req) => {
      const ch = await parentCtx(req).tx((t) => t.child(req.params.pupilId));
      return {
        id: ch.pupilId,
        firstName: ch.firstName,
        lastName: ch.lastName,
        yearGroup: ch.yearGroup,
        school: req.parentSession?.schoolName ?? '',
      };
    },
  );

  app.post(
    '/api/parent/invitation/check',
    {
      config: PARENT_PUBLIC,
      schema: {
        tags: ['parents'],
        summary: 'The emailed invitation link and the child’s date of birth',
        body: InvitationCheck,
        response: responses({ 200: InvitationChecked, 429: ErrorBody }),
      },
    },
    async (req) => checkInvitation(services, req, req.body),
  );

  app.post(
    '/api/parent/invitation/accept',
    {
      config: PARENT_PUBLIC,
      schema: {
        tags: ['parents'],
        summary: 'Accept the invitation: link, date of birth and a new password',
        body: InvitationAccept,
        response: responses({ 200: ParentSessionInfo, 409: ErrorBody, 429: ErrorBody }),
      },
    },
    async (req, reply) =>
      afterIssue(services, reply, await acceptInvitation(services, req, req.body)),
  );

  app.get(
    '/api/parent/account/sessions',
    {
      config: PARENT,
      schema: {
        tags: ['parents'],
        summary: 'Where the parent is signed in',
        response: responses({ 200: ParentSessionList }),
      },
    },
    async (req) => {
      const c = parentCtx(req);
      const rows = await c.tx((t) =>
        t.q<{ id: string; created_at: Date; last_seen_at: Date; user_agent: string | null }>(
          `SELECT id, created_at, last_seen_at, user_agent FROM parent_sessions
           WHERE parent_id = $1 AND ended_at IS NULL AND stage = 'full' AND expires_at > $2
             AND last_seen_at > $3
           ORDER BY last_seen_at DESC`,
          [t.parent.parentId, t.now, new Date(t.now.getTime() - PARENT_IDLE_MINUTES * 60_000)],
        ),
      );
      return {
        sessions: rows.map((r) => ({
          id: r.id,
          current: r.id === c.sessionId,
          startedAt: r.created_at.toISOString(),
          lastSeenAt: r.last_seen_at.toISOString(),
          device: describeDevice(r.user_agent),
        })),
      };
    },
  );

  app.post(
    '/api/parent/account/sign-out-everywhere',
    {
      config: PARENT,
      schema: {
        tags: ['parents'],
        summary: 'Sign out on every device, this one too',
        response: responses({ 200: ParentSignedOutEverywhere }),
      },
    },
    async (req, reply) => {
      const ended = await parentCtx(req).tx(async (t) => {
        const n = await endParentSessions(t.db, t.parent.parentId, 'signed_out_everywhere', t.now);
        await t.audit({
          action: 'parent.session_ended',
          targetType: 'parent',
          targetId: t.parent.parentId,
          details: { reason: 'signed_out_everywhere', sessions: n },
        });
        return n;
      });
      clearParentCookie(reply, services);
      return { ended };
    },
  );
}

/** A browser and system in a few words, from the user agent ("Safari on iPhone"). */
export function describeDevice(ua: string | null): string {
  if (!ua) return 'Unknown device';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrome\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'A browser';
  const system = /iPhone|iPad/.test(ua)
    ? 'iPhone or iPad'
    : /Android/.test(ua)
      ? 'Android'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X/.test(ua)
          ? 'Mac'
          : /Linux/.test(ua)
            ? 'Linux'
            : 'an unknown system';
  return `${browser} on ${system}`;
}
