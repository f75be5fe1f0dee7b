// What a form with a draft says about it (lib/useDraft.ts): that a draft was given back, with a
// way to throw it away; when the writing was last kept; and, if it could not be kept (offline),
// that the words are still here and the page should stay open.
import type { DraftState } from '../lib/useDraft.ts';
import { Button } from './Button.tsx';

const clock = (iso: string) =>
  new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
const day = (iso: string) =>
  new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long' });

export function DraftNotice({
  draft,
  onDiscard,
}: {
  draft: DraftState;
  /** Clears the form's fields once the draft is thrown away. */
  onDiscard: () => void;
}) {
  const { restoredFrom, keptAt, failed } = draft;
  return (
    <>
      {restoredFrom && (
        <div className="message message-info draft-restored">
          <p>
            Your draft from {day(restoredFrom)} at {clock(restoredFrom)} is back in the form below.
          </p>
          <Button
            variant="quiet"
            onPress={() => {
              void draft.discard();
              onDiscard();
            }}
          >
            Discard draft
          </Button>
        </div>
      )}
      <p role="status" className="hint draft-status">
        {failed
          ? 'Your writing could not be kept as a draft just now (you may be offline). It is still here: keep this page open and save when you can.'
          : keptAt
            ? `Draft kept at ${clock(keptAt)}. Only you can see it.`
            : ''}
      </p>
    </>
  );
}
