// "Category": a native select (so it works with every assistive technology and outside checks can
// choose by label). Sub-categories sit in an optgroup under their parent; the chosen category's
// guidance is shown beneath and read out with the field.
import type { Category } from '../api.ts';
import type { Loaded } from '../useLoad.ts';

type Props = {
  id: string;
  state: Loaded<{ items: Category[] }>;
  value: string;
  onChange: (id: string) => void;
  error: string | null;
};

export function CategorySelect({ id, state, value, onChange, error }: Props) {
  const items = state.status === 'ok' ? state.data.items.filter((c) => c.archived !== true) : [];
  const parents = items.filter(
    (c) => c.parentId === null || !items.some((p) => p.id === c.parentId),
  );
  const childrenOf = (pid: string) => items.filter((c) => c.parentId === pid);
  const chosen = items.find((c) => c.id === value);
  const errorId = `${id}-error`;
  const guidanceId = `${id}-guidance`;
  const describedBy = [error ? errorId : null, guidanceId].filter(Boolean).join(' ');

  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        Category
      </label>
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
      <select
        id={id}
        className="input"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        disabled={state.status !== 'ok'}
      >
        <option value="">
          {state.status === 'loading'
            ? 'Loading categories…'
            : state.status === 'error'
              ? 'Categories could not be loaded'
              : 'Choose a category'}
        </option>
        {parents.map((p) => {
          const kids = childrenOf(p.id);
          if (kids.length === 0) {
            return (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            );
          }
          return (
            <optgroup key={p.id} label={p.name}>
              <option value={p.id}>{p.name}</option>
              {kids.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.name}
                </option>
              ))}
            </optgroup>
          );
        })}
      </select>
      <div
        id={guidanceId}
        className={chosen?.guidance ? 'guidance' : 'visually-empty'}
        aria-live="polite"
      >
        {chosen?.guidance ? (
          <>
            <strong>Guidance: </strong>
            {chosen.guidance}
          </>
        ) : null}
      </div>
      {state.status === 'error' && (
        <p className="message message-error" role="alert">
          {state.message}
        </p>
      )}
    </div>
  );
}
