// A load that may need the second factor first (trips and medical profiles are elevated work):
// asks for it in place, then loads again.
import type { ReactNode } from 'react';
import type { Load } from '../../lib/useLoad.ts';
import { WhenLoaded } from '../../ui/Message.tsx';
import { StepUpInPlace } from '../identity/StepUpInPlace.tsx';

export function Loaded<T>({
  state,
  children,
}: {
  state: Load<T>;
  children: (data: T) => ReactNode;
}) {
  if (state.status === 'error' && state.code === 'step_up_required') {
    return <StepUpInPlace onDone={() => void state.reload()} />;
  }
  return <WhenLoaded state={state}>{children}</WhenLoaded>;
}
