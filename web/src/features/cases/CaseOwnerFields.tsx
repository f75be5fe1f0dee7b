// A case's owner and review date, as chosen when opening a case and when changing an open one.
// The owners offered are the server's (GET /api/case-owners: staff who manage cases); the server
// checks both again. An empty review date means none. The fields are named as the server names
// them (ownerId, reviewOn), so a refusal that names one is shown beside it.
import { toLocalInput } from '../../lib/format.ts';
import type { Loaded } from '../../lib/useLoad.ts';
import { DateField, Select } from '../../ui/Field.tsx';
import type { CaseOwnerList } from '../../../../src/shared/schemas/cases.ts';
import type { Person } from '../../../../src/shared/schemas/concerns.ts';

export type OwnerField = 'ownerId' | 'reviewOn';

/** Today in the browser's time zone, as a date input's value. */
export const today = () => toLocalInput(new Date()).slice(0, 10);

/** The message for a review date the server would refuse, or null. */
export function reviewDateProblem(value: string): string | null {
  if (!value) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return 'Enter the review date as a date.';
  return value < today() ? 'The review date cannot be in the past.' : null;
}

type Props = {
  owners: Loaded<CaseOwnerList>;
  ownerId: string;
  onOwner: (id: string) => void;
  reviewOn: string;
  onReviewOn: (date: string) => void;
  /** Someone who owns the case now but may no longer own one: still shown, by name. */
  current?: Person;
};

export function CaseOwnerFields(p: Props) {
  const listed = p.owners.status === 'ok' ? p.owners.data.items : [];
  const choices =
    p.current && !listed.some((o) => o.id === p.current?.id) ? [p.current, ...listed] : listed;
  return (
    <>
      <Select
        name="ownerId"
        label="Case owner"
        hint="Someone who manages cases (the DSL team by default)."
        error={p.owners.status === 'error' ? 'Staff could not be loaded.' : null}
        value={p.ownerId}
        onChange={p.onOwner}
        isDisabled={p.owners.status !== 'ok'}
      >
        {p.owners.status === 'loading' && <option value={p.ownerId}>Loading staff…</option>}
        {choices.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </Select>
      <DateField
        name="reviewOn"
        label="Review date"
        optional
        hint="When the case is next reviewed. Leave empty for none."
        min={today()}
        value={p.reviewOn}
        onChange={p.onReviewOn}
      />
    </>
  );
}
