// Log a concern: pupils (each with a role), category, when and where it happened, and what
// happened. Checked here first so people get quick, specific messages tied to each field; the
// server checks everything again and its 400 messages are shown too.
import { useMemo, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { Button } from 'react-aria-components';
import {
  api,
  ApiError,
  errorMessage,
  type Category,
  type ConcernView,
  type NewConcern,
} from '../api.ts';
import { toLocalInput } from '../format.ts';
import { useLoad } from '../useLoad.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { PupilPicker, type ChosenPupil } from '../components/PupilPicker.tsx';
import { CategorySelect } from '../components/CategorySelect.tsx';

type Field = 'pupils' | 'category' | 'happenedAt' | 'body';
type Errors = Partial<Record<Field, string>>;

const IDS: Record<Field, string> = {
  pupils: 'concern-pupil',
  category: 'concern-category',
  happenedAt: 'concern-when',
  body: 'concern-body',
};

function validate(v: {
  pupils: ChosenPupil[];
  category: string;
  when: string;
  body: string;
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
  const [errors, setErrors] = useState<Errors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setServerError(null);
    const found = validate({ pupils, category, when, body });
    setErrors(found);
    const first = (Object.keys(IDS) as Field[]).find((f) => found[f]);
    if (first) {
      formRef.current?.querySelector<HTMLElement>(`#${IDS[first]}`)?.focus();
      return;
    }
    const payload: NewConcern = {
      pupils: pupils.map((p) => ({ pupilId: p.pupil.id, role: p.role })),
      categoryIds: [category],
      happenedAt: new Date(when).toISOString(),
      body,
      ...(where.trim() ? { location: where.trim() } : {}),
    };
    setBusy(true);
    try {
      await api<ConcernView>('POST', '/api/concerns', payload);
      await navigate('/', { state: { flash: 'Concern saved. It is listed under My concerns.' } });
    } catch (err) {
      setBusy(false);
      setServerError(
        err instanceof ApiError && err.status === 400
          ? `The concern was not saved: ${err.message}`
          : `The concern was not saved. ${errorMessage(err)}`,
      );
    }
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
