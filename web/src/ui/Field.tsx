// Fields built on the browser's own controls, framed like the text fields (label, hint, message,
// control) and taking part in the form's submit state by `name` the same way. Selects, dates,
// files, checkboxes and radio buttons stay native on purpose: every assistive technology and
// every outside check (a browser test choosing an option by label, say) knows them, and the
// phone's own date and option pickers come with them.
import { useId, type ReactNode } from 'react';
import { useFormField } from './Form.tsx';
import { LabelText, type FieldFrame } from './TextField.tsx';

type Frame = FieldFrame & {
  /** The hint sits after the control rather than before it. */
  hintAfter?: boolean;
  /** Drawn after the control (a live guidance note, say). */
  after?: ReactNode;
  /** More ids describing the control (something `after` draws). */
  describedBy?: string;
  /** Laid out in a row with what it belongs to (a pupil's role beside their name). */
  inline?: boolean;
};

/** The frame every native field shares; `control` gets the id and ARIA attributes to spread. */
function NativeField(
  p: Frame & {
    control: (props: {
      id: string;
      ref: (element: HTMLElement | null) => void;
      'aria-invalid': true | undefined;
      'aria-describedby': string | undefined;
    }) => ReactNode;
  },
) {
  const generated = useId();
  const id = p.id ?? generated;
  const { error: formError, ref } = useFormField(p.name);
  const error = formError ?? p.error ?? null;
  const hint = p.hint ? (
    <p id={`${id}-hint`} className="hint">
      {p.hint}
    </p>
  ) : null;
  const described = [error ? `${id}-error` : null, p.hint ? `${id}-hint` : null, p.describedBy]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={p.inline ? 'field field-inline' : 'field'}>
      <label htmlFor={id} className="field-label">
        <LabelText label={p.label} optional={p.optional ?? false} />
      </label>
      {!p.hintAfter && hint}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
      {p.control({
        id,
        ref,
        'aria-invalid': error || p.isInvalid ? true : undefined,
        'aria-describedby': described || undefined,
      })}
      {p.hintAfter && hint}
      {p.after}
    </div>
  );
}

export function Select(
  p: Frame & {
    value: string;
    onChange: (value: string) => void;
    isDisabled?: boolean;
    inputClassName?: string;
    /** The <option>s (and <optgroup>s). */
    children: ReactNode;
  },
) {
  return (
    <NativeField
      {...p}
      control={(c) => (
        <select
          {...c}
          className={p.inputClassName ?? 'input'}
          value={p.value}
          onChange={(e) => p.onChange(e.target.value)}
          {...(p.isDisabled ? { disabled: true } : {})}
        >
          {p.children}
        </select>
      )}
    />
  );
}

/** A date, or a date and time ("datetime-local"), in the browser's time zone. */
export function DateField(
  p: Frame & {
    value: string;
    onChange: (value: string) => void;
    withTime?: boolean;
    min?: string;
    max?: string;
    isRequired?: boolean;
    inputClassName?: string;
  },
) {
  return (
    <NativeField
      {...p}
      control={(c) => (
        <input
          {...c}
          className={p.inputClassName ?? 'input input-short'}
          type={p.withTime ? 'datetime-local' : 'date'}
          value={p.value}
          onChange={(e) => p.onChange(e.target.value)}
          {...(p.min ? { min: p.min } : {})}
          {...(p.max ? { max: p.max } : {})}
          {...(p.isRequired ? { required: true } : {})}
        />
      )}
    />
  );
}

export function FileField(p: Frame & { onChange: (files: File[]) => void; multiple?: boolean }) {
  return (
    <NativeField
      {...p}
      control={(c) => (
        <input
          {...c}
          className="input"
          type="file"
          {...(p.multiple ? { multiple: true } : {})}
          onChange={(e) => p.onChange(Array.from(e.target.files ?? []))}
        />
      )}
    />
  );
}

/**
 * A checkbox with its label around it. With a `hint` or a `name` it becomes a field of its own:
 * the hint and its message follow it and describe it.
 */
export function Checkbox(p: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  children: ReactNode;
  /** The label's class: 'checkbox' (records) or 'admin-check' (administration). */
  className?: string;
  isDisabled?: boolean;
  name?: string;
  hint?: ReactNode;
}) {
  const id = useId();
  const { error, ref } = useFormField(p.name);
  const box = (
    <label className={p.className ?? 'checkbox'}>
      <input
        ref={ref}
        type="checkbox"
        checked={p.checked}
        onChange={(e) => p.onChange(e.target.checked)}
        {...(p.isDisabled ? { disabled: true } : {})}
        {...(p.hint ? { 'aria-describedby': `${id}-hint` } : {})}
      />
      {p.children}
    </label>
  );
  if (!p.hint && !p.name) return box;
  return (
    <div className="field">
      {box}
      {p.hint && (
        <p className="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      )}
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}

/**
 * One choice of several, as radio buttons in a fieldset with its legend. With a `name`, it takes
 * part in the form's submit state: its message shows under the legend and the focus comes to
 * the chosen button (or the first) when it is the first wrong field.
 */
export function RadioGroup<V extends string>(p: {
  legend: ReactNode;
  hint?: ReactNode;
  value: V;
  onChange: (value: V) => void;
  options: readonly (readonly [value: V, label: ReactNode])[];
  /** The field's name in the form's submit state (for its message and focus). */
  name?: string;
  /** The fieldset's class. */
  className?: string;
  /** Each option's label class. */
  itemClassName?: string;
}) {
  const group = useId();
  const { error, ref } = useFormField(p.name);
  const focusIndex = Math.max(
    0,
    p.options.findIndex(([value]) => value === p.value),
  );
  return (
    <fieldset
      className={p.className ?? 'fieldset'}
      aria-describedby={error ? `${group}-error` : undefined}
    >
      <legend>{p.legend}</legend>
      {p.hint && <p className="hint">{p.hint}</p>}
      {error && (
        <p id={`${group}-error`} className="field-error">
          {error}
        </p>
      )}
      {p.options.map(([value, label], i) => (
        <label key={value} className={p.itemClassName ?? 'checkbox'}>
          <input
            type="radio"
            name={group}
            checked={p.value === value}
            onChange={() => p.onChange(value)}
            {...(i === focusIndex ? { ref } : {})}
            {...(error ? { 'aria-invalid': true } : {})}
          />
          {label}
        </label>
      ))}
    </fieldset>
  );
}
