// A page of audit entries as a table (when, who, what, which record, from where), newest first,
// with "Show older entries" fetching the next page by the server's cursor. Focus moves to the
// first added row, or to the count when a page added none. A new first page (new filters, a
// reload) starts again from the newest.
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, ApiError, errorMessage, signedOut } from '../../lib/api.ts';
import { formatWhen } from '../../lib/format.ts';
import { Button } from '../../ui/Button.tsx';
import type { TrailEntry } from '../../../../src/shared/schemas/audit-trail.ts';

type Page = { entries: TrailEntry[]; nextCursor?: string };
type Older = { after: Page; entries: TrailEntry[]; next: string | undefined };

const RECORD_NAMES: Record<string, string> = {
  pupil: 'Pupil',
  concern: 'Concern',
  case: 'Case',
  action: 'Action',
  referral: 'Referral',
  conversation: 'Conversation',
  attachment: 'Document',
  alert: 'Alert',
  user: 'Member of staff',
};

function recordCell(e: TrailEntry) {
  if (!e.recordType) return '—';
  const name = RECORD_NAMES[e.recordType] ?? e.recordType.replace(/_/g, ' ');
  const short = e.recordId ? e.recordId.slice(0, 8) : '';
  const to =
    e.recordType === 'concern' && e.recordId
      ? `/concerns/${e.recordId}`
      : e.recordType === 'referral' && e.recordId
        ? `/referrals/${e.recordId}`
        : e.recordType === 'case' && e.recordId
          ? `/cases/${e.recordId}`
          : null;
  const label = short ? `${name} ${short}` : name;
  return to ? <Link to={to}>{label}</Link> : label;
}

export function TrailTable({
  first,
  address,
  caption,
  total,
  empty,
}: {
  first: Page;
  /** The address of the first page (filters included), to which the cursor is added. */
  address: string;
  caption: string;
  /** Every entry matching, when the server counts them. */
  total?: number;
  empty: string;
}) {
  const [held, setHeld] = useState<Older | null>(null);
  const older: Older =
    held?.after === first ? held : { after: first, entries: [], next: first.nextCursor };
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [focusTo, setFocusTo] = useState<{ seq: number | null; n: number }>({ seq: null, n: 0 });
  const firstNew = useRef<HTMLTableRowElement>(null);
  const statusLine = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (focusTo.n === 0) return;
    (focusTo.seq === null ? statusLine.current : firstNew.current)?.focus();
  }, [focusTo]);

  const entries = [...first.entries, ...older.entries];
  const showOlder = async () => {
    if (busy || !older.next) return;
    setBusy(true);
    setProblem(null);
    try {
      const joiner = address.includes('?') ? '&' : '?';
      const page = await api<Page>(
        'GET',
        `${address}${joiner}cursor=${encodeURIComponent(older.next)}`,
      );
      setHeld({
        after: first,
        entries: [...older.entries, ...page.entries],
        next: page.nextCursor,
      });
      const added = page.entries[0];
      setFocusTo((f) => ({ seq: added ? added.seq : null, n: f.n + 1 }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) signedOut();
      else setProblem(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (entries.length === 0) {
    return (
      <p className="muted" role="status">
        {empty}
      </p>
    );
  }
  const count = (n: number) => n.toLocaleString('en-GB');
  return (
    <>
      <p role="status" className="muted" ref={statusLine} tabIndex={-1}>
        Showing {count(entries.length)}
        {total !== undefined ? ` of ${count(total)}` : ''}{' '}
        {entries.length === 1 && total === undefined ? 'entry' : 'entries'}
        {total === undefined && older.next ? ' (older entries follow)' : ''}
      </p>
      <div className="table-scroll" tabIndex={0} role="region" aria-label={caption}>
        <table className="table">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Record</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq} {...(focusTo.seq === e.seq ? { ref: firstNew, tabIndex: -1 } : {})}>
                <td>
                  <time dateTime={e.at}>{formatWhen(e.at)}</time>
                </td>
                <td>{e.who}</td>
                <td>{e.what}</td>
                <td>{recordCell(e)}</td>
                <td>{e.from ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {problem && (
        <p role="alert" className="message message-error">
          {problem}
        </p>
      )}
      {older.next && (
        <div className="actions">
          <Button onPress={() => void showOlder()} isPending={busy}>
            {busy ? 'Loading older entries…' : 'Show older entries'}
          </Button>
        </div>
      )}
    </>
  );
}
