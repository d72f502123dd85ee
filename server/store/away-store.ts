// Away spans per AE (from their automatic replies) and the away check's durable timer: the spans read and replaced
// under a lock on the AE's check row (two readings of one AE never interleave), and the AEs whose check is due claimed
// atomically (one instance reads each mailbox once per interval). Imports: kysely, ./schema, the domain's away types.
import { sql, type Kysely } from 'kysely';
import type { AwaySpan } from '../domain/away';
import type { Database } from './schema';

type Executor = Kysely<Database>;

/** Obligations whose clock an absence can still move (escalated ones have nothing left to do). */
export const pausableStates = ['open', 'reminded', 'breached'] as const;

export interface AwayStore {
  /** The user's spans, oldest first. */
  spansOf(executor: Executor, userId: string): Promise<AwaySpan[]>;
  /** Spans of several users at once (users without any are absent). */
  spansOfMany(executor: Executor, userIds: readonly string[]): Promise<Map<string, AwaySpan[]>>;
  /** Locks the user's check row (created when missing, due at `at`) until the transaction ends. */
  lock(executor: Executor, userId: string, at: Date): Promise<void>;
  /** Replaces the user's spans (inside the transaction holding the lock). */
  replace(executor: Executor, userId: string, spans: readonly AwaySpan[], at: Date): Promise<void>;
  /**
   * Claims up to `limit` AEs with obligations an absence can move whose check is due at `now` (or never made): their
   * next check moves to `next` in the same statement, so another instance does not claim them too.
   */
  claimDue(now: Date, next: Date, limit: number): Promise<string[]>;
  /** A reading was taken at `at` (the hand-off start's, or the check's): the next one is due at `next`. */
  checked(executor: Executor, userId: string, at: Date, next: Date): Promise<void>;
  /** The reading failed: kept for the operator, tried again at `next`. */
  failed(userId: string, error: string, next: Date): Promise<void>;
}

const spanOf = (r: { start_at: Date; end_at: Date | null; source: AwaySpan['source'] }): AwaySpan => ({ start: r.start_at, end: r.end_at, source: r.source });

export function createAwayStore(db: Executor): AwayStore {
  return {
    async spansOf(executor, userId) {
      const rows = await executor.selectFrom('away_spans').select(['start_at', 'end_at', 'source']).where('user_id', '=', userId).orderBy('start_at').execute();
      return rows.map(spanOf);
    },

    async spansOfMany(executor, userIds) {
      const out = new Map<string, AwaySpan[]>();
      if (userIds.length === 0) return out;
      const rows = await executor
        .selectFrom('away_spans')
        .select(['user_id', 'start_at', 'end_at', 'source'])
        .where('user_id', 'in', [...new Set(userIds)])
        .orderBy('start_at')
        .execute();
      for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), spanOf(r)]);
      return out;
    },

    async lock(executor, userId, at) {
      await executor.insertInto('away_checks').values({ user_id: userId, next_check_at: at }).onConflict((oc) => oc.column('user_id').doNothing()).execute();
      await executor.selectFrom('away_checks').select('user_id').where('user_id', '=', userId).forUpdate().execute();
    },

    async replace(executor, userId, spans, at) {
      await executor.deleteFrom('away_spans').where('user_id', '=', userId).execute();
      if (spans.length === 0) return;
      await executor
        .insertInto('away_spans')
        .values(spans.map((s) => ({ user_id: userId, start_at: s.start, end_at: s.end, source: s.source, recorded_at: at })))
        .execute();
    },

    async claimDue(now, next, limit) {
      const rows = await sql<{ user_id: string }>`
        insert into away_checks (user_id, next_check_at)
        select ae_id, ${next} from (
          select distinct h.ae_id from obligations o join handoffs h on h.id = o.handoff_id
          where o.status in ('open', 'reminded', 'breached')
            and not exists (select 1 from away_checks c where c.user_id = h.ae_id and c.next_check_at > ${now})
          limit ${limit}
        ) due
        on conflict (user_id) do update set next_check_at = excluded.next_check_at
        where away_checks.next_check_at <= ${now}
        returning user_id`.execute(db);
      return rows.rows.map((r) => r.user_id);
    },

    async checked(executor, userId, at, next) {
      await executor
        .insertInto('away_checks')
        .values({ user_id: userId, next_check_at: next, checked_at: at, failures: 0, last_error: null })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ next_check_at: next, checked_at: at, failures: 0, last_error: null }))
        .execute();
    },

    async failed(userId, error, next) {
      await db
        .updateTable('away_checks')
        .set((eb) => ({ next_check_at: next, failures: eb('failures', '+', 1), last_error: error.slice(0, 500) }))
        .where('user_id', '=', userId)
        .execute();
    },
  };
}
