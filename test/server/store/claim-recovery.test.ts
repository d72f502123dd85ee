// Claims a killed process left behind are given back at start, and only those: every claim on the embedded database
// (one process per data folder), only this host's dead processes' claims on PostgreSQL. A released row is claimed
// again by the next worker at once, not when its lease runs out.
import { releaseDeadClaims } from '../../../server/store/claim-recovery';
import { createLeadStore } from '../../../server/store/lead-store';
import { createOutboxStore } from '../../../server/store/outbox-store';
import { createWatchStateStore } from '../../../server/store/watch-state-store';
import { leadFields } from '../helpers/leads';
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
const inTwoMinutes = new Date(t0.getTime() + 120_000);
const me = 'web-1:4000';
/** On this host: 4000 (this process) and 4001 run; 4002 and 4003 were killed. */
const isAlive = (pid: number) => pid === 4000 || pid === 4001;

async function outboxRow(key: string, claimedBy: string | null, status: 'pending' | 'done' = 'pending'): Promise<void> {
  await tdb.db
    .insertInto('outbox')
    .values({
      idempotency_key: key,
      handoff_id: null,
      kind: 'mail',
      mailbox: 'sdr@contoso.example',
      payload: JSON.stringify({ subject: key }),
      status,
      created_at: t0,
      available_at: t0,
      claimed_by: claimedBy,
      claimed_until: claimedBy === null ? null : inTwoMinutes,
      last_error: claimedBy === null ? null : 'sending',
    })
    .execute();
}

async function queued(resourceId: string, claimedBy: string | null): Promise<void> {
  await tdb.db
    .insertInto('notification_queue')
    .values({
      kind: 'change',
      subscription_id: 'sub-1',
      user_id: p.ae1.id,
      scope: 'events',
      change_type: 'updated',
      lifecycle_event: null,
      resource_id: resourceId,
      received_at: t0,
      available_at: t0,
      claimed_by: claimedBy,
      claimed_until: claimedBy === null ? null : inTwoMinutes,
    })
    .execute();
}

async function claimedObligation(): Promise<void> {
  const lead = await createLeadStore(tdb.db).create(
    { teamId: p.sdr1.teamId ?? '', ownerId: p.sdr1.id, sdrId: p.sdr1.id, fields: leadFields({ email: 'lead@prospect.com' }) },
    { entity: 'lead', actorId: p.sdr1.id, at: t0, from: null, to: 'new', reasonCode: null, reasonText: null },
  );
  const h = await tdb.db
    .insertInto('handoffs')
    .values({ lead_id: lead.id, team_id: p.sdr1.teamId ?? '', sdr_id: p.sdr1.id, ae_id: p.ae1.id, stage: 'intro_sent', stage_changed_at: t0, created_at: t0 })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tdb.db
    .insertInto('obligations')
    .values({ handoff_id: h.id, kind: 'ae_reply', status: 'open', started_at: t0, due_at: t0, remind_at: t0, second_level_at: t0, next_check_at: t0, claimed_until: inTwoMinutes })
    .execute();
}

/** A sentitems cursor claimed by a process that died mid-sync, as claimDueCursors leaves it. */
async function claimedCursor(): Promise<void> {
  const store = createWatchStateStore(tdb.db);
  await store.ensureCursor(p.sdr1.id, 'sentitems', t0);
  expect(await store.claimDueCursors(t0, 300_000, 10)).toHaveLength(1);
}

const claimedKeys = async () =>
  (await tdb.db.selectFrom('outbox').select('idempotency_key').where('claimed_until', 'is not', null).orderBy('idempotency_key').execute()).map((r) => r.idempotency_key);
const claimedItems = async () =>
  (await tdb.db.selectFrom('notification_queue').select('resource_id').where('claimed_until', 'is not', null).orderBy('resource_id').execute()).map((r) => r.resource_id);

describe('claims of dead processes, given back at start', () => {
  it('on PostgreSQL: only this host’s dead processes’ claims; live ones, other hosts’ and this process’s stay', async () => {
    await outboxRow('dead-a', 'web-1:4002');
    await outboxRow('dead-b', 'web-1:4003');
    await outboxRow('live', 'web-1:4001');
    await outboxRow('mine', me);
    await outboxRow('other-host', 'web-2:4002');
    await outboxRow('unclaimed', null);
    await queued('item-dead', 'web-1:4002');
    await queued('item-other', 'web-2:9');
    const recovered = await releaseDeadClaims(tdb.db, { embedded: false, workerId: me, isAlive, now: t0 });
    expect(recovered).toEqual({ outbox: 2, notifications: 1, obligations: 0, cursors: 0 });
    expect(await claimedKeys()).toEqual(['live', 'mine', 'other-host']);
    expect(await claimedItems()).toEqual(['item-other']);
    // The mail a dead process marked `sending` keeps its mark: the sender looks in Sent Items before sending again.
    const dead = await tdb.db.selectFrom('outbox').select(['last_error', 'status']).where('idempotency_key', '=', 'dead-a').executeTakeFirstOrThrow();
    expect(dead).toEqual({ last_error: 'sending', status: 'pending' });
  });

  it('on the embedded database: every claim, since only one process opens a data folder', async () => {
    await outboxRow('a', 'web-1:4001');
    await outboxRow('b', 'elsewhere:1');
    await outboxRow('sent', 'web-1:4002', 'done');
    await queued('item', 'web-2:9');
    await claimedObligation();
    await claimedCursor();
    const recovered = await releaseDeadClaims(tdb.db, { embedded: true, workerId: me, isAlive, now: t0 });
    expect(recovered).toEqual({ outbox: 2, notifications: 1, obligations: 1, cursors: 1 });
    expect(await claimedKeys()).toEqual(['sent']);
  });

  it('makes a delta cursor a killed process was syncing due at once (its claim had parked it a year ahead)', async () => {
    await claimedCursor();
    const store = createWatchStateStore(tdb.db);
    expect(await store.claimDueCursors(t0, 300_000, 10)).toEqual([]);
    await releaseDeadClaims(tdb.db, { embedded: true, workerId: me, isAlive, now: t0 });
    expect((await store.claimDueCursors(t0, 300_000, 10)).map((c) => [c.userId, c.scope])).toEqual([[p.sdr1.id, 'sentitems']]);
  });

  it('lets the next worker claim a released mail at once, not when the lease runs out', async () => {
    await outboxRow('breach-mail', 'web-1:4002');
    const outbox = createOutboxStore(tdb.db);
    expect(await outbox.claim({ workerId: me, now: t0, leaseMs: 120_000, limit: 10 })).toEqual([]);
    await releaseDeadClaims(tdb.db, { embedded: false, workerId: me, isAlive, now: t0 });
    const claimed = await outbox.claim({ workerId: me, now: t0, leaseMs: 120_000, limit: 10 });
    expect(claimed.map((c) => c.idempotencyKey)).toEqual(['breach-mail']);
  });
});
