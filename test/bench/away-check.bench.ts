// Benchmark: Graph requests the away check makes to follow the AEs' automatic replies (mailbox settings have no change
// notifications), counted by the sandbox's request log. Two AEs with two open hand-offs each (four SLA obligations per
// AE), one of them away; the clock moves two hours in 5-minute steps and the watch runs after each step. Goal: one read
// per AE per AWAY_CHECK_MINUTES (15: 4 per hour) however many obligations the AE has. Imports: the watch harness.
import { startWatchHarness } from '../server/engine/watch-harness';

const minute = 60_000;

async function main(): Promise<void> {
  const h = await startWatchHarness({ engine: true });
  try {
    const aes = ['ae_emea_1', 'ae_emea_2'] as const;
    const sdr = h.people['sdr_emea_1'];
    if (sdr === undefined) throw new Error('demo people missing');
    for (const aeKey of aes) {
      const ae = h.people[aeKey];
      if (ae === undefined) throw new Error(aeKey);
      for (let i = 0; i < 2; i++) {
        const id = await h.newHandoff('sdr_emea_1', aeKey);
        await h.gateway.sendMail(sdr.entraOid, {
          to: [{ address: `bench-${aeKey}-${i}@prospect.example` }],
          cc: [{ address: ae.email }],
          subject: `Introduction ${id.slice(0, 8)}`,
          html: '<p>Meet the AE.</p>',
          headers: { 'x-baton-handoff': id },
        });
      }
    }
    await h.settle();
    const obligations = await h.tdb.db.selectFrom('obligations').select('id').where('status', '=', 'open').execute();
    h.running.sandbox.requestLog.clear();
    const hours = 2;
    for (let i = 0; i < (hours * 60) / 5; i++) {
      h.clock.advance(5 * minute);
      await h.settle();
    }
    const oids = new Set(aes.map((k) => h.people[k]?.entraOid ?? ''));
    const reads = h.running.sandbox.requestLog
      .entries()
      .filter((e) => e.method === 'GET' && /\/mailboxsettings/i.test(e.url) && [...oids].some((oid) => e.url.includes(oid)));
    const perAeHour = reads.length / aes.length / hours;
    const spans = await h.tdb.db.selectFrom('away_spans').select('user_id').execute();
    console.log(`bench: away_check_graph_requests_per_ae_hour = ${perAeHour.toFixed(2)} requests`);
    console.log(`bench: away_check_graph_requests_per_obligation_hour = ${(reads.length / obligations.length / hours).toFixed(2)} requests`);
    console.log(`  ${reads.length} mailboxSettings reads for ${aes.length} AEs with ${obligations.length} open obligations over ${hours} clock hours (AWAY_CHECK_MINUTES = 15); away spans kept: ${spans.length}`);
  } finally {
    await h.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
