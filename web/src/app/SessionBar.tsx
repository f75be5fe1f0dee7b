// What the banner says about the session: how long stepped-up access to records lasts, and — the
// school's warning minutes before its idle timeout (the server's `idleWarningAt`) — a warning
// with a button to stay signed in. When the time is up the session is checked again, which shows
// the sign-in page.
import { useEffect, useState } from 'react';
import { Button } from '../ui/Button.tsx';
import { api, lastActivity } from '../lib/api.ts';
import type { SessionInfo } from '../../../src/shared/schemas/identity.ts';
import { useSession, useSessionApi } from './session.tsx';

/** Only if the server did not say (an older server): two minutes, the default setting. */
const DEFAULT_WARN_MS = 2 * 60_000;

/** How long before the idle sign-out to warn, as the school set it. */
function warnBefore(session: SessionInfo): number {
  if (!session.idleWarningAt) return DEFAULT_WARN_MS;
  const ms = Date.parse(session.idleExpiresAt) - Date.parse(session.idleWarningAt);
  return Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_WARN_MS;
}

const clock = (iso: string | number) =>
  new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export function SessionBar() {
  const session = useSession();
  const { adopt, refresh } = useSessionApi();
  const now = useNow(1000);
  // The idle window the server gave at the last session check, restarted by every answer since.
  const [idleWindow] = useState(() =>
    Math.max(60_000, Date.parse(session.idleExpiresAt) - Date.now()),
  );
  const warnMs = warnBefore(session);
  const idleEndsAt = lastActivity() + idleWindow;
  const left = idleEndsAt - now;

  useEffect(() => {
    if (left <= 0) void refresh();
  }, [left, refresh]);

  const elevatedUntil = session.elevated && session.elevatedUntil ? session.elevatedUntil : null;
  useEffect(() => {
    if (elevatedUntil && Date.parse(elevatedUntil) <= now) void refresh();
  }, [elevatedUntil, now, refresh]);

  return (
    <>
      {elevatedUntil && (
        <p className="session-note" role="status">
          Records unlocked until {clock(elevatedUntil)}
        </p>
      )}
      {left > 0 && left <= warnMs && (
        <div className="message message-warning idle-warning" role="alert">
          <p>
            You will be signed out in {Math.ceil(left / 1000)} seconds because nothing has happened.
          </p>
          <Button
            variant="primary"
            onPress={() =>
              void api<SessionInfo>('GET', '/api/auth/session').then(adopt, () => refresh())
            }
          >
            Stay signed in
          </Button>
        </div>
      )}
    </>
  );
}
