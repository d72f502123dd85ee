// Bench: imports a generated 100,000-row lead CSV (5% bad rows) into a fresh embedded database in a temp folder,
// as a real SDR, and prints throughput and peak memory as `bench: <name> = <value> <unit>` lines. Run alone (`tsx`) by
// test/bench/run.ts. The goal figures (csv_import_rows_per_s, csv_import_peak_rss) are those of `npm run import`,
// the command users run, in a process of its own, read off the report it prints: the median of three runs
// (`--runs=N`). The same import is also run in this process (csv_import_in_process_*), to show how much of the peak
// Node, the modules and PGlite take before the first row and the CPU time per row. The database is created (initdb,
// migrations, team, SDR) by a child process: PGlite's initdb alone peaks near 800 MB, a one-time cost that would hide
// what the import uses; each run gets a copy of it. A second child writes the same good rows into another copy with
// the import's two COPYs alone (no reading, no checks): the embedded database's own ceiling for the import as
// designed, to read the import's figure against. Imports: the import modules, the store, node:*.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { asCopyLead, importLeads, importAuditReason } from '../../server/import/lead-import';
import { copyLeadBatch, type CopyLead } from '../../server/import/lead-batch-writer';
import { readLeadRows } from '../../server/import/lead-rows';
import { embeddedInstanceOf, migrateToLatest, openDatabase } from '../../server/store/database';
import { createPeopleStore } from '../../server/store/people-store';
import { systemClock } from '../../server/clock';

const args = process.argv.slice(2);
const rowCount = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000);
/** `--no-time-zones`: leave the time-zone column empty (to see what the zone lookup costs). */
const withTimeZones = !args.includes('--no-time-zones');
/** `--runs=N`: how many times `npm run import` imports the file, each into its own copy of the database (default 3). */
const commandRuns = Number(args.find((a) => a.startsWith('--runs='))?.slice('--runs='.length) ?? 3);
const badEvery = 20; // 5%

const firstNames = ['Ada', 'Grace', 'Linus', 'Margaret', 'Alan', 'Barbara', 'Dennis', 'Frances', 'Ken', 'Radia', 'José', 'Zoë'];
const lastNames = ['Lovelace', 'Hopper', 'Torvalds', 'Hamilton', 'Turing', 'Liskov', 'Ritchie', 'Allen', 'Thompson', 'Perlman', 'Núñez', 'Müller'];
const countries = ['Germany', 'United States', 'France', 'DE', 'US', 'GB', 'Spain', 'NL'];
const timeZones = ['Europe/Berlin', 'America/New_York', 'W. Europe Standard Time', 'Pacific Standard Time', 'Europe/London', ''];
const titles = ['VP Sales', 'Head of Revenue Operations', 'CTO', 'Sales Director', 'Founder, CEO'];
const competitors = ['Salesforce; HubSpot', 'Pipedrive', '', 'Outreach; Salesloft; Apollo'];
const header = ['First name', 'Last name', 'E-mail', 'Company Name', 'Job title', 'Phone number', 'Website', 'Employees', 'Country/Region', 'Time zone', 'Decision maker', 'Competitors', 'Pains', 'Product interest', 'Demo requested', 'Lead list', 'Notes'];

function quote(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function row(i: number): string[] {
  const first = firstNames[i % firstNames.length] ?? 'A';
  const last = lastNames[(i * 7) % lastNames.length] ?? 'B';
  const company = i % 10 === 3 ? null : i % 20_000;
  const email = company === null ? `${first}.${last}.${i}@gmail.com` : `${first}.${last}.${i}@company${company}.com`;
  const cells = [
    first,
    last,
    email.toLowerCase().replace(/[^a-z0-9@.]/g, 'x'),
    company === null ? `Freelancer ${i}` : `Company ${company}, Inc.`,
    titles[i % titles.length] ?? '',
    i % 2 === 0 ? `+1 415-555-${String(2000 + (i % 7000)).padStart(4, '0')}` : '',
    company === null ? '' : `www.company${company}.com`,
    i % 3 === 0 ? '1,200' : String(10 + (i % 5000)),
    countries[i % countries.length] ?? '',
    withTimeZones ? (timeZones[i % timeZones.length] ?? '') : '',
    i % 2 === 0 ? 'yes' : 'no',
    competitors[i % competitors.length] ?? '',
    i % 4 === 0 ? 'Leads go cold between\nthe SDR and the AE' : 'Slow hand-offs',
    'Core; Analytics',
    i % 5 === 0 ? 'yes' : '',
    'Expo 2026',
    i % 9 === 0 ? '=HYPERLINK("http://example.com")' : '',
  ];
  if (i % badEvery === 7) {
    switch ((i / badEvery) % 4 | 0) {
      case 0: cells[2] = 'not-an-email'; break;
      case 1: cells[3] = ''; break;
      case 2: cells[8] = 'Atlantis'; break;
      default: cells[7] = 'lots'; break;
    }
  }
  return cells;
}

async function writeCsv(file: string): Promise<number> {
  const out = fs.createWriteStream(file);
  out.write('\ufeff' + header.join(',') + '\r\n');
  for (let i = 0; i < rowCount; i++) {
    if (!out.write(row(i).map(quote).join(',') + '\r\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return fs.statSync(file).size;
}

const sdrEmail = 'sdr@bench.example';

/** Child process: a migrated database with a team and an SDR. */
async function prepare(dataDir: string): Promise<void> {
  const opened = await openDatabase({ dataDir });
  await migrateToLatest(opened.db);
  const people = createPeopleStore(opened.db);
  await people.upsertTeam({ id: 'team-bench', name: 'Bench team', timeZone: 'Europe/Berlin', pairingMode: 'one_to_one' });
  await people.createUser(
    { entraOid: 'oid-bench-sdr', tenantId: null, email: sdrEmail, displayName: 'Bench SDR', role: 'sdr', teamId: 'team-bench', managerId: null, backupId: null, timeZone: 'Europe/Berlin' },
    new Date(),
  );
  await opened.close();
}

/**
 * Child process: the file's good rows, read and laid out beforehand (not timed), written into the prepared database
 * at `dataDir` in batches of 1,000 with the import's COPYs of leads and audit lines, one transaction each.
 */
async function writeOnly(dataDir: string, file: string): Promise<void> {
  const opened = await openDatabase({ dataDir });
  const copyTo = embeddedInstanceOf(opened.db);
  const sdr = await createPeopleStore(opened.db).findByEmail(sdrEmail);
  if (!copyTo || !sdr?.teamId) throw new Error('the prepared database has no SDR');
  const rows = await readLeadRows(fs.createReadStream(file), { form: 'copy', batchSize: 1000, detailLimit: 0 });
  if (!rows.ok) throw new Error(rows.error.message);
  const batches: CopyLead[][] = [];
  for await (const event of rows.value.events) {
    batches.push(event.candidates.map(asCopyLead));
  }
  const context = { teamId: sdr.teamId, sdrId: sdr.id, actorId: sdr.id, audit: importAuditReason };
  let written = 0;
  const started = performance.now();
  for (const batch of batches) {
    written += await opened.db.transaction().execute(async () => (await copyLeadBatch(copyTo, batch, { ...context, now: new Date() })).length);
  }
  const seconds = (performance.now() - started) / 1000;
  await opened.close();
  console.log(`bench: csv_import_write_only_rows_per_s = ${Math.round(written / seconds)} rows/s`);
}

/** The middle value (the lower of the two middle ones for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (middle === undefined) throw new Error('no values');
  return middle;
}

/** What `npm run import` reported for the file, run as users run it, on the embedded database in `dataDir`. */
function runImportCommand(file: string, dataDir: string): { rows: number; created: number; rejected: number; rowsPerSecond: number; peakRssMb: number } {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env['DATABASE_URL'];
  const run = spawnSync('npm', ['run', '--silent', 'import', '--', file, '--owner', sdrEmail], {
    cwd: path.resolve(__dirname, '../..'),
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1048576,
  });
  if (run.status !== 0) throw new Error(`npm run import failed (exit ${run.status ?? run.signal ?? '?'}):\n${run.stderr}${run.stdout}`);
  const figure = (pattern: RegExp): number => {
    const found = pattern.exec(run.stdout)?.[1];
    if (found === undefined) throw new Error(`npm run import printed no ${pattern.source}:\n${run.stdout}`);
    return Number(found);
  };
  return {
    rows: figure(/^ {2}rows read +(\d+)/m),
    created: figure(/^ {2}created +(\d+)/m),
    rejected: figure(/^ {2}rejected +(\d+)/m),
    rowsPerSecond: figure(/^ {2}took +[\d.]+ s \((\d+) rows\/s\)/m),
    peakRssMb: figure(/peak memory (\d+) MB$/m),
  };
}

async function main(): Promise<void> {
  const prepareAt = args.indexOf('--prepare');
  if (prepareAt !== -1) {
    await prepare(args[prepareAt + 1] ?? '');
    return;
  }
  const writeOnlyAt = args.indexOf('--write-only');
  if (writeOnlyAt !== -1) {
    await writeOnly(args[writeOnlyAt + 1] ?? '', args[writeOnlyAt + 2] ?? '');
    return;
  }
  if (!Number.isInteger(commandRuns) || commandRuns < 1) throw new Error('--runs= takes a whole number of runs, 1 or more');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-bench-import-'));
  try {
    const file = path.join(dir, 'leads.csv');
    const dataDir = path.join(dir, 'db');
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--prepare', dataDir], { stdio: 'inherit' });
    if (child.status !== 0) throw new Error(`preparing the database failed (exit ${child.status ?? child.signal ?? '?'})`);
    const cliDirs = Array.from({ length: commandRuns }, (_, i) => path.join(dir, `db-cli-${i + 1}`));
    const writeOnlyDir = path.join(dir, 'db-write-only');
    for (const copy of [...cliDirs, writeOnlyDir]) fs.cpSync(dataDir, copy, { recursive: true });
    const size = await writeCsv(file);
    const expectedBad = Math.floor((rowCount - 8) / badEvery) + 1;
    const expect = (rows: number, created: number, rejected: number, more: string) => {
      if (rows !== rowCount || rejected !== expectedBad || created !== rowCount - expectedBad) {
        throw new Error(`unexpected report: rows ${rows}, created ${created}, rejected ${rejected} (expected ${expectedBad})${more}`);
      }
    };

    // This machine's speed drifts by ±15% from one run to the next (memory by ±20-40 MB): the figures are the median
    // of several runs, each printed first.
    const runs = cliDirs.map((cliDir, i) => {
      const run = runImportCommand(file, cliDir);
      expect(run.rows, run.created, run.rejected, ` (npm run import, run ${i + 1})`);
      console.log(`# npm run import, run ${i + 1} of ${cliDirs.length}: ${run.rowsPerSecond} rows/s, peak memory ${run.peakRssMb} MB`);
      return run;
    });
    console.log(`bench: csv_import_rows = ${rowCount} rows`);
    console.log(`bench: csv_import_rows_per_s = ${median(runs.map((r) => r.rowsPerSecond))} rows/s`);
    console.log(`bench: csv_import_peak_rss = ${median(runs.map((r) => r.peakRssMb))} MB`);
    console.log(`bench: csv_import_file_size = ${(size / 1048576).toFixed(1)} MB`);

    const opened = await openDatabase({ dataDir });
    const sdr = await createPeopleStore(opened.db).findByEmail(sdrEmail);
    if (!sdr?.teamId) throw new Error('the prepared database has no SDR');
    // The peak below includes the process before the import: Node, the modules and PGlite reopening its folder
    // (~250 MB together here). This says how much that was, so the import's own share is the difference.
    const rssBeforeImport = process.resourceUsage().maxRSS;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const result = await importLeads(opened.db, fs.createReadStream(file), { owner: { teamId: sdr.teamId, sdrId: sdr.id }, clock: systemClock });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    await opened.close();
    if (!result.ok) throw new Error(result.error.message);
    const r = result.value;
    expect(r.rows, r.created, r.rejectedCount, `, flagged ${r.flaggedCount}, skipped ${r.skipped} (in process)`);
    console.log(`bench: csv_import_in_process_rows_per_s = ${Math.round(r.rows / seconds)} rows/s`);
    console.log(`bench: csv_import_in_process_peak_rss = ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
    console.log(`bench: csv_import_in_process_peak_rss_before_import = ${Math.round(rssBeforeImport / 1024)} MB`);
    // CPU time per row, both threads: steadier than the wall clock on a busy machine.
    console.log(`bench: csv_import_in_process_cpu_per_row = ${Math.round((cpu.user + cpu.system) / r.rows)} µs`);

    const run = spawnSync(process.execPath, [...process.execArgv, __filename, '--write-only', writeOnlyDir, file], { stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`--write-only failed (exit ${run.status ?? run.signal ?? '?'})`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
