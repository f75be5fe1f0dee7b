// The DSL team's grants of record access to a named member of the school's trust (issue 20), at
// /trust-access: "Grant the trust access" (who, one pupil's record or the school's records, the
// reason, how many days — at most the server's maximum) and the list of grants with "Revoke".
// Every grant, revocation and every read by the trust is audited in the school's chain.
import { useState } from 'react';
import { api, isAbort } from '../../lib/api.ts';
import { formatWhen } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus, SubmitScope } from '../../ui/Form.tsx';
import { RadioGroup, Select } from '../../ui/Field.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { WhenLoaded } from '../../ui/Message.tsx';
import type { PupilList, PupilSummary } from '../../../../src/shared/schemas/pupils.ts';
import type { SchoolGrant, SchoolGrants } from '../../../../src/shared/schemas/trust.ts';

const STATE_NAMES = { active: 'Active', expired: 'Expired', revoked: 'Revoked' } as const;

export function TrustGrantsPage() {
  const state = useLoad<SchoolGrants>('/api/trust-grants');
  return (
    <>
      <PageHeading title="Trust access to records">Trust access to records</PageHeading>
      <WhenLoaded state={state}>
        {(g) =>
          g.trust ? (
            <>
              <GrantForm grants={g} onMade={() => void state.reload()} />
              <GrantList items={g.items} onChanged={() => void state.reload()} />
            </>
          ) : (
            <p>This school does not belong to a trust.</p>
          )
        }
      </WhenLoaded>
    </>
  );
}

type Field = 'memberId' | 'pupil' | 'reason' | 'days';

function GrantForm({ grants, onMade }: { grants: SchoolGrants; onMade: () => void }) {
  const [memberId, setMemberId] = useState(grants.members[0]?.id ?? '');
  const [scope, setScope] = useState<'pupil' | 'school'>('pupil');
  const [name, setName] = useState('');
  const [found, setFound] = useState<PupilSummary[] | null>(null);
  const [pupilId, setPupilId] = useState('');
  const [reason, setReason] = useState('');
  const [days, setDays] = useState('7');
  const submit = useSubmit<Field>();
  const find = useSubmit<'pupil'>();

  const search = () =>
    void find.run(async () => {
      if (!name.trim()) {
        find.invalid({ pupil: 'Type part of the pupil’s name.' });
        return;
      }
      try {
        const r = await api<PupilList>('POST', '/api/pupils/search', { q: name.trim() });
        setFound(r.items);
        setPupilId(r.items[0]?.id ?? '');
        return r.items.length === 0 ? 'No pupil has that name.' : undefined;
      } catch (err) {
        if (isAbort(err)) return;
        throw err;
      }
    });

  const grant = async () => {
    const n = Number(days.trim());
    if (!memberId) {
      submit.invalid({ memberId: 'Choose the trust member.' });
      return;
    }
    if (scope === 'pupil' && !pupilId) {
      submit.invalid({ pupil: 'Find and choose the pupil.' });
      return;
    }
    if (!reason.trim()) {
      submit.invalid({ reason: 'Give the reason the trust needs this access.' });
      return;
    }
    if (!/^\d{1,3}$/.test(days.trim()) || n < 1 || n > grants.maxDays) {
      submit.invalid({ days: `Enter a number of days from 1 to ${grants.maxDays}.` });
      return;
    }
    await api('POST', '/api/trust-grants', {
      memberId,
      scope,
      ...(scope === 'pupil' ? { pupilId } : {}),
      reason: reason.trim(),
      days: n,
    });
    setReason('');
    onMade();
    return 'Access given. The trust member can read it until it expires or you revoke it.';
  };

  if (grants.members.length === 0) {
    return <p>{grants.trust} has no members who can be given access yet.</p>;
  }
  return (
    <section aria-labelledby="grant-heading" className="stack">
      <h2 id="grant-heading">Grant the trust access</h2>
      <Form submit={submit} onSubmit={grant} className="stack card">
        <Select label="Trust member" name="memberId" value={memberId} onChange={setMemberId}>
          {grants.members.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name} (
              {m.role === 'trust_safeguarding_lead' ? 'trust safeguarding lead' : 'trust executive'}
              )
            </option>
          ))}
        </Select>
        <RadioGroup
          legend="What the trust member may read"
          value={scope}
          onChange={setScope}
          options={[
            ['pupil', 'One pupil’s record'],
            ['school', 'All the school’s records'],
          ]}
        />
        {scope === 'pupil' && (
          <SubmitScope submit={find}>
            <TextField label="Pupil’s name" name="pupil" value={name} onChange={setName} />
            <div className="actions">
              <Button variant="secondary" onPress={search} isPending={find.pending}>
                Find pupil
              </Button>
            </div>
            <FormStatus submit={find} />
            <FormError />
            {found && found.length > 0 && (
              <Select label="Pupil" value={pupilId} onChange={setPupilId}>
                {found.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                    {p.yearGroup ? ` (${p.yearGroup})` : ''}
                  </option>
                ))}
              </Select>
            )}
          </SubmitScope>
        )}
        <TextArea
          label="Reason"
          name="reason"
          hint="Why the trust needs to read this. The trust member sees it with the record."
          value={reason}
          onChange={setReason}
          maxLength={1000}
          rows={3}
        />
        <TextField
          label="For how many days"
          name="days"
          hint={`At most ${grants.maxDays} days. You can revoke it sooner.`}
          inputMode="numeric"
          inputClassName="input input-short"
          value={days}
          onChange={setDays}
        />
        <FormError />
        <FormStatus submit={submit} />
        <div className="actions">
          <SubmitButton>Grant access</SubmitButton>
        </div>
      </Form>
    </section>
  );
}

function GrantList({ items, onChanged }: { items: SchoolGrant[]; onChanged: () => void }) {
  return (
    <section aria-labelledby="grants-heading" className="stack">
      <h2 id="grants-heading">Access given to the trust</h2>
      {items.length === 0 ? (
        <p>No access has been given to the trust.</p>
      ) : (
        <ul className="stack plain-list">
          {items.map((g) => (
            <GrantItem key={g.id} grant={g} onChanged={onChanged} />
          ))}
        </ul>
      )}
    </section>
  );
}

function GrantItem({ grant, onChanged }: { grant: SchoolGrant; onChanged: () => void }) {
  const submit = useSubmit();
  const revoke = () =>
    void submit.run(async () => {
      await api('POST', `/api/trust-grants/${grant.id}/revoke`);
      onChanged();
      return 'Access revoked.';
    });
  const what =
    grant.scope === 'pupil' ? `${grant.pupil ?? 'A pupil'}’s record` : 'All the school’s records';
  return (
    <li className="card stack">
      <h3>
        {grant.member}: {what}
      </h3>
      <dl className="facts">
        <dt>State</dt>
        <dd>{STATE_NAMES[grant.state]}</dd>
        <dt>Reason</dt>
        <dd>{grant.reason}</dd>
        <dt>Given by</dt>
        <dd>
          {grant.grantedBy}, {formatWhen(grant.grantedAt)}
        </dd>
        <dt>{grant.state === 'expired' ? 'Expired' : 'Expires'}</dt>
        <dd>{formatWhen(grant.expiresAt)}</dd>
      </dl>
      <SubmitScope submit={submit}>
        <FormStatus submit={submit} />
        <FormError />
        {grant.allowed.revoke && (
          <div className="actions">
            <Button
              variant="secondary"
              onPress={revoke}
              isPending={submit.pending}
              aria-label={`Revoke ${grant.member}’s access to ${what}`}
            >
              Revoke
            </Button>
          </div>
        )}
      </SubmitScope>
    </li>
  );
}
