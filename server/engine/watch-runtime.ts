// Assembles the mailbox watch of one server process from its ports: the notification worker, the subscription
// manager, delta sync and the loop that runs them. The composition root (server/main.ts) and the tests build the
// watch through this one function, so both run the same wiring.
// Imports: domain, store, the engine's parts.
import type { Logger } from 'pino';
import type { MailboxGateway, SubscriptionGateway } from '../domain/mailbox';
import type { Db } from '../store/database';
import { createHandoffWatchStore, type HandoffWatchStore } from '../store/handoff-watch-store';
import type { NotificationStore } from '../store/notification-store';
import type { PeopleStore } from '../store/people-store';
import { createWatchStateStore, type WatchStateStore } from '../store/watch-state-store';
import { createDeltaSync, type DeltaSync, type MailboxChanges } from './delta-sync';
import { createChangeRecorder, type ChangeRecorder } from './mailbox-changes';
import { createMailboxWatch, type MailboxWatch, type MailboxWatchOptions } from './mailbox-watch';
import { createNotificationWorker, type NotificationWorker } from './notification-worker';
import { createSubscriptionManager, scopesOf, watchedPeople, type SubscriptionManager, type WatchedPerson } from './subscription-manager';

export interface WatchRuntimeOptions {
  db: Db;
  gateway: MailboxGateway & SubscriptionGateway;
  people: PeopleStore;
  queue: NotificationStore;
  now: () => Date;
  logger: Logger;
  /** Names this process's claims (host and pid, or a test's name). */
  workerId: string;
  /**
   * Baton's public https origin: Graph posts to `{publicUrl}/graph/notifications` and `/graph/lifecycle`. Without
   * one Graph cannot reach Baton: no subscriptions are made and delta alone (on its timer) keeps Baton informed.
   */
  publicUrl: string | undefined;
  subscriptionMinutes: number;
  deltaIntervalMs: number;
  periods?: MailboxWatchOptions['periods'];
  worker?: { batchSize?: number; leaseMs?: number };
}

export interface WatchRuntime {
  watch: MailboxWatch;
  worker: NotificationWorker;
  subscriptions: SubscriptionManager;
  delta: DeltaSync;
  recorder: ChangeRecorder;
  handoffs: HandoffWatchStore;
  state: WatchStateStore;
  /** The people watched now. */
  people(): Promise<WatchedPerson[]>;
}

export function createWatchRuntime(o: WatchRuntimeOptions): WatchRuntime {
  const state = createWatchStateStore(o.db);
  const handoffs = createHandoffWatchStore(o.db);
  const recorder = createChangeRecorder({ watch: handoffs, gateway: o.gateway, logger: o.logger });
  const personOf = async (userId: string): Promise<WatchedPerson | undefined> => {
    const user = await o.people.getUser(userId);
    return user === undefined ? undefined : watchedPeople([user])[0];
  };
  const people = async () => watchedPeople([...(await o.people.listUsers({ role: 'sdr' })), ...(await o.people.listUsers({ role: 'ae' }))]);
  const subscriptions = createSubscriptionManager({
    store: state,
    gateway: o.gateway,
    now: o.now,
    logger: o.logger,
    notificationUrl: `${o.publicUrl ?? ''}/graph/notifications`,
    lifecycleNotificationUrl: `${o.publicUrl ?? ''}/graph/lifecycle`,
    lifetimeMinutes: o.subscriptionMinutes,
  });
  const recordChanges = async (changes: MailboxChanges): Promise<void> => {
    const signals = await recorder.signalsOf(changes);
    if (signals.length === 0) return;
    await o.db.transaction().execute((trx) => recorder.record(trx, signals, o.now()));
  };
  const delta = createDeltaSync({ store: state, gateway: o.gateway, now: o.now, logger: o.logger, personOf, process: recordChanges, intervalMs: o.deltaIntervalMs });
  const worker = createNotificationWorker({
    db: o.db,
    queue: o.queue,
    gateway: o.gateway,
    subscriptions,
    recorder,
    personOf,
    now: o.now,
    logger: o.logger,
    workerId: o.workerId,
    ...(o.worker ?? {}),
  });
  // Every watched scope has a delta cursor, whether or not its subscription could be created.
  // The receiver's cache of clientStates is dropped whenever subscriptions change.
  const forgetting = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } finally {
      o.queue.forgetSubscriptions();
    }
  };
  const reconciling: SubscriptionManager = {
    ...subscriptions,
    async reconcile(list) {
      const now = o.now();
      for (const p of list) for (const scope of scopesOf(p.role)) await state.ensureCursor(p.id, scope, now);
      if (o.publicUrl === undefined) return { created: 0, removed: 0, failed: 0 };
      return forgetting(subscriptions.reconcile(list));
    },
    renewDue: (limit) => forgetting(subscriptions.renewDue(limit)),
    onRemoved: (id) => forgetting(subscriptions.onRemoved(id)),
    onReauthorizationRequired: (id) => forgetting(subscriptions.onReauthorizationRequired(id)),
  };
  const watch = createMailboxWatch({ worker, subscriptions: reconciling, delta, people, logger: o.logger, ...(o.periods ? { periods: o.periods } : {}) });
  return { watch, worker, subscriptions: reconciling, delta, recorder, handoffs, state, people };
}
