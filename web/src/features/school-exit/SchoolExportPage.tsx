// "Export the school's data" (issue 15, a school's exit): an administrator, stepped up, prepares
// the whole school as a password-protected 7-Zip archive. The server prepares it in the
// background; this page shows its progress, the archive's password (shown once, here, and kept
// only in this page's memory: a reload loses it, and the export must then be prepared again), and
// offers the archive once. The school then types back the code found inside the archive to
// confirm it opened it, which is what lets the operator delete the school later.
import { use, useCallback, useEffect, useState } from 'react';
import { api, ApiError, downloadPosted, errorMessage } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus, StepUpInPlaceContext } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import { AdminLoaded } from '../administration/AdminShared.tsx';
import type { ExportAsked, ExportStatus } from '../../../../src/shared/schemas/school-exit.ts';
import './school-exit.css';

const URL_BASE = '/api/admin/school-export';
const TITLE = 'Export the school’s data';
const POLL_MS = 2_000;

const when = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export function SchoolExportPage() {
  const state = useLoad<ExportStatus>(URL_BASE);
  return (
    <AdminLoaded title={TITLE} state={state} retry={() => void state.reload()}>
      {(data) => <SchoolExport initial={data} />}
    </AdminLoaded>
  );
}

function SchoolExport({ initial }: { initial: ExportStatus }) {
  const [status, setStatus] = useState(initial);
  // The password and the download token: answered once, held only here.
  const [asked, setAsked] = useState<ExportAsked | null>(null);
  // Why the progress could not be read (the step-up lapsed, the server is away): said, and the
  // page keeps what it shows (the password included) and keeps asking.
  const [pollError, setPollError] = useState<ApiError | Error | null>(null);
  const askForStepUp = use(StepUpInPlaceContext);
  const refresh = useCallback(async () => {
    setStatus(await api<ExportStatus>('GET', URL_BASE));
    setPollError(null);
  }, []);
  const job = status.job;
  const working = job?.state === 'queued' || job?.state === 'running';
  useEffect(() => {
    if (!working) return;
    const timer = setInterval(
      () => void refresh().catch((err: unknown) => setPollError(err as Error)),
      POLL_MS,
    );
    return () => clearInterval(timer);
  }, [working, refresh]);

  const prepare = useSubmit();
  const mine = asked !== null && job?.id === asked.id;
  return (
    <>
      <p>
        When the school leaves Lantern, it takes its data with it: every record and its versions,
        attachments, the audit trail, MIS data and settings, and a chronology PDF for each pupil,
        with a manifest of every file&apos;s SHA-256. They come as one 7-Zip archive protected by a
        password (AES-256), which the free 7-Zip opens on Windows, and <code>7z</code> or{' '}
        <code>7zz</code> on Linux and macOS.
      </p>
      <section aria-labelledby="prepare-heading" className="section card">
        <h2 id="prepare-heading">Prepare the export</h2>
        <p>
          Preparing takes a few minutes for a large school; you may leave this page open while it
          works. The archive is offered for download <strong>once</strong>, on this page, and
          deleted from the server once downloaded or after 24 hours.
        </p>
        <Form
          submit={prepare}
          aria-label="Prepare the export"
          onSubmit={async () => {
            const a = await api<ExportAsked>('POST', URL_BASE);
            setAsked(a);
            await refresh();
            return 'The export is being prepared. Write down the password below now.';
          }}
        >
          <FormError />
          <FormStatus />
          <SubmitButton isDisabled={working}>Prepare the export</SubmitButton>
        </Form>
      </section>
      {asked && (
        <section aria-labelledby="password-heading" className="section card export-password">
          <h2 id="password-heading">The archive’s password</h2>
          <p>
            Shown only now: write it down or keep it in the school&apos;s password manager, and keep
            it apart from the archive. Lantern keeps it, encrypted, only until the archive is being
            made, then forgets it: without it the archive cannot be opened, and Lantern cannot tell
            it to you again.
          </p>
          <p className="export-password-value">
            <code>{asked.password}</code>
          </p>
        </section>
      )}
      {pollError && (
        <div role="alert" className="message message-error">
          <p>{errorMessage(pollError)}</p>
        </div>
      )}
      {pollError instanceof ApiError &&
        pollError.code === 'step_up_required' &&
        askForStepUp?.(() => void refresh().catch((err: unknown) => setPollError(err as Error)))}
      {job && <JobState job={job} mine={mine} asked={asked} onChanged={refresh} />}
      <ConfirmSection confirmedAt={status.confirmedAt} onConfirmed={refresh} />
    </>
  );
}

function JobState({
  job,
  mine,
  asked,
  onChanged,
}: {
  job: NonNullable<ExportStatus['job']>;
  mine: boolean;
  asked: ExportAsked | null;
  onChanged: () => Promise<void>;
}) {
  const download = useSubmit({ describe: (err) => errorMessage(err) });
  return (
    <section aria-labelledby="progress-heading" className="section card">
      <h2 id="progress-heading">The export asked for on {when(job.requestedAt)}</h2>
      {(job.state === 'queued' || job.state === 'running') && (
        <>
          <p role="status">
            {job.state === 'queued'
              ? 'Waiting to start…'
              : `Preparing: step ${job.progress} of ${job.progressTotal || '…'}.`}
          </p>
          <progress
            aria-label="Progress of the export"
            max={job.progressTotal || 1}
            value={job.progress}
          />
        </>
      )}
      {job.state === 'ready' && mine && asked && (
        <Form
          submit={download}
          aria-label="Download the export"
          onSubmit={async () => {
            await downloadPosted(`${URL_BASE}/${job.id}/download`, { token: asked.token });
            await onChanged();
            return 'Downloaded. The archive has been deleted from the server.';
          }}
        >
          <p role="status">
            Ready{job.archiveBytes !== null ? ` (${formatBytes(job.archiveBytes)})` : ''}: download
            it before {job.expiresAt ? when(job.expiresAt) : 'tomorrow'}.
          </p>
          <FormError />
          <FormStatus />
          <SubmitButton>Download the export</SubmitButton>
        </Form>
      )}
      {job.state === 'ready' && !mine && (
        <p role="status">
          Ready, but offered only to the page that asked for it, which alone showed its password. If
          that page is gone, prepare the export again.
        </p>
      )}
      {job.state === 'downloaded' && (
        <>
          <FormStatus submit={download} />
          <p>
            Downloaded on {when(job.downloadedAt!)}, and deleted from the server. Open it with 7-Zip
            and the password, then confirm below with the code in README.txt.
          </p>
        </>
      )}
      {job.state === 'expired' && (
        <p>
          Not downloaded within 24 hours, so it was deleted from the server. Prepare the export
          again.
        </p>
      )}
      {job.state === 'failed' && (
        <p role="alert" className="message message-error">
          The export could not be prepared. Try again; if it fails again, ask Lantern&apos;s
          operator.
        </p>
      )}
    </section>
  );
}

function ConfirmSection({
  confirmedAt,
  onConfirmed,
}: {
  confirmedAt: string | null;
  onConfirmed: () => Promise<void>;
}) {
  const [code, setCode] = useState('');
  const submit = useSubmit<'code'>({ fieldOf: () => 'code' });
  return (
    <section aria-labelledby="confirm-heading" className="section card">
      <h2 id="confirm-heading">Confirm the school opened its archive</h2>
      {confirmedAt && <p>The school confirmed it opened its export on {when(confirmedAt)}.</p>}
      <p>
        Inside the archive, README.txt holds a confirmation code (four groups of four letters and
        digits). Typing it here shows the school has its data and can open it.
      </p>
      <Form
        submit={submit}
        aria-label="Confirm the archive was opened"
        onSubmit={async () => {
          if (code.trim() === '')
            return void submit.invalid({ code: 'Type the code from README.txt.' });
          await api('POST', `${URL_BASE}/confirm`, { code });
          await onConfirmed();
          return 'Confirmed: the school has opened its export.';
        }}
      >
        <FormError />
        <FormStatus />
        <TextField
          label="Confirmation code from README.txt"
          name="code"
          value={code}
          onChange={setCode}
          maxLength={40}
          autoComplete="off"
          spellCheck={false}
          inputClassName="input input-short"
        />
        <SubmitButton>Confirm the archive was opened</SubmitButton>
      </Form>
    </section>
  );
}

function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${Math.max(1, Math.round(n / 1024))} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
