// Report repository: the rows the report's figures need (server/domain/report.ts) for a range and the period before
// it, for a set of teams, in seven set-based queries (hand-offs with their lead, obligations, counted stage moves,
// cancelled meetings, follow-up gaps at the end of each period, people); the hand-offs behind a drill-down; which
// outbox keys exist (the weekly report's send-once check).
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
   * (all, SDR, AE, pair), counted by the database (the report of a year reads a few hundred rows, not its hand-offs).
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
      const where = relevant(previous.from, range.to, teams);
      /** The period of an instant that falls in either (the two are adjacent), and whether it falls in either. */
      const periodOf = (column: RawBuilder<unknown>) =>
        sql`case when ${column} >= ${range.from} then 'current' else 'previous' end`;
      const inEither = (column: RawBuilder<unknown>) => sql`${column} >= ${previous.from} and ${column} < ${range.to}`;
      // Leads lacking checked field i, per pair and source list (column f<i>), summed again per group.
      const fieldColumns = checkedFields.map((_f, i) => sql.ref(`f${String(i)}`));
      const fieldCounts = sql.join(checkedFields.map((f, i) => sql`coalesce(sum(n) filter (where (mask & ${sql.lit(bitOf(f))}) <> 0), 0) as ${fieldColumns[i] ?? sql``}`));
      const fieldSums = sql`json_build_array(${sql.join(fieldColumns.map((c) => sql`coalesce(sum(${c}), 0)::int`))})`;
      const gaps = (period: 'current' | 'previous', at: Date) => sql`
        select ${period}::text as period, l.sdr_id, l.ae_id, 'without_followup'::text as kind
        from leads l
        where l.status <> 'disqualified' and ${teamFilter(teams, sql`l.team_id`)}
          and exists (select 1 from handoffs h where h.lead_id = l.id and h.created_at < ${at})
          and not exists (
            select 1 from followups f
            where f.lead_id = l.id and f.created_at <= ${at} and (f.done_at is null or f.done_at > ${at}) and f.due_at > ${at}
          )`;
      // A count per period in one pass over the rows: `<name>_c` for the current period, `<name>_p` for the one before;
      // `tally` turns those columns back into (period, kind, n) rows, only where n > 0 (a group with no fact is absent).
      const perPeriod = (name: string, when: RawBuilder<unknown>, column: RawBuilder<unknown>) => sql`
        count(*) filter (where ${when} and ${column} >= ${range.from} and ${column} < ${range.to}) as ${sql.ref(`${name}_c`)},
        count(*) filter (where ${when} and ${column} >= ${previous.from} and ${column} < ${range.from}) as ${sql.ref(`${name}_p`)}`;
      const tally = (alias: string, names: readonly string[]) => sql`
        cross join lateral (values ${sql.join(
          names.flatMap((name) => [
            sql`('current'::text, ${name}::text, ${sql.ref(`${alias}.${name}_c`)})`,
            sql`('previous'::text, ${name}::text, ${sql.ref(`${alias}.${name}_p`)})`,
          ]),
        )}) as v(period, kind, n)
        where v.n > 0`;
      const settledAt = sql`(case when o.met_at is not null and o.met_within_sla is true then o.met_at else coalesce(o.breached_at, o.met_at) end)`;
      const groupingSets = sql`grouping sets ((period, sdr_id, ae_id), (period, sdr_id), (period, ae_id), (period))`;
      const sum = (kind: string) => sql`coalesce(sum(n) filter (where kind = ${kind}), 0)::int`;
      const sameGroup = (a: string, b: string) =>
        sql`${sql.ref(`${a}.period`)} = ${sql.ref(`${b}.period`)} and ${sql.ref(`${a}.g`)} = ${sql.ref(`${b}.g`)}
          and ${sql.ref(`${a}.sdr_id`)} is not distinct from ${sql.ref(`${b}.sdr_id`)} and ${sql.ref(`${a}.ae_id`)} is not distinct from ${sql.ref(`${b}.ae_id`)}`;
      // Sorts and hashes of a year's facts fit in memory (the default 4 MB spills them to disk); for this query only.
      const result = await db.transaction().execute(async (trx) => {
        await sql`set local work_mem = '64MB'`.execute(trx);
        return sql<{ value: unknown }>`
        with h as materialized (
          select h.id, h.lead_id, h.sdr_id, h.ae_id, h.created_at, h.outcome,
                 case when h.stage = 'closed' then h.stage_changed_at end as closed_at,
                 coalesce(h.meeting_start, h.slot_start) as meeting_at,
                 l.source_list as source, (l.missing_fields & ${sql.lit(checkedBits(checkedFields))}) as mask, l.created_at as lead_created_at
          from handoffs h join leads l on l.id = h.lead_id
          where ${where}
        ),
        started as (
          select period, sdr_id, ae_id, source, sum(n) as leads,
                 coalesce(sum(n) filter (where mask <> 0), 0) as with_gaps ${checkedFields.length === 0 ? sql`` : sql`, ${fieldCounts}`}
          from (
            select ${periodOf(sql`h.created_at`)} as period, h.sdr_id, h.ae_id, h.source, h.mask, count(*) as n
            from h
            where ${inEither(sql`h.created_at`)}
            group by 1, 2, 3, 4, 5
          ) x
          group by period, sdr_id, ae_id, source
        ),
        by_handoff as (
          select h.sdr_id, h.ae_id,
                 ${perPeriod('meetings_held', sql`h.closed_at is not null and h.outcome in ('sales_qualified', 'hand_back') and h.closed_at >= h.meeting_at`, sql`h.meeting_at`)},
                 ${perPeriod('sales_qualified', sql`h.outcome = 'sales_qualified'`, sql`h.closed_at`)}
          from h group by h.sdr_id, h.ae_id
        ),
        -- The obligations and stage moves the report reads, each with its hand-off's pair: joined once, read twice.
        ob as materialized (
          select h.sdr_id, h.ae_id, o.kind, o.met_at, o.met_within_sla, o.breached_at, o.time_to_respond_ms
          from obligations o join h on h.id = o.handoff_id
          -- An acceptance settles when it is met or breached: either instant in range, or a breach, makes it count.
          where (${inEither(sql`o.breached_at`)}) or (o.kind = 'ae_accept' and ${inEither(sql`o.met_at`)})
        ),
        st as materialized (
          select h.sdr_id, h.ae_id, a.to_state, a.at, a.reason_code, a.reason_text, h.outcome
          from audit_log a join h on h.id = a.entity_id
          where ${inEither(sql`a.at`)} and a.entity = 'handoff' and a.to_state in ('no_show', 'rescheduled', 'closed')
        ),
        by_obligation as (
          select o.sdr_id, o.ae_id,
                 ${perPeriod('breaches', sql`true`, sql`o.breached_at`)},
                 ${perPeriod('accepted_within_sla', sql`o.kind = 'ae_accept' and o.met_at is not null and o.met_within_sla is true`, settledAt)},
                 ${perPeriod('accepted_late', sql`o.kind = 'ae_accept' and not (o.met_at is not null and o.met_within_sla is true)`, settledAt)}
          from ob o
          group by o.sdr_id, o.ae_id
        ),
        by_stage as (
          select a.sdr_id, a.ae_id,
                 ${perPeriod('no_show', sql`a.to_state = 'no_show'`, sql`a.at`)},
                 ${perPeriod('rescheduled', sql`a.to_state = 'rescheduled'`, sql`a.at`)},
                 ${perPeriod('handed_back', sql`a.to_state = 'closed' and a.outcome = 'hand_back' and a.reason_code is not null`, sql`a.at`)}
          from st a
          group by a.sdr_id, a.ae_id
        ),
        by_finding as (
          select h.sdr_id, h.ae_id, ${perPeriod('cancelled', sql`true`, sql`f.at`)}
          from handoff_findings f join h on h.id = f.handoff_id
          where ${inEither(sql`f.at`)} and f.kind = 'meeting_deleted'
          group by h.sdr_id, h.ae_id
        ),
        counted as (
          select v.period, x.sdr_id, x.ae_id, v.kind, v.n from by_handoff x ${tally('x', ['meetings_held', 'sales_qualified'])}
          union all
          select v.period, x.sdr_id, x.ae_id, v.kind, v.n from by_obligation x ${tally('x', ['breaches', 'accepted_within_sla', 'accepted_late'])}
          union all
          select v.period, x.sdr_id, x.ae_id, v.kind, v.n from by_stage x ${tally('x', ['no_show', 'rescheduled', 'handed_back'])}
          union all
          select v.period, x.sdr_id, x.ae_id, v.kind, v.n from by_finding x ${tally('x', ['cancelled'])}
          union all
          select period, sdr_id, ae_id, kind, count(*) as n from (
            ${gaps('current', range.to)}
            union all
            ${gaps('previous', range.from)}
          ) f
          group by period, sdr_id, ae_id, kind
        ),
        counts as (
          select period, grouping(sdr_id, ae_id) as g, sdr_id, ae_id,
                 ${sum('accepted_within_sla')} as within, ${sum('accepted_late')} as late, ${sum('breaches')} as breaches,
                 ${sum('meetings_held')} as held, ${sum('no_show')} as no_show, ${sum('cancelled')} as cancelled,
                 ${sum('rescheduled')} as rescheduled, ${sum('sales_qualified')} as sq, ${sum('handed_back')} as hb,
                 ${sum('without_followup')} as without_followup
          from counted group by ${groupingSets}
        ),
        leads_started as (
          select period, grouping(sdr_id, ae_id) as g, sdr_id, ae_id, coalesce(sum(leads), 0)::int as handoffs,
                 coalesce(sum(with_gaps), 0)::int as with_gaps, ${fieldSums} as fields
          from started group by ${groupingSets}
        ),
        medians as (
          select case when cur then 'current' else 'previous' end as period, grouping(sdr_id, ae_id) as g, sdr_id, ae_id,
                 percentile_cont(0.5) within group (order by accept_ms) as median_accept_ms,
                 percentile_cont(0.5) within group (order by cycle_days) as cycle_median,
                 avg(cycle_days) as cycle_mean
          from (
            select o.met_at >= ${range.from} as cur, o.sdr_id, o.ae_id, o.time_to_respond_ms::float8 as accept_ms, null::float8 as cycle_days
            from ob o
            where ${inEither(sql`o.met_at`)} and o.kind = 'ae_accept' and o.time_to_respond_ms is not null
            union all
            select h.closed_at >= ${range.from}, h.sdr_id, h.ae_id, null, (date_part('epoch', h.closed_at) - date_part('epoch', h.lead_created_at)) / 86400
            from h
            where ${inEither(sql`h.closed_at`)} and h.outcome = 'sales_qualified'
          ) m
          -- percentile_cont and avg skip nulls: each row feeds one of the two.
          group by grouping sets ((cur, sdr_id, ae_id), (cur, sdr_id), (cur, ae_id), (cur))
        ),
        keys as (
          select period, g, sdr_id, ae_id from counts
          union select period, g, sdr_id, ae_id from leads_started
          union select period, g, sdr_id, ae_id from medians
        )
        select json_build_object(
          'groups', (select json_agg(t) from (
            select k.period, k.g, k.sdr_id, k.ae_id,
                   coalesce(s.handoffs, 0) as handoffs, coalesce(s.with_gaps, 0) as with_gaps, coalesce(s.fields, json_build_array()) as fields,
                   coalesce(c.within, 0) as within, coalesce(c.late, 0) as late, m.median_accept_ms,
                   coalesce(c.breaches, 0) as breaches, coalesce(c.held, 0) as held, coalesce(c.no_show, 0) as no_show,
                   coalesce(c.cancelled, 0) as cancelled, coalesce(c.rescheduled, 0) as rescheduled, coalesce(c.sq, 0) as sq,
                   coalesce(c.hb, 0) as hb, coalesce(c.without_followup, 0) as without_followup, m.cycle_median, m.cycle_mean
            from keys k
              left join counts c on ${sameGroup('c', 'k')}
              left join leads_started s on ${sameGroup('s', 'k')}
              left join medians m on ${sameGroup('m', 'k')}) t),
          'sources', (select json_agg(s) from (
            select period, grouping(sdr_id, ae_id) as g, sdr_id, ae_id, source, sum(leads)::int as leads,
                   sum(with_gaps)::int as with_gaps, ${fieldSums} as fields
            from started
            group by grouping sets ((period, sdr_id, ae_id, source), (period, sdr_id, source), (period, ae_id, source), (period, source))) s),
          'reasons', (select json_agg(r) from (
            select period, grouping(sdr_id, ae_id) as g, sdr_id, ae_id, code, count(*) as count,
                   (array_agg(txt order by at desc) filter (where btrim(txt, ${blank}) <> ''))[1:${options.textsPerReason ?? 20}] as texts
            from (
              select ${periodOf(sql`a.at`)} as period, a.sdr_id, a.ae_id, a.reason_code as code, a.reason_text as txt, a.at
              from st a
              where a.to_state = 'closed' and a.outcome = 'hand_back' and a.reason_code is not null
            ) x
            group by grouping sets ((period, sdr_id, ae_id, code), (period, sdr_id, code), (period, ae_id, code), (period, code))) r),
          'successes', (select json_agg(x) from (
            select h.id, h.lead_id, l.contact_name, l.company_name, h.sdr_id, h.ae_id, ${ms(sql`h.closed_at`)} as at,
                   (date_part('epoch', h.closed_at) - date_part('epoch', l.created_at)) / 86400 as cycle_days
            from (
              select * from h
              where h.outcome = 'sales_qualified' and h.closed_at >= ${range.from} and h.closed_at < ${range.to}
              order by h.closed_at desc, h.id
              limit ${options.successes ?? null}
            ) h join leads l on l.id = h.lead_id
            order by h.closed_at desc, h.id) x)
        ) as value`.execute(trx);
      });
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
