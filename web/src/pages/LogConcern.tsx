// Log a concern: pupils (each with a role), categories, when and where it happened, what happened,
// a body map, attachments, whom to alert and which DSL was told in person. Checked here first so
// people get quick, specific messages tied to each field; the server checks everything again and
// its 400 messages are shown too. Attachments go up once the concern is saved (the vault stores
// each against its concern); a refused file leaves the concern saved and says so on its page.
import { useMemo, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { Button } from 'react-aria-components';
import {
  api,
  ApiError,
  errorMessage,
  uploadFile,
  type BodyMark,
  type Category,
  type ConcernView,
  type NewConcern,
} from '../api.ts';
import { toLocalInput } from '../format.ts';
import { useLoad } from '../useLoad.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { PupilPicker, type ChosenPupil } from '../components/PupilPicker.tsx';
import { CategorySelect } from '../components/CategorySelect.tsx';
import { MoreCategories } from '../components/MoreCategories.tsx';
import { BodyMapField } from '../components/BodyMap.tsx';
import { AlertChoice, type AlertChoiceValue } from '../components/AlertChoice.tsx';

type Field = 'pupils' | 'category' | 'happenedAt' | 'body' | 'informed';
type Errors = Partial<Record<Field, string>>;

const IDS: Record<Field, string> = {
  pupils: 'concern-pupil',
  category: 'concern-category',
  happenedAt: 'concern-when',
  body: 'concern-body',
  informed: 'concern-informed',
};

function validate(v: {
  pupils: ChosenPupil[];
  category: string;
  when: string;
  body: string;
  informed: string | null;
}): Errors {
  const e: Errors = {};
  if (v.pupils.length === 0) e.pupils = 'Choose at least one pupil.';
  if (!v.category) e.category = 'Choose a category.';
  const when = new Date(v.when);
  if (!v.when || Number.isNaN(when.getTime())) e.happenedAt = 'Enter when it happened.';
  else if (when.getTime() > Date.now() + 60_000)
    e.happenedAt = 'When it happened cannot be in the future.';
  if (!v.body.trim()) e.body = 'Write what happened.';
  else if (v.body.length > 20_000) e.body = 'What happened must be 20,000 characters or fewer.';
  if (v.informed === '') e.informed = 'Choose the DSL you told, or untick the box.';
  return e;
}

export function LogConcernPage() {
  const navigate = useNavigate();
  const categories = useLoad<{ items: Category[] }>('/api/categories');
  const now = useMemo(() => toLocalInput(new Date()), []);
  const [pupils, setPupils] = useState<ChosenPupil[]>([]);
  const [category, setCategory] = useState('');
  const [when, setWhen] = useState(now);
  const [where, setWhere] = useState('');
  const [body, setBody] = useState('');
  const [more, setMore] = useState<string[]>([]);
  const [marks, setMarks] = useState<BodyMark[]>([]);
  const [files, setFiles] = useState<File[]>([]);
  const [alerts, setAlerts] = useState<AlertChoiceValue>({
    groups: [],
    userIds: [],
    verballyInformedId: null,
  });
  const [errors, setErrors] = useState<Errors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setServerError(null);
    const informed = alerts.verballyInformedId;
    const found = validate({ pupils, category, when, body, informed });
    setErrors(found);
    const first = (Object.keys(IDS) as Field[]).find((f) => found[f]);
    if (first) {
      formRef.current?.querySelector<HTMLElement>(`#${IDS[first]}`)?.focus();
      return;
    }
    const payload: NewConcern = {
      pupils: pupils.map((p) => ({ pupilId: p.pupil.id, role: p.role })),
      categoryIds: [category, ...more.filter((c) => c !== category)],
      happenedAt: new Date(when).toISOString(),
      body,
      ...(where.trim() ? { location: where.trim() } : {}),
      ...(marks.length > 0 ? { bodyMap: marks } : {}),
      ...(alerts.userIds.length > 0 ? { alertUserIds: alerts.userIds } : {}),
      ...(alerts.groups.length > 0 ? { alertGroups: alerts.groups } : {}),
      ...(informed ? { verballyInformedId: informed } : {}),
    };
    setBusy(true);
    let saved: ConcernView;
    try {
      saved = await api<ConcernView>('POST', '/api/concerns', payload);
    } catch (err) {
      setBusy(false);
      setServerError(
        err instanceof ApiError && err.status === 400
          ? `The concern was not saved: ${err.message}`
          : `The concern was not saved. ${errorMessage(err)}`,
      );
      return;
    }
    // The concern is saved; now its files. One refused file does not stop the others.
    const refused: string[] = [];
    for (const file of files) {
      try {
        await uploadFile(
          `/api/concerns/${saved.id}/attachments?name=${encodeURIComponent(file.name)}`,
          file,
        );
      } catch (err) {
        refused.push(`${file.name}: ${errorMessage(err)}`);
      }
    }
    if (refused.length > 0) {
      await navigate(`/concerns/${saved.id}`, {
        state: {
          flash: `Concern saved, but ${refused.length === 1 ? 'a file was' : 'some files were'} not attached. ${refused.join(' ')} You can attach a file again below.`,
          tone: 'error',
        },
      });
      return;
    }
    await navigate('/', { state: { flash: 'Concern saved. It is listed under My concerns.' } });
  };

  const describe = (f: Field, hint?: string) =>
    [errors[f] ? `${IDS[f]}-error` : null, hint ?? null].filter(Boolean).join(' ') || undefined;

  return (
    <>
      <PageHeading title="Log a concern">Log a concern</PageHeading>
      <p className="lead">
        If a child is in immediate danger, tell the DSL in person now and call 999 if needed. Record
        afterwards.
      </p>
      <form ref={formRef} className="stack card" onSubmit={(e) => void submit(e)} noValidate>
        {Object.keys(errors).length > 0 && (
          <div className="message message-error" role="alert">
            The concern is not saved yet: check the fields marked below.
          </div>
        )}
        <PupilPicker
          chosen={pupils}
          onChange={setPupils}
          error={errors.pupils ?? null}
          inputId={IDS.pupils}
        />
        <CategorySelect
          id={IDS.category}
          state={categories}
          value={category}
          onChange={setCategory}
          error={errors.category ?? null}
        />
        <MoreCategories state={categories} primary={category} chosen={more} onChange={setMore} />
        <div className="field">
          <label htmlFor={IDS.happenedAt} className="field-label">
            When it happened
          </label>
          <FieldMessage field="happenedAt" errors={errors} />
          <input
            id={IDS.happenedAt}
            className="input input-short"
            type="datetime-local"
            value={when}
            max={now}
            onChange={(e) => setWhen(e.target.value)}
            aria-invalid={errors.happenedAt ? true : undefined}
            aria-describedby={describe('happenedAt')}
            required
          />
        </div>
        <div className="field">
          <label htmlFor="concern-where" className="field-label">
            Where <span className="muted">(optional)</span>
          </label>
          <input
            id="concern-where"
            className="input"
            type="text"
            maxLength={200}
            value={where}
            onChange={(e) => setWhere(e.target.value)}
            autoComplete="off"
          />
        </div>
        <div className="field">
          <label htmlFor={IDS.body} className="field-label">
            What happened
          </label>
          <p id="concern-body-hint" className="hint">
            Write the facts: what you saw and heard, and the child&rsquo;s own words exactly as they
            said them. Do not add opinions or ask leading questions.
          </p>
          <FieldMessage field="body" errors={errors} />
          <textarea
            id={IDS.body}
            className="input textarea"
            rows={8}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            aria-invalid={errors.body ? true : undefined}
            aria-describedby={describe('body', 'concern-body-hint')}
            required
          />
        </div>
        <BodyMapField marks={marks} onChange={setMarks} idPrefix="concern-map" />
        <div className="field">
          <label htmlFor="concern-files" className="field-label">
            Attachments <span className="muted">(optional)</span>
          </label>
          <p id="concern-files-hint" className="hint">
            A letter, a photo of a note, an email: PDFs, images, Office documents and email files.
            Each is checked by its content and stored encrypted.
          </p>
          <input
            id="concern-files"
            className="input"
            type="file"
            multiple
            aria-describedby="concern-files-hint"
            onChange={(e) => setFiles(Array.from(e.target.files ?? []))}
          />
        </div>
        <AlertChoice
          value={alerts}
          onChange={setAlerts}
          informedError={errors.informed ?? null}
          informedId={IDS.informed}
        />
        <div role="alert" className={serverError ? 'message message-error' : 'visually-empty'}>
          {serverError}
        </div>
        <div className="actions">
          <Button type="submit" className="button button-primary">
            Save concern
          </Button>
          <Button className="button button-quiet" onPress={() => void navigate('/')}>
            Cancel
          </Button>
        </div>
      </form>
    </>
  );
}

function FieldMessage({ field, errors }: { field: Field; errors: Errors }) {
  const message = errors[field];
  if (!message) return null;
  return (
    <p id={`${IDS[field]}-error`} className="field-error">
      {message}
    </p>
  );
}
