// "Parents and forms" (issue 21): the hub of the parents' side for staff with the `parents`
// ability, listing its sections (sections.ts), and the route that shows one section's page.
import { Suspense } from 'react';
import { Link, useParams } from 'react-router';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { NotFoundPage } from '../../app/NotFound.tsx';
import { PARENTS_SECTIONS } from './sections.ts';

const TITLE = 'Parents and forms';

export function ParentsHubPage() {
  return (
    <>
      <PageHeading title={TITLE}>{TITLE}</PageHeading>
      <p>
        Parents and carers sign in at their own address, <code>/parent</code>, and never see a
        safeguarding record. What they can do, and what they have sent in:
      </p>
      <nav aria-label={TITLE}>
        <ul className="stack-tight">
          {PARENTS_SECTIONS.map((s) => (
            <li key={s.path} className="card">
              <Link to={`/parents/${s.path}`}>{s.title}</Link>
              <p>{s.description}</p>
            </li>
          ))}
        </ul>
      </nav>
    </>
  );
}

export function ParentsSectionRoute() {
  const { section } = useParams();
  const found = PARENTS_SECTIONS.find((s) => s.path === section);
  if (!found) return <NotFoundPage />;
  return (
    <Suspense fallback={<p role="status">Loading…</p>}>
      <found.page />
    </Suspense>
  );
}
