// "Record a conversation" on a pupil's chronology: a meeting or call with parents, carers or the
// child (or another professional), when it happened, what was said, and any decision taken in it —
// such as starting an Early Help Assessment. Saved, it appears on the timeline. What is typed is
// kept as a draft on the server while it is written (lib/useDraft.ts), so a records window that
// ends, a reload or a lost connection loses nothing.
import { useEffect, useId, useMemo, useState } from 'react';
import { api } from '../../lib/api.ts';
import { toLocalInput } from '../../lib/format.ts';
import { refusedAs, useSubmit } from '../../lib/useSubmit.ts';
import { useDraft } from '../../lib/useDraft.ts';
import { DraftNotice } from '../../ui/DraftNotice.tsx';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextArea } from '../../ui/TextField.tsx';
import { DateField, Select } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import type { ConversationCreated } from '../../../../src/shared/schemas/conversations.ts';
import { DECISIONS, WITH_WHOM } from './labels.ts';
import '../../ui/records.css';
import './conversations.css';

type Field = 'happenedAt' | 'text';

export function ConversationForm({
  pupilId,
  onSaved,
  onDraftRestored,
}: {
  pupilId: string;
  onSaved: () => void;
  /** A draft kept on the server came back into the form (a folded form then opens). */
  onDraftRestored?: () => void;
}) {
  const headingId = `${useId()}-heading`;
  const now = useMemo(() => toLocalInput(new Date()), []);
  const [withWhom, setWithWhom] = useState('parent');
  const [decision, setDecision] = useState('');
  const [when, setWhen] = useState(now);
  const [text, setText] = useState('');
  const submit = useSubmit<Field>({ describe: refusedAs('The conversation was not saved') });
  const draft = useDraft(
    `conversation-${pupilId}`,
    { withWhom, decision, when, text },
    {
      worthKeeping: (f) => f.text.trim() !== '',
      restore: (f) => {
        if (typeof f.withWhom === 'string') setWithWhom(f.withWhom);
        if (typeof f.decision === 'string') setDecision(f.decision);
        if (typeof f.when === 'string') setWhen(f.when);
        if (typeof f.text === 'string') setText(f.text);
      },
    },
  );

  const restored = draft.restoredFrom !== null;
  useEffect(() => {
    if (restored) onDraftRestored?.();
  }, [restored, onDraftRestored]);

  const record = async () => {
    const at = new Date(when);
    const wrong = submit.invalid({
      happenedAt:
        !when || Number.isNaN(at.getTime())
          ? 'Enter when it happened.'
          : at.getTime() > Date.now() + 60_000 && 'When it happened cannot be in the future.',
      text: !text.trim() && 'Write what was discussed.',
    });
    if (wrong) return;
    await api<ConversationCreated>('POST', '/api/conversations', {
      pupilId,
      withWhom,
      ...(decision ? { decision } : {}),
      happenedAt: at.toISOString(),
      text,
    });
    setText('');
    setDecision('');
    await draft.finished();
    onSaved();
    return 'Conversation recorded on the chronology.';
  };

  return (
    <section aria-labelledby={headingId} className="section card conversation-form">
      <h2 id={headingId}>Record a conversation</h2>
      <Form submit={submit} onSubmit={record} className="stack-tight">
        <p className="hint">A meeting or call about this pupil, and any decision taken in it.</p>
        <DraftNotice
          draft={draft}
          onDiscard={() => {
            setText('');
            setDecision('');
          }}
        />
        <Select label="With" value={withWhom} onChange={setWithWhom}>
          {WITH_WHOM.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </Select>
        <DateField
          name="happenedAt"
          label="When it happened"
          withTime
          max={now}
          value={when}
          onChange={setWhen}
        />
        <TextArea
          name="text"
          label="What was discussed"
          rows={4}
          maxLength={20_000}
          inputClassName="input textarea textarea-short"
          value={text}
          onChange={setText}
        />
        <Select label="Decision taken" optional value={decision} onChange={setDecision}>
          <option value="">No decision</option>
          {DECISIONS.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </Select>
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton>Save conversation</SubmitButton>
        </div>
      </Form>
    </section>
  );
}
