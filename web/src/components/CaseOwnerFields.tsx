// A case's owner and review date, as chosen when opening a case and when changing an open one.
// The owners offered are the server's (GET /api/case-owners: staff who manage cases); the server
// checks both again. An empty review date means none.
import { toLocalInput } from '../format.ts';
import type { Ref } from '../caseWork.ts';
import type { Loaded } from '../useLoad.ts';
import { FormField } from './FormField.tsx';

export type OwnerField = 'owner' | 'reviewOn';

/** Today in the browser's time zone, as a date input's value. */
export const today = () => toLocalInput(new Date()).slice(0, 10);

/** The message for a review date the server would refuse, or null. */
export function reviewDateProblem(value: string): string | null {
  if (!value) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return 'Enter the review date as a date.';
  return value < today() ? 'The review date cannot be in the past.' : null;
}

type Props = {
  ids: Record<OwnerField, string>;
  owners: Loaded<{ items: Ref[] }>;
  ownerId: string;
  onOwner: (id: string) => void;
  reviewOn: string;
  onReviewOn: (date: string) => void;
  errors: Partial<Record<OwnerField, string>>;
  /** Someone who owns the case now but may no longer own one: still shown, by name. */
  current?: Ref;
};

export function CaseOwnerFields(p: Props) {
  const listed = p.owners.status === 'ok' ? p.owners.data.items : [];
  const choices =
    p.current && !listed.some((o) => o.id === p.current?.id) ? [p.current, ...listed] : listed;
  return (
    <>
      <FormField
        id={p.ids.owner}
        label="Case owner"
        hint="Someone who manages cases (the DSL team by default)."
        error={
          p.errors.owner ?? (p.owners.status === 'error' ? 'Staff could not be loaded.' : null)
        }
      >
        {(c) => (
          <select
            {...c}
            className="input"
            value={p.ownerId}
            onChange={(e) => p.onOwner(e.target.value)}
            disabled={p.owners.status !== 'ok'}
          >
            {p.owners.status === 'loading' && <option value={p.ownerId}>Loading staff…</option>}
            {choices.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        )}
      </FormField>
      <FormField
        id={p.ids.reviewOn}
        label="Review date"
        optional
        hint="When the case is next reviewed. Leave empty for none."
        error={p.errors.reviewOn}
      >
        {(c) => (
          <input
            {...c}
            className="input input-short"
            type="date"
            min={today()}
            value={p.reviewOn}
            onChange={(e) => p.onReviewOn(e.target.value)}
          />
        )}
      </FormField>
    </>
  );
}
