// "Whom to alert" and "I verbally informed a DSL", from the school's staff directory (/api/staff:
// names, roles and groups only). The category's own default staff and groups are alerted whatever
// is chosen here; this adds to them.
import { useLoad } from '../../lib/useLoad.ts';
import { useSession } from '../../app/session.tsx';
import { Checkbox, Select } from '../../ui/Field.tsx';
import { Button } from '../../ui/Button.tsx';
import type { StaffDirectory } from '../../../../src/shared/schemas/administration.ts';

export type AlertChoiceValue = {
  groups: string[];
  userIds: string[];
  /** null: not ticked; '': ticked but nobody chosen yet. */
  verballyInformedId: string | null;
};

type Props = {
  value: AlertChoiceValue;
  onChange: (next: AlertChoiceValue) => void;
  /** The name of "Which DSL" in the form (its message when ticked but nobody chosen). */
  informedName: string;
};

export function AlertChoice({ value, onChange, informedName }: Props) {
  const session = useSession();
  const dir = useLoad<StaffDirectory>('/api/staff');
  if (dir.status === 'loading') return <p role="status">Loading staff…</p>;
  if (dir.status === 'error') {
    return (
      <p className="message message-error">
        The staff list could not be loaded ({dir.message}). The category&rsquo;s usual staff will
        still be alerted.
      </p>
    );
  }
  const { staff, groups } = dir.data;
  const others = staff.filter((p) => p.id !== session.user.id);
  const nameOf = (id: string) => staff.find((p) => p.id === id)?.name ?? 'Someone';
  const set = (patch: Partial<AlertChoiceValue>) => onChange({ ...value, ...patch });
  const toggleGroup = (key: string, on: boolean) =>
    set({ groups: on ? [...value.groups, key] : value.groups.filter((g) => g !== key) });

  return (
    <>
      <fieldset className="fieldset stack">
        <legend className="field-label">
          Whom to alert <span className="muted">(optional)</span>
        </legend>
        <p className="hint">
          The staff the category names are alerted anyway. Alerts say only that there is something
          to look at in Lantern.
        </p>
        <div className="checkbox-list">
          {groups.map((g) => (
            <Checkbox
              key={g.key}
              checked={value.groups.includes(g.key)}
              onChange={(on) => toggleGroup(g.key, on)}
            >
              {g.name}
            </Checkbox>
          ))}
        </div>
        <Select
          label="Alert a colleague"
          value=""
          onChange={(id) => {
            if (id && !value.userIds.includes(id)) set({ userIds: [...value.userIds, id] });
          }}
        >
          <option value="">Choose a colleague</option>
          {others
            .filter((p) => !value.userIds.includes(p.id))
            .map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
        </Select>
        {value.userIds.length > 0 && (
          <ul className="chips" aria-label="Colleagues to alert">
            {value.userIds.map((id) => (
              <li key={id} className="chip">
                {nameOf(id)}
                <Button
                  className="chip-remove"
                  aria-label={`Do not alert ${nameOf(id)}`}
                  onPress={() => set({ userIds: value.userIds.filter((u) => u !== id) })}
                >
                  ×
                </Button>
              </li>
            ))}
          </ul>
        )}
      </fieldset>
      <div className="field">
        <Checkbox
          checked={value.verballyInformedId !== null}
          onChange={(on) => set({ verballyInformedId: on ? '' : null })}
        >
          I verbally informed a DSL
        </Checkbox>
      </div>
      {value.verballyInformedId !== null && (
        <Select
          name={informedName}
          label="Which DSL"
          value={value.verballyInformedId}
          onChange={(id) => set({ verballyInformedId: id })}
        >
          <option value="">Choose the DSL you told</option>
          {staff
            .filter((p) => p.dsl && p.id !== session.user.id)
            .map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
        </Select>
      )}
    </>
  );
}
