// Migration 002: watching the mailboxes. Graph subscriptions with their clientState and expiry; the queue of
// received change and lifecycle notifications (claimed with FOR UPDATE SKIP LOCKED); delta cursors per
// (mailbox, folder) and per calendar window; the hand-off's mailbox identities (intro message, meeting) and the
// hand-off events the worker derives from what it sees, each recorded once under a dedupe key.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('graph_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('events', 'sentitems', 'inbox')`))
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('client_state', 'text', (c) => c.notNull().check(sql`length(client_state) between 1 and 128`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'removed')`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('renewed_at', 'timestamptz')
    .addColumn('removed_at', 'timestamptz')
    .addColumn('removed_reason', 'text')
    // When a timer (renewal) holds the row: another instance skips it until then.
    .addColumn('claimed_until', 'timestamptz')
    .execute();
  await sql`create unique index graph_subscriptions_active on graph_subscriptions (user_id, scope) where status = 'active'`.execute(db);
  await sql`create index graph_subscriptions_expiry on graph_subscriptions (expires_at) where status = 'active'`.execute(db);

  await db.schema
    .createTable('notification_queue')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('change', 'lifecycle')`))
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('change_type', 'text')
    .addColumn('lifecycle_event', 'text')
    .addColumn('resource_id', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('available_at', 'timestamptz', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('claimed_by', 'text')
    .addColumn('processed_at', 'timestamptz')
    .addColumn('outcome', 'text')
    .addColumn('last_error', 'text')
    .execute();
  await sql`create index notification_queue_pending on notification_queue (available_at, id) where processed_at is null`.execute(db);

  await db.schema
    .createTable('delta_cursors')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('events', 'sentitems', 'inbox')`))
    .addColumn('delta_link', 'text')
    .addColumn('window_start', 'timestamptz')
    .addColumn('window_end', 'timestamptz')
    .addColumn('synced_at', 'timestamptz')
    .addColumn('next_sync_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resync_reason', 'text')
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addPrimaryKeyConstraint('delta_cursors_pkey', ['user_id', 'scope'])
    .execute();
  await sql`create index delta_cursors_due on delta_cursors (next_sync_at)`.execute(db);

  await db.schema
    .alterTable('handoffs')
    .addColumn('intro_message_id', 'text')
    .addColumn('intro_internet_message_id', 'text')
    .addColumn('intro_conversation_id', 'text')
    .addColumn('intro_sent_at', 'timestamptz')
    .addColumn('meeting_event_id', 'text')
    .addColumn('meeting_ical_uid', 'text')
    .addColumn('meeting_ae_event_id', 'text')
    .addColumn('meeting_start', 'timestamptz')
    .addColumn('meeting_end', 'timestamptz')
    .execute();
  await sql`create index handoffs_intro_imid on handoffs (intro_internet_message_id) where intro_internet_message_id is not null`.execute(db);
  await sql`create index handoffs_intro_conversation on handoffs (intro_conversation_id) where intro_conversation_id is not null`.execute(db);
  await sql`create index handoffs_meeting_uid on handoffs (meeting_ical_uid) where meeting_ical_uid is not null`.execute(db);
  await sql`create index handoffs_ae_stage on handoffs (ae_id, stage)`.execute(db);

  await db.schema
    .createTable('handoff_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('handoff_id', 'uuid', (c) => c.notNull().references('handoffs.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('consumed_at', 'timestamptz')
    .execute();
  await sql`create index handoff_events_pending on handoff_events (id) where consumed_at is null`.execute(db);
  await sql`create index handoff_events_handoff on handoff_events (handoff_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('handoff_events').execute();
  await db.schema
    .alterTable('handoffs')
    .dropColumn('intro_message_id')
    .dropColumn('intro_internet_message_id')
    .dropColumn('intro_conversation_id')
    .dropColumn('intro_sent_at')
    .dropColumn('meeting_event_id')
    .dropColumn('meeting_ical_uid')
    .dropColumn('meeting_ae_event_id')
    .dropColumn('meeting_start')
    .dropColumn('meeting_end')
    .execute();
  for (const t of ['delta_cursors', 'notification_queue', 'graph_subscriptions']) await db.schema.dropTable(t).execute();
}
