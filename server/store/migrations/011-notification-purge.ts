// Migration 011: processed notifications are deleted after a retention period (the mailbox watch's purge job), found
// through an index on when they were processed, so the queue and the claim's index stop growing with time. Runs on
// PostgreSQL 15 and PGlite alike. Imports: kysely.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index notification_queue_processed on notification_queue (processed_at) where processed_at is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index notification_queue_processed`.execute(db);
}
