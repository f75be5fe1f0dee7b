// The page a link to a school on no Lantern opens (issue 18), outside the signed-in app: the
// receiving DSL asks for a one-time code (emailed to them separately), enters it, reads what the
// file holds, downloads it as a PDF and its manifest, and confirms receipt by name and role. The
// link's token is in the address's #fragment, which the browser never sends to a server; the page
// sends it in request bodies only, and takes it out of the address bar and the back/forward entry
// before any request (replaceState), so it is not shown over a shoulder nor carried by a reload.
// replaceState does not remove the address from the browser's history (the list of visited pages
// may still hold it): what protects a link left there is the one-time code emailed separately,
// without which the token opens nothing, and the link's expiry. A reload then
// has no token: once the file was opened with the code, the page keeps working through its view
// key (the HttpOnly cookie, for an hour), which is what a receiving DSL expects of a page they are
// reading; before that, it says plainly to open the link from the email again (the email is at
// hand, and the token is never kept anywhere in the browser). Nothing typed is lost on a refusal.
import { useEffect, useState } from 'react';
import { api, ApiError, errorMessage } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatWhen } from '../../lib/format.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { TextField } from '../../ui/TextField.tsx';
import type { CodeSent, LinkView } from '../../../../src/shared/schemas/transfers.ts';

const BASE = '/api/public/transfer-link';
const TITLE = 'A child-protection file sent to your school';

type Loaded =
  | { status: 'loading' }
  | { status: 'refused'; message: string }
  | { status: 'ready'; view: LinkView };

/** This page load's token (read once: a second render must not find the address emptied). */
let taken: { token: string | undefined } | null = null;

/** The token from the address, read once, and the address replaced by one without it. */
function takeToken(): string | undefined {
  const hash = window.location.hash.replace(/^#/, '');
  if (taken && !hash) return taken.token;
  taken = { token: hash || undefined };
  if (hash)
    window.history.replaceState(
      window.history.state,
      '',
      window.location.pathname + window.location.search,
    );
  return taken.token;
}

export function TransferLinkPage() {
  // Taken before the first render's requests; kept in this page's memory only.
  const [token] = useState(takeToken);
  const [state, setState] = useState<Loaded>({ status: 'loading' });
  useEffect(() => {
    document.title = `${TITLE} – Lantern`;
    let live = true;
    // Without a token (a reload), the server answers the file this browser opened, or says to
    // open the link from the email again.
    api<LinkView>('POST', `${BASE}/view`, token ? { token } : {}).then(
      (view) => live && setState({ status: 'ready', view }),
      (err: unknown) => live && setState({ status: 'refused', message: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [token]);
  return (
    <main id="main" className="page page-narrow">
      <h1 className="page-title">{TITLE}</h1>
      {state.status === 'loading' && <p role="status">Loading…</p>}
      {state.status === 'refused' && (
        <p className="message message-error" role="alert">
          {state.message}
        </p>
      )}
      {state.status === 'ready' && (
        <Ready
          token={token}
          view={state.view}
          onView={(view) => setState({ status: 'ready', view })}
        />
      )}
    </main>
  );
}

function Ready(p: { token: string | undefined; view: LinkView; onView: (v: LinkView) => void }) {
  const { view } = p;
  return (
    <>
      <p className="lead">
        From <strong>{view.fromSchool}</strong> to <strong>{view.toSchool}</strong>, sent securely
        by Lantern. It is for the designated safeguarding lead it was emailed to, and works until{' '}
        {formatWhen(view.expiresAt)}.
      </p>
      {view.state === 'locked' && p.token && (
        <Unlock token={p.token} codeTo={view.codeTo} onOpen={p.onView} />
      )}
      {view.state === 'open' && view.file && (
        <>
          <FileSummary file={view.file} fromSchool={view.fromSchool} />
          <ReceiptForm token={p.token} onDone={p.onView} />
        </>
      )}
      {view.state === 'accepted' && view.receipt && (
        <section aria-labelledby="receipt-heading" className="section card">
          <h2 id="receipt-heading">Receipt confirmed</h2>
          <p role="status">
            Receipt confirmed by {view.receipt.name}, {view.receipt.role}. {view.fromSchool} has
            been told. Keep the file you downloaded in your school&apos;s child-protection records;
            this link no longer opens it.
          </p>
        </section>
      )}
    </>
  );
}

function Unlock(p: { token: string; codeTo: string; onOpen: (v: LinkView) => void }) {
  const [code, setCode] = useState('');
  const [sent, setSent] = useState<CodeSent | null>(null);
  const ask = useSubmit();
  const submit = useSubmit<'code'>();
  const open = async () => {
    if (!/^\d{6}$/.test(code.replace(/\s+/g, ''))) {
      submit.invalid({ code: 'Enter the 6-digit code from the email.' });
      return;
    }
    p.onOpen(await api<LinkView>('POST', `${BASE}/open`, { token: p.token, code }));
  };
  return (
    <section aria-labelledby="unlock-heading" className="section">
      <h2 id="unlock-heading">Open the file</h2>
      <p>
        To open it, ask for a one-time code. It is emailed to {p.codeTo} (the address this link was
        sent to) in a separate email, and works for 15 minutes.
      </p>
      <Form submit={ask} onSubmit={() => undefined} aria-label="Ask for a code">
        <FormError />
        <FormStatus />
        <div className="actions">
          <Button
            variant={sent ? 'secondary' : 'primary'}
            onPress={() =>
              void ask.run(async () => {
                const got = await api<CodeSent>('POST', `${BASE}/code`, { token: p.token });
                setSent(got);
                return `A code was sent to ${got.sentTo}. It works for ${got.validMinutes} minutes.`;
              })
            }
          >
            {sent ? 'Email me a new code' : 'Email me a code'}
          </Button>
        </div>
      </Form>
      <Form submit={submit} onSubmit={open} aria-label="Enter the code">
        <TextField
          name="code"
          label="One-time code"
          hint="The 6 digits from the email."
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={20}
          value={code}
          onChange={setCode}
        />
        <FormError />
        <div className="actions">
          <SubmitButton>Open the file</SubmitButton>
        </div>
      </Form>
    </section>
  );
}

function FileSummary({
  file,
  fromSchool,
}: {
  file: NonNullable<LinkView['file']>;
  fromSchool: string;
}) {
  return (
    <section aria-labelledby="file-heading" className="section card">
      <h2 id="file-heading">The file: {file.pupil.name}</h2>
      <p>
        {file.pupil.dateOfBirth && <>Date of birth: {file.pupil.dateOfBirth}. </>}
        {file.pupil.upn && <>UPN: {file.pupil.upn}. </>}
        {file.items.length} {file.items.length === 1 ? 'item' : 'items'}
        {file.withheld.length > 0 && `; ${file.withheld.length} withheld`}.
      </p>
      <p>
        <strong>Attachments are not included.</strong> Documents and photos attached to these
        records do not travel with this link: ask {fromSchool} for them.
      </p>
      <ul className="actions">
        <li>
          <a href={`${BASE}/file.pdf`} download>
            Download the file (PDF)
          </a>
        </li>
        <li>
          <a href={`${BASE}/manifest.json`} download>
            Download the manifest (JSON, each item&apos;s SHA-256)
          </a>
        </li>
      </ul>
      <h3>What it holds</h3>
      <ol className="stack-tight">
        {file.items.map((i, n) => (
          <li key={n}>
            {i.title} <span className="hint">({formatWhen(i.happenedAt)})</span>
          </li>
        ))}
      </ol>
      {file.withheld.length > 0 && (
        <>
          <h3>
            {file.withheld.length} {file.withheld.length === 1 ? 'item' : 'items'} withheld
          </h3>
          <ul>
            {file.withheld.map((w) => (
              <li key={w.itemId}>{w.reason}</li>
            ))}
          </ul>
        </>
      )}
      <p className="hint">SHA-256 of the manifest: {file.manifestSha256}</p>
    </section>
  );
}

function ReceiptForm(p: { token: string | undefined; onDone: (v: LinkView) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('');
  const submit = useSubmit<'name' | 'role'>();
  const confirm = async () => {
    const problems: { name?: string; role?: string } = {};
    if (!name.trim()) problems.name = 'Enter your name.';
    if (!role.trim()) problems.role = 'Enter your role.';
    if (problems.name || problems.role) {
      submit.invalid(problems, 'Give your name and your role to confirm receipt.');
      return;
    }
    try {
      const ask = { ...(p.token && { token: p.token }), name, role };
      p.onDone(await api<LinkView>('POST', `${BASE}/receipt`, ask));
    } catch (err) {
      // The view key lapsed (an hour): the page says so; what was typed stays.
      if (p.token && err instanceof ApiError && err.code === 'link_not_opened')
        throw new ApiError(
          err.status,
          err.code,
          `${err.message} Open the link from the email again to do so.`,
        );
      throw err;
    }
  };
  return (
    <section aria-labelledby="confirm-heading" className="section">
      <h2 id="confirm-heading">Confirm receipt</h2>
      <p>
        Once you have downloaded and opened the file, confirm that your school has received it. The
        sending school is told, and records your name and role as the person who received it.
      </p>
      <Form submit={submit} onSubmit={confirm} aria-label="Confirm receipt">
        <TextField
          name="name"
          label="Your name"
          autoComplete="name"
          maxLength={200}
          value={name}
          onChange={setName}
        />
        <TextField
          name="role"
          label="Your role"
          hint="For example: Designated safeguarding lead."
          maxLength={200}
          value={role}
          onChange={setRole}
        />
        <FormError />
        <div className="actions">
          <SubmitButton>Confirm receipt</SubmitButton>
        </div>
      </Form>
    </section>
  );
}
