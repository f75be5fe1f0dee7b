// "Category": a native select (so it works with every assistive technology and outside checks can
// choose by label). Sub-categories sit in an optgroup under their parent; the chosen category's
// guidance is shown beneath and read out with the field.
import { useId } from 'react';
import type { Loaded } from '../../lib/useLoad.ts';
import { Select } from '../../ui/Field.tsx';
import type { CategoryList } from '../../../../src/shared/schemas/categories.ts';

type Props = {
  /** The field's name in the form (its message, its focus). */
  name: string;
  state: Loaded<CategoryList>;
  value: string;
  onChange: (id: string) => void;
};

export function CategorySelect({ name, state, value, onChange }: Props) {
  const guidanceId = `${useId()}-guidance`;
  const items = state.status === 'ok' ? state.data.items.filter((c) => c.archived !== true) : [];
  const parents = items.filter(
    (c) => c.parentId === null || !items.some((p) => p.id === c.parentId),
  );
  const childrenOf = (pid: string) => items.filter((c) => c.parentId === pid);
  const chosen = items.find((c) => c.id === value);

  return (
    <Select
      name={name}
      label="Category"
      value={value}
      onChange={onChange}
      isDisabled={state.status !== 'ok'}
      describedBy={guidanceId}
      after={
        <>
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
        </>
      }
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
    </Select>
  );
}
