// Lead-quality ratings (issue 10, item 4): the AE's rating written in the transaction of the outcome it comes with,
// and the counts the rating figures are made of (per period, SDR, source list and score; ticked fields; the newest
// sentences), counted by the database for a range and the period before it, for a set of teams.
// Portable SQL (PostgreSQL 15 and PGlite). Imports: kysely, ./schema, ./report-store (team set), domain types.
import { sql, type Kysely, type SqlBool } from 'kysely';
import type { LeadFieldName } from '../domain/lead';
import type { Rating, RatedOutcome, RatingCounts } from '../domain/rating';
import { previousRangeOf, type ReportRange } from '../domain/report';
import type { Database } from './schema';
import type { TeamSet } from './report-store';

export interface NewRating {
  handoffId: string;
  /** The hand-off's version after the outcome: one rating per outcome. */
  handoffVersion: number;
  leadId: string;
  teamId: string;
  sdrId: string;
  aeId: string;
  outcome: RatedOutcome;
  rating: Rating;
  at: Date;
}

export interface StoredRating extends NewRating {
  id: string;
}

export interface RatingStore {
  /** Writes the rating in the caller's transaction (the outcome's). */
  insert(executor: Kysely<Database>, rating: NewRating): Promise<StoredRating>;
  /** The ratings of a hand-off, oldest first. */
  ofHandoff(handoffId: string): Promise<StoredRating[]>;
  /** The counts of `range` and of the period of the same length before it, for `teams` (newest 3 sentences per SDR). */
  counts(range: ReportRange, teams: TeamSet): Promise<RatingCounts>;
}

const commentsPerSdr = 3;

function teamFilter(teams: TeamSet) {
  if (teams === 'all') return sql<SqlBool>`true`;
  if (teams.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`r.team_id in (${sql.join(teams.map((t) => sql.val(t)))})`;
}

export function createRatingStore(db: Kysely<Database>): RatingStore {
  const fromRow = (r: {
    id: string;
    handoff_id: string;
    handoff_version: number;
    lead_id: string;
    team_id: string;
    sdr_id: string;
    ae_id: string;
    outcome: RatedOutcome;
    score: number;
    fields: string[];
    comment: string | null;
    rated_at: Date | string;
  }): StoredRating => ({
    id: r.id,
    handoffId: r.handoff_id,
    handoffVersion: r.handoff_version,
    leadId: r.lead_id,
    teamId: r.team_id,
    sdrId: r.sdr_id,
    aeId: r.ae_id,
    outcome: r.outcome,
    rating: { score: r.score as Rating['score'], fields: r.fields as LeadFieldName[], comment: r.comment },
    at: r.rated_at instanceof Date ? r.rated_at : new Date(r.rated_at),
  });

  return {
    async insert(executor, rating) {
      const row = await executor
        .insertInto('lead_ratings')
        .values({
          handoff_id: rating.handoffId,
          handoff_version: rating.handoffVersion,
          lead_id: rating.leadId,
          team_id: rating.teamId,
          sdr_id: rating.sdrId,
          ae_id: rating.aeId,
          outcome: rating.outcome,
          score: rating.rating.score,
          fields: [...rating.rating.fields],
          comment: rating.rating.comment,
          rated_at: rating.at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return fromRow(row);
    },

    async ofHandoff(handoffId) {
      const rows = await db.selectFrom('lead_ratings').selectAll().where('handoff_id', '=', handoffId).orderBy('rated_at').orderBy('handoff_version').execute();
      return rows.map(fromRow);
    },

    async counts(range, teams) {
      const previous = previousRangeOf(range);
      const where = sql`r.rated_at >= ${previous.from} and r.rated_at < ${range.to} and ${teamFilter(teams)}`;
      const period = sql`case when r.rated_at >= ${range.from} then 'current' else 'previous' end`;
      const source = sql`nullif(btrim(l.source_list), '')`;
      const result = await sql<{ value: unknown }>`
        select json_build_object(
          'scores', (select json_agg(x) from (
            select ${period} as period, r.sdr_id, ${source} as source, r.score, count(*)::int as count
            from lead_ratings r join leads l on l.id = r.lead_id
            where ${where}
            group by 1, 2, 3, 4) x),
          'fields', (select json_agg(x) from (
            select ${period} as period, r.sdr_id, ${source} as source, f.field, count(*)::int as count
            from lead_ratings r join leads l on l.id = r.lead_id cross join unnest(r.fields) as f(field)
            where ${where}
            group by 1, 2, 3, 4) x),
          'comments', (select json_agg(x order by x.at desc, x.id) from (
            select r.id, r.sdr_id, r.score, r.comment as text, l.company_name, date_part('epoch', r.rated_at) * 1000 as at,
                   row_number() over (partition by r.sdr_id order by r.rated_at desc, r.id) as n
            from lead_ratings r join leads l on l.id = r.lead_id
            where r.rated_at >= ${range.from} and r.rated_at < ${range.to} and r.comment is not null and ${teamFilter(teams)}) x
            where x.n <= ${commentsPerSdr})
        ) as value`.execute(db);
      const raw = result.rows[0]?.value ?? null;
      const value = (typeof raw === 'string' ? JSON.parse(raw) : raw) as {
        scores: { period: 'current' | 'previous'; sdr_id: string; source: string | null; score: number; count: number }[] | null;
        fields: { period: 'current' | 'previous'; sdr_id: string; source: string | null; field: string; count: number }[] | null;
        comments: { sdr_id: string; score: number; text: string; company_name: string; at: number }[] | null;
      } | null;
      return {
        scores: (value?.scores ?? []).map((s) => ({ period: s.period, sdrId: s.sdr_id, source: s.source, score: s.score, count: s.count })),
        fields: (value?.fields ?? []).map((f) => ({ period: f.period, sdrId: f.sdr_id, source: f.source, field: f.field as LeadFieldName, count: f.count })),
        comments: (value?.comments ?? []).map((c) => ({ sdrId: c.sdr_id, score: c.score, text: c.text, companyName: c.company_name, at: new Date(c.at) })),
      };
    },
  };
}
