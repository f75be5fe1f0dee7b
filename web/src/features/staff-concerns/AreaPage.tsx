// The frame of the case manager's pages in this area (issue 19): the heading, "Loading…", the
// second factor asked in place when the records window has ended, and a load problem.
import type { ReactNode } from 'react';
import type { Load } from '../../lib/useLoad.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import { StepUpSection } from '../identity/StepUpSection.tsx';

export function AreaPage<T>({
  title,
  state,
  children,
}: {
  title: string;
  state: Load<T>;
  children: (data: T) => ReactNode;
}) {
  if (state.status === 'error' && state.code !== 'step_up_required')
    return <LoadProblem title={title} state={state} />;
  return (
    <>
      <PageHeading title={title}>{title}</PageHeading>
      {state.status === 'loading' && <p role="status">Loading…</p>}
      {state.status === 'error' && (
        <StepUpSection
          purpose="to open concerns about adults"
          area="Concerns about adults"
          onDone={() => void state.reload()}
        />
      )}
      {state.status === 'ok' && children(state.data)}
    </>
  );
}
