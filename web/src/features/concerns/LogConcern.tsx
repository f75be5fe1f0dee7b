// Log a concern: pupils (each with a role), categories, when and where it happened, what happened,
// a body map, attachments, whom to alert and which DSL was told in person. Checked here first so
// people get quick, specific messages tied to each field; the server checks everything again and
// its 400 messages are shown too. Attachments go up once the concern is saved (the vault stores
// each against its concern); a refused file leaves the concern saved and says so on its page.
// What is typed is kept as a draft on the server while it is written (lib/useDraft.ts) and given
// back if the page is reloaded or the connection lost; a body-map mark placed and described but
// not added is added on save, and one half given stops the save with the mark's field named.
import { useMemo, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, errorMessage, uploadFile } from '../../lib/api.ts';
import { toLocalInput } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { refusedAs, useSubmit } from '../../lib/useSubmit.ts';
import { useDraft } from '../../lib/useDraft.ts';
import { DraftNotice } from '../../ui/DraftNotice.tsx';
import { MAX_CONCERN_TEXT } from '../../../../src/shared/limits.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { ErrorSummary, Form, FormError } from '../../ui/Form.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { DateField, FileField } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import type { BodyMapMark } from '../../../../src/shared/body-map.ts';
import type { CategoryList } from '../../../../src/shared/schemas/categories.ts';
import type { ConcernView, NewConcern } from '../../../../src/shared/schemas/concerns.ts';
import { PupilPicker, type ChosenPupil } from './PupilPicker.tsx';
import { CategorySelect } from './CategorySelect.tsx';
import { MoreCategories } from './MoreCategories.tsx';
import { BodyMapField, type BodyMapHandle } from './BodyMap.tsx';
import { AlertChoice, type AlertChoiceValue } from './AlertChoice.tsx';

type Field = 'pupils' | 'category' | 'happenedAt' | 'body' | 'informed' | 'bodyMapMark';

function problems(v: {
  pupils: ChosenPupil[];
  category: string;
  when: string;
  body: string;
  informed: string | null;
}): Partial<Record<Field, string>> {
  const e: Partial<Record<Field, string>> = {};
  if (v.pupils.length === 0) e.pupils = 'Choose at least one pupil.';
  if (!v.category) e.category = 'Choose a category.';
  const when = new Date(v.when);
  if (!v.when || Number.isNaN(when.getTime())) e.happenedAt = 'Enter when it happened.';
  else if (when.getTime() > Date.now() + 60_000)
    e.happenedAt = 'When it happened cannot be in the future.';
  if (!v.body.trim()) e.body = 'Write what happened.';
  else if (v.body.length > MAX_CONCERN_TEXT)
    e.body = `What happened must be ${MAX_CONCERN_TEXT.toLocaleString('en-GB')} characters or fewer.`;
  if (v.informed === '') e.informed = 'Choose the DSL you told, or untick the box.';
  return e;
}

export function LogConcernPage() {
  const navigate = useNavigate();
  const categories = useLoad<CategoryList>('/api/categories');
  const now = useMemo(() => toLocalInput(new Date()), []);
  const [pupils, setPupils] = useState<ChosenPupil[]>([]);
  const [category, setCategory] = useState('');
  const [when, setWhen] = useState(now);
  const [where, setWhere] = useState('');
  const [body, setBody] = useState('');
  const [more, setMore] = useState<string[]>([]);
  const [marks, setMarks] = useState<BodyMapMark[]>([]);
  const [files, setFiles] = useState<File[]>([]);
  const [alerts, setAlerts] = useState<AlertChoiceValue>({
    groups: [],
    userIds: [],
    verballyInformedId: null,
  });
  const submit = useSubmit<Field>({ describe: refusedAs('The concern was not saved') });
  const bodyMap = useRef<BodyMapHandle>(null);
  const draft = useDraft(
    'concern-new',
    { pupils, category, when, where, body, more, marks },
    {
      worthKeeping: (f) => f.body.trim() !== '' || f.where.trim() !== '' || f.marks.length > 0,
      restore: (f) => {
        if (Array.isArray(f.pupils)) setPupils(f.pupils);
        if (typeof f.category === 'string') setCategory(f.category);
        if (typeof f.when === 'string') setWhen(f.when);
        if (typeof f.where === 'string') setWhere(f.where);
        if (typeof f.body === 'string') setBody(f.body);
        if (Array.isArray(f.more)) setMore(f.more);
        if (Array.isArray(f.marks)) setMarks(f.marks);
      },
    },
  );
  const clear = () => {
    setPupils([]);
    setCategory('');
    setWhen(now);
    setWhere('');
    setBody('');
    setMore([]);
    setMarks([]);
  };

  const save = async () => {
    const informed = alerts.verballyInformedId;
    const mark = bodyMap.current?.settle() ?? { added: null, problem: null };
    const wrong = problems({ pupils, category, when, body, informed });
    if (submit.invalid({ ...wrong, bodyMapMark: mark.problem })) return;
    const allMarks = mark.added ? [...marks, mark.added] : marks;
    const payload: NewConcern = {
      pupils: pupils.map((p) => ({ pupilId: p.pupil.id, role: p.role })),
      categoryIds: [category, ...more.filter((c) => c !== category)],
      happenedAt: new Date(when).toISOString(),
      body,
      ...(where.trim() ? { location: where.trim() } : {}),
      ...(allMarks.length > 0 ? { bodyMap: allMarks } : {}),
      ...(alerts.userIds.length > 0 ? { alertUserIds: alerts.userIds } : {}),
      ...(alerts.groups.length > 0 ? { alertGroups: alerts.groups } : {}),
      ...(informed ? { verballyInformedId: informed } : {}),
    };
    const saved = await api<ConcernView>('POST', '/api/concerns', payload);
    await draft.finished();
    // The concern is saved; now its files. One refused file does not stop the others.
    const refused: string[] = [];
    for (const file of files) {
      try {
        await uploadFile(`/api/concerns/${saved.id}/attachments`, file);
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

  return (
    <>
      <PageHeading title="Log a concern">Log a concern</PageHeading>
      <p className="lead">
        Child in immediate danger? Tell the DSL in person now, call 999 if needed, then record it.
      </p>
      <Form submit={submit} onSubmit={save} className="stack card">
        <ErrorSummary>The concern is not saved yet: check the fields marked below.</ErrorSummary>
        <DraftNotice draft={draft} onDiscard={clear} />
        <PupilPicker name="pupils" chosen={pupils} onChange={setPupils} />
        <CategorySelect
          name="category"
          state={categories}
          value={category}
          onChange={setCategory}
        />
        <MoreCategories state={categories} primary={category} chosen={more} onChange={setMore} />
        <DateField
          name="happenedAt"
          label="When it happened"
          withTime
          value={when}
          max={now}
          onChange={setWhen}
          isRequired
        />
        <TextField
          label="Where"
          optional
          maxLength={200}
          value={where}
          onChange={setWhere}
          autoComplete="off"
        />
        <TextArea
          name="body"
          label="What happened"
          hint={
            <>
              Write the facts: what you saw and heard, and the child&rsquo;s own words exactly as
              they said them. Do not add opinions or ask leading questions.
            </>
          }
          rows={4}
          value={body}
          onChange={setBody}
          isRequired
        />
        <BodyMapField
          ref={bodyMap}
          name="bodyMapMark"
          marks={marks}
          onChange={setMarks}
          idPrefix="concern-map"
        />
        <details className="optional-section" open={files.length > 0 ? true : undefined}>
          <summary>
            Attach files <span className="muted">(optional)</span>
            {files.length > 0 && <span className="muted"> ({files.length} chosen)</span>}
          </summary>
          <FileField
            label="Attachments"
            hint="A letter, a photo of a note, an email: PDFs, images, Office documents and email files. Each is checked by its content and stored encrypted."
            multiple
            onChange={setFiles}
          />
        </details>
        <AlertChoice
          value={alerts}
          onChange={setAlerts}
          informedName="informed"
          category={
            categories.status === 'ok'
              ? categories.data.items.find((c) => c.id === category)
              : undefined
          }
        />
        <FormError />
        <div className="actions">
          <SubmitButton>Save concern</SubmitButton>
          <Button variant="quiet" onPress={() => void navigate('/')}>
            Cancel
          </Button>
        </div>
      </Form>
    </>
  );
}
