// One gathered item on the subject-access workbench (issue 17): its text with the redacted spans
// shown struck through and labelled with their reason, the people suggested for redaction, the
// include/exclude decision with its reason, and the form that redacts a span (text chosen by
// selecting it in the item, by a suggestion, or typed) with its reason and, for a third party,
// the ICO's three questions. The server refuses a redaction without a reason; nothing typed is lost.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Checkbox, RadioGroup, Select } from '../../ui/Field.tsx';
import { Button, SubmitButton } from '../../ui/Button.tsx';
import {
  EXCLUDE_REASONS,
  INCLUDE_REASONS,
  ITEM_REASON_NAMES,
  REDACTION_REASON_NAMES,
  REDACTION_REASONS,
  type Item,
  type ItemReason,
  type RedactionReason,
} from '../../../../src/shared/schemas/subject-access.ts';
import { formatDay } from './words.ts';

const FOUND_AS_NAMES: Record<Item['foundAs'], string> = {
  pupil: 'about the pupil',
  linked_pupil: 'the pupil is linked',
  contact: 'the pupil’s contacts',
  named: 'named in the text',
  mis: 'from the MIS',
  alert: 'an alert',
  audit: 'the audit trail',
  attachment: 'an attachment',
  requester: 'the requester’s own data',
};

type Span = Item['redactions'][number];

/**
 * The text from `from` to `to`, its redacted spans struck through and labelled. Each run of the
 * record's own text carries its offset (`data-at`), so a selection is placed exactly: choosing the
 * second of two "Jordan"s redacts the second, not the first.
 */
function Range({
  text,
  from,
  to,
  spans,
}: {
  text: string;
  from: number;
  to: number;
  spans: Span[];
}) {
  const parts: React.ReactNode[] = [];
  let at = from;
  for (const r of spans) {
    if (r.end <= from || r.start >= to || r.start < at) continue;
    if (r.start > at)
      parts.push(
        <span key={`t${at}`} data-at={at}>
          {text.slice(at, r.start)}
        </span>,
      );
    const end = Math.min(r.end, to);
    parts.push(
      <del key={r.id}>
        <span data-at={r.start}>{text.slice(r.start, end)}</span>
        <span className="hint"> [redacted: {REDACTION_REASON_NAMES[r.reason]}]</span>
      </del>,
    );
    at = end;
  }
  if (at < to)
    parts.push(
      <span key={`t${at}`} data-at={at}>
        {text.slice(at, to)}
      </span>,
    );
  return <>{parts}</>;
}

/** The item's text (or its table: the audit log), redactions marked. */
function Marked({ item }: { item: Item }) {
  const spans = [...item.redactions].filter((r) => !r.stale).sort((a, b) => a.start - b.start);
  if (!item.columns)
    return (
      <p className="item-text">
        <Range text={item.text} from={0} to={item.text.length} spans={spans} />
      </p>
    );
  // Each line a row, each tab-separated cell a cell, each keeping its offsets into the text.
  const rows: [number, number][][] = [];
  let at = 0;
  for (const line of item.text === '' ? [] : item.text.split('\n')) {
    const cells: [number, number][] = [];
    let c = at;
    for (const cell of line.split('\t')) {
      cells.push([c, c + cell.length]);
      c += cell.length + 1;
    }
    rows.push(cells);
    at += line.length + 1;
  }
  return (
    <div className="table-scroll" role="region" aria-label={item.title} tabIndex={0}>
      <table>
        <caption className="visually-hidden">{item.title}</caption>
        <thead>
          <tr>
            {item.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((cells, i) => (
            <tr key={i}>
              {cells.map(([from, to]) => (
                <td key={from}>
                  <Range text={item.text} from={from} to={to} spans={spans} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Where a selection starts and ends in the item's text, when both ends stand in its own text. */
function placeOf(sel: Selection | null): { start: number; end: number } | null {
  if (!sel || sel.rangeCount === 0) return null;
  const r = sel.getRangeAt(0);
  const at = (node: Node, offset: number) => {
    if (node.nodeType !== Node.TEXT_NODE) return null;
    const host = node.parentElement;
    const base = host?.dataset.at;
    return base === undefined ? null : Number(base) + offset;
  };
  const start = at(r.startContainer, r.startOffset);
  const end = at(r.endContainer, r.endOffset);
  return start === null || end === null || end <= start ? null : { start, end };
}

type YesNo = '' | 'yes' | 'no';
const YES_NO = [
  ['yes', 'Yes'],
  ['no', 'No'],
] as const;

export function SarItem(p: {
  url: string;
  item: Item;
  n: number;
  mayEdit: boolean;
  onDone: () => void;
}) {
  const { item } = p;
  const [span, setSpan] = useState('');
  const [start, setStart] = useState<number | null>(null);
  const [reason, setReason] = useState<RedactionReason | ''>('');
  const [canRedact, setCanRedact] = useState<YesNo>('');
  const [consent, setConsent] = useState<YesNo>('');
  const [reasonable, setReasonable] = useState<YesNo>('');
  const [everywhere, setEverywhere] = useState(false);
  const [decision, setDecision] = useState<ItemReason>(item.reason);
  const redactSubmit = useSubmit<'span'>();
  const decideSubmit = useSubmit();
  const choose = (text: string, at: number | null) => {
    setSpan(text);
    setStart(at);
  };
  const redact = async () => {
    const chosen = start !== null && item.text.slice(start, start + span.length) === span;
    const at = chosen ? start : item.text.indexOf(span);
    if (!span || at < 0) {
      redactSubmit.invalid({ span: 'Choose text that stands in this item.' });
      return;
    }
    // Typed words that stand more than once: which one is meant is not known, so ask.
    if (!chosen && !everywhere && item.text.indexOf(span, at + 1) >= 0) {
      redactSubmit.invalid({
        span: 'These words stand more than once in this item: select the one to redact in the text above, or redact them everywhere.',
      });
      return;
    }
    const yes = (v: YesNo) => (v === '' ? undefined : v === 'yes');
    await api('POST', `${p.url}/items/${item.id}/redactions`, {
      start: at,
      end: at + span.length,
      text: span,
      ...(reason ? { reason } : {}),
      ...(reason === 'third_party'
        ? { canRedact: yes(canRedact), consent: yes(consent), reasonable: yes(reasonable) }
        : {}),
      ...(everywhere ? { everywhere: true } : {}),
    });
    choose('', null);
    p.onDone();
    return 'Redacted.';
  };
  const decide = async () => {
    await api('PATCH', `${p.url}/items/${item.id}`, {
      included: (INCLUDE_REASONS as readonly string[]).includes(decision),
      reason: decision,
    });
    p.onDone();
    return 'Saved.';
  };
  // A refusal (a closed request, a redaction already gone) is shown, not swallowed.
  const [removeError, setRemoveError] = useState<string | null>(null);
  const remove = async (id: string) => {
    setRemoveError(null);
    try {
      await api('POST', `${p.url}/redactions/${id}/remove`);
      p.onDone();
    } catch (e) {
      setRemoveError(e instanceof Error ? e.message : 'The redaction could not be removed.');
    }
  };
  const title = `${p.n}. ${item.title}`;
  return (
    <article className="card stack-tight" aria-label={title}>
      <h3>{title}</h3>
      <p className="hint">
        {formatDay(item.happenedAt.slice(0, 10))} · {FOUND_AS_NAMES[item.foundAs]}
        {item.role ? ` (${item.role})` : ''}
        {item.author ? ` · by ${item.author}` : ''} ·{' '}
        {item.included ? 'Included' : `Excluded: ${ITEM_REASON_NAMES[item.reason]}`}
      </p>
      {item.heldBack && (
        <p className="hint">Only the DSL team can read and decide on this record.</p>
      )}
      <div
        onMouseUp={() => {
          const sel = window.getSelection();
          const place = placeOf(sel);
          if (place) choose(item.text.slice(place.start, place.end), place.start);
          else {
            const s = sel?.toString() ?? '';
            if (s.trim()) choose(s, null);
          }
        }}
      >
        <Marked item={item} />
      </div>
      {item.redactions.length > 0 && (
        <ul>
          {item.redactions.map((r) => (
            <li key={r.id}>
              {r.stale ? 'Stale (the record changed): ' : ''}“{item.text.slice(r.start, r.end)}” —{' '}
              {REDACTION_REASON_NAMES[r.reason]}, by {r.by}
              {r.elsewhere > 0 && (
                <strong>
                  {' '}
                  These words appear {r.elsewhere} more {r.elsewhere === 1 ? 'time' : 'times'}{' '}
                  unredacted in the included items.
                </strong>
              )}{' '}
              {p.mayEdit && (
                <Button onPress={() => void remove(r.id)}>Remove this redaction</Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {removeError && (
        <p className="message message-error" role="alert">
          {removeError}
        </p>
      )}
      {p.mayEdit && !item.heldBack && (
        <>
          <Form
            submit={decideSubmit}
            onSubmit={decide}
            className="stack-tight"
            aria-label={`Decide on item ${p.n}`}
          >
            <Select
              name="decision"
              label="Include or exclude"
              value={decision}
              onChange={(v) => setDecision(v as ItemReason)}
            >
              <optgroup label="Include">
                {INCLUDE_REASONS.map((r) => (
                  <option key={r} value={r}>
                    {ITEM_REASON_NAMES[r]}
                  </option>
                ))}
              </optgroup>
              <optgroup label="Exclude">
                {EXCLUDE_REASONS.map((r) => (
                  <option key={r} value={r}>
                    {ITEM_REASON_NAMES[r]}
                  </option>
                ))}
              </optgroup>
            </Select>
            <FormError />
            <FormStatus />
            <div className="actions">
              <SubmitButton variant="secondary">Save decision</SubmitButton>
            </div>
          </Form>
          {item.included && (
            <Form
              submit={redactSubmit}
              onSubmit={redact}
              className="stack-tight"
              aria-label={`Redact in item ${p.n}`}
            >
              {item.suggestions.length > 0 && (
                <p>
                  Suggested:{' '}
                  {item.suggestions.map((s) => (
                    <Button
                      key={`${s.start}`}
                      onPress={() => choose(item.text.slice(s.start, s.end), s.start)}
                    >
                      {`Choose “${item.text.slice(s.start, s.end)}” (${s.kind}${s.role ? `, ${s.role}` : ''})`}
                    </Button>
                  ))}
                </p>
              )}
              <TextField
                name="span"
                label="Text to redact"
                hint="Select text in the item above, choose a suggestion, or type it exactly."
                maxLength={4000}
                value={span}
                onChange={(v) => choose(v, null)}
              />
              <Select
                name="reason"
                label="Reason"
                value={reason}
                onChange={(v) =>
                  setReason(
                    (REDACTION_REASONS as readonly string[]).includes(v)
                      ? (v as RedactionReason)
                      : '',
                  )
                }
              >
                <option value="">Choose a reason</option>
                {REDACTION_REASONS.map((r) => (
                  <option key={r} value={r}>
                    {REDACTION_REASON_NAMES[r]}
                  </option>
                ))}
              </Select>
              {reason === 'third_party' && (
                <>
                  <RadioGroup
                    legend="Can the information be redacted (rather than withheld whole)?"
                    value={canRedact}
                    onChange={setCanRedact}
                    options={YES_NO}
                  />
                  <RadioGroup
                    legend="Has the third party consented to disclosure?"
                    value={consent}
                    onChange={setConsent}
                    options={YES_NO}
                  />
                  <RadioGroup
                    legend="Is disclosure reasonable without their consent?"
                    value={reasonable}
                    onChange={setReasonable}
                    options={YES_NO}
                  />
                </>
              )}
              <Checkbox checked={everywhere} onChange={setEverywhere}>
                Redact these words everywhere they appear in the included items
              </Checkbox>
              <FormError />
              <FormStatus />
              <div className="actions">
                <SubmitButton>Redact</SubmitButton>
              </div>
            </Form>
          )}
        </>
      )}
    </article>
  );
}
