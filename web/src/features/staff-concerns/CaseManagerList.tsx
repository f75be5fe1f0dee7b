// The case manager's concerns about adults (issue 19): each matter routed to them (never one
// that names them: the server leaves it out), its triage, and the LADO clock with its overdue
// state. The server decides what is listed and what may be done.
import { Link, useLocation } from 'react-router';
import { Notice } from '../../ui/Message.tsx';
import { useLoad } from '../../lib/useLoad.ts';
import { formatWhen } from '../../lib/format.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import type { MatterList, MatterSummary } from '../../../../src/shared/schemas/staff-concerns.ts';
import { CLASSIFICATION_NAMES, OUTCOME_NAMES, SUBJECT_KIND_NAMES } from './words.ts';
import { StepUpSection } from '../identity/StepUpSection.tsx';

const TITLE = 'Concerns about adults';

/** What the page before said as it sent the reader here (a removed allegation's outcome). */
function flashOf(state: unknown): string | null {
  if (typeof state !== 'object' || state === null || !('flash' in state)) return null;
  return typeof state.flash === 'string' ? state.flash : null;
}

export function CaseManagerListPage() {
  const list = useLoad<MatterList>('/api/staff-concerns');
  const location = useLocation();
  const flash = flashOf(location.state);
  if (list.status === 'loading')
    return (
      <>
        <PageHeading title={TITLE}>{TITLE}</PageHeading>
        <p role="status">Loading…</p>
      </>
    );
  if (list.status === 'error') {
    if (list.code === 'step_up_required')
      return (
        <>
          <PageHeading title={TITLE}>{TITLE}</PageHeading>
          <StepUpSection
            purpose="to open concerns about adults"
            area="Concerns about adults"
            onDone={() => void list.reload()}
          />
        </>
      );
    return <LoadProblem title={TITLE} state={list} />;
  }
  const { items, removedAsMalicious } = list.data;
  return (
    <>
      <PageHeading title={TITLE}>{TITLE}</PageHeading>
      <Notice text={flash} />
      <nav aria-label="Case manager’s pages" className="toolbar">
        <Link className="button" to="/staff-concerns/patterns">
          Patterns review
        </Link>
        <Link className="button" to="/staff-concerns/reference-pack">
          Reference pack
        </Link>
        <Link className="button" to="/staff-concerns/retention">
          Retention review
        </Link>
        <Link className="button" to="/staff-concerns/audit">
          Audit
        </Link>
        <Link className="button" to="/staff-concerns/settings">
          Settings
        </Link>
      </nav>
      <section aria-labelledby="matters-heading" className="section">
        <h2 id="matters-heading">Matters for you to manage</h2>
        {items.length === 0 ? (
          <p>There are no concerns about adults for you to manage.</p>
        ) : (
          <ul className="stack-tight">
            {items.map((m) => (
              <MatterItem key={m.id} m={m} />
            ))}
          </ul>
        )}
        {removedAsMalicious > 0 && (
          <p>Malicious allegations removed from members’ files: {removedAsMalicious}.</p>
        )}
      </section>
    </>
  );
}

function MatterItem({ m }: { m: MatterSummary }) {
  return (
    <li className="card stack-tight">
      <Link to={`/staff-concerns/${m.id}`}>
        {m.subjectName} ({SUBJECT_KIND_NAMES[m.subjectKind].toLowerCase()})
      </Link>
      <span>Raised {formatWhen(m.raisedAt)}</span>
      <span>
        {m.classification ? CLASSIFICATION_NAMES[m.classification] : 'Waiting for triage'}
        {m.outcome ? ` · ${OUTCOME_NAMES[m.outcome]}` : ''}
      </span>
      {m.lado && <LadoClock lado={m.lado} />}
    </li>
  );
}

export function LadoClock({ lado }: { lado: NonNullable<MatterSummary['lado']> }) {
  if (lado.met) return <span>LADO contacted.</span>;
  return (
    <span className={lado.overdue ? 'message message-error' : undefined}>
      LADO {lado.overdue ? 'overdue: was due' : 'due'} {formatWhen(lado.dueAt)}
    </span>
  );
}
