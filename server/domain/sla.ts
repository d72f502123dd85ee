// The SLA of a hand-off: each obligation ("AE replies to the intro", "AE accepts the invite") is a state machine
// open → reminded → breached → escalated, ending met or cancelled, with deadlines counted in the AE's working time.
// One guarded transition function; `nextStep` tells the engine's timer sweep what is due. Pure: `now` comes in.
// Imports: zod, ./lead (Result), ./working-time.
import { z } from 'zod';
import { fail, ok, type Result } from './lead';
import { addWorkingTime, workingTimeBetween, type Pauses, type WorkCalendar } from './working-time';

export const obligationKinds = ['ae_reply', 'ae_accept'] as const;
export type ObligationKind = (typeof obligationKinds)[number];

export const obligationKindLabels: Readonly<Record<ObligationKind, string>> = {
  ae_reply: 'AE replies to the intro',
  ae_accept: 'AE accepts the invite',
};

export const obligationStates = ['open', 'reminded', 'breached', 'escalated', 'met', 'cancelled'] as const;
export type ObligationState = (typeof obligationStates)[number];

/**
 * Every allowed move. `open → breached` skips the reminder when the deadline has already passed (a server that was
 * down, or a policy without reminder): a reminder after the deadline helps nobody. Met late is still met.
 */
export const obligationTransitions: Readonly<Record<ObligationState, readonly ObligationState[]>> = {
  open: ['reminded', 'breached', 'met', 'cancelled'],
  reminded: ['breached', 'met', 'cancelled'],
  breached: ['escalated', 'met', 'cancelled'],
  escalated: ['met', 'cancelled'],
  met: [],
  cancelled: [],
};

export const isObligationTransitionAllowed = (from: ObligationState, to: ObligationState): boolean =>
  obligationTransitions[from].includes(to);

/** A team's SLA. Hours are working hours of the AE. */
export interface SlaPolicy {
  /** Deadline after the intro was sent (or the invite, for `ae_accept`). */
  readonly dueWorkingHours: number;
  /** Share of the time after which the AE is reminded (0.5: half-way); null: no reminder. */
  readonly reminderShare: number | null;
  /** Second-level escalation (to the next manager) this long after the deadline; null: none. */
  readonly secondLevelAfterWorkingHours: number | null;
}

const slaPolicySchema = z.strictObject({
  dueWorkingHours: z.number().positive().max(24 * 365),
  reminderShare: z.number().gt(0).lt(1).nullable(),
  secondLevelAfterWorkingHours: z.number().positive().max(24 * 365).nullable(),
});

/** Validates a team's policy (settings, API). Code `invalid_sla_policy`, the field named. */
export function parseSlaPolicy(input: unknown): Result<SlaPolicy> {
  const parsed = slaPolicySchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0];
  return fail('invalid_sla_policy', issue?.message ?? 'Invalid SLA policy.', issue?.path.join('.') || undefined);
}

export interface ObligationPlan {
  readonly dueAt: Date;
  /** Null when the policy has no reminder. */
  readonly remindAt: Date | null;
  /** Null when the policy has no second level. */
  readonly secondLevelAt: Date | null;
}

const hourMs = 3_600_000;

/**
 * The deadlines of an obligation started at `startedAt`, in the AE's working time (rounded to the millisecond).
 * `kind` is accepted for symmetry and future per-kind policies; both kinds use the same policy today.
 */
export function planObligation(
  _kind: ObligationKind,
  startedAt: Date,
  policy: SlaPolicy,
  cal: WorkCalendar,
  pauses: Pauses = [],
): ObligationPlan {
  const dueMs = Math.round(policy.dueWorkingHours * hourMs);
  const dueAt = addWorkingTime(startedAt, dueMs, cal, pauses);
  const remindAt = policy.reminderShare === null ? null : addWorkingTime(startedAt, Math.round(dueMs * policy.reminderShare), cal, pauses);
  const secondLevelAt =
    policy.secondLevelAfterWorkingHours === null
      ? null
      : addWorkingTime(dueAt, Math.round(policy.secondLevelAfterWorkingHours * hourMs), cal, pauses);
  return { dueAt, remindAt, secondLevelAt };
}

export type ObligationCancelReason =
  | 'handoff_closed' // outcome recorded, hand-off withdrawn
  | 'invite_replaced' // a new invite restarts the acceptance obligation
  | 'handoff_reassigned' // a manager gave the hand-off to another AE
  | 'deadline_extended'; // a manager gave the AE more time: a new obligation with the new plan replaces it

export const obligationCancelReasons: readonly ObligationCancelReason[] = ['handoff_closed', 'invite_replaced', 'handoff_reassigned', 'deadline_extended'];

/** One obligation as the domain sees it; the store adds ids. Each timestamp records when that state was entered. */
export interface Obligation extends ObligationPlan {
  readonly kind: ObligationKind;
  readonly state: ObligationState;
  readonly startedAt: Date;
  readonly remindedAt: Date | null;
  readonly breachedAt: Date | null;
  readonly escalatedAt: Date | null;
  readonly metAt: Date | null;
  /** Working time from start to answer (ms), set when met. */
  readonly timeToRespondMs: number | null;
  /** Whether the answer came by `dueAt`, set when met. */
  readonly metWithinSla: boolean | null;
  readonly cancelledAt: Date | null;
  readonly cancelReason: ObligationCancelReason | null;
}

/** A new obligation in state `open`, its deadlines planned. */
export function openObligation(
  kind: ObligationKind,
  startedAt: Date,
  policy: SlaPolicy,
  cal: WorkCalendar,
  pauses: Pauses = [],
): Obligation {
  return {
    kind,
    state: 'open',
    startedAt,
    ...planObligation(kind, startedAt, policy, cal, pauses),
    remindedAt: null,
    breachedAt: null,
    escalatedAt: null,
    metAt: null,
    timeToRespondMs: null,
    metWithinSla: null,
    cancelledAt: null,
    cancelReason: null,
  };
}

export type ObligationStep = 'remind' | 'breach' | 'escalate';

export const stepTargets: Readonly<Record<ObligationStep, 'reminded' | 'breached' | 'escalated'>> = {
  remind: 'reminded',
  breach: 'breached',
  escalate: 'escalated',
};

/**
 * What the timer sweep must do now, or null. Past the deadline an open obligation is breached without a reminder;
 * after a breach the second level follows on a later sweep (each step is its own transition and its own mail).
 */
export function nextStep(obligation: Obligation, now: Date): ObligationStep | null {
  const t = now.getTime();
  switch (obligation.state) {
    case 'open':
      if (t >= obligation.dueAt.getTime()) return 'breach';
      if (obligation.remindAt !== null && t >= obligation.remindAt.getTime()) return 'remind';
      return null;
    case 'reminded':
      return t >= obligation.dueAt.getTime() ? 'breach' : null;
    case 'breached':
      return obligation.secondLevelAt !== null && t >= obligation.secondLevelAt.getTime() ? 'escalate' : null;
    case 'escalated':
    case 'met':
    case 'cancelled':
      return null;
  }
}

/** When the sweep should next look at this obligation (for a durable timer), or null when nothing more is due. */
export function nextWakeAt(obligation: Obligation): Date | null {
  switch (obligation.state) {
    case 'open':
      return obligation.remindAt !== null && obligation.remindAt < obligation.dueAt ? obligation.remindAt : obligation.dueAt;
    case 'reminded':
      return obligation.dueAt;
    case 'breached':
      return obligation.secondLevelAt;
    case 'escalated':
    case 'met':
    case 'cancelled':
      return null;
  }
}

export type ObligationTransition =
  | { readonly to: 'reminded' | 'breached' | 'escalated'; readonly at: Date }
  | { readonly to: 'met'; readonly at: Date; readonly cal: WorkCalendar; readonly pauses?: Pauses }
  | { readonly to: 'cancelled'; readonly at: Date; readonly reason: ObligationCancelReason }
  | { readonly to: 'open'; readonly at: Date };

/**
 * The one way an obligation changes state. Refusals (stable codes): `illegal_transition` (not in the table),
 * `too_early` (the reminder, deadline or second level is not reached at `at`), `no_reminder` / `no_second_level`
 * (the policy has none), `answer_before_start` (met before the obligation started), `invalid_cancel_reason`.
 */
export function transitionObligation(obligation: Obligation, request: ObligationTransition): Result<Obligation> {
  const from = obligation.state;
  const to = request.to;
  if (!isObligationTransitionAllowed(from, to)) {
    return fail('illegal_transition', `An obligation cannot move from ${from} to ${to}.`, 'state');
  }
  const at = request.at;
  const t = at.getTime();
  switch (request.to) {
    case 'reminded':
      if (obligation.remindAt === null) return fail('no_reminder', 'The policy plans no reminder.', 'remindAt');
      if (t < obligation.remindAt.getTime()) return fail('too_early', `The reminder is due at ${obligation.remindAt.toISOString()}.`, 'remindAt');
      return ok({ ...obligation, state: 'reminded', remindedAt: at });
    case 'breached':
      if (t < obligation.dueAt.getTime()) return fail('too_early', `The deadline is ${obligation.dueAt.toISOString()}.`, 'dueAt');
      return ok({ ...obligation, state: 'breached', breachedAt: at });
    case 'escalated':
      if (obligation.secondLevelAt === null) return fail('no_second_level', 'The policy plans no second level.', 'secondLevelAt');
      if (t < obligation.secondLevelAt.getTime()) {
        return fail('too_early', `The second level is due at ${obligation.secondLevelAt.toISOString()}.`, 'secondLevelAt');
      }
      return ok({ ...obligation, state: 'escalated', escalatedAt: at });
    case 'met': {
      if (t < obligation.startedAt.getTime()) {
        return fail('answer_before_start', 'The answer is older than the obligation.', 'metAt');
      }
      return ok({
        ...obligation,
        state: 'met',
        metAt: at,
        timeToRespondMs: workingTimeBetween(obligation.startedAt, at, request.cal, request.pauses ?? []),
        metWithinSla: t <= obligation.dueAt.getTime(),
      });
    }
    case 'cancelled':
      if (!obligationCancelReasons.includes(request.reason)) {
        return fail('invalid_cancel_reason', `Unknown cancel reason "${request.reason}".`, 'cancelReason');
      }
      return ok({ ...obligation, state: 'cancelled', cancelledAt: at, cancelReason: request.reason });
    case 'open':
      // Never in the table: an obligation is opened by `openObligation`, not re-opened.
      return fail('illegal_transition', `An obligation cannot move from ${from} to open.`, 'state');
  }
}

/** Applies what `nextStep` said is due at `now`. */
export const applyStep = (obligation: Obligation, step: ObligationStep, now: Date): Result<Obligation> =>
  transitionObligation(obligation, { to: stepTargets[step], at: now });

/** The AE answered (replied to the intro, accepted the invite) at `at`: met, late or not. */
export const meet = (obligation: Obligation, at: Date, cal: WorkCalendar, pauses: Pauses = []): Result<Obligation> =>
  transitionObligation(obligation, { to: 'met', at, cal, pauses });

/** Cancels an obligation that is still running (any state but met/cancelled). */
export const cancelObligation = (obligation: Obligation, at: Date, reason: ObligationCancelReason): Result<Obligation> =>
  transitionObligation(obligation, { to: 'cancelled', at, reason });

/**
 * A new invite restarts acceptance: the running `ae_accept` obligation is cancelled (`invite_replaced`) and a new
 * one opened from `at`. Refused with `wrong_kind` for an `ae_reply` obligation, or the cancel's own code (an
 * already met or cancelled obligation: `illegal_transition`; the caller then just opens a new one if it wants).
 */
export function restartAcceptance(
  current: Obligation,
  at: Date,
  policy: SlaPolicy,
  cal: WorkCalendar,
  pauses: Pauses = [],
): Result<{ cancelled: Obligation; opened: Obligation }> {
  if (current.kind !== 'ae_accept') return fail('wrong_kind', 'Only the acceptance obligation restarts with a new invite.', 'kind');
  const cancelled = cancelObligation(current, at, 'invite_replaced');
  if (!cancelled.ok) return cancelled;
  return ok({ cancelled: cancelled.value, opened: openObligation('ae_accept', at, policy, cal, pauses) });
}

/**
 * A manager gives the AE `workingHours` more, from `at`: the running obligation is cancelled (`deadline_extended`,
 * keeping whatever reminder, breach or escalation it saw, so reports still count them) and a new one replaces it,
 * started when the old one started (the time to respond still counts from the intro) but due `workingHours` of the
 * AE's working time after `at`, with the reminder at `reminderShare` of that time and the second level after it.
 * Refused with `invalid_hours` when the hours are not positive, or the cancel's own code (met, cancelled).
 */
export function extendObligation(
  current: Obligation,
  at: Date,
  workingHours: number,
  policy: SlaPolicy,
  cal: WorkCalendar,
  pauses: Pauses = [],
): Result<{ cancelled: Obligation; opened: Obligation }> {
  if (!(workingHours > 0) || workingHours > 200) return fail('invalid_hours', 'Give between 0 and 200 more working hours.', 'hours');
  const cancelled = cancelObligation(current, at, 'deadline_extended');
  if (!cancelled.ok) return cancelled;
  const plan = planObligation(current.kind, at, { ...policy, dueWorkingHours: workingHours }, cal, pauses);
  return ok({ cancelled: cancelled.value, opened: { ...openObligation(current.kind, current.startedAt, policy, cal, pauses), ...plan } });
}
