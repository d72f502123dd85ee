// Migration 003: the hand-off engine. SLA obligations with their durable timer (next_check_at, claimed with SKIP
// LOCKED); the outbox of side effects that must happen once (mail, the invite, the prep block), each row keyed by an
// idempotency key and written in the transaction of the state change that caused it; follow-up tasks; findings kept on
// a hand-off (calendar hygiene, declines, proposed times); what the hand-off carries beyond its stage.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('handoffs')
    .addColumn('demo_requested', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('override_reason', 'text')
    .addColumn('prep_event_id', 'text')
    .addColumn('slot_start', 'timestamptz')
    .addColumn('slot_end', 'timestamptz')
    .addColumn('outcome', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  // The lead-twice guard at the database: one hand-off in progress per lead.
  await sql`create unique index handoffs_one_open_per_lead on handoffs (lead_id) where stage <> 'closed'`.execute(db);

  await db.schema
    .createTable('obligations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('handoff_id', 'uuid', (c) => c.notNull().references('handoffs.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('ae_reply', 'ae_accept')`))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('remind_at', 'timestamptz', (c) => c.notNull())
    .addColumn('second_level_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reminded_at', 'timestamptz')
    .addColumn('breached_at', 'timestamptz')
    .addColumn('escalated_at', 'timestamptz')
    .addColumn('met_at', 'timestamptz')
    .addColumn('time_to_respond_ms', 'bigint')
    .addColumn('met_within_sla', 'boolean')
    .addColumn('cancelled_at', 'timestamptz')
    // The durable timer: when the sweep must look at this obligation next (null: nothing left to do).
    .addColumn('next_check_at', 'timestamptz')
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await sql`create index obligations_due on obligations (next_check_at) where next_check_at is not null`.execute(db);
  await sql`create index obligations_handoff on obligations (handoff_id)`.execute(db);
  await sql`create unique index obligations_one_live_per_kind on obligations (handoff_id, kind) where status not in ('met', 'cancelled')`.execute(db);

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('handoff_id', 'uuid', (c) => c.references('handoffs.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('mailbox', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'done', 'failed', 'uncertain')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('available_at', 'timestamptz', (c) => c.notNull())
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('claimed_by', 'text')
    .addColumn('done_at', 'timestamptz')
    .addColumn('result', 'jsonb')
    .addColumn('last_error', 'text')
    .execute();
  await sql`create index outbox_pending on outbox (available_at, id) where status = 'pending'`.execute(db);

  await db.schema
    .createTable('followups')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('lead_id', 'uuid', (c) => c.notNull().references('leads.id'))
    .addColumn('owner_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('done_at', 'timestamptz')
    .execute();
  await sql`create index followups_open on followups (lead_id, due_at) where done_at is null`.execute(db);

  await db.schema
    .createTable('handoff_findings')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('handoff_id', 'uuid', (c) => c.notNull().references('handoffs.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull())
    .addColumn('source_event_id', 'bigint', (c) => c.unique())
    .execute();
  await sql`create index handoff_findings_handoff on handoff_findings (handoff_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['handoff_findings', 'followups', 'outbox', 'obligations']) await db.schema.dropTable(t).execute();
  await sql`drop index handoffs_one_open_per_lead`.execute(db);
  await db.schema
    .alterTable('handoffs')
    .dropColumn('demo_requested')
    .dropColumn('override_reason')
    .dropColumn('prep_event_id')
    .dropColumn('slot_start')
    .dropColumn('slot_end')
    .dropColumn('outcome')
    .dropColumn('version')
    .execute();
}
