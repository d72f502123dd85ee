// Benchmark: Graph requests per pair per week for the weekly SDR↔AE sync and its agenda, counted by the sandbox's
// request log. The demo tenant's four pairs (two 1:1 in EMEA, a pool of two in the Americas) run for eight weeks on
// the sandbox's clock, the job and the outbox sender every simulated hour (the job calls Graph only when something is
// due, so a finer step asks Graph nothing more). Counted: booking each series (getSchedule, POST) and each week's
// agenda (instances, PATCH of the occurrence). The 401s the sandbox answers after its clock jumped past the app's
// token (the client signs in again and repeats) are printed apart. Imports: the watch harness, the engine, stores.
import { createOutboxSender } from '../../server/engine/outbox-sender';
import { createWeeklySyncJob, weeklySyncKind } from '../../server/engine/weekly-sync';
import { loadSettings } from '../../server/settings/load-settings';
import { createOutboxStore } from '../../server/store/outbox-store';
import { createPeopleStore } from '../../server/store/people-store';
import { silentLogger, startWatchHarness } from '../server/engine/watch-harness';

const weeks = Number(process.env['WEEKS'] ?? 8);
const hourMs = 3_600_000;

async function main(): Promise<void> {
  const start = new Date('2026-11-23T06:00:00Z');
  const h = await startWatchHarness({ start });
  try {
    const db = h.tdb.db;
    const people = createPeopleStore(db);
    const pairs: [string, string, boolean][] = [
      ['sdr_emea_1', 'ae_emea_1', true],
      ['sdr_emea_2', 'ae_emea_2', true],
      ['sdr_am_1', 'ae_am_1', true],
      ['sdr_am_1', 'ae_am_2', false],
    ];
    for (const [s, a, primary] of pairs) {
      const sdr = h.people[s];
      const ae = h.people[a];
      if (!sdr || !ae) throw new Error(`demo people ${s}, ${a}`);
      // The Americas team pools its AEs: the second pairing is added, not swapped in.
      await people.pair({ sdrId: sdr.id, aeId: ae.id, isPrimary: primary }, sdr.teamId === 'emea');
    }
    const settings = loadSettings({ qualificationFile: 'server/settings/qualification.json', handBackReasonsFile: 'server/settings/hand-back-reasons.json' });
    const outbox = createOutboxStore(db);
    const now = () => h.clock.now();
    const job = createWeeklySyncJob({ db, gateway: h.gateway, people, outbox, policies: settings.weeklySync, handBackReasons: settings.handBackReasons, now, logger: silentLogger });
    const sender = createOutboxSender({ db, store: outbox, gateway: h.gateway, now, logger: silentLogger, workerId: 'bench', handlers: { [weeklySyncKind]: job.handler } });
    h.running.sandbox.requestLog.clear();
    const began = performance.now();
    for (let hour = 0; hour < weeks * 168; hour++) {
      const at = start.getTime() + hour * hourMs;
      if (at > h.clock.now().getTime()) h.clock.set(new Date(at));
      for (let i = 0; i < 5; i++) {
        const did = (await job.run()) + (await sender.runOnce()).claimed;
        if (did === 0) break;
      }
    }
    const elapsedMs = performance.now() - began;
    const entries = h.running.sandbox.requestLog.entries().filter((e) => e.url.startsWith('/v1.0/'));
    const counted = entries.filter((e) => e.status !== 401);
    const byEndpoint: Record<string, number> = {};
    for (const e of counted) byEndpoint[`${e.method} ${e.route ?? ''}`] = (byEndpoint[`${e.method} ${e.route ?? ''}`] ?? 0) + 1;
    const agendas = (await db.selectFrom('outbox').select('idempotency_key').where('idempotency_key', 'like', 'weekly-sync:agenda:%').where('status', '=', 'done').execute()).length;
    const series = (await db.selectFrom('weekly_syncs').select('pair_key').where('status', '=', 'booked').execute()).length;
    console.log(`# ${String(pairs.length)} pairs, ${String(weeks)} weeks: ${String(series)} series booked, ${String(agendas)} agendas written; requests by endpoint ${JSON.stringify(byEndpoint)}`);
    console.log(`bench: weekly_sync_graph_requests_per_pair_week = ${(counted.length / pairs.length / weeks).toFixed(2)} requests`);
    console.log(`bench: weekly_sync_graph_requests_steady_week_per_pair = ${((byEndpoint['GET /v1.0/users/:user/events/:eventId/instances'] ?? 0) + (byEndpoint['PATCH /v1.0/users/:user/events/:eventId'] ?? 0)) / Math.max(1, agendas)} requests`);
    console.log(`bench: weekly_sync_token_refresh_401s = ${String(entries.length - counted.length)} requests`);
    console.log(`bench: weekly_sync_simulated_week_ms = ${(elapsedMs / weeks).toFixed(0)} ms`);
  } finally {
    await h.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
