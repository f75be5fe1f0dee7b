// "Who has seen this record": every view, opened record, export and change of one pupil's record,
// newest first, for the DSL team and the headteacher. Opening it is itself recorded, so it
// appears in the list the next time. Filters are kept in the address.
import { Link, useParams, useSearchParams } from 'react-router';
import { useLoad } from '../../lib/useLoad.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { useSession } from '../../app/session.tsx';
import type { PupilLog } from '../../../../src/shared/schemas/audit-trail.ts';
import { TrailFilters } from './TrailFilters.tsx';
import { TrailTable } from './TrailTable.tsx';
import { filterFrom, queryOf } from './trail-filters.ts';

const TITLE = 'Who has seen this record';

export function PupilAccessLogPage() {
  const { id = '' } = useParams();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const filter = filterFrom(params);
  const { person, kind, from, to } = filter;
  const address = `/api/pupils/${encodeURIComponent(id)}/access-log${queryOf({ person, kind, from, to })}`;
  const state = useLoad<PupilLog>(address);
  if (state.status === 'loading')
    return (
      <>
        <PageHeading title={TITLE}>{TITLE}</PageHeading>
        <p role="status">Loading…</p>
      </>
    );
  if (state.status === 'error') return <LoadProblem title={TITLE} state={state} />;
  const { pupil } = state.data;
  return (
    <>
      <PageHeading title={`${TITLE} – ${pupil.name}`}>{TITLE}</PageHeading>
      <p className="lead">
        {pupil.name}: every time their record was opened, searched and opened, exported or changed,
        newest first, and by whom. <Link to={`/pupils/${pupil.id}`}>Back to the chronology</Link>
        {session.has('audit') && (
          <>
            {' · '}
            <Link to={`/audit${queryOf({ pupil: pupil.id })}`}>
              Search the school’s trail for this pupil
            </Link>
          </>
        )}
      </p>
      <TrailFilters
        key={address}
        label="Filter who has seen this record"
        applied={filter}
        onApply={(f) =>
          setParams(new URLSearchParams(queryOf({ ...f, pupil: '', action: '' }).slice(1)))
        }
        people={state.data.people}
      />
      <TrailTable
        first={state.data}
        address={address}
        caption={`Who has seen the record of ${pupil.name}`}
        total={state.data.total}
        empty="Nothing matches these filters."
      />
    </>
  );
}
