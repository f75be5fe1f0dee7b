// A concern's files. Each downloads as an attachment (the server never serves one inline) and every
// download is audited. Whoever may read the concern may attach another file to it.
import { useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { errorMessage, uploadFile, type AttachmentView, type ConcernView } from '../api.ts';
import { formatWhen } from '../format.ts';

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

type Props = { concern: ConcernView; onChanged: (message: string) => void };

export function AttachmentList({ concern, onChanged }: Props) {
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputId = `attach-${concern.id}`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!file) {
      setProblem('Choose a file to attach.');
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const saved = await uploadFile<AttachmentView>(
        `/api/concerns/${concern.id}/attachments?name=${encodeURIComponent(file.name)}`,
        file,
      );
      setFile(null);
      (e.target as HTMLFormElement).reset();
      onChanged(`${saved.name} attached.`);
    } catch (err) {
      setProblem(`The file was not attached: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby={`${inputId}-heading`} className="stack">
      <h2 id={`${inputId}-heading`}>Attachments</h2>
      {concern.attachments.length === 0 ? (
        <p className="muted">No files are attached.</p>
      ) : (
        <ul className="attachments">
          {concern.attachments.map((a) => (
            <li key={a.id}>
              <a href={`/api/attachments/${a.id}`} download={a.name}>
                {a.name}
              </a>{' '}
              <span className="muted">
                ({formatSize(a.sizeBytes)}, added {formatWhen(a.uploadedAt)})
              </span>
            </li>
          ))}
        </ul>
      )}
      {concern.allowed.includes('view') && (
        <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
          <div className="field">
            <label htmlFor={inputId} className="field-label">
              Attach a file
            </label>
            {problem && (
              <p id={`${inputId}-error`} className="field-error" role="alert">
                {problem}
              </p>
            )}
            <input
              id={inputId}
              className="input"
              type="file"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              aria-describedby={problem ? `${inputId}-error` : undefined}
              aria-invalid={problem ? true : undefined}
            />
          </div>
          <div>
            <Button type="submit" className="button" isDisabled={busy}>
              {busy ? 'Attaching…' : 'Attach file'}
            </Button>
          </div>
        </form>
      )}
    </section>
  );
}
