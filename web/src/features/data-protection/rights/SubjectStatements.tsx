// The data subject's statements attached to a record (rectification, issue 17): shown with the
// record to whoever may read it, beneath its own text, which is never rewritten.
import type { SubjectStatement } from '../../../../../src/shared/schemas/dp-rights.ts';
import { formatDay } from '../words.ts';

export function SubjectStatements({ items }: { items: readonly SubjectStatement[] | undefined }) {
  if (!items || items.length === 0) return null;
  return (
    <section aria-labelledby="subject-statements">
      <h2 id="subject-statements">The subject&apos;s statement</h2>
      <p>
        The person this record is about disputes it. Their statement is attached; the record above
        is as it was written.
      </p>
      {items.map((s) => (
        <blockquote key={s.recordedAt + s.statement.slice(0, 8)} className="entry-text">
          <p>{s.statement}</p>
          <footer>Attached on {formatDay(s.recordedAt.slice(0, 10))}</footer>
        </blockquote>
      ))}
    </section>
  );
}
