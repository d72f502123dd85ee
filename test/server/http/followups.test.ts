// Follow-up tasks through the real app and database: list, add (owner or manager, due in the future), mark done,
// and the handed-off leads left without a future follow-up (the daily flag).
import type { FollowupDto, FollowupList, LeadDto } from '../../../server/http/contract';
import type { User } from '../../../server/domain/people';
import { createFollowupStore, type FollowupStore } from '../../../server/store/followup-store';
import { call, errorOf, qualifiedLead, startHarness, type Harness, type Org } from './harness';

let h: Harness;
let org: Org;
let followups: FollowupStore;

beforeAll(async () => {
  h = await startHarness({
    override: (deps) => {
      followups = createFollowupStore(deps.db);
      return { ...deps, followupStore: followups };
    },
  });
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  org = await h.reset();
});

async function leadOf(sdr: User, overrides: Record<string, unknown> = {}): Promise<LeadDto> {
  const res = await call(h, sdr, 'POST', '/api/leads', qualifiedLead(overrides));
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.data as LeadDto;
}

const add = (as: User, leadId: string, body: Record<string, unknown>) => call(h, as, 'POST', `/api/leads/${leadId}/followups`, body);

describe('follow-ups', () => {
  it("adds a follow-up owned by the lead's owner, lists it, and marks it done once", async () => {
    const lead = await leadOf(org.emeaSdr);
    const res = await add(org.emeaSdr, lead.id, { dueAt: '2026-11-26T09:00:00Z', note: 'Call back about pricing' });
    expect(res.statusCode).toBe(201);
    const created = res.data as FollowupDto;
    expect(created).toMatchObject({ leadId: lead.id, ownerId: org.emeaSdr.id, dueAt: '2026-11-26T09:00:00.000Z', note: 'Call back about pricing', doneAt: null });

    const byManager = await add(org.emeaManager, lead.id, { dueAt: '2026-11-25T09:00:00Z', note: 'Check in' });
    expect((byManager.data as FollowupDto).ownerId).toBe(org.emeaSdr.id);

    const list = await call(h, org.emeaSdr, 'GET', `/api/leads/${lead.id}/followups`);
    expect((list.data as FollowupList).items.map((f) => f.note)).toEqual(['Check in', 'Call back about pricing']);

    h.clock.advance(60_000);
    const done = await call(h, org.emeaSdr, 'POST', `/api/followups/${created.id}/done`);
    expect(done.statusCode).toBe(200);
    expect((done.data as FollowupDto).doneAt).toBe('2026-11-24T09:01:00.000Z');
    h.clock.advance(60_000);
    const again = await call(h, org.emeaSdr, 'POST', `/api/followups/${created.id}/done`);
    expect((again.data as FollowupDto).doneAt).toBe('2026-11-24T09:01:00.000Z');
    const after = await call(h, org.emeaSdr, 'GET', `/api/leads/${lead.id}/followups`);
    expect((after.data as FollowupList).items.map((f) => f.note)).toEqual(['Check in', 'Call back about pricing']);
  });

  it('refuses a due date not in the future, a bad note, unknown fields, and people who may not', async () => {
    const lead = await leadOf(org.emeaSdr);
    const past = await add(org.emeaSdr, lead.id, { dueAt: '2026-11-24T09:00:00Z', note: 'x' });
    expect(past.statusCode).toBe(422);
    expect(errorOf(past)).toMatchObject({ code: 'due_not_in_future', field: 'dueAt' });
    const empty = await add(org.emeaSdr, lead.id, { dueAt: '2026-11-26T09:00:00Z', note: '  ' });
    expect(errorOf(empty)).toMatchObject({ code: 'invalid_request', field: 'note' });
    const long = await add(org.emeaSdr, lead.id, { dueAt: '2026-11-26T09:00:00Z', note: 'x'.repeat(2_001) });
    expect(errorOf(long).field).toBe('note');
    const unknown = await add(org.emeaSdr, lead.id, { dueAt: '2026-11-26T09:00:00Z', note: 'x', ownerId: org.emeaSdr2.id });
    expect(errorOf(unknown)).toMatchObject({ code: 'unknown_field', field: 'ownerId' });
    expect((await add(org.emeaSdr2, lead.id, { dueAt: '2026-11-26T09:00:00Z', note: 'x' })).statusCode).toBe(403);
    expect((await add(org.amerSdr, lead.id, { dueAt: '2026-11-26T09:00:00Z', note: 'x' })).statusCode).toBe(404);
    expect((await call(h, org.emeaSdr, 'GET', '/api/leads/nope/followups')).statusCode).toBe(400);
    expect((await call(h, org.emeaSdr, 'POST', '/api/followups/00000000-0000-4000-8000-000000000000/done')).statusCode).toBe(404);
    expect(await followups.listForLead(lead.id)).toEqual([]);

    const mine = await add(org.emeaSdr, lead.id, { dueAt: '2026-11-26T09:00:00Z', note: 'x' });
    const id = (mine.data as FollowupDto).id;
    expect((await call(h, org.emeaSdr2, 'POST', `/api/followups/${id}/done`)).statusCode).toBe(403);
    expect((await call(h, org.amerManager, 'POST', `/api/followups/${id}/done`)).statusCode).toBe(404);
    expect((await call(h, org.emeaManager, 'POST', `/api/followups/${id}/done`)).statusCode).toBe(200);
  });

  it('finds handed-off leads without a future follow-up, per team or for all', async () => {
    const now = h.clock.now();
    const covered = await leadOf(org.emeaSdr);
    const overdue = await leadOf(org.emeaSdr, { email: 'a@initech.com', website: null });
    const none = await leadOf(org.amerSdr, { email: 'b@globex.com', website: null });
    await leadOf(org.emeaSdr, { email: 'c@hooli.com', website: null }); // never handed off: not counted
    for (const lead of [covered, overdue]) {
      await h.db.db.insertInto('handoffs').values({ lead_id: lead.id, team_id: 'emea', sdr_id: org.emeaSdr.id, ae_id: org.emeaAe.id, stage: 'intro_composed', stage_changed_at: now }).execute();
    }
    await h.db.db.insertInto('handoffs').values({ lead_id: none.id, team_id: 'amer', sdr_id: org.amerSdr.id, ae_id: org.amerAe.id, stage: 'closed', stage_changed_at: now }).execute();
    await followups.create({ leadId: covered.id, ownerId: org.emeaSdr.id, dueAt: new Date('2026-11-30T09:00:00Z'), note: 'x', at: now });
    await followups.create({ leadId: overdue.id, ownerId: org.emeaSdr.id, dueAt: new Date('2026-11-20T09:00:00Z'), note: 'late', at: now });
    const done = await followups.create({ leadId: overdue.id, ownerId: org.emeaSdr.id, dueAt: new Date('2026-12-20T09:00:00Z'), note: 'done', at: now });
    await followups.markDone(done.id, now);

    expect((await followups.leadsWithoutFutureFollowup('emea', now)).map((l) => l.leadId)).toEqual([overdue.id]);
    const all = await followups.leadsWithoutFutureFollowup(null, now);
    expect(all.map((l) => l.leadId).sort()).toEqual([overdue.id, none.id].sort());
    expect(all.find((l) => l.leadId === none.id)).toMatchObject({ teamId: 'amer', ownerId: org.amerSdr.id, status: 'new', contactName: 'Grace Hopper' });
    // Once the covering follow-up's date passes, that lead is flagged too.
    expect(await followups.leadsWithoutFutureFollowup('emea', new Date('2026-12-01T00:00:00Z'))).toHaveLength(2);
  });
});
