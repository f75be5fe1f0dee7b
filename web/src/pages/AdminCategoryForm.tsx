// One category's form: name, colour (checked live with the server's own legibility rule), the
// guidance shown to whoever chooses it, its parent, restricted or not, and the groups and staff a
// concern in it alerts by default; an existing category can be archived or restored. The server
// checks everything again; a refusal is shown above the button and beside the field it concerns.
import { useId, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { api, ApiError, errorMessage } from '../api.ts';
import { FormField } from '../components/FormField.tsx';
import { Swatch } from '../components/Swatch.tsx';
import { categoryColourProblem, TEXT_COLOUR_ON_CATEGORY } from '../../../src/shared/colour.ts';
import { DEFAULT_GROUPS } from '../../../src/features/categories/defaults.ts';
import { fieldOf } from './AdminShared.tsx';
import type { AdminCategory, Choices } from './AdminCategories.tsx';

/** A group a category can alert: the DSL team and the other teams, then the school's groups. */
export type GroupChoice = { key: string; label: string; team: boolean };

export function groupChoices(groups: { key: string; name: string }[]): GroupChoice[] {
  const teams = Object.entries(DEFAULT_GROUPS).map(([key, label]) => ({ key, label, team: true }));
  const teamKeys = new Set(teams.map((t) => t.key));
  const teamNames = new Set(teams.map((t) => t.label.toLowerCase()));
  const own = groups
    .filter((g) => !teamKeys.has(g.key))
    .map((g) => ({
      key: g.key,
      label: teamNames.has(g.name.toLowerCase()) ? `${g.name} (staff group)` : g.name,
      team: false,
    }));
  return [...teams, ...own];
}

type Field = 'name' | 'colour' | 'guidance' | 'parent' | 'restricted';
const FIELD_OF_CODE: Record<string, Field> = {
  colour_contrast: 'colour',
  restricted_parent: 'restricted',
  too_deep: 'parent',
  unknown_category: 'parent',
  conflict: 'name',
};

export function CategoryForm({
  category,
  parentId: initialParent,
  choices,
  onSaved,
}: {
  category: AdminCategory | null;
  parentId: string | null;
  choices: Choices;
  onSaved: (message: string) => Promise<void>;
}) {
  const id = useId();
  const ids = {
    name: `${id}-name`,
    colour: `${id}-colour`,
    guidance: `${id}-guidance`,
    parent: `${id}-parent`,
    restricted: `${id}-restricted`,
    staff: `${id}-staff`,
  };
  const [name, setName] = useState(category?.name ?? '');
  const [colour, setColour] = useState(category?.colour ?? '#1d4f91');
  const [guidance, setGuidance] = useState(category?.guidance ?? '');
  const [parentId, setParentId] = useState(initialParent ?? '');
  const [restricted, setRestricted] = useState(category?.restricted ?? false);
  const [groups, setGroups] = useState<string[]>(category?.alertGroups ?? []);
  const [staff, setStaff] = useState<string[]>(category?.alertUserIds ?? []);
  const [error, setError] = useState<{ message: string; field: Field | null } | null>(null);
  const [busy, setBusy] = useState(false);

  const { categories } = choices;
  const hasSubs = category !== null && categories.some((c) => c.parentId === category.id);
  const parents = categories.filter(
    (c) => c.parentId === null && c.id !== category?.id && (!c.archived || c.id === parentId),
  );
  const parent = categories.find((c) => c.id === parentId);
  const inherited = parent?.restricted === true;
  // A colour chosen before the rule existed may stay as it is; a new or changed one must pass.
  const colourChanged = colour.trim().toLowerCase() !== category?.colour.toLowerCase();
  const colourProblem = colourChanged ? categoryColourProblem(colour.trim()) : null;
  const staffName = (sid: string) =>
    choices.staff.find((p) => p.id === sid)?.name ?? 'A former member of staff';
  const fieldError = (f: Field) => (error?.field === f ? error.message : null);

  const send = async (body: Record<string, unknown>, message: string) => {
    if (busy) return;
    setError(null);
    setBusy(true);
    try {
      if (category) await api('PATCH', `/api/categories/${category.id}`, body);
      else await api('POST', '/api/categories', body);
      await onSaved(message);
    } catch (err) {
      const msg = errorMessage(err);
      const code = err instanceof ApiError ? err.code : '';
      const field = FIELD_OF_CODE[code] ?? (fieldOf(msg) as Field | null);
      setError({ message: msg, field });
      if (field) document.getElementById(ids[field])?.focus();
    } finally {
      setBusy(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setError({ message: 'Give the category a name.', field: 'name' });
      document.getElementById(ids.name)?.focus();
      return;
    }
    if (colourProblem) {
      setError({ message: colourProblem, field: 'colour' });
      document.getElementById(ids.colour)?.focus();
      return;
    }
    await send(
      {
        name: name.trim(),
        colour: colour.trim(),
        guidance: guidance.trim(),
        parentId: parentId || null,
        restricted: restricted || inherited,
        alertGroups: groups,
        alertUserIds: staff,
      },
      `${name.trim()} was ${category ? 'saved' : 'added'}.`,
    );
  };

  const toggle = (key: string, on: boolean) =>
    setGroups(on ? [...groups, key] : groups.filter((g) => g !== key));
  const offered = [
    ...choices.groups,
    ...groups
      .filter((g) => !choices.groups.some((c) => c.key === g))
      .map((key) => ({ key, label: `${key} (no longer a group)`, team: false })),
  ];

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
      <FormField id={ids.name} label="Name" error={fieldError('name')}>
        {(p) => (
          <input
            {...p}
            className="input"
            maxLength={100}
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        )}
      </FormField>
      <FormField
        id={ids.colour}
        label="Colour"
        hint="Six hexadecimal digits after #, such as #1d4f91. Dark enough for white text to be read on it."
        error={fieldError('colour') ?? (colour.trim().length === 7 ? colourProblem : null)}
      >
        {(p) => (
          <div className="admin-colour">
            <input
              {...p}
              className="input input-short"
              maxLength={7}
              autoComplete="off"
              spellCheck={false}
              value={colour}
              onChange={(e) => setColour(e.target.value)}
            />
            <Swatch colour={colour.trim()} />
            {!colourProblem && <ColourSample colour={colour.trim()} name={name.trim()} />}
          </div>
        )}
      </FormField>
      <FormField
        id={ids.guidance}
        label="Guidance"
        optional
        hint="Shown to whoever logs a concern when they choose this category."
        error={fieldError('guidance')}
      >
        {(p) => (
          <textarea
            {...p}
            className="input textarea"
            rows={4}
            maxLength={2000}
            value={guidance}
            onChange={(e) => setGuidance(e.target.value)}
          />
        )}
      </FormField>
      <FormField
        id={ids.parent}
        label="Parent category"
        {...(hasSubs
          ? { hint: 'This category has sub-categories, so it cannot become one itself.' }
          : {})}
        error={fieldError('parent')}
      >
        {(p) => (
          <select
            {...p}
            className="input"
            value={parentId}
            disabled={hasSubs}
            onChange={(e) => setParentId(e.target.value)}
          >
            <option value="">None: a category of its own</option>
            {parents.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        )}
      </FormField>
      <div className="field">
        <label className="admin-check">
          <input
            id={ids.restricted}
            type="checkbox"
            checked={restricted || inherited}
            disabled={inherited}
            aria-describedby={`${id}-restricted-hint`}
            onChange={(e) => setRestricted(e.target.checked)}
          />
          Restricted
        </label>
        <p className="hint" id={`${id}-restricted-hint`}>
          {inherited
            ? `Restricted because ${parent?.name ?? 'its parent'} is restricted.`
            : 'Records in a restricted category are seen only by the DSL team and the groups granted it; whoever logged one still sees it.'}
        </p>
        {fieldError('restricted') && <p className="field-error">{fieldError('restricted')}</p>}
      </div>
      <fieldset className="admin-fieldset">
        <legend>Groups alerted by default</legend>
        <p className="hint">
          An alert to anyone in the DSL team (by team, group or name) escalates to the deputies and
          the headteacher if nobody in the team acknowledges it in the time set in the school’s
          policies.
        </p>
        <div className="admin-checks">
          {offered.map((g) => (
            <label key={g.key} className="admin-check">
              <input
                type="checkbox"
                checked={groups.includes(g.key)}
                onChange={(e) => toggle(g.key, e.target.checked)}
              />
              {g.label}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor={ids.staff} className="field-label">
          Staff alerted by default
        </label>
        <select
          id={ids.staff}
          className="input"
          value=""
          onChange={(e) => {
            const sid = e.target.value;
            if (sid && !staff.includes(sid)) setStaff([...staff, sid]);
          }}
        >
          <option value="">Add a member of staff</option>
          {choices.staff
            .filter((p) => !staff.includes(p.id))
            .map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
        </select>
        {staff.length > 0 && (
          <ul className="chips" aria-label="Staff chosen">
            {staff.map((sid) => (
              <li key={sid} className="chip">
                {staffName(sid)}
                <Button
                  className="chip-remove"
                  aria-label={`Do not alert ${staffName(sid)}`}
                  onPress={() => setStaff(staff.filter((s) => s !== sid))}
                >
                  ×
                </Button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div role="alert" className={error ? 'message message-error' : 'visually-empty'}>
        {error?.message}
      </div>
      <div className="actions">
        <Button type="submit" className="button button-primary" isDisabled={busy}>
          {category ? 'Save category' : 'Add category'}
        </Button>
        {category && (
          <Button
            className="button"
            isDisabled={busy}
            onPress={() =>
              void send(
                { archived: !category.archived },
                category.archived
                  ? `${category.name} was restored.`
                  : `${category.name} was archived: it is no longer offered when logging a concern.`,
              )
            }
          >
            {category.archived ? 'Restore category' : 'Archive category'}
          </Button>
        )}
      </div>
    </form>
  );
}

/** The name as it would look in white on the colour (only drawn once the colour passes). */
function ColourSample({ colour, name }: { colour: string; name: string }) {
  const ref = useRef<HTMLSpanElement>(null);
  useLayoutEffect(() => {
    if (!ref.current) return;
    ref.current.style.backgroundColor = colour;
    ref.current.style.color = TEXT_COLOUR_ON_CATEGORY;
  }, [colour]);
  return (
    <span ref={ref} className="admin-colour-sample">
      {name || 'Sample'}
    </span>
  );
}
