// Migration 005: one-click actions from Baton's mails. `action_tokens` records every signed link issued (hand-off,
// action, recipient, expiry) and when it was used: a link works once, claimed in the transaction of its change.
// The audit log also takes refused link attempts whose hand-off is unknown (entity `action`).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('action_tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('handoff_id', 'uuid', (c) => c.notNull().references('handoffs.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('reassign', 'more_time', 'nudge', 'hand_back')`))
    .addColumn('recipient_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();
  await sql`create index action_tokens_handoff on action_tokens (handoff_id)`.execute(db);
  await sql`alter table audit_log drop constraint if exists audit_log_entity_check`.execute(db);
  await sql`alter table audit_log add constraint audit_log_entity_check check (entity in ('lead', 'handoff', 'action'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from audit_log where entity = 'action'`.execute(db);
  await sql`alter table audit_log drop constraint if exists audit_log_entity_check`.execute(db);
  await sql`alter table audit_log add constraint audit_log_entity_check check (entity in ('lead', 'handoff'))`.execute(db);
  await db.schema.dropTable('action_tokens').execute();
}
