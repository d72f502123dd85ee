// The two state machines of a hand-off: the lead's status (new → … → sales_qualified / handed_back) and the
// hand-off's stage (intro → invite → meeting → closed). Each is a table plus one guarded transition function that
// returns the new state and its audit entry. Pure. Imports: zod, ./lead, ./lead-validation, ./qualification,
// ./access.
import { z } from 'zod';
import { canEditLead } from './access';
import {
  fail,
  ok,
  type Actor,
  type AuditEntry,
  type Lead,
  type LeadStatus,
  type Result,
} from './lead';
import { maxFreeTextLength, type FieldError } from './lead-validation';
import { zodFieldErrors, type Qualification } from './qualification';

// ---------------------------------------------------------------------------------------------------------------
// Lead status

/** Every allowed move of a lead's status. Anything not listed is illegal. */
export const leadTransitions: Readonly<Record<LeadStatus, readonly LeadStatus[]>> = {
  new: ['working', 'disqualified'],
  working: ['qualified', 'disqualified'],
  // Back to working when the data turns out wrong.
  qualified: ['suspect', 'working'],
  suspect: ['sales_qualified', 'handed_back'],
  sales_qualified: [],
  handed_back: ['nurture', 'disqualified'],
  // Re-engaged.
  nurture: ['working'],
  disqualified: [],
};

export const isLeadTransitionAllowed = (from: LeadStatus, to: LeadStatus): boolean =>
  leadTransitions[from].includes(to);

/** The outcome moves, which only the lead's AE (or a manager of its team, or an admin) may make. */
const outcomeStatuses: readonly LeadStatus[] = ['sales_qualified', 'handed_back'];

export interface HandBackReason {
  code: string;
  label: string;
}

const handBackReasonsSchema = z
  .array(
    z.strictObject({
      code: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case, e.g. no_budget'),
      label: z.string().trim().min(1).max(200),
    }),
  )
  .min(1)
  .superRefine((reasons, ctx) => {
    reasons.forEach((reason, i) => {
      if (reasons.findIndex((r) => r.code === reason.code) !== i) {
        ctx.addIssue({ code: 'custom', path: [i, 'code'], message: `"${reason.code}" is listed twice.`, params: { code: 'duplicate' } });
      }
    });
  });

/** Validates the hand-back reasons read from JSON (server/settings/hand-back-reasons.json): an array. */
export function parseHandBackReasons(json: unknown): Result<HandBackReason[], FieldError[]> {
  const parsed = handBackReasonsSchema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: zodFieldErrors(parsed.error) };
}

export type LeadForTransition = Pick<Lead, 'id' | 'status' | 'teamId' | 'ownerId' | 'sdrId' | 'aeId'> &
  Partial<Pick<Lead, 'handBackReason' | 'handBackText'>>;

export interface LeadTransitionRequest {
  to: LeadStatus;
  reasonCode?: string | null;
  reasonText?: string | null;
  /** The AE to hand off to; used only by the move to `suspect` (defaults to the lead's AE). */
  aeId?: string | null;
}

export interface LeadTransitionContext {
  actor: Actor;
  now: Date;
  /** The lead's current qualification (qualify(fields, criteria)). */
  qualification: Qualification;
  handBackReasons: readonly HandBackReason[];
}

/** The lead after the move: what to write back, and the audit line to append in the same transaction. */
export interface LeadTransitionOutcome {
  status: LeadStatus;
  ownerId: string;
  aeId: string | null;
  handBackReason: string | null;
  handBackText: string | null;
  audit: AuditEntry;
}

const blankToNull = (text: string | null | undefined): string | null => {
  const trimmed = text?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
};

/** Admins and the team's managers make any move; the lead's AE the outcome; the owning SDR the others. */
function mayMoveLead(actor: Actor, lead: LeadForTransition, to: LeadStatus): boolean {
  if (actor.role === 'admin') return true;
  if (actor.role === 'manager') return actor.teamId !== null && actor.teamId === lead.teamId;
  if (outcomeStatuses.includes(to)) return actor.role === 'ae' && lead.aeId !== null && actor.userId === lead.aeId;
  return actor.role === 'sdr' && canEditLead(actor, lead);
}

/**
 * Moves a lead to `request.to` if the table allows it, the actor may, and the move's guard holds.
 * Error codes: illegal_transition, forbidden, not_qualified, ae_required, reason_required, unknown_reason,
 * reason_text_required, too_long.
 */
export function transitionLead(
  lead: LeadForTransition,
  request: LeadTransitionRequest,
  ctx: LeadTransitionContext,
): Result<LeadTransitionOutcome> {
  const { to } = request;
  const from = lead.status;
  if (!isLeadTransitionAllowed(from, to)) {
    return fail('illegal_transition', `A lead cannot move from ${from} to ${to}.`, 'status');
  }
  if (!mayMoveLead(ctx.actor, lead, to)) {
    return fail('forbidden', `You may not move this lead from ${from} to ${to}.`);
  }

  const reasonCode = blankToNull(request.reasonCode);
  const reasonText = blankToNull(request.reasonText);
  if (reasonText !== null && reasonText.length > maxFreeTextLength) {
    return fail('too_long', `The reason has ${reasonText.length} characters; at most ${maxFreeTextLength} are allowed.`, 'reasonText');
  }
  let ownerId = lead.ownerId;
  let aeId = lead.aeId;
  let handBackReason = lead.handBackReason ?? null;
  let handBackText = lead.handBackText ?? null;

  switch (to) {
    case 'qualified':
    case 'suspect': {
      // Checked again at hand-off: the data may have been edited since the lead was qualified.
      if (!ctx.qualification.qualified) {
        const missing = ctx.qualification.missing.map((m) => m.label).join(', ');
        return fail('not_qualified', `The lead is not qualified yet; missing: ${missing}.`);
      }
      if (to === 'suspect') {
        aeId = blankToNull(request.aeId) ?? lead.aeId;
        if (aeId === null) return fail('ae_required', 'Choose the AE to hand the lead to.', 'aeId');
        // A new hand-off: the previous hand-back no longer describes the lead.
        handBackReason = null;
        handBackText = null;
      }
      break;
    }
    case 'sales_qualified': {
      if (lead.aeId === null) return fail('ae_required', 'The lead has no AE to take it over.', 'aeId');
      ownerId = lead.aeId;
      break;
    }
    case 'handed_back': {
      if (reasonCode === null) return fail('reason_required', 'Choose why the lead is handed back.', 'reasonCode');
      if (!ctx.handBackReasons.some((r) => r.code === reasonCode)) {
        return fail('unknown_reason', `"${reasonCode}" is not a hand-back reason.`, 'reasonCode');
      }
      if (reasonText === null) return fail('reason_text_required', 'Say in a few words why the lead is handed back.', 'reasonText');
      ownerId = lead.sdrId;
      handBackReason = reasonCode;
      handBackText = reasonText;
      break;
    }
    case 'new':
    case 'working':
    case 'nurture':
    case 'disqualified':
      break;
  }

  return ok({
    status: to,
    ownerId,
    aeId,
    handBackReason,
    handBackText,
    audit: {
      entity: 'lead',
      entityId: lead.id,
      actorId: ctx.actor.userId,
      at: ctx.now,
      from,
      to,
      reasonCode,
      reasonText,
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Hand-off stage

export const handoffStages = [
  'intro_composed',
  'intro_sent',
  'invite_sent',
  'accepted',
  'declined',
  'met',
  'no_show',
  'rescheduled',
  'closed',
] as const;
export type HandoffStage = (typeof handoffStages)[number];

/** Every allowed move of a hand-off's stage. Any stage but `closed` may close (the hand-off is cancelled). */
export const handoffTransitions: Readonly<Record<HandoffStage, readonly HandoffStage[]>> = {
  intro_composed: ['intro_sent', 'closed'],
  intro_sent: ['invite_sent', 'closed'],
  invite_sent: ['accepted', 'declined', 'closed'],
  accepted: ['met', 'no_show', 'rescheduled', 'closed'],
  // A new invite after a decline.
  declined: ['invite_sent', 'closed'],
  met: ['closed'],
  no_show: ['rescheduled', 'closed'],
  // A new invite, or the moved meeting accepted.
  rescheduled: ['invite_sent', 'accepted', 'closed'],
  closed: [],
};

export const isHandoffTransitionAllowed = (from: HandoffStage, to: HandoffStage): boolean =>
  handoffTransitions[from].includes(to);

export interface HandoffTransitionContext {
  /** Null when Baton itself moves the stage (a notification from the mailbox). */
  actorId: string | null;
  now: Date;
  reasonCode?: string | null;
  reasonText?: string | null;
}

/** Moves a hand-off to `to` if the table allows it (else `illegal_transition`). */
export function transitionHandoff(
  handoff: { id: string; stage: HandoffStage },
  to: HandoffStage,
  ctx: HandoffTransitionContext,
): Result<{ stage: HandoffStage; audit: AuditEntry }> {
  const from = handoff.stage;
  if (!isHandoffTransitionAllowed(from, to)) {
    return fail('illegal_transition', `A hand-off cannot move from ${from} to ${to}.`, 'stage');
  }
  return ok({
    stage: to,
    audit: {
      entity: 'handoff',
      entityId: handoff.id,
      actorId: ctx.actorId,
      at: ctx.now,
      from,
      to,
      reasonCode: blankToNull(ctx.reasonCode),
      reasonText: blankToNull(ctx.reasonText),
    },
  });
}
