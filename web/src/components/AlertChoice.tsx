// "Whom to alert" and "I verbally informed a DSL", from the school's staff directory (/api/staff:
// names, roles and groups only). The category's own default staff and groups are alerted whatever
// is chosen here; this adds to them.
import { useId } from 'react';
import { Button } from 'react-aria-components';
import { useLoad } from '../useLoad.ts';
import { useSession } from '../session.tsx';

export type StaffDirectory = {
  staff: { id: string; name: string; role: string; dsl: boolean }[];
  groups: { key: string; name: string }[];
};

export type AlertChoiceValue = {
  groups: string[];
  userIds: string[];
  /** null: not ticked; '': ticked but nobody chosen yet. */
  verballyInformedId: string | null;
};

type Props = {
  value: AlertChoiceValue;
  onChange: (next: AlertChoiceValue) => void;
  /** Shown under "Which DSL" when it was ticked but nobody chosen. */
  informedError: string | null;
  informedId: string;
};

export function AlertChoice({ value, onChange, informedError, informedId }: Props) {
  const session = useSession();
  const dir = useLoad<StaffDirectory>('/api/staff');
  const uid = useId();
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
            <label key={g.key} className="checkbox">
              <input
                type="checkbox"
                checked={value.groups.includes(g.key)}
                onChange={(e) => toggleGroup(g.key, e.target.checked)}
              />
              {g.name}
            </label>
          ))}
        </div>
        <div className="field">
          <label htmlFor={`${uid}-colleague`} className="field-label">
            Alert a colleague
          </label>
          <select
            id={`${uid}-colleague`}
            className="input"
            value=""
            onChange={(e) => {
              const id = e.target.value;
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
          </select>
        </div>
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
        <label className="checkbox">
          <input
            type="checkbox"
            checked={value.verballyInformedId !== null}
            onChange={(e) => set({ verballyInformedId: e.target.checked ? '' : null })}
          />
          I verbally informed a DSL
        </label>
      </div>
      {value.verballyInformedId !== null && (
        <div className="field">
          <label htmlFor={informedId} className="field-label">
            Which DSL
          </label>
          {informedError && (
            <p id={`${informedId}-error`} className="field-error">
              {informedError}
            </p>
          )}
          <select
            id={informedId}
            className="input"
            value={value.verballyInformedId}
            onChange={(e) => set({ verballyInformedId: e.target.value })}
            aria-invalid={informedError ? true : undefined}
            aria-describedby={informedError ? `${informedId}-error` : undefined}
          >
            <option value="">Choose the DSL you told</option>
            {staff
              .filter((p) => p.dsl && p.id !== session.user.id)
              .map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
          </select>
        </div>
      )}
    </>
  );
}
