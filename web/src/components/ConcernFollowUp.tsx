// The DSL's follow-up on one concern: the case it belongs to (open one from here, or add the concern
// to an open case of the pupil, choosing its owner and review date), the actions on it and the
// referrals made from it. Shown only to those the server says manage cases; every list and rule
// comes from the server, including whether new actions and referrals may join the case.
import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Button } from 'react-aria-components';
import {
  api,
  errorMessage,
  withSeenPupils,
  type ConcernView,
  type ConcernWithSeenPupils,
} from '../api.ts';
import { formatWhen } from '../format.ts';
import {
  caseStatusLabel,
  useLoadAll,
  type ActionView,
  type CaseAbility,
  type CaseView,
  type OpenCase,
  type Ref,
  type ReferralView,
} from '../caseWork.ts';
import { useLoad } from '../useLoad.ts';
import { useSession } from '../session.tsx';
import { FormField, focusFirstError } from './FormField.tsx';
import { CaseOwnerFields, reviewDateProblem, type OwnerField } from './CaseOwnerFields.tsx';
import { ActionList, AddActionForm } from './FollowUpActions.tsx';
import { AddReferralForm, ReferralList } from './FollowUpReferrals.tsx';
import '../case-work.css';

type Props = { concern: ConcernView; onChanged: () => void };
/** The follow-up acts only on pupils the viewer may see (the server hides the others). */
type SeenProps = { concern: ConcernWithSeenPupils; onChanged: () => void };

export function ConcernFollowUp({ concern, onChanged }: Props) {
  const session = useSession();
  if (!session.has('case.manage')) return null;
  return <FollowUp concern={withSeenPupils(concern)} onChanged={onChanged} />;
}

function FollowUp({ concern, onChanged }: SeenProps) {
  const [reload, setReload] = useState(0);
  const [said, setSaid] = useState<string | null>(null);
  const pupils = concern.pupils.map((p) => encodeURIComponent(p.id));
  const actions = useLoadAll<{ items: ActionView[] }>(
    pupils.map((p) => `/api/actions?pupilId=${p}`),
    reload,
  );
  const referrals = useLoadAll<{ items: ReferralView[] }>(
    pupils.map((p) => `/api/referrals?pupilId=${p}`),
    reload,
  );
  const theCase = useLoad<CaseView>(
    concern.caseId ? `/api/cases/${encodeURIComponent(concern.caseId)}` : null,
  );
  // New actions and referrals join the concern's case when the server says they may.
  const caseAllowing = (ability: CaseAbility) => (pupilId: string) =>
    theCase.status === 'ok' &&
    theCase.data.pupil.id === pupilId &&
    theCase.data.allowed.includes(ability)
      ? theCase.data.id
      : null;
  const saved = (message: string) => {
    setSaid(message);
    setReload((n) => n + 1);
  };
  const mine = <T extends { concernId: string | null }>(lists: { items: T[] }[]) =>
    lists.flatMap((l) => l.items).filter((x) => x.concernId === concern.id);

  return (
    <section aria-labelledby="follow-up-heading" className="section card">
      <h2 id="follow-up-heading">Follow-up</h2>
      <div role="status" className={said ? 'message message-success' : 'visually-empty'}>
        {said}
      </div>

      <h3>Case</h3>
      {concern.caseId ? (
        <p>
          {theCase.status === 'ok' ? (
            <>
              Part of the case about {theCase.data.pupil.name} (
              {caseStatusLabel(theCase.data.status).toLowerCase()}), owned by{' '}
              {theCase.data.owner.name}.{' '}
            </>
          ) : (
            'This concern is part of a case. '
          )}
          <Link to={`/cases/${concern.caseId}`}>Open the case</Link>
        </p>
      ) : (
        <CaseChoice concern={concern} onChanged={onChanged} />
      )}

      <h3>Actions</h3>
      {actions.status === 'loading' && <p role="status">Loading actions…</p>}
      {actions.status === 'error' && (
        <p className="message message-error" role="alert">
          {actions.message}
        </p>
      )}
      {actions.status === 'ok' && <ActionList actions={mine(actions.data)} onChanged={saved} />}
      <AddActionForm concern={concern} caseFor={caseAllowing('add_action')} onSaved={saved} />

      <h3>Referrals</h3>
      {referrals.status === 'loading' && <p role="status">Loading referrals…</p>}
      {referrals.status === 'error' && (
        <p className="message message-error" role="alert">
          {referrals.message}
        </p>
      )}
      {referrals.status === 'ok' && <ReferralList referrals={mine(referrals.data)} />}
      <AddReferralForm concern={concern} caseFor={caseAllowing('add_referral')} onSaved={saved} />
    </section>
  );
}

/**
 * Not yet in a case: open one for a pupil of the concern (its owner — by default whoever opens it
 * — and review date chosen here), or add it to their open case.
 */
function CaseChoice({ concern, onChanged }: SeenProps) {
  const uid = useId();
  const session = useSession();
  const ids: Record<OwnerField, string> = { owner: `${uid}-owner`, reviewOn: `${uid}-review` };
  const owners = useLoad<{ items: Ref[] }>('/api/case-owners');
  const [pupilId, setPupilId] = useState(concern.pupils[0]?.id ?? '');
  const [ownerId, setOwnerId] = useState(session.user.id);
  const [reviewOn, setReviewOn] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<OwnerField, string>>>({});
  const [joinId, setJoinId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The dashboard lists the school's open cases; those of this concern's pupils can be joined.
  const dashboard = useLoad<{ openCases: OpenCase[] }>('/api/dashboard');
  const open =
    dashboard.status === 'ok' ? dashboard.data.openCases.filter((c) => c.pupil.id === pupilId) : [];
  const chosenJoin = open.some((c) => c.id === joinId) ? joinId : (open[0]?.id ?? '');

  const run = async (what: () => Promise<unknown>) => {
    if (busy) return;
    setError(null);
    setBusy(true);
    try {
      await what();
      onChanged();
    } catch (err) {
      setError(`The case was not changed. ${errorMessage(err)}`);
      setBusy(false);
    }
  };
  // Whoever opens a case owns it unless they choose someone else the server lists.
  const listed = owners.status === 'ok' ? owners.data.items : [];
  const chosenOwner =
    owners.status !== 'ok' || listed.some((o) => o.id === ownerId)
      ? ownerId
      : (listed[0]?.id ?? '');
  const openCase = (e: FormEvent) => {
    e.preventDefault();
    const problem = reviewDateProblem(reviewOn);
    const found = problem ? { reviewOn: problem } : {};
    setFieldErrors(found);
    if (focusFirstError(ids, found)) return;
    return run(() =>
      api<CaseView>('POST', '/api/cases', {
        pupilId,
        concernId: concern.id,
        ...(chosenOwner && chosenOwner !== session.user.id ? { ownerId: chosenOwner } : {}),
        ...(reviewOn ? { reviewOn } : {}),
      }),
    );
  };
  const join = (e: FormEvent) => {
    e.preventDefault();
    return run(() =>
      api<CaseView>('POST', `/api/cases/${encodeURIComponent(chosenJoin)}/concerns`, {
        concernId: concern.id,
      }),
    );
  };

  return (
    <div className="stack-tight">
      <p>This concern is not part of a case yet.</p>
      {concern.pupils.length > 1 && (
        <FormField id={`${uid}-pupil`} label="Pupil the case is about">
          {(p) => (
            <select
              {...p}
              className="input"
              value={pupilId}
              onChange={(e) => setPupilId(e.target.value)}
            >
              {concern.pupils.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          )}
        </FormField>
      )}
      <form className="stack-tight" onSubmit={(e) => void openCase(e)} noValidate>
        <CaseOwnerFields
          ids={ids}
          owners={owners}
          ownerId={chosenOwner}
          onOwner={setOwnerId}
          reviewOn={reviewOn}
          onReviewOn={setReviewOn}
          errors={fieldErrors}
        />
        <div className="actions">
          <Button type="submit" className="button button-primary">
            Open a case
          </Button>
        </div>
      </form>
      {open.length > 0 && (
        <form className="stack-tight" onSubmit={(e) => void join(e)} noValidate>
          <FormField id={`${uid}-join`} label="Or add it to an open case">
            {(p) => (
              <select
                {...p}
                className="input"
                value={chosenJoin}
                onChange={(e) => setJoinId(e.target.value)}
              >
                {open.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.pupil.name}: opened {formatWhen(c.openedAt)}, owner {c.owner.name}
                  </option>
                ))}
              </select>
            )}
          </FormField>
          <div className="actions">
            <Button type="submit" className="button button-quiet">
              Add to this case
            </Button>
          </div>
        </form>
      )}
      <div role="alert" className={error ? 'message message-error' : 'visually-empty'}>
        {error}
      </div>
    </div>
  );
}
