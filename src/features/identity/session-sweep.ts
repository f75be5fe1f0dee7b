// Ending sessions that have lapsed, from the minute job (src/jobs/due-work.ts). Protects the
// audit trail's account of who was signed in: a session that idles out or reaches its absolute
// lifetime is ended and audited as `auth.session_ended` (reason `idle` or `absolute`) even if its
// cookie never comes back. Idempotent: the UPDATE takes only sessions not yet ended, and the
// request path (src/http/request-context.ts) audits only a session it ended itself, so each
// lapsed session is audited exactly once. Runs in one school's transaction as scheduled work
// (asSystem 'scheduled', whose `now` is the job's). To change safely: keep the reasons and their
// order the same as resolveSession's (sessions.ts).
import type { SchoolTx } from '../../core/context.ts';
import { loadSchoolSettings } from '../../core/settings.ts';

export async function endLapsedSessions(t: SchoolTx): Promise<number> {
  const settings = await loadSchoolSettings(t.db, t.schoolId);
  const idleSince = new Date(t.now.getTime() - settings.idleTimeoutMinutes * 60_000);
  const ended = await t.q<{ id: string; user_id: string; end_reason: 'idle' | 'absolute' }>(
    `UPDATE sessions SET ended_at = $1,
       end_reason = CASE WHEN expires_at <= $1 THEN 'absolute' ELSE 'idle' END
     WHERE ended_at IS NULL AND (expires_at <= $1 OR last_seen_at <= $2)
     RETURNING id, user_id, end_reason`,
    [t.now, idleSince],
  );
  for (const s of ended) {
    await t.audit({
      action: 'auth.session_ended',
      targetType: 'user',
      targetId: s.user_id,
      details: { reason: s.end_reason },
    });
  }
  return ended.length;
}
