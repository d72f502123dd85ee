// The hand-off engine: turns the signals the mailbox watch records into the process of seeds 003 and 004. The intro
// seen sent moves the hand-off on, the lead to `suspect`, opens the two SLA obligations and books the invite (and the
// AE's private prep block before a demo) through the outbox; the AE's reply and acceptance meet the obligations; a
// decline, a moved or cancelled meeting and a conflicting event are kept as findings and told to the SDR and the AE.
// Each signal is applied in one transaction with everything it causes. Imports: domain, store, mail, ./obligations.
import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { HandoffSignal } from '../domain/handoff-signals';
import { transitionHandoff, transitionLead, type HandoffStage } from '../domain/lifecycle';
import type { CalendarEvent, MailboxGateway } from '../domain/mailbox';
import type { User } from '../domain/people';
import { qualify, type QualificationCriteria } from '../domain/qualification';
import type { HandBackReason } from '../domain/lifecycle';
import { policyOf, type TeamPolicies } from '../domain/team-policy';
import { nextWorkingStart } from '../domain/working-time';
import { renderCalendarHygieneNotice, renderInviteBody, renderInviteResponseNotice, renderPrepBrief, type CalendarFinding, type MailSlot } from '../mail/handoff-mails';
import type { HandoffWatchStore } from '../store/handoff-watch-store';
import { appendAudit, createLeadStore, type LeadStore } from '../store/lead-store';
import type { OutboxItem, OutboxStore } from '../store/outbox-store';
import { createPeopleStore, type PeopleStore } from '../store/people-store';
import type { Database } from '../store/schema';
import type { ObligationService } from './obligations';
import { defaultSlotProposer } from './handoff-service';
import type { EventPayload, MailPayload } from './outbox-sender';

type Executor = Kysely<Database>;

/** Signals that tell the SDR and the AE of a meeting in trouble, with new times proposed. */
const troubled: ReadonlySet<string> = new Set(['meeting_moved', 'meeting_cancelled', 'conflict_added', 'prep_removed']);

export interface HandoffEngine {
  /** Applies pending hand-off signals (each once, by one instance); returns how many were applied. */
  applySignals(limit?: number): Promise<number>;
  /** Books the invite now (the SDR asked), at `slot` or the chosen/next free one; once per hand-off. */
  requestInvite(handoffId: string, slot: { start: Date; end: Date } | null): Promise<'booked' | 'already_booked' | 'closed'>;
  /** The outbox created an event: the meeting (the invite is out) or the AE's prep block. */
  onEventCreated(executor: Executor, item: OutboxItem, payload: EventPayload, event: CalendarEvent): Promise<void>;
}

export function createHandoffEngine(options: {
  db: Executor;
  watch: HandoffWatchStore;
  leads: LeadStore;
  people: PeopleStore;
  outbox: OutboxStore;
  obligations: ObligationService;
  policies: TeamPolicies;
  criteria: QualificationCriteria;
  handBackReasons: readonly HandBackReason[];
  now: () => Date;
  logger: Logger;
  /** Free/busy for the new times a calendar-hygiene notice proposes; without it the notice proposes none. */
  gateway?: Pick<MailboxGateway, 'getSchedule'>;
}): HandoffEngine {
  const { db, watch, outbox, obligations, logger } = options;
  const person = (u: User) => ({ displayName: u.displayName, email: u.email });

  async function moveStage(executor: Executor, h: { id: string; stage: string }, to: HandoffStage, at: Date): Promise<boolean> {
    const moved = transitionHandoff({ id: h.id, stage: h.stage as HandoffStage }, to, { actorId: null, now: at });
    if (!moved.ok) return false;
    await executor
      .updateTable('handoffs')
      .set((eb) => ({ stage: to, stage_changed_at: at, version: eb('version', '+', 1) }))
      .where('id', '=', h.id)
      .execute();
    await appendAudit(executor, moved.value.audit);
    return true;
  }

  async function leadToSuspect(executor: Executor, h: { lead_id: string; ae_id: string; sdr_id: string; override_reason: string | null }, at: Date): Promise<void> {
    const lead = await createLeadStore(executor).get(h.lead_id);
    const sdr = await createPeopleStore(executor).getUser(h.sdr_id);
    if (lead === undefined || sdr === undefined || lead.status !== 'qualified') return;
    const qualification = h.override_reason !== null ? { qualified: true, missing: [] } : qualify(lead, options.criteria);
    const moved = transitionLead(
      lead,
      { to: 'suspect', aeId: h.ae_id },
      { actor: { userId: sdr.id, role: sdr.role, teamId: sdr.teamId }, now: at, qualification, handBackReasons: options.handBackReasons },
    );
    if (!moved.ok) {
      logger.warn({ leadId: lead.id, error: moved.error }, 'lead not moved to suspect');
      return;
    }
    await executor
      .updateTable('leads')
      .set((eb) => ({ status: 'suspect', ae_id: moved.value.aeId, owner_id: moved.value.ownerId, updated_at: at, version: eb('version', '+', 1) }))
      .where('id', '=', lead.id)
      .where('status', '=', 'qualified')
      .execute();
    await appendAudit(executor, moved.value.audit);
  }

  async function finding(executor: Executor, handoffId: string, kind: string, at: Date, details: unknown, sourceEventId: string): Promise<void> {
    await executor
      .insertInto('handoff_findings')
      .values({ handoff_id: handoffId, kind, at, details: JSON.stringify(details), source_event_id: sourceEventId })
      .onConflict((oc) => oc.column('source_event_id').doNothing())
      .execute();
  }

  type HandoffRow = NonNullable<Awaited<ReturnType<typeof loadHandoff>>>;
  function loadHandoff(executor: Executor, id: string) {
    return executor.selectFrom('handoffs').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** Books the meeting (and the prep block before a demo) through the outbox, from the SDR's mailbox. */
  async function bookInvite(executor: Executor, h: HandoffRow, sdr: User, ae: User, at: Date): Promise<void> {
    const lead = await createLeadStore(executor).get(h.lead_id);
    if (lead === undefined) return;
    const policy = policyOf(options.policies, h.team_id);
    let start: Date;
    if (h.slot_start !== null) start = h.slot_start;
    else {
      // No time chosen or proposed at hand-off: the AE's first working time after the minimum notice where the
      // meeting fits (free/busy cannot be read inside this transaction; a clash is then a calendar-hygiene finding).
      const cal = await obligations.calendarOf(ae);
      start = nextWorkingStart(new Date(at.getTime() + policy.minNoticeHours * 3600_000), policy.meetingMinutes * 60_000, cal);
    }
    const end = h.slot_end ?? new Date(start.getTime() + policy.meetingMinutes * 60_000);
    const body = await renderInviteBody({ lead, ae: person(ae), sdr: person(sdr), teamId: h.team_id });
    const items: { idempotencyKey: string; handoffId: string; kind: 'event'; mailbox: string; payload: EventPayload }[] = [
      {
        idempotencyKey: `invite:${h.id}`,
        handoffId: h.id,
        kind: 'event',
        mailbox: sdr.entraOid,
        payload: {
          purpose: 'meeting',
          subject: `${lead.companyName} × ${ae.displayName}: introduction`,
          html: body.html,
          start: start.toISOString(),
          end: end.toISOString(),
          timeZone: lead.timeZone ?? sdr.timeZone,
          attendees: [{ address: lead.email, name: lead.contactName }, { address: ae.email, name: ae.displayName }],
          onlineMeeting: true,
          transactionId: h.id,
        },
      },
    ];
    if (h.demo_requested && policy.prepMinutes > 0) {
      const brief = await renderPrepBrief({ lead, ae: person(ae), sdr: person(sdr), meeting: { start, end }, timeZone: ae.timeZone, teamId: h.team_id });
      items.push({
        idempotencyKey: `prep:${h.id}`,
        handoffId: h.id,
        kind: 'event',
        mailbox: ae.entraOid,
        payload: {
          purpose: 'prep',
          subject: `Prep: ${lead.companyName} demo`,
          html: brief.html,
          start: new Date(start.getTime() - policy.prepMinutes * 60_000).toISOString(),
          end: start.toISOString(),
          timeZone: ae.timeZone,
          attendees: [],
          showAs: 'busy',
          sensitivity: 'private',
          // The hand-off id leads the prep block's transactionId: the conflict rules know it as Baton's own.
          transactionId: `${h.id}-prep`,
        },
      });
    }
    await outbox.add(executor, items, at);
  }

  /** Tells the SDR and the AE about a calendar finding, each in their own zone. */
  async function tellBoth(executor: Executor, h: HandoffRow, sdr: User, ae: User, f: CalendarFinding, key: string, at: Date, newSlots: readonly MailSlot[]): Promise<void> {
    const lead = await createLeadStore(executor).get(h.lead_id);
    if (lead === undefined || h.meeting_start === null || h.meeting_end === null) return;
    const rows = [];
    for (const recipient of [sdr, ae]) {
      const mail = await renderCalendarHygieneNotice({
        lead,
        ae: person(ae),
        sdr: person(sdr),
        recipient: person(recipient),
        finding: f,
        meeting: { start: h.meeting_start, end: h.meeting_end },
        newSlots,
        timeZone: recipient.timeZone,
        teamId: h.team_id,
      });
      const payload: MailPayload = { to: [{ address: recipient.email, name: recipient.displayName }], subject: mail.subject, html: mail.html };
      rows.push({ idempotencyKey: `${key}:${recipient.id}`, handoffId: h.id, kind: 'mail' as const, mailbox: sdr.entraOid, payload });
    }
    await outbox.add(executor, rows, at);
  }

  /** New times for a meeting in trouble, from the AE's and SDR's free/busy: read before the transaction. */
  async function newSlotsFor(handoffId: string): Promise<readonly MailSlot[]> {
    if (options.gateway === undefined) return [];
    const h = await db.selectFrom('handoffs').select(['lead_id', 'sdr_id', 'ae_id']).where('id', '=', handoffId).executeTakeFirst();
    if (h === undefined) return [];
    const lead = await createLeadStore(db).get(h.lead_id);
    const sdr = await createPeopleStore(db).getUser(h.sdr_id);
    const ae = await createPeopleStore(db).getUser(h.ae_id);
    if (lead === undefined || sdr === undefined || ae === undefined) return [];
    const now = options.now();
    const window = { start: now, end: new Date(now.getTime() + 14 * 86_400_000) };
    try {
      const schedules = await options.gateway.getSchedule(sdr.entraOid, [ae.email, sdr.email], window, 30);
      return defaultSlotProposer({ now, ae, sdr, lead, schedules, window });
    } catch (e) {
      logger.warn({ err: e, handoffId }, 'free/busy unreadable: the notice proposes no new time');
      return [];
    }
  }

  async function apply(executor: Executor, eventId: string, signal: HandoffSignal, occurredAt: Date, newSlots: readonly MailSlot[]): Promise<void> {
    const h = await loadHandoff(executor, signal.handoffId);
    if (h === undefined || h.stage === 'closed') return;
    // Reads inside the transaction go through it (the embedded database has one connection).
    const inTrx = createPeopleStore(executor);
    const sdr = await inTrx.getUser(h.sdr_id);
    const ae = await inTrx.getUser(h.ae_id);
    if (sdr === undefined || ae === undefined) return;
    const at = signal.at ?? occurredAt;
    const now = options.now();
    switch (signal.kind) {
      case 'intro_sent': {
        if (!(await moveStage(executor, h, 'intro_sent', at))) return;
        await leadToSuspect(executor, h, at);
        await obligations.open(executor, { id: h.id, aeId: h.ae_id, teamId: h.team_id }, 'ae_reply', at);
        await obligations.open(executor, { id: h.id, aeId: h.ae_id, teamId: h.team_id }, 'ae_accept', at);
        await bookInvite(executor, h, sdr, ae, now);
        // Booked already at the SDR's request: the invite is out.
        if (h.meeting_event_id !== null) await moveStage(executor, { id: h.id, stage: 'intro_sent' }, 'invite_sent', now);
        return;
      }
      case 'ae_replied':
        await obligations.meet(executor, h.id, 'ae_reply', at);
        return;
      case 'invite_answered': {
        if (signal.response === 'declined') {
          await finding(executor, h.id, 'declined', at, { seenOn: signal.seenOn, removed: signal.removed }, eventId);
          await moveStage(executor, h, 'declined', at);
          if (h.meeting_start !== null && h.meeting_end !== null) {
            const lead = await createLeadStore(executor).get(h.lead_id);
            if (lead === undefined) return;
            const mail = await renderInviteResponseNotice({
              lead,
              sdr: person(sdr),
              ae: person(ae),
              responder: person(ae),
              response: 'declined',
              meeting: { start: h.meeting_start, end: h.meeting_end },
              timeZone: sdr.timeZone,
              teamId: h.team_id,
            });
            await outbox.add(executor, [{ idempotencyKey: `declined:${eventId}`, handoffId: h.id, kind: 'mail', mailbox: sdr.entraOid, payload: { to: [{ address: sdr.email, name: sdr.displayName }], subject: mail.subject, html: mail.html } satisfies MailPayload }], now);
          }
          return;
        }
        await obligations.meet(executor, h.id, 'ae_accept', at);
        if (h.stage === 'invite_sent' || h.stage === 'rescheduled') await moveStage(executor, h, 'accepted', at);
        return;
      }
      case 'time_proposed': {
        // A new time proposed by the AE or the prospect reaches the SDR at once; the SDR decides whether to move it.
        await finding(executor, h.id, 'time_proposed', at, { by: signal.by, response: signal.response, proposed: signal.proposed }, eventId);
        if (h.meeting_start === null || h.meeting_end === null) return;
        const lead = await createLeadStore(executor).get(h.lead_id);
        if (lead === undefined) return;
        const byAe = signal.by.toLowerCase() === ae.email.toLowerCase();
        const mail = await renderInviteResponseNotice({
          lead,
          sdr: person(sdr),
          ae: person(ae),
          responder: byAe ? person(ae) : { displayName: lead.contactName, email: lead.email },
          response: 'new_time_proposed',
          meeting: { start: h.meeting_start, end: h.meeting_end },
          proposedSlot: signal.proposed,
          timeZone: sdr.timeZone,
          teamId: h.team_id,
        });
        const key = `proposed:${h.id}:${signal.by.toLowerCase()}:${signal.proposed.start.toISOString()}`;
        await outbox.add(executor, [{ idempotencyKey: key, handoffId: h.id, kind: 'mail', mailbox: sdr.entraOid, payload: { to: [{ address: sdr.email, name: sdr.displayName }], subject: mail.subject, html: mail.html } satisfies MailPayload }], now);
        return;
      }
      case 'meeting_moved':
        await finding(executor, h.id, 'meeting_moved', at, { from: signal.from, to: signal.to, seenOn: signal.seenOn }, eventId);
        await tellBoth(executor, { ...h, meeting_start: signal.from.start, meeting_end: signal.from.end }, sdr, ae, { kind: 'meeting_moved', movedTo: signal.to }, `moved:${eventId}`, now, newSlots);
        return;
      case 'meeting_cancelled':
        await finding(executor, h.id, 'meeting_deleted', at, { seenOn: signal.seenOn, how: signal.how }, eventId);
        await tellBoth(executor, h, sdr, ae, { kind: 'meeting_deleted' }, `cancelled:${eventId}`, now, newSlots);
        return;
      case 'conflict_added': {
        const details = { eventId: signal.eventId, start: signal.start, end: signal.end, subject: signal.subject };
        const event = { start: signal.start, end: signal.end, subject: signal.subject };
        if (signal.overlaps === 'meeting') {
          await finding(executor, h.id, 'conflict', at, details, eventId);
          await tellBoth(executor, h, sdr, ae, { kind: 'conflict', event }, `conflict:${eventId}`, now, newSlots);
        } else {
          await finding(executor, h.id, 'prep_block_overlapped', at, details, eventId);
          await tellBoth(executor, h, sdr, ae, { kind: 'prep_block_overlapped', event }, `prep_conflict:${eventId}`, now, newSlots);
        }
        return;
      }
      case 'prep_removed':
        // Baton's own prep block is gone: the AE loses the time to prepare the demo.
        await executor.updateTable('handoffs').set({ prep_event_id: null, prep_start: null, prep_end: null }).where('id', '=', h.id).where('prep_event_id', '=', signal.eventId).execute();
        await finding(executor, h.id, 'prep_block_deleted', at, { eventId: signal.eventId }, eventId);
        await tellBoth(executor, h, sdr, ae, { kind: 'prep_block_deleted' }, `prep_removed:${eventId}`, now, newSlots);
        return;
      case 'ae_copy_seen':
        return;
    }
  }

  return {
    async applySignals(limit = 50) {
      let applied = 0;
      for (;;) {
        // A calendar problem comes with new times: free/busy is read before the transaction holds the database.
        const [peek] = await watch.pendingEvents(1);
        const slots = peek !== undefined && troubled.has(peek.kind) ? await newSlotsFor(peek.handoffId) : [];
        const done = await db.transaction().execute(async (trx) => {
          const [record] = await watch.pendingEvents(1, trx);
          if (record === undefined) return false;
          await apply(trx, record.id, record.signal, record.occurredAt, record.id === peek?.id ? slots : []);
          await watch.markConsumed([record.id], options.now(), trx);
          return true;
        });
        if (!done) return applied;
        applied++;
        if (applied >= limit) return applied;
      }
    },

    requestInvite(handoffId, slot) {
      return db.transaction().execute(async (trx) => {
        const h = await loadHandoff(trx, handoffId);
        if (h === undefined || h.stage === 'closed') return 'closed';
        const booked = await trx.selectFrom('outbox').select('id').where('idempotency_key', '=', `invite:${h.id}`).executeTakeFirst();
        if (booked !== undefined || h.meeting_event_id !== null) return 'already_booked';
        if (slot !== null) await trx.updateTable('handoffs').set({ slot_start: slot.start, slot_end: slot.end }).where('id', '=', h.id).execute();
        const inTrx = createPeopleStore(trx);
        const sdr = await inTrx.getUser(h.sdr_id);
        const ae = await inTrx.getUser(h.ae_id);
        if (sdr === undefined || ae === undefined) return 'closed';
        await bookInvite(trx, slot === null ? h : { ...h, slot_start: slot.start, slot_end: slot.end }, sdr, ae, options.now());
        return 'booked';
      });
    },

    async onEventCreated(executor, item, payload, event) {
      if (item.handoffId === null) return;
      const h = await loadHandoff(executor, item.handoffId);
      if (h === undefined) return;
      if (payload.purpose === 'prep') {
        await executor.updateTable('handoffs').set({ prep_event_id: event.id, prep_start: event.start, prep_end: event.end }).where('id', '=', h.id).execute();
        return;
      }
      await executor
        .updateTable('handoffs')
        .set({ meeting_event_id: event.id, meeting_ical_uid: event.iCalUId, meeting_start: event.start, meeting_end: event.end })
        .where('id', '=', h.id)
        .execute();
      const restarting = h.stage === 'declined' || h.stage === 'rescheduled';
      if (await moveStage(executor, h, 'invite_sent', options.now())) {
        // A new invite restarts the acceptance obligation.
        if (restarting) await obligations.open(executor, { id: h.id, aeId: h.ae_id, teamId: h.team_id }, 'ae_accept', options.now());
      }
    },
  };
}
