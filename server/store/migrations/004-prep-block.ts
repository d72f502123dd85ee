// Migration 004: the AE's prep block's own times, kept when Baton books it, so an event over the prep block (not the
// meeting) is found as a calendar-hygiene problem too. Null for hand-offs without a demo (no prep block).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('handoffs').addColumn('prep_start', 'timestamptz').addColumn('prep_end', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('handoffs').dropColumn('prep_start').dropColumn('prep_end').execute();
}
