// "Category": a native select (so it works with every assistive technology and outside checks can
// choose by label). Sub-categories sit in an optgroup under their parent; the chosen category's
// guidance is shown beneath and read out with the field. Only the categories the server marks
// `allowed: ['add']` are offered (the school's group × category grants, decided on the server);
// a parent the member may not log under still heads its sub-categories, without an option.
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
  const all = state.status === 'ok' ? state.data.items.filter((c) => c.archived !== true) : [];
  const offered = (c: (typeof all)[number]) => c.allowed.includes('add');
  const parents = all.filter((c) => c.parentId === null || !all.some((p) => p.id === c.parentId));
  const childrenOf = (pid: string) => all.filter((c) => c.parentId === pid && offered(c));
  const chosen = all.find((c) => c.id === value && offered(c));
  const none = state.status === 'ok' && !all.some(offered);

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
          {none && (
            <p className="message message-error" role="alert">
              The school has not given your groups any category to log under. Tell the DSL in
              person.
            </p>
          )}
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
          return offered(p) ? (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ) : null;
        }
        return (
          <optgroup key={p.id} label={p.name}>
            {offered(p) && <option value={p.id}>{p.name}</option>}
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
