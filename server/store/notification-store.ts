// The notification queue and the receiver's view of Graph subscriptions: what the webhook needs to check an item
// (subscription, owner, clientState, status), the queue's insert of one request's accepted items, and the worker's
// claim / complete / retry with leases (`FOR UPDATE SKIP LOCKED`, so instances sharing PostgreSQL never take the
// same item). Imports: kysely, ./schema, the Clock port type.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Clock } from '../clock';
import type { Database, SubscriptionScope } from './schema';

/** What the receiver checks an incoming notification against. */
export interface SubscriptionCheck {
  userId: string;
  scope: SubscriptionScope;
  clientState: string;
  status: 'active' | 'removed';
}

export type NotificationKind = 'change' | 'lifecycle';

/** One accepted notification item, as the receiver hands it to the queue. */
export interface NewQueuedNotification {
  kind: NotificationKind;
  subscriptionId: string;
  userId: string;
  scope: SubscriptionScope;
  /** `created`, `updated` or `deleted` for a change; null for a lifecycle item. */
  changeType: string | null;
  /** `missed`, `subscriptionRemoved` or `reauthorizationRequired` for a lifecycle item; null for a change. */
  lifecycleEvent: string | null;
  /** The changed item's id (resourceData.id) for a change; null for a lifecycle item. */
  resourceId: string | null;
}

/** A queue item a worker holds under a lease. */
export interface QueuedNotification extends NewQueuedNotification {
  /** bigserial, as a decimal string. */
  id: string;
  receivedAt: Date;
  /** Claims so far, this one included. */
  attempts: number;
}

export interface ClaimRequest {
  workerId: string;
  now: Date;
  /** The lease: another worker may claim the item once it has run out (this worker died, say). */
  leaseMs: number;
  limit: number;
}

/** Where complete() writes: the database, or the worker's open transaction. */
export type QueueExecutor = Kysely<Database> | Transaction<Database>;

export interface NotificationStore {
  /** The subscriptions with these ids (one query; answers may be cached for `subscriptionCacheMs`). */
  subscriptionsByIds(ids: readonly string[]): Promise<ReadonlyMap<string, SubscriptionCheck>>;
  /** Drops the cached subscription answers (call after creating or removing a subscription in this process). */
  forgetSubscriptions(): void;
  /**
   * Inserts one request's accepted items in one statement (shared with requests arriving meanwhile, each of which
   * succeeds or fails as a whole); resolves with how many once they are committed.
   */
  enqueue(items: readonly NewQueuedNotification[], receivedAt: Date): Promise<number>;
  /** Claims up to `limit` due items, oldest first, skipping items other workers hold. */
  claim(request: ClaimRequest): Promise<QueuedNotification[]>;
  /**
   * Marks items processed, only those still claimed by `workerId` (a worker whose lease was taken over completes
   * nothing). Pass the worker's transaction to complete together with its other writes. Returns how many.
   */
  complete(ids: readonly string[], done: { now: Date; outcome: string; workerId: string }, executor?: QueueExecutor): Promise<number>;
  /** Releases items still claimed by `workerId`, due again at `availableAt`, with the error. Returns how many. */
  retryLater(ids: readonly string[], retry: { now: Date; availableAt: Date; error: string; workerId: string }): Promise<number>;
  counts(): Promise<{ pending: number; processed: number }>;
  /**
   * Deletes up to `limit` items processed before `before` (oldest first) and returns how many; after a deletion the
   * queue is vacuumed (the embedded database has no autovacuum), so its pages and index entries are reused. A
   * duplicate of a purged item arriving later is simply read from Graph again.
   */
  purgeProcessed(before: Date, limit?: number): Promise<number>;
}

export interface NotificationStoreOptions {
  /**
   * How long a subscription lookup is reused, ms (0: never). A removed subscription keeps being accepted at most
   * this long by other instances; this instance forgets at once through forgetSubscriptions().
   */
  subscriptionCacheMs?: number;
  /** Time for the cache (default: the system clock). */
  clock?: Clock;
  /** Most ids held in the cache; past it the cache starts over (forged ids must not grow memory). */
  subscriptionCacheSize?: number;
}

interface CacheEntry {
  value: SubscriptionCheck | null;
  expiresAt: number;
}

/** A queue row as the INSERT's JSON carries it. */
interface QueueRow {
  kind: NotificationKind;
  subscription_id: string;
  user_id: string;
  scope: SubscriptionScope;
  change_type: string | null;
  lifecycle_event: string | null;
  resource_id: string | null;
  /** ISO 8601, written once per request. */
  received_at: string;
  available_at: string;
}

interface PendingInsert {
  rows: QueueRow[];
  resolve: (count: number) => void;
  reject: (error: unknown) => void;
}

/** Most rows of several requests put in one INSERT (one request's rows always go together, however many). */
const maxRowsPerStatement = 5_000;
/** Longest a claim or a completion waits for the requests being stored, ms. */
const maxWorkerWaitMs = 250;
/** Most subscription ids in one lookup (the missing ones, then those about to expire). */
const maxIdsPerLookup = 1_000;

function toRow(i: NewQueuedNotification, receivedAt: string): QueueRow {
  return {
    kind: i.kind,
    subscription_id: i.subscriptionId,
    user_id: i.userId,
    scope: i.scope,
    change_type: i.changeType,
    lifecycle_event: i.lifecycleEvent,
    resource_id: i.resourceId,
    received_at: receivedAt,
    available_at: receivedAt,
  };
}

/** Postgres bigints as decimal strings, in numeric order. */
const byNumericId = (a: { id: string }, b: { id: string }): number => a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function createNotificationStore(db: Kysely<Database>, options: NotificationStoreOptions = {}): NotificationStore {
  const cacheMs = options.subscriptionCacheMs ?? 0;
  const cacheSize = options.subscriptionCacheSize ?? 10_000;
  const now = (): number => (options.clock ? options.clock.now().getTime() : Date.now());
  let cache = new Map<string, CacheEntry>();

  const lookup = async (ids: readonly string[]): Promise<Map<string, SubscriptionCheck>> => {
    const found = new Map<string, SubscriptionCheck>();
    if (ids.length === 0) return found;
    const rows = await db
      .selectFrom('graph_subscriptions')
      .select(['id', 'user_id', 'scope', 'client_state', 'status'])
      .where('id', 'in', ids)
      .execute();
    for (const r of rows) found.set(r.id, { userId: r.user_id, scope: r.scope, clientState: r.client_state, status: r.status });
    return found;
  };

  // Group commit: requests that arrive while an insert runs go together in the next statement (each request's items
  // stay in one statement). Under load this turns many small commits into a few larger ones; alone, a request waits
  // for nobody. On the embedded database every commit is a synchronous write that holds the event loop.
  const waiting: PendingInsert[] = [];
  let flushing = false;
  // The receiver goes first: a claim (or a completion outside the worker's transaction) waits until the requests
  // already in hand are stored, so that no request waits behind the worker for the embedded database's one
  // connection. Such moments come often under load; the wait is capped all the same, so that a receiver that never
  // stops (PostgreSQL stores while requests keep arriving) cannot hold the worker back.
  let whenStored: (() => void)[] = [];
  const allStored = (): Promise<void> => {
    if (!flushing) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxWorkerWaitMs);
      timer.unref();
      whenStored.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  };

  // The rows travel as one JSON parameter (json_to_recordset): no limit on parameters, and PGlite runs it about 1.6
  // times as fast as a VALUES list of 9 parameters a row. Column names are fixed here, values only parameters.
  const insertRows = async (rows: readonly QueueRow[]): Promise<void> => {
    await sql`
      insert into notification_queue (kind, subscription_id, user_id, scope, change_type, lifecycle_event, resource_id, received_at, available_at)
      select kind, subscription_id, user_id, scope, change_type, lifecycle_event, resource_id, received_at, available_at
      from json_to_recordset(${JSON.stringify(rows)}::json) as r(
        kind text, subscription_id text, user_id uuid, scope text, change_type text, lifecycle_event text, resource_id text,
        received_at timestamptz, available_at timestamptz)`.execute(db);
  };

  const flush = async (): Promise<void> => {
    while (waiting.length > 0) {
      const group: PendingInsert[] = [];
      let size = 0;
      while (waiting.length > 0) {
        const next = waiting[0];
        if (next === undefined || (group.length > 0 && size + next.rows.length > maxRowsPerStatement)) break;
        waiting.shift();
        group.push(next);
        size += next.rows.length;
      }
      try {
        await insertRows(group.flatMap((g) => g.rows));
        for (const g of group) g.resolve(g.rows.length);
      } catch (error) {
        if (group.length === 1) {
          group[0]?.reject(error);
          continue;
        }
        // One request's failure must not fail its neighbours: each one alone, then.
        for (const g of group) {
          try {
            await insertRows(g.rows);
            g.resolve(g.rows.length);
          } catch (e) {
            g.reject(e);
          }
        }
      }
    }
    flushing = false;
    const stored = whenStored;
    whenStored = [];
    for (const resume of stored) resume();
  };

  return {
    async subscriptionsByIds(ids) {
      const unique = [...new Set(ids)];
      if (cacheMs <= 0) return lookup(unique);
      const t = now();
      const result = new Map<string, SubscriptionCheck>();
      const missing: string[] = [];
      for (const id of unique) {
        const hit = cache.get(id);
        if (hit === undefined || hit.expiresAt <= t) missing.push(id);
        else if (hit.value !== null) result.set(id, hit.value);
      }
      if (missing.length === 0) return result;
      // The ids due to expire within half a period are looked up again with the missing ones: their expiries fall
      // together, so one query serves the requests of a whole period (else, each id expiring on its own, nearly
      // every request of a busy receiver would send one, holding the embedded database each time).
      const asked = new Set(missing);
      const refresh = [...missing];
      const soon = t + cacheMs / 2;
      for (const [id, entry] of cache) {
        if (refresh.length >= maxIdsPerLookup) break;
        if (entry.expiresAt <= soon && !asked.has(id)) refresh.push(id);
      }
      const found = await lookup(refresh);
      if (cache.size + missing.length > cacheSize) cache = new Map();
      const expiresAt = t + cacheMs;
      for (const id of refresh) {
        const value = found.get(id) ?? null;
        // Unknown ids are remembered too, so a flood of forged ids costs one query per id per period.
        cache.set(id, { value, expiresAt });
        if (value !== null && asked.has(id)) result.set(id, value);
      }
      return result;
    },

    forgetSubscriptions() {
      cache = new Map();
    },

    enqueue(items, receivedAt) {
      if (items.length === 0) return Promise.resolve(0);
      const at = receivedAt.toISOString();
      const rows = items.map((i) => toRow(i, at));
      return new Promise<number>((resolve, reject) => {
        waiting.push({ rows, resolve, reject });
        if (flushing) return;
        flushing = true;
        // Once the requests read in this turn of the event loop have all reached this point: they go together. (A
        // query on the embedded database holds the loop, so requests arrive in bursts, each checked to here in turn.)
        setImmediate(() => void flush());
      });
    },

    async claim({ workerId, now: at, leaseMs, limit }) {
      if (limit <= 0) return [];
      await allStored();
      const leaseEnd = new Date(at.getTime() + leaseMs);
      // One statement: the locked rows are updated before any other claimer can see them.
      // FOR UPDATE SKIP LOCKED makes a concurrent claimer pass over them instead of waiting and then taking them too.
      // Bitmap scans are off for it: the embedded database never vacuums or analyzes, so its planner, believing the
      // queue tiny, reads every pending index entry (dead ones too, ever more of them) and sorts them; the ordered
      // index scan stops at `limit` and marks the dead entries it passes so that the next claim skips them.
      const rows = await db.transaction().execute(async (trx) => {
        await sql`set local enable_bitmapscan = off`.execute(trx);
        return trx
          .updateTable('notification_queue')
          .set({ claimed_by: workerId, claimed_until: leaseEnd, attempts: sql`attempts + 1` })
          .where('id', 'in', (eb) =>
            eb
              .selectFrom('notification_queue')
              .select('id')
              .where('processed_at', 'is', null)
              .where('available_at', '<=', at)
              .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<', at)]))
              .orderBy('available_at')
              .orderBy('id')
              .limit(limit)
              .forUpdate()
              .skipLocked(),
          )
          .returning(['id', 'kind', 'subscription_id', 'user_id', 'scope', 'change_type', 'lifecycle_event', 'resource_id', 'received_at', 'attempts'])
          .execute();
      });
      return rows
        .map((r) => ({
          id: r.id,
          kind: r.kind,
          subscriptionId: r.subscription_id,
          userId: r.user_id,
          scope: r.scope,
          changeType: r.change_type,
          lifecycleEvent: r.lifecycle_event,
          resourceId: r.resource_id,
          receivedAt: new Date(r.received_at),
          attempts: r.attempts,
        }))
        .sort(byNumericId);
    },

    async complete(ids, { now: at, outcome, workerId }, executor = db) {
      if (ids.length === 0) return 0;
      // Never inside the worker's transaction: on the embedded database it holds the connection the inserts need.
      if (executor === db) await allStored();
      const result = await executor
        .updateTable('notification_queue')
        .set({ processed_at: at, outcome, claimed_until: null })
        .where('id', 'in', ids)
        .where('claimed_by', '=', workerId)
        .where('processed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async retryLater(ids, { availableAt, error, workerId }) {
      if (ids.length === 0) return 0;
      const result = await db
        .updateTable('notification_queue')
        .set({ claimed_by: null, claimed_until: null, available_at: availableAt, last_error: error })
        .where('id', 'in', ids)
        .where('claimed_by', '=', workerId)
        .where('processed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async counts() {
      const row = await db
        .selectFrom('notification_queue')
        .select([
          sql<string>`count(*) filter (where processed_at is null)`.as('pending'),
          sql<string>`count(*) filter (where processed_at is not null)`.as('processed'),
        ])
        .executeTakeFirstOrThrow();
      return { pending: Number(row.pending), processed: Number(row.processed) };
    },

    async purgeProcessed(before, limit = 10_000) {
      const result = await db
        .deleteFrom('notification_queue')
        .where('id', 'in', (q) => q.selectFrom('notification_queue').select('id').where('processed_at', '<', before).orderBy('processed_at').limit(limit))
        .executeTakeFirst();
      const deleted = Number(result.numDeletedRows);
      if (deleted > 0) await sql`vacuum notification_queue`.execute(db);
      return deleted;
    },
  };
}
