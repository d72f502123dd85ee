// The AE's lead-quality rating (issue 10, item 4): the rules of a rating given with an outcome (score 1–5, the lead
// fields that were missing or wrong, one sentence) and its figures for the weekly report and the dashboard (average,
// count, distribution, the most-ticked fields; overall, by SDR with the SDR's source lists, by source list; with the
// change from the period before). Pure: no I/O, no clock. Imports: ./lead, ./report (range and period types).
import { fail, leadFieldNames, ok, type LeadFieldName, type Result } from './lead';
import type { ReportRange } from './report';

// ---------------------------------------------------------------------------------------------------------------
// The rating given with an outcome

/** What an AE sends with an outcome. `score` and `fields` arrive unchecked: the rules below decide. */
export interface RatingInput {
  readonly score: number;
  readonly fields?: readonly string[] | undefined;
  readonly comment?: string | null | undefined;
}

export interface Rating {
  readonly score: 1 | 2 | 3 | 4 | 5;
  /** The lead fields that were missing or wrong, in the order ticked. */
  readonly fields: readonly LeadFieldName[];
  /** One sentence, whitespace folded; null when none was given. */
  readonly comment: string | null;
}

/** The outcomes that carry a rating: the meeting happened or was missed. `rescheduled` moves it and rates nothing. */
export const ratedOutcomes = ['sales_qualified', 'hand_back', 'no_show'] as const;
export type RatedOutcome = (typeof ratedOutcomes)[number];

export const maxRatingCommentLength = 280;

const isLeadField = (name: string): name is LeadFieldName => (leadFieldNames as readonly string[]).includes(name);

/**
 * Checks the rating sent with `outcome`. Codes (field): rating_required (`rating`) for an outcome that needs one,
 * rating_not_allowed (`rating`) with `rescheduled`, invalid_score (`rating.score`: not a whole number 1–5),
 * unknown_lead_field and duplicate_lead_field (`rating.fields.<i>`), comment_too_long (`rating.comment`).
 */
export function checkRating(outcome: string, input: RatingInput | undefined): Result<Rating | null> {
  const rated = (ratedOutcomes as readonly string[]).includes(outcome);
  if (!rated) {
    return input === undefined ? ok(null) : fail('rating_not_allowed', 'A rescheduled meeting is not rated: rate the lead with the outcome of the meeting.', 'rating');
  }
  if (input === undefined) return fail('rating_required', 'Rate the lead from 1 to 5 with the outcome.', 'rating');
  const { score } = input;
  if (!Number.isInteger(score) || score < 1 || score > 5) {
    return fail('invalid_score', `The rating must be a whole number from 1 to 5 (got ${String(score)}).`, 'rating.score');
  }
  const fields: LeadFieldName[] = [];
  for (const [i, name] of (input.fields ?? []).entries()) {
    if (!isLeadField(name)) return fail('unknown_lead_field', `"${name}" is not a field of the lead record.`, `rating.fields.${String(i)}`);
    if (fields.includes(name)) return fail('duplicate_lead_field', `"${name}" is ticked twice.`, `rating.fields.${String(i)}`);
    fields.push(name);
  }
  const comment = (input.comment ?? '').replace(/\s+/g, ' ').trim();
  if (comment.length > maxRatingCommentLength) {
    return fail('comment_too_long', `Keep it to one sentence: at most ${String(maxRatingCommentLength)} characters (this one has ${String(comment.length)}).`, 'rating.comment');
  }
  return ok({ score: score as Rating['score'], fields, comment: comment === '' ? null : comment });
}

/** The audit line's text of a rating: "4/5; missing or wrong: budget, phone; <the sentence>". */
export function ratingAuditText(rating: Rating): string {
  const parts = [`${String(rating.score)}/5`];
  if (rating.fields.length > 0) parts.push(`missing or wrong: ${rating.fields.join(', ')}`);
  if (rating.comment !== null) parts.push(rating.comment);
  return parts.join('; ');
}

// ---------------------------------------------------------------------------------------------------------------
// Figures: counted by the database per period, SDR, source list and score (server/store/rating-store.ts)

export type Period = 'current' | 'previous';

/** The ratings of one period, SDR and source list with one score. */
export interface RatingScoreCount {
  readonly period: Period;
  readonly sdrId: string;
  readonly source: string | null;
  readonly score: number;
  readonly count: number;
}

/** How often one field was ticked in one period, SDR and source list. */
export interface RatingFieldCount {
  readonly period: Period;
  readonly sdrId: string;
  readonly source: string | null;
  readonly field: LeadFieldName;
  readonly count: number;
}

/** One sentence an AE wrote, for the manager's per-SDR view. */
export interface RatingComment {
  readonly sdrId: string;
  readonly score: number;
  readonly text: string;
  readonly companyName: string;
  readonly at: Date;
}

export interface RatingCounts {
  readonly scores: readonly RatingScoreCount[];
  readonly fields: readonly RatingFieldCount[];
  /** The current period's sentences, newest first (at most a few per SDR). */
  readonly comments: readonly RatingComment[];
}

/** One rating as stored, for countRatings (the reference the database's counts are tested against). */
export interface RatingRow {
  readonly sdrId: string;
  readonly source: string | null;
  readonly score: number;
  readonly fields: readonly LeadFieldName[];
  readonly comment: string | null;
  readonly companyName: string;
  readonly ratedAt: Date;
}

export interface RatingFigures {
  readonly count: number;
  /** Mean score, two decimals; null without ratings. */
  readonly average: number | null;
  /** How many ratings gave 1, 2, 3, 4, 5 (index 0 is score 1). */
  readonly distribution: readonly [number, number, number, number, number];
  /** Fields ticked as missing or wrong, most ticked first (only those ticked). */
  readonly fields: readonly { readonly field: LeadFieldName; readonly count: number }[];
}

export interface RatingChange {
  readonly count: number;
  readonly average: number | null;
}

export interface RatingGroup {
  readonly current: RatingFigures;
  readonly previous: RatingFigures;
  readonly change: RatingChange;
}

export interface SdrRatings extends RatingGroup {
  readonly sdrId: string;
  readonly label: string;
  /** The SDR's source lists, lowest current average first (unrated last). */
  readonly sources: readonly (RatingGroup & { readonly source: string | null })[];
  readonly comments: readonly RatingComment[];
}

export interface RatingReport {
  readonly total: RatingGroup;
  readonly bySdr: readonly SdrRatings[];
  /** Lowest current average first: the lists that need work lead. */
  readonly bySource: readonly (RatingGroup & { readonly source: string | null })[];
}

const inRange = (at: Date, r: ReportRange): boolean => at.getTime() >= r.from.getTime() && at.getTime() < r.to.getTime();

/** The counts of `rows` in `range` (current) and `previous`, as the database counts them; comments newest first. */
export function countRatings(rows: readonly RatingRow[], range: ReportRange, previous: ReportRange, commentsPerSdr = 3): RatingCounts {
  const scores = new Map<string, RatingScoreCount>();
  const fields = new Map<string, RatingFieldCount>();
  const comments: RatingComment[] = [];
  for (const r of rows) {
    const period: Period | null = inRange(r.ratedAt, range) ? 'current' : inRange(r.ratedAt, previous) ? 'previous' : null;
    if (period === null) continue;
    const key = `${period}|${r.sdrId}|${r.source ?? ''}|${String(r.source === null)}`;
    const s = scores.get(`${key}|${String(r.score)}`);
    scores.set(`${key}|${String(r.score)}`, { period, sdrId: r.sdrId, source: r.source, score: r.score, count: (s?.count ?? 0) + 1 });
    for (const field of r.fields) {
      const f = fields.get(`${key}|${field}`);
      fields.set(`${key}|${field}`, { period, sdrId: r.sdrId, source: r.source, field, count: (f?.count ?? 0) + 1 });
    }
    if (period === 'current' && r.comment !== null) comments.push({ sdrId: r.sdrId, score: r.score, text: r.comment, companyName: r.companyName, at: r.ratedAt });
  }
  comments.sort((a, b) => b.at.getTime() - a.at.getTime());
  const perSdr = new Map<string, number>();
  const kept = comments.filter((c) => {
    const n = perSdr.get(c.sdrId) ?? 0;
    perSdr.set(c.sdrId, n + 1);
    return n < commentsPerSdr;
  });
  return { scores: [...scores.values()], fields: [...fields.values()], comments: kept };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

function figuresOf(scores: readonly RatingScoreCount[], fields: readonly RatingFieldCount[]): RatingFigures {
  const distribution: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  for (const s of scores) {
    if (Number.isInteger(s.score) && s.score >= 1 && s.score <= 5) distribution[s.score - 1] = (distribution[s.score - 1] ?? 0) + s.count;
  }
  const count = distribution.reduce((a, b) => a + b, 0);
  const sum = distribution.reduce((a, n, i) => a + n * (i + 1), 0);
  const ticked = new Map<LeadFieldName, number>();
  for (const f of fields) ticked.set(f.field, (ticked.get(f.field) ?? 0) + f.count);
  const order = (field: LeadFieldName) => leadFieldNames.indexOf(field);
  return {
    count,
    average: count === 0 ? null : round2(sum / count),
    distribution,
    fields: [...ticked.entries()]
      .filter(([, n]) => n > 0)
      .map(([field, n]) => ({ field, count: n }))
      .sort((a, b) => b.count - a.count || order(a.field) - order(b.field)),
  };
}

function groupOf(scores: readonly RatingScoreCount[], fields: readonly RatingFieldCount[]): RatingGroup {
  const current = figuresOf(scores.filter((s) => s.period === 'current'), fields.filter((f) => f.period === 'current'));
  const previous = figuresOf(scores.filter((s) => s.period === 'previous'), fields.filter((f) => f.period === 'previous'));
  return {
    current,
    previous,
    change: {
      count: current.count - previous.count,
      average: current.average === null || previous.average === null ? null : round2(current.average - previous.average),
    },
  };
}

/** Lowest current average first, unrated (only the period before) last, then by name (no source list last). */
function worstFirst<T extends RatingGroup & { source: string | null }>(list: T[]): T[] {
  return list.sort(
    (a, b) =>
      (a.current.average ?? Number.POSITIVE_INFINITY) - (b.current.average ?? Number.POSITIVE_INFINITY) ||
      (a.source ?? '\uffff').localeCompare(b.source ?? '\uffff'),
  );
}

function bySourceOf(scores: readonly RatingScoreCount[], fields: readonly RatingFieldCount[]): (RatingGroup & { source: string | null })[] {
  const sources = new Map<string, string | null>();
  for (const s of scores) sources.set(s.source ?? '\u0000none', s.source);
  return worstFirst(
    [...sources.values()].map((source) => ({
      source,
      ...groupOf(
        scores.filter((s) => s.source === source),
        fields.filter((f) => f.source === source),
      ),
    })),
  );
}

/**
 * The rating figures of the current period and the one before from their counts: overall, per SDR (with the SDR's
 * source lists and newest sentences: the manager's per-SDR view) and per source list. SDRs are sorted by name.
 */
export function ratingReport(counts: RatingCounts, people: readonly { id: string; displayName: string }[]): RatingReport {
  const names = new Map(people.map((p) => [p.id, p.displayName]));
  const sdrIds = [...new Set(counts.scores.map((s) => s.sdrId))];
  const bySdr = sdrIds
    .map((sdrId): SdrRatings => {
      const scores = counts.scores.filter((s) => s.sdrId === sdrId);
      const fields = counts.fields.filter((f) => f.sdrId === sdrId);
      return {
        sdrId,
        label: names.get(sdrId) ?? 'Unknown person',
        ...groupOf(scores, fields),
        sources: bySourceOf(scores, fields),
        comments: counts.comments.filter((c) => c.sdrId === sdrId),
      };
    })
    .sort((a, b) => a.label.localeCompare(b.label) || a.sdrId.localeCompare(b.sdrId));
  return { total: groupOf(counts.scores, counts.fields), bySdr, bySource: bySourceOf(counts.scores, counts.fields) };
}
