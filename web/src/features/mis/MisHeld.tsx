// Held MIS runs (issue 13): a full run that would have archived more than the school's share of
// the pupils on roll, or all of its staff, waits here with the names it would archive. An
// administrator applies it (a real leaving, say the end of the school year) or discards it (a
// truncated export or a wrong filter at the integrator); the server audits either decision.
// Applying archives many pupils at once, so it takes a second, explicit step in the page that
// says how many (not window.confirm, which screen readers and tests handle badly).
import { useEffect, useRef, useState } from 'react';
import { api } from '../../lib/api.ts';
import { formatWhen } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Button } from '../../ui/Button.tsx';
import { FormError, FormStatus, SubmitScope } from '../../ui/Form.tsx';
import { WhenLoaded } from '../../ui/Message.tsx';
import type { HeldList, HeldOutcome, HeldRun } from '../../../../src/shared/schemas/mis.ts';

export function HeldRuns({ onDecided }: { onDecided: () => void }) {
  const held = useLoad<HeldList>('/api/admin/mis/held');
  const submit = useSubmit();
  const [confirming, setConfirming] = useState<string | null>(null);
  const decide = (run: HeldRun, decision: 'apply' | 'discard') =>
    submit.run(async () => {
      setConfirming(null);
      const r = await api<HeldOutcome>('POST', `/api/admin/mis/held/${run.id}`, { decision });
      void held.reload();
      onDecided();
      return r.summary
        ? `Applied: archived ${r.summary.archived}, added ${r.summary.added}, changed ${r.summary.changed}.`
        : 'Discarded: nothing was applied.';
    });
  return (
    <SubmitScope submit={submit}>
      <FormError />
      <FormStatus submit={submit} />
      <WhenLoaded state={held}>
        {(data) =>
          data.items.length === 0 ? (
            <p className="muted">No import is waiting for a decision.</p>
          ) : (
            <ul className="stack" aria-label="Held imports">
              {data.items.map((run) => (
                <li key={run.id} className="card">
                  <p>
                    <strong>{formatWhen(run.startedAt)}</strong>, {run.source} ({run.format}):{' '}
                    {run.reason}
                  </p>
                  {run.pupils.length > 0 && (
                    <details>
                      <summary>
                        {run.pupils.length} of {run.pupilsOnRoll} pupils it would archive
                      </summary>
                      <ul>
                        {run.pupils.map((p) => (
                          <li key={p.id}>
                            {p.name}
                            {p.yearGroup ? `, year ${p.yearGroup}` : ''}
                          </li>
                        ))}
                      </ul>
                    </details>
                  )}
                  {run.staff.length > 0 && (
                    <details>
                      <summary>
                        {run.staff.length} of {run.staffOnRoll} staff it would archive
                      </summary>
                      <ul>
                        {run.staff.map((s) => (
                          <li key={s.id}>{s.name}</li>
                        ))}
                      </ul>
                    </details>
                  )}
                  {confirming === run.id && (
                    <ConfirmApply
                      run={run}
                      onApply={() => void decide(run, 'apply')}
                      onCancel={() => setConfirming(null)}
                    />
                  )}
                  <div className="actions">
                    <Button
                      variant="primary"
                      aria-label={`Apply the import held on ${formatWhen(run.startedAt)}`}
                      onPress={() => setConfirming(run.id)}
                    >
                      Apply it
                    </Button>
                    <Button
                      variant="secondary"
                      aria-label={`Discard the import held on ${formatWhen(run.startedAt)}`}
                      onPress={() => void decide(run, 'discard')}
                    >
                      Discard it
                    </Button>
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </WhenLoaded>
    </SubmitScope>
  );
}

/** The second step of "Apply it": names how many it will archive; focus moves to it. */
function ConfirmApply({
  run,
  onApply,
  onCancel,
}: {
  run: HeldRun;
  onApply: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLParagraphElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const what = [
    run.pupils.length > 0
      ? `${run.pupils.length} ${run.pupils.length === 1 ? 'pupil' : 'pupils'}`
      : null,
    run.staff.length > 0 ? `${run.staff.length} of staff` : null,
  ]
    .filter(Boolean)
    .join(' and ');
  const id = `confirm-apply-${run.id}`;
  return (
    <div role="group" aria-labelledby={id} className="card">
      <p id={id} ref={ref} tabIndex={-1}>
        <strong>Applying this import will archive {what || 'no one'}.</strong> Only apply it if they
        have really left.
      </p>
      <div className="actions">
        <Button variant="primary" onPress={onApply}>
          Yes, apply and archive {what || 'no one'}
        </Button>
        <Button variant="secondary" onPress={onCancel}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
