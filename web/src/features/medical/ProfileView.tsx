// A medical and care profile as both staff and parents see it: each item's confirmed version and
// the changes waiting (with the viewer's buttons, from the server's `allowed`), and the plans.
// `answer` sends the viewer's answer; the parent's page and the staff page pass their own routes.
import type { ReactNode } from 'react';
import type {
  ChangeAction,
  EntryContent,
  EntryVersion,
  MedicalProfile,
  Plan,
} from '../../../../src/shared/medical.ts';
import { MEDICAL_KINDS } from '../../../../src/shared/medical.ts';
import { Button } from '../../ui/Button.tsx';
import { KIND_TITLES, STATE_NAMES } from './words.ts';

const ACTION_LABEL: Record<ChangeAction, string> = {
  confirm: 'Confirm',
  acknowledge: 'Acknowledge',
  decline: 'Decline',
};

export function describe(c: EntryContent | null): string {
  if (!c) return '';
  return [
    c.name,
    c.riskLevel && `${c.riskLevel} risk`,
    c.severity,
    c.dose,
    c.when,
    c.administeredBy && `given by ${c.administeredBy}`,
    c.details,
  ]
    .filter(Boolean)
    .join(' — ');
}

function Version({
  v,
  answer,
  what,
}: {
  v: EntryVersion | Plan;
  answer: (id: string, action: ChangeAction, kind: 'entry' | 'plan') => void;
  what: string;
}) {
  const kind = 'content' in v ? 'entry' : 'plan';
  return (
    <>
      <span className="state-badge">
        {' '}
        ({STATE_NAMES[v.state]}, proposed by {v.proposedBy === 'staff' ? 'the school' : 'a parent'})
      </span>
      {v.allowed.map((a) => (
        <Button
          key={a}
          variant={a === 'decline' ? 'quiet' : 'secondary'}
          aria-label={`${ACTION_LABEL[a]}: ${what}`}
          onPress={() => answer(v.id, a, kind)}
        >
          {ACTION_LABEL[a]}
        </Button>
      ))}
    </>
  );
}

export function ProfileView({
  profile,
  answer,
  planLink,
  after,
}: {
  profile: MedicalProfile;
  answer: (id: string, action: ChangeAction, kind: 'entry' | 'plan') => void;
  planLink?: (p: Plan) => string;
  after?: ReactNode;
}) {
  return (
    <div className="stack">
      {MEDICAL_KINDS.map((k) => {
        const items = profile.items.filter((i) => i.kind === k);
        return (
          <section key={k} aria-labelledby={`med-${k}`}>
            <h2 id={`med-${k}`}>{KIND_TITLES[k]}</h2>
            {items.length === 0 ? (
              <p>None recorded.</p>
            ) : (
              <ul className="stack-tight">
                {items.map((i) => (
                  <li key={i.entryKey}>
                    {i.current ? (
                      <strong>{describe(i.current.content)}</strong>
                    ) : (
                      <em>Not yet confirmed</em>
                    )}
                    {i.pending.map((p) => (
                      <div key={p.id}>
                        {p.removal ? 'Remove this item' : `Change: ${describe(p.content)}`}
                        <Version
                          v={p}
                          answer={answer}
                          what={p.removal ? 'remove' : describe(p.content)}
                        />
                      </div>
                    ))}
                    {i.history.length > 0 && (
                      <details>
                        <summary>Earlier versions ({i.history.length})</summary>
                        <ul>
                          {i.history.map((h) => (
                            <li key={h.id}>
                              {h.removal ? 'Removal' : describe(h.content)} ({STATE_NAMES[h.state]})
                            </li>
                          ))}
                        </ul>
                      </details>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>
        );
      })}
      <section aria-labelledby="med-plans">
        <h2 id="med-plans">Healthcare and action plans</h2>
        {profile.plans.length === 0 ? (
          <p>None recorded.</p>
        ) : (
          <ul className="stack-tight">
            {profile.plans.map((p) => (
              <li key={p.id}>
                {planLink ? <a href={planLink(p)}>{p.title}</a> : p.title}, expires {p.expiresOn}
                {p.reviewDueOn && <>, review due {p.reviewDueOn}</>}
                <Version v={p} answer={answer} what={p.title} />
              </li>
            ))}
          </ul>
        )}
      </section>
      {after}
    </div>
  );
}
