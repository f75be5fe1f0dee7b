// The work waiting on the dashboard, from /api/dashboard: my alerts (until acknowledged), my actions
// (overdue first, completed here when the server allows), open cases and overdue referrals. Each
// list is already filtered by the server to what this person may see; an alert says only what kind
// of thing is waiting and links to it. With a password alone the server sends only how many
// actions wait (no names, no text): this says so and the dashboard's step-up panel opens them.
import { useState } from 'react';
import { Link } from 'react-router';
import { Button } from 'react-aria-components';
import { api, errorMessage } from '../api.ts';
import { formatWhen } from '../format.ts';
import type { Loaded } from '../useLoad.ts';
import { formatDay, type ActionView } from '../caseWork.ts';
import { ActionList } from './FollowUpActions.tsx';

export type Alert = {
  id: string;
  kind: string;
  targetType: string;
  targetId: string;
  viaGroup: string | null;
  createdAt: string;
  acknowledgedAt: string | null;
};
type Ref = { id: string; name: string };
export type Referral = {
  id: string;
  pupil: Ref;
  agency: string;
  referredAt: string;
  dueAt: string | null;
  status: string;
  overdue: boolean;
};
export type DashboardData = {
  alerts: Alert[];
  actions: ActionView[];
  /** My open actions; with a password alone the only thing sent about them. */
  actionsWaiting: number;
  openCases: {
    id: string;
    pupil: Ref;
    owner: Ref;
    reviewOn: string | null;
    /** Its review date has come. */
    reviewDue: boolean;
    openedAt: string;
  }[];
  overdueReferrals: Referral[];
};

const ALERT_TEXT: Record<string, string> = {
  concern: 'A concern you are asked to look at',
  escalation: 'Escalated to you: not yet acknowledged by the DSL team',
  referral_overdue: 'A referral has had no response in the expected time',
  action_reminder: 'An action is due',
};

function alertLink(a: Alert): string | null {
  if (a.targetType === 'concern') return `/concerns/${a.targetId}`;
  if (a.targetType === 'referral') return `/referrals/${a.targetId}`;
  if (a.targetType === 'case') return `/cases/${a.targetId}`;
  return null;
}

const waitingText = (n: number) =>
  n === 1 ? '1 action is waiting for you.' : `${n} actions are waiting for you.`;

type Props = { state: Loaded<DashboardData>; onChanged: () => void };

export function DashboardWork({ state, onChanged }: Props) {
  const [said, setSaid] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  if (state.status === 'loading') return <p className="muted">Loading your alerts and actions…</p>;
  if (state.status === 'error') {
    return (
      <p className="message message-error" role="alert">
        Your alerts and actions could not be loaded: {state.message}
      </p>
    );
  }
  const d = state.data;
  const acknowledge = async (a: Alert) => {
    setProblem(null);
    try {
      await api('POST', `/api/alerts/${a.id}/acknowledge`);
      setSaid('Alert acknowledged.');
      onChanged();
    } catch (err) {
      setProblem(`The alert was not acknowledged: ${errorMessage(err)}`);
    }
  };
  const actions = [...d.actions].sort(
    (x, y) =>
      Number(y.overdue) - Number(x.overdue) || (x.dueAt ?? '9999').localeCompare(y.dueAt ?? '9999'),
  );

  return (
    <>
      <p role="status" className={said ? 'message message-success' : 'visually-empty'}>
        {said}
      </p>
      {problem && (
        <p role="alert" className="message message-error">
          {problem}
        </p>
      )}
      <section aria-labelledby="alerts-heading" className="section">
        <h2 id="alerts-heading">My alerts</h2>
        {d.alerts.length === 0 ? (
          <p className="muted">No alerts are waiting for you.</p>
        ) : (
          <ul className="concern-list">
            {d.alerts.map((a) => {
              const link = alertLink(a);
              const text = ALERT_TEXT[a.kind] ?? 'Something to look at';
              return (
                <li key={a.id} className="card work-item">
                  <p className="work-title">{link ? <Link to={link}>{text}</Link> : text}</p>
                  <p className="muted">
                    <time dateTime={a.createdAt}>{formatWhen(a.createdAt)}</time>
                  </p>
                  <Button className="button" onPress={() => void acknowledge(a)}>
                    Acknowledge
                  </Button>
                </li>
              );
            })}
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
