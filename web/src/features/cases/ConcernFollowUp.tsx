// The DSL's follow-up on one concern: the case it belongs to (open one from here, or add the concern
// to an open case of the pupil, choosing its owner and review date), the actions on it and the
// referrals made from it. Each form waits behind its button ("Open or join a case", "Add an
// action", "Record a referral"; ui/Disclosure.tsx), one open at a time, and what it did is said
// beside that button. Shown only to those the server says manage cases; every list and rule
// comes from the server, including whether new actions and referrals may join the case.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, errorMessage } from '../../lib/api.ts';
import { formatWhen } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { useSession } from '../../app/session.tsx';
import { Form, FormError } from '../../ui/Form.tsx';
import { Select } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { Disclosure } from '../../ui/Disclosure.tsx';
import { Notice, WhenLoaded } from '../../ui/Message.tsx';
import type { ActionList as Actions } from '../../../../src/shared/schemas/actions.ts';
import type { CaseAction, CaseOwnerList, CaseView } from '../../../../src/shared/schemas/cases.ts';
import type { ConcernView } from '../../../../src/shared/schemas/concerns.ts';
import type { Dashboard } from '../../../../src/shared/schemas/dashboard.ts';
import type { ReferralList as Referrals } from '../../../../src/shared/schemas/referrals.ts';
import type { ConcernWithSeenPupils } from '../concerns/types.ts';
import { ActionList, AddActionForm } from '../actions/FollowUpActions.tsx';
import { AddReferralForm, ReferralList } from '../referrals/FollowUpReferrals.tsx';
import { CaseOwnerFields, reviewDateProblem, type OwnerField } from './CaseOwnerFields.tsx';
import { caseStatusLabel } from './labels.ts';
import '../../ui/records.css';

type Props = { concern: ConcernView; onChanged: () => void };
/** The follow-up acts only on pupils the viewer may see (the server hides the others). */
type SeenProps = { concern: ConcernWithSeenPupils; onChanged: () => void };

function withSeenPupils(c: ConcernView): ConcernWithSeenPupils {
  return { ...c, pupils: c.pupils.flatMap((p) => (p.id === null ? [] : [{ ...p, id: p.id }])) };
}

export function ConcernFollowUp({ concern, onChanged }: Props) {
  const session = useSession();
  if (!session.has('case.manage')) return null;
  return <FollowUp concern={withSeenPupils(concern)} onChanged={onChanged} />;
}

/** The one follow-up form open at a time (issue 14: one primary action on the page). */
type Opened = 'case' | 'action' | 'referral' | null;

function FollowUp({ concern, onChanged }: SeenProps) {
  const [opened, setOpened] = useState<Opened>(null);
  // Each message is said beside the button that was pressed (or the list acted on).
  const [said, setSaid] = useState<Record<'case' | 'action' | 'referral' | 'list', string | null>>({
    case: null,
    action: null,
    referral: null,
    list: null,
  });
  const caseSaid = useRef<HTMLDivElement>(null);
  // A kept draft opens its form, unless another is open (stable, so only a new draft does).
  const openActionDraft = useCallback(() => setOpened((o) => o ?? 'action'), []);
  const openReferralDraft = useCallback(() => setOpened((o) => o ?? 'referral'), []);
  const pupils = concern.pupils.map((p) => encodeURIComponent(p.id));
  const actions = useLoad<Actions>(pupils.map((p) => `/api/actions?pupilId=${p}`));
  const referrals = useLoad<Referrals>(pupils.map((p) => `/api/referrals?pupilId=${p}`));
  const theCase = useLoad<CaseView>(
    concern.caseId ? `/api/cases/${encodeURIComponent(concern.caseId)}` : null,
  );
  // New actions and referrals join the concern's case when the server says they may.
  const caseAllowing = (ability: CaseAction) => (pupilId: string) =>
    theCase.status === 'ok' &&
    theCase.data.pupil.id === pupilId &&
    theCase.data.allowed.includes(ability)
      ? theCase.data.id
      : null;
  const saved = (which: 'action' | 'referral') => (message: string) => {
    setSaid((s) => ({ ...s, [which]: message }));
    setOpened((o) => (o === which ? null : o));
    void actions.reload();
    void referrals.reload();
  };
  // An action completed in the list: said at the list, and an open "Add an action" stays open.
  const listChanged = (message: string) => {
    setSaid((s) => ({ ...s, list: message }));
    void actions.reload();
  };
  const toggle = (which: Exclude<Opened, null>) => (open: boolean) => {
    setSaid((s) => ({ ...s, [which]: null }));
    setOpened(open ? which : null);
  };
  // Opening or joining a case takes its button away: the focus goes to what was said.
  useEffect(() => {
    if (said.case) caseSaid.current?.focus();
  }, [said.case]);
  const mine = <T extends { concernId: string | null }>(lists: { items: T[] }[]) =>
    lists.flatMap((l) => l.items).filter((x) => x.concernId === concern.id);

  return (
    <section aria-labelledby="follow-up-heading" className="section card">
      <h2 id="follow-up-heading">Follow-up</h2>

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
        <>
          <p>This concern is not part of a case yet.</p>
          <Disclosure
            label="Open or join a case"
            open={opened === 'case'}
            onToggle={toggle('case')}
            message={null}
          >
            <CaseChoice
              concern={concern}
              onCancel={() => setOpened(null)}
              onChanged={() => {
                setOpened(null);
                setSaid((s) => ({ ...s, case: 'The case was updated.' }));
                onChanged();
              }}
            />
          </Disclosure>
        </>
      )}
      <Notice text={said.case} focusRef={caseSaid} />

      <h3>Actions</h3>
      <WhenLoaded state={actions} loading="Loading actions…">
        {(lists) => <ActionList actions={mine(lists)} onChanged={listChanged} />}
      </WhenLoaded>
      <Notice text={said.list} />
      <Disclosure
        label="Add an action"
        open={opened === 'action'}
        onToggle={toggle('action')}
        message={said.action}
      >
        <AddActionForm
          concern={concern}
          caseFor={caseAllowing('add_action')}
          onSaved={saved('action')}
          onCancel={() => setOpened(null)}
          onDraftRestored={openActionDraft}
        />
      </Disclosure>

      <h3>Referrals</h3>
      <WhenLoaded state={referrals} loading="Loading referrals…">
        {(lists) => <ReferralList referrals={mine(lists)} />}
      </WhenLoaded>
      <Disclosure
        label="Record a referral"
        open={opened === 'referral'}
        onToggle={toggle('referral')}
        message={said.referral}
      >
        <AddReferralForm
          concern={concern}
          caseFor={caseAllowing('add_referral')}
          onSaved={saved('referral')}
          onCancel={() => setOpened(null)}
          onDraftRestored={openReferralDraft}
        />
      </Disclosure>
    </section>
  );
}

/**
 * Not yet in a case: open one for a pupil of the concern (its owner — by default whoever opens it
 * — and review date chosen here), or add it to their open case.
 */
function CaseChoice({ concern, onChanged, onCancel }: SeenProps & { onCancel: () => void }) {
  const session = useSession();
  const owners = useLoad<CaseOwnerList>('/api/case-owners');
  const [pupilId, setPupilId] = useState(concern.pupils[0]?.id ?? '');
  const [ownerId, setOwnerId] = useState(session.user.id);
  const [reviewOn, setReviewOn] = useState('');
  const [joinId, setJoinId] = useState('');
  // Opening and joining share one message: whichever was tried last.
  const submit = useSubmit<OwnerField>({
    describe: (err) => `The case was not changed. ${errorMessage(err)}`,
  });
  // The dashboard lists the school's open cases; those of this concern's pupils can be joined.
  const dashboard = useLoad<Dashboard>('/api/dashboard');
  const open =
    dashboard.status === 'ok' ? dashboard.data.openCases.filter((c) => c.pupil.id === pupilId) : [];
  const chosenJoin = open.some((c) => c.id === joinId) ? joinId : (open[0]?.id ?? '');

  // Whoever opens a case owns it unless they choose someone else the server lists.
  const listed = owners.status === 'ok' ? owners.data.items : [];
  const chosenOwner =
    owners.status !== 'ok' || listed.some((o) => o.id === ownerId)
      ? ownerId
      : (listed[0]?.id ?? '');
  const openCase = async () => {
    if (submit.invalid({ reviewOn: reviewDateProblem(reviewOn) })) return;
    await api<CaseView>('POST', '/api/cases', {
      pupilId,
      concernId: concern.id,
      ...(chosenOwner && chosenOwner !== session.user.id ? { ownerId: chosenOwner } : {}),
      ...(reviewOn ? { reviewOn } : {}),
    });
    onChanged();
  };
  const join = async () => {
    await api<CaseView>('POST', `/api/cases/${encodeURIComponent(chosenJoin)}/concerns`, {
      concernId: concern.id,
    });
    onChanged();
  };

  return (
    <div className="stack-tight follow-up-form">
      {concern.pupils.length > 1 && (
        <Select label="Pupil the case is about" value={pupilId} onChange={setPupilId}>
          {concern.pupils.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </Select>
      )}
      <Form submit={submit} onSubmit={openCase} className="stack-tight">
        <CaseOwnerFields
          owners={owners}
          ownerId={chosenOwner}
          onOwner={setOwnerId}
          reviewOn={reviewOn}
          onReviewOn={setReviewOn}
        />
        <div className="actions">
          <SubmitButton>Open a case</SubmitButton>
          <Button variant="quiet" onPress={onCancel}>
            Cancel
          </Button>
        </div>
      </Form>
      {open.length > 0 && (
        <Form submit={submit} onSubmit={join} className="stack-tight">
          <Select label="Or add it to an open case" value={chosenJoin} onChange={setJoinId}>
            {open.map((c) => (
              <option key={c.id} value={c.id}>
                {c.pupil.name}: opened {formatWhen(c.openedAt)}, owner {c.owner.name}
              </option>
            ))}
          </Select>
          <div className="actions">
            <SubmitButton variant="quiet">Add to this case</SubmitButton>
          </div>
        </Form>
      )}
      <FormError submit={submit} />
    </div>
  );
}
