// Data protection (issue 17): the DPO's (and those the school grants it) landing page, linking to
// the register of rights requests, the breach register, complaints and the data-protection pack.
import { Link, useNavigate } from 'react-router';
import { Button } from '../../ui/Button.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { SarSettingsForm } from './SarSettingsForm.tsx';

export function DataProtectionPage() {
  const navigate = useNavigate();
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
      <div className="toolbar">
        {/* Opens the form on the register's page. */}
        <Button
          variant="primary"
          onPress={() => void navigate('/data-protection/requests?record=1')}
        >
          Record a request
        </Button>
      </div>
      <SarSettingsForm />
    </>
  );
}
