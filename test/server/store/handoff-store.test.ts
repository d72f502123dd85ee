// Hand-off store on the real database: one open hand-off per lead (the unique index), version-checked changes,
// idempotent outbox rows, and the lead row written in the caller's transaction.
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { seedPeople, type TestPeople } from '../helpers/people';
import { leadFields } from '../helpers/leads';
import { createLeadStore, type LeadStore } from '../../../server/store/lead-store';
import { createHandoffStore, type HandoffStore } from '../../../server/store/handoff-store';
import type { Lead } from '../../../server/domain/lead';

let db: TestDatabase;
let store: HandoffStore;
let leads: LeadStore;
let people: TestPeople;
let lead: Lead;
const at = new Date('2026-11-24T09:00:00Z');

beforeAll(async () => {
  db = await openTestDatabase();
  store = createHandoffStore(db.db);
  leads = createLeadStore(db.db);
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  await db.reset();
  people = await seedPeople(db.db);
  lead = await leads.create(
    { teamId: 'north', ownerId: people.sdr1.id, sdrId: people.sdr1.id, fields: leadFields() },
    { entity: 'lead', actorId: people.sdr1.id, at, from: null, to: 'qualified', reasonCode: null, reasonText: null },
  );
});

const newHandoff = () => ({ leadId: lead.id, teamId: 'north', sdrId: people.sdr1.id, aeId: people.ae1.id, demoRequested: true, overrideReason: null, at });

describe('handoff store', () => {
  it('keeps one open hand-off per lead; a closed one does not count', async () => {
    const first = await store.transaction((trx) => store.insert(trx, newHandoff()));
    expect(first).toMatchObject({ stage: 'intro_composed', version: 1, demoRequested: true, stageChangedAt: at });
    await expect(store.transaction((trx) => store.insert(trx, newHandoff()))).rejects.toMatchObject({ code: '23505' });
    expect((await store.openForLead(lead.id))?.id).toBe(first.id);

    const closed = await store.transaction((trx) => store.update(trx, first.id, 1, { stage: 'closed', outcome: 'hand_back', at }));
    expect(closed).toMatchObject({ stage: 'closed', outcome: 'hand_back', version: 2 });
    expect(await store.openForLead(lead.id)).toBeUndefined();
    await store.transaction((trx) => store.insert(trx, newHandoff()));
  });

  it('refuses a change at a stale version and rolls back the whole transaction on a throw', async () => {
    const h = await store.transaction((trx) => store.insert(trx, newHandoff()));
    expect(await store.transaction((trx) => store.update(trx, h.id, 5, { aeId: people.ae2.id, at }))).toBeUndefined();
    await expect(
      store.transaction(async (trx) => {
        await store.update(trx, h.id, 1, { aeId: people.ae2.id, at });
        await store.appendAudit(trx, { entity: 'handoff', entityId: h.id, actorId: null, at, from: 'intro_composed', to: 'intro_composed', reasonCode: null, reasonText: null });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.get(h.id)).toMatchObject({ aeId: people.ae1.id, version: 1 });
    expect(await leads.auditTrail('handoff', h.id)).toEqual([]);
  });

  it('adds an outbox row once per idempotency key and lists keys by prefix', async () => {
    const h = await store.transaction((trx) => store.insert(trx, newHandoff()));
    const row = { idempotencyKey: `invite:${h.id}:1`, handoffId: h.id, kind: 'event' as const, mailbox: 'oid-1', payload: { a: 1 }, at };
    expect(await store.addOutbox(db.db, row)).toBe(true);
    expect(await store.addOutbox(db.db, { ...row, payload: { a: 2 } })).toBe(false);
    expect(await store.addOutbox(db.db, { ...row, idempotencyKey: `hand_back:${h.id}`, kind: 'mail' })).toBe(true);
    expect(await store.outboxKeys(db.db, h.id, `invite:${h.id}`)).toEqual([`invite:${h.id}:1`]);
    const rows = await db.db.selectFrom('outbox').select(['idempotency_key', 'payload', 'status']).orderBy('id').execute();
    expect(rows[0]).toEqual({ idempotency_key: `invite:${h.id}:1`, payload: { a: 1 }, status: 'pending' });
  });

  it('writes the lead in the caller’s transaction, version-checked, and lists open hand-offs by scope', async () => {
    const h = await store.transaction((trx) => store.insert(trx, newHandoff()));
    const written = await store.transaction(async (trx) => {
      const locked = await store.lockLead(trx, lead.id);
      if (!locked) throw new Error('no lead');
      return store.updateLead(trx, lead.id, locked.version, { status: 'suspect', ownerId: people.sdr1.id, aeId: people.ae1.id, handBackReason: null, handBackText: null }, at);
    });
    expect(written).toMatchObject({ status: 'suspect', aeId: people.ae1.id, version: 2 });
    expect(await store.transaction((trx) => store.setLeadAe(trx, lead.id, 1, people.ae2.id, at))).toBeUndefined();

    expect((await store.listOpen({ kind: 'person', userId: people.ae1.id })).map((x) => x.id)).toEqual([h.id]);
    expect((await store.listOpen({ kind: 'person', userId: people.ae2.id }))).toEqual([]);
    expect((await store.listOpen({ kind: 'team', teamId: 'north' })).map((x) => x.id)).toEqual([h.id]);
    expect(await store.listOpen({ kind: 'team', teamId: 'south' })).toEqual([]);
    expect(await store.obligations(h.id)).toEqual([]);
    expect(await store.findings(h.id)).toEqual([]);
  });
});
