// Data protection (issue 17): the DPO's (and those the school grants it) landing page, linking to
// the register of rights requests, the breach register, complaints and the data-protection pack.
import { Link } from 'react-router';
import { PageHeading } from '../../ui/PageHeading.tsx';

export function DataProtectionPage() {
  return (
    <>
      <PageHeading title="Data protection">Data protection</PageHeading>
      <p>
        The school&apos;s duties to the people whose data it holds, and to the regulator: rights
        requests on the ICO&apos;s clock, every breach on the 72-hour clock, and complaints.
      </p>
      <nav aria-label="Data protection">
        <ul className="stack-tight">
          <li>
            <Link to="/data-protection/requests">Requests</Link>
          </li>
          <li>
            <Link to="/data-protection/breaches">Breaches</Link>
          </li>
          <li>
            <Link to="/data-protection/complaints">Complaints</Link>
          </li>
          <li>
            <Link to="/data-protection/pack">Data-protection pack</Link>
          </li>
        </ul>
      </nav>
    </>
  );
}

/** The pack is not generated yet (issue 17): the page says so rather than showing a stale one. */
export function PackPage() {
  return (
    <>
      <PageHeading title="Data-protection pack">Data-protection pack</PageHeading>
      <p>
        Lantern does not yet generate the data-protection pack from the live configuration. Until it
        does, ask the operator for the school&apos;s groups and grants, second-factor policy,
        retention schedule and backup settings.
      </p>
      <p>
        <Link to="/data-protection">Back to data protection</Link>
      </p>
    </>
  );
}
