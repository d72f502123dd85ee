// The outbox sender against the sandbox: a mail sent once, an interrupted send (Baton died after Graph took the
// mail) found in Sent Items instead of sent twice, a send refused with a 503 sent again once Sent Items shows it did
// not go out, throttling waited out, and the invite created once through its transactionId.
import type { CalendarEvent } from '../../../server/domain/mailbox';
import { createOutboxSender, outboxHeader, type EventPayload } from '../../../server/engine/outbox-sender';
import { createOutboxStore, type OutboxItem } from '../../../server/store/outbox-store';
import { silentLogger, startWatchHarness, type WatchHarness } from './watch-harness';

let h: WatchHarness;
beforeAll(async () => {
  h = await startWatchHarness();
}, 60_000);
afterAll(() => h.close());
beforeEach(() => {
  h.running.sandbox.faults.reset();
});

const created: { item: OutboxItem; event: CalendarEvent }[] = [];
const sender = (workerId = 'sender-1') =>
  createOutboxSender({
    db: h.tdb.db,
    store: createOutboxStore(h.tdb.db),
    gateway: h.gateway,
    now: () => h.clock.now(),
    logger: silentLogger,
    workerId,
    leaseMs: 60_000,
    onEventCreated: async (_trx, item, _p, event) => {
      created.push({ item, event });
      await Promise.resolve();
    },
  });

const sofia = () => h.people['sdr_emea_1'];
const megan = () => h.people['mgr_emea'];

async function inboxCount(userKey: string, subject: string): Promise<number> {
  const user = h.people[userKey];
  if (user === undefined) throw new Error(userKey);
  const page = (await h.connection.call((c) => c.api(`/users/${user.entraOid}/mailFolders/inbox/messages`).select('subject').top(999).get())) as { value: { subject: string }[] };
  return page.value.filter((m) => m.subject === subject).length;
}

async function addMail(key: string, subject: string): Promise<void> {
  const store = createOutboxStore(h.tdb.db);
  await store.add(h.tdb.db, [{ idempotencyKey: key, handoffId: null, kind: 'mail', mailbox: sofia()?.entraOid ?? '', payload: { to: [{ address: megan()?.email ?? '' }], subject, html: '<p>Breach</p>' } }], h.clock.now());
  // The same key again (a retried transaction, a second instance): still one row.
  await store.add(h.tdb.db, [{ idempotencyKey: key, handoffId: null, kind: 'mail', mailbox: sofia()?.entraOid ?? '', payload: { to: [], subject: 'other', html: '' } }], h.clock.now());
}

describe('outbox sender', () => {
  it('sends a mail once, carrying its outbox key, however often it runs', async () => {
    await addMail('breach:1', 'Breach one');
    const s = sender();
    expect(await s.runOnce()).toMatchObject({ claimed: 1, done: 1 });
    expect(await s.runOnce()).toMatchObject({ claimed: 0 });
    expect(await inboxCount('mgr_emea', 'Breach one')).toBe(1);
    const sent = await h.gateway.messagesDelta(sofia()?.entraOid ?? '', 'sentitems', null, new Date(h.clock.now().getTime() - 60_000));
    expect(sent.changed.find((m) => m.subject === 'Breach one')?.headers.get(outboxHeader)).toBe('breach:1');
  });

  it('sends a mail with a plain-text part as HTML and text alternatives, once, found again in Sent Items by its key', async () => {
    const store = createOutboxStore(h.tdb.db);
    const payload = { to: [{ address: megan()?.email ?? '' }], subject: 'Scorecard week 49', html: '<p>Hand-offs <b>12</b></p>', text: 'Hand-offs: 12 (+3 on the week before)' };
    await store.add(h.tdb.db, [{ idempotencyKey: 'report:1', handoffId: null, kind: 'mail', mailbox: sofia()?.entraOid ?? '', payload }], h.clock.now());
    expect(await sender().runOnce()).toMatchObject({ claimed: 1, done: 1 });
    const sent = await h.gateway.messagesDelta(sofia()?.entraOid ?? '', 'sentitems', null, new Date(h.clock.now().getTime() - 60_000));
    const copy = sent.changed.find((m) => m.headers.get(outboxHeader) === 'report:1');
    expect(copy?.subject).toBe('Scorecard week 49');
    const mime = h.running.sandbox.mail.mime(sofia()?.entraOid ?? '', copy?.id ?? '');
    expect(mime).toContain('Hand-offs: 12 (+3 on the week before)');
    expect(mime).toContain('<p>Hand-offs <b>12</b></p>');
    expect(mime).toMatch(/multipart\/alternative/);
    expect(await inboxCount('mgr_emea', 'Scorecard week 49')).toBe(1);
  });

  it('does not send twice when Baton died after Graph took the mail: it finds it in Sent Items', async () => {
    await addMail('breach:2', 'Breach two');
    const store = createOutboxStore(h.tdb.db);
    const [item] = await store.claim({ workerId: 'dead', now: h.clock.now(), leaseMs: 60_000, limit: 1 });
    if (item === undefined) throw new Error('nothing claimed');
    await store.mark(item.id, { workerId: 'dead', note: 'sending' });
    await h.gateway.sendMail(item.mailbox, { to: [{ address: megan()?.email ?? '' }], subject: 'Breach two', html: '<p>Breach</p>', headers: { [outboxHeader]: item.idempotencyKey } });
    // ...and the process was killed before it could record the send.
    h.clock.advance(61_000);
    const s = sender();
    expect(await s.runOnce()).toMatchObject({ claimed: 1, verifying: 1 });
    h.clock.advance(2 * 60_000);
    expect(await s.runOnce()).toMatchObject({ claimed: 1, done: 1 });
    expect(await inboxCount('mgr_emea', 'Breach two')).toBe(1);
    expect((await store.counts()).uncertain).toBe(0);
  });

  it('sends again a mail refused with a 503, once Sent Items shows it did not go out', async () => {
    await addMail('breach:3', 'Breach three');
    h.running.sandbox.faults.configure({ serverErrors: { count: 1, status: 503 } });
    const s = sender();
    expect(await s.runOnce()).toMatchObject({ claimed: 1, verifying: 1 });
    expect(await inboxCount('mgr_emea', 'Breach three')).toBe(0);
    h.clock.advance(2 * 60_000);
    expect(await s.runOnce()).toMatchObject({ claimed: 1, done: 1 });
    expect(await inboxCount('mgr_emea', 'Breach three')).toBe(1);
  });

  it('waits out throttling and sends then', async () => {
    await addMail('breach:4', 'Breach four');
    h.running.sandbox.faults.configure({ throttle: { count: 10, retryAfterSeconds: 30 } });
    const s = sender();
    expect(await s.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    expect(await s.runOnce()).toMatchObject({ claimed: 0 });
    h.running.sandbox.faults.reset();
    h.clock.advance(31_000);
    expect(await s.runOnce()).toMatchObject({ claimed: 1, done: 1 });
    expect(await inboxCount('mgr_emea', 'Breach four')).toBe(1);
  });

  it('creates the invite once even when a crashed sender created it already (transactionId)', async () => {
    const store = createOutboxStore(h.tdb.db);
    const start = new Date('2026-11-30T10:00:00Z');
    const payload: EventPayload = {
      purpose: 'meeting',
      subject: 'Intro call',
      html: '<p>Agenda</p>',
      start: start.toISOString(),
      end: new Date(start.getTime() + 1_800_000).toISOString(),
      timeZone: 'Europe/Berlin',
      attendees: [{ address: h.people['ae_emea_1']?.email ?? '' }],
      onlineMeeting: true,
      transactionId: 'bench-handoff-invite-1',
    };
    await store.add(h.tdb.db, [{ idempotencyKey: 'invite:x', handoffId: null, kind: 'event', mailbox: sofia()?.entraOid ?? '', payload }], h.clock.now());
    const [item] = await store.claim({ workerId: 'dead', now: h.clock.now(), leaseMs: 60_000, limit: 1 });
    if (item === undefined) throw new Error('nothing claimed');
    const first = await h.gateway.createEvent(item.mailbox, { ...payload, start, end: new Date(payload.end), transactionId: payload.transactionId });
    h.clock.advance(61_000);
    expect(await sender().runOnce()).toMatchObject({ claimed: 1, done: 1 });
    expect(created.map((c) => c.event.id)).toEqual([first.id]);
    const view = await h.gateway.calendarView(sofia()?.entraOid ?? '', { start: new Date('2026-11-30T00:00:00Z'), end: new Date('2026-12-01T00:00:00Z') });
    expect(view.filter((e) => e.subject === 'Intro call')).toHaveLength(1);
    expect(view.find((e) => e.subject === 'Intro call')?.joinUrl).toMatch(/^https:\/\//);
  });
});
