// Migration 001: teams, people and pairings, leads with their prefix-search indexes, hand-offs and the audit log.
// Runs on PGlite (PostgreSQL 18) and PostgreSQL 15 alike: nothing newer than 15 is used.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('teams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('pairing_mode', 'text', (c) => c.notNull().defaultTo('one_to_one').check(sql`pairing_mode in ('one_to_one', 'pool')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('entra_oid', 'text', (c) => c.notNull().unique())
    .addColumn('tenant_id', 'text')
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('sdr', 'ae', 'manager', 'admin')`))
    .addColumn('team_id', 'text', (c) => c.references('teams.id'))
    .addColumn('manager_id', 'uuid', (c) => c.references('users.id'))
    .addColumn('backup_id', 'uuid', (c) => c.references('users.id'))
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index users_email_key on users (lower(email))`.execute(db);

  await db.schema
    .createTable('pairings')
    .addColumn('sdr_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('ae_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('is_primary', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('pairings_pkey', ['sdr_id', 'ae_id'])
    .execute();
  // One primary AE per SDR: the 1:1 pairing. A pool adds non-primary rows.
  await sql`create unique index pairings_primary_sdr on pairings (sdr_id) where is_primary`.execute(db);

  await db.schema
    .createTable('leads')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
    .addColumn('owner_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('sdr_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('ae_id', 'uuid', (c) => c.references('users.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('contact_name', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('company_name', 'text', (c) => c.notNull())
    .addColumn('web_domain', 'text')
    .addColumn('website', 'text')
    .addColumn('employee_count', 'integer', (c) => c.check(sql`employee_count >= 0`))
    .addColumn('country', 'char(2)')
    .addColumn('time_zone', 'text')
    .addColumn('decision_maker', 'boolean')
    .addColumn('needs', 'text')
    .addColumn('current_solution', 'text')
    .addColumn('competitors', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('budget', 'text')
    .addColumn('product_interests', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('demo_requested', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('source_list', 'text')
    .addColumn('notes', 'text')
    .addColumn('hand_back_reason', 'text')
    .addColumn('hand_back_text', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Email is stored lower-cased: one lead per email, whoever owns it ("never pursue the same lead twice").
  await sql`create unique index leads_email_key on leads (email)`.execute(db);
  await sql`create index leads_web_domain on leads (web_domain) where web_domain is not null`.execute(db);
  // Prefix search: byte-order ("C") collation lets one btree serve both `like 'abc%'` and the ordered scan.
  await sql`create index leads_team_name on leads (team_id, lower(contact_name) collate "C", id)`.execute(db);
  await sql`create index leads_team_company on leads (team_id, lower(company_name) collate "C", id)`.execute(db);
  await sql`create index leads_team_email on leads (team_id, email collate "C", id)`.execute(db);
  await sql`create index leads_ae on leads (ae_id) where ae_id is not null`.execute(db);

  await db.schema
    .createTable('handoffs')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('lead_id', 'uuid', (c) => c.notNull().references('leads.id'))
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
    .addColumn('sdr_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('ae_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('stage_changed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index handoffs_lead on handoffs (lead_id)`.execute(db);

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('entity', 'text', (c) => c.notNull().check(sql`entity in ('lead', 'handoff')`))
    .addColumn('entity_id', 'uuid', (c) => c.notNull())
    .addColumn('actor_id', 'uuid', (c) => c.references('users.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('reason_code', 'text')
    .addColumn('reason_text', 'text')
    .execute();
  await sql`create index audit_log_entity on audit_log (entity, entity_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['audit_log', 'handoffs', 'leads', 'pairings', 'users', 'teams']) {
    await db.schema.dropTable(t).execute();
  }
}
