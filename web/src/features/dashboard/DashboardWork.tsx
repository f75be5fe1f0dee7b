// The work waiting on the dashboard, from /api/dashboard: my alerts (until acknowledged), my actions
// (overdue first, completed here when the server allows), open cases and overdue referrals. Each
// list is already filtered by the server to what this person may see; an alert says only what kind
// of thing is waiting and links to it. With a password alone the server sends only how many
// actions wait (no names, no text): this says so and the dashboard's step-up panel opens them.
import { useState } from 'react';
import { Link } from 'react-router';
import { api, errorMessage } from '../../lib/api.ts';
import { formatDay, formatWhen } from '../../lib/format.ts';
import type { Loaded } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { FormError } from '../../ui/Form.tsx';
import { Notice } from '../../ui/Message.tsx';
import type { AlertView } from '../../../../src/shared/schemas/alerts.ts';
import type { Dashboard } from '../../../../src/shared/schemas/dashboard.ts';
import { ActionList } from '../actions/FollowUpActions.tsx';
import { AlertItem, useFocusAfterAcknowledging } from '../alerts/AlertItem.tsx';

const waitingText = (n: number) =>
  n === 1 ? '1 action is waiting for you.' : `${n} actions are waiting for you.`;

type Props = { state: Loaded<Dashboard>; onChanged: () => void };

export function DashboardWork({ state, onChanged }: Props) {
  const [said, setSaid] = useState<string | null>(null);
  const { heading: alertsHeading, after: focusAfter } = useFocusAfterAcknowledging();
  const acknowledging = useSubmit({
    describe: (err) => `The alert was not acknowledged: ${errorMessage(err)}`,
  });
  if (state.status === 'loading') return <p className="muted">Loading your alerts and actions…</p>;
  if (state.status === 'error') {
    return (
      <p className="message message-error" role="alert">
        Your alerts and actions could not be loaded: {state.message}
      </p>
    );
  }
  const d = state.data;
  const acknowledge = (a: AlertView) =>
    acknowledging.run(async () => {
      await api('POST', `/api/alerts/${a.id}/acknowledge`);
      // The focus goes on to the next alert (or the heading when none is left), not to the page.
      focusAfter(a.id, d.alerts);
      setSaid('Alert acknowledged.');
      onChanged();
    });
  const actions = [...d.actions].sort(
    (x, y) =>
      Number(y.overdue) - Number(x.overdue) || (x.dueAt ?? '9999').localeCompare(y.dueAt ?? '9999'),
  );

  return (
    <>
      <Notice text={said} />
      <FormError submit={acknowledging} />
      <section aria-labelledby="alerts-heading" className="section">
        <h2 id="alerts-heading" ref={alertsHeading} tabIndex={-1}>
          My alerts
        </h2>
        {d.alerts.length === 0 ? (
          <p className="muted">No alerts are waiting for you.</p>
        ) : (
          <ul className="concern-list">
            {d.alerts.map((a) => (
              <AlertItem key={a.id} alert={a} onAcknowledge={() => void acknowledge(a)} />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="actions-heading" className="section">
        <h2 id="actions-heading">My actions</h2>
        {actions.length === 0 && d.actionsWaiting > 0 ? (
          <p>
            {waitingText(d.actionsWaiting)} Confirm it is you with your second factor to see and
            complete them.
          </p>
        ) : (
          <ActionList
            actions={actions}
            label="My actions"
            empty="You have no open actions."
            titleLevel={3}
            linkConcern
            onChanged={(message) => {
              setSaid(message);
              onChanged();
            }}
          />
        )}
      </section>
      {d.openCases.length > 0 && (
        <section aria-labelledby="cases-heading" className="section">
          <h2 id="cases-heading">Open cases</h2>
          <ul className="concern-list">
            {d.openCases.map((c) => (
              <li key={c.id} className="card work-item">
                <p className="work-title">
                  {c.reviewDue && (
                    <>
                      <strong className="badge badge-overdue">Due for review</strong>{' '}
                    </>
                  )}
                  <Link to={`/cases/${c.id}`}>{c.pupil.name}</Link>
                </p>
                <p className="muted">
                  Owner {c.owner.name} · opened {formatWhen(c.openedAt)}
                  {c.reviewOn ? ` · review by ${formatDay(c.reviewOn)}` : ''}
                </p>
              </li>
            ))}
          </ul>
        </section>
      )}
      {d.overdueReferrals.length > 0 && (
        <section aria-labelledby="overdue-heading" className="section">
          <h2 id="overdue-heading">Overdue referrals</h2>
          <ul className="concern-list">
            {d.overdueReferrals.map((r) => (
              <li key={r.id} className="card work-item">
                <p className="work-title">
                  <strong className="badge badge-overdue">Overdue</strong>{' '}
                  <Link to={`/referrals/${r.id}`}>
                    {r.agency} referral for {r.pupil.name}
                  </Link>
                </p>
                <p className="muted">
                  Referred {formatWhen(r.referredAt)}
                  {r.dueAt ? ` · response expected by ${formatWhen(r.dueAt)}` : ''}
                </p>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
