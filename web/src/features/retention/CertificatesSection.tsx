// Certificates of destruction (issue 15): one per destroyed batch, newest first, each with who
// destroyed how many records when, the batch's SHA-256, and a link to download it as a PDF.
// Listing and downloading are audited by the server.
import { formatWhen } from '../../lib/format.ts';
import type { CertificateList } from '../../../../src/shared/schemas/retention.ts';

export function CertificatesSection({ certificates }: { certificates: CertificateList }) {
  return (
    <section aria-labelledby="certificates-heading" className="section">
      <h2 id="certificates-heading">Certificates of destruction</h2>
      {certificates.items.length === 0 ? (
        <p>No record has been destroyed.</p>
      ) : (
        <ul className="retention-holds">
          {certificates.items.map((c) => {
            const what = `${c.records === 1 ? '1 record' : `${c.records} records`} destroyed on ${formatWhen(c.destroyedAt)}`;
            return (
              <li key={c.id} className="card stack-tight">
                <h3>{what}</h3>
                <p className="retention-hold-meta">
                  By {c.destroyedBy}. SHA-256 of the batch:{' '}
                  <code className="retention-digest">{c.sha256}</code>
                </p>
                <p className="retention-hold-meta">
                  <a
                    href={`/api/retention/certificates/${encodeURIComponent(c.id)}/pdf`}
                    download
                    aria-label={`Download the certificate (PDF): ${what}`}
                  >
                    Download the certificate (PDF)
                  </a>
                </p>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
