// Migration 012: the company-domain index also holds each lead's owner, so the import's check "does someone else
// already pursue this company?" reads only other owners' leads of the domain, from the index, and never the SDR's
// own leads of that domain (an import of 100,000 rows read about 5 of them per row). It replaces the domain index of
// migration 001, which it serves in full. Runs on PostgreSQL 15 and PGlite alike. Imports: kysely.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index leads_web_domain_owner on leads (web_domain, owner_id) where web_domain is not null`.execute(db);
  await sql`drop index leads_web_domain`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index leads_web_domain on leads (web_domain) where web_domain is not null`.execute(db);
  await sql`drop index leads_web_domain_owner`.execute(db);
}
