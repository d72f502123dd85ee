// /api/reports: the hand-off scorecard of a date range (figures overall, by SDR, by AE and by pair, with the change
// from the period before), the hand-offs behind a number, the CSV export (cells that a spreadsheet would run as a
// formula neutralised) and sending the weekly email now. Managers see their own team, admins every team; SDRs and
// AEs are refused. Imports: ../contract-reports, ../contract, ../auth, ../errors, the domain's report, store and
// engine types, ../app types.
import {
  DrillDownDto,
  DrillDownQuery,
  ReportDto,
  ReportQuery,
  ReportSendBody,
  ReportSentDto,
  type FiguresDto,
  type GroupReportDto,
  type RatingGroupDto,
  type RatingReportDto,
} from '../contract-reports';
import { requireAuth } from '../auth';
import { errorResponses, forbidden, HttpError } from '../errors';
import type { App } from '../app';
import type { Clock } from '../../clock';
import type { Actor } from '../../domain/lead';
import type { HandBackReason } from '../../domain/lifecycle';
import { fieldLabels } from '../../domain/lead-validation';
import type { Team } from '../../domain/people';
import { dayRange, handoffsBehind, reportOfAggregates, type Figures, type GroupReport, type ReportRange } from '../../domain/report';
import type { ReportSettings } from '../../domain/report-settings';
import { ratingReport, type RatingGroup, type RatingReport } from '../../domain/rating';
import type { RatingStore } from '../../store/rating-store';
import type { PeopleStore } from '../../store/people-store';
import type { DrillDownHandoff, ReportStore, TeamSet } from '../../store/report-store';
import { WeeklyReportRefusal, type WeeklyReportJob } from '../../engine/weekly-report';

export interface ReportRouteDeps {
  clock: Clock;
  peopleStore: Pick<PeopleStore, 'listTeams' | 'getTeam'>;
  reportStore: ReportStore;
  /** The AEs' ratings of the leads, counted for the report's `ratings` section. */
  ratingStore: Pick<RatingStore, 'counts'>;
  reportSettings: ReportSettings;
  handBackReasons: readonly HandBackReason[];
  /** POST /api/reports/send; without it that route answers 503. */
  weeklyReport?: WeeklyReportJob | undefined;
}

const drillDownLimit = 500;

interface Scope {
  teams: TeamSet;
  covered: Team[];
  selectable: Team[];
  timeZone: string;
}

/** A spreadsheet runs a cell starting with = + - @ (or a tab or CR) as a formula: such cells get a leading '. */
export function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function registerReportRoutes(app: App, deps: ReportRouteDeps): void {
  const { reportStore: store, reportSettings: settings } = deps;
  const reasonLabels = new Map(deps.handBackReasons.map((r) => [r.code, r.label]));

  /** Who may see which teams: managers their own, admins all; SDRs and AEs none (403). */
  async function scopeOf(actor: Actor, teamId: string | undefined): Promise<Scope> {
    if (actor.role !== 'manager' && actor.role !== 'admin') throw forbidden('Reports are for managers and admins.');
    const all = await deps.peopleStore.listTeams();
    const selectable = actor.role === 'admin' ? all : all.filter((t) => t.id === actor.teamId);
    if (teamId !== undefined) {
      const team = all.find((t) => t.id === teamId);
      if (team === undefined) throw new HttpError(400, 'unknown_team', `There is no team "${teamId}".`, { field: 'teamId' });
      if (!selectable.some((t) => t.id === teamId)) throw new HttpError(403, 'forbidden', 'Managers see the reports of their own team only.', { field: 'teamId' });
      return { teams: [team.id], covered: [team], selectable, timeZone: team.timeZone };
    }
    if (actor.role === 'admin') return { teams: 'all', covered: all, selectable, timeZone: all.length === 1 ? (all[0]?.timeZone ?? 'UTC') : 'UTC' };
    const own = selectable[0];
    if (own === undefined) throw forbidden('You are not a manager of any team.');
    return { teams: [own.id], covered: [own], selectable, timeZone: own.timeZone };
  }

  function rangeOf(from: string, to: string, timeZone: string): ReportRange {
    const range = dayRange(from, to, timeZone);
    if (!range.ok) throw new HttpError(400, range.error.code, range.error.message, range.error.field === undefined ? {} : { field: range.error.field });
    return range.value;
  }

  async function report(actor: Actor, query: { from: string; to: string; teamId?: string | undefined }) {
    const scope = await scopeOf(actor, query.teamId);
    const range = rangeOf(query.from, query.to, scope.timeZone);
    // The contract lists the newest 200 successes.
    const aggregates = await store.aggregates(range, scope.teams, settings.checkedFields, { successes: 200 });
    return { scope, range, people: aggregates.people, report: reportOfAggregates(aggregates, range, { checkedFields: settings.checkedFields }) };
  }

  const figuresDto = (f: Figures): FiguresDto => {
    const fields = (list: Figures['missingData']['fields']) => list.map((x) => ({ field: x.field, label: fieldLabels[x.field], missing: x.missing }));
    return {
      ...f,
      handBackReasons: f.handBackReasons.map((r) => ({ ...r, label: reasonLabels.get(r.code) ?? r.code, texts: [...r.texts] })),
      missingData: { ...f.missingData, fields: fields(f.missingData.fields), bySource: f.missingData.bySource.map((s) => ({ ...s, fields: fields(s.fields) })) },
    };
  };
  const groupDto = (g: GroupReport): GroupReportDto => ({ ...g, current: figuresDto(g.current), previous: figuresDto(g.previous) });
  const ratingFigures = (f: RatingGroup['current']) => ({
    count: f.count,
    average: f.average,
    distribution: [...f.distribution],
    fields: f.fields.map((x) => ({ field: x.field, label: fieldLabels[x.field], count: x.count })),
  });
  const ratingGroupDto = (g: RatingGroup): RatingGroupDto => ({ current: ratingFigures(g.current), previous: ratingFigures(g.previous), change: g.change });
  const ratingsDto = (r: RatingReport): RatingReportDto => ({
    total: ratingGroupDto(r.total),
    bySdr: r.bySdr.map((g) => ({
      ...ratingGroupDto(g),
      sdrId: g.sdrId,
      label: g.label,
      sources: g.sources.map((x) => ({ ...ratingGroupDto(x), source: x.source })),
      comments: g.comments.map((c) => ({ score: c.score, text: c.text, companyName: c.companyName, at: c.at.toISOString() })),
    })),
    bySource: r.bySource.map((x) => ({ ...ratingGroupDto(x), source: x.source })),
  });
  const teamDto = (t: Team) => ({ id: t.id, name: t.name });
  const iso = (d: Date | null) => (d === null ? null : d.toISOString());

  app.get(
    '/api/reports',
    {
      schema: {
        summary: 'The hand-off scorecard of a date range: figures overall, by SDR, by AE and by pair, with the change from the period before (managers: their team; admins: any)',
        tags: ['reports'],
        querystring: ReportQuery,
        response: { 200: ReportDto, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { scope, report: r, people, range } = await report(requireAuth(request).actor, request.query);
      const names = new Map(people.map((p) => [p.id, p.displayName]));
      const ratings = ratingReport(await deps.ratingStore.counts(range, scope.teams), people);
      return {
        range: { from: r.range.from.toISOString(), to: r.range.to.toISOString() },
        previousRange: { from: r.previousRange.from.toISOString(), to: r.previousRange.to.toISOString() },
        timeZone: scope.timeZone,
        teams: scope.covered.map(teamDto),
        selectable: scope.selectable.map(teamDto),
        total: groupDto(r.total),
        bySdr: r.bySdr.map(groupDto),
        byAe: r.byAe.map(groupDto),
        byPair: r.byPair.map(groupDto),
        successes: r.successes.slice(0, 200).map((s) => ({
          handoffId: s.handoffId,
          leadId: s.leadId,
          contactName: s.contactName,
          companyName: s.companyName,
          sdrName: names.get(s.sdrId) ?? 'Unknown person',
          aeName: names.get(s.aeId) ?? 'Unknown person',
          at: s.at.toISOString(),
          cycleDays: s.cycleDays,
        })),
        ratings: ratingsDto(ratings),
      };
    },
  );

  app.get(
    '/api/reports/handoffs',
    {
      schema: {
        summary: 'The hand-offs behind one number of the report (drill-down), at most 500',
        tags: ['reports'],
        querystring: DrillDownQuery,
        response: { 200: DrillDownDto, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { actor } = requireAuth(request);
      const q = request.query;
      const scope = await scopeOf(actor, q.teamId);
      const range = rangeOf(q.from, q.to, scope.timeZone);
      const rows = await store.rows(range, scope.teams, settings.checkedFields);
      const behind = handoffsBehind(rows, range, q.figure, { sdrId: q.sdrId, aeId: q.aeId });
      const shown = behind.slice(0, drillDownLimit);
      let items: DrillDownHandoff[];
      if (q.figure === 'without_followup') {
        items = await store.handoffsOfLeads(shown.map((i) => i.leadId), scope.teams);
      } else {
        items = await store.handoffsByIds(shown.flatMap((i) => (i.handoffId === null ? [] : [i.handoffId])), scope.teams);
      }
      return {
        figure: q.figure,
        total: behind.length,
        items: items.map((h) => ({
          id: h.id,
          leadId: h.leadId,
          teamId: h.teamId,
          stage: h.stage,
          outcome: h.outcome,
          startedAt: h.startedAt.toISOString(),
          closedAt: iso(h.closedAt),
          meetingStart: iso(h.meetingStart),
          contactName: h.contactName,
          companyName: h.companyName,
          sourceList: h.sourceList,
          sdrName: h.sdrName,
          aeName: h.aeName,
          slaPausedMs: h.slaPausedMs,
        })),
      };
    },
  );

  app.get(
    '/api/reports/export.csv',
    {
      schema: {
        summary: 'The report as CSV: one line per scope (all, each SDR, AE and pair) and period; formula-like cells neutralised',
        tags: ['reports'],
        querystring: ReportQuery,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const { report: r, scope, people, range: reportRange } = await report(requireAuth(request).actor, request.query);
      const ratings = ratingReport(await deps.ratingStore.counts(reportRange, scope.teams), people);
      const ratingsBySdr = new Map(ratings.bySdr.map((g) => [g.sdrId, g]));
      const header = [
        'scope', 'name', 'period', 'from', 'to', 'handoffs', 'acceptance_settled', 'accepted_within_sla', 'acceptance_share', 'median_hours_to_accept',
        'breaches', 'meetings_held', 'no_show', 'cancelled', 'rescheduled', 'sales_qualified', 'handed_back', 'conversion_rate',
        'leads_missing_data', 'without_followup', 'cycle_median_days', 'successes',
        'ratings', 'rating_average', 'rated_1', 'rated_2', 'rated_3', 'rated_4', 'rated_5', 'rating_fields',
      ];
      /** The AEs' ratings of the scope's leads: overall and per SDR (ratings are not counted per AE or pair: empty). */
      const ratingCells = (kind: string, g: GroupReport, period: 'current' | 'previous'): (string | number | null)[] => {
        const group = kind === 'all' ? ratings.total : kind === 'sdr' && g.sdrId !== null ? ratingsBySdr.get(g.sdrId) : undefined;
        if (group === undefined) return kind === 'sdr' ? [0, null, 0, 0, 0, 0, 0, ''] : [null, null, null, null, null, null, null, null];
        const f = group[period];
        return [f.count, f.average, ...f.distribution, f.fields.map((x) => `${fieldLabels[x.field]} ${String(x.count)}`).join('; ')];
      };
      const line = (kind: string, g: GroupReport, period: 'current' | 'previous'): string => {
        const f = g[period];
        const range = period === 'current' ? r.range : r.previousRange;
        return [
          kind, g.label, period, range.from.toISOString(), range.to.toISOString(), f.handoffs, f.acceptance.settled, f.acceptance.withinSla, f.acceptance.share,
          f.acceptance.medianHoursToAccept, f.breaches, f.meetings.held, f.meetings.noShow, f.meetings.cancelled, f.meetings.rescheduled,
          f.conversion.salesQualified, f.conversion.handedBack, f.conversion.rate, f.missingData.withGaps, f.withoutFollowup, f.cycleTime.medianDays, f.successes,
          ...ratingCells(kind, g, period),
        ]
          .map(csvCell)
          .join(',');
      };
      const lines = [header.join(',')];
      const groups: [string, readonly GroupReport[]][] = [['all', [r.total]], ['sdr', r.bySdr], ['ae', r.byAe], ['pair', r.byPair]];
      for (const [kind, list] of groups) for (const g of list) lines.push(line(kind, g, 'current'), line(kind, g, 'previous'));
      const name = `baton-report-${scope.covered.length === 1 ? (scope.covered[0]?.id ?? 'team') : 'all'}-${request.query.from}-${request.query.to}.csv`;
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('x-content-type-options', 'nosniff')
        .send(`\ufeff${lines.join('\r\n')}\r\n`);
    },
  );

  app.post(
    '/api/reports/send',
    {
      schema: {
        summary: 'Send the weekly report email of the last 7 days now (managers: their team; admins: the team named)',
        tags: ['reports'],
        body: ReportSendBody,
        response: { 202: ReportSentDto, ...errorResponses(400, 401, 403, 409, 413, 503) },
      },
    },
    async (request, reply) => {
      const { actor } = requireAuth(request);
      const scope = await scopeOf(actor, request.body.teamId);
      const team = scope.covered.length === 1 ? scope.covered[0] : undefined;
      if (team === undefined) throw new HttpError(400, 'team_required', 'Name the team whose report to send.', { field: 'teamId' });
      if (deps.weeklyReport === undefined) throw new HttpError(503, 'mail_unavailable', 'Baton sends no mail: no Microsoft 365 tenant is connected.');
      try {
        const sent = await deps.weeklyReport.sendNow(team.id);
        return await reply.code(202).send({ teamId: team.id, queued: sent.queued, recipients: sent.recipients, range: { from: sent.range.from.toISOString(), to: sent.range.to.toISOString() } });
      } catch (e) {
        if (e instanceof WeeklyReportRefusal) throw new HttpError(409, e.code, e.message, { field: 'teamId' });
        throw e;
      }
    },
  );
}
