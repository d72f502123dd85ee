// Migration 013: inserting leads no longer fires the report trigger of migration 010. Its function does nothing on an
// insert (a new lead has no hand-off yet), yet the trigger's transition table made the database keep a copy of every
// inserted lead for it, 100,000 copies in a 100,000-row import. Updates and deletes still fire it. Runs on
// PostgreSQL 15 and PGlite alike. Imports: kysely.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger leads_report_insert on leads`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create trigger leads_report_insert after insert on leads
    referencing new table as new_rows for each statement execute function report_on_leads()`.execute(db);
  await sql`alter table leads enable always trigger leads_report_insert`.execute(db);
}
