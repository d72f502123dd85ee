// The outbox: side effects that must happen once (a mail, the invite, the prep block), each a row with an idempotency
// key written in the same transaction as the state change that caused it. Rows are claimed with FOR UPDATE SKIP
// LOCKED and a lease, so several instances share them and a crashed sender's rows come back.
// Imports: kysely, ./schema.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema';

type Executor = Kysely<Database>;

/**
 * `event_update` changes an event's attendees (a reassigned hand-off); `event_delete` removes one (the old AE's prep
 * block); `weekly-sync`: a change of a pair's weekly sync series or an occurrence's agenda (server/engine/weekly-sync.ts).
 */
export type OutboxKind = 'mail' | 'event' | 'event_update' | 'event_delete' | 'weekly-sync';
export type OutboxStatus = 'pending' | 'done' | 'failed' | 'uncertain';

export interface NewOutboxItem {
  idempotencyKey: string;
  handoffId: string | null;
  kind: OutboxKind;
  /** The mailbox that sends or owns the item (Entra object id). */
  mailbox: string;
  payload: unknown;
  availableAt?: Date;
}

export interface OutboxItem {
  id: string;
  idempotencyKey: string;
  handoffId: string | null;
  kind: OutboxKind;
  mailbox: string;
  payload: unknown;
  status: OutboxStatus;
  attempts: number;
  createdAt: Date;
  doneAt: Date | null;
  result: unknown;
  lastError: string | null;
}

export interface OutboxStore {
  /** Adds the items in the caller's transaction; an existing key is left as it is. Returns how many were new. */
  add(executor: Executor, items: readonly NewOutboxItem[], now: Date): Promise<number>;
  claim(options: { workerId: string; now: Date; leaseMs: number; limit: number }): Promise<OutboxItem[]>;
  /** Marks done (only while this worker holds the claim), in the caller's transaction when given. */
  finish(id: string, outcome: { status: 'done' | 'failed' | 'uncertain'; workerId: string; now: Date; result?: unknown; error?: string }, executor?: Executor): Promise<boolean>;
  retryLater(id: string, options: { workerId: string; availableAt: Date; error: string }): Promise<void>;
  /** Notes what the holder is about to do (`sending`), committed before it does it. */
  mark(id: string, options: { workerId: string; note: string }): Promise<void>;
  byHandoff(handoffId: string): Promise<OutboxItem[]>;
  counts(): Promise<Record<OutboxStatus, number>>;
}

const columns = ['id', 'idempotency_key', 'handoff_id', 'kind', 'mailbox', 'payload', 'status', 'attempts', 'created_at', 'done_at', 'result', 'last_error'] as const;

function fromRow(r: {
  id: string;
  idempotency_key: string;
  handoff_id: string | null;
  kind: string;
  mailbox: string;
  payload: unknown;
  status: OutboxStatus;
  attempts: number;
  created_at: Date;
  done_at: Date | null;
  result: unknown;
  last_error: string | null;
}): OutboxItem {
  return {
    id: r.id,
    idempotencyKey: r.idempotency_key,
    handoffId: r.handoff_id,
    kind: r.kind as OutboxKind,
    mailbox: r.mailbox,
    payload: r.payload,
    status: r.status,
    attempts: r.attempts,
    createdAt: r.created_at,
    doneAt: r.done_at,
    result: r.result,
    lastError: r.last_error,
  };
}

export function createOutboxStore(db: Kysely<Database>): OutboxStore {
  return {
    async add(executor, items, now) {
      if (items.length === 0) return 0;
      const inserted = await executor
        .insertInto('outbox')
        .values(
          items.map((i) => ({
            idempotency_key: i.idempotencyKey,
            handoff_id: i.handoffId,
            kind: i.kind,
            mailbox: i.mailbox,
            payload: JSON.stringify(i.payload),
            status: 'pending' as const,
            created_at: now,
            available_at: i.availableAt ?? now,
          })),
        )
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .returning('id')
        .execute();
      return inserted.length;
    },
    claim({ workerId, now, leaseMs, limit }) {
      return db.transaction().execute(async (trx) => {
        const rows = await trx
          .selectFrom('outbox')
          .select('id')
          .where('status', '=', 'pending')
          .where('available_at', '<=', now)
          .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
          .orderBy('available_at')
          .orderBy('id')
          .limit(limit)
          .forUpdate()
          .skipLocked()
          .execute();
        if (rows.length === 0) return [];
        const claimed = await trx
          .updateTable('outbox')
          .set((eb) => ({ claimed_by: workerId, claimed_until: new Date(now.getTime() + leaseMs), attempts: eb('attempts', '+', 1) }))
          .where('id', 'in', rows.map((r) => r.id))
          .returning(columns)
          .execute();
        return claimed.map(fromRow).sort((a, b) => Number(a.id) - Number(b.id));
      });
    },
    async finish(id, outcome, executor = db) {
      const r = await executor
        .updateTable('outbox')
        .set({
          status: outcome.status,
          done_at: outcome.now,
          claimed_until: null,
          result: outcome.result === undefined ? null : JSON.stringify(outcome.result),
          last_error: outcome.error ?? null,
        })
        .where('id', '=', id)
        .where('claimed_by', '=', outcome.workerId)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    async retryLater(id, { workerId, availableAt, error }) {
      await db
        .updateTable('outbox')
        .set({ available_at: availableAt, claimed_until: null, last_error: error.slice(0, 2000) })
        .where('id', '=', id)
        .where('claimed_by', '=', workerId)
        .where('status', '=', 'pending')
        .execute();
    },
    async mark(id, { workerId, note }) {
      await db.updateTable('outbox').set({ last_error: note }).where('id', '=', id).where('claimed_by', '=', workerId).where('status', '=', 'pending').execute();
    },
    async byHandoff(handoffId) {
      const rows = await db.selectFrom('outbox').select(columns).where('handoff_id', '=', handoffId).orderBy('id').execute();
      return rows.map(fromRow);
    },
    async counts() {
      const rows = await db.selectFrom('outbox').select(['status', sql<string>`count(*)`.as('n')]).groupBy('status').execute();
      const out: Record<OutboxStatus, number> = { pending: 0, done: 0, failed: 0, uncertain: 0 };
      for (const r of rows) out[r.status] = Number(r.n);
      return out;
    },
  };
}
