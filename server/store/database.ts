// Opens Baton's database: embedded PGlite in a data folder by default, a PostgreSQL server when a URL is given.
// Both speak the PostgreSQL dialect through Kysely and return the same JS types (int8 and date as strings).
// Migrations are versioned in code and run at start. Imports: kysely, pglite, pg, the migrations, node:fs, node:v8.
import fs from 'node:fs';
import v8 from 'node:v8';
import { Kysely, Migrator, sql, PostgresDialect, type Migration, type MigrationProvider } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { PGlite, types } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import type { Database } from './schema';
import * as m001 from './migrations/001-foundation';
import * as m002 from './migrations/002-mailbox-watch';
import * as m003 from './migrations/003-handoff-engine';
import * as m004 from './migrations/004-prep-block';
import * as m005 from './migrations/005-action-links';
import * as m006 from './migrations/006-away-spans';
import * as m007 from './migrations/007-weekly-sync';
import * as m008 from './migrations/008-lead-ratings';
import * as m009 from './migrations/009-report-lead-gaps';
import * as m010 from './migrations/010-report-rollups';
import * as m011 from './migrations/011-notification-purge';
import * as m012 from './migrations/012-lead-domain-owner';
import * as m013 from './migrations/013-lead-insert-trigger';

export type Db = Kysely<Database>;

const migrations: Record<string, Migration> = {
  '001-foundation': m001,
  '002-mailbox-watch': m002,
  '003-handoff-engine': m003,
  '004-prep-block': m004,
  '005-action-links': m005,
  '006-away-spans': m006,
  '007-weekly-sync': m007,
  '008-lead-ratings': m008,
  '009-report-lead-gaps': m009,
  '010-report-rollups': m010,
  '011-notification-purge': m011,
  '012-lead-domain-owner': m012,
  '013-lead-insert-trigger': m013,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

export interface DatabaseTarget {
  /** A postgres:// URL; when absent the embedded database is used. */
  readonly databaseUrl?: string | undefined;
  /** The embedded database's folder; `memory://` for a throwaway in-memory database. */
  readonly dataDir?: string | undefined;
  /** A tarball from `dumpDataDir()` to start the embedded database from (fast test start-up). */
  readonly loadDataDir?: Blob | undefined;
}

export interface OpenedDatabase {
  readonly db: Db;
  readonly kind: 'embedded' | 'postgres';
  /** Only for the embedded database: a tarball of its data folder. */
  dump(): Promise<Blob>;
  close(): Promise<void>;
}

const PG_DATE_OID = pg.types.builtins.DATE;

/** The PGlite instance behind each embedded database's Kysely (see embeddedInstanceOf). */
const embeddedInstances = new WeakMap<Db, PGlite>();

/**
 * The PGlite instance behind `db` when it is an embedded database opened by openDatabase, else undefined: for what
 * Kysely cannot say, such as `COPY ... FROM '/dev/blob'` with the `blob` query option. PGlite is one connection: a
 * query sent to it while a Kysely transaction on `db` is open runs inside that transaction.
 */
export function embeddedInstanceOf(db: Db): PGlite | undefined {
  return embeddedInstances.get(db);
}

/**
 * The embedded database's page cache. PGlite touches all of it at start, so PostgreSQL's default (128 MB) put ~100 MB
 * more in the process's memory from the first query on; 32 MB holds a team's working set, and pages beyond it are
 * read from the data folder through the operating system's file cache.
 */
const embeddedSharedBuffers = '32MB';

/**
 * V8 compiles PGlite's WebAssembly (and re-compiles its hot functions) on as many background tasks as it likes, and
 * each of those threads leaves a malloc arena behind holding what the compiler freed: 20-45 MB of the process's
 * memory for as long as it runs (measured: a bare PGlite open holds 195-215 MB, 171-175 MB on one task). On one task it
 * opens and runs as fast here (opening, queries, a 100,000-row import, within this machine's noise). Set before the
 * first instance compiles the module.
 */
const wasmCompilationTasks = '--wasm-num-compilation-tasks=1';

export async function openDatabase(target: DatabaseTarget): Promise<OpenedDatabase> {
  if (target.databaseUrl) {
    pg.types.setTypeParser(PG_DATE_OID, (v: string) => v);
    const pool = new pg.Pool({ connectionString: target.databaseUrl, max: 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      kind: 'postgres',
      dump: () => Promise.reject(new Error('dump is only available on the embedded database')),
      close: () => db.destroy(),
    };
  }
  const dataDir = target.dataDir ?? 'memory://';
  if (!dataDir.startsWith('memory://')) fs.mkdirSync(dataDir, { recursive: true });
  v8.setFlagsFromString(wasmCompilationTasks);
  const pglite = await PGlite.create({
    dataDir,
    extensions: { pg_trgm },
    parsers: { [types.INT8]: (v: string) => v, [types.DATE]: (v: string) => v },
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${embeddedSharedBuffers}`],
    ...(target.loadDataDir ? { loadDataDir: target.loadDataDir } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  embeddedInstances.set(db, pglite);
  return {
    db,
    kind: 'embedded',
    dump: () => pglite.dumpDataDir('none'),
    close: () => db.destroy(),
  };
}

/** Brings the schema to the newest version; throws with the failing migration's name. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  // Kysely looks for its migration tables in every schema it can see: name the one this connection works in (the
  // first of its search_path, `public` by default), so a database holding several Baton schemas migrates each one.
  const current = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = current.rows[0]?.schema ?? null;
  const migrator = new Migrator({ db, provider, ...(schema === null ? {} : { migrationTableSchema: schema }) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
