// WatchStateStore against a real database (embedded, or PostgreSQL when DATABASE_URL is set): subscriptions with
// renewal claims, and delta cursors whose timers are claimed once, parked while they run, and brought back by a
// resync request, a failure's backoff or a lost lease.
import { createWatchStateStore } from '../../../server/store/watch-state-store';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { seedPeople, type TestPeople } from '../helpers/people';

let tdb: TestDatabase;
let p: TestPeople;
beforeAll(async () => {
  tdb = await openTestDatabase();
}, 60_000);
afterAll(() => tdb.close());
beforeEach(async () => {
  await tdb.reset();
  p = await seedPeople(tdb.db);
});

const t0 = new Date('2026-11-24T09:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

describe('subscriptions', () => {
  it('holds one active subscription per person and scope; a removed one frees the place', async () => {
    const store = createWatchStateStore(tdb.db);
    const sub = { id: 'sub-1', userId: p.sdr1.id, scope: 'events' as const, resource: `/users/${p.sdr1.entraOid}/events`, clientState: 'cs-1', expiresAt: at(4320) };
    await store.insertSubscription(sub, t0);
    await expect(store.insertSubscription({ ...sub, id: 'sub-2' }, t0)).rejects.toThrow();
    expect(await store.markRemoved('sub-1', at(1), 'subscription_removed')).toBe(true);
    expect(await store.markRemoved('sub-1', at(2), 'again')).toBe(false);
    await store.insertSubscription({ ...sub, id: 'sub-2' }, at(3));
    expect((await store.activeSubscriptions()).map((s) => s.id)).toEqual(['sub-2']);
    expect((await store.subscriptionById('sub-1'))?.status).toBe('removed');
  });

  it('claims a subscription for renewal once until it is renewed or its claim runs out', async () => {
    const store = createWatchStateStore(tdb.db);
    await store.insertSubscription({ id: 'soon', userId: p.ae1.id, scope: 'events', resource: 'r1', clientState: 'a', expiresAt: at(60) }, t0);
    await store.insertSubscription({ id: 'later', userId: p.ae1.id, scope: 'sentitems', resource: 'r2', clientState: 'b', expiresAt: at(4000) }, t0);
    const first = await store.claimDueRenewals(t0, at(1440), 60_000, 10);
    expect(first.map((s) => s.id)).toEqual(['soon']);
    expect(await store.claimDueRenewals(t0, at(1440), 60_000, 10)).toEqual([]);
    // The claimer died: after its lease, another instance takes it.
    expect((await store.claimDueRenewals(at(2), at(1440), 60_000, 10)).map((s) => s.id)).toEqual(['soon']);
    await store.renewed('soon', at(4320), at(2));
    expect(await store.claimDueRenewals(at(3), at(1440), 60_000, 10)).toEqual([]);
    expect((await store.subscriptionById('soon'))?.expiresAt).toEqual(at(4320));
  });
});

describe('delta cursors', () => {
  it('is due at once when created, parked while claimed, and due again at its next sync', async () => {
    const store = createWatchStateStore(tdb.db);
    await store.ensureCursor(p.sdr1.id, 'sentitems', t0);
    await store.ensureCursor(p.sdr1.id, 'sentitems', at(5)); // already there: unchanged
    const claimed = await store.claimDueCursors(t0, 60_000, 10);
    expect(claimed).toMatchObject([{ userId: p.sdr1.id, scope: 'sentitems', deltaLink: null, resyncReason: 'initial' }]);
    expect(await store.claimDueCursors(t0, 60_000, 10)).toEqual([]);
    await store.saveCursor(p.sdr1.id, 'sentitems', { deltaLink: 'https://graph/delta?token=1', windowStart: null, windowEnd: null, syncedAt: t0, nextSyncAt: at(30) });
    expect(await store.claimDueCursors(at(29), 60_000, 10)).toEqual([]);
    expect(await store.claimDueCursors(at(30), 60_000, 10)).toMatchObject([{ deltaLink: 'https://graph/delta?token=1', resyncReason: null }]);
  });

  it('keeps a resync asked for while a sync runs: the cursor stays due', async () => {
    const store = createWatchStateStore(tdb.db);
    await store.ensureCursor(p.ae1.id, 'events', t0);
    await store.claimDueCursors(t0, 60_000, 10);
    await store.requestResync(p.ae1.id, 'events', at(0.5), 'missed');
    await store.saveCursor(p.ae1.id, 'events', { deltaLink: 'd1', windowStart: at(-2880), windowEnd: at(86400), syncedAt: at(0.5), nextSyncAt: at(30) });
    expect(await store.claimDueCursors(at(1), 60_000, 10)).toMatchObject([{ scope: 'events', resyncReason: 'missed', deltaLink: 'd1' }]);
  });

  it('gives a cursor back when its holder dies, and backs off after a failure', async () => {
    const store = createWatchStateStore(tdb.db);
    await store.ensureCursor(p.ae1.id, 'events', t0);
    await store.claimDueCursors(t0, 60_000, 10);
    expect(await store.claimDueCursors(at(0.5), 60_000, 10)).toEqual([]);
    expect(await store.claimDueCursors(at(2), 60_000, 10)).toHaveLength(1);
    await store.cursorFailed(p.ae1.id, 'events', { nextSyncAt: at(10), error: 'throttled' });
    expect(await store.claimDueCursors(at(9), 60_000, 10)).toEqual([]);
    expect(await store.claimDueCursors(at(10), 60_000, 10)).toMatchObject([{ failures: 1 }]);
  });

  it('asks every cursor of a person for a resync, and forgets them when the person leaves', async () => {
    const store = createWatchStateStore(tdb.db);
    for (const scope of ['events', 'sentitems', 'inbox'] as const) {
      await store.ensureCursor(p.sdr1.id, scope, t0);
      await store.claimDueCursors(t0, 60_000, 10);
      await store.saveCursor(p.sdr1.id, scope, { deltaLink: `d-${scope}`, windowStart: null, windowEnd: null, syncedAt: t0, nextSyncAt: at(30) });
    }
    await store.requestResync(p.sdr1.id, null, at(1), 'subscription_created');
    expect((await store.claimDueCursors(at(1), 60_000, 10)).map((c) => c.scope).sort()).toEqual(['events', 'inbox', 'sentitems']);
    await store.removeCursors(p.sdr1.id);
    expect(await store.getCursor(p.sdr1.id, 'events')).toBeUndefined();
  });
});
