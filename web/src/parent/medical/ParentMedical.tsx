// A parent's view of their child's medical and care profile (issue 21): what the school holds,
// confirmed or waiting; the school's changes to confirm or decline; a change of their own to send
// (it waits for the school to acknowledge); their child's plans to download, and a plan to send
// (replacing the current one of its kind, so its reminders stop).
import { useEffect, useState } from 'react';
import { parentApi } from '../api.ts';
import { useParentLoad } from '../useParentLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { WhenLoaded } from '../../ui/Message.tsx';
import { FormError, FormStatus, SubmitScope } from '../../ui/Form.tsx';
import { Button } from '../../ui/Button.tsx';
import type { ChangeAction, MedicalProfile } from '../../../../src/shared/medical.ts';
import type { ParentChild } from '../../../../src/shared/schemas/parents.ts';
import { ProfileView } from '../../features/medical/ProfileView.tsx';
import { EntryForm } from '../../features/medical/EntryForm.tsx';
import { PlanForm } from '../../features/medical/PlanForm.tsx';

function ChildProfile({ child }: { child: ParentChild }) {
  const base = `/api/parent/children/${child.id}/medical`;
  const profile = useParentLoad<MedicalProfile>(base);
  const answers = useSubmit();
  const answer = (id: string, action: ChangeAction, kind: 'entry' | 'plan') =>
    void answers.run(async () => {
      const verb = action === 'decline' ? 'decline' : 'confirm';
      await parentApi('POST', `${base}/${kind === 'entry' ? 'entries' : 'plans'}/${id}/${verb}`);
      profile.reload();
      return verb === 'confirm' ? 'Confirmed. Thank you.' : 'Declined: the school will see this.';
    });
  return (
    <WhenLoaded state={profile}>
      {(p) => (
        <section aria-labelledby="child-medical" className="stack">
          <h2 id="child-medical">
            {child.firstName} {child.lastName}
          </h2>
          {p.waitingForYou > 0 && (
            <p className="message message-warning">
              {p.waitingForYou === 1
                ? 'One change waits for you to confirm.'
                : `${p.waitingForYou} changes wait for you to confirm.`}
            </p>
          )}
          <SubmitScope submit={answers}>
            <FormError />
            <FormStatus />
          </SubmitScope>
          <ProfileView
            profile={p}
            answer={answer}
            planLink={(plan) => `${base}/plans/${plan.id}/file`}
          />
          <EntryForm
            waitsFor="the school to acknowledge it"
            send={async (body) => {
              await parentApi('POST', `${base}/entries`, body);
              profile.reload();
            }}
          />
          <PlanForm
            plans={p.plans}
            waitsFor="the school to acknowledge it"
            send={async (body) => {
              await parentApi('POST', `${base}/plans`, body);
              profile.reload();
            }}
          />
        </section>
      )}
    </WhenLoaded>
  );
}

export default function ParentMedical() {
  const children = useParentLoad<{ children: ParentChild[] }>('/api/parent/children');
  const [chosen, setChosen] = useState<ParentChild | null>(null);
  useEffect(() => {
    document.title = 'Medical and care – Lantern for parents';
  }, []);
  return (
    <>
      <h1 className="page-title">Medical and care</h1>
      <WhenLoaded state={children}>
        {(d) => (
          <ul className="stack-tight">
            {d.children.map((c) => (
              <li key={c.id}>
                <Button aria-pressed={chosen?.id === c.id} onPress={() => setChosen(c)}>
                  {`${c.firstName} ${c.lastName}`}
                </Button>
              </li>
            ))}
          </ul>
        )}
      </WhenLoaded>
      {chosen && <ChildProfile key={chosen.id} child={chosen} />}
    </>
  );
}
