// Migration 008: the AE's rating of a lead's quality, one per recorded outcome (Sales Qualified, hand back, no-show):
// a score 1–5, the lead fields that were missing or wrong, one sentence. Written in the outcome's transaction; the
// hand-off version the outcome produced keys it, so an outcome is rated once.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('lead_ratings')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('handoff_id', 'uuid', (c) => c.notNull().references('handoffs.id'))
    .addColumn('handoff_version', 'integer', (c) => c.notNull())
    .addColumn('lead_id', 'uuid', (c) => c.notNull().references('leads.id'))
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
    .addColumn('sdr_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('ae_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('sales_qualified', 'hand_back', 'no_show')`))
    .addColumn('score', 'smallint', (c) => c.notNull().check(sql`score between 1 and 5`))
    .addColumn('fields', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('comment', 'text', (c) => c.check(sql`char_length(comment) <= 280`))
    .addColumn('rated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('lead_ratings_one_per_outcome', ['handoff_id', 'handoff_version'])
    .execute();
  await sql`create index lead_ratings_team_rated on lead_ratings (team_id, rated_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('lead_ratings').execute();
}
