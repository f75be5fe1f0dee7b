// The school's settings for concerns about adults (issue 19): when the LADO clock's working day
// ends, how many hours before it the case manager is warned, the patterns review's thresholds and
// the themes a low-level concern may be given. The
// time zone is England's (Europe/London), shown and fixed: Lantern serves schools in England.
// Nothing typed is lost on a refusal.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import type {
  StaffConcernSettings,
  StaffConcernSettingsPatch,
} from '../../../../src/shared/schemas/staff-concerns.ts';
import { AreaPage } from './AreaPage.tsx';

export function StaffConcernSettingsPage() {
  const settings = useLoad<StaffConcernSettings>('/api/staff-concerns/settings');
  return (
    <AreaPage title="Settings for concerns about adults" state={settings}>
      {(s) => <SettingsForm settings={s} />}
    </AreaPage>
  );
}

type Field = 'ladoDueTime' | 'ladoWarnHours' | 'patternCount' | 'patternSameTheme' | 'themes';
const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const whole = (v: string) => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN);

function SettingsForm({ settings }: { settings: StaffConcernSettings }) {
  const [dueTime, setDueTime] = useState(settings.ladoDueTime);
  const [warn, setWarn] = useState(String(settings.ladoWarnHours));
  const [count, setCount] = useState(String(settings.patternCount));
  const [same, setSame] = useState(String(settings.patternSameTheme));
  const [themes, setThemes] = useState(settings.themes.join('\n'));
  const submit = useSubmit<Field>();
  const send = async () => {
    const list = themes
      .split('\n')
      .map((x) => x.trim())
      .filter(Boolean);
    const n = whole(count);
    const m = whole(same);
    const h = whole(warn);
    const seen = new Set(list.map((x) => x.toLowerCase()));
    const wrong = submit.invalid({
      ladoDueTime: !TIME.test(dueTime.trim()) && 'Enter a time of day such as 17:00.',
      ladoWarnHours: !(h >= 1 && h <= 24) && 'Enter a whole number of hours from 1 to 24.',
      patternCount: !(n >= 2 && n <= 20) && 'Enter a whole number from 2 to 20.',
      patternSameTheme: !(m >= 2 && m <= 20) && 'Enter a whole number from 2 to 20.',
      themes:
        list.length === 0
          ? 'Give at least one theme, one to a line.'
          : list.length > 30
            ? 'Give at most 30 themes.'
            : list.some((x) => x.length > 60)
              ? 'Keep each theme to 60 characters.'
              : seen.size !== list.length && 'Each theme must be different.',
    });
    if (wrong) return;
    const body: StaffConcernSettingsPatch = {
      ladoDueTime: dueTime.trim(),
      ladoWarnHours: h,
      patternCount: n,
      patternSameTheme: m,
      themes: list,
    };
    await api<StaffConcernSettings>('PATCH', '/api/staff-concerns/settings', body);
    return 'Settings saved.';
  };
  return (
    <Form submit={submit} onSubmit={send} className="stack" aria-label="Settings">
      <TextField
        name="ladoDueTime"
        label="The LADO must be told by this time on the next working day"
        hint="24-hour clock, such as 17:00."
        inputClassName="input input-short"
        maxLength={5}
        value={dueTime}
        onChange={setDueTime}
      />
      <p>Time zone: {settings.timeZone} (schools in England).</p>
      <TextField
        name="ladoWarnHours"
        label="Hours before the LADO deadline to warn the case manager"
        hint="A whole number from 1 to 24."
        inputMode="numeric"
        inputClassName="input input-short"
        maxLength={2}
        value={warn}
        onChange={setWarn}
      />
      <TextField
        name="patternCount"
        label="Low-level concerns about one person in 12 months that prompt a review"
        inputMode="numeric"
        inputClassName="input input-short"
        maxLength={2}
        value={count}
        onChange={setCount}
      />
      <TextField
        name="patternSameTheme"
        label="Low-level concerns with the same theme that prompt a review"
        inputMode="numeric"
        inputClassName="input input-short"
        maxLength={2}
        value={same}
        onChange={setSame}
      />
      <TextArea
        name="themes"
        label="Themes for low-level concerns"
        hint="One to a line."
        rows={7}
        value={themes}
        onChange={setThemes}
      />
      <FormError />
      <FormStatus />
      <div className="actions">
        <SubmitButton>Save settings</SubmitButton>
      </div>
    </Form>
  );
}
