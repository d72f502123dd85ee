// Jest global setup: migrate a fresh embedded database once and dump it, so each test file starts in ~1 s
// instead of ~5 s. Skipped when DATABASE_URL points the suites at a PostgreSQL server.
import fs from 'node:fs';
import { migrateToLatest, openDatabase } from '../../../server/store/database';
import { migratedDumpPath } from './dump-path';

export default async function globalSetup(): Promise<void> {
  process.env['BATON_TEST_RUN_ID'] = `${process.pid}-${Date.now()}`;
  if (process.env['DATABASE_URL']) return;
  const opened = await openDatabase({});
  await migrateToLatest(opened.db);
  const blob = await opened.dump();
  fs.writeFileSync(migratedDumpPath(), Buffer.from(await blob.arrayBuffer()));
  await opened.close();
}
