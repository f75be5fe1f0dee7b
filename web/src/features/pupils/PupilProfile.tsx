// A pupil's profile from the MIS and Lantern: court-order restrictions first and prominently, then
// names, date of birth, year and form, flags, SEN, attendance this school year, contacts in
// priority order, siblings (linked to their own profiles) and groups. Only what the server lets
// this user see; every name is shown as text, exactly as given.
import { Link, useParams } from 'react-router';
import { useLoad } from '../../lib/useLoad.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import type { Profile } from '../../../../src/shared/schemas/pupils.ts';

type Contact = Profile['contacts'][number];
type Flag = Profile['flags'][number];

const FLAG_NAMES: Record<string, string> = {
  cp_plan: 'Child protection plan',
  child_protection_plan: 'Child protection plan',
  cin: 'Child in need',
  child_in_need: 'Child in need',
  lac: 'Looked after',
  looked_after: 'Looked after',
  plac: 'Previously looked after',
  previously_looked_after: 'Previously looked after',
  sen_support: 'SEN support',
  ehcp: 'EHC plan',
  fsm: 'Free school meals',
  pupil_premium: 'Pupil premium',
  eal: 'English as an additional language',
  young_carer: 'Young carer',
};
const RESTRICTION_NAMES: Record<string, string> = {
  no_contact: 'No contact',
  no_collection: 'Must not collect',
  no_contact_or_collection: 'No contact and must not collect',
};
const words = (s: string) => s.replaceAll('_', ' ');
/** A flag whose end date has passed is history: shown, marked as ended, after the current ones. */
const today = () => new Date().toISOString().slice(0, 10);
const ended = (f: Flag) => f.endsOn !== null && f.endsOn < today();
const pct = (n: number | null) => (n === null ? '—' : `${n.toFixed(1)}%`);
const name = (c: Contact) => [c.title, c.firstName, c.lastName].filter(Boolean).join(' ');
const dob = (iso: string | null) =>
  iso ? new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB', { dateStyle: 'long' }) : '—';

export function PupilProfilePage() {
  const { id = '' } = useParams();
  const state = useLoad<Profile>(`/api/pupils/${encodeURIComponent(id)}`);
  if (state.status === 'loading') {
    return (
      <>
        <PageHeading title="Pupil profile">Pupil profile</PageHeading>
        <p role="status">Loading…</p>
      </>
    );
  }
  if (state.status === 'error') return <LoadProblem title="Pupil profile" state={state} />;
  const p = state.data;
  const shown = `${p.preferredName ?? p.firstName} ${p.lastName}`;
  const contactName = new Map(p.contacts.map((c) => [c.id, name(c)]));
  const group = [p.yearGroup, p.form].filter(Boolean).join(', ');
  // Current flags first, most recent start first; then past ones, most recently ended first.
  const byStart = (a: Flag, b: Flag) => (b.startsOn ?? '').localeCompare(a.startsOn ?? '');
  const current = p.flags.filter((f) => !ended(f)).sort(byStart);
  const past = p.flags.filter(ended).sort((a, b) => (b.endsOn ?? '').localeCompare(a.endsOn ?? ''));
  return (
    <>
      <PageHeading title={`${shown} – profile`}>{shown}</PageHeading>
      <p className="lead">
        {group && <>{group}. </>}
        {p.archived && <strong>Left the school (archived). </strong>}
        <Link to={`/pupils/${p.id}`}>Chronology</Link> · <Link to="/">Dashboard</Link>
      </p>
      {p.restrictions.length > 0 && (
        <section aria-labelledby="restrictions-heading" className="message message-error">
          <h2 id="restrictions-heading">Restrictions on contacts</h2>
          <ul>
            {p.restrictions.map((r) => (
              <li key={r.id}>
                <strong>{RESTRICTION_NAMES[r.kind] ?? words(r.kind)}:</strong>{' '}
                {contactName.get(r.contactId) ?? 'a contact'}
                {r.courtOrder && ' (court order)'}
                {r.note && <> — {r.note}</>}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="details-heading" className="section card">
        <h2 id="details-heading">Details</h2>
        {p.photo?.data && p.photo.mimeType && (
          <img
            className="pupil-photo"
            src={`data:${p.photo.mimeType};base64,${p.photo.data}`}
            alt={`Photo of ${shown}`}
          />
        )}
        <dl className="facts">
          <dt>Legal name</dt>
          <dd>
            {p.legalFirstName ?? p.firstName} {p.legalLastName ?? p.lastName}
          </dd>
          <dt>Date of birth</dt>
          <dd>{dob(p.dateOfBirth)}</dd>
          <dt>UPN</dt>
          <dd>{p.upn ?? '—'}</dd>
          <dt>SEN</dt>
          <dd>
            {p.sen.status ? words(p.sen.status) : 'None recorded'}
            {p.sen.needs.length > 0 &&
              ` (${p.sen.needs.map((n) => n.description ?? '').join(', ')})`}
          </dd>
        </dl>
        <h3>Flags</h3>
        {current.length === 0 ? (
          <p className="muted">No current flags.</p>
        ) : (
          <ul aria-label="Current flags">
            {current.map((f) => (
              <li key={f.id}>
                <strong>{FLAG_NAMES[f.flag] ?? words(f.flag)}</strong>
                {f.startsOn ? `, since ${dob(f.startsOn)}` : ', start date not recorded'}
                {f.endsOn && `, until ${dob(f.endsOn)}`} ({f.source === 'mis' ? 'MIS' : 'Lantern'})
              </li>
            ))}
          </ul>
        )}
        {past.length > 0 && (
          <>
            <h4>Past flags</h4>
            <ul aria-label="Past flags">
              {past.map((f) => (
                <li key={f.id}>
                  {FLAG_NAMES[f.flag] ?? words(f.flag)},{' '}
                  {f.startsOn ? `${dob(f.startsOn)} to ` : 'ended '}
                  {dob(f.endsOn)} ({f.source === 'mis' ? 'MIS' : 'Lantern'})
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section aria-labelledby="attendance-heading" className="section card">
        <h2 id="attendance-heading">Attendance this school year</h2>
        {p.attendance.possible === 0 ? (
          <p className="muted">No attendance marks since {dob(p.attendance.from)}.</p>
        ) : (
          <dl className="facts">
            <dt>Present</dt>
            <dd>{pct(p.attendance.presentPct)}</dd>
            <dt>Authorised absence</dt>
            <dd>{pct(p.attendance.authorisedPct)}</dd>
            <dt>Unauthorised absence</dt>
            <dd>{pct(p.attendance.unauthorisedPct)}</dd>
            <dt>Late</dt>
            <dd>{pct(p.attendance.latePct)}</dd>
            <dt>Possible sessions</dt>
            <dd>{p.attendance.possible}</dd>
          </dl>
        )}
      </section>
      <section aria-labelledby="contacts-heading" className="section card">
        <h2 id="contacts-heading">Contacts</h2>
        {p.contacts.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ol className="contacts">
            {p.contacts.map((c) => (
              <li key={c.id}>
                <strong>{name(c)}</strong>
                {c.relationship && `, ${words(c.relationship)}`}
                {c.parentalResponsibility && ', parental responsibility'}
                {c.restricted && <strong className="restricted-badge"> — restricted</strong>}
                {c.phones.map((ph) => (
                  <div key={`${ph.kind}-${ph.number}`}>
                    {words(ph.kind)}: {ph.number}
                  </div>
                ))}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="family-heading" className="section card">
        <h2 id="family-heading">Siblings and groups</h2>
        {p.siblings.length === 0 ? (
          <p className="muted">No siblings at this school.</p>
        ) : (
          <ul>
            {p.siblings.map((s) => (
              <li key={s.id}>
                <Link to={`/pupils/${s.id}/profile`}>{s.name}</Link>
                {[s.yearGroup, s.form].filter(Boolean).length > 0 &&
                  ` (${[s.yearGroup, s.form].filter(Boolean).join(', ')})`}
              </li>
            ))}
          </ul>
        )}
        {p.groups.length > 0 && (
          <p>Groups: {p.groups.map((g) => `${g.name} (${words(g.kind)})`).join(', ')}</p>
        )}
      </section>
    </>
  );
}
