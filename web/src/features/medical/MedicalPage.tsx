// Medical and care profiles (issue 21), for staff with the `parents` ability: find a pupil, see
// what is confirmed and what is waiting, acknowledge a parent's change, propose one (it waits for
// the parent), add a plan; and the plans due for their annual review.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { Form, FormError, FormStatus, SubmitScope } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import type {
  ChangeAction,
  MedicalProfile,
  PlanReviewList,
  PupilChoices,
} from '../../../../src/shared/medical.ts';
import { Loaded } from '../trips/Loaded.tsx';
import { ProfileView } from './ProfileView.tsx';
import { EntryForm } from './EntryForm.tsx';
import { PlanForm } from './PlanForm.tsx';

export function MedicalPage() {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<PupilChoices['items'] | null>(null);
  const submit = useSubmit<'q'>();
  return (
    <>
      <PageHeading title="Medical and care profiles">Medical and care profiles</PageHeading>
      <p>
        <Link to="/parents/medical/reviews">Plans due for review</Link> ·{' '}
        <Link to="/trips">Trips</Link>
      </p>
      <Form
        submit={submit}
        role="search"
        aria-label="Find a pupil"
        onSubmit={async () => {
          if (!q.trim()) return void submit.invalid({ q: "Type some of the pupil's name." });
          setFound(
            (
              await api<PupilChoices>(
                'GET',
                `/api/medical/pupils?q=${encodeURIComponent(q.trim())}`,
              )
            ).items,
          );
        }}
      >
        <TextField name="q" label="Pupil's name" type="search" value={q} onChange={setQ} />
        <FormError />
        <SubmitButton>Find</SubmitButton>
      </Form>
      {found &&
        (found.length === 0 ? (
          <p role="status">No pupils match.</p>
        ) : (
          <ul aria-label="Pupils found">
            {found.map((p) => (
              <li key={p.id}>
                <Link to={`/parents/medical/${p.id}`}>{p.name}</Link> {p.yearGroup}
              </li>
            ))}
          </ul>
        ))}
    </>
  );
}

export function PupilMedicalPage() {
  const { id = '' } = useParams();
  const profile = useLoad<MedicalProfile>(`/api/pupils/${id}/medical`);
  const answers = useSubmit();
  const answer = (changeId: string, action: ChangeAction, kind: 'entry' | 'plan') =>
    void answers.run(async () => {
      const path = action === 'decline' ? 'decline' : 'acknowledge';
      await api(
        'POST',
        `/api/medical/${kind === 'entry' ? 'entries' : 'plans'}/${changeId}/${path}`,
      );
      await profile.reload();
      return action === 'decline' ? 'Declined.' : 'Acknowledged: it is now confirmed.';
    });
  return (
    <Loaded state={profile}>
      {(p) => (
        <>
          <PageHeading title={`${p.pupil.name}: medical and care`}>
            {p.pupil.name}: medical and care
          </PageHeading>
          {p.waitingForYou > 0 && (
            <p className="message message-warning">
              {p.waitingForYou} changes wait for the school to acknowledge.
            </p>
          )}
          <SubmitScope submit={answers}>
            <FormError />
            <FormStatus />
          </SubmitScope>
          <ProfileView
            profile={p}
            answer={answer}
            planLink={(plan) => `/api/medical/plans/${plan.id}/file`}
          />
          <EntryForm
            waitsFor="the parent's confirmation"
            send={async (body) => {
              await api('POST', `/api/pupils/${id}/medical/entries`, body);
              await profile.reload();
            }}
          />
          <PlanForm
            plans={p.plans}
            waitsFor="the parent's confirmation"
            send={async (body) => {
              await api('POST', `/api/pupils/${id}/medical/plans`, body);
              await profile.reload();
            }}
          />
        </>
      )}
    </Loaded>
  );
}

export function ReviewsPage() {
  const reviews = useLoad<PlanReviewList>('/api/medical/reviews');
  const submit = useSubmit();
  return (
    <>
      <PageHeading title="Plans due for review">Plans due for review</PageHeading>
      <SubmitScope submit={submit}>
        <FormError />
        <FormStatus />
      </SubmitScope>
      <Loaded state={reviews}>
        {(d) =>
          d.items.length === 0 ? (
            <p>No plans to review.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Pupil</th>
                  <th scope="col">Plan</th>
                  <th scope="col">Due</th>
                  <th scope="col">Done</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <Link to={`/parents/medical/${r.pupil.id}`}>{r.pupil.name}</Link>
                    </td>
                    <td>{r.title}</td>
                    <td>
                      {r.dueOn}
                      {r.overdue && ' (overdue)'}
                    </td>
                    <td>
                      {r.doneAt ? (
                        new Date(r.doneAt).toLocaleDateString('en-GB')
                      ) : (
                        <Button
                          aria-label={`Record the review of ${r.title} for ${r.pupil.name}`}
                          onPress={() =>
                            void submit.run(async () => {
                              await api('POST', `/api/medical/reviews/${r.id}/done`);
                              await reviews.reload();
                              return 'Review recorded.';
                            })
                          }
                        >
                          Record review
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </>
  );
}
