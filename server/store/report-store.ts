// Report repository: the rows the report's figures need (server/domain/report.ts) for a range and the period before
// it, for a set of teams, in six set-based queries (hand-offs with their lead, obligations, counted stage moves,
// cancelled meetings, follow-up gaps at the end of each period, people); and the hand-offs behind a drill-down.
// Portable SQL (PostgreSQL 15 and PGlite). Imports: kysely, ./schema, the domain's report and lead types.
import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { LeadFieldName } from '../domain/lead';
import { previousRangeOf, type FollowupGapRow, type ReportRange, type ReportRows } from '../domain/report';
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
}

export interface ReportStore {
  /** The rows of `range` and of the period of the same length before it, for `teams`. */
  rows(range: ReportRange, teams: TeamSet, checkedFields: readonly LeadFieldName[]): Promise<ReportRows>;
  /** The hand-offs with these ids (in `teams`), with their lead and people's names, in the order given. */
  handoffsByIds(ids: readonly string[], teams: TeamSet): Promise<DrillDownHandoff[]>;
}

/** SQL that is true when the lead (table alias `l`) lacks the field. */
const missingSql: Readonly<Record<LeadFieldName, ReturnType<typeof sql<boolean>>>> = {
  contactName: sql`btrim(l.contact_name) = ''`,
  title: sql`coalesce(btrim(l.title), '') = ''`,
  email: sql`btrim(l.email) = ''`,
  phone: sql`coalesce(btrim(l.phone), '') = ''`,
  companyName: sql`btrim(l.company_name) = ''`,
  webDomain: sql`coalesce(btrim(l.web_domain), '') = ''`,
  website: sql`coalesce(btrim(l.website), '') = ''`,
  employeeCount: sql`l.employee_count is null`,
  country: sql`coalesce(btrim(l.country), '') = ''`,
  timeZone: sql`coalesce(btrim(l.time_zone), '') = ''`,
  decisionMaker: sql`l.decision_maker is null`,
  needs: sql`coalesce(btrim(l.needs), '') = ''`,
  currentSolution: sql`coalesce(btrim(l.current_solution), '') = ''`,
  competitors: sql`cardinality(l.competitors) = 0`,
  budget: sql`coalesce(btrim(l.budget), '') = ''`,
  productInterests: sql`cardinality(l.product_interests) = 0`,
  demoRequested: sql`false`,
  sourceList: sql`coalesce(btrim(l.source_list), '') = ''`,
  notes: sql`coalesce(btrim(l.notes), '') = ''`,
};

/** One integer per lead: bit i set when checkedFields[i] is missing (decoded in JS; 19 fields fit). */
function missingMask(fields: readonly LeadFieldName[]) {
  if (fields.length === 0) return sql<number>`0`;
  return sql<number>`(${sql.join(
    fields.map((f, i) => sql`(case when ${missingSql[f]} then ${sql.lit(2 ** i)} else 0 end)`),
    sql` + `,
  )})`;
}

const date = (d: Date | string): Date => (d instanceof Date ? d : new Date(d));
const dateOrNull = (d: Date | string | null): Date | null => (d === null ? null : date(d));

/** `h.team_id` in the set (true for every team). */
function teamFilter(teams: TeamSet): Expression<SqlBool> {
  if (teams === 'all') return sql<SqlBool>`true`;
  if (teams.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`h.team_id in (${sql.join(teams.map((t) => sql.val(t)))})`;
}

export function createReportStore(db: Kysely<Database>): ReportStore {
  /**
   * Hand-offs that can carry a fact of [since, to): started before `to`, and open or closed since `since` (a
   * hand-off's obligations, stage moves and findings all end when it closes).
   */
  const relevant = (since: Date, to: Date, teams: TeamSet) =>
    sql<SqlBool>`h.created_at < ${to} and (h.stage <> 'closed' or h.stage_changed_at >= ${since}) and ${teamFilter(teams)}`;

  async function followupGaps(at: Date, teams: TeamSet): Promise<FollowupGapRow[]> {
    // Handed-off leads still pursued with no follow-up open at `at` and due after it; the lead's latest hand-off
    // before `at` names its SDR and AE.
    const result = await sql<{ lead_id: string; handoff_id: string; sdr_id: string; ae_id: string }>`
      select distinct on (h.lead_id) h.lead_id, h.id as handoff_id, h.sdr_id, h.ae_id
      from handoffs h
      join leads l on l.id = h.lead_id
      where h.created_at < ${at} and l.status <> 'disqualified' and ${teamFilter(teams)}
        and not exists (
          select 1 from followups f
          where f.lead_id = h.lead_id and f.created_at <= ${at} and (f.done_at is null or f.done_at > ${at}) and f.due_at > ${at}
        )
      order by h.lead_id, h.created_at desc, h.id`.execute(db);
    return result.rows.map((r) => ({ leadId: r.lead_id, handoffId: r.handoff_id, sdrId: r.sdr_id, aeId: r.ae_id }));
  }

  return {
    async rows(range, teams, checkedFields) {
      const since = previousRangeOf(range).from;
      const { to } = range;
      const where = relevant(since, to, teams);
      const handoffs = await sql<{
        id: string;
        lead_id: string;
        team_id: string;
        sdr_id: string;
        ae_id: string;
        created_at: Date;
        closed_at: Date | null;
        outcome: string | null;
        meeting_start: Date | null;
        lead_created_at: Date;
        contact_name: string;
        company_name: string;
        source_list: string | null;
        missing: number;
      }>`
        select h.id, h.lead_id, h.team_id, h.sdr_id, h.ae_id, h.created_at,
          case when h.stage = 'closed' then h.stage_changed_at end as closed_at, h.outcome,
          coalesce(h.meeting_start, h.slot_start) as meeting_start,
          l.created_at as lead_created_at, l.contact_name, l.company_name, l.source_list, ${missingMask(checkedFields)} as missing
        from handoffs h join leads l on l.id = h.lead_id
        where ${where}`.execute(db);
      const obligations = await sql<{
        handoff_id: string;
        kind: 'ae_reply' | 'ae_accept';
        met_at: Date | null;
        met_within_sla: boolean | null;
        time_to_respond_ms: string | number | null;
        breached_at: Date | null;
      }>`
        select o.handoff_id, o.kind, o.met_at, o.met_within_sla, o.time_to_respond_ms, o.breached_at
        from obligations o join handoffs h on h.id = o.handoff_id
        where ${where} and ((o.met_at >= ${since} and o.met_at < ${to}) or (o.breached_at >= ${since} and o.breached_at < ${to}))`.execute(db);
      const stages = await sql<{ handoff_id: string; to_state: 'no_show' | 'rescheduled' | 'closed'; at: Date; reason_code: string | null; reason_text: string | null }>`
        select a.entity_id as handoff_id, a.to_state, a.at, a.reason_code, a.reason_text
        from audit_log a join handoffs h on h.id = a.entity_id
        where a.entity = 'handoff' and a.to_state in ('no_show', 'rescheduled', 'closed') and a.at >= ${since} and a.at < ${to} and ${where}`.execute(db);
      const findings = await sql<{ handoff_id: string; kind: string; at: Date }>`
        select f.handoff_id, f.kind, f.at
        from handoff_findings f join handoffs h on h.id = f.handoff_id
        where f.kind = 'meeting_deleted' and f.at >= ${since} and f.at < ${to} and ${where}`.execute(db);
      const current = await followupGaps(range.to, teams);
      const previous = await followupGaps(range.from, teams);
      const people = await db.selectFrom('users').select(['id', 'display_name']).execute();

      return {
        handoffs: handoffs.rows.map((r) => ({
          id: r.id,
          leadId: r.lead_id,
          teamId: r.team_id,
          sdrId: r.sdr_id,
          aeId: r.ae_id,
          startedAt: date(r.created_at),
          closedAt: dateOrNull(r.closed_at),
          outcome: r.outcome,
          meetingStart: dateOrNull(r.meeting_start),
          lead: {
            createdAt: date(r.lead_created_at),
            contactName: r.contact_name,
            companyName: r.company_name,
            sourceList: r.source_list,
            missingFields: r.missing === 0 ? [] : checkedFields.filter((_f, i) => (r.missing & (2 ** i)) !== 0),
          },
        })),
        obligations: obligations.rows.map((r) => ({
          handoffId: r.handoff_id,
          kind: r.kind,
          metAt: dateOrNull(r.met_at),
          metWithinSla: r.met_within_sla,
          timeToRespondMs: r.time_to_respond_ms === null ? null : Number(r.time_to_respond_ms),
          breachedAt: dateOrNull(r.breached_at),
        })),
        stages: stages.rows.map((r) => ({ handoffId: r.handoff_id, to: r.to_state, at: date(r.at), reasonCode: r.reason_code, reasonText: r.reason_text })),
        findings: findings.rows.map((r) => ({ handoffId: r.handoff_id, kind: r.kind, at: date(r.at) })),
        followupGaps: { current, previous },
        people: people.map((p) => ({ id: p.id, displayName: p.display_name })),
      };
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
      }>`
        select h.id, h.lead_id, h.team_id, h.stage, h.outcome, h.created_at, h.stage_changed_at,
          coalesce(h.meeting_start, h.slot_start) as meeting_start, l.contact_name, l.company_name, l.source_list,
          h.sdr_id, s.display_name as sdr_name, h.ae_id, a.display_name as ae_name
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
          },
        ];
      });
    },
  };
}
