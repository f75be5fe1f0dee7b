// One category's form: name, colour (checked live with the server's own legibility rule), the
// guidance shown to whoever chooses it, its parent, restricted or not, and the groups and staff a
// concern in it alerts by default; an existing category can be archived or restored. The server
// checks everything again; a refusal is shown above the button and beside the field it concerns.
import { useLayoutEffect, useRef, useState } from 'react';
import { api, ApiError, errorMessage } from '../../lib/api.ts';
import { fieldNamedBy, useSubmit } from '../../lib/useSubmit.ts';
import { categoryColourProblem, TEXT_COLOUR_ON_CATEGORY } from '../../../../src/shared/colour.ts';
import { ALERT_TEAMS } from '../../../../src/shared/alert-teams.ts';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { Checkbox, Select } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { Swatch } from '../../ui/Swatch.tsx';
import type { Category } from '../../../../src/shared/schemas/categories.ts';
import type { Choices, GroupChoice } from './types.ts';

export function groupChoices(groups: { key: string; name: string }[]): GroupChoice[] {
  const teams = Object.entries(ALERT_TEAMS).map(([key, label]) => ({ key, label, team: true }));
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

type Field = 'name' | 'colour' | 'guidance' | 'parentId' | 'restricted';
const FIELD_OF_CODE: Record<string, Field> = {
  colour_contrast: 'colour',
  restricted_parent: 'restricted',
  too_deep: 'parentId',
  unknown_category: 'parentId',
  conflict: 'name',
};

/** The field a refusal is about: by the server's code, or the field a 400 names. */
function fieldOf(err: unknown): Field | null {
  const code = err instanceof ApiError ? err.code : '';
  return FIELD_OF_CODE[code] ?? (fieldNamedBy(errorMessage(err)) as Field | null);
}

export function CategoryForm({
  category,
  parentId: initialParent,
  choices,
  onSaved,
}: {
  category: Category | null;
  parentId: string | null;
  choices: Choices;
  onSaved: (message: string) => Promise<void>;
}) {
  const [name, setName] = useState(category?.name ?? '');
  const [colour, setColour] = useState(category?.colour ?? '#1d4f91');
  const [guidance, setGuidance] = useState(category?.guidance ?? '');
  const [parentId, setParentId] = useState(initialParent ?? '');
  const [restricted, setRestricted] = useState(category?.restricted ?? false);
  const [groups, setGroups] = useState<string[]>(category?.alertGroups ?? []);
  const [staff, setStaff] = useState<string[]>(category?.alertUserIds ?? []);
  const submit = useSubmit<Field>({ fieldOf });

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

  const send = async (body: Record<string, unknown>, message: string) => {
    if (category) await api('PATCH', `/api/categories/${category.id}`, body);
    else await api('POST', '/api/categories', body);
    await onSaved(message);
  };

  const save = async () => {
    if (!name.trim()) {
      submit.invalid({ name: 'Give the category a name.' }, 'Give the category a name.');
      return;
    }
    if (colourProblem) {
      submit.invalid({ colour: colourProblem }, colourProblem);
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
  const offered: GroupChoice[] = [
    ...choices.groups,
    ...groups
      .filter((g) => !choices.groups.some((c) => c.key === g))
      .map((key) => ({ key, label: `${key} (no longer a group)`, team: false })),
  ];

  return (
    <Form submit={submit} onSubmit={save}>
      <TextField
        name="name"
        label="Name"
        maxLength={100}
        autoComplete="off"
        value={name}
        onChange={setName}
      />
      <TextField
        name="colour"
        label="Colour"
        hint="Six hexadecimal digits after #, such as #1d4f91. Dark enough for white text to be read on it."
        error={colour.trim().length === 7 ? colourProblem : null}
        inputClassName="input input-short"
        maxLength={7}
        autoComplete="off"
        spellCheck={false}
        value={colour}
        onChange={setColour}
        rowClassName="admin-colour"
        after={
          <>
            <Swatch colour={colour.trim()} />
            {!colourProblem && <ColourSample colour={colour.trim()} name={name.trim()} />}
          </>
        }
      />
      <TextArea
        name="guidance"
        label="Guidance"
        optional
        hint="Shown to whoever logs a concern when they choose this category."
        rows={4}
        maxLength={2000}
        value={guidance}
        onChange={setGuidance}
      />
      <Select
        name="parentId"
        label="Parent category"
        {...(hasSubs
          ? { hint: 'This category has sub-categories, so it cannot become one itself.' }
          : {})}
        value={parentId}
        isDisabled={hasSubs}
        onChange={setParentId}
      >
        <option value="">None: a category of its own</option>
        {parents.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </Select>
      <Checkbox
        name="restricted"
        className="admin-check"
        checked={restricted || inherited}
        isDisabled={inherited}
        onChange={setRestricted}
        hint={
          inherited
            ? `Restricted because ${parent?.name ?? 'its parent'} is restricted.`
            : 'Records in a restricted category are seen only by the DSL team and the groups granted it; whoever logged one still sees it.'
        }
      >
        Restricted
      </Checkbox>
      <fieldset className="admin-fieldset">
        <legend>Groups alerted by default</legend>
        <p className="hint">
          An alert to anyone in the DSL team (by team, group or name) escalates to the deputies and
          the headteacher if nobody in the team acknowledges it in the time set in the school’s
          policies.
        </p>
        <div className="admin-checks">
          {offered.map((g) => (
            <Checkbox
              key={g.key}
              className="admin-check"
              checked={groups.includes(g.key)}
              onChange={(on) => toggle(g.key, on)}
            >
              {g.label}
            </Checkbox>
          ))}
        </div>
      </fieldset>
      <Select
        label="Staff alerted by default"
        value=""
        onChange={(sid) => {
          if (sid && !staff.includes(sid)) setStaff([...staff, sid]);
        }}
        after={
          staff.length > 0 && (
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
          )
        }
      >
        <option value="">Add a member of staff</option>
        {choices.staff
          .filter((p) => !staff.includes(p.id))
          .map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
      </Select>
      <FormError />
      <div className="actions">
        <SubmitButton>{category ? 'Save category' : 'Add category'}</SubmitButton>
        {category && (
          <Button
            isPending={submit.pending}
            onPress={() =>
              void submit.run(() =>
                send(
                  { archived: !category.archived },
                  category.archived
                    ? `${category.name} was restored.`
                    : `${category.name} was archived: it is no longer offered when logging a concern.`,
                ),
              )
            }
          >
            {category.archived ? 'Restore category' : 'Archive category'}
          </Button>
        )}
      </div>
    </Form>
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
