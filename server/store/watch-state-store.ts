// What Baton keeps to watch the mailboxes: its Graph subscriptions (clientState, expiry, renewal claims) and its
// delta cursors per (mailbox, folder) and calendar window (next sync, resync requests, claims). Timers are rows
// claimed with FOR UPDATE SKIP LOCKED, so several server instances on one PostgreSQL never run the same one twice.
// Imports: kysely, ./schema, ./database.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, SubscriptionScope } from './schema';

export type WatchScope = SubscriptionScope;
export const watchScopes: readonly WatchScope[] = ['events', 'sentitems', 'inbox'];

export interface SubscriptionState {
  id: string;
  userId: string;
  scope: WatchScope;
  resource: string;
  clientState: string;
  status: 'active' | 'removed';
  expiresAt: Date;
}

export interface DeltaCursor {
  userId: string;
  scope: WatchScope;
  deltaLink: string | null;
  windowStart: Date | null;
  windowEnd: Date | null;
  syncedAt: Date | null;
  resyncReason: string | null;
  failures: number;
}

export interface WatchStateStore {
  activeSubscriptions(): Promise<SubscriptionState[]>;
  subscriptionById(id: string): Promise<SubscriptionState | undefined>;
  insertSubscription(s: Omit<SubscriptionState, 'status'>, now: Date): Promise<void>;
  markRemoved(id: string, now: Date, reason: string): Promise<boolean>;
  /** Claims active subscriptions expiring before `before` for `leaseMs` (skipping those another instance holds). */
  claimDueRenewals(now: Date, before: Date, leaseMs: number, limit: number): Promise<SubscriptionState[]>;
  renewed(id: string, expiresAt: Date, now: Date): Promise<void>;
  releaseRenewal(id: string): Promise<void>;

  ensureCursor(userId: string, scope: WatchScope, now: Date): Promise<void>;
  /** Asks for a sync of one cursor (or every cursor of the user) as soon as a timer runs. */
  requestResync(userId: string, scope: WatchScope | null, now: Date, reason: string): Promise<void>;
  /** Asks for a sync of every cursor as soon as a timer runs (a process that starts: see watch-runtime). Returns how many. */
  requestResyncAll(now: Date, reason: string): Promise<number>;
  /** Claims cursors due at `now` (or whose holder's lease ran out). */
  claimDueCursors(now: Date, leaseMs: number, limit: number): Promise<DeltaCursor[]>;
  /** Stores the new cursor; a resync asked for while the sync ran keeps the cursor due now. */
  saveCursor(userId: string, scope: WatchScope, next: { deltaLink: string | null; windowStart: Date | null; windowEnd: Date | null; syncedAt: Date; nextSyncAt: Date }): Promise<void>;
  cursorFailed(userId: string, scope: WatchScope, next: { nextSyncAt: Date; error: string }): Promise<void>;
  getCursor(userId: string, scope: WatchScope): Promise<DeltaCursor | undefined>;
  removeCursors(userId: string): Promise<void>;
}

// While a cursor is claimed, its next_sync_at is pushed this far out; a resync request brings it back to now.
const parkedMs = 365 * 24 * 3600_000;

type Executor = Kysely<Database> | Transaction<Database>;

function subscriptionFromRow(r: {
  id: string;
  user_id: string;
  scope: WatchScope;
  resource: string;
  client_state: string;
  status: 'active' | 'removed';
  expires_at: Date;
}): SubscriptionState {
  return { id: r.id, userId: r.user_id, scope: r.scope, resource: r.resource, clientState: r.client_state, status: r.status, expiresAt: r.expires_at };
}

function cursorFromRow(r: {
  user_id: string;
  scope: WatchScope;
  delta_link: string | null;
  window_start: Date | null;
  window_end: Date | null;
  synced_at: Date | null;
  resync_reason: string | null;
  failures: number;
}): DeltaCursor {
  return {
    userId: r.user_id,
    scope: r.scope,
    deltaLink: r.delta_link,
    windowStart: r.window_start,
    windowEnd: r.window_end,
    syncedAt: r.synced_at,
    resyncReason: r.resync_reason,
    failures: r.failures,
  };
}

const subscriptionColumns = ['id', 'user_id', 'scope', 'resource', 'client_state', 'status', 'expires_at'] as const;
const cursorColumns = ['user_id', 'scope', 'delta_link', 'window_start', 'window_end', 'synced_at', 'resync_reason', 'failures'] as const;

export function createWatchStateStore(db: Kysely<Database>): WatchStateStore {
  const inTransaction = <T>(fn: (trx: Executor) => Promise<T>): Promise<T> => db.transaction().execute(fn);
  return {
    async activeSubscriptions() {
      const rows = await db.selectFrom('graph_subscriptions').select(subscriptionColumns).where('status', '=', 'active').orderBy('user_id').orderBy('scope').execute();
      return rows.map(subscriptionFromRow);
    },
    async subscriptionById(id) {
      const row = await db.selectFrom('graph_subscriptions').select(subscriptionColumns).where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : subscriptionFromRow(row);
    },
    async insertSubscription(s, now) {
      await db
        .insertInto('graph_subscriptions')
        .values({ id: s.id, user_id: s.userId, scope: s.scope, resource: s.resource, client_state: s.clientState, status: 'active', expires_at: s.expiresAt, created_at: now })
        .execute();
    },
    async markRemoved(id, now, reason) {
      const r = await db
        .updateTable('graph_subscriptions')
        .set({ status: 'removed', removed_at: now, removed_reason: reason, claimed_until: null })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    claimDueRenewals(now, before, leaseMs, limit) {
      return inTransaction(async (trx) => {
        const rows = await trx
          .selectFrom('graph_subscriptions')
          .select(subscriptionColumns)
          .where('status', '=', 'active')
          .where('expires_at', '<', before)
          .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
          .orderBy('expires_at')
          .limit(limit)
          .forUpdate()
          .skipLocked()
          .execute();
        if (rows.length > 0) {
          await trx
            .updateTable('graph_subscriptions')
            .set({ claimed_until: new Date(now.getTime() + leaseMs) })
            .where('id', 'in', rows.map((r) => r.id))
            .execute();
        }
        return rows.map(subscriptionFromRow);
      });
    },
    async renewed(id, expiresAt, now) {
      await db.updateTable('graph_subscriptions').set({ expires_at: expiresAt, renewed_at: now, claimed_until: null }).where('id', '=', id).execute();
    },
    async releaseRenewal(id) {
      await db.updateTable('graph_subscriptions').set({ claimed_until: null }).where('id', '=', id).execute();
    },

    async ensureCursor(userId, scope, now) {
      await db
        .insertInto('delta_cursors')
        .values({ user_id: userId, scope, next_sync_at: now, resync_reason: 'initial' })
        .onConflict((oc) => oc.columns(['user_id', 'scope']).doNothing())
        .execute();
    },
    async requestResync(userId, scope, now, reason) {
      let q = db.updateTable('delta_cursors').set({ next_sync_at: now, resync_reason: reason }).where('user_id', '=', userId);
      if (scope !== null) q = q.where('scope', '=', scope);
      await q.execute();
    },
    async requestResyncAll(now, reason) {
      const r = await db.updateTable('delta_cursors').set({ next_sync_at: now, resync_reason: reason }).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    claimDueCursors(now, leaseMs, limit) {
      return inTransaction(async (trx) => {
        const rows = await trx
          .selectFrom('delta_cursors')
          .select(cursorColumns)
          .where((eb) =>
            eb.or([
              eb.and([eb('next_sync_at', '<=', now), eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)])]),
              eb.and([eb('claimed_until', 'is not', null), eb('claimed_until', '<', now)]),
            ]),
          )
          .orderBy('next_sync_at')
          .limit(limit)
          .forUpdate()
          .skipLocked()
          .execute();
        for (const r of rows) {
          await trx
            .updateTable('delta_cursors')
            .set({ claimed_until: new Date(now.getTime() + leaseMs), next_sync_at: new Date(now.getTime() + parkedMs), resync_reason: null })
            .where('user_id', '=', r.user_id)
            .where('scope', '=', r.scope)
            .execute();
        }
        return rows.map(cursorFromRow);
      });
    },
    async saveCursor(userId, scope, next) {
      await db
        .updateTable('delta_cursors')
        .set({
          delta_link: next.deltaLink,
          window_start: next.windowStart,
          window_end: next.windowEnd,
          synced_at: next.syncedAt,
          next_sync_at: sql<Date>`least(next_sync_at, ${next.nextSyncAt}::timestamptz)`,
          claimed_until: null,
          failures: 0,
          last_error: null,
        })
        .where('user_id', '=', userId)
        .where('scope', '=', scope)
        .execute();
    },
    async cursorFailed(userId, scope, next) {
      await db
        .updateTable('delta_cursors')
        .set((eb) => ({
          next_sync_at: sql<Date>`least(next_sync_at, ${next.nextSyncAt}::timestamptz)`,
          claimed_until: null,
          failures: eb('failures', '+', 1),
          last_error: next.error.slice(0, 2000),
        }))
        .where('user_id', '=', userId)
        .where('scope', '=', scope)
        .execute();
    },
    async getCursor(userId, scope) {
      const row = await db.selectFrom('delta_cursors').select(cursorColumns).where('user_id', '=', userId).where('scope', '=', scope).executeTakeFirst();
      return row === undefined ? undefined : cursorFromRow(row);
    },
    async removeCursors(userId) {
      await db.deleteFrom('delta_cursors').where('user_id', '=', userId).execute();
    },
  };
}
