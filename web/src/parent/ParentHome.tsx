// A parent's home page: their children (name, school) and the sections that exist (sections.ts).
import { useEffect } from 'react';
import { Link } from 'react-router';
import type { ParentChildren } from '../../../src/shared/schemas/parents.ts';
import { useParentLoad } from './useParentLoad.ts';
import { useParentSession } from './session.tsx';
import { PARENT_SECTIONS } from './sections.ts';

export function ParentHomePage() {
  const { session } = useParentSession();
  const children = useParentLoad<ParentChildren>('/api/parent/children');
  useEffect(() => {
    document.title = 'Home – Lantern for parents';
  }, []);
  return (
    <>
      <h1 className="page-title">Hello, {session.parent.name}</h1>
      <section aria-labelledby="children-heading">
        <h2 id="children-heading">Your children</h2>
        {children.status === 'loading' && <p role="status">Loading…</p>}
        {children.status === 'error' && (
          <p className="message message-error" role="alert">
            {children.message}
          </p>
        )}
        {children.status === 'ok' &&
          (children.data.children.length === 0 ? (
            <p>
              No children are linked to your account yet. Ask the school office if this is wrong.
            </p>
          ) : (
            <ul className="parent-children">
              {children.data.children.map((c) => (
                <li key={c.id}>
                  <strong>
                    {c.firstName} {c.lastName}
                  </strong>
                  <br />
                  {c.school}
                  {c.yearGroup ? `, ${c.yearGroup}` : ''}
                </li>
              ))}
            </ul>
          ))}
      </section>
      <section aria-labelledby="sections-heading">
        <h2 id="sections-heading">What you can do</h2>
        <ul className="parent-sections">
          {PARENT_SECTIONS.map((s) => (
            <li key={s.path}>
              <Link to={`/parent/${s.path}`}>{s.title}</Link>
              <p>{s.description}</p>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
