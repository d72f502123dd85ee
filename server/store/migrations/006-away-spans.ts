// Migration 006: when AEs are away. The spans read from each AE's automatic replies (kept after they end: they explain
// past pauses of the SLA clock), the durable timer of the away check (one mailbox-settings read per AE per interval,
// claimed by one instance), and what the pauses did to each obligation (working time taken out, time left while paused).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('away_spans')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('start_at', 'timestamptz', (c) => c.notNull())
    // Null: open-ended, until the replies are seen off.
    .addColumn('end_at', 'timestamptz')
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('alwaysEnabled', 'scheduled')`))
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('away_spans_end_after_start', sql`end_at is null or end_at > start_at`)
    .execute();
  await sql`create index away_spans_user on away_spans (user_id, start_at)`.execute(db);

  await db.schema
    .createTable('away_checks')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id'))
    .addColumn('next_check_at', 'timestamptz', (c) => c.notNull())
    .addColumn('checked_at', 'timestamptz')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .execute();

  await db.schema
    .alterTable('obligations')
    .addColumn('paused_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('remaining_ms', 'bigint')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('obligations').dropColumn('paused_ms').dropColumn('remaining_ms').execute();
  await db.schema.dropTable('away_checks').execute();
  await db.schema.dropTable('away_spans').execute();
}
