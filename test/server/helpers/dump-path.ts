// Where the migrated embedded-database dump of this test run lives (one per Jest run).
import os from 'node:os';
import path from 'node:path';

export function migratedDumpPath(): string {
  return path.join(os.tmpdir(), `baton-test-db-${process.env['BATON_TEST_RUN_ID'] ?? 'local'}.tar`);
}
