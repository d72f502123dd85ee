// The hand-off as the add-in drives it: start (qualification, the lead-twice guard, the AE from the pairing or
// chosen, the AE's automatic replies and backup, the first follow-up, the intro to compose), read, outcomes (Sales
// Qualified, hand back with the SDR's notice, no-show, rescheduled with a new invite; each final one with the AE's
// rating of the lead), reassignment (obligations, meeting attendee, prep block and three mails move with it), more time
// and a nudge. Every write of one call runs in one transaction with its audit lines and outbox rows; a one-click link
// claims its single use in that transaction. Imports: luxon, the domain, store types, ../mail (templates), port types
// (clock, mailbox gateway, obligation service).
import { DateTime } from 'luxon';
import type { Clock } from '../clock';
import { handoffNoteAudit, type Actor, type Lead } from '../domain/lead';
import { canViewLead } from '../domain/access';
import { qualify, type MissingCriterion, type QualificationCriteria } from '../domain/qualification';
import { transitionHandoff, transitionLead, type HandBackReason, type HandoffStage } from '../domain/lifecycle';
import { chooseAe, type User } from '../domain/people';
import { checkRating, ratingAuditText, type Rating, type RatedOutcome, type RatingInput } from '../domain/rating';
import { mayTakeAction, type ActionKind } from '../domain/action-link';
import type { AutomaticReplies, MailboxGateway, Schedule } from '../domain/mailbox';
import { awayNowOrNext, mergeAway, readAway, type AwaySpan } from '../domain/away';
import { proposeSlots as proposeDomainSlots } from '../domain/slots';
import { workCalendarFor } from '../domain/working-time';
import type { Executor, Handoff, HandoffFinding, HandoffStore, ObligationSummary } from '../store/handoff-store';
import type { Followup, FollowupStore } from '../store/followup-store';
import type { LeadStore } from '../store/lead-store';
import type { PeopleStore } from '../store/people-store';
import type { RatingStore } from '../store/rating-store';
import { renderHandBackNotice, renderIntroEmail, renderInviteBody, renderNudge, renderPrepBrief, renderReassignNotice, type MailSlot } from '../mail/handoff-mails';
import type { MailWording } from '../mail/mail-wording';
import type { EventPayload } from './outbox-sender';

export const handoffHeaderName = 'x-baton-handoff';

export type ObligationKind = 'ae_reply' | 'ae_accept';

/** The part of the obligation service (server/engine/obligations.ts) this service calls, in the caller's transaction. */
export interface ObligationPort {
  open(executor: Executor, handoff: { id: string; aeId: string; teamId: string }, kind: ObligationKind, startedAt: Date): Promise<unknown>;
  cancel(executor: Executor, handoffId: string, kinds: readonly ObligationKind[] | 'all', at: Date): Promise<unknown>;
  /** Moves the live obligations (and `alsoKinds`) to the new AE, planned from `at`; the kinds opened. */
  reassign(executor: Executor, handoff: { id: string; teamId: string }, aeId: string, at: Date, alsoKinds?: readonly ObligationKind[]): Promise<ObligationKind[]>;
  /** Gives each live obligation `hours` more working hours from `at`; the new deadlines. */
  extend(executor: Executor, handoffId: string, hours: number, at: Date): Promise<{ kind: ObligationKind; dueAt: Date }[]>;
}

/** Runs first in the transaction of a change made from a one-click link: claims the link's single use (or throws). */
export interface ChangeOptions {
  claim?: ((trx: Executor) => Promise<void>) | undefined;
}

/** The AEs' absences (server/engine/away-check.ts): a reading taken at start saved, the spans read for the pane. */
export interface AwayPort {
  record(ae: User, replies: AutomaticReplies, at: Date): Promise<readonly AwaySpan[]>;
  spansOf(userId: string): Promise<readonly AwaySpan[]>;
}

/** Proposes meeting slots from the AE's and the SDR's free/busy (server/domain/slots.ts when wired). */
export type SlotProposer = (input: {
  now: Date;
  ae: Pick<User, 'id' | 'email' | 'timeZone'>;
  sdr: Pick<User, 'id' | 'email' | 'timeZone'>;
  lead: Lead;
  schedules: readonly Schedule[];
  window: { start: Date; end: Date };
}) => readonly MailSlot[];

/**
 * The default proposer: domain/slots over the AE's working hours (from getSchedule, else the AE's zone 09–17), the
 * AE's and SDR's free/busy and the prospect's zone; 3 slots of 30 minutes, 4 hours' notice, 15 minutes' prep
 * before a demo. A schedule Graph could not read gives no slots rather than a guess.
 */
export const defaultSlotProposer: SlotProposer = ({ now, ae, sdr, lead, schedules, window }) => {
  const aeSchedule = schedules.find((s) => s.scheduleId.toLowerCase() === ae.email.toLowerCase());
  const sdrSchedule = schedules.find((s) => s.scheduleId.toLowerCase() === sdr.email.toLowerCase());
  if (aeSchedule === undefined || aeSchedule.error !== null || (sdrSchedule !== undefined && sdrSchedule.error !== null)) return [];
  const year = now.getUTCFullYear();
  const calendar = workCalendarFor({ workingHours: aeSchedule.workingHours, timeZone: ae.timeZone, country: null, years: [year, year + 1] });
  if (!calendar.ok) return [];
  const proposal = proposeDomainSlots({
    now,
    window,
    lengthMinutes: 30,
    minNoticeHours: 4,
    count: 3,
    ae: { calendar: calendar.value, busy: aeSchedule.items },
    sdr: sdrSchedule === undefined ? null : { busy: sdrSchedule.items },
    prospect: { timeZone: lead.timeZone },
    prepMinutes: lead.demoRequested ? 15 : 0,
  });
  return proposal.ok ? proposal.value.slots.map((slot) => ({ start: slot.start, end: slot.end })) : [];
};

export interface HandoffServiceDeps {
  clock: Clock;
  handoffs: HandoffStore;
  followups: FollowupStore;
  leads: Pick<LeadStore, 'get'>;
  people: Pick<PeopleStore, 'getUser' | 'pairingsOf'>;
  criteria: QualificationCriteria;
  handBackReasons: readonly HandBackReason[];
  /** Where the AE's rating of the lead is written, in the outcome's transaction. */
  ratings: Pick<RatingStore, 'insert'>;
  /** The AE's automatic replies and free/busy; without it there is no away check and no slot proposal. */
  mailbox?: Pick<MailboxGateway, 'mailboxSettings' | 'getSchedule'> | undefined;
  /** Without it a rescheduled meeting does not restart the acceptance obligation (nor closing cancel them). */
  obligations?: ObligationPort | undefined;
  /** Where the AE's absences are kept; without it the start's reading is not kept and the pane shows no absence. */
  away?: AwayPort | undefined;
  /** Books the invite now, when the SDR asks before the intro is seen sent (the hand-off engine). */
  inviter?: InvitePort | undefined;
  /** Default: defaultSlotProposer (used when `mailbox` is given). */
  proposeSlots?: SlotProposer | undefined;
  wording?: MailWording | undefined;
  /** Days ahead that slots are looked for (default 14). */
  slotWindowDays?: number;
}

/** A refusal with a stable code; the HTTP layer answers it with `status` and `{ error: { code, message, … } }`. */
export class HandoffRefusal extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 422 | 503,
    readonly code: string,
    message: string,
    readonly details: RefusalDetails = {},
  ) {
    super(message);
    this.name = 'HandoffRefusal';
  }
}

export interface RefusalDetails {
  field?: string;
  missing?: MissingCriterion[];
  /** For `ae_away`: the AE's automatic-replies window and the backup offered. */
  away?: { status: 'alwaysEnabled' | 'scheduled'; start: Date | null; end: Date | null };
  backup?: { id: string; displayName: string } | null;
  /** For `handoff_exists`: the open hand-off. */
  handoffId?: string;
}

export interface StartHandoffInput {
  leadId: string;
  aeId?: string | undefined;
  /** Admins only: start although the qualification criteria are not met. */
  override?: { reason: string } | undefined;
  /** Hand to the AE's backup (after an `ae_away` answer). */
  useBackup?: boolean | undefined;
}

export interface MailAddress {
  address: string;
  name: string;
}

export interface IntroToCompose {
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  html: string;
  text: string;
  header: { name: typeof handoffHeaderName; value: string };
}

export interface StartedHandoff {
  handoff: Handoff;
  followup: Followup;
  intro: IntroToCompose;
  slots: MailSlot[];
  /** `ae_availability_unknown` when the AE's mailbox could not be asked; `slots_unavailable` likewise. */
  warnings: string[];
}

export interface LeadSummary {
  id: string;
  contactName: string;
  companyName: string;
  email: string;
  status: Lead['status'];
  ownerId: string;
}

/** A person of the hand-off as the pane shows them (and invites them). */
export interface HandoffPerson {
  id: string;
  displayName: string;
  email: string;
}

/**
 * The AE-only prep brief as plain text fields (never HTML): what the SDR learnt. Shown to the hand-off's AE, its SDR
 * and the managers of its team; null for anyone else who may read the hand-off.
 */
export interface PrepBrief {
  title: string | null;
  phone: string | null;
  timeZone: string | null;
  decisionMaker: boolean | null;
  budget: string | null;
  competitors: string[];
  currentSolution: string | null;
  /** Needs and pains. */
  needs: string | null;
  productInterests: string[];
  demoRequested: boolean;
  /** The SDR's notes. */
  notes: string | null;
}

export interface HandoffView {
  handoff: Handoff;
  lead: LeadSummary;
  obligations: ObligationSummary[];
  findings: HandoffFinding[];
  followups: Followup[];
  sdr: HandoffPerson;
  ae: HandoffPerson;
  prepBrief: PrepBrief | null;
  /** The AE's absence running now, else the next one planned (automatic replies): the SLA clock stops for it. */
  aeAway: AwaySpan | null;
}

/** What an organizer fills into an invite built by hand: attendees, the prospect-facing body and times to offer. */
export interface InviteDraft {
  attendees: MailAddress[];
  subject: string;
  html: string;
  text: string;
  /** The slot already chosen for the hand-off first, else the times proposed from the AE's and SDR's free/busy. */
  slots: MailSlot[];
  /** `slots_unavailable` when free/busy could not be read. */
  warnings: string[];
}

export type OutcomeKind = 'sales_qualified' | 'hand_back' | 'no_show' | 'rescheduled';

export interface OutcomeInput {
  outcome: OutcomeKind;
  reasonCode?: string | undefined;
  text?: string | undefined;
  start?: Date | undefined;
  end?: Date | undefined;
  /** The hand-off version the client read; a stale one is refused with 409 `stale`. */
  version?: number | undefined;
  /** Required with sales_qualified, hand_back and no_show; refused with rescheduled (see domain/rating.ts). */
  rating?: RatingInput | undefined;
}

export interface ReassignInput {
  aeId: string;
  reason: string;
  version?: number | undefined;
}

/** What a one-click link changes (hand_back goes through recordOutcome, as from the pane). */
export type LinkChange = { action: 'reassign'; aeId: string; reason: string } | { action: 'more_time'; hours: number } | { action: 'nudge'; key: string };

/** What books the invite of a hand-off (the engine's outbox); `already_booked` when it exists or is on its way. */
export interface InvitePort {
  requestInvite(handoffId: string, slot: { start: Date; end: Date } | null): Promise<'booked' | 'already_booked' | 'closed'>;
}

export interface HandoffService {
  start(actor: Actor, input: StartHandoffInput): Promise<StartedHandoff>;
  /** The SDR asks for the invite now (at the slot given, else the one chosen at start or the next free one). */
  requestInvite(actor: Actor, id: string, input: { start?: Date | undefined; end?: Date | undefined }): Promise<HandoffView>;
  view(actor: Actor, id: string): Promise<HandoffView>;
  /** Open hand-offs of the actor: an SDR's and AE's own, a manager's team's, every one for an admin. */
  listMine(actor: Actor): Promise<{ handoff: Handoff; lead: LeadSummary }[]>;
  recordOutcome(actor: Actor, id: string, input: OutcomeInput, options?: ChangeOptions): Promise<HandoffView>;
  reassign(actor: Actor, id: string, input: ReassignInput, options?: ChangeOptions): Promise<HandoffView>;
  /** A manager gives the AE more working hours on every open obligation (reminder and second level re-planned). */
  extendDeadline(actor: Actor, id: string, input: { hours: number }, options?: ChangeOptions): Promise<{ view: HandoffView; dueAt: Date[] }>;
  /** A manager reminds the AE by mail of what is still open (once per call: the outbox key is the caller's). */
  nudge(actor: Actor, id: string, input: { key: string }, options?: ChangeOptions): Promise<HandoffView>;
  /**
   * A one-click link's change, on the hand-off as the link's check just read it and authorised it for the link's
   * holder (authorizeAction): the change alone, in one transaction with the link's claim; nothing is read back.
   */
  takeLinkAction(actor: Actor, handoff: Handoff, change: LinkChange, options: ChangeOptions): Promise<void>;
  /** The hand-off as `actor` may act on it with `action` (the rule the links and the API share), or the refusal. */
  authorizeAction(actor: Actor, id: string, action: ActionKind): Promise<Handoff>;
  /** The reason codes an AE picks from when handing a lead back. */
  handBackReasons(): readonly HandBackReason[];
  /** The invite an organizer fills by hand (the SDR or a manager of the team), while the hand-off is open. */
  inviteDraft(actor: Actor, id: string): Promise<InviteDraft>;
  /**
   * The intro to fill again (an intro draft closed unsent): the SDR of the hand-off or a manager of its team, until
   * the intro is seen sent; composed as at start, the chosen time first among the proposed ones.
   */
  intro(actor: Actor, id: string): Promise<HandoffIntro>;
  /**
   * The meeting time the SDR chose among the proposals: the invite is booked at it when the intro is seen sent
   * (the SDR or a manager of the team, until the invite is booked).
   */
  chooseSlot(actor: Actor, id: string, slot: { start: Date; end: Date }): Promise<HandoffView>;
}

export interface HandoffIntro {
  handoff: Handoff;
  intro: IntroToCompose;
  slots: MailSlot[];
  warnings: string[];
}

const notFound = (): HandoffRefusal => new HandoffRefusal(404, 'not_found', 'No such hand-off.');
const stale = (): HandoffRefusal =>
  new HandoffRefusal(409, 'stale', 'The hand-off was changed by someone else; reload it and try again.', { field: 'version' });

/** The PostgreSQL error for a unique index violated. */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}

/**
 * Whether the automatic replies are on at `now`: always, or scheduled with `now` inside the window (a window with no
 * usable end, missing or not after its start, is open-ended: on until seen off).
 */
export function isAway(replies: AutomaticReplies, now: Date): boolean {
  const reading = readAway(replies, now);
  return reading.kind === 'away' && reading.span.start.getTime() <= now.getTime();
}

/** `days` working days (Monday–Friday in `timeZone`) after `from`, at the same wall-clock time. */
export function addWorkingDays(from: Date, days: number, timeZone: string): Date {
  let at = DateTime.fromJSDate(from, { zone: timeZone });
  if (!at.isValid) at = DateTime.fromJSDate(from, { zone: 'UTC' });
  let left = days;
  while (left > 0) {
    at = at.plus({ days: 1 });
    if (at.weekday <= 5) left -= 1;
  }
  return at.toJSDate();
}

const summary = (lead: Lead): LeadSummary => ({
  id: lead.id,
  contactName: lead.contactName,
  companyName: lead.companyName,
  email: lead.email,
  status: lead.status,
  ownerId: lead.ownerId,
});

const person = (u: User): HandoffPerson => ({ id: u.id, displayName: u.displayName, email: u.email });

const prepBrief = (lead: Lead): PrepBrief => ({
  title: lead.title,
  phone: lead.phone,
  timeZone: lead.timeZone,
  decisionMaker: lead.decisionMaker,
  budget: lead.budget,
  competitors: [...lead.competitors],
  currentSolution: lead.currentSolution,
  needs: lead.needs,
  productInterests: [...lead.productInterests],
  demoRequested: lead.demoRequested,
  notes: lead.notes,
});

/** The prep brief is for the hand-off's AE, its SDR and the managers of its team; not for admins or anyone else. */
function mayReadPrepBrief(actor: Actor, h: Handoff): boolean {
  if (actor.role === 'manager') return actor.teamId !== null && actor.teamId === h.teamId;
  return actor.userId === h.aeId || actor.userId === h.sdrId;
}

/** Statuses before a hand-off: a lead in one of them that is not `qualified` yet lacks qualification, not state. */
const beforeQualified: readonly Lead['status'][] = ['new', 'working'];

export function createHandoffService(deps: HandoffServiceDeps): HandoffService {
  const { clock, handoffs, followups, leads, people, criteria, handBackReasons } = deps;

  function mayView(actor: Actor, h: Handoff): boolean {
    switch (actor.role) {
      case 'admin':
        return true;
      case 'manager':
        return actor.teamId !== null && actor.teamId === h.teamId;
      case 'sdr':
        return actor.userId === h.sdrId;
      case 'ae':
        return actor.userId === h.aeId;
    }
  }

  const isTeamManager = (actor: Actor, teamId: string): boolean =>
    actor.role === 'admin' || (actor.role === 'manager' && actor.teamId === teamId);

  async function visible(actor: Actor, id: string): Promise<Handoff> {
    const h = await handoffs.get(id);
    if (h === undefined || !mayView(actor, h)) throw notFound();
    return h;
  }

  async function user(id: string, what: string): Promise<User> {
    const u = await people.getUser(id);
    if (u === undefined) throw new Error(`${what} ${id} is missing`);
    return u;
  }

  /** An AE someone names: an active AE of the lead's team. */
  async function namedAe(aeId: string, teamId: string, field: string): Promise<User> {
    const ae = await people.getUser(aeId);
    if (ae?.role !== 'ae') throw new HandoffRefusal(422, 'not_an_ae', 'This person is not an AE.', { field });
    if (ae.teamId !== teamId) throw new HandoffRefusal(422, 'ae_other_team', `${ae.displayName} is an AE of another team.`, { field });
    if (!ae.active) throw new HandoffRefusal(422, 'inactive_user', `${ae.displayName} is no longer active.`, { field });
    return ae;
  }

  /** The AE from the SDR's pairing, or the one asked for (a pool SDR's pick, a manager's or admin's choice). */
  async function resolveAe(actor: Actor, lead: Lead, requested: string | undefined): Promise<User> {
    if (requested !== undefined) {
      const ae = await namedAe(requested, lead.teamId, 'aeId');
      if (actor.role === 'sdr') {
        const choice = chooseAe(await people.pairingsOf(lead.sdrId), lead.sdrId, requested);
        if (!choice.ok) throw new HandoffRefusal(422, choice.error.code, `${ae.displayName} is not paired with you.`, { field: 'aeId' });
      }
      return ae;
    }
    const choice = chooseAe(await people.pairingsOf(lead.sdrId), lead.sdrId);
    if (!choice.ok) throw new HandoffRefusal(422, choice.error.code, 'The SDR has no paired AE; choose one.', { field: 'aeId' });
    return namedAe(choice.value, lead.teamId, 'aeId');
  }

  /** Refuses a lead that cannot be handed off now (state first, then qualification). */
  function checkLead(actor: Actor, lead: Lead, override: StartHandoffInput['override']): MissingCriterion[] {
    const qualification = qualify(lead, criteria);
    if (lead.status !== 'qualified') {
      if (beforeQualified.includes(lead.status) && !qualification.qualified) {
        throw new HandoffRefusal(422, 'lead_not_qualified', 'The lead is not qualified yet.', { missing: qualification.missing });
      }
      throw new HandoffRefusal(409, 'lead_wrong_state', `A ${lead.status} lead cannot be handed off; it must be qualified.`, { field: 'leadId' });
    }
    if (!qualification.qualified && override === undefined) {
      const labels = qualification.missing.map((m) => m.label).join(', ');
      throw new HandoffRefusal(422, 'lead_not_qualified', `The lead no longer meets the qualification criteria; missing: ${labels}.`, {
        missing: qualification.missing,
      });
    }
    if (override !== undefined && actor.role !== 'admin') {
      throw new HandoffRefusal(403, 'override_not_allowed', 'Only an admin may hand off a lead that is not qualified.', { field: 'override' });
    }
    return qualification.missing;
  }

  async function proposeSlots(lead: Lead, ae: User, sdr: User, now: Date, warnings: string[]): Promise<MailSlot[]> {
    if (deps.mailbox === undefined) return [];
    const proposer = deps.proposeSlots ?? defaultSlotProposer;
    const window = { start: now, end: new Date(now.getTime() + (deps.slotWindowDays ?? 14) * 86_400_000) };
    try {
      const schedules = await deps.mailbox.getSchedule(sdr.entraOid, [ae.email, sdr.email], window, 30);
      return [...proposer({ now, ae, sdr, lead, schedules, window })];
    } catch {
      // Slots are a convenience: the SDR can still send the intro and pick a time later.
      warnings.push('slots_unavailable');
      return [];
    }
  }

  /** The AE to hand to, given their automatic replies: refused with `ae_away` unless the backup is asked for. */
  async function availableAe(ae: User, useBackup: boolean, now: Date, warnings: string[]): Promise<User> {
    if (useBackup) {
      if (ae.backupId === null) throw new HandoffRefusal(422, 'no_backup', `${ae.displayName} has no backup AE.`, { field: 'useBackup' });
      const backup = await people.getUser(ae.backupId);
      if (backup?.role !== 'ae' || !backup.active || backup.teamId !== ae.teamId) {
        throw new HandoffRefusal(422, 'no_backup', `${ae.displayName}'s backup cannot take hand-offs.`, { field: 'useBackup' });
      }
      return backup;
    }
    if (deps.mailbox === undefined) return ae;
    let replies: AutomaticReplies;
    try {
      replies = (await deps.mailbox.mailboxSettings(ae.entraOid)).automaticReplies;
    } catch {
      warnings.push('ae_availability_unknown');
      return ae;
    }
    // The reading is kept (it counts as the AE's away check): the span says since when the AE is away, which the
    // setting alone does not (alwaysEnabled carries no dates; a schedule with no usable end is open-ended).
    const spans = deps.away === undefined ? mergeAway([], readAway(replies, now), now).spans : await deps.away.record(ae, replies, now);
    if (!isAway(replies, now)) return ae;
    const span = awayNowOrNext(spans, now);
    const backup = ae.backupId === null ? undefined : await people.getUser(ae.backupId);
    throw new HandoffRefusal(409, 'ae_away', `${ae.displayName}'s automatic replies are on.`, {
      field: 'aeId',
      away: { status: replies.status === 'alwaysEnabled' ? 'alwaysEnabled' : 'scheduled', start: span?.start ?? now, end: span?.end ?? null },
      backup: backup?.active === true ? { id: backup.id, displayName: backup.displayName } : null,
    });
  }

  async function view(actor: Actor, id: string): Promise<HandoffView> {
    const handoff = await visible(actor, id);
    const lead = await leads.get(handoff.leadId);
    if (lead === undefined) throw notFound();
    const [obligations, findings, followupList, sdr, ae, spans] = await Promise.all([
      handoffs.obligations(handoff.id),
      handoffs.findings(handoff.id),
      followups.listForLead(handoff.leadId),
      user(handoff.sdrId, 'SDR'),
      user(handoff.aeId, 'AE'),
      deps.away === undefined || handoff.stage === 'closed' ? Promise.resolve([]) : deps.away.spansOf(handoff.aeId),
    ]);
    return {
      handoff,
      lead: summary(lead),
      obligations,
      findings,
      followups: followupList,
      sdr: person(sdr),
      ae: person(ae),
      prepBrief: mayReadPrepBrief(actor, handoff) ? prepBrief(lead) : null,
      aeAway: awayNowOrNext(spans, clock.now()),
    };
  }

  /** The next invite number: one more than any `invite:<id>:<n>` key (a plain `invite:<id>` counts as 0). */
  function nextInviteNumber(keys: readonly string[], handoffId: string): number {
    let max = 0;
    for (const key of keys) {
      const rest = key.slice(`invite:${handoffId}`.length);
      const n = /^:(\d+)$/.exec(rest)?.[1];
      if (n !== undefined) max = Math.max(max, Number(n));
    }
    return max + 1;
  }

  /** The intro email's text, with the proposed times in the lead's zone (rendered before the hand-off exists). */
  function renderIntro(lead: Lead, ae: User, sdr: User, slots: readonly MailSlot[]): ReturnType<typeof renderIntroEmail> {
    return renderIntroEmail({
      teamId: lead.teamId,
      ...(deps.wording ? { wording: deps.wording } : {}),
      lead,
      ae: { displayName: ae.displayName, email: ae.email },
      sdr: { displayName: sdr.displayName, email: sdr.email },
      proposedSlots: slots,
      timeZone: lead.timeZone ?? ae.timeZone,
    });
  }

  /** The intro email of a hand-off: lead in To, the AE in Cc, the rendered text, the hand-off header. */
  function introToCompose(lead: Lead, ae: User, rendered: Awaited<ReturnType<typeof renderIntroEmail>>, handoffId: string): IntroToCompose {
    return {
      to: [{ address: lead.email, name: lead.contactName }],
      cc: [{ address: ae.email, name: ae.displayName }],
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      header: { name: handoffHeaderName, value: handoffId },
    };
  }

  async function composeIntro(lead: Lead, ae: User, sdr: User, slots: readonly MailSlot[], handoffId: string): Promise<IntroToCompose> {
    return introToCompose(lead, ae, await renderIntro(lead, ae, sdr, slots), handoffId);
  }

  /** Only the hand-off's SDR or a manager of its team (or an admin) works on its intro and invite. */
  function mustBeSdrOrManager(actor: Actor, handoff: Handoff, what: string): void {
    if (!(actor.userId === handoff.sdrId || isTeamManager(actor, handoff.teamId))) {
      throw new HandoffRefusal(403, 'not_the_sdr', `Only the hand-off’s SDR or a manager of the team ${what}.`);
    }
  }

  return {
    async start(actor, input) {
      const now = clock.now();
      const warnings: string[] = [];
      const lead = await leads.get(input.leadId);
      if (lead === undefined || !canViewLead(actor, lead)) throw new HandoffRefusal(404, 'not_found', 'No such lead.', { field: 'leadId' });
      const mayStart = isTeamManager(actor, lead.teamId) || (actor.role === 'sdr' && actor.userId === lead.sdrId);
      if (!mayStart) throw new HandoffRefusal(403, 'forbidden', "Only the lead's SDR, a manager of its team or an admin hands it off.");
      const open = await handoffs.openForLead(lead.id);
      if (open !== undefined) throw handoffExists(open.id);
      checkLead(actor, lead, input.override);

      const sdr = await user(lead.sdrId, 'SDR');
      const paired = await resolveAe(actor, lead, input.aeId);
      const ae = await availableAe(paired, input.useBackup === true, now, warnings);
      // The intro goes to the lead with the AE in copy: without either address there is nothing to send.
      if (lead.email.trim() === '') {
        throw new HandoffRefusal(422, 'recipient_missing', 'The lead has no email address, so the intro has no recipient.', { field: 'email' });
      }
      if (ae.email.trim() === '') {
        throw new HandoffRefusal(422, 'ae_email_missing', `${ae.displayName} has no email address to copy on the intro.`, { field: 'aeId' });
      }
      const slots = await proposeSlots(lead, ae, sdr, now, warnings);
      const rendered = await renderIntro(lead, ae, sdr, slots);

      const overrideReason = input.override?.reason.trim() ?? null;
      const { handoff, followup } = await handoffs
        .transaction(async (trx) => {
          // The lead is locked: a concurrent start waits here and then sees this hand-off.
          const locked = await handoffs.lockLead(trx, lead.id);
          if (locked === undefined) throw new HandoffRefusal(404, 'not_found', 'No such lead.', { field: 'leadId' });
          const again = await handoffs.openForLead(lead.id, trx);
          if (again !== undefined) throw handoffExists(again.id);
          checkLead(actor, locked, input.override);
          const created = await handoffs.insert(trx, {
            leadId: locked.id,
            teamId: locked.teamId,
            sdrId: locked.sdrId,
            aeId: ae.id,
            demoRequested: locked.demoRequested,
            overrideReason,
            at: now,
          });
          await handoffs.appendAudit(trx, {
            entity: 'handoff',
            entityId: created.id,
            actorId: actor.userId,
            at: now,
            from: null,
            to: created.stage,
            reasonCode: overrideReason === null ? null : 'override',
            reasonText: overrideReason,
          });
          const task = await followups.create(
            {
              leadId: locked.id,
              ownerId: locked.ownerId,
              dueAt: addWorkingDays(now, 2, sdr.timeZone),
              note: `Follow up on the hand-off of ${locked.contactName} (${locked.companyName}) to ${ae.displayName}.`,
              at: now,
            },
            trx,
          );
          return { handoff: created, followup: task };
        })
        .catch((error: unknown) => {
          // Started by someone else between the check and the insert: the unique index decides.
          if (isUniqueViolation(error)) throw handoffExists();
          throw error;
        });

      return {
        handoff,
        followup,
        intro: introToCompose(lead, ae, rendered, handoff.id),
        slots,
        warnings,
      };
    },

    view,

    async listMine(actor) {
      const scope =
        actor.role === 'admin'
          ? ({ kind: 'all' } as const)
          : actor.role === 'manager'
            ? actor.teamId === null
              ? null
              : ({ kind: 'team', teamId: actor.teamId } as const)
            : ({ kind: 'person', userId: actor.userId } as const);
      if (scope === null) return [];
      const list = await handoffs.listOpen(scope);
      const out: { handoff: Handoff; lead: LeadSummary }[] = [];
      for (const handoff of list) {
        const lead = await leads.get(handoff.leadId);
        if (lead !== undefined) out.push({ handoff, lead: summary(lead) });
      }
      return out;
    },

    async recordOutcome(actor, id, input, options = {}) {
      const handoff = await visible(actor, id);
      if (actor.userId !== handoff.aeId) throw new HandoffRefusal(403, 'not_the_ae', 'Only the AE of this hand-off records its outcome.');
      if (input.version !== undefined && input.version !== handoff.version) throw stale();
      if (handoff.stage === 'closed') throw new HandoffRefusal(409, 'handoff_closed', 'This hand-off is closed.');
      const checked = checkRating(input.outcome, input.rating);
      if (!checked.ok) throw new HandoffRefusal(422, checked.error.code, checked.error.message, checked.error.field === undefined ? {} : { field: checked.error.field });
      const rating = checked.value;
      const now = clock.now();
      const [ae, sdr] = await Promise.all([user(handoff.aeId, 'AE'), user(handoff.sdrId, 'SDR')]);

      switch (input.outcome) {
        case 'sales_qualified':
        case 'hand_back': {
          const handBack = input.outcome === 'hand_back';
          const reasonCode = input.reasonCode?.trim() ?? '';
          const text = input.text?.trim() ?? '';
          const reason = handBackReasons.find((r) => r.code === reasonCode);
          if (handBack) {
            if (reasonCode === '') throw new HandoffRefusal(422, 'reason_required', 'Choose why the lead is handed back.', { field: 'reasonCode' });
            if (reason === undefined) throw new HandoffRefusal(422, 'unknown_reason', `"${reasonCode}" is not a hand-back reason.`, { field: 'reasonCode' });
            if (text === '') throw new HandoffRefusal(422, 'reason_text_required', 'Say in a few words why the lead is handed back.', { field: 'text' });
          }
          const lead = await leads.get(handoff.leadId);
          if (lead === undefined) throw notFound();
          const notice = handBack
            ? await renderHandBackNotice({
                teamId: handoff.teamId,
                ...(deps.wording ? { wording: deps.wording } : {}),
                lead,
                ae: { displayName: ae.displayName, email: ae.email },
                sdr: { displayName: sdr.displayName, email: sdr.email },
                reasonLabel: reason?.label ?? reasonCode,
                reasonText: text,
              })
            : null;
          await handoffs.transaction(async (trx) => {
            await options.claim?.(trx);
            const locked = await handoffs.lockLead(trx, handoff.leadId);
            if (locked === undefined) throw notFound();
            const moved = transitionLead(
              // The hand-off's AE decides, whatever the lead recorded when it was handed off.
              { ...locked, aeId: handoff.aeId },
              { to: handBack ? 'handed_back' : 'sales_qualified', reasonCode: handBack ? reasonCode : null, reasonText: handBack ? text : null },
              { actor, now, qualification: qualify(locked, criteria), handBackReasons },
            );
            if (!moved.ok) {
              const { code, message, field } = moved.error;
              if (code === 'illegal_transition') throw new HandoffRefusal(409, 'lead_wrong_state', `${message} The intro must be sent first.`, { field: 'outcome' });
              if (code === 'forbidden') throw new HandoffRefusal(403, 'not_the_ae', message);
              throw new HandoffRefusal(422, code, message, field === undefined ? {} : { field: field === 'reasonText' ? 'text' : field });
            }
            const change = moved.value;
            if ((await handoffs.updateLead(trx, locked.id, locked.version, change, now)) === undefined) throw stale();
            await handoffs.appendAudit(trx, change.audit);
            const closed = await closeHandoff(trx, actor, handoff, input.outcome, handBack ? reasonCode : input.outcome, handBack ? text : null, now);
            await rate(trx, actor, closed, handBack ? 'hand_back' : 'sales_qualified', rating, now);
            if (notice !== null) {
              await handoffs.addOutbox(trx, {
                idempotencyKey: `hand_back:${handoff.id}`,
                handoffId: handoff.id,
                kind: 'mail',
                mailbox: ae.entraOid,
                payload: {
                  to: [{ address: sdr.email, name: sdr.displayName }],
                  subject: notice.subject,
                  html: notice.html,
                  text: notice.text,
                  headers: { [handoffHeaderName]: handoff.id },
                },
                at: now,
              });
            }
          });
          break;
        }
        case 'no_show': {
          await handoffs.transaction(async (trx) => {
            await options.claim?.(trx);
            const moved = await moveStage(trx, actor, handoff, 'no_show', {}, now);
            await rate(trx, actor, moved, 'no_show', rating, now);
          });
          break;
        }
        case 'rescheduled': {
          const { start, end } = input;
          if (start === undefined) throw new HandoffRefusal(422, 'start_required', 'Give the new start of the meeting.', { field: 'start' });
          if (end === undefined) throw new HandoffRefusal(422, 'end_required', 'Give the new end of the meeting.', { field: 'end' });
          if (end.getTime() <= start.getTime()) throw new HandoffRefusal(422, 'invalid_slot', 'The meeting must end after it starts.', { field: 'end' });
          if (start.getTime() <= now.getTime()) throw new HandoffRefusal(422, 'invalid_slot', 'The new meeting must be in the future.', { field: 'start' });
          const lead = await leads.get(handoff.leadId);
          if (lead === undefined) throw notFound();
          const body = await renderInviteBody({
            teamId: handoff.teamId,
            ...(deps.wording ? { wording: deps.wording } : {}),
            lead,
            ae: { displayName: ae.displayName, email: ae.email },
            sdr: { displayName: sdr.displayName, email: sdr.email },
          });
          await handoffs.transaction(async (trx) => {
            await options.claim?.(trx);
            const n = nextInviteNumber(await handoffs.outboxKeys(trx, handoff.id, `invite:${handoff.id}`), handoff.id);
            await moveStage(trx, actor, handoff, 'rescheduled', { slotStart: start, slotEnd: end }, now);
            await handoffs.addOutbox(trx, {
              idempotencyKey: `invite:${handoff.id}:${n}`,
              handoffId: handoff.id,
              kind: 'event',
              // The meeting lives on the SDR's calendar, as the first invite does.
              mailbox: sdr.entraOid,
              payload: {
                subject: body.subject,
                html: body.html,
                start: start.toISOString(),
                end: end.toISOString(),
                timeZone: lead.timeZone ?? ae.timeZone,
                attendees: [
                  { address: lead.email, name: lead.contactName, type: 'required' },
                  { address: ae.email, name: ae.displayName, type: 'required' },
                ],
                onlineMeeting: true,
                transactionId: `${handoff.id}-r${n}`,
              },
              at: now,
            });
            if (deps.obligations !== undefined) {
              await deps.obligations.cancel(trx, handoff.id, ['ae_accept'], now);
              await deps.obligations.open(trx, { id: handoff.id, aeId: handoff.aeId, teamId: handoff.teamId }, 'ae_accept', now);
            }
          });
          break;
        }
      }
      return view(actor, id);
    },

    async requestInvite(actor, id, input) {
      const handoff = await visible(actor, id);
      if (!(actor.userId === handoff.sdrId || isTeamManager(actor, handoff.teamId))) {
        throw new HandoffRefusal(403, 'not_the_sdr', 'Only the hand-off’s SDR or a manager of the team books its invite.');
      }
      if (handoff.stage === 'closed') throw new HandoffRefusal(409, 'handoff_closed', 'This hand-off is closed.');
      if ((input.start === undefined) !== (input.end === undefined)) {
        throw new HandoffRefusal(422, input.start === undefined ? 'start_required' : 'end_required', 'Give both the start and the end of the meeting.', { field: input.start === undefined ? 'start' : 'end' });
      }
      const slot = input.start !== undefined && input.end !== undefined ? { start: input.start, end: input.end } : null;
      if (slot !== null && (slot.end <= slot.start || slot.start <= clock.now())) {
        throw new HandoffRefusal(422, 'invalid_slot', 'The meeting must start in the future and end after it starts.', { field: 'start' });
      }
      if (deps.inviter === undefined) throw new HandoffRefusal(503, 'mailbox_unavailable', 'No mailbox is connected: Baton cannot book the invite.');
      const outcome = await deps.inviter.requestInvite(handoff.id, slot);
      if (outcome === 'already_booked') throw new HandoffRefusal(409, 'invite_exists', 'The invite of this hand-off is already booked.');
      if (outcome === 'closed') throw new HandoffRefusal(409, 'handoff_closed', 'This hand-off is closed.');
      return view(actor, id);
    },

    handBackReasons: () => handBackReasons,

    async inviteDraft(actor, id) {
      const handoff = await visible(actor, id);
      if (!(actor.userId === handoff.sdrId || isTeamManager(actor, handoff.teamId))) {
        throw new HandoffRefusal(403, 'not_the_sdr', 'Only the hand-off’s SDR or a manager of the team fills its invite.');
      }
      if (handoff.stage === 'closed') throw new HandoffRefusal(409, 'handoff_closed', 'This hand-off is closed.');
      const lead = await leads.get(handoff.leadId);
      if (lead === undefined) throw notFound();
      const [ae, sdr] = await Promise.all([user(handoff.aeId, 'AE'), user(handoff.sdrId, 'SDR')]);
      const warnings: string[] = [];
      const now = clock.now();
      const chosen =
        handoff.slotStart !== null && handoff.slotEnd !== null && handoff.slotStart.getTime() > now.getTime()
          ? [{ start: handoff.slotStart, end: handoff.slotEnd }]
          : [];
      const slots = chosen.length > 0 ? chosen : await proposeSlots(lead, ae, sdr, now, warnings);
      const body = await renderInviteBody({
        teamId: handoff.teamId,
        ...(deps.wording ? { wording: deps.wording } : {}),
        lead,
        ae: { displayName: ae.displayName, email: ae.email },
        sdr: { displayName: sdr.displayName, email: sdr.email },
      });
      return {
        attendees: [
          { address: lead.email, name: lead.contactName },
          { address: ae.email, name: ae.displayName },
        ],
        subject: body.subject,
        html: body.html,
        text: body.text,
        slots,
        warnings,
      };
    },

    async intro(actor, id) {
      const handoff = await visible(actor, id);
      mustBeSdrOrManager(actor, handoff, 'fills its intro');
      if (handoff.stage === 'closed') throw new HandoffRefusal(409, 'handoff_closed', 'This hand-off is closed.');
      if (handoff.introSentAt !== null || handoff.stage !== 'intro_composed') {
        throw new HandoffRefusal(409, 'intro_sent', 'The intro of this hand-off was already sent.');
      }
      const lead = await leads.get(handoff.leadId);
      if (lead === undefined) throw notFound();
      const [ae, sdr] = await Promise.all([user(handoff.aeId, 'AE'), user(handoff.sdrId, 'SDR')]);
      const warnings: string[] = [];
      const now = clock.now();
      const proposed = await proposeSlots(lead, ae, sdr, now, warnings);
      const chosen =
        handoff.slotStart !== null && handoff.slotEnd !== null && handoff.slotStart.getTime() > now.getTime()
          ? { start: handoff.slotStart, end: handoff.slotEnd }
          : null;
      // The chosen time first (the pane highlights the first), then the other proposals.
      const slots = chosen === null ? proposed : [chosen, ...proposed.filter((slot) => slot.start.getTime() !== chosen.start.getTime())];
      return { handoff, intro: await composeIntro(lead, ae, sdr, slots, handoff.id), slots, warnings };
    },

    async chooseSlot(actor, id, slot) {
      const handoff = await visible(actor, id);
      mustBeSdrOrManager(actor, handoff, 'chooses its meeting time');
      if (handoff.stage === 'closed') throw new HandoffRefusal(409, 'handoff_closed', 'This hand-off is closed.');
      const now = clock.now();
      if (slot.end <= slot.start || slot.start <= now) {
        throw new HandoffRefusal(422, 'invalid_slot', 'The meeting must start in the future and end after it starts.', { field: 'start' });
      }
      await handoffs.transaction(async (trx) => {
        const booked = await handoffs.outboxKeys(trx, handoff.id, `invite:${handoff.id}`);
        if (booked.length > 0 || handoff.meetingStart !== null) {
          throw new HandoffRefusal(409, 'invite_exists', 'The invite of this hand-off is already booked: move the meeting in Outlook instead.');
        }
        if ((await handoffs.update(trx, handoff.id, handoff.version, { slotStart: slot.start, slotEnd: slot.end, at: now })) === undefined) throw stale();
      });
      return view(actor, id);
    },

    async reassign(actor, id, input, options = {}) {
      await reassignOn(actor, await authorizeAction(actor, id, 'reassign'), input, options);
      return view(actor, id);
    },

    async extendDeadline(actor, id, input, options = {}) {
      const dueAt = await extendOn(actor, await authorizeAction(actor, id, 'more_time'), input, options);
      return { view: await view(actor, id), dueAt };
    },

    async nudge(actor, id, input, options = {}) {
      await nudgeOn(actor, await authorizeAction(actor, id, 'nudge'), input, options);
      return view(actor, id);
    },

    async takeLinkAction(actor, handoff, change, options) {
      switch (change.action) {
        case 'reassign':
          return reassignOn(actor, handoff, { aeId: change.aeId, reason: change.reason, version: handoff.version }, options);
        case 'more_time':
          await extendOn(actor, handoff, { hours: change.hours }, options);
          return;
        case 'nudge':
          return nudgeOn(actor, handoff, { key: change.key }, options);
      }
    },

    authorizeAction,
  };

  /** Reassigns a hand-off `actor` may reassign (authorizeAction): obligations, meeting attendee, prep block and mails move. */
  async function reassignOn(actor: Actor, handoff: Handoff, input: ReassignInput, options: ChangeOptions): Promise<void> {
    if (input.version !== undefined && input.version !== handoff.version) throw stale();
    const reason = input.reason.trim();
    if (reason === '') throw new HandoffRefusal(422, 'reason_required', 'Say why the hand-off is reassigned.', { field: 'reason' });
    const ae = await namedAe(input.aeId, handoff.teamId, 'aeId');
    if (ae.id === handoff.aeId) throw new HandoffRefusal(422, 'same_ae', `${ae.displayName} already has this hand-off.`, { field: 'aeId' });
    const [previous, sdr, by] = await Promise.all([user(handoff.aeId, 'AE'), user(handoff.sdrId, 'SDR'), user(actor.userId, 'Actor')]);
    const lead = await leads.get(handoff.leadId);
    if (lead === undefined) throw notFound();
    const now = clock.now();
    const meeting = handoff.meetingStart !== null && handoff.meetingEnd !== null ? { start: handoff.meetingStart, end: handoff.meetingEnd } : null;
    // The prep block moves: deleted on the old AE's calendar, booked again on the new AE's (brief rendered now, outside the transaction).
    const prep =
      handoff.prepEventId !== null && handoff.prepStart !== null && handoff.prepEnd !== null
        ? {
            eventId: handoff.prepEventId,
            start: handoff.prepStart,
            end: handoff.prepEnd,
            brief: await renderPrepBrief({ lead, ae: person(ae), sdr: person(sdr), meeting, timeZone: ae.timeZone, teamId: handoff.teamId }),
          }
        : null;
    await handoffs.transaction(async (trx) => {
      await options.claim?.(trx);
      const locked = await handoffs.lockLead(trx, handoff.leadId);
      if (locked === undefined) throw notFound();
      const moved = await handoffs.update(trx, handoff.id, handoff.version, { aeId: ae.id, forgetAeCalendar: true, at: now });
      if (moved === undefined) throw stale();
      await requeueEvents(trx, handoff, { lead, sdr, previous, ae }, now);
      // A lead already handed off names its AE too (who sees it, who takes it over when Sales Qualified).
      if (locked.aeId === handoff.aeId && locked.status === 'suspect') {
        if ((await handoffs.setLeadAe(trx, locked.id, locked.version, ae.id, now)) === undefined) throw stale();
      }
      await handoffs.appendAudit(trx, handoffNoteAudit(handoff, actor.userId, now, 'reassigned', `${previous.displayName} → ${ae.displayName}: ${reason}`));
      // The new AE's clock starts now, in the new AE's working time; an invite already out must be accepted again.
      const opened =
        deps.obligations === undefined ? [] : await deps.obligations.reassign(trx, handoff, ae.id, now, handoff.meetingEventId === null ? [] : ['ae_accept']);
      const dueAt = opened.length === 0 ? null : ((await handoffs.obligations(handoff.id, trx)).filter((o) => o.status === 'open').map((o) => o.dueAt).sort((a, b) => a.getTime() - b.getTime())[0] ?? null);
      const key = `reassign:${handoff.id}:v${String(moved.version)}`;
      if (handoff.meetingEventId !== null) {
        await handoffs.addOutbox(trx, {
          idempotencyKey: `${key}:meeting`,
          handoffId: handoff.id,
          kind: 'event_update',
          // The meeting lives on the SDR's calendar: the organizer changes the attendee.
          mailbox: sdr.entraOid,
          payload: {
            eventId: handoff.meetingEventId,
            attendees: [
              { address: lead.email, name: lead.contactName, type: 'required' },
              { address: ae.email, name: ae.displayName, type: 'required' },
            ],
          },
          at: now,
        });
      }
      if (prep !== null) {
        await handoffs.addOutbox(trx, { idempotencyKey: `${key}:prep-delete`, handoffId: handoff.id, kind: 'event_delete', mailbox: previous.entraOid, payload: { eventId: prep.eventId }, at: now });
        await handoffs.addOutbox(trx, {
          idempotencyKey: `${key}:prep`,
          handoffId: handoff.id,
          kind: 'event',
          mailbox: ae.entraOid,
          payload: {
            purpose: 'prep',
            subject: `Prep: ${lead.companyName} demo`,
            html: prep.brief.html,
            start: prep.start.toISOString(),
            end: prep.end.toISOString(),
            timeZone: ae.timeZone,
            attendees: [],
            showAs: 'busy',
            sensitivity: 'private',
            transactionId: `${handoff.id}-prep-v${String(moved.version)}`,
          },
          at: now,
        });
      }
      for (const recipient of [sdr, previous, ae]) {
        const mail = await renderReassignNotice({
          teamId: handoff.teamId,
          ...(deps.wording ? { wording: deps.wording } : {}),
          lead,
          sdr: person(sdr),
          previousAe: person(previous),
          newAe: person(ae),
          by: person(by),
          reason,
          recipient: person(recipient),
          meeting,
          dueAt: recipient.id === ae.id ? dueAt : null,
          timeZone: recipient.timeZone,
        });
        await handoffs.addOutbox(trx, {
          idempotencyKey: `${key}:mail:${recipient.id}`,
          handoffId: handoff.id,
          kind: 'mail',
          mailbox: sdr.entraOid,
          payload: { to: [{ address: recipient.email, name: recipient.displayName }], subject: mail.subject, html: mail.html, headers: { [handoffHeaderName]: handoff.id } },
          at: now,
        });
      }
    });
  }

  /**
   * The invite and prep block of a hand-off still queued in the outbox (not yet in Graph) are written for the new AE:
   * the invite names and describes the new AE, the prep block goes to the new AE's calendar. One a sender is creating
   * right now cannot be changed any more: the reassignment is refused, to be tried again when it is booked.
   */
  async function requeueEvents(trx: Executor, handoff: Handoff, people: { lead: Lead; sdr: User; previous: User; ae: User }, now: Date): Promise<void> {
    const queued = await handoffs.queuedEvents(trx, handoff.id, now);
    if (queued.length === 0) return;
    if (queued.some((q) => q.inFlight)) {
      throw new HandoffRefusal(409, 'invite_in_flight', 'The invite of this hand-off is being booked right now; try again in a minute.');
    }
    const { lead, sdr, previous, ae } = people;
    const wording = deps.wording ? { wording: deps.wording } : {};
    const [before, after] = await Promise.all(
      [previous, ae].map((who) => renderInviteBody({ teamId: handoff.teamId, ...wording, lead, ae: { displayName: who.displayName, email: who.email }, sdr: person(sdr) })),
    );
    if (before === undefined || after === undefined) return;
    const meetingPayload = queued.map((q) => q.payload as EventPayload).find((p) => p.purpose !== 'prep');
    const meeting =
      meetingPayload !== undefined
        ? { start: new Date(meetingPayload.start), end: new Date(meetingPayload.end) }
        : handoff.slotStart !== null && handoff.slotEnd !== null
          ? { start: handoff.slotStart, end: handoff.slotEnd }
          : null;
    const oldAe = previous.email.toLowerCase();
    for (const q of queued) {
      const payload = q.payload as EventPayload;
      if (payload.purpose === 'prep') {
        const brief = await renderPrepBrief({ lead, ae: person(ae), sdr: person(sdr), meeting, timeZone: ae.timeZone, teamId: handoff.teamId });
        await handoffs.rewriteOutbox(trx, q.id, { mailbox: ae.entraOid, payload: { ...payload, html: brief.html, timeZone: ae.timeZone } });
        continue;
      }
      // The subject is the engine's (company × AE) or the invite template's: each is written again for the new AE.
      const subject =
        payload.subject === `${lead.companyName} × ${previous.displayName}: introduction`
          ? `${lead.companyName} × ${ae.displayName}: introduction`
          : payload.subject === before.subject
            ? after.subject
            : payload.subject;
      const attendees = payload.attendees.map((a) => (a.address.toLowerCase() === oldAe ? { ...a, address: ae.email, name: ae.displayName } : a));
      await handoffs.rewriteOutbox(trx, q.id, { mailbox: q.mailbox, payload: { ...payload, subject, html: after.html, attendees } });
    }
  }

  /** Gives the AE of a hand-off `actor` may act on more working hours; the new deadlines. */
  async function extendOn(actor: Actor, handoff: Handoff, input: { hours: number }, options: ChangeOptions): Promise<Date[]> {
    if (!(input.hours > 0) || input.hours > 200) throw new HandoffRefusal(422, 'invalid_hours', 'Give between 0 and 200 more working hours.', { field: 'hours' });
    if (deps.obligations === undefined) throw new HandoffRefusal(503, 'mailbox_unavailable', 'No mailbox is connected: Baton keeps no deadlines.');
    const obligations = deps.obligations;
    const now = clock.now();
    const extended = await handoffs.transaction(async (trx) => {
      await options.claim?.(trx);
      const out = await obligations.extend(trx, handoff.id, input.hours, now);
      if (out.length === 0) throw new HandoffRefusal(409, 'nothing_pending', 'The AE has nothing left to do on this hand-off: there is no deadline to extend.');
      const last = out.map((o) => o.dueAt).sort((a, b) => b.getTime() - a.getTime())[0];
      await handoffs.appendAudit(trx, handoffNoteAudit(handoff, actor.userId, now, 'deadline_extended', `+${String(input.hours)} working hours: due ${last?.toISOString() ?? ''}`));
      return out.map((o) => o.dueAt);
    });
    return extended;
  }

  /** Reminds the AE of a hand-off `actor` may act on by mail, once per key. */
  async function nudgeOn(actor: Actor, handoff: Handoff, input: { key: string }, options: ChangeOptions): Promise<void> {
    const open = (await handoffs.obligations(handoff.id)).filter((o) => o.status !== 'met' && o.status !== 'cancelled');
    if (open.length === 0) throw new HandoffRefusal(409, 'nothing_pending', 'The AE has replied and accepted already: there is nothing to nudge about.');
    const [ae, sdr, manager] = await Promise.all([user(handoff.aeId, 'AE'), user(handoff.sdrId, 'SDR'), user(actor.userId, 'Actor')]);
    const lead = await leads.get(handoff.leadId);
    if (lead === undefined) throw notFound();
    const dueAt = open.map((o) => o.dueAt).sort((a, b) => a.getTime() - b.getTime())[0] ?? clock.now();
    const mail = await renderNudge({
      teamId: handoff.teamId,
      ...(deps.wording ? { wording: deps.wording } : {}),
      lead,
      ae: person(ae),
      sdr: person(sdr),
      manager: person(manager),
      missing: open.map((o) => (o.kind === 'ae_reply' ? ('reply' as const) : ('accept' as const))),
      dueAt,
      timeZone: ae.timeZone,
    });
    const now = clock.now();
    await handoffs.transaction(async (trx) => {
      await options.claim?.(trx);
      const added = await handoffs.addOutbox(trx, {
        idempotencyKey: `nudge:${handoff.id}:${input.key}`,
        handoffId: handoff.id,
        kind: 'mail',
        mailbox: sdr.entraOid,
        payload: { to: [{ address: ae.email, name: ae.displayName }], cc: [{ address: manager.email, name: manager.displayName }], subject: mail.subject, html: mail.html, headers: { [handoffHeaderName]: handoff.id } },
        at: now,
      });
      if (!added) throw new HandoffRefusal(409, 'already_nudged', `${ae.displayName} was nudged already.`);
      await handoffs.appendAudit(trx, handoffNoteAudit(handoff, actor.userId, now, 'nudged', `${manager.displayName} nudged ${ae.displayName}`));
    });
  }

  /** The hand-off if `actor` may take `action` on it while it is open: 404 when they may not even see it. */
  async function authorizeAction(actor: Actor, id: string, action: ActionKind): Promise<Handoff> {
    const handoff = await visible(actor, id);
    const allowed = mayTakeAction(actor, action, handoff);
    if (!allowed.ok) throw new HandoffRefusal(403, allowed.error.code, allowed.error.message);
    if (handoff.stage === 'closed') throw new HandoffRefusal(409, 'handoff_closed', 'This hand-off is closed.');
    return handoff;
  }

  function handoffExists(handoffId?: string): HandoffRefusal {
    return new HandoffRefusal(409, 'handoff_exists', 'This lead already has a hand-off in progress.', {
      field: 'leadId',
      ...(handoffId === undefined ? {} : { handoffId }),
    });
  }

  /** Moves the stage (the table decides), version-checked, with its audit line. */
  async function moveStage(
    trx: Executor,
    actor: Actor,
    handoff: Handoff,
    to: HandoffStage,
    extra: { outcome?: string; slotStart?: Date; slotEnd?: Date; reasonCode?: string | null; reasonText?: string | null },
    now: Date,
  ): Promise<Handoff> {
    const moved = transitionHandoff(handoff, to, { actorId: actor.userId, now, reasonCode: extra.reasonCode ?? null, reasonText: extra.reasonText ?? null });
    if (!moved.ok) throw new HandoffRefusal(409, 'illegal_transition', moved.error.message, { field: 'outcome' });
    const written = await handoffs.update(trx, handoff.id, handoff.version, {
      stage: moved.value.stage,
      ...(extra.outcome === undefined ? {} : { outcome: extra.outcome }),
      ...(extra.slotStart === undefined ? {} : { slotStart: extra.slotStart }),
      ...(extra.slotEnd === undefined ? {} : { slotEnd: extra.slotEnd }),
      at: now,
    });
    if (written === undefined) throw stale();
    await handoffs.appendAudit(trx, moved.value.audit);
    return written;
  }

  async function closeHandoff(
    trx: Executor,
    actor: Actor,
    handoff: Handoff,
    outcome: OutcomeKind,
    reasonCode: string,
    reasonText: string | null,
    now: Date,
  ): Promise<Handoff> {
    const closed = await moveStage(trx, actor, handoff, 'closed', { outcome, reasonCode, reasonText }, now);
    if (deps.obligations !== undefined) await deps.obligations.cancel(trx, handoff.id, 'all', now);
    return closed;
  }

  /** Writes the AE's rating of the outcome that produced `handoff` (its version keys it), with its audit line. */
  async function rate(trx: Executor, actor: Actor, handoff: Handoff, outcome: RatedOutcome, rating: Rating | null, now: Date): Promise<void> {
    // checkRating refuses a rated outcome without a rating before anything is written.
    if (rating === null) throw new Error(`the ${outcome} outcome of hand-off ${handoff.id} has no rating`);
    await deps.ratings.insert(trx, {
      handoffId: handoff.id,
      handoffVersion: handoff.version,
      leadId: handoff.leadId,
      teamId: handoff.teamId,
      sdrId: handoff.sdrId,
      aeId: handoff.aeId,
      outcome,
      rating,
      at: now,
    });
    await handoffs.appendAudit(trx, {
      entity: 'handoff',
      entityId: handoff.id,
      actorId: actor.userId,
      at: now,
      from: handoff.stage,
      to: 'rated',
      reasonCode: outcome,
      reasonText: ratingAuditText(rating),
    });
  }
}
