// Report repository: the rows the report's figures need (server/domain/report.ts) for a range and the period before
// it, for a set of teams, in seven set-based queries (hand-offs with their lead, obligations, counted stage moves,
// cancelled meetings, follow-up gaps at the end of each period, people); the report's counts per period and group
// from the counts the database keeps (migration 010: whole UTC months and days summed, the hours at the range's ends
// and facts dated outside their hand-off's life read one by one); the hand-offs behind a drill-down; which outbox
// keys exist (the weekly report's send-once check).
// Portable SQL (PostgreSQL 15 and PGlite). Imports: kysely, ./schema, the domain's report and lead types.
import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { LeadFieldName } from '../domain/lead';
import {
  previousRangeOf,
  type AggregateKey,
  type FollowupGapRow,
  type GroupAggregate,
  type ReasonAggregate,
  type ReportAggregates,
  type ReportRange,
  type ReportRows,
  type SourceAggregate,
} from '../domain/report';
import { missingFieldBits } from './migrations/009-report-lead-gaps';
import type { Database } from './schema';

/** Every team, or only these. */
export type TeamSet = 'all' | readonly string[];

/** A hand-off as the drill-down lists it. */
export interface DrillDownHandoff {
  id: string;
  leadId: string;
  teamId: string;
  stage: string;
  outcome: string | null;
  startedAt: Date;
  closedAt: Date | null;
  meetingStart: Date | null;
  contactName: string;
  companyName: string;
  sourceList: string | null;
  sdrId: string;
  sdrName: string;
  aeId: string;
  aeName: string;
  /** Working time the SLA clock stood still while the AE was away (the most of the hand-off's obligations). */
  slaPausedMs: number;
}

export interface AggregateOptions {
  /** At most this many hand-back texts per reason and group (newest first). Default 20. */
  readonly textsPerReason?: number;
  /** Only the newest this many successes; default all. */
  readonly successes?: number;
}

export interface ReportStore {
  /** The rows of `range` and of the period of the same length before it, for `teams`. */
  rows(range: ReportRange, teams: TeamSet, checkedFields: readonly LeadFieldName[]): Promise<ReportRows>;
  /**
   * The report's counts for `range` and the period of the same length before it, for `teams`, per period and group
   * (all, SDR, AE, pair), summed from the counts the database keeps per UTC day and month (a year's report reads those, not its hand-offs).
   */
  aggregates(range: ReportRange, teams: TeamSet, checkedFields: readonly LeadFieldName[], options?: AggregateOptions): Promise<ReportAggregates>;
  /** The hand-offs with these ids (in `teams`), with their lead and people's names, in the order given. */
  handoffsByIds(ids: readonly string[], teams: TeamSet): Promise<DrillDownHandoff[]>;
  /** The latest hand-off of each of these leads (in `teams`). */
  handoffsOfLeads(leadIds: readonly string[], teams: TeamSet): Promise<DrillDownHandoff[]>;
  /** Which of these outbox keys exist already (the weekly report looks before it renders). */
  existingOutboxKeys(keys: readonly string[]): Promise<Set<string>>;
}

/** The bit of each field in `leads.missing_fields` (kept by the database, migration 009). */
const bitOf = (field: LeadFieldName): number => 2 ** missingFieldBits.indexOf(field);

/** The bits of the checked fields: `l.missing_fields & checkedBits(...)` is the lead's gaps among them. */
const checkedBits = (fields: readonly LeadFieldName[]): number => fields.reduce((bits, f) => bits | bitOf(f), 0);

const date = (d: Date | string): Date => (d instanceof Date ? d : new Date(d));
const dateOrNull = (d: Date | string | null): Date | null => (d === null ? null : date(d));

/** `h.team_id` in the set (true for every team). */
function teamFilter(teams: TeamSet, column: RawBuilder<unknown> = sql`h.team_id`): Expression<SqlBool> {
  if (teams === 'all') return sql<SqlBool>`true`;
  if (teams.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`${column} in (${sql.join(teams.map((t) => sql.val(t)))})`;
}

/** A piece of a period: whole UTC months or days read from the counts, or an instant range read from the facts. */
interface Segment {
  readonly bucket: 'month' | 'day' | 'fact';
  readonly from: Date;
  readonly to: Date;
}

const dayMs = 86_400_000;
const floorDay = (d: Date): Date => new Date(Math.floor(d.getTime() / dayMs) * dayMs);
const ceilDay = (d: Date): Date => new Date(Math.ceil(d.getTime() / dayMs) * dayMs);
const floorMonth = (d: Date): Date => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
const ceilMonth = (d: Date): Date => {
  const floor = floorMonth(d);
  return floor.getTime() === d.getTime() ? floor : new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
};
/** The UTC date of a midnight, as `report_rollup.start_date` holds it. */
const isoDate = (d: Date): string => d.toISOString().slice(0, 10);

/** [from, to) as whole UTC months, then whole UTC days, then the instants left at either end. */
export function segmentsOf(from: Date, to: Date): Segment[] {
  const firstDay = ceilDay(from);
  const lastDay = floorDay(to);
  if (firstDay.getTime() >= lastDay.getTime()) return from.getTime() < to.getTime() ? [{ bucket: 'fact', from, to }] : [];
  const out: Segment[] = [];
  if (from.getTime() < firstDay.getTime()) out.push({ bucket: 'fact', from, to: firstDay });
  if (lastDay.getTime() < to.getTime()) out.push({ bucket: 'fact', from: lastDay, to });
  const firstMonth = ceilMonth(firstDay);
  const lastMonth = floorMonth(lastDay);
  if (firstMonth.getTime() >= lastMonth.getTime()) {
    out.push({ bucket: 'day', from: firstDay, to: lastDay });
    return out;
  }
  out.push({ bucket: 'month', from: firstMonth, to: lastMonth });
  if (firstDay.getTime() < firstMonth.getTime()) out.push({ bucket: 'day', from: firstDay, to: firstMonth });
  if (lastMonth.getTime() < lastDay.getTime()) out.push({ bucket: 'day', from: lastMonth, to: lastDay });
  return out;
}

/** Everything up to and including `at`: the months before its month, its month's days before its day, then facts. */
function prefixSegmentsOf(at: Date): { bucket: 'month' | 'day' | 'fact'; from: Date | null; to: Date }[] {
  const day = floorDay(at);
  const month = floorMonth(day);
  return [
    { bucket: 'month', from: null, to: month },
    { bucket: 'day', from: month, to: day },
    { bucket: 'fact', from: day, to: at },
  ];
}

/** A timestamp as epoch milliseconds (JSON carries numbers, not dates). */
const ms = (column: RawBuilder<unknown>) => sql`(date_part('epoch', ${column}) * 1000)`;

/** The group of a row grouped by `grouping sets` over (sdr_id, ae_id): the value of grouping(sdr_id, ae_id). */
const levels = ['pair', 'sdr', 'ae', 'total'] as const;

interface KeyJson {
  period: 'current' | 'previous';
  g: 0 | 1 | 2 | 3;
  sdr_id: string | null;
  ae_id: string | null;
}

const keyOfJson = (r: KeyJson): AggregateKey => ({ period: r.period, level: levels[r.g], sdrId: r.sdr_id, aeId: r.ae_id });

/** Whitespace that JavaScript's trim removes too (a blank hand-back text is not listed). */
const blank = ' \t\n\r\f\v';

export function createReportStore(db: Kysely<Database>): ReportStore {
  /**
   * Hand-offs that can carry a fact of [since, to): started before `to`, and open or closed since `since` (a
   * hand-off's obligations, stage moves and findings all end when it closes).
   */
  const relevant = (since: Date, to: Date, teams: TeamSet) =>
    sql<SqlBool>`h.created_at < ${to} and (h.stage <> 'closed' or h.stage_changed_at >= ${since}) and ${teamFilter(teams)}`;

  async function followupGaps(at: Date, teams: TeamSet): Promise<FollowupGapRow[]> {
    // Handed-off leads still pursued with no follow-up open at `at` and due after it.
    const rows = await jsonRows<[string, string, string | null]>(
      [sql`l.id`, sql`l.sdr_id`, sql`l.ae_id`],
      sql`from leads l
      where l.status <> 'disqualified' and ${teamFilter(teams, sql`l.team_id`)}
        and exists (select 1 from handoffs h where h.lead_id = l.id and h.created_at < ${at})
        and not exists (
          select 1 from followups f
          where f.lead_id = l.id and f.created_at <= ${at} and (f.done_at is null or f.done_at > ${at}) and f.due_at > ${at}
        )`,
    );
    return rows.map(([leadId, sdrId, aeId]) => ({ leadId, handoffId: null, sdrId, aeId }));
  }

  /**
   * Runs `query` and returns its rows as arrays, carried as one JSON value: the embedded database hands over one
   * value much faster than many rows (about 5 µs instead of 40 µs a row), which a year's report needs.
   */
  async function jsonRows<T extends unknown[]>(columns: readonly RawBuilder<unknown>[], from: RawBuilder<unknown>): Promise<T[]> {
    const result = await sql<{ rows: T[] | string | null }>`select json_agg(json_build_array(${sql.join(columns)})) as rows ${from}`.execute(db);
    const value = result.rows[0]?.rows ?? null;
    if (value === null) return [];
    return typeof value === 'string' ? (JSON.parse(value) as T[]) : value;
  }

  return {
    async rows(range, teams, checkedFields) {
      const since = previousRangeOf(range).from;
      const { to } = range;
      const where = relevant(since, to, teams);
      const handoffs = await jsonRows<[string, string, string, string, string, number, number | null, string | null, number | null, number, string, string, string | null, number]>(
        [
          sql`h.id`,
          sql`h.lead_id`,
          sql`h.team_id`,
          sql`h.sdr_id`,
          sql`h.ae_id`,
          ms(sql`h.created_at`),
          ms(sql`case when h.stage = 'closed' then h.stage_changed_at end`),
          sql`h.outcome`,
          ms(sql`coalesce(h.meeting_start, h.slot_start)`),
          ms(sql`l.created_at`),
          sql`l.contact_name`,
          sql`l.company_name`,
          sql`l.source_list`,
          sql`(l.missing_fields & ${sql.lit(checkedBits(checkedFields))})`,
        ],
        sql`from handoffs h join leads l on l.id = h.lead_id where ${where}`,
      );
      const obligations = await jsonRows<[string, 'ae_reply' | 'ae_accept', number | null, boolean | null, number | null, number | null]>(
        [sql`o.handoff_id`, sql`o.kind`, ms(sql`o.met_at`), sql`o.met_within_sla`, sql`o.time_to_respond_ms`, ms(sql`o.breached_at`)],
        sql`from obligations o join handoffs h on h.id = o.handoff_id
          where ${where} and ((o.met_at >= ${since} and o.met_at < ${to}) or (o.breached_at >= ${since} and o.breached_at < ${to}))`,
      );
      const stages = await jsonRows<[string, 'no_show' | 'rescheduled' | 'closed', number, string | null, string | null]>(
        [sql`a.entity_id`, sql`a.to_state`, ms(sql`a.at`), sql`a.reason_code`, sql`a.reason_text`],
        sql`from audit_log a join handoffs h on h.id = a.entity_id
          where a.entity = 'handoff' and a.to_state in ('no_show', 'rescheduled', 'closed') and a.at >= ${since} and a.at < ${to} and ${where}`,
      );
      const findings = await jsonRows<[string, string, number]>(
        [sql`f.handoff_id`, sql`f.kind`, ms(sql`f.at`)],
        sql`from handoff_findings f join handoffs h on h.id = f.handoff_id
          where f.kind = 'meeting_deleted' and f.at >= ${since} and f.at < ${to} and ${where}`,
      );
      const current = await followupGaps(range.to, teams);
      const previous = await followupGaps(range.from, teams);
      const people = await db.selectFrom('users').select(['id', 'display_name']).execute();

      const at = (v: number | null): Date | null => (v === null ? null : new Date(v));
      return {
        handoffs: handoffs.map(([id, leadId, teamId, sdrId, aeId, created, closed, outcome, meeting, leadCreated, contactName, companyName, sourceList, missing]) => ({
          id,
          leadId,
          teamId,
          sdrId,
          aeId,
          startedAt: new Date(created),
          closedAt: at(closed),
          outcome,
          meetingStart: at(meeting),
          lead: {
            createdAt: new Date(leadCreated),
            contactName,
            companyName,
            sourceList,
            missingFields: missing === 0 ? [] : checkedFields.filter((f) => (missing & bitOf(f)) !== 0),
          },
        })),
        obligations: obligations.map(([handoffId, kind, metAt, metWithinSla, timeToRespondMs, breachedAt]) => ({
          handoffId,
          kind,
          metAt: at(metAt),
          metWithinSla,
          timeToRespondMs,
          breachedAt: at(breachedAt),
        })),
        stages: stages.map(([handoffId, to, when, reasonCode, reasonText]) => ({ handoffId, to, at: new Date(when), reasonCode, reasonText })),
        findings: findings.map(([handoffId, kind, when]) => ({ handoffId, kind, at: new Date(when) })),
        followupGaps: { current, previous },
        people: people.map((p) => ({ id: p.id, displayName: p.display_name })),
      };
    },

    async aggregates(range, teams, checkedFields, options = {}) {
      const previous = previousRangeOf(range);
      const since = previous.from;
      const { to } = range;
      const textsPerReason = options.textsPerReason ?? 20;
      const periods = [
        { name: 'current', from: range.from, to: range.to },
        { name: 'previous', from: previous.from, to: previous.to },
      ] as const;
      // A fact dated outside its hand-off's life counts only when the hand-off is among the range's (see
      // `relevant`): started before its end, and open or closed since the start of the period before.
      const relevantFact = sql`(not f.anomalous or (f.handoff_created_at < ${to} and (f.handoff_closed_at is null or f.handoff_closed_at >= ${since})))`;
      const factColumns = sql`f.team_id, f.sdr_id, f.ae_id, f.kind, f.source, f.mask, f.code, f.value`;
      const rollupColumns = sql`r.team_id, r.sdr_id, r.ae_id, r.kind, r.source, r.mask, r.code, r.value`;
      const notGap = (alias: string) => sql`${sql.ref(`${alias}.kind`)} not in ('gap_start', 'gap_end')`;
      // Each period's facts: whole UTC months and days from the counts, the hours at its ends from the facts, and
      // the facts dated outside their hand-off's life one by one.
      const periodParts = periods.flatMap((p) =>
        segmentsOf(p.from, p.to).map((s) =>
          s.bucket === 'fact'
            ? sql`select ${p.name}::text as period, ${factColumns}, 1::bigint as n from report_facts f
                where f.at >= ${s.from} and f.at < ${s.to} and not f.anomalous and ${notGap('f')} and ${teamFilter(teams, sql`f.team_id`)}`
            : sql`select ${p.name}::text as period, ${rollupColumns}, r.n::bigint as n from report_rollup r
                where r.bucket = ${s.bucket} and r.start_date >= ${isoDate(s.from)}::date and r.start_date < ${isoDate(s.to)}::date
                  and ${notGap('r')} and ${teamFilter(teams, sql`r.team_id`)}`,
        ),
      );
      const anomalous = sql`select case when f.at >= ${range.from} then 'current' else 'previous' end as period, ${factColumns}, 1::bigint as n from report_facts f
        where f.anomalous and f.at >= ${since} and f.at < ${to} and ${relevantFact} and ${notGap('f')} and ${teamFilter(teams, sql`f.team_id`)}`;
      // Leads without a future follow-up at an instant: the spans started at or before it minus those ended by then.
      const gapParts = periods.flatMap((p) => {
        const at = p.to;
        return prefixSegmentsOf(at).map((s) =>
          s.bucket === 'fact'
            ? sql`select ${p.name}::text as period, f.sdr_id, f.ae_id, case f.kind when 'gap_start' then 1 else -1 end as n from report_facts f
                where f.handoff_id is null and f.at >= ${s.from} and f.at <= ${at} and ${teamFilter(teams, sql`f.team_id`)}`
            : sql`select ${p.name}::text as period, r.sdr_id, r.ae_id, case r.kind when 'gap_start' then r.n else -r.n end as n from report_rollup r
                where r.bucket = ${s.bucket} and r.kind in ('gap_start', 'gap_end') and r.start_date < ${isoDate(s.to)}::date
                  ${s.from === null ? sql`` : sql`and r.start_date >= ${isoDate(s.from)}::date`} and ${teamFilter(teams, sql`r.team_id`)}`,
        );
      });
      const mask = sql.lit(checkedBits(checkedFields));
      const fieldsOf = (filter: RawBuilder<unknown>) =>
        sql`json_build_array(${sql.join(
          checkedFields.length === 0 ? [sql`0`] : checkedFields.map((f) => sql`coalesce(sum(n) filter (where ${filter} and (mask & ${sql.lit(bitOf(f))}) <> 0), 0)::int`),
        )})`;
      const emptyFields = checkedFields.length === 0;
      const counted = (kind: string) => sql`coalesce(sum(n) filter (where kind = ${kind}), 0)::int`;
      const groupingSets = (extra: RawBuilder<unknown> | null) => {
        const e = extra === null ? sql`` : sql`, ${extra}`;
        return sql`grouping sets ((period, sdr_id, ae_id${e}), (period, sdr_id${e}), (period, ae_id${e}), (period${e}))`;
      };
      const sameGroup = (a: string, b: string) =>
        sql`${sql.ref(`${a}.period`)} = ${sql.ref(`${b}.period`)} and ${sql.ref(`${a}.g`)} = ${sql.ref(`${b}.g`)}
          and ${sql.ref(`${a}.sdr_id`)} is not distinct from ${sql.ref(`${b}.sdr_id`)} and ${sql.ref(`${a}.ae_id`)} is not distinct from ${sql.ref(`${b}.ae_id`)}`;
      const periodFrom = sql`case k.period when 'current' then ${range.from}::timestamptz else ${previous.from}::timestamptz end`;
      const periodTo = sql`case k.period when 'current' then ${range.to}::timestamptz else ${previous.to}::timestamptz end`;
      const result = await sql<{ value: unknown }>`
        with c as materialized (
          select period, team_id, sdr_id, ae_id, kind, source, mask, code, value, sum(n) as n
          from (${sql.join([...periodParts, anomalous], sql` union all `)}) x
          group by period, team_id, sdr_id, ae_id, kind, source, mask, code, value
        ),
        wf as (
          select period, sdr_id, ae_id, sum(n) as n
          from (${sql.join(gapParts, sql` union all `)}) x
          group by period, sdr_id, ae_id
          having sum(n) > 0
        ),
        facts as (
          select period, sdr_id, ae_id, kind, source, mask, value, n from c
          union all
          select period, sdr_id, ae_id, 'without_followup', null, null, null, n from wf
        ),
        counts as (
          select period, grouping(sdr_id, ae_id) as g, sdr_id, ae_id,
                 ${counted('handoffs')} as handoffs,
                 coalesce(sum(n) filter (where kind = 'handoffs' and (mask & ${mask}) <> 0), 0)::int as with_gaps,
                 ${emptyFields ? sql`json_build_array()` : fieldsOf(sql`kind = 'handoffs'`)} as fields,
                 ${counted('accepted_within_sla')} as within, ${counted('accepted_late')} as late, ${counted('breaches')} as breaches,
                 ${counted('meetings_held')} as held, ${counted('no_show')} as no_show, ${counted('cancelled')} as cancelled,
                 ${counted('rescheduled')} as rescheduled, ${counted('sales_qualified')} as sq, ${counted('handed_back')} as hb,
                 ${counted('without_followup')} as without_followup,
                 sum(n * (value / 86400)) filter (where kind = 'sales_qualified') / nullif(sum(n) filter (where kind = 'sales_qualified'), 0) as cycle_mean
          from facts
          group by ${groupingSets(null)}
        ),
        -- Medians from the counts of each value: percentile_cont(0.5) over the values repeated n times.
        valued as (
          select period, grouping(sdr_id, ae_id) as g, sdr_id, ae_id, kind, v, sum(n) as n
          from (select period, sdr_id, ae_id, kind, case kind when 'sales_qualified' then value / 86400 else value end as v, n
                from c where kind in ('accept_time', 'sales_qualified')) x
          group by grouping sets ((period, sdr_id, ae_id, kind, v), (period, sdr_id, kind, v), (period, ae_id, kind, v), (period, kind, v))
        ),
        ranked as (
          select period, g, sdr_id, ae_id, kind, v, n,
                 sum(n) over (partition by period, g, sdr_id, ae_id, kind order by v rows unbounded preceding) - n as before,
                 sum(n) over (partition by period, g, sdr_id, ae_id, kind) as total
          from valued
        ),
        medians as (
          select period, g, sdr_id, ae_id, kind,
                 lo + (hi - lo) * ((total - 1) * 0.5 - floor((total - 1) * 0.5))::float8 as median
          from (
            select period, g, sdr_id, ae_id, kind, max(total) as total,
                   min(v) filter (where lo_at >= before and lo_at < before + n) as lo,
                   min(v) filter (where hi_at >= before and hi_at < before + n) as hi
            from (select ranked.*, floor((total - 1) * 0.5) as lo_at, ceil((total - 1) * 0.5) as hi_at from ranked) r
            group by period, g, sdr_id, ae_id, kind
          ) m
        ),
        hb_keys as (
          select distinct period, team_id, sdr_id, ae_id, code from c where kind = 'handed_back'
        ),
        -- The newest texts of each pair and reason: the newest of any group are among them.
        texts as (
          select k.period, k.sdr_id, k.ae_id, k.code, t.at, t.txt
          from hb_keys k
          cross join lateral (
            select f.at, f.txt from report_facts f
            where f.kind = 'handed_back' and f.team_id = k.team_id and f.sdr_id = k.sdr_id and f.ae_id = k.ae_id and f.code = k.code
              and f.at >= ${periodFrom} and f.at < ${periodTo} and btrim(f.txt, ${blank}) <> '' and ${relevantFact}
            order by f.at desc
            limit ${textsPerReason}
          ) t
        )
        select json_build_object(
          'groups', (select json_agg(t) from (
            select c.period, c.g, c.sdr_id, c.ae_id, c.handoffs, c.with_gaps, c.fields, c.within, c.late, ma.median as median_accept_ms,
                   c.breaches, c.held, c.no_show, c.cancelled, c.rescheduled, c.sq, c.hb, c.without_followup,
                   mc.median as cycle_median, c.cycle_mean
            from counts c
              left join medians ma on ma.kind = 'accept_time' and ${sameGroup('ma', 'c')}
              left join medians mc on mc.kind = 'sales_qualified' and ${sameGroup('mc', 'c')}) t),
          'sources', (select json_agg(s) from (
            select period, grouping(sdr_id, ae_id) as g, sdr_id, ae_id, source, sum(n)::int as leads,
                   coalesce(sum(n) filter (where (mask & ${mask}) <> 0), 0)::int as with_gaps,
                   ${emptyFields ? sql`json_build_array()` : fieldsOf(sql`true`)} as fields
            from c where kind = 'handoffs'
            group by ${groupingSets(sql`source`)}) s),
          'reasons', (select json_agg(r) from (
            select period, grouping(sdr_id, ae_id) as g, sdr_id, ae_id, code, sum(n)::int as count,
                   (array_agg(txt order by at desc) filter (where txt is not null))[1:${textsPerReason}] as texts
            from (
              select period, sdr_id, ae_id, code, n, null::text as txt, null::timestamptz as at from c where kind = 'handed_back'
              union all
              select period, sdr_id, ae_id, code, 0, txt, at from texts
            ) x
            group by ${groupingSets(sql`code`)}) r),
          'successes', (select json_agg(x) from (
            select f.handoff_id as id, f.lead_id, l.contact_name, l.company_name, f.sdr_id, f.ae_id, ${ms(sql`f.at`)} as at, f.value / 86400 as cycle_days
            from (
              select * from report_facts f
              where f.kind = 'sales_qualified' and f.at >= ${range.from} and f.at < ${range.to} and ${relevantFact} and ${teamFilter(teams, sql`f.team_id`)}
              order by f.at desc, f.handoff_id
              limit ${options.successes ?? null}
            ) f join leads l on l.id = f.lead_id
            order by f.at desc, f.handoff_id) x)
        ) as value`.execute(db);
      const raw = result.rows[0]?.value ?? null;
      const value = (typeof raw === 'string' ? JSON.parse(raw) : raw) as {
        groups: (KeyJson & {
          handoffs: number;
          with_gaps: number;
          fields: number[];
          within: number;
          late: number;
          median_accept_ms: number | null;
          breaches: number;
          held: number;
          no_show: number;
          cancelled: number;
          rescheduled: number;
          sq: number;
          hb: number;
          without_followup: number;
          cycle_median: number | null;
          cycle_mean: number | null;
        })[] | null;
        sources: (KeyJson & { source: string | null; leads: number; with_gaps: number; fields: number[] })[] | null;
        reasons: (KeyJson & { code: string; count: number; texts: string[] | null })[] | null;
        successes: { id: string; lead_id: string; contact_name: string; company_name: string; sdr_id: string; ae_id: string; at: number; cycle_days: number }[] | null;
      };
      const people = await db.selectFrom('users').select(['id', 'display_name']).execute();
      const groups: GroupAggregate[] = (value.groups ?? []).map((r) => ({
        ...keyOfJson(r),
        handoffs: r.handoffs,
        withGaps: r.with_gaps,
        fieldsMissing: r.fields,
        acceptedWithinSla: r.within,
        acceptedLate: r.late,
        medianAcceptMs: r.median_accept_ms,
        breaches: r.breaches,
        meetingsHeld: r.held,
        noShow: r.no_show,
        cancelled: r.cancelled,
        rescheduled: r.rescheduled,
        salesQualified: r.sq,
        handedBack: r.hb,
        withoutFollowup: r.without_followup,
        cycleMedianDays: r.cycle_median,
        cycleMeanDays: r.cycle_mean,
      }));
      const sources: SourceAggregate[] = (value.sources ?? []).map((r) => ({ ...keyOfJson(r), source: r.source, leads: r.leads, withGaps: r.with_gaps, fieldsMissing: r.fields }));
      const reasons: ReasonAggregate[] = (value.reasons ?? []).map((r) => ({ ...keyOfJson(r), code: r.code, count: r.count, texts: r.texts ?? [] }));
      return {
        groups,
        sources,
        reasons,
        successes: (value.successes ?? []).map((r) => ({
          handoffId: r.id,
          leadId: r.lead_id,
          contactName: r.contact_name,
          companyName: r.company_name,
          sdrId: r.sdr_id,
          aeId: r.ae_id,
          at: new Date(r.at),
          cycleDays: r.cycle_days,
        })),
        people: people.map((p) => ({ id: p.id, displayName: p.display_name })),
      };
    },

    async existingOutboxKeys(keys) {
      if (keys.length === 0) return new Set();
      const rows = await db.selectFrom('outbox').select('idempotency_key').where('idempotency_key', 'in', [...keys]).execute();
      return new Set(rows.map((r) => r.idempotency_key));
    },

    async handoffsOfLeads(leadIds, teams) {
      if (leadIds.length === 0) return [];
      const latest = await sql<{ id: string }>`
        select distinct on (h.lead_id) h.id from handoffs h
        where h.lead_id in (${sql.join(leadIds.map((id) => sql.val(id)))}) and ${teamFilter(teams)}
        order by h.lead_id, h.created_at desc, h.id`.execute(db);
      return this.handoffsByIds(latest.rows.map((r) => r.id), teams);
    },

    async handoffsByIds(ids, teams) {
      if (ids.length === 0) return [];
      const result = await sql<{
        id: string;
        lead_id: string;
        team_id: string;
        stage: string;
        outcome: string | null;
        created_at: Date;
        stage_changed_at: Date;
        meeting_start: Date | null;
        contact_name: string;
        company_name: string;
        source_list: string | null;
        sdr_id: string;
        sdr_name: string;
        ae_id: string;
        ae_name: string;
        paused_ms: string | null;
      }>`
        select h.id, h.lead_id, h.team_id, h.stage, h.outcome, h.created_at, h.stage_changed_at,
          coalesce(h.meeting_start, h.slot_start) as meeting_start, l.contact_name, l.company_name, l.source_list,
          h.sdr_id, s.display_name as sdr_name, h.ae_id, a.display_name as ae_name,
          (select max(o.paused_ms) from obligations o where o.handoff_id = h.id) as paused_ms
        from handoffs h
        join leads l on l.id = h.lead_id
        join users s on s.id = h.sdr_id
        join users a on a.id = h.ae_id
        where h.id in (${sql.join(ids.map((id) => sql.val(id)))}) and ${teamFilter(teams)}`.execute(db);
      const byId = new Map(result.rows.map((r) => [r.id, r]));
      return ids.flatMap((id) => {
        const r = byId.get(id);
        if (r === undefined) return [];
        return [
          {
            id: r.id,
            leadId: r.lead_id,
            teamId: r.team_id,
            stage: r.stage,
            outcome: r.outcome,
            startedAt: date(r.created_at),
            closedAt: r.stage === 'closed' ? date(r.stage_changed_at) : null,
            meetingStart: dateOrNull(r.meeting_start),
            contactName: r.contact_name,
            companyName: r.company_name,
            sourceList: r.source_list,
            sdrId: r.sdr_id,
            sdrName: r.sdr_name,
            aeId: r.ae_id,
            aeName: r.ae_name,
            slaPausedMs: r.paused_ms === null ? 0 : Number(r.paused_ms),
          },
        ];
      });
    },
  };
}
