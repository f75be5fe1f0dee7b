// Certificates of destruction (issue 15): listed and downloaded as a PDF by the retention
// deciders and the DPO (the route asks the `retention` ability), each listing and download
// audited. A certificate holds no record content: ids, kinds, pseudonymous subject references
// (so the same pupil is recognisable across certificates, and not identifiable from them), the
// rule, approvers by member id with their dates, the method and the batch's SHA-256. The PDF is
// drawn with the chronology's PDF writer (features/chronology/pdf.ts).
import type { Tx } from '../../core/context.ts';
import type { CertificateSummary } from '../../shared/schemas/retention.ts';
import { renderChronologyPdf, type ChronologyPdfEntry } from '../chronology/pdf.ts';
import { noCertificate, readCertificate, type CertificateBody } from './destroy.ts';

export async function listCertificates(t: Tx): Promise<CertificateSummary[]> {
  const rows = await t.q<{
    id: string;
    destroyed_at: Date;
    name: string | null;
    records: number;
    sha256: string;
  }>(
    `SELECT c.id, c.destroyed_at, u.name, c.records, c.sha256
     FROM retention_certificates c LEFT JOIN users u ON u.id = c.destroyed_by
     ORDER BY c.destroyed_at DESC, c.id LIMIT 500`,
  );
  await t.audit({ action: 'retention.certificates_viewed', details: { count: rows.length } });
  return rows.map((r) => ({
    id: r.id,
    destroyedAt: r.destroyed_at.toISOString(),
    destroyedBy: r.name ?? 'Unknown',
    records: r.records,
    sha256: r.sha256,
  }));
}

const CAPACITY: Record<
  CertificateBody['records'][number]['approvals'][number]['capacity'],
  string
> = { dsl_team: 'DSL team', headteacher: 'headteacher', dpo: 'data-protection officer' };

/** The certificate as a PDF: the batch first (method, digest), then one entry per record. */
export async function certificatePdf(t: Tx, id: string): Promise<Buffer> {
  const [row] = await t.q<{ body: string; sha256: string; school: string; by: string | null }>(
    `SELECT c.body, c.sha256, s.name AS school, u.name AS by
     FROM retention_certificates c JOIN schools s ON s.id = c.school_id
     LEFT JOIN users u ON u.id = c.destroyed_by WHERE c.id = $1`,
    [id],
  );
  if (!row) throw noCertificate();
  const cert = readCertificate(row);
  await t.audit({
    action: 'retention.certificate_downloaded',
    targetType: 'retention_certificate',
    targetId: id,
    details: { certificate: id },
  });
  const at = new Date(cert.destroyedAt);
  const batch: ChronologyPdfEntry = {
    happenedAt: at,
    kind: 'Batch',
    title: `certificate ${cert.certificate}`,
    categories: [],
    author: `${row.by ?? 'Unknown'} (member ${cert.destroyedBy})`,
    text: [
      `Records destroyed: ${cert.records.length}`,
      `Method: ${cert.method}`,
      `SHA-256 of the batch's canonical JSON: ${row.sha256}`,
      'Subjects are pseudonymous: an HMAC of the pupil id under a key of this school.',
    ].join('\n'),
  };
  const entries = cert.records.map((r): ChronologyPdfEntry => ({
    happenedAt: at,
    kind: 'Record',
    title: r.record,
    categories: [r.kind],
    author: 'destroyed',
    text: [
      `Review ${r.review}; due ${r.dueOn}`,
      `Rule: ${r.rule.kind}, ${r.rule.trigger} + ${r.rule.years} years, then ${r.rule.action}`,
      `Subjects: ${r.subjects.join(', ') || 'none'}`,
      ...r.approvals.map(
        (a) => `Approved by member ${a.approver} (${CAPACITY[a.capacity]}) on ${a.at}`,
      ),
    ].join('\n'),
  }));
  return renderChronologyPdf({
    schoolName: row.school,
    pupilName: '',
    title: 'Certificate of destruction',
    unit: { one: 'record destroyed', many: 'records destroyed' },
    exportedBy: t.actor.name,
    exportedAt: t.now,
    total: cert.records.length,
    entries: [batch, ...entries],
  });
}
