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
import type { HandBackReason } from '../domain/lifecycle';
import type { QualificationCriteria } from '../domain/qualification';
import type { TeamPolicies } from '../domain/team-policy';
import type { LeadStore } from '../store/lead-store';
import { createOutboxStore, type OutboxStore } from '../store/outbox-store';
import { createHandoffEngine, type HandoffEngine } from './handoff-engine';
import { createObligationService, type ObligationService } from './obligations';
import { createOutboxSender, type OutboxSender } from './outbox-sender';
import { createFollowupFlagger } from './followup-flags';
import { createFollowupStore } from '../store/followup-store';
import type { WeeklyReportJob } from './weekly-report';
import type { WeeklySyncPolicies } from '../domain/weekly-sync';
import { createWeeklySyncJob, weeklySyncKind, type WeeklySyncJob } from './weekly-sync';
import { createAwayStore } from '../store/away-store';
import { createAwayCheck, type AwayCheck } from './away-check';

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
  /** How long processed notifications are kept before the purge job deletes them (default 7 days). */
  notificationRetentionMs?: number | undefined;
  periods?: MailboxWatchOptions['periods'];
  worker?: { batchSize?: number; leaseMs?: number };
  /** The hand-off engine on top of the watch: signals applied, SLA timers swept, the outbox sent. */
  engine?: {
    leads: LeadStore;
    policies: TeamPolicies;
    criteria: QualificationCriteria;
    handBackReasons: readonly HandBackReason[];
    periodMs?: number;
    /** The service the API also uses (built before the app by main); made here when absent. */
    obligations?: ObligationService;
    outbox?: OutboxStore;
    /** The weekly report per team (built by main, which the API's send-now shares); absent: no weekly email. */
    weeklyReport?: WeeklyReportJob;
    /** The weekly SDR↔AE sync per team; absent: no sync is booked. */
    weeklySync?: WeeklySyncPolicies;
    /** How often the weekly sync job looks at the pairs (default a minute). */
    weeklySyncPeriodMs?: number;
    /** The AEs' automatic replies read on a timer (built by main, which the hand-off start shares); made here when absent. */
    awayCheck?: AwayCheck;
    /** Clock time between two reads of one AE's automatic replies when the check is made here (default 15 minutes). */
    awayCheckIntervalMs?: number;
  };
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
  /**
   * Call once a starting process listens, before `watch.start()`: every delta cursor becomes due. While no process
   * listened (a crash, a restart) Graph's notification POSTs failed, and Graph retries them minutes to hours apart or
   * gives them up; delta is the only prompt way to learn what changed meanwhile. Returns the cursors asked for.
   */
  catchUpAfterStart(): Promise<number>;
  /** Present when the engine was asked for. */
  engine: { handoffs: HandoffEngine; obligations: ObligationService; outbox: OutboxStore; sender: OutboxSender; weeklySync: WeeklySyncJob | null; away: AwayCheck } | null;
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
  let engine: WatchRuntime['engine'] = null;
  const jobs: { name: string; periodMs: number; run: () => Promise<number> }[] = [];
  if (o.engine) {
    const outbox = o.engine.outbox ?? createOutboxStore(o.db);
    const awayStore = createAwayStore(o.db);
    const obligations =
      o.engine.obligations ??
      createObligationService({ db: o.db, people: o.people, gateway: o.gateway, outbox, policies: o.engine.policies, now: o.now, logger: o.logger, away: awayStore });
    const away =
      o.engine.awayCheck ??
      createAwayCheck({ db: o.db, store: awayStore, people: o.people, gateway: o.gateway, obligations, now: o.now, logger: o.logger, intervalMs: o.engine.awayCheckIntervalMs ?? 15 * 60_000 });
    const handoffEngine = createHandoffEngine({
      db: o.db,
      watch: handoffs,
      leads: o.engine.leads,
      people: o.people,
      outbox,
      obligations,
      policies: o.engine.policies,
      criteria: o.engine.criteria,
      handBackReasons: o.engine.handBackReasons,
      now: o.now,
      logger: o.logger,
      gateway: o.gateway,
    });
    const weeklySync =
      o.engine.weeklySync === undefined
        ? null
        : createWeeklySyncJob({ db: o.db, gateway: o.gateway, people: o.people, outbox, policies: o.engine.weeklySync, handBackReasons: o.engine.handBackReasons, now: o.now, logger: o.logger });
    const sender = createOutboxSender({
      db: o.db,
      store: outbox,
      gateway: o.gateway,
      now: o.now,
      logger: o.logger,
      workerId: o.workerId,
      onEventCreated: (trx, item, p, event) => handoffEngine.onEventCreated(trx, item, p, event),
      ...(weeklySync === null ? {} : { handlers: { [weeklySyncKind]: weeklySync.handler } }),
    });
    const periodMs = o.engine.periodMs ?? 1_000;
    const flagger = createFollowupFlagger({ db: o.db, followups: createFollowupStore(o.db), people: o.people, outbox, now: o.now, logger: o.logger });
    jobs.push(
      { name: 'signals', periodMs, run: () => handoffEngine.applySignals() },
      // Who is away first: the sweep then sees the clock as it stands.
      { name: 'away', periodMs: Math.max(periodMs, 30_000), run: () => away.run() },
      { name: 'sla', periodMs, run: async () => (await obligations.sweep()).steps },
      { name: 'outbox', periodMs, run: async () => (await sender.runOnce()).claimed },
      { name: 'followups', periodMs: 15 * 60_000, run: () => flagger.run() },
    );
    const weeklyReport = o.engine.weeklyReport;
    if (weeklyReport) jobs.push({ name: 'weekly-report', periodMs: 60_000, run: () => weeklyReport.run() });
    if (weeklySync) jobs.push({ name: 'weekly-sync', periodMs: o.engine.weeklySyncPeriodMs ?? 60_000, run: () => weeklySync.run() });
    engine = { handoffs: handoffEngine, obligations, outbox, sender, weeklySync, away };
  }
  // Processed notifications are kept a while (what was received, for diagnosis), then deleted.
  const retentionMs = o.notificationRetentionMs ?? 7 * 24 * 60 * 60_000;
  // Jobs also run after each busy worker round: the purge (a delete and a vacuum) runs at most once an hour all the same.
  const purgeEveryMs = 60 * 60_000;
  let purgedAt = -Infinity;
  jobs.push({
    name: 'notification-purge',
    periodMs: purgeEveryMs,
    run: async () => {
      const nowMs = o.now().getTime();
      if (nowMs - purgedAt < purgeEveryMs) return 0;
      purgedAt = nowMs;
      return o.queue.purgeProcessed(new Date(nowMs - retentionMs));
    },
  });
  const watch = createMailboxWatch({ worker, subscriptions: reconciling, delta, people, logger: o.logger, jobs, ...(o.periods ? { periods: o.periods } : {}) });
  const catchUpAfterStart = () => state.requestResyncAll(o.now(), 'process_started');
  return { watch, worker, subscriptions: reconciling, delta, recorder, handoffs, state, people, engine, catchUpAfterStart };
}
