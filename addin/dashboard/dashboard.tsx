// The managers' dashboard: a date range and team filter, the scorecard's figures as tiles (with the change from the
// period before), acceptance and breaches by AE as a table (and a bar chart where the browser draws on canvas), the
// SDRs and the SDR×AE pairs, missing data by source list, the successes, the AEs' ratings of lead quality per SDR
// and per source list, the hand-offs behind a number, and the CSV export. Failures show in a MessageBar. Gets its client through props.
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
import type { DrillDownDto, GroupReportDto, RatingFiguresDto, RatingGroupDto, RatingReportDto, ReportDto, ReportFigure, ReportQuery } from '../../server/http/contract-reports';
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
  // Fixed tracks: four equal columns that may shrink below their content (a tile wraps its text, never overlaps).
  tiles: { display: 'grid', gridTemplateColumns: 'repeat(4, minmax(0, 1fr))', gap: tokens.spacingHorizontalM, listStyleType: 'none', padding: 0, margin: 0 },
  tileItem: { minWidth: 0, display: 'flex' },
  tile: {
    minWidth: 0,
    whiteSpace: 'normal',
    overflowWrap: 'anywhere',
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
                <li key={tile.label} className={styles.tileItem}>
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

          <section aria-labelledby="by-sdr-heading">
            <Text as="h2" id="by-sdr-heading" size={500} weight="semibold">
              By SDR
            </Text>
            <BySdrTable rows={report.bySdr} />
          </section>

          <section aria-labelledby="by-pair-heading">
            <Text as="h2" id="by-pair-heading" size={500} weight="semibold">
              By SDR and AE pair
            </Text>
            <ByPairTable rows={report.byPair} />
          </section>

          <section aria-labelledby="missing-heading">
            <Text as="h2" id="missing-heading" size={500} weight="semibold">
              Missing data by source list
            </Text>
            <MissingBySourceTable rows={report.total.current.missingData.bySource} />
          </section>

          <section aria-labelledby="successes-heading">
            <Text as="h2" id="successes-heading" size={500} weight="semibold">
              Successes ({report.successes.length})
            </Text>
            {report.successes.length === 0 ? (
              <Text as="p">No lead became Sales Qualified in this range.</Text>
            ) : (
              <ul aria-label="Successes">
                {report.successes.map((x) => (
                  <li key={x.handoffId}>
                    {`${x.companyName} — ${x.contactName} (${x.sdrName} → ${x.aeName}, ${x.at.slice(0, 10)}, ${String(x.cycleDays)} days from lead to Sales Qualified)`}
                  </li>
                ))}
              </ul>
            )}
          </section>

          <RatingsSection ratings={report.ratings} />

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

const changeCell = (n: number): string => (n === 0 ? '' : ` (${n > 0 ? '+' : ''}${String(n)})`);

function BySdrTable({ rows }: { rows: readonly GroupReportDto[] }): React.JSX.Element {
  if (rows.length === 0) return <Text>No hand-offs in this range.</Text>;
  return (
    <Table aria-label="Hand-offs by SDR" size="small">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>SDR</TableHeaderCell>
          <TableHeaderCell>Hand-offs</TableHeaderCell>
          <TableHeaderCell>Conversion</TableHeaderCell>
          <TableHeaderCell>Leads missing data</TableHeaderCell>
          <TableHeaderCell>No future follow-up</TableHeaderCell>
          <TableHeaderCell>Sales Qualified</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((r) => (
          <TableRow key={r.sdrId ?? r.label}>
            <TableCell>{r.label}</TableCell>
            <TableCell>{`${String(r.current.handoffs)}${changeCell(r.change.handoffs)}`}</TableCell>
            <TableCell>{percent(r.current.conversion.rate)}</TableCell>
            <TableCell>{r.current.missingData.withGaps}</TableCell>
            <TableCell>{r.current.withoutFollowup}</TableCell>
            <TableCell>{r.current.conversion.salesQualified}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function ByPairTable({ rows }: { rows: readonly GroupReportDto[] }): React.JSX.Element {
  if (rows.length === 0) return <Text>No hand-offs in this range.</Text>;
  return (
    <Table aria-label="Hand-offs by SDR and AE pair" size="small">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>SDR → AE</TableHeaderCell>
          <TableHeaderCell>Hand-offs</TableHeaderCell>
          <TableHeaderCell>Accepted within SLA</TableHeaderCell>
          <TableHeaderCell>Breaches</TableHeaderCell>
          <TableHeaderCell>Meetings held</TableHeaderCell>
          <TableHeaderCell>Sales Qualified</TableHeaderCell>
          <TableHeaderCell>Handed back</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((r) => (
          <TableRow key={`${r.sdrId ?? ''}|${r.aeId ?? ''}`}>
            <TableCell>{r.label}</TableCell>
            <TableCell>{`${String(r.current.handoffs)}${changeCell(r.change.handoffs)}`}</TableCell>
            <TableCell>{percent(r.current.acceptance.share)}</TableCell>
            <TableCell>{r.current.breaches}</TableCell>
            <TableCell>{r.current.meetings.held}</TableCell>
            <TableCell>{r.current.conversion.salesQualified}</TableCell>
            <TableCell>{r.current.conversion.handedBack}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

const stars = (f: RatingFiguresDto): string => (f.average === null ? '–' : `${f.average.toFixed(1)} / 5`);
const averageChange = (g: RatingGroupDto): string =>
  g.change.average === null ? 'no earlier ratings' : g.change.average === 0 ? 'no change' : `${g.change.average > 0 ? '+' : ''}${g.change.average.toFixed(1)} on the period before`;
const mostTicked = (f: RatingFiguresDto): string => (f.fields.length === 0 ? '–' : f.fields.slice(0, 3).map((x) => `${x.label} (${String(x.count)})`).join(', '));

/** The AEs' ratings: the team's average and scores, a row per SDR (the manager's per-SDR view) and per source list. */
function RatingsSection({ ratings }: { ratings: RatingReportDto }): React.JSX.Element {
  const t = ratings.total;
  return (
    <section aria-labelledby="ratings-heading">
      <Text as="h2" id="ratings-heading" size={500} weight="semibold" block>
        Lead quality rated by the AEs
      </Text>
      {t.current.count === 0 ? (
        <Text as="p" block>
          No lead was rated in this range.
        </Text>
      ) : (
        <Text as="p" block>
          {`${String(t.current.count)} ${t.current.count === 1 ? 'rating' : 'ratings'}, ${stars(t.current)} on average (${averageChange(t)}). `}
          {`Scores 1 to 5: ${t.current.distribution.join(' · ')}. Most often missing or wrong: ${mostTicked(t.current)}.`}
        </Text>
      )}
      {ratings.bySdr.length > 0 && (
        <Table aria-label="Ratings by SDR" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>SDR</TableHeaderCell>
              <TableHeaderCell>Rated</TableHeaderCell>
              <TableHeaderCell>Average</TableHeaderCell>
              <TableHeaderCell>Change</TableHeaderCell>
              <TableHeaderCell>Most often missing or wrong</TableHeaderCell>
              <TableHeaderCell>Lowest-rated source list</TableHeaderCell>
              <TableHeaderCell>Latest sentence</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {ratings.bySdr.map((r) => {
              const lowest = r.sources.find((x) => x.current.count > 0);
              const latest = r.comments[0];
              return (
                <TableRow key={r.sdrId}>
                  <TableCell>{r.label}</TableCell>
                  <TableCell>{`${String(r.current.count)}${changeCell(r.change.count)}`}</TableCell>
                  <TableCell>{stars(r.current)}</TableCell>
                  <TableCell>{averageChange(r)}</TableCell>
                  <TableCell>{mostTicked(r.current)}</TableCell>
                  <TableCell>{lowest === undefined ? '–' : `${lowest.source ?? '(no source list)'}: ${stars(lowest.current)}`}</TableCell>
                  <TableCell>{latest === undefined ? '–' : `${latest.companyName}, ${String(latest.score)}/5: ${latest.text}`}</TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      {ratings.bySource.length > 0 && (
        <Table aria-label="Ratings by source list" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Source list</TableHeaderCell>
              <TableHeaderCell>Rated</TableHeaderCell>
              <TableHeaderCell>Average</TableHeaderCell>
              <TableHeaderCell>Change</TableHeaderCell>
              <TableHeaderCell>Most often missing or wrong</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {ratings.bySource.map((r) => (
              <TableRow key={r.source ?? '\u0000none'}>
                <TableCell>{r.source ?? '(no source list)'}</TableCell>
                <TableCell>{`${String(r.current.count)}${changeCell(r.change.count)}`}</TableCell>
                <TableCell>{stars(r.current)}</TableCell>
                <TableCell>{averageChange(r)}</TableCell>
                <TableCell>{mostTicked(r.current)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </section>
  );
}

function MissingBySourceTable({ rows }: { rows: ReportDto['total']['current']['missingData']['bySource'] }): React.JSX.Element {
  if (rows.length === 0) return <Text>No leads handed off in this range.</Text>;
  return (
    <Table aria-label="Missing data by source list" size="small">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Source list</TableHeaderCell>
          <TableHeaderCell>Leads handed off</TableHeaderCell>
          <TableHeaderCell>Missing data</TableHeaderCell>
          <TableHeaderCell>Share</TableHeaderCell>
          <TableHeaderCell>Fields missing</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((r) => {
          const fields = r.fields.filter((f) => f.missing > 0).sort((a, b) => b.missing - a.missing);
          return (
            <TableRow key={r.source ?? '\u0000none'}>
              <TableCell>{r.source ?? '(no source list)'}</TableCell>
              <TableCell>{r.leads}</TableCell>
              <TableCell>{r.withGaps}</TableCell>
              <TableCell>{percent(r.leads === 0 ? null : r.withGaps / r.leads)}</TableCell>
              <TableCell>{fields.length === 0 ? '–' : fields.map((f) => `${f.label} (${String(f.missing)})`).join(', ')}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

