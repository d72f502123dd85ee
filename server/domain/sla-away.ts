// The SLA clock while the AE is away: an obligation's deadlines re-planned with the AE's away spans as pauses (the
// working-hour clock stops for them and resumes after), whether the clock is paused now, how much working time the
// pauses took out, and how much is left while it stands still. No step (reminder, breach, second level) is taken
// while the AE is away. Pure: `now` comes in. Imports: ./away, ./sla, ./working-time.
import { awayAt, nextOpenStart, pausesOf, type AwaySpan } from './away';
import { ok, type Result } from './lead';
import { meet, nextWakeAt, planObligation, type Obligation, type SlaPolicy } from './sla';
import { addWorkingTime, workingTimeBetween, type WorkCalendar } from './working-time';

const hourMs = 3_600_000;

export interface AwayPlan {
  /** The obligation with its deadlines re-planned (those already passed by a step stay as they were). */
  readonly obligation: Obligation;
  /** When the timer must look again; null while an open-ended absence runs (the away check wakes it when it ends). */
  readonly wakeAt: Date | null;
  /** The absence running at `now`: the clock stands still. */
  readonly pausedBy: AwaySpan | null;
  /** Working time the absences took out of the clock between the start and `now`. */
  readonly pausedMs: number;
  /** While paused and not yet breached: the working time left on the clock. */
  readonly remainingMs: number | null;
}

/** Working time the pauses took out between `from` and `until`. */
export function pausedWorkingTime(from: Date, until: Date, cal: WorkCalendar, spans: readonly AwaySpan[], horizon: Date): number {
  const pauses = pausesOf(spans, horizon);
  if (pauses.length === 0) return 0;
  return workingTimeBetween(from, until, cal) - workingTimeBetween(from, until, cal, pauses);
}

/**
 * Re-plans a live obligation (open, reminded, breached) with the AE's away spans as known at `now`. An open one gets
 * new reminder, deadline and second level; a reminded one keeps its reminder; a breached one keeps its deadline and
 * moves only its second level. Met, cancelled and escalated obligations come back unchanged.
 */
export function planWithAway(o: Obligation, policy: SlaPolicy, cal: WorkCalendar, spans: readonly AwaySpan[], now: Date): AwayPlan {
  const pauses = pausesOf(spans, now);
  let planned: Obligation = o;
  if (o.state === 'open' || o.state === 'reminded') {
    const plan = planObligation(o.kind, o.startedAt, policy, cal, pauses);
    planned = { ...o, dueAt: plan.dueAt, secondLevelAt: plan.secondLevelAt, remindAt: o.state === 'open' ? plan.remindAt : o.remindAt };
  } else if (o.state === 'breached' && policy.secondLevelAfterWorkingHours !== null) {
    planned = { ...o, secondLevelAt: addWorkingTime(o.dueAt, Math.round(policy.secondLevelAfterWorkingHours * hourMs), cal, pauses) };
  }
  const live = planned.state === 'open' || planned.state === 'reminded' || planned.state === 'breached';
  const pausedBy = live ? awayAt(spans, now) : null;
  const base = nextWakeAt(planned);
  let wakeAt: Date | null = base;
  if (pausedBy !== null) {
    // Nothing is due while the AE is away: look again when they are back (an open end: when the check sees it).
    wakeAt = pausedBy.end === null || base === null ? null : new Date(Math.max(base.getTime(), pausedBy.end.getTime()));
  } else if (base !== null) {
    const open = nextOpenStart(spans, now);
    if (open !== null && open.getTime() < base.getTime()) wakeAt = open;
  }
  const pausedMs = now.getTime() > o.startedAt.getTime() ? pausedWorkingTime(o.startedAt, now, cal, spans, now) : 0;
  const dueMs = Math.round(policy.dueWorkingHours * hourMs);
  const remainingMs =
    pausedBy !== null && (planned.state === 'open' || planned.state === 'reminded')
      ? Math.max(0, dueMs - workingTimeBetween(o.startedAt, now, cal, pauses))
      : null;
  return { obligation: planned, wakeAt, pausedBy, pausedMs, remainingMs };
}

/**
 * The AE answered at `at`: the deadline re-planned with the absences known then, met (late or not) against it, and
 * the time to respond counted without the absences. `pausedMs`: the working time they took out.
 */
export function meetWithAway(
  o: Obligation,
  at: Date,
  policy: SlaPolicy,
  cal: WorkCalendar,
  spans: readonly AwaySpan[],
): Result<{ obligation: Obligation; pausedMs: number }> {
  const planned = planWithAway(o, policy, cal, spans, at).obligation;
  const met = meet(planned, at, cal, pausesOf(spans, at));
  if (!met.ok) return met;
  return ok({ obligation: met.value, pausedMs: at.getTime() > o.startedAt.getTime() ? pausedWorkingTime(o.startedAt, at, cal, spans, at) : 0 });
}
