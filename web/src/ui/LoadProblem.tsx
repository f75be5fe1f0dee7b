// What a page shows when its record cannot be loaded: not found, not allowed, or a failure.
import { Link } from 'react-router';
import type { Loaded } from '../lib/useLoad.ts';
import { PageHeading } from './PageHeading.tsx';

type Failed = Extract<Loaded<unknown>, { status: 'error' }>;

export function LoadProblem({ title, state }: { title: string; state: Failed }) {
  const heading =
    state.httpStatus === 404
      ? 'Not found'
      : state.httpStatus === 403
        ? 'You cannot see this'
        : `${title} could not be loaded`;
  return (
    <>
      <PageHeading title={heading}>{heading}</PageHeading>
      <p className="message message-error" role="alert">
        {state.message}
      </p>
      <p>
        <Link to="/">Back to the dashboard</Link>
      </p>
    </>
  );
}
