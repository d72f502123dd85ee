// NotificationStore against a real database (embedded, or PostgreSQL when DATABASE_URL is set): the receiver's
// subscription lookup and its cache, the one-statement enqueue, and the worker's claim / complete / retry with
// leases, including two claimers on two connections to the same PostgreSQL.
import { sql } from 'kysely';
import { fixedClock } from '../../../server/clock';
import { openDatabase, type OpenedDatabase } from '../../../server/store/database';
import { createNotificationStore, type NewQueuedNotification, type NotificationStore } from '../../../server/store/notification-store';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { seedPeople, type TestPeople } from '../helpers/people';

let tdb: TestDatabase;
let store: NotificationStore;
let p: TestPeople;
beforeAll(async () => {
  tdb = await openTestDatabase();
  store = createNotificationStore(tdb.db);
}, 60_000);
afterAll(() => tdb.close());
beforeEach(async () => {
  await tdb.reset();
  p = await seedPeople(tdb.db);
});

const t0 = new Date('2026-11-24T09:00:00Z');
const later = (ms: number) => new Date(t0.getTime() + ms);

async function addSubscription(id: string, userId: string, scope: 'events' | 'sentitems' | 'inbox', status: 'active' | 'removed' = 'active', clientState = `state-${id}`) {
  await tdb.db
    .insertInto('graph_subscriptions')
    .values({ id, user_id: userId, scope, resource: `/users/${userId}/${scope}`, client_state: clientState, status, expires_at: later(86_400_000), created_at: t0 })
    .execute();
}

const change = (userId: string, n: number, over: Partial<NewQueuedNotification> = {}): NewQueuedNotification => ({
  kind: 'change',
  subscriptionId: 'sub-1',
  userId,
  scope: 'events',
  changeType: 'updated',
  lifecycleEvent: null,
  resourceId: `item-${String(n)}`,
  ...over,
});

async function fill(n: number, receivedAt = t0): Promise<void> {
  expect(await store.enqueue(Array.from({ length: n }, (_, i) => change(p.ae1.id, i)), receivedAt)).toBe(n);
}

describe('notification store: subscriptions', () => {
  it('answers the subscriptions asked for in one map, with owner, scope, clientState and status', async () => {
    await addSubscription('sub-a', p.ae1.id, 'events');
    await addSubscription('sub-b', p.sdr1.id, 'inbox', 'removed');
    const found = await store.subscriptionsByIds(['sub-a', 'sub-b', 'sub-unknown', 'sub-a']);
    expect([...found.keys()].sort()).toEqual(['sub-a', 'sub-b']);
    expect(found.get('sub-a')).toEqual({ userId: p.ae1.id, scope: 'events', clientState: 'state-sub-a', status: 'active' });
    expect(found.get('sub-b')).toEqual({ userId: p.sdr1.id, scope: 'inbox', clientState: 'state-sub-b', status: 'removed' });
    expect((await store.subscriptionsByIds([])).size).toBe(0);
  });

  it('with a cache, reuses an answer until it expires or is forgotten, then sees the removal', async () => {
    const clock = fixedClock(t0);
    const cached = createNotificationStore(tdb.db, { subscriptionCacheMs: 2_000, clock });
    await addSubscription('sub-a', p.ae1.id, 'events');
    expect((await cached.subscriptionsByIds(['sub-a', 'sub-new'])).get('sub-a')?.status).toBe('active');
    await tdb.db.updateTable('graph_subscriptions').set({ status: 'removed' }).where('id', '=', 'sub-a').execute();
    await addSubscription('sub-new', p.ae2.id, 'events');
    clock.advance(1_000);
    // Still the cached answers (both the known and the unknown id).
    const stale = await cached.subscriptionsByIds(['sub-a', 'sub-new']);
    expect(stale.get('sub-a')?.status).toBe('active');
    expect(stale.has('sub-new')).toBe(false);
    clock.advance(1_000);
    const fresh = await cached.subscriptionsByIds(['sub-a', 'sub-new']);
    expect(fresh.get('sub-a')?.status).toBe('removed');
    expect(fresh.get('sub-new')?.userId).toBe(p.ae2.id);

    await tdb.db.updateTable('graph_subscriptions').set({ status: 'active' }).where('id', '=', 'sub-a').execute();
    expect((await cached.subscriptionsByIds(['sub-a'])).get('sub-a')?.status).toBe('removed');
    cached.forgetSubscriptions();
    expect((await cached.subscriptionsByIds(['sub-a'])).get('sub-a')?.status).toBe('active');
  });

  it('with a cache, looks up again the ids due to expire within half a period along with a missing one', async () => {
    const clock = fixedClock(t0);
    const cached = createNotificationStore(tdb.db, { subscriptionCacheMs: 2_000, clock });
    await addSubscription('sub-a', p.ae1.id, 'events');
    await addSubscription('sub-b', p.ae2.id, 'events');
    await cached.subscriptionsByIds(['sub-a']);
    clock.advance(500);
    await cached.subscriptionsByIds(['sub-b']);
    await tdb.db.updateTable('graph_subscriptions').set({ status: 'removed' }).execute();
    clock.advance(1_000);
    // Nothing has expired: no lookup, so nothing is refreshed.
    expect((await cached.subscriptionsByIds(['sub-a', 'sub-b'])).get('sub-b')?.status).toBe('active');
    clock.advance(500);
    // sub-a has expired: its lookup also refreshes sub-b (due in 500 ms), and answers only what was asked.
    const asked = await cached.subscriptionsByIds(['sub-a']);
    expect([...asked.keys()]).toEqual(['sub-a']);
    expect(asked.get('sub-a')?.status).toBe('removed');
    expect((await cached.subscriptionsByIds(['sub-b'])).get('sub-b')?.status).toBe('removed');
  });
});

describe('notification store: queue', () => {
  it('enqueues every item with its fields, due at once, and counts pending and processed', async () => {
    const items: NewQueuedNotification[] = [
      change(p.ae1.id, 1, { changeType: 'created' }),
      { kind: 'lifecycle', subscriptionId: 'sub-2', userId: p.sdr1.id, scope: 'inbox', changeType: null, lifecycleEvent: 'missed', resourceId: null },
    ];
    expect(await store.enqueue(items, t0)).toBe(2);
    expect(await store.enqueue([], t0)).toBe(0);
    expect(await store.counts()).toEqual({ pending: 2, processed: 0 });
    const claimed = await store.claim({ workerId: 'w1', now: t0, leaseMs: 30_000, limit: 10 });
    expect(claimed.map(({ id: _id, ...rest }) => rest)).toEqual(items.map((i) => ({ ...i, receivedAt: t0, attempts: 1 })));
    const row = await tdb.db.selectFrom('notification_queue').selectAll().where('id', '=', claimed[0]?.id ?? '').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ claimed_by: 'w1', processed_at: null, last_error: null });
    expect(new Date(row.claimed_until ?? 0)).toEqual(later(30_000));
    expect(new Date(row.available_at)).toEqual(t0);
  });

  it('purges processed items older than the cut, oldest first and at most the limit, never pending ones', async () => {
    await fill(5);
    const claimed = await store.claim({ workerId: 'w1', now: t0, leaseMs: 30_000, limit: 4 });
    const ids = claimed.map((c) => c.id);
    // Processed at t0 + 1 min, + 2 min, + 3 min; the fourth is processed a day later; the fifth stays pending.
    for (const [i, id] of ids.slice(0, 3).entries()) expect(await store.complete([id], { now: later((i + 1) * 60_000), outcome: 'applied', workerId: 'w1' })).toBe(1);
    expect(await store.complete(ids.slice(3), { now: later(86_400_000), outcome: 'applied', workerId: 'w1' })).toBe(1);
    expect(await store.purgeProcessed(later(150_000), 1)).toBe(1);
    expect(await store.purgeProcessed(later(150_000))).toBe(1);
    expect(await store.purgeProcessed(later(150_000))).toBe(0);
    const left = await tdb.db.selectFrom('notification_queue').select(['id', 'processed_at']).orderBy('id').execute();
    expect(left).toHaveLength(3);
    expect(left.slice(0, 2).map((r) => r.id)).toEqual([ids[2], ids[3]]);
    expect(left[2]?.processed_at).toBeNull();
    expect(await store.counts()).toEqual({ pending: 1, processed: 2 });
  });

  it('stores nothing of a batch when one item cannot be stored', async () => {
    const bad = change('00000000-0000-4000-8000-000000000000', 2); // no such user: the foreign key refuses it
    await expect(store.enqueue([change(p.ae1.id, 1), bad], t0)).rejects.toThrow();
    expect(await store.counts()).toEqual({ pending: 0, processed: 0 });
  });

  it('stores requests arriving together, each whole or not at all: a bad one fails alone', async () => {
    const bad = change('00000000-0000-4000-8000-000000000000', 9);
    const results = await Promise.allSettled([
      store.enqueue([change(p.ae1.id, 1), change(p.ae1.id, 2)], t0),
      store.enqueue([change(p.ae2.id, 3), bad], t0),
      store.enqueue([change(p.ae2.id, 4)], t0),
      store.enqueue([change(p.sdr1.id, 5), change(p.sdr1.id, 6), change(p.sdr1.id, 7)], t0),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected'))).toEqual([2, 'rejected', 1, 3]);
    const rows = await tdb.db.selectFrom('notification_queue').select('resource_id').orderBy('id').execute();
    expect(rows.map((r) => r.resource_id)).toEqual(['item-1', 'item-2', 'item-4', 'item-5', 'item-6', 'item-7']);
  });

  it('stores the requests made in one turn of the event loop in one transaction, a later one in its own', async () => {
    await Promise.all([store.enqueue([change(p.ae1.id, 1)], t0), store.enqueue([change(p.ae2.id, 2), change(p.ae2.id, 3)], t0)]);
    await store.enqueue([change(p.sdr1.id, 4)], t0);
    const rows = await tdb.db.selectFrom('notification_queue').select(['resource_id', sql<string>`xmin::text`.as('tx')]).orderBy('id').execute();
    expect(rows.map((r) => r.resource_id)).toEqual(['item-1', 'item-2', 'item-3', 'item-4']);
    expect(new Set(rows.slice(0, 3).map((r) => r.tx)).size).toBe(1);
    expect(rows[3]?.tx).not.toBe(rows[0]?.tx);
  });

  it('fails every request of a group whose commit fails, storing none of their items, and then goes on', async () => {
    await sql`create function refuse_queue_insert() returns trigger language plpgsql as $$ begin raise exception 'disk full'; end $$`.execute(tdb.db);
    await sql`create trigger refuse_queue_insert before insert on notification_queue for each statement execute function refuse_queue_insert()`.execute(tdb.db);
    try {
      const results = await Promise.allSettled([store.enqueue([change(p.ae1.id, 1)], t0), store.enqueue([change(p.ae2.id, 2), change(p.ae2.id, 3)], t0), store.enqueue([change(p.sdr1.id, 4)], t0)]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      for (const r of results) if (r.status === 'rejected') expect(String(r.reason)).toContain('disk full');
      expect(await store.counts()).toEqual({ pending: 0, processed: 0 });
    } finally {
      await sql`drop trigger refuse_queue_insert on notification_queue`.execute(tdb.db);
      await sql`drop function refuse_queue_insert()`.execute(tdb.db);
    }
    expect(await store.enqueue([change(p.ae1.id, 5)], t0)).toBe(1);
    expect(await store.counts()).toEqual({ pending: 1, processed: 0 });
  });

  it('lets requests being stored go first: a claim or a completion made meanwhile waits for them', async () => {
    await fill(1);
    const [held] = await store.claim({ workerId: 'w', now: t0, leaseMs: 30_000, limit: 10 });
    const stored = store.enqueue([change(p.ae2.id, 7)], t0);
    const [claimed, completed] = await Promise.all([
      store.claim({ workerId: 'w', now: t0, leaseMs: 30_000, limit: 10 }),
      store.complete([held?.id ?? ''], { now: t0, outcome: 'done', workerId: 'w' }),
    ]);
    expect(await stored).toBe(1);
    expect(claimed.map((i) => i.resourceId)).toEqual(['item-7']);
    expect(completed).toBe(1);
    const rows = await tdb.db.selectFrom('notification_queue').select(['resource_id', 'processed_at', 'claimed_by']).orderBy('id').execute();
    expect(rows.map((r) => [r.resource_id, r.processed_at === null, r.claimed_by])).toEqual([
      ['item-0', false, 'w'],
      ['item-7', true, 'w'],
    ]);
  });

  it('claims oldest first, up to the limit, only what is due', async () => {
    await store.enqueue([change(p.ae1.id, 1)], later(1_000));
    await store.enqueue([change(p.ae1.id, 2)], t0);
    await store.enqueue([change(p.ae1.id, 3)], later(60_000));
    const first = await store.claim({ workerId: 'w1', now: later(5_000), leaseMs: 30_000, limit: 1 });
    expect(first.map((i) => i.resourceId)).toEqual(['item-2']);
    const rest = await store.claim({ workerId: 'w1', now: later(5_000), leaseMs: 30_000, limit: 10 });
    expect(rest.map((i) => i.resourceId)).toEqual(['item-1']);
    expect(await store.claim({ workerId: 'w1', now: later(5_000), leaseMs: 30_000, limit: 10 })).toEqual([]);
    expect(await store.claim({ workerId: 'w1', now: later(5_000), leaseMs: 30_000, limit: 0 })).toEqual([]);
  });

  it('never hands the same item to two claims made in turn', async () => {
    await fill(25);
    const a = await store.claim({ workerId: 'a', now: t0, leaseMs: 30_000, limit: 10 });
    const b = await store.claim({ workerId: 'b', now: t0, leaseMs: 30_000, limit: 10 });
    const c = await store.claim({ workerId: 'c', now: t0, leaseMs: 30_000, limit: 10 });
    expect([a.length, b.length, c.length]).toEqual([10, 10, 5]);
    expect(new Set([...a, ...b, ...c].map((i) => i.id)).size).toBe(25);
  });

  it('makes an item claimable again once the lease of a worker that died has run out, counting the attempt', async () => {
    await fill(1);
    const [held] = await store.claim({ workerId: 'dead', now: t0, leaseMs: 30_000, limit: 10 });
    expect(held?.attempts).toBe(1);
    expect(await store.claim({ workerId: 'w2', now: later(30_000), leaseMs: 30_000, limit: 10 })).toEqual([]);
    const [again] = await store.claim({ workerId: 'w2', now: later(30_001), leaseMs: 30_000, limit: 10 });
    expect(again?.id).toBe(held?.id);
    expect(again?.attempts).toBe(2);
  });

  it('completes only items the worker still holds; a worker whose lease was taken over completes nothing', async () => {
    await fill(2);
    const [x, y] = await store.claim({ workerId: 'slow', now: t0, leaseMs: 1_000, limit: 10 });
    if (!x || !y) throw new Error('expected two items');
    const [taken] = await store.claim({ workerId: 'fast', now: later(2_000), leaseMs: 30_000, limit: 1 });
    expect(taken?.id).toBe(x.id);
    expect(await store.complete([x.id], { now: later(2_500), outcome: 'done', workerId: 'slow' })).toBe(0);
    // y's lease ran out but nobody took it over: its work is done, so completing it still counts.
    expect(await store.complete([y.id], { now: later(2_500), outcome: 'done', workerId: 'slow' })).toBe(1);
    expect(await store.complete([x.id], { now: later(3_000), outcome: 'done', workerId: 'fast' })).toBe(1);
    expect(await store.complete([x.id], { now: later(3_000), outcome: 'again', workerId: 'fast' })).toBe(0);
    expect(await store.counts()).toEqual({ pending: 0, processed: 2 });
    const row = await tdb.db.selectFrom('notification_queue').selectAll().where('id', '=', x.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ outcome: 'done', claimed_by: 'fast', claimed_until: null });
    expect(new Date(row.processed_at ?? 0)).toEqual(later(3_000));
    expect(await store.claim({ workerId: 'w', now: later(100_000), leaseMs: 1_000, limit: 10 })).toEqual([]);
  });

  it('completes inside the caller\'s transaction: rolled back with it', async () => {
    await fill(1);
    const [item] = await store.claim({ workerId: 'w', now: t0, leaseMs: 30_000, limit: 10 });
    const id = item?.id ?? '';
    await expect(
      tdb.db.transaction().execute(async (trx) => {
        expect(await store.complete([id], { now: t0, outcome: 'done', workerId: 'w' }, trx)).toBe(1);
        throw new Error('the worker\'s other write failed');
      }),
    ).rejects.toThrow('other write failed');
    expect(await store.counts()).toEqual({ pending: 1, processed: 0 });
    await tdb.db.transaction().execute(async (trx) => {
      await store.complete([id], { now: t0, outcome: 'done', workerId: 'w' }, trx);
    });
    expect(await store.counts()).toEqual({ pending: 0, processed: 1 });
  });

  it('retries later: releases the claim with the error, due again at the given time', async () => {
    await fill(1);
    const [item] = await store.claim({ workerId: 'w', now: t0, leaseMs: 30_000, limit: 10 });
    const id = item?.id ?? '';
    expect(await store.retryLater([id], { now: t0, availableAt: later(60_000), error: 'throttled', workerId: 'other' })).toBe(0);
    expect(await store.retryLater([id], { now: t0, availableAt: later(60_000), error: 'throttled', workerId: 'w' })).toBe(1);
    const row = await tdb.db.selectFrom('notification_queue').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ claimed_by: null, claimed_until: null, last_error: 'throttled', processed_at: null });
    expect(await store.claim({ workerId: 'w', now: later(59_999), leaseMs: 30_000, limit: 10 })).toEqual([]);
    const [again] = await store.claim({ workerId: 'w2', now: later(60_000), leaseMs: 30_000, limit: 10 });
    expect(again).toMatchObject({ id, attempts: 2 });
    // The worker that gave it up no longer holds it.
    expect(await store.complete([id], { now: later(60_000), outcome: 'done', workerId: 'w' })).toBe(0);
  });
});

const url = process.env['DATABASE_URL'];
const onPostgres = url ? describe : describe.skip;

onPostgres('notification store: two claimers on two connections to PostgreSQL', () => {
  let second: OpenedDatabase;
  let other: NotificationStore;
  beforeAll(async () => {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(tdb.db);
    const u = new URL(url ?? '');
    // lock_timeout: a claim that waited for a locked row would fail the test instead of hanging it.
    u.searchParams.set('options', `-c search_path=${rows[0]?.schema ?? 'public'} -c lock_timeout=5000`);
    second = await openDatabase({ databaseUrl: u.toString() });
    other = createNotificationStore(second.db);
  });
  afterAll(() => second.close());

  it('skips the rows another transaction holds instead of waiting for them or taking them', async () => {
    await fill(3);
    const ids = (await tdb.db.selectFrom('notification_queue').select('id').orderBy('id').execute()).map((r) => r.id);
    const locked = ids[0] ?? '';
    const got = await tdb.db.transaction().execute(async (trx) => {
      await trx.selectFrom('notification_queue').select('id').where('id', '=', locked).forUpdate().execute();
      return other.claim({ workerId: 'b', now: t0, leaseMs: 30_000, limit: 10 });
    });
    expect(got.map((i) => i.id)).toEqual(ids.slice(1));
  });

  it('lets a claim go ahead of requests that take long to store (the worker is held back only so long)', async () => {
    await fill(1);
    await sql`create function slow_queue_insert() returns trigger language plpgsql as $$ begin perform pg_sleep(2); return null; end $$`.execute(tdb.db);
    await sql`create trigger slow_queue_insert before insert on notification_queue for each statement execute function slow_queue_insert()`.execute(tdb.db);
    try {
      const order: string[] = [];
      await Promise.all([
        store.enqueue([change(p.ae2.id, 7)], t0).then(() => order.push('stored')),
        store.claim({ workerId: 'w', now: t0, leaseMs: 30_000, limit: 10 }).then((items) => order.push(`claimed ${items.map((i) => i.resourceId ?? '').join()}`)),
      ]);
      expect(order).toEqual(['claimed item-0', 'stored']);
    } finally {
      await sql`drop trigger slow_queue_insert on notification_queue`.execute(tdb.db);
      await sql`drop function slow_queue_insert()`.execute(tdb.db);
    }
  });

  it('hands every item to exactly one of two claimers racing on separate connections', async () => {
    await fill(400);
    const drain = async (s: NotificationStore, workerId: string) => {
      const seen: string[] = [];
      for (;;) {
        const batch = await s.claim({ workerId, now: t0, leaseMs: 60_000, limit: 7 });
        if (batch.length === 0) return seen;
        seen.push(...batch.map((i) => i.id));
      }
    };
    const runs = await Promise.all([drain(store, 'a'), drain(other, 'b'), drain(store, 'a2'), drain(other, 'b2')]);
    const all = runs.flat();
    expect(all).toHaveLength(400);
    expect(new Set(all).size).toBe(400);
    const owners = await tdb.db.selectFrom('notification_queue').select(['claimed_by', 'attempts']).execute();
    expect(owners.every((o) => o.attempts === 1)).toBe(true);
  });
});
