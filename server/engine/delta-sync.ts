// Delta reconciliation: notifications are hints, delta is the truth. One cursor per (mailbox, folder) and per
// calendar window; a cursor is synced when due (a timer), when a resync was asked for (`missed`, a (re)created
// subscription), and from scratch when Graph forgets the token (410). What comes back feeds the same idempotent
// path as notifications. Cursors are rows claimed with SKIP LOCKED, so one instance syncs each.
// Imports: domain (ports), store, ./subscription-manager (types).
import type { Logger } from 'pino';
import { GatewayError, type CalendarEvent, type MailMessage, type MailboxGateway } from '../domain/mailbox';
import type { DeltaCursor, WatchScope, WatchStateStore } from '../store/watch-state-store';
import type { WatchedPerson } from './subscription-manager';

/** What a mailbox scope yielded: read items and ids that are gone. Fed to the worker's processing path. */
export interface MailboxChanges {
  person: WatchedPerson;
  scope: WatchScope;
  messages: readonly MailMessage[];
  events: readonly CalendarEvent[];
  removed: readonly string[];
  /** Where it came from: a notification re-read or a delta round. */
  source: 'notification' | 'delta';
}

export interface DeltaSyncOptions {
  store: WatchStateStore;
  gateway: Pick<MailboxGateway, 'messagesDelta' | 'calendarDelta'>;
  now: () => Date;
  logger: Logger;
  /** The watched person behind a user id (undefined when no longer watched). */
  personOf: (userId: string) => Promise<WatchedPerson | undefined>;
  process: (changes: MailboxChanges) => Promise<void>;
  /** Sync every cursor at least this often (DELTA_INTERVAL_MINUTES). */
  intervalMs: number;
  /** The calendar window: from `pastDays` before now to `futureDays` after; moved when less than `minAheadDays` is left. */
  calendarWindow?: { pastDays: number; futureDays: number; minAheadDays: number };
  /** A claim lasts this long; a crashed instance's cursors become due again after it. */
  leaseMs?: number;
}

export interface DeltaSyncReport {
  synced: number;
  fullResyncs: number;
  failed: number;
  items: number;
}

export interface DeltaSync {
  /** Syncs the cursors that are due (up to `limit`), each by one instance only. */
  syncDue(limit?: number): Promise<DeltaSyncReport>;
}

const day = 24 * 3600_000;
const mailLookbackDays = 14;

function backoffMs(failures: number, e: unknown): number {
  if (e instanceof GatewayError && e.retryAfterMs !== undefined) return e.retryAfterMs;
  if (e instanceof GatewayError && (e.code === 'throttled' || e.code === 'temporary')) return Math.min(30 * 60_000, 5_000 * 2 ** failures);
  return 60 * 60_000;
}

export function createDeltaSync(options: DeltaSyncOptions): DeltaSync {
  const { store, gateway, logger } = options;
  const win = options.calendarWindow ?? { pastDays: 2, futureDays: 60, minAheadDays: 45 };
  const leaseMs = options.leaseMs ?? 5 * 60_000;

  async function syncOne(cursor: DeltaCursor, person: WatchedPerson, report: DeltaSyncReport): Promise<void> {
    const now = options.now();
    let windowStart = cursor.windowStart;
    let windowEnd = cursor.windowEnd;
    let link = cursor.deltaLink;
    if (cursor.scope === 'events') {
      // A calendar delta is bound to its window: when the window runs short, start a new one from scratch.
      if (windowStart === null || windowEnd === null || windowEnd.getTime() - now.getTime() < win.minAheadDays * day) {
        windowStart = new Date(now.getTime() - win.pastDays * day);
        windowEnd = new Date(now.getTime() + win.futureDays * day);
        link = null;
      }
    }
    const run = async (from: string | null): Promise<string> => {
      if (cursor.scope === 'events') {
        const window = { start: windowStart ?? now, end: windowEnd ?? now };
        const page = await gateway.calendarDelta(person.entraOid, window, from);
        report.items += page.changed.length + page.removed.length;
        await options.process({ person, scope: cursor.scope, messages: [], events: page.changed, removed: page.removed, source: 'delta' });
        return page.cursor;
      }
      // A first round reads only recent mail: an intro older than this is no longer awaiting anything.
      const page = await gateway.messagesDelta(person.entraOid, cursor.scope, from, from === null ? new Date(now.getTime() - mailLookbackDays * day) : undefined);
      report.items += page.changed.length + page.removed.length;
      await options.process({ person, scope: cursor.scope, messages: page.changed, events: [], removed: page.removed, source: 'delta' });
      return page.cursor;
    };
    let next: string;
    try {
      next = await run(link);
    } catch (e) {
      if (!(e instanceof GatewayError) || e.code !== 'cursor_expired' || link === null) throw e;
      // 410: Graph no longer knows the token. Start over; the processing path is idempotent.
      logger.info({ userId: person.id, scope: cursor.scope }, 'delta token expired: full resync');
      report.fullResyncs++;
      next = await run(null);
    }
    if (link === null && cursor.deltaLink !== null) report.fullResyncs++;
    await store.saveCursor(person.id, cursor.scope, { deltaLink: next, windowStart, windowEnd, syncedAt: now, nextSyncAt: new Date(now.getTime() + options.intervalMs) });
  }

  return {
    async syncDue(limit = 20) {
      const report: DeltaSyncReport = { synced: 0, fullResyncs: 0, failed: 0, items: 0 };
      const due = await store.claimDueCursors(options.now(), leaseMs, limit);
      for (const cursor of due) {
        const person = await options.personOf(cursor.userId);
        if (person === undefined) {
          await store.removeCursors(cursor.userId);
          continue;
        }
        try {
          await syncOne(cursor, person, report);
          report.synced++;
        } catch (e) {
          report.failed++;
          const wait = backoffMs(cursor.failures, e);
          await store.cursorFailed(cursor.userId, cursor.scope, { nextSyncAt: new Date(options.now().getTime() + wait), error: e instanceof Error ? e.message : String(e) });
          logger.warn({ err: e, userId: cursor.userId, scope: cursor.scope, retryInMs: wait }, 'delta sync failed; will try again');
        }
      }
      return report;
    },
  };
}
