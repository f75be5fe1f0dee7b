// Correcting a concern: only its author, and only with a reason. The version being replaced is
// kept with who wrote it, who replaced it, when and why; nothing is ever overwritten unseen.
import { useMemo, useState } from 'react';
import { api } from '../../lib/api.ts';
import { formatWhen, toLocalInput } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { refusedAs, useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError } from '../../ui/Form.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { DateField } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import type { ConcernVersionList, ConcernView } from '../../../../src/shared/schemas/concerns.ts';

type Props = { concern: ConcernView; onSaved: (message: string) => void };

export function CorrectConcern({ concern, onSaved }: Props) {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <p>
        <Button onPress={() => setOpen(true)}>Correct this record</Button>
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
  const submit = useSubmit<'body' | 'reason'>({
    describe: refusedAs('The correction was not saved'),
  });

  const save = async () => {
    // One problem at a time.
    const happenedAt = new Date(when);
    if (!body.trim()) submit.invalid({ body: 'Write what happened.' });
    else if (!reason.trim()) submit.invalid({ reason: 'Say why you are correcting the record.' });
    else if (Number.isNaN(happenedAt.getTime())) submit.invalid({}, 'Enter when it happened.');
    else return send(happenedAt);
  };
  const send = async (happenedAt: Date) => {
    await api('PATCH', `/api/concerns/${concern.id}`, {
      reason: reason.trim(),
      body,
      location: where.trim(),
      happenedAt: happenedAt.toISOString(),
    });
    onSaved('Correction saved. The earlier version is kept.');
  };

  return (
    <section aria-labelledby="correct-heading" className="card stack section">
      <h2 id="correct-heading">Correct this record</h2>
      <Form submit={submit} onSubmit={save}>
        <DateField label="When it happened" withTime value={when} max={now} onChange={setWhen} />
        <TextField label="Where" maxLength={200} value={where} onChange={setWhere} />
        <TextArea name="body" label="What happened" rows={8} value={body} onChange={setBody} />
        <TextField
          name="reason"
          label="Reason for the correction"
          maxLength={2000}
          value={reason}
          onChange={setReason}
        />
        <FormError />
        <div className="actions">
          <SubmitButton>Save correction</SubmitButton>
          <Button variant="quiet" onPress={onClose}>
            Cancel
          </Button>
        </div>
      </Form>
    </section>
  );
}

/** Every earlier version, newest first, for those who may read the record's history. */
export function EarlierVersions({ concernId }: { concernId: string }) {
  const [open, setOpen] = useState(false);
  const state = useLoad<ConcernVersionList>(open ? `/api/concerns/${concernId}/versions` : null);
  return (
    <section aria-labelledby="versions-heading" className="section">
      <h2 id="versions-heading">Earlier versions</h2>
      {!open ? (
        <Button onPress={() => setOpen(true)}>Show earlier versions</Button>
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
