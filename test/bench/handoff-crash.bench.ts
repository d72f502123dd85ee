// Issue 5's crash test as part of `npm run bench`: runs test/crash/handoff-crash.ts (100 hand-offs, the server
// killed with SIGKILL at random moments and restarted) and passes its `bench:` lines through: lost escalations,
// mails sent twice and escalations not settled (the system never quiet within the bound), all expected 0. Arguments
// after `--` go to the script. Imports: node:* only.
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, '../crash/handoff-crash.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exitCode = run.status ?? 1;
