// The away check: mailbox settings have no change notifications, so the automatic replies of every AE with obligations
// an absence can move are read on a timer, once per AE per interval however many obligations they have (the AE's
// durable timer row is claimed by one instance), and once when a hand-off to them starts. Each reading is merged into
// the AE's away spans and, when they change, the AE's obligations are re-planned in the same transaction; the same
// read refreshes the working calendar the SLA clock uses. Imports: domain, store, ./obligations (type).
import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import { mergeAway, readAway, type AwaySpan } from '../domain/away';
import type { AutomaticReplies, MailboxGateway } from '../domain/mailbox';
import type { User } from '../domain/people';
import type { AwayStore } from '../store/away-store';
import type { PeopleStore } from '../store/people-store';
import type { Database } from '../store/schema';
import type { ObligationService } from './obligations';

export interface AwayCheck {
  /** Reads the automatic replies of up to `limit` AEs whose check is due; returns how many were read. */
  run(limit?: number): Promise<number>;
  /** A reading taken elsewhere (the hand-off start) at `at`: merged and saved, the AE's next check an interval later. */
  record(ae: User, replies: AutomaticReplies, at: Date): Promise<readonly AwaySpan[]>;
  /** The AE's spans as saved (for the pane and the start's answer). */
  spansOf(userId: string): Promise<readonly AwaySpan[]>;
}

export function createAwayCheck(options: {
  db: Kysely<Database>;
  store: AwayStore;
  people: Pick<PeopleStore, 'getUser'>;
  gateway: Pick<MailboxGateway, 'mailboxSettings'>;
  /** Re-plans the AE's obligations and shares the read with the SLA clock's calendar; absent: spans only. */
  obligations?: Pick<ObligationService, 'calendarOf' | 'rememberSettings' | 'recentSettings' | 'replanForAe'> | undefined;
  now: () => Date;
  logger: Logger;
  /** How often each AE with running obligations is read (AWAY_CHECK_MINUTES). */
  intervalMs: number;
}): AwayCheck {
  const { db, store, logger, intervalMs } = options;
  /** A settings read this recent is the AE's current state (automatic replies switched on in that minute wait a round). */
  const recentMs = 60_000;

  async function apply(ae: User, replies: AutomaticReplies, at: Date): Promise<readonly AwaySpan[]> {
    // The calendar may need a read of its own (the first time): before the transaction, never inside it.
    if (options.obligations !== undefined) await options.obligations.calendarOf(ae);
    return db.transaction().execute(async (trx) => {
      await store.lock(trx, ae.id, at);
      const before = await store.spansOf(trx, ae.id);
      const merged = mergeAway(before, readAway(replies, at), at);
      if (merged.changed) {
        await store.replace(trx, ae.id, merged.spans, at);
        const replanned = options.obligations === undefined ? 0 : await options.obligations.replanForAe(trx, ae, merged.spans, at);
        logger.info({ userId: ae.id, spans: merged.spans.length, replanned }, 'away spans changed');
      }
      await store.checked(trx, ae.id, at, new Date(at.getTime() + intervalMs));
      return merged.spans;
    });
  }

  return {
    async run(limit = 100) {
      const now = options.now();
      const due = await store.claimDue(now, new Date(now.getTime() + intervalMs), limit);
      let read = 0;
      for (const userId of due) {
        const ae = await options.people.getUser(userId);
        if (ae === undefined) continue;
        // The SLA clock read the same settings a moment ago (a hand-off's obligations opening): that read serves.
        const recent = options.obligations?.recentSettings(ae, recentMs) ?? null;
        if (recent !== null) {
          await apply(ae, recent.automaticReplies, now);
          continue;
        }
        let settings;
        try {
          settings = await options.gateway.mailboxSettings(ae.entraOid);
        } catch (e) {
          logger.warn({ err: e, userId }, 'automatic replies unreadable; the SLA clock runs on what was seen before');
          await store.failed(userId, e instanceof Error ? e.message : String(e), new Date(now.getTime() + intervalMs));
          continue;
        }
        read++;
        options.obligations?.rememberSettings(ae, settings);
        await apply(ae, settings.automaticReplies, now);
      }
      return read;
    },

    record: apply,

    spansOf: (userId) => store.spansOf(db, userId),
  };
}
