// Runs the mailbox watch in one server process: the notification worker (woken when the receiver persists items,
// and polling), subscription reconcile and renewal, and delta syncs. Every decision uses the Clock; the loop itself
// runs on real timers. Work is claimed in the database, so any number of processes may run this side by side.
// Imports: domain, store, the engine's parts.
import type { Logger } from 'pino';
import type { DeltaSync } from './delta-sync';
import type { NotificationWorker } from './notification-worker';
import type { SubscriptionManager, WatchedPerson } from './subscription-manager';

export interface MailboxWatchOptions {
  worker: NotificationWorker;
  subscriptions: SubscriptionManager;
  delta: DeltaSync;
  /** The people to watch now (active SDRs and AEs). */
  people: () => Promise<readonly WatchedPerson[]>;
  logger: Logger;
  /**
   * Further work that follows from what the watch sees (apply hand-off signals, the SLA sweep, the outbox): run after
   * each worker round, every `periodMs`, and by drain until none has anything left. `run` returns how much it did.
   */
  jobs?: readonly { name: string; periodMs: number; run: () => Promise<number> }[];
  /** Real-time periods (ms) of the loops. */
  periods?: { pollMs?: number; renewMs?: number; deltaMs?: number; reconcileMs?: number };
}

export interface MailboxWatch {
  start(): void;
  /** Wakes the worker now (the receiver calls this after persisting items). */
  wake(): void;
  /** Runs every loop once, in order, until no work is left (tests and the demo's "settle"). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export function createMailboxWatch(options: MailboxWatchOptions): MailboxWatch {
  const { worker, subscriptions, delta, logger } = options;
  const periods = { pollMs: 1_000, renewMs: 60_000, deltaMs: 5_000, reconcileMs: 15 * 60_000, ...options.periods };
  const jobs = options.jobs ?? [];
  const runJobs = async (): Promise<number> => {
    let did = 0;
    for (const job of jobs) did += await serial(() => job.run());
    return did;
  };
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let workerBusy = false;
  let wakeAgain = false;
  const wokenMeanwhile = () => wakeAgain;

  /** Runs one job at a time per process, so loops never overlap each other. */
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const next = running.then(job, job);
    running = next.catch(() => undefined);
    return next;
  };

  const reconcile = () =>
    serial(async () => {
      const report = await subscriptions.reconcile(await options.people());
      if (report.created + report.removed + report.failed > 0) logger.info(report, 'subscriptions reconciled');
    });

  async function work(): Promise<void> {
    if (workerBusy) {
      wakeAgain = true;
      return;
    }
    workerBusy = true;
    try {
      do {
        wakeAgain = false;
        for (;;) {
          const round = await serial(() => worker.runOnce());
          if (round.claimed === 0 || stopped) break;
        }
        // A function, not the variable: TypeScript would narrow `wakeAgain` across the awaits that can see it change.
      } while (wokenMeanwhile() && !stopped);
    } finally {
      workerBusy = false;
    }
  }

  let deltaBusy = false;
  /**
   * Due cursors, one per turn of the serial queue: a start's catch-up (every cursor is due) takes its turns between
   * the worker's rounds and the jobs instead of holding them all up. A process killed every few seconds under load
   * otherwise spent its whole life syncing and never sent a mail.
   */
  async function syncDelta(): Promise<void> {
    if (deltaBusy) return;
    deltaBusy = true;
    try {
      for (;;) {
        const round = await serial(() => delta.syncDue(1));
        if (round.synced + round.failed === 0 || stopped) break;
      }
    } finally {
      deltaBusy = false;
    }
  }

  const guard = (name: string, job: () => Promise<unknown>) => () => {
    if (stopped) return;
    job().catch((e: unknown) => {
      logger.error({ err: e, loop: name }, 'mailbox watch loop failed; it runs again on its next tick');
    });
  };

  return {
    start() {
      guard('reconcile', reconcile)();
      // Cursors due at start (a restart's catch-up, a dead process's released claims) are synced now, not a tick later,
      // after the first worker round: what the receiver has already persisted goes first.
      guard('worker', work)();
      guard('delta', syncDelta)();
      timers.push(setInterval(guard('worker', work), periods.pollMs));
      timers.push(setInterval(guard('renew', () => serial(() => subscriptions.renewDue())), periods.renewMs));
      timers.push(setInterval(guard('delta', syncDelta), periods.deltaMs));
      timers.push(setInterval(guard('reconcile', reconcile), periods.reconcileMs));
      for (const job of jobs) {
        // A tick while the job's last run still waits in the serial queue adds nothing: under load, piled-up runs
        // would keep the worker waiting behind them.
        let queued = false;
        const tick = async () => {
          if (queued) return;
          queued = true;
          try {
            await serial(() => job.run());
          } finally {
            queued = false;
          }
        };
        timers.push(setInterval(guard(job.name, tick), job.periodMs));
      }
      for (const t of timers) t.unref();
    },
    wake() {
      guard('worker', work)();
    },
    async drain() {
      await reconcile();
      for (let i = 0; i < 50; i++) {
        const renewed = await serial(() => subscriptions.renewDue());
        const synced = await serial(() => delta.syncDue());
        let claimed = 0;
        for (;;) {
          const round = await serial(() => worker.runOnce());
          claimed += round.claimed;
          if (round.claimed === 0) break;
        }
        const did = await runJobs();
        if (renewed === 0 && synced.synced + synced.failed === 0 && claimed === 0 && did === 0) return;
      }
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await running;
    },
  };
}
