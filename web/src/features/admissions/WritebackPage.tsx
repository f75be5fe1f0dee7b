// The MIS write-back queue (issue 21): accepted changes waiting for the MIS, exported as a CSV
// file the school imports (docs/MIS-WRITEBACK.md); exported rows leave the queue. Lantern's own
// copy is not changed: the next MIS feed brings the change.
import { Link } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatWhen } from '../../lib/format.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import type { WritebackFile, WritebackQueue } from '../../../../src/shared/admissions.ts';
import { StepUpSection } from '../identity/StepUpSection.tsx';

const TITLE = 'Changes waiting for the MIS';

function download(file: WritebackFile): void {
  const url = URL.createObjectURL(new Blob([file.csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function WritebackPage() {
  const queue = useLoad<WritebackQueue>('/api/admissions/writeback');
  const submit = useSubmit();
  if (queue.status === 'loading') return <p role="status">Loading…</p>;
  if (queue.status === 'error') {
    if (queue.code === 'step_up_required')
      return (
        <StepUpSection
          purpose="to open parents and forms"
          area="Parents and forms"
          onDone={() => void queue.reload()}
        />
      );
    return <LoadProblem title={TITLE} state={queue} />;
  }
  const exportFile = async () => {
    const file = await api<WritebackFile>('POST', '/api/admissions/writeback/export');
    download(file);
    void queue.reload();
    return `Exported ${file.rows} change${file.rows === 1 ? '' : 's'} as ${file.filename}. Import it into the MIS.`;
  };
  return (
    <>
      <PageHeading title={TITLE}>{TITLE}</PageHeading>
      <p>
        <Link to="/parents/admissions">Admission forms</Link>
      </p>
      {queue.data.pending.length === 0 ? (
        <p>Nothing is waiting to go back to the MIS.</p>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Accepted changes waiting for the MIS</caption>
          <thead>
            <tr>
              <th scope="col">Pupil</th>
              <th scope="col">Field</th>
              <th scope="col">New value</th>
              <th scope="col">Accepted</th>
            </tr>
          </thead>
          <tbody>
            {queue.data.pending.map((r) => (
              <tr key={r.id}>
                <td>{r.pupilName}</td>
                <td>{r.label}</td>
                <td>{r.value}</td>
                <td>{formatWhen(r.queuedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Form
        submit={submit}
        onSubmit={exportFile}
        className="stack-tight"
        aria-label="Export for the MIS"
      >
        <FormError />
        <FormStatus />
        {queue.data.allowed.includes('export') && (
          <div className="actions">
            <SubmitButton>Export the file for the MIS</SubmitButton>
          </div>
        )}
      </Form>
      {queue.data.exports.length > 0 && (
        <section aria-labelledby="wb-exports" className="section">
          <h2 id="wb-exports">Files exported</h2>
          <ul>
            {queue.data.exports.map((e) => (
              <li key={e.id}>
                {formatWhen(e.exportedAt)}: {e.rows} change{e.rows === 1 ? '' : 's'} (SHA-256{' '}
                {e.sha256.slice(0, 12)}…)
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
