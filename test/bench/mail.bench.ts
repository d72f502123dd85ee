// Bench: what the hand-off emails cost. Prints the time to load the mail module, the first render (which loads MJML,
// once per process), the median and p95 of 200 renders of the intro email, and the median of one render of every other
// template. Run alone (`tsx`) by test/bench/run.ts. Imports: the mail module, the mail test fixtures, node:*.
import { performance } from 'node:perf_hooks';

const runs = 200;
type MailModule = typeof import('../../server/mail/handoff-mails');
type Fixtures = typeof import('../server/mail/mail-fixtures');

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

async function timed(render: () => Promise<unknown>, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await render();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const loadStart = performance.now();
  // Required here, not imported at the top, so that the load can be timed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mails = require('../../server/mail/handoff-mails') as MailModule;
  const loadMs = performance.now() - loadStart;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { lead, ae, sdr, slots, normal, variants } = require('../server/mail/mail-fixtures') as Fixtures;

  const intro = () => mails.renderIntroEmail({ lead, ae, sdr, discussed: normal.text, proposedSlots: slots, timeZone: 'Europe/Berlin' });
  const first = performance.now();
  await intro();
  const firstMs = performance.now() - first;
  const introTimes = await timed(intro, runs);

  let all = 0;
  for (const variant of variants(normal)) all += percentile(await timed(variant.render, 20), 50);

  console.log(`bench: mail module load = ${loadMs.toFixed(0)} ms`);
  console.log(`bench: mail first render (loads MJML) = ${firstMs.toFixed(1)} ms`);
  console.log(`bench: mail render = ${percentile(introTimes, 50).toFixed(2)} ms`);
  console.log(`bench: mail render p95 = ${percentile(introTimes, 95).toFixed(2)} ms`);
  console.log(`bench: mail render, all ${variants(normal).length} templates and variants (sum of medians) = ${all.toFixed(1)} ms`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
