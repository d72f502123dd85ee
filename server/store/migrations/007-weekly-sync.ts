// Migration 007: the weekly SDR↔AE sync of each pair, one row per pair key (the SDR in a 1:1 team, the SDR and the AE
// in a pool): its stage (booking → booked; missing when the series was deleted; no_common_hours; ended), the weekly
// time chosen, the organizer's series id, a generation bumped by every create, move and recreate (the outbox keys and
// transactionIds carry it), the last occurrence whose agenda was queued, and why no sync could be booked.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('weekly_syncs')
    .addColumn('pair_key', 'text', (c) => c.primaryKey())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('sdr_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('ae_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('booking', 'booked', 'missing', 'no_common_hours', 'ended')`))
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('event_id', 'text')
    .addColumn('weekday', 'text')
    .addColumn('start_time', 'text')
    .addColumn('length_minutes', 'integer')
    .addColumn('time_zone', 'text')
    .addColumn('first_start', 'timestamptz')
    .addColumn('agenda_through', 'text')
    .addColumn('reason', 'text')
    .addColumn('reason_key', 'text')
    .addColumn('check_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('weekly_syncs').execute();
}
