// The audit trail of concerns about adults (issue 19), for their case managers: who did what to
// which matter, for the matters the reader may read only (never those naming them).
import { Link } from 'react-router';
import { useLoad } from '../../lib/useLoad.ts';
import { formatWhen } from '../../lib/format.ts';
import type { AuditList } from '../../../../src/shared/schemas/staff-concerns.ts';
import { AreaPage } from './AreaPage.tsx';
import { ACTION_NAMES } from './words.ts';

export function StaffConcernAuditPage() {
  const trail = useLoad<AuditList>('/api/staff-concerns/audit');
  return (
    <AreaPage title="Audit of concerns about adults" state={trail}>
      {(a) =>
        a.items.length === 0 ? (
          <p>Nothing has been recorded yet.</p>
        ) : (
          <table className="table">
            <caption className="visually-hidden">Audit entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Matter</th>
              </tr>
            </thead>
            <tbody>
              {a.items.map((e, i) => (
                <tr key={`${e.at}-${i}`}>
                  <td>{formatWhen(e.at)}</td>
                  <td>{e.actor}</td>
                  <td>{ACTION_NAMES[e.action] ?? e.action}</td>
                  <td>
                    {e.matterId &&
                      (e.destroyed ? (
                        `Matter ${e.matterId.slice(0, 8)} (destroyed)`
                      ) : (
                        <Link to={`/staff-concerns/${e.matterId}`}>
                          Matter {e.matterId.slice(0, 8)}
                        </Link>
                      ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    </AreaPage>
  );
}
