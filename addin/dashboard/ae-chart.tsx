// The dashboard's bar chart: acceptance within the SLA, late acceptance and breaches per AE, drawn with chart.js.
// Loaded on demand, only where a canvas works; the same numbers are always in the table beside it.
// Imports React, chart.js, react-chartjs-2 and the report contract's types.
import { BarElement, CategoryScale, Chart as ChartJS, Legend, LinearScale, Tooltip } from 'chart.js';
import { Bar } from 'react-chartjs-2';
import type { GroupReportDto } from '../../server/http/contract-reports';

ChartJS.register(CategoryScale, LinearScale, BarElement, Legend, Tooltip);

export function AeChart({ rows }: { rows: readonly GroupReportDto[] }): React.JSX.Element {
  const data = {
    labels: rows.map((r) => r.label),
    datasets: [
      { label: 'Accepted within SLA', data: rows.map((r) => r.current.acceptance.withinSla), backgroundColor: '#107c10' },
      { label: 'Accepted late', data: rows.map((r) => r.current.acceptance.settled - r.current.acceptance.withinSla), backgroundColor: '#ca5010' },
      { label: 'Breaches', data: rows.map((r) => r.current.breaches), backgroundColor: '#c50f1f' },
    ],
  };
  return <Bar data={data} options={{ responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }} />;
}
