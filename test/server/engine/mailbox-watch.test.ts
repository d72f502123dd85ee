// The mailbox watch end to end against the sandbox: subscriptions for every SDR and AE, Graph's notifications
// through Baton's receiver and worker to hand-off events (intro sent, AE replied, invite answered, meeting moved,
// conflict), and the faults Graph can throw at it (dropped notifications + missed, removed subscriptions, expired
// delta tokens, throttling, a worker dying mid-batch, two instances on one database).
import type { CalendarEvent } from '../../../server/domain/mailbox';
import { startWatchHarness, type WatchHarness } from './watch-harness';

let h: WatchHarness;
beforeAll(async () => {
  h = await startWatchHarness();
}, 60_000);
afterAll(() => h.close());
beforeEach(async () => {
  h.running.sandbox.faults.reset();
  await h.settle();
});

const oid = (key: string): string => {
  const p = h.people[key];
  if (p === undefined) throw new Error(key);
  return p.entraOid;
};
const email = (key: string): string => h.people[key]?.email ?? '';

async function eventsOf(handoffId: string): Promise<{ kind: string; dedupe_key: string }[]> {
  return h.tdb.db.selectFrom('handoff_events').select(['kind', 'dedupe_key']).where('handoff_id', '=', handoffId).orderBy('id').execute();
}

async function sendIntro(handoffId: string, sdr = 'sdr_emea_1', ae = 'ae_emea_1'): Promise<void> {
  await h.gateway.sendMail(oid(sdr), {
    to: [{ address: `prospect-${handoffId.slice(0, 8)}@prospect.example`, name: 'Prospect' }],
    cc: [{ address: email(ae) }],
    subject: `Introduction ${handoffId.slice(0, 8)}`,
    html: '<p>Meet your account executive.</p>',
    headers: { 'x-baton-handoff': handoffId },
  });
}

async function aeReplies(handoffId: string, ae = 'ae_emea_1'): Promise<void> {
  const inbox = (await h.connection.call((c) => c.api(`/users/${oid(ae)}/mailFolders/inbox/messages`).select('id,subject').top(100).get())) as { value: { id: string; subject: string }[] };
  const intro = inbox.value.find((m) => m.subject === `Introduction ${handoffId.slice(0, 8)}`);
  if (intro === undefined) throw new Error('intro not in the AE inbox');
  await h.connection.call((c) => c.api(`/users/${oid(ae)}/messages/${intro.id}/reply`).post({ comment: 'Happy to meet, talk soon.' }));
}

/** Creates the meeting on the SDR's calendar as the engine will, and records it on the hand-off. */
async function bookMeeting(handoffId: string, start: Date, sdr = 'sdr_emea_1', ae = 'ae_emea_1'): Promise<CalendarEvent> {
  const event = await h.gateway.createEvent(oid(sdr), {
    subject: 'Intro call',
    html: '<p>Agenda</p>',
    start,
    end: new Date(start.getTime() + 30 * 60_000),
    timeZone: 'Europe/Berlin',
    attendees: [{ address: email(ae) }, { address: 'prospect@prospect.example' }],
    onlineMeeting: true,
    transactionId: handoffId,
  });
  await h.tdb.db
    .updateTable('handoffs')
    .set({ stage: 'invite_sent', meeting_event_id: event.id, meeting_ical_uid: event.iCalUId, meeting_start: event.start, meeting_end: event.end })
    .where('id', '=', handoffId)
    .execute();
  return event;
}

async function aeCopy(ae: string, iCalUId: string | null): Promise<CalendarEvent> {
  const view = await h.gateway.calendarView(oid(ae), { start: h.clock.now(), end: new Date(h.clock.now().getTime() + 30 * 86_400_000) });
  const copy = view.find((e) => e.iCalUId === iCalUId);
  if (copy === undefined) throw new Error('no AE copy');
  return copy;
}

describe('subscriptions', () => {
  it('watches every active SDR (events, sent items, inbox) and AE (events, sent items), each with its own clientState and a lifecycle URL', async () => {
    const mine = await h.tdb.db.selectFrom('graph_subscriptions').selectAll().where('status', '=', 'active').execute();
    expect(mine).toHaveLength(3 * 3 + 4 * 2);
    expect(new Set(mine.map((s) => s.client_state)).size).toBe(mine.length);
    const graphSide = h.running.sandbox.subscriptions.all();
    for (const s of mine) {
      const g = graphSide.find((x) => x.id === s.id);
      expect(g).toMatchObject({ notificationUrl: `${h.publicUrl}/graph/notifications`, lifecycleNotificationUrl: `${h.publicUrl}/graph/lifecycle`, clientState: s.client_state });
      expect(g?.expirationDateTime.getTime()).toBe(s.expires_at.getTime());
    }
    expect(mine.filter((s) => s.user_id === h.people['ae_emea_1']?.id).map((s) => s.scope).sort()).toEqual(['events', 'sentitems']);
  });

  it('renews subscriptions before they expire, from the persisted expiry', async () => {
    const before = await h.tdb.db.selectFrom('graph_subscriptions').select(['id', 'expires_at']).where('status', '=', 'active').execute();
    h.clock.advance(3 * 86_400_000 - 3600_000); // 71 h of the 72 h lifetime
    await h.settle();
    const after = await h.tdb.db.selectFrom('graph_subscriptions').select(['id', 'expires_at', 'renewed_at']).where('status', '=', 'active').execute();
    expect(after.map((s) => s.id).sort()).toEqual(before.map((s) => s.id).sort());
    for (const s of after) expect(s.expires_at.getTime()).toBeGreaterThan(h.clock.now().getTime() + 2 * 86_400_000);
    for (const s of after) expect(h.running.sandbox.subscriptions.all().find((g) => g.id === s.id)?.expirationDateTime.getTime()).toBe(s.expires_at.getTime());
  });

  it('stops watching someone who leaves: their subscriptions are deleted in Graph and in the database', async () => {
    const liam = h.people['sdr_emea_2'];
    if (liam === undefined) throw new Error('liam');
    await h.tdb.db.updateTable('users').set({ active: false }).where('id', '=', liam.id).execute();
    await h.settle();
    const left = await h.tdb.db.selectFrom('graph_subscriptions').select(['id', 'status']).where('user_id', '=', liam.id).execute();
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((s) => s.status === 'removed')).toBe(true);
    for (const s of left) expect(h.running.sandbox.subscriptions.all().some((g) => g.id === s.id)).toBe(false);
    await h.tdb.db.updateTable('users').set({ active: true }).where('id', '=', liam.id).execute();
    await h.settle();
    expect(await h.tdb.db.selectFrom('graph_subscriptions').select('id').where('user_id', '=', liam.id).where('status', '=', 'active').execute()).toHaveLength(3);
  });
});

describe('from notifications to hand-off events', () => {
  it('sees the intro sent, the AE reply, the accepted invite, a move and a conflicting event, each once', async () => {
    const id = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    await sendIntro(id);
    await h.settle();
    const row = await h.tdb.db.selectFrom('handoffs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.intro_internet_message_id).toMatch(/^<.+>$/);
    expect(row.intro_sent_at).not.toBeNull();
    expect((await eventsOf(id)).map((e) => e.kind)).toEqual(['intro_sent']);

    await aeReplies(id);
    await h.settle();
    expect((await eventsOf(id)).map((e) => e.kind)).toEqual(['intro_sent', 'ae_replied']);

    const start = new Date('2026-11-26T10:00:00Z');
    const meeting = await bookMeeting(id, start);
    await h.settle();
    const copy = await aeCopy('ae_emea_1', meeting.iCalUId);
    await h.connection.call((c) => c.api(`/users/${oid('ae_emea_1')}/events/${copy.id}/accept`).post({ sendResponse: true, comment: 'See you there' }));
    await h.settle();
    const kinds = (await eventsOf(id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'invite_answered').length).toBeGreaterThanOrEqual(1);
    expect(kinds).toContain('ae_copy_seen');

    await h.gateway.updateEvent(oid('sdr_emea_1'), meeting.id, { start: new Date('2026-11-26T13:00:00Z'), end: new Date('2026-11-26T13:30:00Z'), timeZone: 'Europe/Berlin' });
    await h.settle();
    expect((await eventsOf(id)).filter((e) => e.kind === 'meeting_moved')).toHaveLength(1);
    const moved = await h.tdb.db.selectFrom('handoffs').select(['meeting_start']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(moved.meeting_start?.toISOString()).toBe('2026-11-26T13:00:00.000Z');

    await h.gateway.createEvent(oid('ae_emea_1'), {
      subject: 'Dentist',
      html: '',
      start: new Date('2026-11-26T13:15:00Z'),
      end: new Date('2026-11-26T14:00:00Z'),
      timeZone: 'Europe/Berlin',
      attendees: [],
      showAs: 'busy',
      transactionId: 'dentist-1',
    });
    await h.settle();
    const all = await eventsOf(id);
    expect(all.filter((e) => e.kind === 'conflict_added')).toHaveLength(1);
    // Every fact once: replaying everything through delta adds nothing.
    await h.tdb.db.updateTable('delta_cursors').set({ delta_link: null, next_sync_at: h.clock.now() }).execute();
    await h.settle();
    expect(await eventsOf(id)).toEqual(all);
  });

  it('counts an AE who accepts without sending a response (only the AE copy changes)', async () => {
    const id = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    await sendIntro(id);
    const meeting = await bookMeeting(id, new Date('2026-11-27T09:00:00Z'));
    await h.settle();
    const copy = await aeCopy('ae_emea_1', meeting.iCalUId);
    await h.connection.call((c) => c.api(`/users/${oid('ae_emea_1')}/events/${copy.id}/tentativelyAccept`).post({ sendResponse: false }));
    await h.settle();
    const answered = await h.tdb.db.selectFrom('handoff_events').select(['payload']).where('handoff_id', '=', id).where('kind', '=', 'invite_answered').execute();
    expect(answered.map((a) => a.payload)).toEqual([expect.objectContaining({ response: 'tentativelyAccepted', seenOn: 'attendee_copy' })]);
  });

  it('reads each changed item once, in $batch requests, however many notifications name it', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, () => h.newHandoff('sdr_emea_1', 'ae_emea_1')));
    h.running.sandbox.faults.configure({ notifications: { duplicateShare: 0.5 } });
    const processedBefore = (await h.queue.counts()).processed;
    for (const id of ids) await sendIntro(id);
    await h.running.sandbox.subscriptions.idle();
    h.running.sandbox.requestLog.clear();
    await h.settle();
    const processed = (await h.queue.counts()).processed - processedBefore;
    const byEndpoint = h.running.sandbox.requestLog.counts().byEndpoint;
    for (const id of ids) expect((await eventsOf(id)).map((e) => e.kind)).toEqual(['intro_sent']);
    expect(h.running.sandbox.faults.stats().duplicatedNotifications).toBeGreaterThan(0);
    expect(processed).toBe(12 + h.running.sandbox.faults.stats().duplicatedNotifications);
    // The sandbox logs the inner requests of a $batch one by one, as Graph's throttling counts them.
    expect(byEndpoint).toEqual({ 'POST /v1.0/$batch': 1, 'GET /v1.0/users/:user/messages/:id': 12 });
  });
});

describe('faults', () => {
  it('converges through delta when 30% of notifications are dropped and Graph says some were missed', async () => {
    h.running.sandbox.faults.configure({ notifications: { dropShare: 0.3 } });
    const ids = await Promise.all(Array.from({ length: 20 }, () => h.newHandoff('sdr_emea_1', 'ae_emea_1')));
    for (const id of ids) await sendIntro(id);
    await h.settle();
    expect(h.running.sandbox.faults.stats().droppedNotifications).toBeGreaterThan(0);
    const sent = await h.tdb.db.selectFrom('graph_subscriptions').select('id').where('user_id', '=', h.people['sdr_emea_1']?.id ?? '').where('scope', '=', 'sentitems').where('status', '=', 'active').executeTakeFirstOrThrow();
    await h.running.sandbox.faults.trigger({ kind: 'missed', subscriptionId: sent.id });
    await h.settle();
    for (const id of ids) expect((await eventsOf(id)).map((e) => e.kind)).toEqual(['intro_sent']);
  });

  it('learns at start, through delta, of an intro sent while no process listened (its notification comes hours late)', async () => {
    const id = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    // The server is down: Graph's POST of the notification fails, and its retries come minutes to hours apart. Within
    // this test none arrives, as if every one had failed.
    h.running.sandbox.faults.configure({ notifications: { dropShare: 1 } });
    await sendIntro(id);
    await h.settle();
    expect(await eventsOf(id)).toEqual([]);
    h.running.sandbox.faults.reset();
    // The next process starts: as main.ts does once it listens. Nothing else is due (delta's timer is 30 minutes).
    expect(await h.runtime.catchUpAfterStart()).toBeGreaterThan(0);
    await h.settle();
    expect((await eventsOf(id)).map((e) => e.kind)).toEqual(['intro_sent']);
    const cursors = await h.tdb.db.selectFrom('delta_cursors').select(['next_sync_at', 'claimed_until']).execute();
    expect(cursors.every((c) => c.claimed_until === null && c.next_sync_at.getTime() > h.clock.now().getTime())).toBe(true);
  });

  it('recreates a subscription Graph removed, and catches up on what happened meanwhile', async () => {
    const sofia = h.people['sdr_emea_1']?.id ?? '';
    const old = await h.tdb.db.selectFrom('graph_subscriptions').select('id').where('user_id', '=', sofia).where('scope', '=', 'sentitems').where('status', '=', 'active').executeTakeFirstOrThrow();
    await h.running.sandbox.faults.trigger({ kind: 'removeSubscription', subscriptionId: old.id });
    const id = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    await sendIntro(id); // sent while no subscription watched the folder
    await h.settle();
    const now = await h.tdb.db.selectFrom('graph_subscriptions').select(['id', 'status']).where('user_id', '=', sofia).where('scope', '=', 'sentitems').execute();
    expect(now.find((s) => s.id === old.id)?.status).toBe('removed');
    expect(now.filter((s) => s.status === 'active')).toHaveLength(1);
    expect((await eventsOf(id)).map((e) => e.kind)).toEqual(['intro_sent']);
  });

  it('starts over when Graph forgets the delta tokens (410), recording nothing twice', async () => {
    const id = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    await sendIntro(id);
    await h.settle();
    await h.running.sandbox.faults.trigger({ kind: 'expireDeltaTokens' });
    h.running.sandbox.faults.configure({ notifications: { dropShare: 1 } });
    await aeReplies(id);
    await h.tdb.db.updateTable('delta_cursors').set({ next_sync_at: h.clock.now() }).execute();
    await h.settle();
    expect((await eventsOf(id)).map((e) => e.kind)).toEqual(['intro_sent', 'ae_replied']);
    const cursors = await h.tdb.db.selectFrom('delta_cursors').select(['delta_link', 'last_error']).execute();
    expect(cursors.every((c) => c.delta_link !== null && c.last_error === null)).toBe(true);
  });

  it('delays work under a 429 storm and 503s, and loses none of it', async () => {
    const ids = await Promise.all(Array.from({ length: 5 }, () => h.newHandoff('sdr_emea_1', 'ae_emea_1')));
    h.running.sandbox.faults.configure({ throttle: { share: 0.5, retryAfterSeconds: 1 }, serverErrors: { share: 0.2, status: 503 } });
    for (const id of ids) {
      for (;;) {
        try {
          await sendIntro(id);
          break;
        } catch {
          // The test's own sendMail met an injected fault; Baton's outbox decides that in production.
        }
      }
    }
    await h.settle();
    h.running.sandbox.faults.configure({ throttle: null, serverErrors: null });
    // Items set aside for later come back once their time has come.
    h.clock.advance(15 * 60_000);
    await h.settle();
    for (const id of ids) expect((await eventsOf(id)).map((e) => e.kind)).toEqual(['intro_sent']);
    expect(h.running.sandbox.faults.stats().injectedThrottles).toBeGreaterThan(0);
  });

  it('gives the items of a worker that died mid-batch to another, and processes each once', async () => {
    const id = await h.newHandoff('sdr_emea_1', 'ae_emea_1');
    await h.running.sandbox.subscriptions.idle();
    await sendIntro(id);
    await h.running.sandbox.subscriptions.idle();
    // A worker claims everything and dies before finishing.
    const claimed = await h.queue.claim({ workerId: 'doomed', now: h.clock.now(), leaseMs: 60_000, limit: 1000 });
    expect(claimed.length).toBeGreaterThan(0);
    const early = await h.runtime.worker.runOnce();
    expect(early.claimed).toBe(0);
    h.clock.advance(61_000);
    await h.settle();
    const done = await h.tdb.db.selectFrom('notification_queue').select(['claimed_by', 'processed_at']).where('id', 'in', claimed.map((c) => c.id)).execute();
    expect(done.every((d) => d.processed_at !== null && d.claimed_by === 'instance-1')).toBe(true);
    expect((await eventsOf(id)).map((e) => e.kind)).toEqual(['intro_sent']);
  });

  it('lets two instances share one queue: every item processed once, by one of them', async () => {
    const second = await h.secondInstance('instance-2');
    try {
      const ids = await Promise.all(Array.from({ length: 8 }, () => h.newHandoff('sdr_emea_1', 'ae_emea_1')));
      h.running.sandbox.faults.configure({ notifications: { duplicateShare: 0.5 } });
      for (const id of ids) await sendIntro(id);
      await h.running.sandbox.subscriptions.idle();
      const before = await h.tdb.db.selectFrom('notification_queue').select('id').where('processed_at', 'is', null).execute();
      expect(before.length).toBeGreaterThan(0);
      const run = async (w: { runOnce(): Promise<{ claimed: number }> }) => {
        for (;;) if ((await w.runOnce()).claimed === 0) return;
      };
      await Promise.all([run(h.runtime.worker), run(second.runtime.worker), run(h.runtime.worker), run(second.runtime.worker)]);
      const rows = await h.tdb.db.selectFrom('notification_queue').select(['claimed_by', 'processed_at', 'attempts']).where('id', 'in', before.map((b) => b.id)).execute();
      expect(rows.every((r) => r.processed_at !== null && r.attempts === 1)).toBe(true);
      for (const id of ids) expect((await eventsOf(id)).map((e) => e.kind)).toEqual(['intro_sent']);
    } finally {
      await second.close();
    }
  });
});
