// Prints how long renderChronologyPdf takes for a pupil with 2,000 entries (issue 4's scenario).
// Run: node bench/chronology-pdf-render.ts (the renderer alone, no database or HTTP)
import { renderChronologyPdf, type ChronologyPdfEntry } from '../src/features/chronology/pdf.ts';

const ENTRIES = 2000;
const RUNS = 10;

const entries: ChronologyPdfEntry[] = Array.from({ length: ENTRIES }, (_, i) => ({
  happenedAt: new Date(Date.UTC(2020, 0, 1) + i * 7_200_000),
  kind: ['Concern', 'Action', 'Referral', 'Conversation'][i % 4] ?? 'Concern',
  title: `Entry ${i + 1}`,
  categories: ['Child protection', 'Neglect'],
  // About 600 characters, a typical concern.
  text: 'Child arrived without a coat and said there was no food at home last night. '.repeat(8),
  author: 'Ms A Teacher',
}));

const input = {
  schoolName: 'Oakfield Primary School',
  pupilName: 'Amelia Hart',
  exportedBy: 'Jo Bloggs',
  exportedAt: new Date(),
  entries,
};

await renderChronologyPdf(input); // warm up
const times: number[] = [];
let bytes = 0;
for (let i = 0; i < RUNS; i++) {
  const start = performance.now();
  bytes = (await renderChronologyPdf(input)).length;
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const pct = (p: number): string =>
  (times[Math.min(RUNS - 1, Math.floor(p * RUNS))] ?? 0).toFixed(0);
console.log(
  `chronology PDF, ${ENTRIES} entries: p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, ` +
    `${(bytes / 1024 / 1024).toFixed(2)} MB (${RUNS} runs)`,
);
