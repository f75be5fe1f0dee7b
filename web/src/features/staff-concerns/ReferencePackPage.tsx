// A reference pack (issue 19, KCSIE Part 4): the substantiated matters about one member, for the
// case manager writing their employment reference. False, malicious, unsubstantiated and unfounded
// allegations and low-level concerns are never in it (the server's rule). Making one is audited.
// The page prints as the pack.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatDay, formatWhen } from '../../lib/format.ts';
import { Form, FormError } from '../../ui/Form.tsx';
import { Select } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import type {
  ReferencePack,
  ReferencePackMembers,
  RoutedTo,
} from '../../../../src/shared/schemas/staff-concerns.ts';
import { AreaPage } from './AreaPage.tsx';

export function ReferencePackPage() {
  const staff = useLoad<ReferencePackMembers>('/api/staff-concerns/reference-pack/members');
  return (
    <AreaPage title="Reference pack" state={staff}>
      {(s) => <PackForm staff={s} />}
    </AreaPage>
  );
}

/** What the pack covers, said plainly: only the matters the reader's own team manages. */
function coverage(covers: readonly RoutedTo[]): string {
  if (covers.includes('headteacher') && covers.includes('chair'))
    return 'It covers matters managed by the headteacher and by the chair of governors.';
  if (covers.includes('chair'))
    return 'It covers only matters about the headteacher, which the chair of governors manages. Matters about anyone else are managed by the headteacher and are not included.';
  return 'It covers only matters the headteacher manages. Matters about the headteacher are managed by the chair of governors and are not included.';
}

function PackForm({ staff }: { staff: ReferencePackMembers }) {
  const [userId, setUserId] = useState('');
  const [pack, setPack] = useState<ReferencePack | null>(null);
  const submit = useSubmit<'member'>();
  const send = async () => {
    if (!userId) {
      submit.invalid({ member: 'Choose the member of staff.' }, 'No one was chosen.');
      return;
    }
    setPack(
      await api<ReferencePack>(
        'GET',
        `/api/staff-concerns/reference-pack?userId=${encodeURIComponent(userId)}`,
      ),
    );
  };
  return (
    <>
      <p>
        Only substantiated allegations belong in a reference. False, malicious, unsubstantiated and
        unfounded allegations, and low-level concerns, are never included. You cannot make a pack
        about yourself.
      </p>
      <Form submit={submit} onSubmit={send} className="stack-tight" aria-label="Make a pack">
        <Select name="member" label="Member of staff" value={userId} onChange={setUserId}>
          <option value="">Choose…</option>
          {staff.items.map((s) => (
            <option key={s.id} value={s.id}>
              {s.left ? `${s.name} (left)` : s.name}
            </option>
          ))}
        </Select>
        <FormError />
        <div className="actions">
          <SubmitButton>Make reference pack</SubmitButton>
        </div>
      </Form>
      {pack && (
        <section aria-labelledby="pack-heading" className="section">
          <h2 id="pack-heading">Substantiated allegations about {pack.subjectName}</h2>
          <p>
            Made {formatWhen(pack.madeAt)}. {coverage(pack.covers)}
          </p>
          {pack.items.length === 0 ? (
            <p>
              There are no substantiated allegations about {pack.subjectName} among the matters this
              pack covers.
            </p>
          ) : (
            <ol className="stack-tight">
              {pack.items.map((i) => (
                <li key={i.id} className="card">
                  <p>
                    Raised {formatDay(i.raisedAt)}; found substantiated {formatDay(i.outcomeAt)}.
                  </p>
                  <p className="prewrap">{i.whatHappened}</p>
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </>
  );
}
