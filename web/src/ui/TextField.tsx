// Text fields over React Aria's TextField: a visible label (with "(optional)" when it is), a hint,
// the field's own message and the control, in that order, each tied to the control for screen
// readers. Inside a <Form>, `name` gives the field its message from the submit state and lets it
// take the focus when it is the first wrong one.
import type { ReactNode } from 'react';
import {
  FieldError,
  Input,
  Label,
  Text,
  TextArea as AriaTextArea,
  TextField as AriaTextField,
} from 'react-aria-components';
import { useFormField } from './Form.tsx';

export type FieldFrame = {
  label: ReactNode;
  /** Says "(optional)" after the label. */
  optional?: boolean;
  hint?: ReactNode;
  /** The field's name in the form's submit state (its message, its focus). */
  name?: string;
  /** A message of the field's own, beside the form's. */
  error?: string | null | undefined;
  /** Marked wrong without a message of its own (the form's message says why). */
  isInvalid?: boolean;
  id?: string;
};

/** The label, hint and message every text field shows above its control. */
function FieldHead(p: {
  label: ReactNode;
  optional: boolean;
  hint?: ReactNode;
  error?: string | null;
}) {
  return (
    <>
      <Label className="field-label">
        <LabelText label={p.label} optional={p.optional} />
      </Label>
      {p.hint && (
        <Text slot="description" className="hint">
          {p.hint}
        </Text>
      )}
      {p.error && <FieldError className="field-error">{p.error}</FieldError>}
    </>
  );
}

export function LabelText({ label, optional }: { label: ReactNode; optional?: boolean }) {
  return (
    <>
      {label}
      {optional && <span className="muted"> (optional)</span>}
    </>
  );
}

type TextProps = FieldFrame & {
  value: string;
  onChange: (value: string) => void;
  maxLength?: number;
  autoComplete?: string;
  autoFocus?: boolean;
  /** The control's classes: 'input' by default ('input input-short' for a short value). */
  inputClassName?: string;
};

function useFrame(p: FieldFrame) {
  const { error: formError, ref } = useFormField(p.name);
  const error = formError ?? p.error ?? null;
  return { error, ref, invalid: Boolean(error) || p.isInvalid === true };
}

export function TextField(
  p: TextProps & {
    type?: 'text' | 'email' | 'password' | 'url' | 'search';
    inputMode?: 'numeric' | 'text';
    spellCheck?: boolean;
    /** Drawn after the control, in one row with it (a colour swatch, say). */
    after?: ReactNode;
    rowClassName?: string;
  },
) {
  const { error, ref, invalid } = useFrame(p);
  const input = (
    <Input
      ref={ref}
      className={p.inputClassName ?? 'input'}
      {...(p.spellCheck === false ? { spellCheck: false } : {})}
    />
  );
  return (
    <AriaTextField
      className="field"
      value={p.value}
      onChange={p.onChange}
      isInvalid={invalid}
      validationBehavior="aria"
      {...(p.id ? { id: p.id } : {})}
      {...(p.name ? { name: p.name } : {})}
      {...(p.type ? { type: p.type } : {})}
      {...(p.inputMode ? { inputMode: p.inputMode } : {})}
      {...(p.maxLength !== undefined ? { maxLength: p.maxLength } : {})}
      {...(p.autoComplete ? { autoComplete: p.autoComplete } : {})}
      {...(p.autoFocus ? { autoFocus: true } : {})}
    >
      <FieldHead label={p.label} optional={p.optional ?? false} hint={p.hint} error={error} />
      {p.after ? (
        <div className={p.rowClassName}>
          {input}
          {p.after}
        </div>
      ) : (
        input
      )}
    </AriaTextField>
  );
}

export function TextArea(p: TextProps & { rows?: number; isRequired?: boolean }) {
  const { error, ref, invalid } = useFrame(p);
  return (
    <AriaTextField
      className="field"
      value={p.value}
      onChange={p.onChange}
      isInvalid={invalid}
      validationBehavior="aria"
      {...(p.id ? { id: p.id } : {})}
      {...(p.name ? { name: p.name } : {})}
      {...(p.maxLength !== undefined ? { maxLength: p.maxLength } : {})}
      {...(p.autoFocus ? { autoFocus: true } : {})}
      {...(p.isRequired ? { isRequired: true } : {})}
    >
      <FieldHead label={p.label} optional={p.optional ?? false} hint={p.hint} error={error} />
      <AriaTextArea ref={ref} className={p.inputClassName ?? 'input textarea'} rows={p.rows ?? 4} />
    </AriaTextField>
  );
}
