// Messages that are not a form's: what a part of a page shows while its data loads or when it
// cannot, and a notice after something changed.
import type { ReactNode, Ref } from 'react';
import type { Loaded } from '../lib/useLoad.ts';

/**
 * The children once `state` has loaded; until then "Loading…" (announced), and if it failed the
 * server's message as an alert.
 */
export function WhenLoaded<T>({
  state,
  loading = 'Loading…',
  children,
}: {
  state: Loaded<T>;
  /** What to say while it loads ("Loading actions…"). */
  loading?: string;
  children: (data: T) => ReactNode;
}) {
  if (state.status === 'loading') return <p role="status">{loading}</p>;
  if (state.status === 'error')
    return (
      <p className="message message-error" role="alert">
        {state.message}
      </p>
    );
  return <>{children(state.data)}</>;
}

/**
 * What just happened ("Case updated."), announced politely. Always in the page, empty and hidden
 * when there is nothing to say, so each new notice is announced.
 */
export function Notice({
  text,
  tone = 'success',
  focusRef,
}: {
  text: string | null;
  /** An error notice is an alert (a failed upload after a saved concern, say). */
  tone?: 'success' | 'error';
  /** For a notice that takes the focus when the form that caused it has gone. */
  focusRef?: Ref<HTMLDivElement>;
}) {
  return (
    <div
      ref={focusRef}
      {...(focusRef ? { tabIndex: -1 } : {})}
      role={tone === 'error' ? 'alert' : 'status'}
      className={text ? `message message-${tone}` : 'visually-empty'}
    >
      {text}
    </div>
  );
}
