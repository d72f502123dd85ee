// `npm run import -- leads.csv --owner sdr@example.com`: imports a lead CSV for an SDR into the configured database
// (embedded in DATA_DIR, or DATABASE_URL), with a progress bar on stderr and the report on stdout.
// Exit 0 when the import ran (even with rejected rows), 1 on a fatal error. Imports: config, store, import, cli-progress.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { loadConfig } from '../config';
import { systemClock } from '../clock';
import type { User } from '../domain/people';
import { importLeads, type ImportReport } from '../import/lead-import';
import { migrateToLatest, openDatabase, type OpenedDatabase } from '../store/database';
import { createPeopleStore } from '../store/people-store';

const usage = 'Usage: npm run import -- <leads.csv> --owner <sdr email>';

/** An error the user can fix: printed without a stack trace. */
class CliError extends Error {}

function parseCommandLine(argv: string[]): { file: string; owner: string } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { owner: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  } catch (err) {
    throw new CliError(`${err instanceof Error ? err.message : String(err)}\n${usage}`);
  }
  const { values, positionals } = parsed;
  if (values.help === true) throw new CliError(usage);
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) throw new CliError(`Give exactly one CSV file.\n${usage}`);
  if (values.owner === undefined || values.owner.trim() === '') throw new CliError(`Give the SDR who will own the leads: --owner <email>.\n${usage}`);
  return { file, owner: values.owner.trim() };
}

function checkOwner(user: User | undefined, email: string): asserts user is User & { teamId: string } {
  if (user === undefined) throw new CliError(`No Baton user has the email ${email}.`);
  if (user.role !== 'sdr') throw new CliError(`${user.displayName} (${user.email}) is ${user.role === 'ae' ? 'an AE' : `a ${user.role}`}, not an SDR: leads are imported for an SDR.`);
  if (!user.active) throw new CliError(`${user.displayName} (${user.email}) is no longer active.`);
  if (user.teamId === null) throw new CliError(`${user.displayName} (${user.email}) belongs to no team yet.`);
}

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

/** How long the import took (starting the reader to committing the last batch) and the process's peak memory. */
interface ImportCost {
  seconds: number;
  peakRssBytes: number;
}

function formatReport(report: ImportReport, file: string, owner: User, cost: ImportCost): string {
  const perSecond = cost.seconds > 0 ? Math.round(report.rows / cost.seconds) : report.rows;
  const lines = [
    `Imported ${file} for ${owner.displayName} (${owner.email})`,
    `  took       ${cost.seconds.toFixed(1)} s (${perSecond} rows/s), peak memory ${Math.round(cost.peakRssBytes / 1048576)} MB`,
    `  rows read  ${report.rows}`,
    `  created    ${report.created}`,
    `  skipped    ${report.skipped}${report.skipped > 0 ? ' (already leads of this SDR)' : ''}`,
    `  flagged    ${report.flaggedCount}${report.flaggedCount > 0 ? ' (pursued by someone else: not imported)' : ''}`,
    `  rejected   ${report.rejectedCount}`,
  ];
  if (report.ignoredHeaders.length > 0) lines.push(`  ignored columns: ${report.ignoredHeaders.join(', ')}`);
  if (report.flagged.length > 0) {
    lines.push('', 'Flagged:');
    for (const f of report.flagged) {
      lines.push(`  line ${f.line}: ${f.email} — owned by ${f.ownerName} (same ${f.matchedBy === 'email' ? 'email' : 'company domain'})`);
    }
    if (report.flaggedCount > report.flagged.length) lines.push(`  … and ${report.flaggedCount - report.flagged.length} more`);
  }
  if (report.rejected.length > 0) {
    lines.push('', 'Rejected:');
    for (const r of report.rejected) lines.push(`  line ${r.line}: ${r.column ?? 'row'} — ${r.message}`);
    const listedRows = new Set(report.rejected.map((r) => r.line)).size;
    if (report.rejectedCount > listedRows) lines.push(`  … and ${report.rejectedCount - listedRows} more rows`);
  }
  return lines.join('\n');
}

async function run(argv: string[]): Promise<number> {
  const { file, owner: ownerEmail } = parseCommandLine(argv);
  let size: number;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new CliError(`${file} is not a file.`);
    size = stat.size;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`File not found: ${file}`);
  }
  const config = loadConfig();
  let database: OpenedDatabase | undefined;
  try {
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    await migrateToLatest(database.db);
    const owner = await createPeopleStore(database.db).findByEmail(ownerEmail);
    checkOwner(owner, ownerEmail);

    const bar = new SingleBar({
      format: 'importing {bar} {percentage}% | {done}/{total_mb} MB | {rows} rows | ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
    });
    bar.start(size, 0, { done: mb(0), total_mb: mb(size), rows: 0 });
    let result;
    const started = performance.now();
    try {
      result = await importLeads(database.db, fs.createReadStream(file), {
        owner: { teamId: owner.teamId, sdrId: owner.id },
        clock: systemClock,
        onProgress: (bytesRead, rows) => {
          bar.update(bytesRead, { done: mb(bytesRead), rows });
        },
      });
    } finally {
      bar.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    if (!result.ok) throw new CliError(result.error.message);
    // maxRSS is in kilobytes: the most this process has held in memory so far, start and database included.
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    console.log(formatReport(result.value, path.basename(file), owner, { seconds, peakRssBytes }));
    return 0;
  } finally {
    await database?.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError || (err instanceof Error && err.name === 'ConfigError')) {
      console.error(err.message);
    } else {
      console.error('Import failed:', err);
    }
    process.exitCode = 1;
  },
);
