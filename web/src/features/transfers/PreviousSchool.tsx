// The pupil's read-only "Previous school" section (issue 18): each accepted file, with where it
// came from, when, who confirmed receipt, the items withheld and why, and the manifest's hash.
import { Link } from 'react-router';
import { useLoad } from '../../lib/useLoad.ts';
import { formatWhen } from '../../lib/format.ts';
import type {
  PreviousSchool,
  ReceivedFile,
  TransfersView,
} from '../../../../src/shared/schemas/transfers.ts';
import { ItemText } from './TransferPage.tsx';

export function ReceivedFileView({ file }: { file: ReceivedFile }) {
  return (
    <div className="stack-tight">
      <p>
        {file.pupil.name}
        {file.pupil.dateOfBirth && `, born ${file.pupil.dateOfBirth}`}
        {file.pupil.upn && `, UPN ${file.pupil.upn}`}. From {file.fromSchool}, sent{' '}
        {formatWhen(file.sentAt)}. Manifest SHA-256 <code>{file.manifestSha256}</code>.
      </p>
      {file.withheld.length > 0 && (
        <>
          <p>
            <strong>{file.withheld.length} items withheld</strong> by the sending school:
          </p>
          <ul>
            {file.withheld.map((w) => (
              <li key={w.itemId}>{w.reason}</li>
            ))}
          </ul>
        </>
      )}
      <ol className="stack-tight">
        {file.items.map((item) => (
          <li key={item.id} className="card">
            <ItemText item={item} />
          </li>
        ))}
      </ol>
    </div>
  );
}

/** On the pupil's record, for the DSL team: the files accepted from earlier schools. */
export function PreviousSchoolSection({ pupilId }: { pupilId: string }) {
  const state = useLoad<PreviousSchool>(
    `/api/pupils/${encodeURIComponent(pupilId)}/previous-school`,
  );
  if (state.status !== 'ok' || state.data.files.length === 0) return null;
  return (
    <section aria-labelledby="previous-school-heading" className="section">
      <h2 id="previous-school-heading">Previous school</h2>
      <p className="hint">Read-only: as received, with its provenance.</p>
      {state.data.files.map((f) => (
        <article key={f.id} aria-label={`File from ${f.fromSchool}`} className="card">
          <h3>From {f.fromSchool}</h3>
          {f.receipt && (
            <p className="hint">
              Receipt confirmed by {f.receipt.name}, {f.receipt.role}.
            </p>
          )}
          <ReceivedFileView file={f} />
        </article>
      ))}
    </section>
  );
}

/**
 * On the pupil's record, for the DSL team: "Send the child-protection file" once the pupil is
 * leaving (a transfer is open for them), else a way to mark them leaving.
 */
export function PupilTransferLink({ pupilId }: { pupilId: string }) {
  const state = useLoad<TransfersView>('/api/transfers');
  if (state.status !== 'ok') return null;
  const live = state.data.out.find(
    (x) => x.pupil.id === pupilId && ['draft', 'sent', 'viewed'].includes(x.state),
  );
  return (
    <p>
      {live ? (
        <Link className="button button-primary" to={`/transfers/${live.id}`}>
          Send the child-protection file
        </Link>
      ) : (
        <Link className="button" to={`/pupils/${pupilId}/leaving`}>
          Mark as leaving
        </Link>
      )}
    </p>
  );
}
