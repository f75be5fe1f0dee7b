// Invitations and accounts (issue 21): a year group's (an intake's) pupils with the contacts who
// may be invited — parental responsibility, or the primary contact — and each one's status
// (not invited, invited with reminders sent, accepted, bounced); invite the whole intake or one
// contact, resend, revoke. The server decides who is eligible and what is allowed (`allowed`);
// a restricted contact is shown as such and can never be invited.
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Button } from '../../ui/Button.tsx';
import { Select } from '../../ui/Field.tsx';
import { FormError, FormStatus, SubmitScope } from '../../ui/Form.tsx';
import type {
  InvitationAction,
  InvitationList,
  InvitationRow,
  InvitationStatus,
  InviteResult,
} from '../../../../src/shared/schemas/parents.ts';
import { StepUpSection } from '../identity/StepUpSection.tsx';
import { ResetFactor } from './ResetFactor.tsx';

const TITLE = 'Invitations and accounts';

const STATUS: Record<InvitationStatus, string> = {
  not_invited: 'Not invited',
  invited: 'Invited',
  accepted: 'Accepted',
  bounced: 'Email bounced',
  revoked: 'Access revoked',
};

const ACTION: Record<InvitationAction, string> = {
  invite: 'Invite',
  resend: 'Resend',
  revoke: 'Revoke access',
  reset_second_factor: 'Reset second factor',
};

function said(r: InviteResult): string {
  const parts = [`${r.invited} invited`];
  if (r.alreadyAccepted > 0) parts.push(`${r.alreadyAccepted} had already accepted`);
  if (r.refused.length > 0) {
    parts.push(`${r.refused.length} not invited: ${r.refused.map((x) => x.message).join(' ')}`);
  }
  return `${parts.join('; ')}.`;
}

export default function InvitationsPage() {
  const [year, setYear] = useState<string | null>(null);
  const list = useLoad<InvitationList>(
    `/api/parents/invitations${year ? `?yearGroup=${encodeURIComponent(year)}` : ''}`,
  );
  const submit = useSubmit();
  if (list.status === 'loading') {
    return (
      <>
        <PageHeading title={TITLE}>{TITLE}</PageHeading>
        <p role="status">Loading…</p>
      </>
    );
  }
  if (list.status === 'error') {
    if (list.code === 'step_up_required') {
      return (
        <>
          <PageHeading title={TITLE}>{TITLE}</PageHeading>
          <StepUpSection
            purpose="to open parents and forms"
            area="Parents and forms"
            onDone={() => void list.reload()}
          />
        </>
      );
    }
    return <LoadProblem title={TITLE} state={list} />;
  }
  const { yearGroups, rows } = list.data;
  const chosen = year ?? '';
  const act = (row: InvitationRow, action: InvitationAction) =>
    void submit.run(async () => {
      if (action === 'invite') {
        const r = await api<InviteResult>('POST', '/api/parents/invitations', {
          pupilIds: [row.pupilId],
          contactId: row.contactId,
        });
        await list.reload();
        return `${row.contactName}: ${said(r)}`;
      }
      const r = await api<InviteResult | { sessionsEnded: number }>(
        'POST',
        `/api/parents/invitations/${row.invitationId}/${action}`,
      );
      await list.reload();
      return action === 'resend'
        ? `${row.contactName}: ${said(r as InviteResult)}`
        : `${row.contactName}’s access to ${row.pupilName} has been revoked.`;
    });
  const inviteAll = () =>
    void submit.run(async () => {
      const r = await api<InviteResult>('POST', '/api/parents/invitations', { yearGroup: chosen });
      await list.reload();
      return `${chosen}: ${said(r)}`;
    });

  return (
    <>
      <PageHeading title={TITLE}>{TITLE}</PageHeading>
      <p>
        <Link to="/parents">Parents and forms</Link>
      </p>
      <p>
        Lantern invites the contacts the MIS records with parental responsibility, or the primary
        contact when no one has it. The email says only that there is something to look at; the
        parent then needs their child’s date of birth, a password and an authenticator app.
        Reminders go 5 days later, then weekly, at most 4.
      </p>
      <div className="toolbar">
        <Select label="Year group" value={chosen} onChange={(v) => setYear(v || null)}>
          <option value="">Choose a year group</option>
          {yearGroups.map((y) => (
            <option key={y} value={y}>
              {y}
            </option>
          ))}
        </Select>
      </div>
      <SubmitScope submit={submit}>
        <FormStatus submit={submit} />
        <FormError />
        {chosen && rows.some((r) => r.allowed.includes('invite')) && (
          <div className="toolbar">
            <Button variant="primary" onPress={inviteAll} isPending={submit.pending}>
              Invite everyone not yet invited in {chosen}
            </Button>
          </div>
        )}
        {!chosen ? (
          <p>Choose a year group (an intake such as Nursery or Reception) to see its parents.</p>
        ) : rows.length === 0 ? (
          <p>No pupil in {chosen} has a contact who could be invited.</p>
        ) : (
          <ul className="stack-tight" aria-label={`Parents of ${chosen}`}>
            {rows.map((r) => (
              <li key={`${r.pupilId}-${r.contactId}`} className="card">
                <h2>
                  {r.contactName}
                  {r.relationship ? ` (${r.relationship})` : ''} — {r.pupilName}
                </h2>
                <p>
                  <strong>{r.restricted ? 'Restricted: never invited' : STATUS[r.status]}</strong>
                  {r.status === 'invited' || r.status === 'bounced'
                    ? ` · ${r.remindersSent} reminder${r.remindersSent === 1 ? '' : 's'} sent`
                    : ''}
                  {!r.hasEmail ? ' · no email address in the MIS' : ''}
                  {r.parentalResponsibility ? '' : ' · primary contact'}
                </p>
                {r.allowed.length > 0 && (
                  <div className="actions">
                    {r.allowed.includes('reset_second_factor') && (
                      <ResetFactor
                        row={r}
                        onDone={(message) =>
                          void submit.run(async () => {
                            await list.reload();
                            return message;
                          })
                        }
                      />
                    )}
                    {r.allowed
                      .filter((a) => a !== 'reset_second_factor')
                      .map((a) => (
                        <Button
                          key={a}
                          onPress={() => act(r, a)}
                          isPending={submit.pending}
                          aria-label={`${ACTION[a]}: ${r.contactName}, ${r.pupilName}`}
                        >
                          {ACTION[a]}
                        </Button>
                      ))}
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </SubmitScope>
    </>
  );
}
