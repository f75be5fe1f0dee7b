import type { ConcernView } from '../../../../src/shared/schemas/concerns.ts';
import type { Loaded } from '../../lib/useLoad.ts';
import { ConcernSummary } from './ConcernSummary.tsx';

type Props = { state: Loaded<{ items: ConcernView[] }>; linkPupils: boolean; empty: string };

export function ConcernList({ state, linkPupils, empty }: Props) {
  if (state.status === 'loading') return <p className="muted">Loading…</p>;
  if (state.status === 'error') {
    return (
      <p className="message message-error" role="alert">
        {state.message}
      </p>
    );
  }
  if (state.data.items.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="concern-list">
      {state.data.items.map((c) => (
        <li key={c.id}>
          <ConcernSummary concern={c} linkPupils={linkPupils} headingLevel="h3" />
        </li>
      ))}
    </ul>
  );
}
