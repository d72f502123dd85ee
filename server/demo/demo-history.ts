// Demo history for `npm start`: the past hand-offs of the demo leads that reached suspect, Sales Qualified or were
// handed back (about six weeks), with their stage trail, settled SLA obligations (met in time, breached, escalated),
// no-shows, reschedules, hand-back reasons, the AEs' ratings of the leads (varied scores and ticked fields, lower
// for some source lists) and follow-ups, so the reports show real numbers. Everything is settled: no open
// obligation, no outbox row, a future follow-up on every lead. Deterministic. Imports: kysely, store schema.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

export interface DemoHistoryResult {
  handoffs: number;
  obligations: number;
  followups: number;
  ratings: number;
}

interface Step {
  to: string;
  at: Date;
  by: string;
  reasonCode?: string | null;
  reasonText?: string | null;
}

/**
 * Writes one hand-off per demo lead in suspect, sales_qualified, handed_back or nurture, starting when the lead
 * became suspect and, for the others, closing when the AE recorded the outcome. Call once, after the leads exist.
 */
export async function loadDemoHistory(db: Kysely<Database>, options: { now: Date }): Promise<DemoHistoryResult> {
  return db.transaction().execute((trx) => writeHistory(trx, options.now));
}

async function writeHistory(trx: Transaction<Database>, now: Date): Promise<DemoHistoryResult> {
  const leads = await trx
    .selectFrom('leads')
    .select(['id', 'team_id', 'sdr_id', 'ae_id', 'status', 'demo_requested', 'source_list'])
    .where('status', 'in', ['suspect', 'sales_qualified', 'handed_back', 'nurture'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const audits = await trx
    .selectFrom('audit_log')
    .select(['entity_id', 'to_state', 'at', 'reason_code', 'reason_text'])
    .where('entity', '=', 'lead')
    .where('to_state', 'in', ['suspect', 'sales_qualified', 'handed_back'])
    .execute();
  const trail = new Map<string, Map<string, { at: Date; reasonCode: string | null; reasonText: string | null }>>();
  for (const a of audits) {
    const byState = trail.get(a.entity_id) ?? new Map<string, { at: Date; reasonCode: string | null; reasonText: string | null }>();
    trail.set(a.entity_id, byState);
    byState.set(a.to_state, { at: new Date(a.at), reasonCode: a.reason_code, reasonText: a.reason_text });
  }

  const result: DemoHistoryResult = { handoffs: 0, obligations: 0, followups: 0, ratings: 0 };
  let k = 0;
  for (const lead of leads) {
    const states = trail.get(lead.id);
    const suspect = states?.get('suspect');
    if (lead.ae_id === null || states === undefined || suspect === undefined) continue;
    const aeId = lead.ae_id;
    const closing = states.get('sales_qualified') ?? states.get('handed_back') ?? null;
    const outcome = states.has('sales_qualified') ? 'sales_qualified' : closing === null ? null : 'hand_back';

    const start = suspect.at;
    const introAt = new Date(start.getTime() + 20 * minute);
    const meetingStart = new Date(start.getTime() + day + (k % 5) * hour);
    const closeAt = closing?.at ?? null;

    // The stage trail, varied: straight through, a no-show then a new meeting, or a reschedule before it.
    const steps: Step[] = [
      { to: 'intro_composed', at: start, by: lead.sdr_id },
      { to: 'intro_sent', at: introAt, by: lead.sdr_id },
      { to: 'invite_sent', at: new Date(introAt.getTime() + 30 * minute), by: lead.sdr_id },
    ];
    const accept = acceptance(k, introAt);
    steps.push({ to: 'accepted', at: accept.metAt, by: aeId });
    let meeting = meetingStart;
    if (k % 6 === 1) {
      steps.push({ to: 'no_show', at: new Date(meetingStart.getTime() + hour), by: aeId });
      steps.push({ to: 'rescheduled', at: new Date(meetingStart.getTime() + 2 * hour), by: aeId });
      meeting = new Date(meetingStart.getTime() + 5 * hour);
      steps.push({ to: 'accepted', at: new Date(meetingStart.getTime() + 3 * hour), by: aeId });
    } else if (k % 6 === 4) {
      steps.push({ to: 'rescheduled', at: new Date(meetingStart.getTime() - 3 * hour), by: aeId });
      meeting = new Date(meetingStart.getTime() + 3 * hour);
      steps.push({ to: 'accepted', at: new Date(meetingStart.getTime() - 2 * hour), by: aeId });
    }
    const meetingEnd = new Date(meeting.getTime() + 30 * minute);
    const heldBy = closeAt ?? now;
    if (meetingEnd.getTime() <= heldBy.getTime()) steps.push({ to: 'met', at: meetingEnd, by: aeId });
    if (closeAt !== null) {
      steps.push({
        to: 'closed',
        at: closeAt,
        by: aeId,
        reasonCode: outcome === 'hand_back' ? closing?.reasonCode ?? 'other' : null,
        reasonText: outcome === 'hand_back' ? closing?.reasonText ?? null : null,
      });
    }
    const last = steps[steps.length - 1] ?? { to: 'intro_composed', at: start };

    const handoff = await trx
      .insertInto('handoffs')
      .values({
        lead_id: lead.id,
        team_id: lead.team_id,
        sdr_id: lead.sdr_id,
        ae_id: aeId,
        stage: last.to,
        stage_changed_at: last.at,
        created_at: start,
        intro_sent_at: introAt,
        meeting_start: meeting,
        meeting_end: meetingEnd,
        demo_requested: lead.demo_requested,
        outcome,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    result.handoffs += 1;

    let from: string | null = null;
    await trx
      .insertInto('audit_log')
      .values(
        steps.map((s) => {
          const row = { entity: 'handoff' as const, entity_id: handoff.id, actor_id: s.by, at: s.at, from_state: from, to_state: s.to, reason_code: s.reasonCode ?? null, reason_text: s.reasonText ?? null };
          from = s.to;
          return row;
        }),
      )
      .execute();

    // The AE's ratings: of the no-show, and of the outcome that closed the hand-off.
    const rated = steps.flatMap((step, i) =>
      step.to === 'no_show' || (step.to === 'closed' && outcome !== null)
        ? [{ at: step.at, version: i + 1, outcome: step.to === 'no_show' ? ('no_show' as const) : outcome === 'sales_qualified' ? ('sales_qualified' as const) : ('hand_back' as const), stage: step.to }]
        : [],
    );
    for (const r of rated) {
      const rating = demoRating(k + r.version, r.outcome, lead.source_list);
      await trx
        .insertInto('lead_ratings')
        .values({ handoff_id: handoff.id, handoff_version: r.version, lead_id: lead.id, team_id: lead.team_id, sdr_id: lead.sdr_id, ae_id: aeId, outcome: r.outcome, score: rating.score, fields: rating.fields, comment: rating.comment, rated_at: r.at })
        .execute();
      const text = [`${String(rating.score)}/5`, ...(rating.fields.length === 0 ? [] : [`missing or wrong: ${rating.fields.join(', ')}`]), ...(rating.comment === null ? [] : [rating.comment])].join('; ');
      await trx
        .insertInto('audit_log')
        .values({ entity: 'handoff', entity_id: handoff.id, actor_id: aeId, at: r.at, from_state: r.stage, to_state: 'rated', reason_code: r.outcome, reason_text: text })
        .execute();
      result.ratings += 1;
    }

    // The AE's acceptance, and on every other hand-off the AE's first reply to the intro.
    const obligations: Array<Settled & { kind: 'ae_reply' | 'ae_accept' }> = [{ kind: 'ae_accept', ...accept }];
    if (k % 2 === 0) obligations.push({ kind: 'ae_reply', ...reply(k, introAt) });
    await trx
      .insertInto('obligations')
      .values(
        obligations.map((o) => ({
          handoff_id: handoff.id,
          kind: o.kind,
          status: 'met',
          started_at: introAt,
          due_at: o.dueAt,
          remind_at: new Date(introAt.getTime() + (o.dueAt.getTime() - introAt.getTime()) / 2),
          second_level_at: new Date(o.dueAt.getTime() + 4 * hour),
          reminded_at: o.remindedAt,
          breached_at: o.breachedAt,
          escalated_at: o.escalatedAt,
          met_at: o.metAt,
          time_to_respond_ms: o.metAt.getTime() - introAt.getTime(),
          met_within_sla: o.breachedAt === null,
          next_check_at: null,
        })),
      )
      .execute();
    result.obligations += obligations.length;

    // Follow-ups: a done call after the meeting, and the next one, set some days later (so earlier weeks show leads
    // without a future follow-up) and due after `now` (so the daily check has nothing to flag).
    const owner = outcome === 'sales_qualified' ? aeId : lead.sdr_id;
    const after = closeAt ?? meetingEnd;
    const doneDue = new Date(after.getTime() + 2 * day);
    const nextSet = new Date(Math.min(after.getTime() + (1 + (k % 4) * 4) * day, now.getTime() - hour));
    const followups = [
      { due_at: new Date(now.getTime() + (3 + (k % 10)) * day), created_at: nextSet, note: outcome === 'hand_back' ? 'Check in again when the budget or timing changes.' : 'Next call: agree on the proposal scope.' },
    ];
    if (doneDue.getTime() < now.getTime()) {
      followups.push({ due_at: doneDue, created_at: new Date(after.getTime() + hour), note: 'Send the meeting summary and the case study.' });
    }
    await trx
      .insertInto('followups')
      .values(followups.map((f, i) => ({ lead_id: lead.id, owner_id: owner, due_at: f.due_at, note: f.note, created_at: f.created_at, done_at: i === 1 ? f.due_at : null })))
      .execute();
    result.followups += followups.length;
    k += 1;
  }
  return result;
}

interface Settled {
  dueAt: Date;
  metAt: Date;
  remindedAt: Date | null;
  breachedAt: Date | null;
  escalatedAt: Date | null;
}

/** The AE's acceptance: mostly within the 8-hour SLA, one in five late, one in ten escalated before it was met. */
function acceptance(k: number, startedAt: Date): Settled {
  const dueAt = new Date(startedAt.getTime() + 8 * hour);
  if (k % 10 === 3) {
    return { dueAt, metAt: new Date(dueAt.getTime() + 6 * hour), remindedAt: new Date(startedAt.getTime() + 4 * hour), breachedAt: dueAt, escalatedAt: new Date(dueAt.getTime() + 4 * hour) };
  }
  if (k % 5 === 2) {
    return { dueAt, metAt: new Date(dueAt.getTime() + (1 + (k % 3)) * hour), remindedAt: new Date(startedAt.getTime() + 4 * hour), breachedAt: dueAt, escalatedAt: null };
  }
  return { dueAt, metAt: new Date(startedAt.getTime() + (30 + ((k * 47) % 400)) * minute), remindedAt: null, breachedAt: null, escalatedAt: null };
}

/** The AE's first reply to the intro: within 4 hours, except one in seven. */
function reply(k: number, startedAt: Date): Settled {
  const dueAt = new Date(startedAt.getTime() + 4 * hour);
  if (k % 7 === 0) return { dueAt, metAt: new Date(dueAt.getTime() + 2 * hour), remindedAt: new Date(startedAt.getTime() + 2 * hour), breachedAt: dueAt, escalatedAt: null };
  return { dueAt, metAt: new Date(startedAt.getTime() + (15 + ((k * 31) % 180)) * minute), remindedAt: null, breachedAt: null, escalatedAt: null };
}

const ratedFields = ['budget', 'decisionMaker', 'needs', 'phone', 'title', 'currentSolution', 'employeeCount', 'competitors'] as const;
const ratingSentences: Record<'sales_qualified' | 'hand_back' | 'no_show', readonly (string | null)[]> = {
  sales_qualified: ['Well prepared: the needs were exactly as written.', null, 'Good lead, but the budget had to be found in the call.', null],
  hand_back: ['The budget in the record was a guess.', 'Not the person who decides.', null, 'The needs did not match what we sell.'],
  no_show: ['Wrong phone number, could not reach them.', null, 'They did not know about the meeting.'],
};

/** A varied rating: higher for Sales Qualified, lower for hand-backs and no-shows, lower again for some source lists. */
function demoRating(k: number, outcome: 'sales_qualified' | 'hand_back' | 'no_show', sourceList: string | null): { score: number; fields: string[]; comment: string | null } {
  let sum = 0;
  for (let i = 0; i < (sourceList ?? '').length; i += 1) sum += (sourceList ?? '').charCodeAt(i);
  const listPenalty = sourceList === null || sum % 3 === 0 ? 1 : 0;
  const base = outcome === 'sales_qualified' ? 5 - (k % 3) : outcome === 'hand_back' ? 3 - (k % 3) : 2 + (k % 2);
  const score = Math.min(5, Math.max(1, base - listPenalty));
  const count = score >= 5 ? 0 : score === 4 ? k % 2 : 1 + ((k + score) % 3);
  const fields = Array.from({ length: count }, (_x, i) => ratedFields[(k * 3 + i * 5) % ratedFields.length] ?? 'budget').filter((f, i, all) => all.indexOf(f) === i);
  const sentences = ratingSentences[outcome];
  return { score, fields, comment: sentences[k % sentences.length] ?? null };
}

