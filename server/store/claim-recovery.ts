// Gives back, at start, the work a killed process still held under a lease (outbox rows, queued notifications, SLA
// obligations, delta cursors), so another process takes it at once instead of when the lease runs out (up to two
// minutes late; five for a delta cursor, which its claim parks a year ahead).
// Only claims whose holder is surely dead are released: on the embedded database every claim (one process opens a
// data folder at a time, so whoever held it is gone); on PostgreSQL the claims of this host's processes that no
// longer run (`host:pid` holders). Releasing changes nothing else: the outbox's `sending` mark stays, so a mail the
// dead process may have handed to Graph is still looked for in Sent Items before it is sent again.
// Imports: kysely, ./schema.
import type { Kysely } from 'kysely';
import type { Database } from './schema';

export interface ClaimRecoveryOptions {
  /** The embedded database: one process at a time, so every claim is a dead process's. */
  embedded: boolean;
  /** This process's worker id, `host:pid`. */
  workerId: string;
  /** Whether a process of this host still runs (signal 0). */
  isAlive(pid: number): boolean;
  /** The start's time: released delta cursors are due at it. */
  now: Date;
}

export interface RecoveredClaims {
  outbox: number;
  notifications: number;
  obligations: number;
  /** Delta cursors a dead process was syncing: due again now. */
  cursors: number;
}

/** The pid of a `host:pid` holder on this host, else null (another host's, or not of that form). */
function pidOnThisHost(holder: string, host: string): number | null {
  if (!holder.startsWith(`${host}:`)) return null;
  const pid = Number(holder.slice(host.length + 1));
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

export async function releaseDeadClaims(db: Kysely<Database>, options: ClaimRecoveryOptions): Promise<RecoveredClaims> {
  const { now } = options;
  if (options.embedded) {
    const outbox = await db.updateTable('outbox').set({ claimed_until: null }).where('status', '=', 'pending').where('claimed_until', 'is not', null).executeTakeFirst();
    const notifications = await db.updateTable('notification_queue').set({ claimed_until: null }).where('processed_at', 'is', null).where('claimed_until', 'is not', null).executeTakeFirst();
    const obligations = await db.updateTable('obligations').set({ claimed_until: null }).where('claimed_until', 'is not', null).executeTakeFirst();
    // A claimed cursor's next sync was pushed a year out until its sync finished: the sync did not, so it is due now.
    const cursors = await db
      .updateTable('delta_cursors')
      .set({ claimed_until: null, next_sync_at: now, resync_reason: 'claim_released' })
      .where('claimed_until', 'is not', null)
      .executeTakeFirst();
    return {
      outbox: Number(outbox.numUpdatedRows),
      notifications: Number(notifications.numUpdatedRows),
      obligations: Number(obligations.numUpdatedRows),
      cursors: Number(cursors.numUpdatedRows),
    };
  }
  // PostgreSQL: several instances share the rows. Obligations and delta cursors carry no holder, so their leases (a
  // minute, five) stand.
  const host = options.workerId.slice(0, options.workerId.lastIndexOf(':'));
  const dead = (holders: readonly (string | null)[]): string[] =>
    [...new Set(holders)].filter((h): h is string => {
      if (h === null || h === options.workerId) return false;
      const pid = pidOnThisHost(h, host);
      return pid !== null && !options.isAlive(pid);
    });
  const outboxHolders = await db.selectFrom('outbox').select('claimed_by').distinct().where('status', '=', 'pending').where('claimed_until', 'is not', null).execute();
  const queueHolders = await db.selectFrom('notification_queue').select('claimed_by').distinct().where('processed_at', 'is', null).where('claimed_until', 'is not', null).execute();
  const deadOutbox = dead(outboxHolders.map((r) => r.claimed_by));
  const deadQueue = dead(queueHolders.map((r) => r.claimed_by));
  const outbox =
    deadOutbox.length === 0
      ? 0
      : Number((await db.updateTable('outbox').set({ claimed_until: null }).where('status', '=', 'pending').where('claimed_by', 'in', deadOutbox).executeTakeFirst()).numUpdatedRows);
  const notifications =
    deadQueue.length === 0
      ? 0
      : Number(
          (await db.updateTable('notification_queue').set({ claimed_until: null }).where('processed_at', 'is', null).where('claimed_by', 'in', deadQueue).executeTakeFirst())
            .numUpdatedRows,
        );
  return { outbox, notifications, obligations: 0, cursors: 0 };
}

/** `process.kill(pid, 0)`: true while the process runs (EPERM: it runs under another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return typeof e === 'object' && e !== null && 'code' in e && e.code === 'EPERM';
  }
}
