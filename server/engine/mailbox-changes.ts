// The one idempotent path from what a mailbox shows to hand-off events, shared by notifications and delta rounds:
// find the hand-offs each item may concern (one query), let the pure rules of domain/handoff-signals decide, then
// record the signals under their dedupe keys in the caller's transaction. Reads happen before the transaction, so
// no Graph call ever runs while a transaction holds the (embedded) database.
// Imports: domain, store, ./delta-sync (types).
import type { Logger } from 'pino';
import {
  matchKeysOfEvent,
  matchKeysOfMessage,
  signalsFromEvent,
  signalsFromMessage,
  signalsFromRemoval,
  type HandoffSignal,
  type TrackedHandoff,
  type WatchedMailbox,
} from '../domain/handoff-signals';
import type { MailboxGateway } from '../domain/mailbox';
import type { Executor, HandoffWatchStore } from '../store/handoff-watch-store';
import type { MailboxChanges } from './delta-sync';

export interface ChangeRecorder {
  /** What the changes mean for the hand-offs (reads the database and, for delta removals, Graph). */
  signalsOf(changes: MailboxChanges): Promise<HandoffSignal[]>;
  /** Records the signals in the caller's transaction; returns those not seen before. */
  record(executor: Executor, signals: readonly HandoffSignal[], now: Date): Promise<HandoffSignal[]>;
}

export function createChangeRecorder(options: {
  watch: HandoffWatchStore;
  gateway: Pick<MailboxGateway, 'getEvent'>;
  logger: Logger;
}): ChangeRecorder {
  const { watch, gateway } = options;
  return {
    async signalsOf(changes) {
      const mailbox: WatchedMailbox = { userId: changes.person.id, email: changes.person.email, role: changes.person.role };
      const signals: HandoffSignal[] = [];
      if (changes.messages.length > 0) {
        const candidates = await watch.findCandidates(changes.messages.map(matchKeysOfMessage));
        if (candidates.length > 0) for (const m of changes.messages) signals.push(...signalsFromMessage(m, mailbox, changes.scope, candidates));
      }
      if (changes.events.length > 0) {
        const candidates = await watch.findCandidates(changes.events.map(matchKeysOfEvent));
        let aeMeetings: TrackedHandoff[] = [];
        if (mailbox.role === 'ae') {
          const live = changes.events.filter((e) => !e.isCancelled);
          if (live.length > 0) {
            const start = new Date(Math.min(...live.map((e) => e.start.getTime())));
            const end = new Date(Math.max(...live.map((e) => e.end.getTime())));
            aeMeetings = await watch.openMeetingsOfAe(mailbox.userId, { start, end });
          }
        }
        if (candidates.length > 0 || aeMeetings.length > 0) for (const e of changes.events) signals.push(...signalsFromEvent(e, mailbox, candidates, aeMeetings));
      }
      if (changes.removed.length > 0) {
        const candidates = await watch.findCandidates(changes.removed.map((eventId) => ({ eventId, iCalUId: null, transactionId: null })));
        for (const eventId of changes.removed) {
          const concerned = candidates.filter((h) => h.meetingEventId === eventId || h.meetingAeEventId === eventId || h.prepEventId === eventId);
          if (concerned.length === 0) continue;
          // A delta round also reports events that merely left its window as removed: confirm the deletion.
          if (changes.source === 'delta' && (await gateway.getEvent(changes.person.entraOid, eventId)) !== null) continue;
          signals.push(...signalsFromRemoval(eventId, mailbox, concerned));
        }
      }
      return signals;
    },
    async record(executor, signals, now) {
      if (signals.length === 0) return [];
      const fresh = await watch.recordSignals(executor, signals, now);
      for (const s of fresh) options.logger.info({ handoffId: s.handoffId, signal: s.kind }, 'hand-off signal recorded');
      return fresh;
    },
  };
}
