// A report table's chart, drawn by Recharts from the same numbers as the table beside it (the
// table is the accessible, exact form; the chart is the picture). Recharts' accessibility layer
// lets a keyboard user move through the bars or points with the arrow keys and hear each value;
// the figure also carries a one-line description for screen readers. One dark blue (7:1 against
// white) for every mark, so no meaning rests on telling colours apart.
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ReportTable } from '../../../../src/shared/schemas/reports.ts';

const INK = '#1e3a8a';
const AXIS = '#374151';

export function ReportChart({ table }: { table: ReportTable }) {
  const series = table.columns[1] ?? '';
  const data = table.rows.map((r) => ({ label: r.label, value: r.values[0] ?? 0 }));
  const summary = `${table.chart === 'line' ? 'Line' : 'Bar'} chart of ${table.title.toLowerCase()}: ${data
    .map((d) => `${d.label} ${d.value}`)
    .join(', ')}.`;
  const axes = (
    <>
      <CartesianGrid stroke="#d1d5db" vertical={false} />
      <XAxis dataKey="label" tick={{ fill: AXIS, fontSize: 12 }} interval="preserveStartEnd" />
      <YAxis allowDecimals={false} tick={{ fill: AXIS, fontSize: 12 }} width={40} />
      <Tooltip />
    </>
  );
  return (
    <figure className="report-chart" aria-label={summary}>
      <ResponsiveContainer width="100%" height={240}>
        {table.chart === 'line' ? (
          <LineChart data={data} accessibilityLayer>
            {axes}
            <Line type="monotone" dataKey="value" name={series} stroke={INK} strokeWidth={2} />
          </LineChart>
        ) : (
          <BarChart data={data} accessibilityLayer>
            {axes}
            <Bar dataKey="value" name={series} fill={INK} />
          </BarChart>
        )}
      </ResponsiveContainer>
    </figure>
  );
}
