// "Whom to alert" and "I verbally informed a DSL", from the school's staff directory (/api/staff:
// names, roles and groups only). The category's own default staff and groups are alerted whatever
// is chosen here, and are named first; this adds to them. Folded away until wanted (a phone shows
// the form's essentials first); the school's own groups come before year and form groups, which
// are in number order ("Year 2" before "Year 10").
import { useLoad } from '../../lib/useLoad.ts';
import { useSession } from '../../app/session.tsx';
import { Checkbox, Select } from '../../ui/Field.tsx';
import { Button } from '../../ui/Button.tsx';
import type { StaffDirectory } from '../../../../src/shared/schemas/administration.ts';
import type { Category } from '../../../../src/shared/schemas/categories.ts';
import { ALERT_TEAMS, isAlertTeam } from '../../../../src/shared/alert-teams.ts';

const byNumber = new Intl.Collator('en-GB', { numeric: true, sensitivity: 'base' });
/** Year and form groups (from the MIS) after the school's own groups. */
const isYearOrForm = (name: string) => /^(year|form|reception|nursery|class)\b/i.test(name);

/** The groups in the order a person looks for them. */
export function groupsInOrder<G extends { name: string }>(groups: readonly G[]): G[] {
  return [...groups].sort(
    (a, b) =>
      Number(isYearOrForm(a.name)) - Number(isYearOrForm(b.name)) ||
      byNumber.compare(a.name, b.name),
  );
}

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
  /** The chosen category, whose own staff and groups are alerted anyway. */
  category?: Category | undefined;
};

export function AlertChoice({ value, onChange, informedName, category }: Props) {
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
  const groupName = (key: string) =>
    isAlertTeam(key) ? ALERT_TEAMS[key] : (groups.find((g) => g.key === key)?.name ?? null);
  const anyway = category
    ? [
        ...category.alertGroups.map(groupName),
        ...category.alertUserIds.map((id) => staff.find((p) => p.id === id)?.name ?? null),
      ].filter((n): n is string => n !== null)
    : [];
  const chosenCount = value.groups.length + value.userIds.length;

  return (
    <>
      {anyway.length > 0 && (
        <p className="hint alerted-anyway">
          <strong>Alerted for this category:</strong> {anyway.join(', ')}.
        </p>
      )}
      <details className="optional-section" open={chosenCount > 0 ? true : undefined}>
        <summary>
          Alert someone else <span className="muted">(optional)</span>
          {chosenCount > 0 && <span className="muted"> ({chosenCount} chosen)</span>}
        </summary>
        <fieldset className="fieldset stack">
          <legend className="field-label">Whom to alert</legend>
          <p className="hint">
            The staff the category names are alerted anyway. Alerts say only that there is something
            to look at in Lantern.
          </p>
          <div className="checkbox-list">
            {groupsInOrder(groups).map((g) => (
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
      </details>
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
