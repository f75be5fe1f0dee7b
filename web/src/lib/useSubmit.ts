// The one way a form (or a button that changes something) sends its work to the server. It holds
// what every form used to hold by hand: whether the work is running (a second press while it runs
// is ignored), the message for the whole form, the message for each field, and a confirmation.
// Problems found before sending (`invalid`) and a server's refusal are shown the same way: each
// by its field, and the first wrong field takes the focus. A 400 that names a field
// ('The body field "passwordPolicy.minLength" must be >= 8.') puts its message by that field too,
// if the form has one of that name. Nothing here clears what a person typed.
import { useCallback, useMemo, useRef, useState } from 'react';
import { ApiError, errorMessage } from './api.ts';

/** A message per field, by the field's name; empty values mean "no problem". */
export type FieldProblems<F extends string> = Partial<Record<F, string | null | undefined | false>>;

export type SubmitOptions<F extends string> = {
  /** How a failure is put to the person, above the button (default: the message as it came). */
  describe?: (err: unknown) => string;
  /** The field a failure belongs to, when more than the 400's wording says (a 409 on a name). */
  fieldOf?: (err: unknown) => F | null;
  /**
   * This form asks for the second factor itself when the server answers step_up_required (the
   * account-security forms). Every other form asks in place, under itself (ui/Form.tsx), and
   * sends again what was typed once the person has confirmed it is them.
   */
  ownStepUp?: boolean;
};

/** What a form says when the server wants the second factor first (a records window ended). */
export const STEP_UP_IN_PLACE =
  'Your records window has ended, so this was not sent. What you typed is kept: confirm it is you below and it will be sent again.';

/**
 * The work a form sends. It may return a confirmation to show (role="status"); it throws to
 * refuse, or calls `invalid` and returns before sending anything.
 */
export type Work = () => Promise<string | void> | string | void;

export type Submit<F extends string = string> = {
  /** The work is running. */
  pending: boolean;
  /** The message for the whole form: a refusal, or a summary of problems found first. */
  error: string | null;
  /** The server's code for the last refusal ('step_up_required', say), or null. */
  code: string | null;
  /** The confirmation the last successful work returned. */
  done: string | null;
  fieldErrors: Partial<Record<F, string>>;
  /**
   * Runs `work` unless some is running (a second press is ignored, so a work must not call `run`
   * itself): clears the last messages, then shows the new ones. True when the work ran, did not
   * throw and found no problem (`invalid`).
   */
  run: (work: Work) => Promise<boolean>;
  /**
   * Problems found before sending: each is shown by its field and the first takes the focus;
   * `message` (if any) is shown for the whole form. True when there was a problem.
   */
  invalid: (problems: FieldProblems<F>, message?: string) => boolean;
  /** Forgets every message (after stepping up, or when a panel closes). */
  reset: () => void;
  /** Fields register their control here, so the first wrong one can take the focus. */
  register: (name: string, element: HTMLElement | null) => void;
  /** Shows a confirmation without sending anything ("Nothing has changed."). */
  confirm: (message: string) => void;
  /** Whether the form asks for the second factor in place when the server wants it. */
  stepUpInPlace: boolean;
};

type Shown<F extends string> = {
  error: string | null;
  code: string | null;
  done: string | null;
  fieldErrors: Partial<Record<F, string>>;
};
const NOTHING = { error: null, code: null, done: null, fieldErrors: {} };

/** The field a 400's message names: 'The body field "a.b" …' or 'The body is missing "a.b".' */
export function fieldNamedBy(message: string): string | null {
  const m = /(?:field|missing) "([\w.]+)"/.exec(message);
  return m?.[1]?.split('.').pop() ?? null;
}

export function useSubmit<F extends string = string>(options: SubmitOptions<F> = {}): Submit<F> {
  const [pending, setPending] = useState(false);
  const [shown, setShown] = useState<Shown<F>>(NOTHING);
  const running = useRef(false);
  /** Set when `invalid` found a problem during the running work (it then did not succeed). */
  const refused = useRef(false);
  const fields = useRef(new Map<string, HTMLElement>());
  const { describe, fieldOf, ownStepUp = false } = options;

  const register = useCallback((name: string, element: HTMLElement | null) => {
    if (element) fields.current.set(name, element);
    else fields.current.delete(name);
  }, []);

  /** Focuses the wrong field that comes first on the page. */
  const focusFirst = useCallback((names: string[]) => {
    const wrong = names
      .map((n) => fields.current.get(n))
      .filter((el): el is HTMLElement => el !== undefined && el.isConnected);
    wrong.sort((a, b) =>
      a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1,
    );
    wrong[0]?.focus();
  }, []);

  const invalid = useCallback(
    (problems: FieldProblems<F>, message?: string) => {
      const fieldErrors: Partial<Record<F, string>> = {};
      for (const [name, text] of Object.entries(problems) as [F, string | null | false][]) {
        if (text) fieldErrors[name] = text;
      }
      const names = Object.keys(fieldErrors);
      if (names.length === 0 && !message) return false;
      refused.current = true;
      setShown({ error: message ?? null, code: null, done: null, fieldErrors });
      focusFirst(names);
      return true;
    },
    [focusFirst],
  );

  const run = useCallback(
    async (work: Work) => {
      if (running.current) return false;
      running.current = true;
      refused.current = false;
      setShown(NOTHING);
      setPending(true);
      try {
        const done = await work();
        if (typeof done === 'string') setShown((s) => ({ ...s, done }));
        return !refused.current;
      } catch (err) {
        const named = fieldOf
          ? fieldOf(err)
          : err instanceof ApiError && err.status === 400
            ? (fieldNamedBy(err.message) as F | null)
            : null;
        // A field the server names is marked only if this form has it (or the form said so).
        const field = named && (fieldOf || fields.current.has(named)) ? named : null;
        const stepUp = !ownStepUp && err instanceof ApiError && err.code === 'step_up_required';
        setShown({
          error: stepUp ? STEP_UP_IN_PLACE : (describe ?? errorMessage)(err),
          code: err instanceof ApiError ? err.code : null,
          done: null,
          fieldErrors: (field ? { [field]: errorMessage(err) } : {}) as Partial<Record<F, string>>,
        });
        if (field) focusFirst([field]);
        return false;
      } finally {
        running.current = false;
        setPending(false);
      }
    },
    [focusFirst, describe, fieldOf, ownStepUp],
  );

  const reset = useCallback(() => setShown(NOTHING), []);
  const confirm = useCallback((done: string) => setShown({ ...NOTHING, done }), []);

  return useMemo(
    () => ({
      pending,
      ...shown,
      run,
      invalid,
      reset,
      register,
      confirm,
      stepUpInPlace: !ownStepUp,
    }),
    [pending, shown, run, invalid, reset, register, confirm, ownStepUp],
  );
}

/**
 * How most forms word a refusal: "The case was not changed: <the server's reason>" when the
 * server explains (a 400, or the statuses given), "The case was not changed. <message>" otherwise.
 */
export function refusedAs(what: string, explained: readonly number[] = [400]) {
  return (err: unknown) =>
    err instanceof ApiError && explained.includes(err.status)
      ? `${what}: ${err.message}`
      : `${what}. ${errorMessage(err)}`;
}
