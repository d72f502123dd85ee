// Benchmark: Graph requests Baton makes per processed change notification, counted by the sandbox's request log.
// 40 hand-offs go through intro sent, the AE's reply, the invite and the AE's answer while the watch is paused (the
// receiver persists every notification); then the watch processes them all and we count what it asked Graph.
// Inner requests of a $batch count one each (as Outlook's throttling counts them); the $batch envelopes are printed too.
import { startWatchHarness } from '../server/engine/watch-harness';

const HANDOFFS = Number(process.env['BENCH_WATCH_HANDOFFS'] ?? 40);

async function main(): Promise<void> {
  const h = await startWatchHarness();
  try {
    await h.settle(); // subscriptions made, first delta rounds done
    const sdr = h.people['sdr_emea_1'];
    const ae = h.people['ae_emea_1'];
    if (sdr === undefined || ae === undefined) throw new Error('demo people missing');
    const processedBefore = (await h.queue.counts()).processed;
    const ids: string[] = [];
    for (let i = 0; i < HANDOFFS; i++) ids.push(await h.newHandoff('sdr_emea_1', 'ae_emea_1'));
    for (const id of ids) {
      await h.gateway.sendMail(sdr.entraOid, {
        to: [{ address: `p-${id.slice(0, 8)}@prospect.example` }],
        cc: [{ address: ae.email }],
        subject: `Introduction ${id.slice(0, 8)}`,
        html: '<p>Hello</p>',
        headers: { 'x-baton-handoff': id },
      });
    }
    const inbox = (await h.connection.call((c) => c.api(`/users/${ae.entraOid}/mailFolders/inbox/messages`).select('id,subject').top(999).get())) as { value: { id: string; subject: string }[] };
    for (const id of ids) {
      const intro = inbox.value.find((m) => m.subject === `Introduction ${id.slice(0, 8)}`);
      if (intro) await h.connection.call((c) => c.api(`/users/${ae.entraOid}/messages/${intro.id}/reply`).post({ comment: 'Looking forward.' }));
      const start = new Date(h.clock.now().getTime() + 2 * 86_400_000 + ids.indexOf(id) * 3_600_000);
      const event = await h.gateway.createEvent(sdr.entraOid, {
        subject: 'Intro call',
        html: '<p>Agenda</p>',
        start,
        end: new Date(start.getTime() + 1_800_000),
        timeZone: 'Europe/Berlin',
        attendees: [{ address: ae.email }],
        transactionId: id,
      });
      await h.tdb.db.updateTable('handoffs').set({ stage: 'invite_sent', meeting_event_id: event.id, meeting_ical_uid: event.iCalUId, meeting_start: event.start, meeting_end: event.end }).where('id', '=', id).execute();
    }
    const view = await h.gateway.calendarView(ae.entraOid, { start: h.clock.now(), end: new Date(h.clock.now().getTime() + 10 * 86_400_000) });
    for (const e of view) await h.connection.call((c) => c.api(`/users/${ae.entraOid}/events/${e.id}/accept`).post({ sendResponse: true }));
    await h.running.sandbox.subscriptions.idle();

    h.running.sandbox.requestLog.clear();
    const t0 = performance.now();
    await h.settle();
    const ms = performance.now() - t0;
    const processed = (await h.queue.counts()).processed - processedBefore;
    const counts = h.running.sandbox.requestLog.counts();
    const envelopes = counts.byEndpoint['POST /v1.0/$batch'] ?? 0;
    const requests = counts.total - envelopes;
    const signals = await h.tdb.db.selectFrom('handoff_events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    console.log(`bench: watch notifications processed = ${processed} count`);
    console.log(`bench: watch graph requests per notification = ${(requests / processed).toFixed(3)} requests`);
    console.log(`bench: watch batch round trips per notification = ${(envelopes / processed).toFixed(3)} requests`);
    console.log(`bench: watch hand-off signals recorded = ${signals.n} count`);
    console.log(`bench: watch processing time = ${(ms / processed).toFixed(2)} ms per notification`);
    console.log(`  by endpoint: ${JSON.stringify(counts.byEndpoint)}`);
  } finally {
    await h.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
