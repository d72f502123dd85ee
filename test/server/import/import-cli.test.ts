// `npm run import` as a child process on a small file, against an embedded database in a temporary DATA_DIR:
// the report on stdout (with the import's time and peak memory) and exit 0, then the fatal errors (not an SDR, no
// such file) with exit 1. One test: each run of the CLI starts PGlite.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { migrateToLatest, openDatabase } from '../../../server/store/database';
import { createPeopleStore } from '../../../server/store/people-store';
import { migratedDumpPath } from '../helpers/dump-path';

const root = path.join(__dirname, '..', '..', '..');
const fixture = path.join(root, 'test', 'fixtures', 'csv', 'cli-small.csv');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(dataDir: string, args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  delete env['DATABASE_URL'];
  delete env['NODE_OPTIONS'];
  return new Promise((resolve) => {
    execFile(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'server', 'cli', 'import.ts'), ...args], { cwd: root, env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-import-cli-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test('imports a file for an SDR and prints the report; fatal errors exit 1 with their message', async () => {
  const dataDir = path.join(dir, 'data');
  const dump = migratedDumpPath();
  const opened = await openDatabase({ dataDir, loadDataDir: fs.existsSync(dump) ? new Blob([fs.readFileSync(dump)]) : undefined });
  await migrateToLatest(opened.db);
  const people = createPeopleStore(opened.db);
  await people.upsertTeam({ id: 'north', name: 'North', timeZone: 'Europe/Berlin', pairingMode: 'one_to_one' });
  const person = (email: string, displayName: string, role: 'sdr' | 'ae') =>
    people.createUser({ entraOid: `oid-${email}`, tenantId: null, email, displayName, role, teamId: 'north', managerId: null, backupId: null, timeZone: 'Europe/Berlin' }, new Date());
  await person('sara@baton.example', 'Sara SDR', 'sdr');
  await person('alex@baton.example', 'Alex AE', 'ae');
  await opened.close();

  const ok = await runCli(dataDir, [fixture, '--owner', 'Sara@Baton.example']);
  expect(ok.code).toBe(0);
  expect(ok.stdout).toContain('Imported cli-small.csv for Sara SDR (sara@baton.example)');
  expect(ok.stdout).toMatch(/rows read\s+3\n\s+created\s+2\n\s+skipped\s+0\n\s+flagged\s+0\n\s+rejected\s+1/);
  expect(ok.stdout).toContain('ignored columns: Shoe size');
  // What the import cost: its time and rate, and the process's peak memory in megabytes (Node with PGlite holds far
  // more than 50 MB; a figure in kilobytes or bytes would be far larger than 4,000).
  const cost = /^ {2}took +\d+\.\d s \((\d+) rows\/s\), peak memory (\d+) MB$/m.exec(ok.stdout);
  expect(cost).not.toBeNull();
  expect(Number(cost?.[1])).toBeGreaterThan(0);
  expect(Number(cost?.[2])).toBeGreaterThan(50);
  expect(Number(cost?.[2])).toBeLessThan(4000);
  expect(ok.stdout).toContain('line 4: Email — "broken-address" is not a valid email address.');

  const [notSdr, noFile] = await Promise.all([
    runCli(dataDir, [fixture, '--owner', 'alex@baton.example']),
    runCli(dataDir, [path.join(dir, 'nope.csv'), '--owner', 'sara@baton.example']),
  ]);
  expect(notSdr).toMatchObject({ code: 1, stdout: '' });
  expect(notSdr.stderr).toContain('Alex AE (alex@baton.example) is an AE, not an SDR');
  expect(noFile).toMatchObject({ code: 1, stdout: '' });
  expect(noFile.stderr).toContain(`File not found: ${path.join(dir, 'nope.csv')}`);
}, 120_000);
