// Benchmark: lead prefix search over 1,000,000 leads, 20 rows a page, through LeadStore.search with a team scope.
// Runs on a fresh embedded database, and on PostgreSQL too when BENCH_DATABASE_URL is set (a schema is created
// and dropped). Prints `bench: lead_search_<db>_p50 = <n> ms` and `_p95`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase, type OpenedDatabase } from '../../server/store/database';
import { createLeadStore } from '../../server/store/lead-store';
import { createPeopleStore } from '../../server/store/people-store';

const ROWS = Number(process.env['BENCH_SEARCH_ROWS'] ?? 1_000_000);
const QUERIES = 300;

async function fill(opened: OpenedDatabase): Promise<void> {
  const db = opened.db;
  const people = createPeopleStore(db);
  const now = new Date();
  for (const t of ['north', 'south']) await people.upsertTeam({ id: t, name: t, timeZone: 'UTC', pairingMode: 'one_to_one' });
  const sdrN = await people.createUser({ entraOid: 'b-n', tenantId: null, email: 'n@b.example', displayName: 'N', role: 'sdr', teamId: 'north', managerId: null, backupId: null, timeZone: 'UTC' }, now);
  const sdrS = await people.createUser({ entraOid: 'b-s', tenantId: null, email: 's@b.example', displayName: 'S', role: 'sdr', teamId: 'south', managerId: null, backupId: null, timeZone: 'UTC' }, now);
  // Names from 40 first names × 26² letter pairs × numbers; companies and emails likewise spread.
  await sql`
    insert into leads (team_id, owner_id, sdr_id, status, contact_name, email, company_name, web_domain)
    select case when i % 2 = 0 then 'north' else 'south' end,
           case when i % 2 = 0 then ${sdrN.id}::uuid else ${sdrS.id}::uuid end,
           case when i % 2 = 0 then ${sdrN.id}::uuid else ${sdrS.id}::uuid end,
           'new',
           (array['Anna','Ben','Carla','David','Eva','Felix','Greta','Hugo','Ines','Jonas','Karla','Leon','Mia','Noah','Olga','Paul','Quinn','Rosa','Sven','Tina','Uwe','Vera','Wim','Xena','Yusuf','Zoe','Amir','Bea','Chen','Dana','Emil','Fatima','Gil','Hana','Ivan','Jule','Kai','Lara','Milo','Nina'])[1 + i % 40]
             || ' ' || chr(65 + (i / 40) % 26) || chr(97 + (i / 1040) % 26) || 'son ' || i,
           'p' || i || '@' || substr(md5(i::text), 1, 6) || '.example',
           chr(65 + (i / 7) % 26) || substr(md5((i * 7)::text), 1, 5) || ' GmbH',
           substr(md5(i::text), 1, 6) || '.example'
    from generate_series(1, ${ROWS}) as s(i)`.execute(db);
  await sql`analyze leads`.execute(db);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(label: string, opened: OpenedDatabase): Promise<void> {
  const store = createLeadStore(opened.db);
  const prefixes = ['a', 'an', 'ann', 'anna', 'b', 'ca', 'dav', 'eva b', 'zoe', 'p12', 'p9999', 'a3', 'q', 'xena qa', 'mia', 'n@', 'yu', 'gr', 'k', 'lara z'];
  for (const prefix of prefixes) await store.search({ scope: { kind: 'team', teamId: 'north' }, prefix, limit: 20, offset: 0 }); // warm-up
  const times: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const prefix = prefixes[i % prefixes.length] ?? 'a';
    const t0 = process.hrtime.bigint();
    const r = await store.search({ scope: { kind: 'team', teamId: i % 2 ? 'north' : 'south' }, prefix, limit: 20, offset: (i % 3) * 20 });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.items.length > 20) throw new Error('page too long');
  }
  times.sort((a, b) => a - b);
  console.log(`bench: lead_search_${label}_p50 = ${percentile(times, 50).toFixed(2)} ms`);
  console.log(`bench: lead_search_${label}_p95 = ${percentile(times, 95).toFixed(2)} ms`);
}

async function main(): Promise<void> {
  console.log(`bench: lead_search_rows = ${String(ROWS)} leads`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-bench-search-'));
  try {
    const embedded = await openDatabase({ dataDir: dir });
    await migrateToLatest(embedded.db);
    const t0 = Date.now();
    await fill(embedded);
    console.log(`bench: lead_search_embedded_load = ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await measure('embedded', embedded);
    await embedded.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const url = process.env['BENCH_DATABASE_URL'];
  if (!url) {
    console.log('bench: lead_search_postgres skipped (set BENCH_DATABASE_URL to a PostgreSQL database)');
    return;
  }
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = await openDatabase({ databaseUrl: url });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  const pg = await openDatabase({ databaseUrl: u.toString() });
  try {
    await migrateToLatest(pg.db);
    await fill(pg);
    await measure('postgres', pg);
  } finally {
    await pg.close();
    await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db);
    await admin.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
