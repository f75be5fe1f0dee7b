// The patterns review of concerns about adults (issue 19, KCSIE): low-level concerns per person
// over 12 rolling months, with a prompt to reconsider the threshold at the school's number, or
// when enough share one theme; and the counts per theme with no names, for a review of the code
// of conduct. The server lists only matters the reader may read.
import { useLoad } from '../../lib/useLoad.ts';
import { formatDay } from '../../lib/format.ts';
import type { PatternReview } from '../../../../src/shared/schemas/staff-concerns.ts';
import { AreaPage } from './AreaPage.tsx';

export function PatternsReviewPage() {
  const review = useLoad<PatternReview>('/api/staff-concerns/patterns');
  return (
    <AreaPage title="Patterns review" state={review}>
      {(r) => (
        <>
          <p>
            Low-level concerns since {formatDay(r.since)}. A person with {r.threshold} or more, or{' '}
            {r.sameThemeThreshold} or more with the same theme, prompts you to reconsider whether
            the harm threshold is met.
          </p>
          <section aria-labelledby="people-heading" className="section">
            <h2 id="people-heading">By person</h2>
            {r.items.length === 0 ? (
              <p>No low-level concerns in the last 12 months.</p>
            ) : (
              <table className="table">
                <caption className="visually-hidden">Low-level concerns by person</caption>
                <thead>
                  <tr>
                    <th scope="col">Person</th>
                    <th scope="col">Concerns</th>
                    <th scope="col">Review</th>
                  </tr>
                </thead>
                <tbody>
                  {r.items.map((p) => (
                    <tr key={p.subjectUserId}>
                      <th scope="row">{p.subjectName}</th>
                      <td>{p.count}</td>
                      <td>
                        {p.reason === 'count'
                          ? 'Reconsider the threshold: too many concerns'
                          : p.reason === 'same_theme'
                            ? `Reconsider the threshold: repeated theme (${p.sameTheme ?? ''})`
                            : 'No prompt'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="themes-heading" className="section">
            <h2 id="themes-heading">By theme, for the code of conduct</h2>
            {r.themeCounts.length === 0 ? (
              <p>No themed low-level concerns in the last 12 months.</p>
            ) : (
              <ul aria-label="Themes">
                {r.themeCounts.map((c) => (
                  <li key={c.theme}>
                    {c.theme}: {c.count}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </AreaPage>
  );
}
