// A concern's files. Each downloads as an attachment (the server never serves one inline) and every
// download is audited. Whoever may read the concern may attach another file to it.
import { useState } from 'react';
import { errorMessage, uploadFile } from '../../lib/api.ts';
import { formatWhen } from '../../lib/format.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError } from '../../ui/Form.tsx';
import { FileField } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import type { Attachment, ConcernView } from '../../../../src/shared/schemas/concerns.ts';

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

type Props = { concern: ConcernView; onChanged: (message: string) => void };

export function AttachmentList({ concern, onChanged }: Props) {
  const [file, setFile] = useState<File | null>(null);
  const submit = useSubmit({
    describe: (err) => `The file was not attached: ${errorMessage(err)}`,
  });
  const headingId = `attach-${concern.id}-heading`;

  const attach = async (form: HTMLFormElement) => {
    if (!file) {
      submit.invalid({ file: 'Choose a file to attach.' });
      return;
    }
    const saved = await uploadFile<Attachment>(`/api/concerns/${concern.id}/attachments`, file);
    setFile(null);
    form.reset();
    onChanged(`${saved.name} attached.`);
  };

  return (
    <section aria-labelledby={headingId} className="stack">
      <h2 id={headingId}>Attachments</h2>
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
        <Form submit={submit} onSubmit={attach}>
          <FileField
            name="file"
            label="Attach a file"
            onChange={(files) => setFile(files[0] ?? null)}
          />
          <FormError />
          <div>
            <SubmitButton variant="secondary">
              {submit.pending ? 'Attaching…' : 'Attach file'}
            </SubmitButton>
          </div>
        </Form>
      )}
    </section>
  );
}
