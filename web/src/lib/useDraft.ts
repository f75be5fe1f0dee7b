// A long form's draft, kept on the server while someone types (issue 14: nothing typed is ever
// lost). Two seconds after the last change the form's fields are sent to /api/drafts/<form>,
// where they are sealed like the record and readable by their author alone; opening the form
// again (after a reload, a lost connection, a records window that ended) gives them back, with a
// notice and a way to throw the draft away. Saving the form as a record deletes the draft. Never
// kept in the browser's storage. While there is unsaved writing, the page warns before it is
// closed, and the session bar keeps the page when a records window ends (lib/unsaved.ts).
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api.ts';
import { markUnsaved } from './unsaved.ts';
import type { DraftAnswer, DraftSaved } from '../../../src/shared/schemas/drafts.ts';

export type DraftState = {
  /** When the server last kept the draft, or null. */
  keptAt: string | null;
  /** The draft given back when the form opened, and when it had been kept. */
  restoredFrom: string | null;
  /** The last attempt to keep it failed (offline, say): the words are still on the page. */
  failed: boolean;
  /** Throw the draft away (the form clears itself through `restore`'s counterpart). */
  discard: () => Promise<void>;
  /** The form was saved as a record: forget the draft. */
  finished: () => Promise<void>;
};

const SAVE_AFTER_MS = 2000;

export function useDraft<T extends Record<string, unknown>>(
  form: string,
  fields: T,
  opts: {
    /** Whether these fields hold writing worth keeping (not just the form's defaults). */
    worthKeeping: (fields: T) => boolean;
    /** Puts a kept draft back into the form. */
    restore: (fields: Partial<T>) => void;
  },
): DraftState {
  const [keptAt, setKeptAt] = useState<string | null>(null);
  const [restoredFrom, setRestoredFrom] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const json = JSON.stringify(fields);
  const worth = opts.worthKeeping(fields);
  const lastSent = useRef<string | null>(null);
  /** Nothing is sent until the kept draft (if any) has been given back. */
  const [loaded, setLoaded] = useState(false);
  const done = useRef(false);
  /** The save on its way, so that forgetting the draft waits for it and is not undone by it. */
  const inFlight = useRef<Promise<unknown> | null>(null);
  /** The save waiting for a pause in typing, cancelled when the draft is forgotten. */
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** What the form holds now, so a draft that arrives late never overwrites new typing. */
  const current = useRef({ fields, worth: false });
  current.current = { fields, worth: opts.worthKeeping(fields) };
  const { restore } = opts;
  const restoreRef = useRef(restore);
  restoreRef.current = restore;

  useEffect(() => {
    let live = true;
    done.current = false;
    api<DraftAnswer>('GET', `/api/drafts/${form}`)
      .then((answer) => {
        if (!live || !answer.draft) return;
        // The person started writing before the draft arrived: what they typed wins (and
        // replaces the draft at the next save).
        if (current.current.worth) return;
        lastSent.current = JSON.stringify(answer.draft.fields);
        restoreRef.current(answer.draft.fields as Partial<T>);
        setRestoredFrom(answer.draft.savedAt);
        setKeptAt(answer.draft.savedAt);
      })
      .catch(() => undefined)
      .finally(() => {
        if (live) setLoaded(true);
      });
    return () => {
      live = false;
      markUnsaved(form, false);
    };
  }, [form]);

  // Unsaved while there is writing the server has not yet kept, or has kept as a draft only.
  useEffect(() => {
    markUnsaved(form, worth && !done.current);
  }, [form, worth, json]);

  useEffect(() => {
    if (!loaded || !worth || json === lastSent.current || done.current) return;
    const timer = setTimeout(() => {
      pending.current = null;
      if (done.current) return;
      const sending = json;
      inFlight.current = api<DraftSaved>('PUT', `/api/drafts/${form}`, {
        fields: JSON.parse(sending) as T,
      })
        .then((saved) => {
          if (done.current) return;
          lastSent.current = sending;
          setKeptAt(saved.savedAt);
          setFailed(false);
        })
        .catch(() => setFailed(true));
    }, SAVE_AFTER_MS);
    pending.current = timer;
    return () => clearTimeout(timer);
  }, [form, json, worth, loaded]);

  // Closing or reloading the page with writing the server has not kept yet asks first.
  const notKept = worth && json !== lastSent.current && !done.current;
  useEffect(() => {
    if (!notKept) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [notKept]);

  const forget = useCallback(
    async (why: 'saved' | 'discarded') => {
      done.current = true;
      if (pending.current) clearTimeout(pending.current);
      pending.current = null;
      lastSent.current = null;
      markUnsaved(form, false);
      setKeptAt(null);
      setRestoredFrom(null);
      setFailed(false);
      await inFlight.current?.catch(() => undefined);
      await api<void>('POST', `/api/drafts/${form}/discard`, { why }).catch(() => undefined);
      done.current = false;
    },
    [form],
  );
  const discard = useCallback(() => forget('discarded'), [forget]);
  const finished = useCallback(() => forget('saved'), [forget]);

  return { keptAt, restoredFrom, failed, discard, finished };
}
