// One transfer, for the sending DSL team (issue 18): its state and the statutory clock (and which
// rule counts it), the tasks an unknown destination calls for, the destination, and the whole
// file that goes — every item, each of which can be left out only with a reason for it. Then
// "Send the file", and before acceptance "Take the file back" or "Send again".
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { formatWhen } from '../../lib/format.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import { Checkbox } from '../../ui/Field.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { LoadProblem } from '../../ui/LoadProblem.tsx';
import type {
  FileItem,
  KeptCopy,
  TransferFilePreview,
  TransferOut,
} from '../../../../src/shared/schemas/transfers.ts';
import { DestinationPicker } from './DestinationPicker.tsx';
import { NoConsentNote } from './NoConsent.tsx';
import { STATE_NAMES } from './words.ts';
import { describeMark } from '../../../../src/shared/body-map-regions.ts';

export function TransferPage() {
  const { id = '' } = useParams();
  const state = useLoad<TransferFilePreview>(`/api/transfers/${encodeURIComponent(id)}`);
  if (state.status === 'loading')
    return (
      <>
        <PageHeading title="Child-protection file">Child-protection file</PageHeading>
        <p role="status">Loading…</p>
      </>
    );
  if (state.status === 'error') return <LoadProblem title="Child-protection file" state={state} />;
  const { transfer: x, items } = state.data;
  const changed = () => void state.reload();
  return (
    <>
      <PageHeading title={`Child-protection file – ${x.pupil.name}`}>
        Child-protection file: {x.pupil.name}
      </PageHeading>
      <p className="lead">
        <Link to={`/pupils/${x.pupil.id}`}>The pupil’s record</Link> ·{' '}
        <Link to="/">Back to the dashboard</Link>
      </p>
      <section aria-labelledby="state-heading" className="section card">
        <h2 id="state-heading">{STATE_NAMES[x.state]}</h2>
        <p>
          Leaving on {x.leavingOn}. Destination:{' '}
          {x.destination ? `${x.destination.name} (URN ${x.destination.urn})` : 'not known'}.
        </p>
        <p>
          <strong>Statutory clock:</strong> {x.clock.explanation}
          {x.clock.overdue && <strong> This transfer is overdue.</strong>}
        </p>
        {x.sentAt && <p>Sent {formatWhen(x.sentAt)}.</p>}
        {x.link && <LinkState link={x.link} />}
        {x.receipt && (
          <p>
            Receipt confirmed by {x.receipt.name}, {x.receipt.role}
            {x.acceptedAt && `, ${formatWhen(x.acceptedAt)}`}.{' '}
            {x.state === 'accepted' && (
              <a href={`/api/transfers/${encodeURIComponent(x.id)}/receipt.pdf`} download>
                Download the receipt certificate (PDF)
              </a>
            )}
          </p>
        )}
        {x.rejectedReason && <p>Rejected: {x.rejectedReason}</p>}
        {x.tasks.length > 0 && (
          <>
            <h3>To do</h3>
            <ul>
              {x.tasks.map((t) => (
                <li key={t}>{t}</li>
              ))}
            </ul>
          </>
        )}
        {x.allowed.includes('revoke') && <StateButtons id={x.id} onDone={changed} />}
      </section>
      {x.kept && <KeptSection id={x.id} kept={x.kept} />}
      {x.allowed.includes('set_destination') && <DestinationForm id={x.id} onDone={changed} />}
      {x.allowed.includes('send') && x.destination && !x.destination.onThisLantern && (
        <DomainForm destination={x.destination} onDone={changed} />
      )}
      {x.allowed.includes('send') ? (
        <SendForm id={x.id} items={items} destination={x.destination} onDone={changed} />
      ) : (
        <FileItems items={items} />
      )}
      {x.allowed.includes('close') && <CloseForm id={x.id} onDone={changed} />}
      <NoConsentNote />
    </>
  );
}

/** Closes a transfer Lantern will not send (sent by other secure means, opened in error). */
function CloseForm({ id, onDone }: { id: string; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const submit = useSubmit<'reason'>();
  const close = async () => {
    if (!reason.trim()) {
      submit.invalid({ reason: 'Say why the transfer is closed.' });
      return;
    }
    await api('POST', `/api/transfers/${id}/close`, { reason: reason.trim() });
    onDone();
    return 'The transfer is closed.';
  };
  return (
    <section aria-labelledby="close-heading" className="section">
      <h2 id="close-heading">Close without sending through Lantern</h2>
      <p>
        If the file went to the new school by other secure means, or this transfer was opened in
        error, close it with the reason. The reason is kept with the transfer.
      </p>
      <Form submit={submit} onSubmit={close} aria-label="Close the transfer">
        <TextArea
          name="reason"
          label="Why is this transfer closed?"
          rows={3}
          maxLength={2000}
          isRequired
          value={reason}
          onChange={setReason}
        />
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton variant="secondary">Close the transfer</SubmitButton>
        </div>
      </Form>
    </section>
  );
}

const KEPT_WORDS = {
  sealed_copy: 'a sealed, read-only copy of the file as sent',
  chronology_only: 'the chronology of the file as sent (dates, kinds and titles, no text)',
  nothing: 'nothing of the file',
} as const;

/**
 * What this school keeps of the file once accepted (the retention schedule's setting), and the
 * kept copy, opened only with a reason that is recorded with who and when.
 */
function KeptSection(p: { id: string; kept: NonNullable<TransferOut['kept']> }) {
  const [reason, setReason] = useState('');
  const [copy, setCopy] = useState<KeptCopy | null>(null);
  const submit = useSubmit<'reason'>();
  const open = async () => {
    if (!reason.trim()) {
      submit.invalid({ reason: 'Say why you are opening the kept copy.' });
      return;
    }
    setCopy(
      await api<KeptCopy>('POST', `/api/transfers/${p.id}/kept-copy`, { reason: reason.trim() }),
    );
  };
  return (
    <section aria-labelledby="kept-heading" className="section">
      <h2 id="kept-heading">What this school keeps</h2>
      <p>
        By the school&apos;s retention schedule, this school keeps {KEPT_WORDS[p.kept.mode]}
        {p.kept.until ? `, until ${p.kept.until} (the pupil's date of birth + the period set)` : ''}
        .
      </p>
      {p.kept.removedAt && (
        <p role="status">
          That date has passed: the kept copy was removed on {formatWhen(p.kept.removedAt)}.
        </p>
      )}
      {p.kept.reviewDueOn && !p.kept.removedAt && (
        <p role="status">
          Due for review since {p.kept.reviewDueOn}: the school&apos;s retention schedule says this
          copy is reviewed, not removed, when its date passes, so it is kept until the school
          decides. To have such copies removed, set the transferred-file rule&apos;s action to
          destroy in the retention schedule.
        </p>
      )}
      {p.kept.mode !== 'nothing' && !p.kept.removedAt && !copy && (
        <Form submit={submit} onSubmit={open} aria-label="Open the kept copy">
          <TextArea
            name="reason"
            label="Why are you opening the kept copy?"
            hint="Recorded with your name and the time, and audited."
            rows={2}
            maxLength={2000}
            value={reason}
            onChange={setReason}
          />
          <FormError />
          <div className="actions">
            <SubmitButton variant="secondary">Open the kept copy</SubmitButton>
          </div>
        </Form>
      )}
      {copy && (
        <>
          <h3>Opened</h3>
          <ul>
            {copy.openings.map((o) => (
              <li key={o.at + o.by}>
                {formatWhen(o.at)}, {o.by}: {o.reason}
              </li>
            ))}
          </ul>
          <FileItems items={copy.items} />
        </>
      )}
    </section>
  );
}

/** The domain the destination's DSL addresses are under, when the directory's is missing or old. */
function DomainForm(p: {
  destination: NonNullable<TransferOut['destination']>;
  onDone: () => void;
}) {
  const [domain, setDomain] = useState('');
  const submit = useSubmit<'domain'>();
  const save = async () => {
    if (!domain.trim()) {
      submit.invalid({ domain: 'Give a domain such as "school.sch.uk".' });
      return;
    }
    await api('POST', `/api/transfers/directory/${p.destination.urn}/domain`, {
      domain: domain.trim(),
    });
    p.onDone();
    return 'Domain confirmed.';
  };
  return (
    <section aria-labelledby="domain-heading" className="section">
      <h2 id="domain-heading">The school&apos;s email domain</h2>
      <p>
        {p.destination.domain
          ? `A DSL address at ${p.destination.name} must be at ${p.destination.domain}. If the school uses another domain, confirm it here (you confirm it from a source you trust, such as the school's own website).`
          : `No email domain is confirmed for ${p.destination.name}. Confirm the domain its DSL addresses are under, from a source you trust${p.destination.website ? ` (the directory lists its website at ${p.destination.website}, which may not be where its email is)` : ''}.`}
      </p>
      <Form submit={submit} onSubmit={save} aria-label="Confirm the email domain">
        <TextField
          name="domain"
          label="Email domain"
          hint='For example "school.sch.uk".'
          spellCheck={false}
          maxLength={253}
          value={domain}
          onChange={setDomain}
        />
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton variant="secondary">Confirm the domain</SubmitButton>
        </div>
      </Form>
    </section>
  );
}

function DestinationForm({ id, onDone }: { id: string; onDone: () => void }) {
  const [urn, setUrn] = useState('');
  const submit = useSubmit<'destination'>();
  const save = async () => {
    if (!urn) {
      submit.invalid({ destination: 'Find and choose the new school.' });
      return;
    }
    await api('POST', `/api/transfers/${id}/destination`, { destinationUrn: Number(urn) });
    onDone();
    return 'Destination set: the clock starts today.';
  };
  return (
    <section aria-labelledby="destination-heading" className="section">
      <h2 id="destination-heading">Destination</h2>
      <Form submit={submit} onSubmit={save} aria-label="Destination">
        <DestinationPicker value={urn} onChange={setUrn} allowUnknown={false} />
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton variant="secondary">Set destination</SubmitButton>
        </div>
      </Form>
    </section>
  );
}

const LINK_STATES = {
  live: 'works until',
  revoked: 'withdrawn (it no longer works)',
  replaced: 'replaced by a newer link',
  accepted: 'used: receipt confirmed',
} as const;

/** The link a school on no Lantern was sent: to whom, until when, and whether it was opened. */
function LinkState({ link }: { link: NonNullable<TransferOut['link']> }) {
  return (
    <p>
      Sent as a secure link to <strong>{link.email}</strong>: {LINK_STATES[link.state]}
      {link.state === 'live' && ` ${formatWhen(link.expiresAt)}`}.{' '}
      {link.openedAt
        ? `Opened with its code ${formatWhen(link.openedAt)}.`
        : 'Not opened yet (the recipient needs the code emailed to them separately).'}
    </p>
  );
}

function SendForm(p: {
  id: string;
  items: FileItem[];
  destination: TransferOut['destination'];
  onDone: () => void;
}) {
  const [left, setLeft] = useState<Record<string, string | undefined>>({});
  const [email, setEmail] = useState('');
  const byLink = p.destination !== null && !p.destination.onThisLantern;
  const submit = useSubmit<string>();
  const send = async () => {
    if (byLink && !email.trim()) {
      submit.invalid({ recipientEmail: "Give the receiving school's DSL email address." });
      return;
    }
    const withhold = Object.entries(left).flatMap(([itemId, reason]) =>
      reason === undefined ? [] : [{ itemId, reason: reason.trim() }],
    );
    const missing = withhold.find((w) => w.reason === '');
    if (missing) {
      submit.invalid(
        { [`reason-${missing.itemId}`]: 'Say why this item is left out.' },
        'An item can be left out only with a reason for that item.',
      );
      return;
    }
    await api('POST', `/api/transfers/${p.id}/send`, {
      withhold,
      ...(byLink && { recipientEmail: email.trim() }),
    });
    p.onDone();
    return byLink ? 'The link was emailed.' : 'The file was sent.';
  };
  return (
    <section aria-labelledby="file-heading" className="section">
      <h2 id="file-heading">The file ({p.items.length} items)</h2>
      <p>The whole file goes. Leave an item out only if you must, and say why.</p>
      <Form submit={submit} onSubmit={send} aria-label="Send the file">
        <ol className="stack-tight">
          {p.items.map((item) => (
            <li key={item.id} className="card">
              <ItemText item={item} />
              <Checkbox
                checked={left[item.id] !== undefined}
                onChange={(on) => setLeft({ ...left, [item.id]: on ? '' : undefined })}
              >
                Leave this item out
              </Checkbox>
              {left[item.id] !== undefined && (
                <TextArea
                  name={`reason-${item.id}`}
                  label="Why is this item left out?"
                  rows={2}
                  maxLength={2000}
                  value={left[item.id] ?? ''}
                  onChange={(v) => setLeft({ ...left, [item.id]: v })}
                />
              )}
            </li>
          ))}
        </ol>
        {byLink && (
          <TextField
            name="recipientEmail"
            type="email"
            autoComplete="off"
            spellCheck={false}
            maxLength={254}
            label="The receiving school's DSL email address"
            hint={
              p.destination?.domain
                ? `${p.destination.name} does not use Lantern: the file goes as a secure link to this one address, which must be at ${p.destination.domain}. A one-time code to open it is emailed to it separately.`
                : `${p.destination?.name ?? 'The school'} does not use Lantern, and no email domain is confirmed for it: confirm its domain first.`
            }
            value={email}
            onChange={setEmail}
          />
        )}
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton>Send the file</SubmitButton>
        </div>
      </Form>
    </section>
  );
}

function StateButtons({ id, onDone }: { id: string; onDone: () => void }) {
  const submit = useSubmit();
  return (
    <Form submit={submit} onSubmit={() => undefined} aria-label="Before receipt">
      <FormError />
      <FormStatus />
      <div className="actions">
        <Button
          onPress={() =>
            void submit.run(async () => {
              await api('POST', `/api/transfers/${id}/send-again`, { withhold: [] });
              onDone();
              return 'Sent again.';
            })
          }
        >
          Send again
        </Button>
        <Button
          onPress={() =>
            void submit.run(async () => {
              await api('POST', `/api/transfers/${id}/revoke`);
              onDone();
              return 'The file was taken back.';
            })
          }
        >
          Take the file back
        </Button>
      </div>
    </Form>
  );
}

export function ItemText({ item }: { item: FileItem }) {
  return (
    <div className="stack-tight">
      <h3>
        {item.title} <span className="hint">({formatWhen(item.happenedAt)})</span>
      </h3>
      {item.categories.length > 0 && <p className="hint">{item.categories.join(', ')}</p>}
      {item.text && <p className="entry-text">{item.text}</p>}
      {item.pupils.length > 0 && (
        <p className="hint">
          Also named: {item.pupils.map((o) => `${o.name} (${o.role})`).join(', ')}
        </p>
      )}
      {item.bodyMap && item.bodyMap.length > 0 && (
        <p className="hint">
          Body map:{' '}
          {item.bodyMap
            .map((m) => (m.description ? `${describeMark(m)}: ${m.description}` : describeMark(m)))
            .join('; ')}
        </p>
      )}
      {item.author && <p className="hint">Recorded by {item.author}</p>}
    </div>
  );
}

export function FileItems({ items }: { items: FileItem[] }) {
  return (
    <section aria-labelledby="file-heading" className="section">
      <h2 id="file-heading">The file ({items.length} items)</h2>
      <ol className="stack-tight">
        {items.map((item) => (
          <li key={item.id} className="card">
            <ItemText item={item} />
          </li>
        ))}
      </ol>
    </section>
  );
}
