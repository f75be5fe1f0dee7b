// One alert in a list, and where the focus goes once one is acknowledged: to the next alert's
// link (the one after it, or before it when it was the last), or to the list's heading when none
// is left — never to the top of the page, so a DSL working down the list keeps their place.
import { useCallback, useRef } from 'react';
import { Link } from 'react-router';
import type { AlertView } from '../../../../src/shared/schemas/alerts.ts';
import { Button } from '../../ui/Button.tsx';
import { alertDetails, alertLink, alertLinkText } from './alertText.ts';

type Props = { alert: AlertView; onAcknowledge: () => void };

export function AlertItem({ alert: a, onAcknowledge }: Props) {
  const link = alertLink(a);
  const details = alertDetails(a);
  return (
    <li className="card work-item">
      <p className="work-title">
        {link ? (
          <Link to={link} data-alert-id={a.id}>
            {alertLinkText(a)}
          </Link>
        ) : (
          alertLinkText(a)
        )}
      </p>
      {details && <p className="muted">{details}</p>}
      {a.about?.triage && <p className="muted">Triage: {a.about.triage}</p>}
      <Button onPress={onAcknowledge} aria-label={`Acknowledge alert: ${alertLinkText(a)}`}>
        Acknowledge
      </Button>
    </li>
  );
}

export function useFocusAfterAcknowledging() {
  const heading = useRef<HTMLHeadingElement>(null);
  /** Called once `done` is acknowledged, with the list as it was shown. */
  const after = useCallback((done: string, shown: readonly AlertView[]) => {
    const at = shown.findIndex((a) => a.id === done);
    const next = shown[at + 1] ?? shown[at - 1];
    const list = heading.current?.parentElement;
    const link = next ? list?.querySelector<HTMLElement>(`[data-alert-id="${next.id}"]`) : null;
    (link ?? heading.current)?.focus();
  }, []);
  return { heading, after };
}
