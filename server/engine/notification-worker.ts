// The worker behind the webhook: claims persisted notifications (SKIP LOCKED, with a lease, so a crashed worker's
// items come back and two instances never share one), drops duplicates, re-reads the current state of each item
// once (in $batch reads of ≤ 20), and records what it means for the hand-offs in the same transaction that marks the
// items done. Lifecycle notifications go to the subscription manager. Graph failures map to one action each here.
// Imports: domain (ports), store, ./subscription-manager, ./delta-sync (types), ./mailbox-changes.
import type { Logger } from 'pino';
import { GatewayError, type CalendarEvent, type MailMessage, type MailboxGateway } from '../domain/mailbox';
import type { Db } from '../store/database';
import type { NotificationStore, QueuedNotification } from '../store/notification-store';
import type { MailboxChanges } from './delta-sync';
import type { ChangeRecorder } from './mailbox-changes';
import type { SubscriptionManager, WatchedPerson } from './subscription-manager';

export interface NotificationWorkerOptions {
  db: Db;
  queue: NotificationStore;
  gateway: Pick<MailboxGateway, 'getMessages' | 'getEvents'>;
  subscriptions: Pick<SubscriptionManager, 'onMissed' | 'onRemoved' | 'onReauthorizationRequired'>;
  recorder: ChangeRecorder;
  personOf: (userId: string) => Promise<WatchedPerson | undefined>;
  now: () => Date;
  logger: Logger;
  workerId: string;
  /** Items claimed per round. */
  batchSize?: number;
  /** How long a claim holds; a worker that dies mid-batch gives its items back after this. */
  leaseMs?: number;
  /** After this many attempts an item that keeps failing is set aside (outcome `failed`). */
  maxAttempts?: number;
}

export interface WorkerRound {
  claimed: number;
  processed: number;
  duplicates: number;
  retried: number;
  failed: number;
  /** Items read back from Graph (after dropping duplicates). */
  reads: number;
}

export interface NotificationWorker {
  runOnce(): Promise<WorkerRound>;
}

/** One action per error code: what the worker does with the items whose re-read failed. */
export function actionFor(e: unknown, attempts: number, maxAttempts: number): { retry: true; afterMs: number } | { retry: false } {
  if (attempts >= maxAttempts) return { retry: false };
  if (!(e instanceof GatewayError)) return { retry: true, afterMs: Math.min(10 * 60_000, 2_000 * 2 ** attempts) };
  switch (e.code) {
    case 'throttled':
    case 'temporary':
      return { retry: true, afterMs: e.retryAfterMs ?? Math.min(10 * 60_000, 1_000 * 2 ** attempts) };
    case 'auth':
    case 'forbidden':
      // A credential or RBAC problem an admin must fix: keep the work, try again slowly.
      return { retry: true, afterMs: 5 * 60_000 };
    case 'not_found':
    case 'cursor_expired':
    case 'invalid':
    case 'permanent':
      return { retry: false };
  }
}

export function createNotificationWorker(options: NotificationWorkerOptions): NotificationWorker {
  const { queue, gateway, logger, workerId } = options;
  const batchSize = options.batchSize ?? 200;
  const leaseMs = options.leaseMs ?? 60_000;
  const maxAttempts = options.maxAttempts ?? 12;

  async function lifecycle(item: QueuedNotification): Promise<void> {
    switch (item.lifecycleEvent) {
      case 'missed':
        return options.subscriptions.onMissed(item.subscriptionId);
      case 'subscriptionRemoved':
        return options.subscriptions.onRemoved(item.subscriptionId);
      case 'reauthorizationRequired':
        return options.subscriptions.onReauthorizationRequired(item.subscriptionId);
      default:
        logger.warn({ lifecycleEvent: item.lifecycleEvent, subscriptionId: item.subscriptionId }, 'unknown lifecycle event ignored');
    }
  }

  async function setAside(items: readonly QueuedNotification[], round: WorkerRound, e: unknown): Promise<void> {
    const now = options.now();
    const byAction = new Map<number, QueuedNotification[]>();
    const failed: QueuedNotification[] = [];
    for (const item of items) {
      const action = actionFor(e, item.attempts, maxAttempts);
      if (!action.retry) failed.push(item);
      else byAction.set(action.afterMs, [...(byAction.get(action.afterMs) ?? []), item]);
    }
    const error = e instanceof Error ? e.message : String(e);
    for (const [afterMs, group] of byAction) {
      await queue.retryLater(group.map((i) => i.id), { now, availableAt: new Date(now.getTime() + afterMs), error, workerId });
      round.retried += group.length;
    }
    if (failed.length > 0) {
      await queue.complete(failed.map((i) => i.id), { now, outcome: 'failed', workerId });
      round.failed += failed.length;
      logger.error({ err: e, items: failed.length }, 'notifications set aside after a failure that retrying cannot fix');
    }
  }

  /** Re-reads the items of one mailbox scope and records what they mean, completing them in the same transaction. */
  async function processGroup(person: WatchedPerson, scope: QueuedNotification['scope'], items: readonly QueuedNotification[], round: WorkerRound): Promise<void> {
    // Latest notification per item wins; the rest are duplicates of the same re-read.
    const latest = new Map<string, QueuedNotification>();
    for (const item of items) if (item.resourceId !== null) latest.set(item.resourceId, item);
    round.duplicates += items.length - latest.size;
    const removed: string[] = [];
    const toRead: string[] = [];
    for (const [id, item] of latest) (item.changeType === 'deleted' ? removed : toRead).push(id);
    let messages: MailMessage[] = [];
    let events: CalendarEvent[] = [];
    if (toRead.length > 0) {
      round.reads += toRead.length;
      if (scope === 'events') {
        const read = await gateway.getEvents(person.entraOid, toRead);
        for (const id of toRead) {
          const e = read.get(id);
          if (e === null || e === undefined) removed.push(id);
          else events.push(e);
        }
      } else {
        const read = await gateway.getMessages(person.entraOid, toRead);
        messages = toRead.map((id) => read.get(id)).filter((m): m is MailMessage => m !== null && m !== undefined);
      }
    }
    if (scope !== 'events') events = [];
    const changes: MailboxChanges = { person, scope, messages, events, removed: scope === 'events' ? removed : [], source: 'notification' };
    const signals = await options.recorder.signalsOf(changes);
    const now = options.now();
    await options.db.transaction().execute(async (trx) => {
      await options.recorder.record(trx, signals, now);
      await queue.complete(items.map((i) => i.id), { now, outcome: 'processed', workerId }, trx);
    });
    round.processed += items.length;
  }

  return {
    async runOnce() {
      const round: WorkerRound = { claimed: 0, processed: 0, duplicates: 0, retried: 0, failed: 0, reads: 0 };
      const items = await queue.claim({ workerId, now: options.now(), leaseMs, limit: batchSize });
      round.claimed = items.length;
      if (items.length === 0) return round;

      const groups = new Map<string, QueuedNotification[]>();
      for (const item of items) {
        if (item.kind === 'lifecycle') {
          try {
            await lifecycle(item);
            await queue.complete([item.id], { now: options.now(), outcome: 'processed', workerId });
            round.processed++;
          } catch (e) {
            await setAside([item], round, e);
          }
          continue;
        }
        const key = `${item.userId}\u0000${item.scope}`;
        groups.set(key, [...(groups.get(key) ?? []), item]);
      }

      for (const group of groups.values()) {
        const first = group[0];
        if (first === undefined) continue;
        const person = await options.personOf(first.userId);
        if (person === undefined) {
          await queue.complete(group.map((i) => i.id), { now: options.now(), outcome: 'not_watched', workerId });
          round.processed += group.length;
          continue;
        }
        try {
          await processGroup(person, first.scope, group, round);
        } catch (e) {
          logger.warn({ err: e, userId: person.id, scope: first.scope, items: group.length }, 'notifications not processed this round');
          await setAside(group, round, e);
        }
      }
      return round;
    },
  };
}
