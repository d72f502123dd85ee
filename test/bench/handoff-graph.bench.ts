// Benchmark: Graph requests for one complete hand-off, intro to outcome, counted by the sandbox's request log. The
// whole system runs in process (the watch harness with the engine on); the log is read after each step, so what Baton
// asked Graph (start: away check and slot proposals; the watch seeing the intro and booking the invite; the AE's
// answers met; the outcome) is told apart from what the test did as the users (the SDR's send of the intro, the AE
// opening the intro and the meeting, replying and accepting). Inner requests of a $batch count one each; the $batch
// envelopes are printed beside. The figure is compared with watching the same two mailboxes by polling once a minute
// through an 8-hour SLA. Imports: the watch harness, the server's engine and stores.
import { createHandoffService } from '../../server/engine/handoff-service';
import { loadSettings } from '../../server/settings/load-settings';
import { createFollowupStore } from '../../server/store/followup-store';
import { createRatingStore } from '../../server/store/rating-store';
import { createHandoffStore } from '../../server/store/handoff-store';
import { createLeadStore } from '../../server/store/lead-store';
import { createPeopleStore } from '../../server/store/people-store';
import { scopesOf } from '../../server/engine/subscription-manager';
import { startWatchHarness, type WatchHarness } from '../server/engine/watch-harness';

interface Tally {
  requests: number;
  envelopes: number;
  byEndpoint: Record<string, number>;
}

/** Reads and clears the sandbox's request log: Graph requests (inner $batch requests one each) and envelopes. */
function take(h: WatchHarness): Tally {
  const counts = h.running.sandbox.requestLog.counts();
  h.running.sandbox.requestLog.clear();
  const envelopes = counts.byEndpoint['POST /v1.0/$batch'] ?? 0;
  const byEndpoint = { ...counts.byEndpoint };
  delete byEndpoint['POST /v1.0/$batch'];
  return { requests: counts.total - envelopes, envelopes, byEndpoint };
}

function sum(tallies: Tally[]): Tally {
  const out: Tally = { requests: 0, envelopes: 0, byEndpoint: {} };
  for (const t of tallies) {
    out.requests += t.requests;
    out.envelopes += t.envelopes;
    for (const [k, v] of Object.entries(t.byEndpoint)) out.byEndpoint[k] = (out.byEndpoint[k] ?? 0) + v;
  }
  return out;
}

async function main(): Promise<void> {
  const h = await startWatchHarness({ engine: true });
  try {
    await h.settle(); // subscriptions made, first delta rounds done
    const sdr = h.people['sdr_emea_1'];
    const ae = h.people['ae_emea_1'];
    if (sdr === undefined || ae === undefined || h.runtime.engine === null) throw new Error('demo people or engine missing');
    const db = h.tdb.db;
    const settings = loadSettings({ qualificationFile: 'server/settings/qualification.json', handBackReasonsFile: 'server/settings/hand-back-reasons.json' });
    const service = createHandoffService({
      clock: h.clock,
      handoffs: createHandoffStore(db),
      followups: createFollowupStore(db),
      leads: createLeadStore(db),
      people: createPeopleStore(db),
      criteria: { required: [], rules: [] },
      handBackReasons: settings.handBackReasons,
      ratings: createRatingStore(db),
      mailbox: h.gateway,
      obligations: h.runtime.engine.obligations,
    });
    await createPeopleStore(db).pair({ sdrId: sdr.id, aeId: ae.id, isPrimary: true }, true);
    const lead = await db
      .insertInto('leads')
      .values({ team_id: 'emea', owner_id: sdr.id, sdr_id: sdr.id, status: 'qualified', contact_name: 'Lena Bench', email: 'lena.bench@prospect.example', company_name: 'Benchmark GmbH', updated_at: h.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    take(h);

    // Baton: the hand-off started from the task pane (the AE's automatic replies, free/busy for the slots).
    const started = await service.start({ userId: sdr.id, role: 'sdr', teamId: sdr.teamId }, { leadId: lead.id, aeId: ae.id });
    const slot = started.slots[0];
    if (slot !== undefined) await db.updateTable('handoffs').set({ slot_start: slot.start, slot_end: slot.end }).where('id', '=', started.handoff.id).execute();
    const batonStart = take(h);

    // The SDR sends the intro Baton composed (the add-in sets the header on the SDR's message; the send is the user's).
    await h.gateway.sendMail(sdr.entraOid, {
      to: started.intro.to,
      cc: started.intro.cc,
      subject: started.intro.subject,
      html: started.intro.html,
      headers: { [started.intro.header.name]: started.intro.header.value },
    });
    const userIntro = take(h);

    // Baton: the watch sees the intro in Sent Items, books the invite, opens the obligations.
    await h.settle();
    const batonIntro = take(h);
    const booked = await db.selectFrom('handoffs').selectAll().where('id', '=', started.handoff.id).executeTakeFirstOrThrow();
    if (booked.stage !== 'invite_sent') throw new Error(`the invite was not booked (stage ${booked.stage})`);

    // The AE, in Outlook: opens the intro and replies, opens the meeting and accepts.
    const inbox = (await h.connection.call((c) => c.api(`/users/${ae.entraOid}/mailFolders/inbox/messages`).select('id,subject').top(50).get())) as { value: { id: string; subject: string }[] };
    const intro = inbox.value.find((m) => m.subject === started.intro.subject);
    if (intro === undefined) throw new Error('intro not in the AE’s inbox');
    await h.connection.call((c) => c.api(`/users/${ae.entraOid}/messages/${intro.id}/reply`).post({ comment: 'Looking forward to it.' }));
    const copy = (await h.gateway.calendarView(ae.entraOid, { start: h.clock.now(), end: new Date(h.clock.now().getTime() + 21 * 86_400_000) })).find((e) => e.iCalUId === booked.meeting_ical_uid);
    if (copy === undefined) throw new Error('no meeting on the AE’s calendar');
    await h.connection.call((c) => c.api(`/users/${ae.entraOid}/events/${copy.id}/accept`).post({ sendResponse: true }));
    const userAe = take(h);

    // Baton: the reply and the acceptance seen, both obligations met.
    await h.settle();
    const batonAnswers = take(h);
    const met = await db.selectFrom('obligations').select(['kind', 'status']).where('handoff_id', '=', started.handoff.id).execute();
    if (met.length !== 2 || met.some((o) => o.status !== 'met')) throw new Error(`obligations not met: ${JSON.stringify(met)}`);

    // The outcome, recorded by the AE through the hand-off API: Sales Qualified.
    const current = await service.view({ userId: ae.id, role: 'ae', teamId: ae.teamId }, started.handoff.id);
    await service.recordOutcome({ userId: ae.id, role: 'ae', teamId: ae.teamId }, started.handoff.id, { outcome: 'sales_qualified', version: current.handoff.version, rating: { score: 4 } });
    await h.settle();
    const batonOutcome = take(h);
    const closed = await db.selectFrom('handoffs').innerJoin('leads', 'leads.id', 'handoffs.lead_id').select(['handoffs.stage', 'leads.status']).where('handoffs.id', '=', started.handoff.id).executeTakeFirstOrThrow();

    const baton = sum([batonIntro, batonAnswers, batonOutcome]);
    const users = sum([userIntro, userAe]);
    const pollScopes = [...scopesOf('sdr'), ...scopesOf('ae')].length;
    const polling = 8 * 60 * pollScopes;
    console.log(`bench: handoff graph requests by baton = ${baton.requests} requests`);
    console.log(`bench: handoff graph requests by baton with the intro send = ${baton.requests + userIntro.requests} requests`);
    console.log(`bench: handoff graph requests by baton with the start = ${baton.requests + batonStart.requests} requests`);
    console.log(`bench: handoff graph batch envelopes by baton = ${baton.envelopes} requests`);
    console.log(`bench: handoff graph requests by the users = ${users.requests} requests`);
    console.log(`bench: handoff graph requests polling once a minute for 8 h = ${polling} requests`);
    console.log(`  steps (requests, $batch envelopes): start ${batonStart.requests} (${batonStart.envelopes}), intro send [user] ${userIntro.requests}, intro seen + invite ${batonIntro.requests} (${batonIntro.envelopes}), AE reply + accept [user] ${userAe.requests}, answers seen ${batonAnswers.requests} (${batonAnswers.envelopes}), outcome ${batonOutcome.requests} (${batonOutcome.envelopes}); hand-off ${closed.stage}, lead ${closed.status}`);
    console.log(`  polling: 8 h × 60 polls × ${pollScopes} (SDR: ${scopesOf('sdr').join(', ')}; AE: ${scopesOf('ae').join(', ')})`);
    console.log(`  baton by endpoint: start ${JSON.stringify(batonStart.byEndpoint)}; intro to outcome ${JSON.stringify(baton.byEndpoint)}`);
    console.log(`  users by endpoint: ${JSON.stringify(users.byEndpoint)}`);
  } finally {
    await h.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
