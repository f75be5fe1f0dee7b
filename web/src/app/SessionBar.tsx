// What the banner says about the session: how long stepped-up access to records lasts, and — the
// school's warning minutes before its idle timeout (the server's `idleWarningAt`) — a warning
// with a button to stay signed in. When the time is up the session is checked again, which shows
// the sign-in page. Typing counts as activity: the server hears of it at most once a minute.
// When the records window ends while something typed is unsaved (lib/unsaved.ts), the page stays
// as it is — reloading it would take the form away — and says so; saving then asks for the second
// factor in place (ui/Form.tsx). Once nothing is unsaved, the session is checked again.
import { useEffect, useState } from 'react';
import { Button } from '../ui/Button.tsx';
import { api, lastActivity } from '../lib/api.ts';
import { hasUnsaved } from '../lib/unsaved.ts';
import type { SessionInfo } from '../../../src/shared/schemas/identity.ts';
import { useSession, useSessionApi } from './session.tsx';

/** Typing tells the server of activity at most this often. */
const ACTIVITY_EVERY_MS = 60_000;

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

  // Typing is activity: tell the server (which restarts its idle clock) at most once a minute.
  useEffect(() => {
    let telling = false;
    const typed = () => {
      if (telling || Date.now() - lastActivity() < ACTIVITY_EVERY_MS) return;
      telling = true;
      void api<SessionInfo>('GET', '/api/auth/session')
        .catch(() => undefined)
        .finally(() => {
          telling = false;
        });
    };
    document.addEventListener('input', typed, true);
    return () => document.removeEventListener('input', typed, true);
  }, []);

  const elevatedUntil = session.elevated && session.elevatedUntil ? session.elevatedUntil : null;
  const lapsed = elevatedUntil !== null && Date.parse(elevatedUntil) <= now;
  const keptForWriting = lapsed && hasUnsaved();
  useEffect(() => {
    if (lapsed && !keptForWriting) void refresh();
  }, [lapsed, keptForWriting, refresh]);

  return (
    <>
      {elevatedUntil && !lapsed && (
        <p className="session-note" role="status">
          Records unlocked until {clock(elevatedUntil)}
        </p>
      )}
      {keptForWriting && (
        <p className="message message-warning session-lapsed" role="status">
          Your records window ended at {clock(elevatedUntil)}. What you are writing stays on this
          page: when you save it, you will be asked to confirm it is you.
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
