// One labelled form field for the case-work forms: a visible label, an optional hint, and the
// field's own error message read out with it. The control itself is the caller's native input,
// select or textarea, given the id and ARIA attributes to spread.
import type { ReactNode } from 'react';

export type ControlProps = {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
};

type Props = {
  id: string;
  label: string;
  optional?: boolean;
  hint?: string;
  error?: string | null | undefined;
  children: (control: ControlProps) => ReactNode;
};

export function FormField({ id, label, optional, hint, error, children }: Props) {
  const described = [error ? `${id}-error` : null, hint ? `${id}-hint` : null]
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {label}
        {optional && <span className="muted"> (optional)</span>}
      </label>
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
      {children({
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': described || undefined,
      })}
    </div>
  );
}

/** Focuses the first field (in the order of `ids`) that has an error; true when there was one. */
export function focusFirstError<F extends string>(
  ids: Record<F, string>,
  errors: Partial<Record<F, string>>,
): boolean {
  const first = (Object.keys(ids) as F[]).find((f) => errors[f]);
  if (!first) return false;
  document.getElementById(ids[first])?.focus();
  return true;
}
