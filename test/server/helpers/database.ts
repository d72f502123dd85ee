// Test databases: the embedded one loaded from a migrated dump made once per run (see global-setup.ts), or, when
// DATABASE_URL is set, a fresh schema on that PostgreSQL server per test file. The same suites run on both.
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase, type Db, type OpenedDatabase } from '../../../server/store/database';
import { migratedDumpPath } from './dump-path';

export interface TestDatabase extends OpenedDatabase {
  /** Empties every table (between tests). */
  reset(): Promise<void>;
}

export async function openTestDatabase(): Promise<TestDatabase> {
  const url = process.env['DATABASE_URL'];
  let opened: OpenedDatabase;
  if (url) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = await openDatabase({ databaseUrl: url });
    await sql`create schema ${sql.id(schema)}`.execute(admin.db);
    await admin.close();
    const u = new URL(url);
    u.searchParams.set('options', `-c search_path=${schema}`);
    const inner = await openDatabase({ databaseUrl: u.toString() });
    await migrateToLatest(inner.db);
    opened = {
      ...inner,
      close: async () => {
        await sql`drop schema ${sql.id(schema)} cascade`.execute(inner.db);
        await inner.close();
      },
    };
  } else {
    const file = migratedDumpPath();
    const loadDataDir = fs.existsSync(file) ? new Blob([fs.readFileSync(file)]) : undefined;
    opened = await openDatabase({ loadDataDir });
    await migrateToLatest(opened.db);
  }
  return { ...opened, reset: () => truncateAll(opened.db) };
}

export async function truncateAll(db: Db): Promise<void> {
  await sql`truncate handoff_findings, followups, outbox, obligations, handoff_events, notification_queue, delta_cursors, graph_subscriptions, audit_log, handoffs, leads, pairings, users, teams restart identity cascade`.execute(db);
}
