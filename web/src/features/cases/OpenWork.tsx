// A case's actions and referrals with their state (issue 14), and — when it is being closed with
// some still open — the question for each: complete it, cancel it with a reason, or keep it open.
// The answers go with the closure and are applied in the same transaction; nothing is closed
// with work left open unawares.
import type { ActionView } from '../../../../src/shared/schemas/actions.ts';
import type {
  CaseClosure,
  CaseView,
  OpenWorkChoice,
} from '../../../../src/shared/schemas/cases.ts';
import { RadioGroup } from '../../ui/Field.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { MAX_OUTCOME_LENGTH } from '../../../../src/shared/limits.ts';
import { ActionList } from '../actions/FollowUpActions.tsx';
import { ReferralList } from '../referrals/FollowUpReferrals.tsx';
import { labelOf } from '../../lib/format.ts';
import { ACTION_TYPES } from '../actions/labels.ts';

export function CaseWork({ c, onChanged }: { c: CaseView; onChanged: (message: string) => void }) {
  return (
    <section aria-labelledby="work-heading" className="section card">
      <h2 id="work-heading">Actions and referrals</h2>
      <h3>Actions</h3>
      <ActionList actions={c.actions} onChanged={onChanged} empty="No actions in this case." />
      <h3>Referrals</h3>
      <ReferralList referrals={c.referrals} />
    </section>
  );
}

export type OpenItem = { kind: 'action' | 'referral'; id: string; title: string };
export type Answer = { choice: OpenWorkChoice | ''; reason: string };
export type Answers = Record<string, Answer>;

const actionTitle = (a: ActionView) => `${labelOf(ACTION_TYPES, a.type)}: ${a.text}`;

/** What is still open on the case, in the order the page lists it. */
export function openItems(c: CaseView): OpenItem[] {
  return [
    ...c.actions
      .filter((a) => !a.completedAt && !a.cancelledAt)
      .map((a) => ({ kind: 'action' as const, id: a.id, title: actionTitle(a) })),
    ...c.referrals
      .filter((r) => !r.closedAt)
      .map((r) => ({ kind: 'referral' as const, id: r.id, title: `Referral to ${r.agency}` })),
  ];
}

/** The field name each answer's problems are shown by. */
export const choiceField = (id: string) => `choice-${id}`;
export const reasonField = (id: string) => `reason-${id}`;

export function openWorkProblems(
  items: OpenItem[],
  answers: Answers,
): Record<string, string | false> {
  const out: Record<string, string | false> = {};
  for (const item of items) {
    const a = answers[item.id];
    out[choiceField(item.id)] = !a?.choice && `Choose what happens to “${item.title}”.`;
    out[reasonField(item.id)] =
      a?.choice === 'cancel' && !a.reason.trim() && 'Give the reason for cancelling it.';
  }
  return out;
}

export function openWorkBody(items: OpenItem[], answers: Answers): CaseClosure['openWork'] {
  return items.map((item) => {
    const a = answers[item.id];
    const choice = a?.choice || 'keep_open';
    return {
      kind: item.kind,
      id: item.id,
      choice,
      ...(choice === 'cancel' ? { reason: a?.reason ?? '' } : {}),
    };
  });
}

const CHOICES = [
  ['complete', 'Complete it'],
  ['cancel', 'Cancel it, with a reason'],
  ['keep_open', 'Keep it open'],
] as const;

export function OpenWorkQuestions({
  items,
  answers,
  onChange,
}: {
  items: OpenItem[];
  answers: Answers;
  onChange: (answers: Answers) => void;
}) {
  if (items.length === 0) return null;
  const set = (id: string, a: Partial<Answer>) =>
    onChange({ ...answers, [id]: { choice: '', reason: '', ...answers[id], ...a } });
  return (
    <div className="stack">
      <p>
        {items.length === 1
          ? 'One action or referral is'
          : `${items.length} actions and referrals are`}{' '}
        still open. Say what happens to each.
      </p>
      {items.map((item) => (
        <div key={item.id} className="stack-tight">
          <RadioGroup
            name={choiceField(item.id)}
            legend={item.title}
            value={answers[item.id]?.choice ?? ''}
            onChange={(choice) => set(item.id, { choice })}
            options={CHOICES}
          />
          {answers[item.id]?.choice === 'cancel' && (
            <TextField
              name={reasonField(item.id)}
              label={`Why cancel “${item.title}”`}
              maxLength={MAX_OUTCOME_LENGTH}
              value={answers[item.id]?.reason ?? ''}
              onChange={(reason) => set(item.id, { reason })}
            />
          )}
        </div>
      ))}
    </div>
  );
}
