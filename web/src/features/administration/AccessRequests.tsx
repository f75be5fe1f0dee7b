// Access approvals (issue 11): changes to record access an administrator asked for — someone
// joining the DSL team, or a group given view of restricted records — waiting for the DSL, a
// deputy or the headteacher. Approvers approve or decline each (the server says which they may:
// never one they asked for, one that gives them access, or one for a group they belong to, and
// why); administrators may withdraw one they no longer want. Decided requests follow, newest first.
import { useId, useRef, useState } from 'react';
import { api, errorMessage } from '../../lib/api.ts';
import { formatWhen } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { FormError } from '../../ui/Form.tsx';
import { Button } from '../../ui/Button.tsx';
import { Notice } from '../../ui/Message.tsx';
import { ACCESS_NAMES, AdminLoaded } from './AdminShared.tsx';
import type {
  AccessRequestList,
  AccessRequestView,
} from '../../../../src/shared/schemas/administration.ts';

const STATUS_WORDS: Record<AccessRequestView['status'], string> = {
  pending: 'Waiting for approval',
  approved: 'Approved',
  declined: 'Declined',
  withdrawn: 'Withdrawn',
  superseded: 'Replaced by a newer request',
};

/** What the change is, in a sentence. */
export function describeRequest(r: AccessRequestView): string {
  if (r.kind === 'membership') {
    const why =
      r.reason === 'dsl_team'
        ? 'the DSL team'
        : r.reason === 'approvers'
          ? 'who approves access changes or the destruction of records'
          : 'a group that sees restricted records';
    return `${r.member?.name ?? 'A member of staff'} to join ${r.group.name} (${why})`;
  }
  if (r.kind === 'category_access') {
    const access = r.access ? (ACCESS_NAMES[r.access] ?? r.access) : 'changed';
    return `${r.group.name}: ${r.category?.name ?? 'a restricted category'} set to “${access}”`;
  }
  return `${r.group.name}: what it sees of restricted records, or whose`;
}

export function AccessRequestsPage() {
  const requests = useLoad<AccessRequestList>('/api/access-requests');
  const [said, setSaid] = useState<string | null>(null);
  const pendingHeading = useRef<HTMLHeadingElement>(null);
  // A decided request moves to the other list: say what happened above both, and put the focus
  // on the list of those still waiting.
  const afterDecision = async (message: string) => {
    setSaid(message);
    await requests.reload();
    pendingHeading.current?.focus();
  };
  return (
    <AdminLoaded title="Access approvals" state={requests} retry={() => void requests.reload()}>
      {(data) => {
        const pending = data.items.filter((r) => r.status === 'pending');
        const decided = data.items.filter((r) => r.status !== 'pending');
        return (
          <>
            <p>
              Giving someone access to restricted records takes two people: an administrator asks,
              and the DSL, a deputy DSL or the headteacher approves. Nothing changes until then.
            </p>
            <Notice text={said} />
            <section aria-labelledby="pending-heading" className="section">
              <h2 id="pending-heading" ref={pendingHeading} tabIndex={-1}>
                Waiting for approval ({pending.length})
              </h2>
              {pending.length === 0 ? (
                <p className="muted">Nothing is waiting for approval.</p>
              ) : (
                <ul className="admin-list" aria-labelledby="pending-heading">
                  {pending.map((r) => (
                    <RequestCard
                      key={r.id}
                      request={r}
                      onDecided={afterDecision}
                      onStepUp={() => void requests.reload()}
                    />
                  ))}
                </ul>
              )}
            </section>
            {decided.length > 0 && (
              <section aria-labelledby="decided-heading" className="section">
                <h2 id="decided-heading">Decided</h2>
                <ul className="admin-list" aria-labelledby="decided-heading">
                  {decided.map((r) => (
                    <RequestCard
                      key={r.id}
                      request={r}
                      onDecided={afterDecision}
                      onStepUp={() => void requests.reload()}
                    />
                  ))}
                </ul>
              </section>
            )}
          </>
        );
      }}
    </AdminLoaded>
  );
}

function RequestCard({
  request: r,
  onDecided,
  onStepUp,
}: {
  request: AccessRequestView;
  onDecided: (message: string) => Promise<void>;
  /** The second factor lapsed: the page asks for it again (nothing was decided). */
  onStepUp: () => void;
}) {
  const headingId = useId();
  const submit = useSubmit({
    describe: (err) => `That was not done: ${errorMessage(err)}`,
    ownStepUp: true,
  });
  const what = describeRequest(r);
  const decide = (verb: 'approve' | 'decline' | 'withdraw', done: string) =>
    submit.run(async () => {
      await api('POST', `/api/access-requests/${r.id}/${verb}`);
      await onDecided(`${done} ${what}.`);
    });
  return (
    <li className="card admin-item">
      <h3 id={headingId}>{what}</h3>
      <dl className="admin-facts">
        <dt>Status</dt>
        <dd>{STATUS_WORDS[r.status]}</dd>
        <dt>Asked for by</dt>
        <dd>
          {r.requestedBy.name}, <time dateTime={r.requestedAt}>{formatWhen(r.requestedAt)}</time>
        </dd>
        {r.decidedBy && r.decidedAt && (
          <>
            <dt>Decided by</dt>
            <dd>
              {r.decidedBy.name}, <time dateTime={r.decidedAt}>{formatWhen(r.decidedAt)}</time>
            </dd>
          </>
        )}
      </dl>
      {r.changes.length > 0 && (
        <ul className="stack-tight" aria-label="What would change">
          {r.changes.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      )}
      {r.approveRefusal && <p className="muted">{r.approveRefusal}</p>}
      <FormError submit={submit}>
        {submit.code === 'step_up_required' && (
          <Button variant="quiet" onPress={onStepUp}>
            Confirm it is you
          </Button>
        )}
      </FormError>
      {(r.allowed.approve || r.allowed.decline || r.allowed.withdraw) && (
        <div className="actions" role="group" aria-labelledby={headingId}>
          {r.allowed.approve && (
            <Button variant="primary" onPress={() => void decide('approve', 'Approved and made:')}>
              Approve
            </Button>
          )}
          {r.allowed.decline && (
            <Button onPress={() => void decide('decline', 'Declined, nothing changed:')}>
              Decline
            </Button>
          )}
          {r.allowed.withdraw && (
            <Button
              variant="quiet"
              onPress={() => void decide('withdraw', 'Withdrawn, nothing changed:')}
            >
              Withdraw
            </Button>
          )}
        </div>
      )}
    </li>
  );
}
