// "Record a conversation" on a pupil's chronology: a meeting or call with parents, carers or the
// child (or another professional), when it happened, what was said, and any decision taken in it —
// such as starting an Early Help Assessment. Saved, it appears on the timeline.
import { useId, useMemo, useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { api, ApiError, errorMessage } from '../api.ts';
import { toLocalInput } from '../format.ts';
import { DECISIONS, WITH_WHOM } from '../caseWork.ts';
import { FormField, focusFirstError } from './FormField.tsx';
import '../case-work.css';

type Field = 'happenedAt' | 'text';

export function ConversationForm({ pupilId, onSaved }: { pupilId: string; onSaved: () => void }) {
  const uid = useId();
  const ids: Record<Field, string> = { happenedAt: `${uid}-when`, text: `${uid}-text` };
  const now = useMemo(() => toLocalInput(new Date()), []);
  const [withWhom, setWithWhom] = useState('parent');
  const [decision, setDecision] = useState('');
  const [when, setWhen] = useState(now);
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setServerError(null);
    setSaid(null);
    const found: Partial<Record<Field, string>> = {};
    const at = new Date(when);
    if (!when || Number.isNaN(at.getTime())) found.happenedAt = 'Enter when it happened.';
    else if (at.getTime() > Date.now() + 60_000)
      found.happenedAt = 'When it happened cannot be in the future.';
    if (!text.trim()) found.text = 'Write what was discussed.';
    setErrors(found);
    if (focusFirstError(ids, found)) return;
    setBusy(true);
    try {
      await api<{ id: string }>('POST', '/api/conversations', {
        pupilId,
        withWhom,
        ...(decision ? { decision } : {}),
        happenedAt: at.toISOString(),
        text,
      });
      setText('');
      setDecision('');
      setSaid('Conversation recorded on the chronology.');
      onSaved();
    } catch (err) {
      setServerError(
        err instanceof ApiError && err.status === 400
          ? `The conversation was not saved: ${err.message}`
          : `The conversation was not saved. ${errorMessage(err)}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby={`${uid}-heading`} className="section card conversation-form">
      <h2 id={`${uid}-heading`}>Record a conversation</h2>
      <form className="stack-tight" onSubmit={(e) => void submit(e)} noValidate>
        <p className="hint">A meeting or call about this pupil, and any decision taken in it.</p>
        <FormField id={`${uid}-with`} label="With">
          {(p) => (
            <select
              {...p}
              className="input"
              value={withWhom}
              onChange={(e) => setWithWhom(e.target.value)}
            >
              {WITH_WHOM.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <FormField id={ids.happenedAt} label="When it happened" error={errors.happenedAt}>
          {(p) => (
            <input
              {...p}
              className="input input-short"
              type="datetime-local"
              max={now}
              value={when}
              onChange={(e) => setWhen(e.target.value)}
            />
          )}
        </FormField>
        <FormField id={ids.text} label="What was discussed" error={errors.text}>
          {(p) => (
            <textarea
              {...p}
              className="input textarea textarea-short"
              rows={4}
              maxLength={20_000}
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          )}
        </FormField>
        <FormField id={`${uid}-decision`} label="Decision taken" optional>
          {(p) => (
            <select
              {...p}
              className="input"
              value={decision}
              onChange={(e) => setDecision(e.target.value)}
            >
              <option value="">No decision</option>
              {DECISIONS.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <div role="alert" className={serverError ? 'message message-error' : 'visually-empty'}>
          {serverError}
        </div>
        <div role="status" className={said ? 'message message-success' : 'visually-empty'}>
          {said}
        </div>
        <div className="actions">
          <Button type="submit" className="button button-primary">
            Save conversation
          </Button>
        </div>
      </form>
    </section>
  );
}
