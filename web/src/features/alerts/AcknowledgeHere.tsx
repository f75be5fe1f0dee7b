// Acknowledging an alert where its concern is read (issue 14): the concern page says the viewer
// was alerted to it and offers "Acknowledge alert" beside that; once done, the focus moves to the
// next alert waiting (a link to it), or to the message saying none is left.
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { AlertList, AlertView } from '../../../../src/shared/schemas/alerts.ts';
import { api } from '../../lib/api.ts';
import { refusedAs, useSubmit } from '../../lib/useSubmit.ts';
import { Button } from '../../ui/Button.tsx';
import { FormError } from '../../ui/Form.tsx';
import { alertLink, alertLinkText } from './alertText.ts';

type Props = { alertIds: readonly string[]; onAcknowledged: () => void };

export function AcknowledgeHere({ alertIds, onAcknowledged }: Props) {
  const [next, setNext] = useState<AlertView | null | undefined>(undefined);
  const nextLink = useRef<HTMLAnchorElement>(null);
  const noneLeft = useRef<HTMLParagraphElement>(null);
  // Once said, the focus goes to the next alert's link, or to the message when none is left.
  useEffect(() => {
    if (next === undefined) return;
    (next ? nextLink.current : noneLeft.current)?.focus();
  }, [next]);
  const submit = useSubmit({ describe: refusedAs('The alert was not acknowledged', [400, 404]) });
  if (alertIds.length === 0 && next === undefined) return null;
  const acknowledge = () =>
    submit.run(async () => {
      // One concern may have reached the viewer more than once (by name and through a group).
      for (const id of alertIds)
        await api('POST', `/api/alerts/${encodeURIComponent(id)}/acknowledge`);
      const waiting = await api<AlertList>('GET', '/api/alerts');
      const following = waiting.items.find((a) => !alertIds.includes(a.id)) ?? null;
      setNext(following);
      onAcknowledged();
    });
  return (
    <section aria-labelledby="alert-here-heading" className="section card">
      <h2 id="alert-here-heading">Your alert</h2>
      <FormError submit={submit} />
      {next === undefined ? (
        <>
          <p>You were alerted to this concern.</p>
          <Button variant="primary" onPress={() => void acknowledge()}>
            Acknowledge alert
          </Button>
        </>
      ) : (
        <>
          <p role="status" ref={noneLeft} tabIndex={-1}>
            Alert acknowledged.{next === null ? ' No other alerts are waiting for you.' : ''}
          </p>
          {next && (
            <p>
              Next alert:{' '}
              <Link ref={nextLink} to={alertLink(next) ?? '/'} onClick={() => setNext(undefined)}>
                {alertLinkText(next)}
              </Link>
            </p>
          )}
        </>
      )}
    </section>
  );
}
