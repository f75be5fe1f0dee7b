// Correcting a concern: only its author, and only with a reason. The version being replaced is
// kept with who wrote it, who replaced it, when and why; nothing is ever overwritten unseen.
import { useMemo, useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { api, ApiError, errorMessage, type ConcernView } from '../api.ts';
import { formatWhen, toLocalInput } from '../format.ts';
import { useLoad } from '../useLoad.ts';

type Props = { concern: ConcernView; onSaved: (message: string) => void };

export function CorrectConcern({ concern, onSaved }: Props) {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <p>
        <Button className="button" onPress={() => setOpen(true)}>
          Correct this record
        </Button>
      </p>
    );
  }
  return (
    <CorrectionForm
      concern={concern}
      onClose={() => setOpen(false)}
      onSaved={(m) => {
        setOpen(false);
        onSaved(m);
      }}
    />
  );
}

function CorrectionForm({ concern, onClose, onSaved }: Props & { onClose: () => void }) {
  const now = useMemo(() => toLocalInput(new Date()), []);
  const [body, setBody] = useState(concern.body);
  const [where, setWhere] = useState(concern.location ?? '');
  const [when, setWhen] = useState(toLocalInput(new Date(concern.happenedAt)));
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<{
    field: 'reason' | 'body' | 'form';
    text: string;
  } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!body.trim()) return setProblem({ field: 'body', text: 'Write what happened.' });
    if (!reason.trim())
      return setProblem({ field: 'reason', text: 'Say why you are correcting the record.' });
    const happenedAt = new Date(when);
    if (Number.isNaN(happenedAt.getTime()))
      return setProblem({ field: 'form', text: 'Enter when it happened.' });
    setBusy(true);
    setProblem(null);
    try {
      await api('PATCH', `/api/concerns/${concern.id}`, {
        reason: reason.trim(),
        body,
        location: where.trim(),
        happenedAt: happenedAt.toISOString(),
      });
      onSaved('Correction saved. The earlier version is kept.');
    } catch (err) {
      setBusy(false);
      setProblem({
        field: 'form',
        text:
          err instanceof ApiError && err.status === 400
            ? `The correction was not saved: ${err.message}`
            : `The correction was not saved. ${errorMessage(err)}`,
      });
    }
  };
  const err = (f: 'reason' | 'body') =>
    problem?.field === f ? (
      <p id={`correct-${f}-error`} className="field-error">
        {problem.text}
      </p>
    ) : null;

  return (
    <section aria-labelledby="correct-heading" className="card stack section">
      <h2 id="correct-heading">Correct this record</h2>
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="correct-when" className="field-label">
            When it happened
          </label>
          <input
            id="correct-when"
            className="input input-short"
            type="datetime-local"
            value={when}
            max={now}
            onChange={(e) => setWhen(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="correct-where" className="field-label">
            Where
          </label>
          <input
            id="correct-where"
            className="input"
            maxLength={200}
            value={where}
            onChange={(e) => setWhere(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="correct-body" className="field-label">
            What happened
          </label>
          {err('body')}
          <textarea
            id="correct-body"
            className="input textarea"
            rows={8}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            aria-invalid={problem?.field === 'body' ? true : undefined}
            aria-describedby={problem?.field === 'body' ? 'correct-body-error' : undefined}
          />
        </div>
        <div className="field">
          <label htmlFor="correct-reason" className="field-label">
            Reason for the correction
          </label>
          {err('reason')}
          <input
            id="correct-reason"
            className="input"
            maxLength={2000}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            aria-invalid={problem?.field === 'reason' ? true : undefined}
            aria-describedby={problem?.field === 'reason' ? 'correct-reason-error' : undefined}
          />
        </div>
        <div
          role="alert"
          className={problem?.field === 'form' ? 'message message-error' : 'visually-empty'}
        >
          {problem?.field === 'form' ? problem.text : null}
        </div>
        <div className="actions">
          <Button type="submit" className="button button-primary" isDisabled={busy}>
            Save correction
          </Button>
          <Button className="button button-quiet" onPress={onClose}>
            Cancel
          </Button>
        </div>
      </form>
    </section>
  );
}

type Version = {
  version: number;
  happenedAt: string;
  location: string | null;
  body: string;
  writtenBy: string;
  writtenAt: string;
  replacedBy: { id: string; name: string };
  replacedAt: string;
  reason: string;
};

/** Every earlier version, newest first, for those who may read the record's history. */
export function EarlierVersions({ concernId }: { concernId: string }) {
  const [open, setOpen] = useState(false);
  const state = useLoad<{ items: Version[] }>(open ? `/api/concerns/${concernId}/versions` : null);
  return (
    <section aria-labelledby="versions-heading" className="section">
      <h2 id="versions-heading">Earlier versions</h2>
      {!open ? (
        <Button className="button" onPress={() => setOpen(true)}>
          Show earlier versions
        </Button>
      ) : state.status === 'loading' ? (
        <p role="status">Loading…</p>
      ) : state.status === 'error' ? (
        <p className="message message-error">{state.message}</p>
      ) : (
        <ol className="timeline">
          {[...state.data.items].reverse().map((v) => (
            <li key={v.version} className="card stack">
              <h3 className="entry-title">Version {v.version}</h3>
              <p className="muted">
                Replaced {formatWhen(v.replacedAt)} by {v.replacedBy.name}, because: {v.reason}
              </p>
              <p className="muted">
                Happened {formatWhen(v.happenedAt)}
                {v.location ? `, ${v.location}` : ''}
              </p>
              <p className="entry-text">{v.body}</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
