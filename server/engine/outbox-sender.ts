// Sends what the outbox holds, once. Mails go through sendMail carrying `x-baton-outbox: <key>`; a row is marked
// `sending` before the call, so after a crash or a failure that may have sent it, the sender first looks for that
// header in the mailbox's Sent Items (after a settling delay) and sends again only when the mail is not there. Events
// go through createEvent with their transactionId (safe to repeat: Graph answers a repeated transactionId with the
// first event); a created event is handed to `onEventCreated` in the transaction that marks the row done.
// Imports: domain (ports), store.
import type { Logger } from 'pino';
import { GatewayError, type CalendarEvent, type EmailAddress, type MailboxGateway, type NewEvent } from '../domain/mailbox';
import type { Db } from '../store/database';
import type { OutboxItem, OutboxStore } from '../store/outbox-store';

export interface MailPayload {
  to: EmailAddress[];
  cc?: EmailAddress[];
  subject: string;
  html: string;
  /** The plain-text part, sent beside the HTML (the weekly report has one). */
  text?: string;
  headers?: Record<string, string>;
}

export interface EventPayload {
  /** What the event is for the hand-off: the meeting with the prospect, or the AE's private prep block. */
  purpose: 'meeting' | 'prep';
  subject: string;
  html: string;
  start: string;
  end: string;
  timeZone: string;
  attendees: (EmailAddress & { type?: 'required' | 'optional' })[];
  onlineMeeting?: boolean;
  showAs?: NewEvent['showAs'];
  sensitivity?: NewEvent['sensitivity'];
  transactionId: string;
}

/** Changes the attendees of an event the mailbox organizes (the meeting of a reassigned hand-off). */
export interface EventUpdatePayload {
  eventId: string;
  attendees: (EmailAddress & { type?: 'required' | 'optional' })[];
}

/** Deletes an event the mailbox owns (the old AE's prep block). */
export interface EventDeletePayload {
  eventId: string;
}

/** Every mail Baton sends carries its outbox key, so Sent Items can tell whether an interrupted send went out. */
export const outboxHeader = 'x-baton-outbox';
const sendingMark = 'sending';
const verifyMark = 'verify';

/**
 * Performs an outbox item of another kind (its module owns the payload): the Graph calls, then what to record in the
 * transaction that marks the row done.
 */
export type OutboxHandler = (item: OutboxItem) => Promise<{ result: unknown; commit?: (executor: Db) => Promise<void> }>;

export interface OutboxRound {
  claimed: number;
  /** Mails whose earlier attempt may have gone out, waiting to be looked up in Sent Items. */
  verifying: number;
  done: number;
  retried: number;
  failed: number;
  uncertain: number;
}

export interface OutboxSender {
  runOnce(): Promise<OutboxRound>;
}

export function createOutboxSender(options: {
  db: Db;
  store: OutboxStore;
  gateway: Pick<MailboxGateway, 'sendMail' | 'createEvent' | 'updateEvent' | 'deleteEvent' | 'messagesDelta'>;
  now: () => Date;
  logger: Logger;
  workerId: string;
  leaseMs?: number;
  batchSize?: number;
  maxAttempts?: number;
  /** How long after an interrupted send Sent Items is searched for the mail (Exchange files it within seconds). */
  verifyAfterMs?: number;
  onEventCreated?: (executor: Db, item: OutboxItem, payload: EventPayload, event: CalendarEvent) => Promise<void>;
  /** Handlers of the other kinds, by kind. */
  handlers?: Readonly<Partial<Record<string, OutboxHandler>>>;
}): OutboxSender {
  const { store, gateway, logger, workerId } = options;
  const leaseMs = options.leaseMs ?? 120_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const settleMs = options.verifyAfterMs ?? 2 * 60_000;

  /** Whether a mail with this outbox key is in the mailbox's Sent Items (sent since the row was written). */
  async function alreadySent(item: OutboxItem): Promise<boolean> {
    const since = new Date(item.createdAt.getTime() - 60_000);
    const sent = await gateway.messagesDelta(item.mailbox, 'sentitems', null, since);
    return sent.changed.some((m) => m.headers.get(outboxHeader) === item.idempotencyKey);
  }

  async function perform(item: OutboxItem): Promise<'done' | 'verifying'> {
    if (item.kind === 'mail') {
      if (item.lastError === sendingMark || item.lastError?.startsWith(verifyMark) === true) {
        // A previous attempt may have sent it. Look before sending again, once Exchange had time to file it.
        if (item.lastError === sendingMark) {
          await store.retryLater(item.id, { workerId, availableAt: new Date(options.now().getTime() + settleMs), error: `${verifyMark}: a send was interrupted` });
          return 'verifying';
        }
        if (await alreadySent(item)) {
          await store.finish(item.id, { status: 'done', workerId, now: options.now(), result: { verified: 'found in Sent Items' } });
          return 'done';
        }
      }
      const p = item.payload as MailPayload;
      await store.mark(item.id, { workerId, note: sendingMark });
      await gateway.sendMail(item.mailbox, { to: p.to, cc: p.cc ?? [], subject: p.subject, html: p.html, ...(p.text === undefined ? {} : { text: p.text }), headers: { ...(p.headers ?? {}), [outboxHeader]: item.idempotencyKey } });
      await store.finish(item.id, { status: 'done', workerId, now: options.now() });
      return 'done';
    }
    const handler = options.handlers?.[item.kind];
    if (handler !== undefined) {
      const done = await handler(item);
      await options.db.transaction().execute(async (trx) => {
        const finished = await store.finish(item.id, { status: 'done', workerId, now: options.now(), result: done.result }, trx);
        if (finished && done.commit) await done.commit(trx);
      });
      return 'done';
    }
    if (item.kind === 'event_update') {
      const u = item.payload as EventUpdatePayload;
      // PATCH with the whole attendees list: Exchange sends the new attendee the invite and the removed one a cancellation.
      const event = await gateway.updateEvent(item.mailbox, u.eventId, { attendees: u.attendees });
      await store.finish(item.id, { status: 'done', workerId, now: options.now(), result: { eventId: event.id } });
      return 'done';
    }
    if (item.kind === 'event_delete') {
      await gateway.deleteEvent(item.mailbox, (item.payload as EventDeletePayload).eventId);
      await store.finish(item.id, { status: 'done', workerId, now: options.now() });
      return 'done';
    }
    if (item.kind !== 'event') throw new GatewayError('invalid', `no sender for outbox items of kind '${item.kind}'`);
    const p = item.payload as EventPayload;
    const event = await gateway.createEvent(item.mailbox, {
      subject: p.subject,
      html: p.html,
      start: new Date(p.start),
      end: new Date(p.end),
      timeZone: p.timeZone,
      attendees: p.attendees,
      ...(p.onlineMeeting === undefined ? {} : { onlineMeeting: p.onlineMeeting }),
      ...(p.showAs === undefined ? {} : { showAs: p.showAs }),
      ...(p.sensitivity === undefined ? {} : { sensitivity: p.sensitivity }),
      transactionId: p.transactionId,
    });
    await options.db.transaction().execute(async (trx) => {
      const finished = await store.finish(item.id, { status: 'done', workerId, now: options.now(), result: { eventId: event.id, iCalUId: event.iCalUId } }, trx);
      if (finished && options.onEventCreated) await options.onEventCreated(trx, item, p, event);
    });
    return 'done';
  }

  return {
    async runOnce() {
      const round: OutboxRound = { claimed: 0, verifying: 0, done: 0, retried: 0, failed: 0, uncertain: 0 };
      const items = await store.claim({ workerId, now: options.now(), leaseMs, limit: options.batchSize ?? 20 });
      round.claimed = items.length;
      for (const item of items) {
        try {
          if ((await perform(item)) === 'done') round.done++;
          else round.verifying++;
        } catch (e) {
          const now = options.now();
          const error = e instanceof Error ? e.message : String(e);
          const ctx = { outboxId: item.id, key: item.idempotencyKey, kind: item.kind, attempts: item.attempts };
          if (e instanceof GatewayError && e.maybeApplied && item.kind === 'mail') {
            if (item.attempts >= maxAttempts) {
              await store.finish(item.id, { status: 'uncertain', workerId, now, error });
              round.uncertain++;
              logger.error({ ...ctx, err: e }, 'outbox mail may or may not have been sent; giving up');
              continue;
            }
            // It may have gone out: look in Sent Items later instead of sending twice.
            await store.retryLater(item.id, { workerId, availableAt: new Date(now.getTime() + settleMs), error: `${verifyMark}: ${error}` });
            round.verifying++;
            logger.warn({ ...ctx, err: e }, 'outbox mail may have been sent; checking Sent Items before any new attempt');
            continue;
          }
          const retryable = !(e instanceof GatewayError) || ['throttled', 'temporary', 'auth', 'forbidden'].includes(e.code);
          if (!retryable || item.attempts >= maxAttempts) {
            await store.finish(item.id, { status: 'failed', workerId, now, error });
            round.failed++;
            logger.error({ ...ctx, err: e }, 'outbox item failed for good');
            continue;
          }
          const wait =
            e instanceof GatewayError && e.retryAfterMs !== undefined
              ? e.retryAfterMs
              : e instanceof GatewayError && (e.code === 'auth' || e.code === 'forbidden')
                ? 5 * 60_000
                : Math.min(15 * 60_000, 2_000 * 2 ** item.attempts);
          await store.retryLater(item.id, { workerId, availableAt: new Date(now.getTime() + wait), error });
          round.retried++;
          logger.warn({ ...ctx, err: e, retryInMs: wait }, 'outbox item will be tried again');
        }
      }
      return round;
    },
  };
}
