// The managers' dashboard: a date range and team filter, the scorecard's figures as tiles (with the change from the
// period before), acceptance and breaches by AE as a table (and a bar chart where the browser draws on canvas), the
// hand-offs behind a number, and the CSV export. Failures show in a MessageBar. Gets its client through props.
// Imports React, Fluent UI, the report contract's types, ./reports-client types, the pane's error bar.
import { Suspense, lazy, useCallback, useEffect, useRef, useState } from 'react';
import {
  Button,
  Field,
  Input,
  Select,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { DrillDownDto, GroupReportDto, ReportDto, ReportFigure, ReportQuery } from '../../server/http/contract-reports';
import { ErrorBar } from '../taskpane/error-bar';
import type { ReportsClient } from './reports-client';

// Loaded on demand: chart.js is only fetched where a canvas can be drawn. The `as string` keeps TypeScript's nodenext
// resolution from asking for an extension that webpack and Jest resolve without (see addin/taskpane/app.tsx).
/* eslint-disable @typescript-eslint/no-unnecessary-type-assertion */
const AeChart = lazy(async () => ({ default: ((await import('./ae-chart' as string)) as typeof import('./ae-chart')).AeChart }));
/* eslint-enable @typescript-eslint/no-unnecessary-type-assertion */

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, padding: tokens.spacingHorizontalXL, maxWidth: '1200px' },
  filters: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: tokens.spacingHorizontalM },
  tiles: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))', gap: tokens.spacingHorizontalM, listStyleType: 'none', padding: 0, margin: 0 },
  tile: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    gap: tokens.spacingVerticalXS,
    width: '100%',
    height: '100%',
    padding: tokens.spacingHorizontalM,
    border: `1px solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
    textAlign: 'left',
  },
  value: { fontSize: tokens.fontSizeHero700, fontWeight: tokens.fontWeightSemibold, lineHeight: tokens.lineHeightHero700 },
  chart: { maxWidth: '800px', height: '320px' },
});

/** YYYY-MM-DD of a local date. */
export function isoDay(d: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The four whole weeks before today. */
export function defaultRange(today: Date): { from: string; to: string } {
  const end = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 28);
  return { from: isoDay(start), to: isoDay(end) };
}

const percent = (n: number | null): string => (n === null ? '–' : `${String(Math.round(n * 100))} %`);
const signed = (n: number | null, unit = ''): string => (n === null ? 'no earlier value' : `${n > 0 ? '+' : ''}${String(n)}${unit} on the period before`);

interface Tile {
  label: string;
  value: string;
  change: string;
  figure: ReportFigure | null;
}

function tilesOf(total: GroupReportDto): Tile[] {
  const c = total.current;
  const d = total.change;
  return [
    { label: 'Hand-offs', value: String(c.handoffs), change: signed(d.handoffs), figure: 'handoffs' },
    { label: 'Accepted within SLA', value: percent(c.acceptance.share), change: `${String(c.acceptance.withinSla)} of ${String(c.acceptance.settled)}; ${signed(d.acceptanceShare === null ? null : Math.round(d.acceptanceShare * 100), ' pts')}`, figure: 'accepted_within_sla' },
    { label: 'Median time to accept', value: c.acceptance.medianHoursToAccept === null ? '–' : `${String(c.acceptance.medianHoursToAccept)} h`, change: signed(d.medianHoursToAccept, ' h'), figure: null },
    { label: 'Breaches', value: String(c.breaches), change: signed(d.breaches), figure: 'breaches' },
    { label: 'Meetings held', value: String(c.meetings.held), change: signed(d.meetingsHeld), figure: 'meetings_held' },
    { label: 'No-shows', value: String(c.meetings.noShow), change: `${String(c.meetings.fellThrough)} fell through in all`, figure: 'no_show' },
    { label: 'Rescheduled', value: String(c.meetings.rescheduled), change: `${String(c.meetings.cancelled)} cancelled`, figure: 'rescheduled' },
    { label: 'Sales Qualified', value: String(c.conversion.salesQualified), change: `conversion ${percent(c.conversion.rate)}; ${signed(d.successes)}`, figure: 'sales_qualified' },
    { label: 'Handed back', value: String(c.conversion.handedBack), change: signed(d.handedBack), figure: 'handed_back' },
    { label: 'Leads with missing data', value: String(c.missingData.withGaps), change: `of ${String(c.missingData.leads)} handed off`, figure: 'missing_data' },
    { label: 'Without a future follow-up', value: String(c.withoutFollowup), change: signed(d.withoutFollowup), figure: 'without_followup' },
    { label: 'Cycle time (median)', value: c.cycleTime.medianDays === null ? '–' : `${String(c.cycleTime.medianDays)} days`, change: signed(d.cycleMedianDays, ' days'), figure: null },
  ];
}

/** True when this browser draws on a 2D canvas (not in jsdom, nor where canvas is blocked). */
export function canvasWorks(): boolean {
  try {
    return typeof document !== 'undefined' && document.createElement('canvas').getContext('2d') !== null;
  } catch {
    return false;
  }
}

export interface DashboardProps {
  client: ReportsClient;
  /** Today (tests pass a fixed day). */
  today?: Date;
  /** Saves the CSV; by default the browser downloads it. */
  save?: (blob: Blob, fileName: string) => void;
  /** Whether to draw the chart; by default when a canvas works. */
  drawChart?: boolean;
}

function saveInBrowser(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 0);
}

interface Drill {
  title: string;
  result: DrillDownDto;
}

const figureTitles: Record<ReportFigure, string> = {
  handoffs: 'Hand-offs',
  accepted_within_sla: 'Accepted within SLA',
  accepted_late: 'Accepted late',
  breaches: 'Breaches',
  meetings_held: 'Meetings held',
  no_show: 'No-shows',
  cancelled: 'Cancelled meetings',
  rescheduled: 'Rescheduled',
  sales_qualified: 'Sales Qualified',
  handed_back: 'Handed back',
  missing_data: 'Leads with missing data',
  without_followup: 'Without a future follow-up',
};

export function Dashboard({ client, today = new Date(), save = saveInBrowser, drawChart }: DashboardProps): React.JSX.Element {
  const styles = useStyles();
  const [range] = useState(() => defaultRange(today));
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const [teamId, setTeamId] = useState('');
  const [query, setQuery] = useState<ReportQuery>({ from: range.from, to: range.to });
  const [report, setReport] = useState<ReportDto | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [drill, setDrill] = useState<Drill | null>(null);
  const [exporting, setExporting] = useState(false);
  const [showChart] = useState(() => drawChart ?? canvasWorks());
  const drillHeading = useRef<HTMLHeadingElement>(null);

  const load = useCallback(
    async (q: ReportQuery) => {
      setLoading(true);
      setError(null);
      try {
        setReport(await client.report(q));
      } catch (e) {
        setError(e);
      } finally {
        setLoading(false);
      }
    },
    [client],
  );

  useEffect(() => {
    void load(query);
  }, [load, query]);

  useEffect(() => {
    if (drill !== null) drillHeading.current?.focus();
  }, [drill]);

  const apply = (event: React.SyntheticEvent): void => {
    event.preventDefault();
    setDrill(null);
    setQuery(teamId === '' ? { from, to } : { from, to, teamId });
  };

  const showBehind = async (figure: ReportFigure, who: { label?: string; sdrId?: string; aeId?: string } = {}): Promise<void> => {
    setError(null);
    try {
      const result = await client.drillDown({ ...query, figure, ...(who.sdrId === undefined ? {} : { sdrId: who.sdrId }), ...(who.aeId === undefined ? {} : { aeId: who.aeId }) });
      setDrill({ title: who.label === undefined ? figureTitles[figure] : `${figureTitles[figure]}: ${who.label}`, result });
    } catch (e) {
      setError(e);
    }
  };

  const exportCsv = async (): Promise<void> => {
    setExporting(true);
    setError(null);
    try {
      const blob = await client.exportCsv(query);
      save(blob, `baton-report-${query.from}-${query.to}.csv`);
    } catch (e) {
      setError(e);
    } finally {
      setExporting(false);
    }
  };

  return (
    <main className={styles.page}>
      <Text as="h1" size={700} weight="semibold">
        Hand-off scorecard
      </Text>
      <form className={styles.filters} onSubmit={apply} aria-label="Report filters">
        <Field label="From">
          <Input type="date" value={from} onChange={(_e, d) => { setFrom(d.value); }} required />
        </Field>
        <Field label="To">
          <Input type="date" value={to} onChange={(_e, d) => { setTo(d.value); }} required />
        </Field>
        <Field label="Team">
          <Select value={teamId} onChange={(_e, d) => { setTeamId(d.value); }}>
            <option value="">{report !== null && report.selectable.length > 1 ? 'All my teams' : 'My team'}</option>
            {(report?.selectable ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </Select>
        </Field>
        <Button type="submit" appearance="primary" disabled={loading}>
          Show
        </Button>
        <Button type="button" onClick={() => void exportCsv()} disabled={exporting || report === null}>
          {exporting ? 'Exporting…' : 'Export CSV'}
        </Button>
      </form>

      {error !== null && <ErrorBar error={error} title={errorTitle(error)} onRetry={() => void load(query)} />}
      {loading && <Spinner size="small" label="Loading the report…" />}

      {report !== null && (
        <>
          <Text as="p">
            {report.teams.map((t) => t.name).join(', ')} · {query.from} to {query.to} ({report.timeZone})
          </Text>
          <section aria-labelledby="figures-heading">
            <Text as="h2" id="figures-heading" size={500} weight="semibold">
              Figures
            </Text>
            <ul className={styles.tiles}>
              {tilesOf(report.total).map((tile) => (
                <li key={tile.label}>
                  <TileView tile={tile} className={styles.tile} valueClass={styles.value} onOpen={tile.figure === null ? null : () => void showBehind(tile.figure as ReportFigure)} />
                </li>
              ))}
            </ul>
          </section>

          <section aria-labelledby="by-ae-heading">
            <Text as="h2" id="by-ae-heading" size={500} weight="semibold">
              Acceptance and breaches by AE
            </Text>
            {showChart && report.byAe.length > 0 && (
              <div className={styles.chart} aria-hidden="true">
                <Suspense fallback={<Spinner size="tiny" />}>
                  <AeChart rows={report.byAe} />
                </Suspense>
              </div>
            )}
            <ByAeTable rows={report.byAe} onBreaches={(row) => void showBehind('breaches', { label: row.label, ...(row.aeId === null ? {} : { aeId: row.aeId }) })} />
          </section>

          {report.total.current.handBackReasons.length > 0 && (
            <section aria-labelledby="reasons-heading">
              <Text as="h2" id="reasons-heading" size={500} weight="semibold">
                Hand-back reasons
              </Text>
              <ul>
                {report.total.current.handBackReasons.map((r) => (
                  <li key={r.code}>
                    {r.label}: {r.count}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}

      {drill !== null && (
        <section aria-labelledby="drill-heading">
          <h2 id="drill-heading" ref={drillHeading} tabIndex={-1}>
            {drill.title} ({drill.result.total} {drill.result.total === 1 ? 'hand-off' : 'hand-offs'})
          </h2>
          {drill.result.items.length === 0 ? (
            <Text>No hand-offs behind this number.</Text>
          ) : (
            <Table aria-label={`Hand-offs behind ${drill.title}`} size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Contact</TableHeaderCell>
                  <TableHeaderCell>Company</TableHeaderCell>
                  <TableHeaderCell>SDR</TableHeaderCell>
                  <TableHeaderCell>AE</TableHeaderCell>
                  <TableHeaderCell>Started</TableHeaderCell>
                  <TableHeaderCell>Stage</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {drill.result.items.map((h) => (
                  <TableRow key={h.id}>
                    <TableCell>{h.contactName}</TableCell>
                    <TableCell>{h.companyName}</TableCell>
                    <TableCell>{h.sdrName}</TableCell>
                    <TableCell>{h.aeName}</TableCell>
                    <TableCell>{h.startedAt.slice(0, 10)}</TableCell>
                    <TableCell>
                      {h.outcome === null ? h.stage.replace(/_/g, ' ') : h.outcome === 'hand_back' ? 'handed back' : h.outcome.replace(/_/g, ' ')}
                      {(h.slaPausedMs ?? 0) > 0 ? ` (SLA paused ${((h.slaPausedMs ?? 0) / 3_600_000).toFixed(1)} h: AE away)` : ''}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          {drill.result.total > drill.result.items.length && <Text>The first {drill.result.items.length} are listed.</Text>}
        </section>
      )}
    </main>
  );
}

function errorTitle(error: unknown): string | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return status === 403 ? 'Not allowed' : undefined;
}

function TileView({ tile, className, valueClass, onOpen }: { tile: Tile; className: string; valueClass: string; onOpen: (() => void) | null }): React.JSX.Element {
  const body = (
    <>
      <Text weight="semibold">{tile.label}</Text>
      <span className={valueClass}>{tile.value}</span>
      <Text size={200}>{tile.change}</Text>
    </>
  );
  if (onOpen === null) return <div className={className}>{body}</div>;
  return (
    <Button className={className} appearance="outline" onClick={onOpen} aria-label={`${tile.label}: ${tile.value}. Show the hand-offs behind it`}>
      {body}
    </Button>
  );
}

function ByAeTable({ rows, onBreaches }: { rows: readonly GroupReportDto[]; onBreaches: (row: GroupReportDto) => void }): React.JSX.Element {
  if (rows.length === 0) return <Text>No hand-offs in this range.</Text>;
  return (
    <Table aria-label="Acceptance and breaches by AE" size="small">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>AE</TableHeaderCell>
          <TableHeaderCell>Hand-offs</TableHeaderCell>
          <TableHeaderCell>Accepted within SLA</TableHeaderCell>
          <TableHeaderCell>Accepted late</TableHeaderCell>
          <TableHeaderCell>Breaches</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((r) => (
          <TableRow key={r.aeId ?? r.label}>
            <TableCell>{r.label}</TableCell>
            <TableCell>{r.current.handoffs}</TableCell>
            <TableCell>
              {r.current.acceptance.withinSla} ({percent(r.current.acceptance.share)})
            </TableCell>
            <TableCell>{r.current.acceptance.settled - r.current.acceptance.withinSla}</TableCell>
            <TableCell>
              <Button appearance="transparent" size="small" onClick={() => { onBreaches(r); }} aria-label={`${String(r.current.breaches)} breaches of ${r.label}: show the hand-offs`}>
                {r.current.breaches}
              </Button>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
