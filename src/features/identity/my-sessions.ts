// A member's own sessions: sign out here, sign out everywhere (every device, this one included),
// and the list of those still open. Each ending is audited in the member's transaction.
import type { Tx } from '../../core/context.ts';
import type { SessionList } from '../../shared/schemas/identity.ts';
import { endSession, endUserSessions } from './sessions.ts';

export async function signOut(t: Tx, sessionId: string): Promise<void> {
  await endSession(t.db, sessionId, 'signed_out', t.now);
  await t.audit({ action: 'auth.sign_out', targetType: 'session', targetId: sessionId });
}

/** Ends every open session of mine; answers how many. */
export async function signOutEverywhere(t: Tx): Promise<number> {
  const ids = await endUserSessions(t.db, t.actor.userId, 'signed_out_everywhere', t.now);
  await t.audit({
    action: 'auth.signed_out_everywhere',
    targetType: 'user',
    targetId: t.actor.userId,
    details: { sessions: ids.length },
  });
  return ids.length;
}

/** My open, fully signed-in sessions, most recently used first. */
export async function listMySessions(t: Tx, currentSessionId: string): Promise<SessionList> {
  const rows = await t.q<{
    id: string;
    created_at: Date;
    last_seen_at: Date;
    user_agent: string | null;
    elevated_until: Date | null;
  }>(
    `SELECT id, created_at, last_seen_at, user_agent, elevated_until FROM sessions
     WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 AND stage = 'full'
     ORDER BY last_seen_at DESC`,
    [t.actor.userId, t.now],
  );
  return {
    items: rows.map((r) => ({
      id: r.id,
      current: r.id === currentSessionId,
      createdAt: r.created_at.toISOString(),
      lastSeenAt: r.last_seen_at.toISOString(),
      userAgent: r.user_agent,
      elevated: r.elevated_until !== null && r.elevated_until > t.now,
    })),
  };
}
