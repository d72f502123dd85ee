// `npm run bench`: runs every test/bench/*.bench.ts in a process of its own (with tsx), one after the other, so
// each bench's peak memory is its own; their `bench: <name> = <value> <unit>` lines pass straight through.
// Arguments after `--` go to every bench. Exits 1 if any bench fails. Imports: node:* only.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

function main(): number {
  const tsxCli = require.resolve('tsx/cli');
  const benches = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  if (benches.length === 0) {
    console.error(`no *.bench.ts files in ${__dirname}`);
    return 1;
  }
  const failed: string[] = [];
  for (const bench of benches) {
    console.log(`# ${bench}`);
    const run = spawnSync(process.execPath, [tsxCli, path.join(__dirname, bench), ...process.argv.slice(2)], { stdio: 'inherit' });
    if (run.status !== 0) failed.push(`${bench} (${run.status === null ? `signal ${run.signal ?? '?'}` : `exit ${run.status}`})`);
  }
  if (failed.length > 0) {
    console.error(`failed: ${failed.join(', ')}`);
    return 1;
  }
  return 0;
}

process.exitCode = main();
