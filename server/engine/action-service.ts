// What a one-click link from a mail may do, checked in one place for the confirmation page (GET, changes nothing) and
// its form (POST): the signature, the link issued and unchanged, unused, unexpired, its recipient still active and
// allowed (the hand-off service's rule), the hand-off still open. The change goes through the hand-off service with
// the link's single use claimed in its transaction; every refusal is written to the audit log.
// Imports: node:crypto (ids of audit lines for unreadable links), the domain, store, ./action-links, ./handoff-service.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { checkFresh, type ActionClaims, type ActionKind } from '../domain/action-link';
import { handoffNoteAudit, type Actor, type Result } from '../domain/lead';
import type { HandBackReason } from '../domain/lifecycle';
import type { User } from '../domain/people';
import type { ActionTokenStore } from '../store/action-token-store';
import type { Executor, Handoff, HandoffStore } from '../store/handoff-store';
import type { LeadStore } from '../store/lead-store';
import type { PeopleStore } from '../store/people-store';
import type { ActionLinks } from './action-links';
import { HandoffRefusal, type HandoffService } from './handoff-service';

/** Why a link does not work, with the HTTP status its page answers. */
export type ActionRefusalCode =
  | 'link_invalid' // 400: not signed by Baton, cut short, changed
  | 'link_mismatch' // 400: signed, but not as issued (another hand-off, action or recipient)
  | 'link_expired' // 410
  | 'link_used' // 410
  | 'forbidden' // 403: the recipient may not (any longer) take this action
  | 'handoff_closed' // 409
  | 'nothing_pending' // 409: the AE did everything meanwhile
  | 'csrf_refused' // 403: the form was not posted from Baton's own page
  | 'invalid_input'; // 422: the form is incomplete (hand back without a reason)

export class ActionRefusal extends Error {
  constructor(
    readonly status: 400 | 403 | 409 | 410 | 422 | 503,
    readonly code: ActionRefusalCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ActionRefusal';
  }
}

export interface ActionPerson {
  id: string;
  displayName: string;
  email: string;
}

/** What the confirmation page shows: the action, the hand-off, what will happen. */
export interface ActionPreview {
  claims: ActionClaims;
  /** The link's holder; times on the page are in their zone. */
  recipient: ActionPerson & { timeZone: string };
  handoff: Handoff;
  lead: { contactName: string; companyName: string };
  ae: ActionPerson;
  sdr: ActionPerson;
  /** `reassign`: the AE it goes to. */
  target: ActionPerson | null;
  /** The AE's open obligations and their deadlines. */
  open: { kind: 'ae_reply' | 'ae_accept'; dueAt: Date }[];
  /** `hand_back`: the reasons to choose from. */
  reasons: readonly HandBackReason[];
}

export interface ActionDone {
  action: ActionKind;
  /** The link's id (its claims' `id`), now used. */
  linkId: string;
  /** One sentence for the result page. */
  summary: string;
}

export interface ActionForm {
  reasonCode?: string | undefined;
  text?: string | undefined;
  /** `hand_back`: the AE's rating of the lead, as with the outcome in the pane (the same rules decide). */
  rating?: { score: number; fields: readonly string[]; comment?: string | undefined } | undefined;
}

export interface ActionService {
  /** Checks a link for its confirmation page; throws ActionRefusal (audited). Changes nothing else. */
  preview(token: string): Promise<ActionPreview>;
  /**
   * Takes the action of a link, once, after the checks of preview and the caller's `guard` (the form's own checks,
   * which throws an ActionRefusal to stop, e.g. a cross-site form); throws ActionRefusal (audited).
   */
  perform(token: string, form: ActionForm, guard?: (preview: ActionPreview) => void): Promise<ActionDone>;
}

const reassignReason = 'Reassigned from the breach email';

export function createActionService(deps: {
  clock: Clock;
  links: ActionLinks;
  tokens: ActionTokenStore;
  handoffs: HandoffStore;
  handoffService: HandoffService;
  people: Pick<PeopleStore, 'getUser'>;
  leads: Pick<LeadStore, 'get'>;
  handBackReasons: readonly HandBackReason[];
  logger: Logger;
}): ActionService {
  const { clock, links, tokens, handoffs, handoffService, people, leads } = deps;
  const personOf = (u: User): ActionPerson => ({ id: u.id, displayName: u.displayName, email: u.email });

  /** One audit line per refused attempt: on the hand-off when the link names a real one, else as entity `action`. */
  async function audit(claims: ActionClaims | null, refusal: ActionRefusal): Promise<void> {
    const now = clock.now();
    try {
      const handoff = claims === null ? undefined : await handoffs.get(claims.handoffId);
      const recipient = claims === null ? undefined : await people.getUser(claims.recipientId);
      const reasonCode = `action_refused:${refusal.code}`;
      const reasonText = claims === null ? refusal.message : `${claims.action} link ${claims.id}: ${refusal.message}`;
      if (handoff === undefined) {
        await tokens.auditUnknown({ entityId: claims?.id ?? randomUUID(), at: now, reasonCode, reasonText });
        return;
      }
      await handoffs.transaction((trx) =>
        handoffs.appendAudit(trx, handoffNoteAudit(handoff, recipient?.id ?? null, now, reasonCode, reasonText)),
      );
    } catch (e) {
      deps.logger.error({ err: e, code: refusal.code }, 'refused action link not audited');
    }
  }

  async function refused<T>(claims: ActionClaims | null, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      const refusal = toRefusal(e);
      if (refusal === null) throw e;
      await audit(claims, refusal);
      throw refusal;
    }
  }

  function toRefusal(e: unknown): ActionRefusal | null {
    if (e instanceof ActionRefusal) return e;
    if (!(e instanceof HandoffRefusal)) return null;
    if (e.code === 'handoff_closed') return new ActionRefusal(409, 'handoff_closed', 'This hand-off is closed: nothing was changed.');
    if (e.code === 'nothing_pending' || e.code === 'already_nudged') return new ActionRefusal(409, 'nothing_pending', e.message);
    // Not visible any more (moved team), not the AE, not a manager: the link's holder may not act.
    if (e.status === 403 || e.status === 404) return new ActionRefusal(403, 'forbidden', 'You may no longer take this action on this hand-off.');
    if (e.status === 422) return new ActionRefusal(422, 'invalid_input', e.message, e.details.field);
    if (e.status === 409) return new ActionRefusal(409, 'handoff_closed', `${e.message} Nothing was changed.`);
    if (e.status === 503) return new ActionRefusal(503, 'forbidden', e.message);
    return null;
  }

  /** The link's claims and its holder, or the refusal (not yet audited). */
  async function check(verified: Result<ActionClaims>): Promise<{ claims: ActionClaims; actor: Actor; recipient: User; handoff: Handoff }> {
    if (!verified.ok) throw new ActionRefusal(400, 'link_invalid', 'This link is not valid: it was changed or cut short. Use the link in the mail as it is.');
    const claims = verified.value;
    const issued = await tokens.get(claims.id);
    if (issued === undefined || issued.handoffId !== claims.handoffId || issued.action !== claims.action || issued.recipientId !== claims.recipientId) {
      throw new ActionRefusal(400, 'link_mismatch', 'This link does not match one Baton sent.');
    }
    if (issued.usedAt !== null) throw new ActionRefusal(410, 'link_used', 'This link was used already; each link works once.');
    if (!checkFresh(claims, clock.now()).ok) throw new ActionRefusal(410, 'link_expired', 'This link has expired. Open the hand-off in Baton instead.');
    const recipient = await people.getUser(claims.recipientId);
    if (recipient === undefined || !recipient.active) throw new ActionRefusal(403, 'forbidden', 'You may no longer take this action.');
    const actor: Actor = { userId: recipient.id, role: recipient.role, teamId: recipient.teamId };
    const handoff = await handoffService.authorizeAction(actor, claims.handoffId, claims.action);
    return { claims, actor, recipient, handoff };
  }

  /** The claims of a verified token, for auditing (null for a forged or broken one). */
  const claimsOf = (verified: Result<ActionClaims>): ActionClaims | null => (verified.ok ? verified.value : null);

  /** What the link would do, after every check of the link, its holder and the hand-off (not yet audited). */
  async function inspect(verified: Result<ActionClaims>): Promise<{ preview: ActionPreview; actor: Actor }> {
    const { claims, actor, recipient, handoff } = await check(verified);
    const [lead, ae, sdr, target] = await Promise.all([
      leads.get(handoff.leadId),
      people.getUser(handoff.aeId),
      people.getUser(handoff.sdrId),
      claims.aeId === undefined ? Promise.resolve(undefined) : people.getUser(claims.aeId),
    ]);
    if (lead === undefined || ae === undefined || sdr === undefined) throw new ActionRefusal(409, 'handoff_closed', 'This hand-off no longer exists.');
    if (claims.action === 'reassign' && (target === undefined || !target.active || target.role !== 'ae' || target.teamId !== handoff.teamId)) {
      throw new ActionRefusal(409, 'forbidden', 'The AE this link names can no longer take the hand-off.');
    }
    if (claims.action === 'reassign' && target?.id === handoff.aeId) throw new ActionRefusal(409, 'nothing_pending', `${target.displayName} has this hand-off already.`);
    const open = (await handoffs.obligations(handoff.id))
      .filter((o) => o.status !== 'met' && o.status !== 'cancelled')
      .map((o) => ({ kind: o.kind, dueAt: o.dueAt }));
    if ((claims.action === 'more_time' || claims.action === 'nudge') && open.length === 0) {
      throw new ActionRefusal(409, 'nothing_pending', `${ae.displayName} has replied and accepted already: there is nothing left to do.`);
    }
    const preview: ActionPreview = {
      claims,
      recipient: { ...personOf(recipient), timeZone: recipient.timeZone },
      handoff,
      lead: { contactName: lead.contactName, companyName: lead.companyName },
      ae: personOf(ae),
      sdr: personOf(sdr),
      target: target === undefined ? null : personOf(target),
      open,
      reasons: claims.action === 'hand_back' ? deps.handBackReasons : [],
    };
    return { preview, actor };
  }

  return {
    preview(token) {
      const verified = links.verify(token);
      return refused(claimsOf(verified), async () => (await inspect(verified)).preview);
    },

    perform(token, form, guard) {
      const verified = links.verify(token);
      return refused(claimsOf(verified), async () => {
        const { preview, actor } = await inspect(verified);
        guard?.(preview);
        const { claims, handoff } = preview;
        const claim = async (trx: Executor): Promise<void> => {
          const now = clock.now();
          if (!(await tokens.claim(trx, claims.id, now))) throw new ActionRefusal(410, 'link_used', 'This link was used already; each link works once.');
          await handoffs.appendAudit(trx, handoffNoteAudit(handoff, actor.userId, now, 'action_link_used', `${claims.action} link ${claims.id}`));
        };
        switch (claims.action) {
          // The hand-off and the people are as the checks just read them: the change reads nothing back.
          case 'reassign': {
            const ae = preview.target ?? preview.ae;
            await handoffService.takeLinkAction(actor, handoff, { action: 'reassign', aeId: claims.aeId ?? '', reason: reassignReason }, { claim });
            return { action: claims.action, linkId: claims.id, summary: `The hand-off now belongs to ${ae.displayName}. The SDR and both AEs are told by mail${handoff.meetingStart === null ? '' : `, and the meeting invite names ${ae.displayName}`}.` };
          }
          case 'more_time': {
            const hours = claims.hours ?? 0;
            await handoffService.takeLinkAction(actor, handoff, { action: 'more_time', hours }, { claim });
            return { action: claims.action, linkId: claims.id, summary: `${preview.ae.displayName} has ${String(hours)} more working ${hours === 1 ? 'hour' : 'hours'}; the reminder and the escalation are planned again.` };
          }
          case 'nudge': {
            await handoffService.takeLinkAction(actor, handoff, { action: 'nudge', key: claims.id }, { claim });
            return { action: claims.action, linkId: claims.id, summary: `${preview.ae.displayName} gets a reminder from you by mail.` };
          }
          case 'hand_back': {
            await handoffService.recordOutcome(actor, handoff.id, { outcome: 'hand_back', reasonCode: form.reasonCode, text: form.text, rating: form.rating, version: handoff.version }, { claim });
            return { action: claims.action, linkId: claims.id, summary: 'The lead is handed back to the SDR, who is told by mail.' };
          }
        }
      });
    },
  };
}
