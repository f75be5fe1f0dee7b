// A form is its fields: <Form submit={useSubmit()} onSubmit={…}> runs the work through the submit
// state (busy, the server's message, each field's message, the first wrong field focused), and
// the fields, messages and button inside read that state from here. After argos-ci's ui/Form.
import { createContext, use, useCallback, useEffect, useId, useState, type ReactNode } from 'react';
import { Form as AriaForm } from 'react-aria-components';
import type { Submit, Work } from '../lib/useSubmit.ts';
import { markUnsaved } from '../lib/unsaved.ts';

const FormContext = createContext<Submit | null>(null);

/**
 * How the app asks for the second factor in place (features/identity's StepUpInPlace, provided
 * by the app): shown under a form the server refused with step_up_required, it calls `onDone`
 * once the person has confirmed it is them, and the form is sent again as it now stands.
 */
export const StepUpInPlaceContext = createContext<((onDone: () => void) => ReactNode) | null>(null);

/** The submit state of the form around a field or message, if any. */
export function useFormState(): Submit | null {
  return use(FormContext);
}

/**
 * A field's part in the form around it: its message (by `name`) and a ref that registers its
 * control, so that it can take the focus when it is the first wrong field.
 */
export function useFormField(name: string | undefined): {
  error: string | undefined;
  ref: (element: HTMLElement | null) => void;
} {
  const form = use(FormContext);
  const register = form?.register;
  const ref = useCallback(
    (element: HTMLElement | null) => {
      if (name && register) register(name, element);
    },
    [name, register],
  );
  return { error: name ? form?.fieldErrors[name] : undefined, ref };
}

/** Lets a widget that is not a form (a list item's buttons, say) share a submit state. */
export function SubmitScope({ submit, children }: { submit: Submit; children: ReactNode }) {
  return <FormContext value={submit}>{children}</FormContext>;
}

type FormProps<F extends string> = {
  submit: Submit<F>;
  /** The work: validate, send, and return a confirmation to show if there is one. */
  onSubmit: (form: HTMLFormElement) => ReturnType<Work>;
  className?: string;
  role?: 'search';
  'aria-label'?: string;
  children: ReactNode;
};

export function Form<F extends string>({
  submit,
  onSubmit,
  className = 'stack',
  children,
  ...rest
}: FormProps<F>) {
  // The form element, for sending again after stepping up and for watching typing.
  const [formEl, setFormEl] = useState<HTMLFormElement | null>(null);
  const askForStepUp = use(StepUpInPlaceContext);
  const sendAgain = useCallback(() => formEl?.requestSubmit(), [formEl]);
  // Written in and not yet sent successfully: the page is not reloaded from under it (unsaved.ts).
  const formId = useId();
  const watched = rest.role !== 'search';
  useEffect(() => {
    const form = formEl;
    if (!form || !watched) return;
    // Long writing (a text box with words in it) is what a reload must not take away; a filter
    // or a code field is not.
    const typed = () =>
      markUnsaved(
        formId,
        [...form.querySelectorAll('textarea')].some((box) => box.value.trim() !== ''),
      );
    form.addEventListener('input', typed);
    return () => {
      form.removeEventListener('input', typed);
      markUnsaved(formId, false);
    };
  }, [formEl, formId, watched]);
  return (
    <FormContext value={submit}>
      <AriaForm
        {...rest}
        ref={setFormEl}
        className={className}
        validationBehavior="aria"
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          void submit
            .run(() => onSubmit(form))
            .then((ok) => {
              if (ok) markUnsaved(formId, false);
            });
        }}
      >
        {children}
      </AriaForm>
      {askForStepUp &&
        submit.stepUpInPlace &&
        submit.code === 'step_up_required' &&
        askForStepUp(sendAgain)}
    </FormContext>
  );
}

/**
 * The form's message: a refusal, or what was found before sending. Always in the page (empty and
 * hidden when there is nothing to say), so a screen reader announces it when it changes.
 */
export function FormError({
  submit,
  children,
}: {
  submit?: Pick<Submit, 'error'>;
  /** Said after the message, while there is one (a link to the way on, say). */
  children?: ReactNode;
}) {
  const form = useFormState();
  const error = (submit ?? form)?.error ?? null;
  return (
    <div role="alert" className={error ? 'message message-error' : 'visually-empty'}>
      {error}
      {error && children}
    </div>
  );
}

/** The confirmation the last work returned ("Invitation sent…"), announced politely. */
export function FormStatus({ submit }: { submit?: Pick<Submit, 'done'> }) {
  const form = useFormState();
  const done = (submit ?? form)?.done ?? null;
  return (
    <div role="status" className={done ? 'message message-success' : 'visually-empty'}>
      {done}
    </div>
  );
}

/** Shown at the top of a long form while any field is marked wrong. */
export function ErrorSummary({ children }: { children: ReactNode }) {
  const form = useFormState();
  if (!form || Object.keys(form.fieldErrors).length === 0) return null;
  return (
    <div className="message message-error" role="alert">
      {children}
    </div>
  );
}
