import { Link } from 'react-router';
import { PageHeading } from '../ui/PageHeading.tsx';

export function NotFoundPage() {
  return (
    <>
      <PageHeading title="Page not found">Page not found</PageHeading>
      <p>
        There is nothing at this address. <Link to="/">Go to your dashboard</Link>.
      </p>
    </>
  );
}
