// LeadStore against a real database (embedded, or PostgreSQL when DATABASE_URL is set): search, ownership
// lookups, optimistic concurrency, and transitions written with their audit line in one transaction.
import type { AuditEntry } from '../../../server/domain/lead';
import { createLeadStore, likePrefix, type LeadStore } from '../../../server/store/lead-store';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { leadFields } from '../helpers/leads';
import { seedPeople, type TestPeople } from '../helpers/people';

let tdb: TestDatabase;
let store: LeadStore;
let p: TestPeople;
beforeAll(async () => {
  tdb = await openTestDatabase();
  store = createLeadStore(tdb.db);
}, 60_000);
afterAll(() => tdb.close());
beforeEach(async () => {
  await tdb.reset();
  p = await seedPeople(tdb.db);
});

const at = new Date('2026-11-03T10:00:00Z');
const created = (actorId: string): Omit<AuditEntry, 'entityId'> => ({ entity: 'lead', actorId, at, from: null, to: 'new', reasonCode: null, reasonText: null });

async function addLead(name: string, company: string, email: string, teamId = 'north', sdrId = p.sdr1.id) {
  return store.create({ teamId, ownerId: sdrId, sdrId, fields: leadFields({ contactName: name, companyName: company, email, webDomain: email.split('@')[1] ?? null }) }, created(sdrId));
}

describe('lead store', () => {
  it('creates a lead with status new and a "created" audit line', async () => {
    const lead = await addLead('Jane Doe', 'Acme', 'jane@acme.com');
    expect(lead).toMatchObject({ status: 'new', ownerId: p.sdr1.id, sdrId: p.sdr1.id, aeId: null, version: 1, competitors: ['Legacy MES'] });
    expect(await store.get(lead.id)).toEqual(lead);
    const trail = await store.auditTrail('lead', lead.id);
    expect(trail).toEqual([{ entity: 'lead', entityId: lead.id, actorId: p.sdr1.id, at, from: null, to: 'new', reasonCode: null, reasonText: null }]);
  });

  it('refuses a second lead with the same email and keeps the first intact', async () => {
    const first = await addLead('Jane Doe', 'Acme', 'jane@acme.com');
    await expect(addLead('Other', 'Other Co', 'jane@acme.com', 'north', p.sdr2.id)).rejects.toThrow();
    expect(await store.get(first.id)).toEqual(first);
    expect(await store.auditTrail('lead', first.id)).toHaveLength(1);
  });

  it('finds a prefix of the contact name, the company or the email, case-insensitively, in name order', async () => {
    await addLead('Zoe Adams', 'Beta Corp', 'zoe@beta.com');
    await addLead('Adam Smith', 'Gamma', 'adam@gamma.com');
    await addLead('Carl Jones', 'Adamant Inc', 'carl@adamant.com');
    await addLead('Dora Lee', 'Delta', 'adams.d@delta.com');
    await addLead('Eve Brown', 'Epsilon', 'eve@epsilon.com');
    const { items, hasMore } = await store.search({ scope: { kind: 'team', teamId: 'north' }, prefix: 'ADAM', limit: 10, offset: 0 });
    expect(items.map((l) => l.contactName)).toEqual(['Adam Smith', 'Carl Jones', 'Dora Lee']);
    expect(hasMore).toBe(false);
  });

  it('pages through results without gaps or repeats', async () => {
    for (let i = 0; i < 7; i++) await addLead(`Kim ${String(i)}`, `Co ${String(i)}`, `kim${String(i)}@co${String(i)}.com`);
    const seen: string[] = [];
    let offset = 0;
    for (;;) {
      const page = await store.search({ scope: { kind: 'team', teamId: 'north' }, prefix: 'kim', limit: 3, offset });
      seen.push(...page.items.map((l) => l.contactName));
      if (!page.hasMore) break;
      offset += 3;
    }
    expect(seen).toEqual(['Kim 0', 'Kim 1', 'Kim 2', 'Kim 3', 'Kim 4', 'Kim 5', 'Kim 6']);
  });

  it('keeps search inside the scope: a team sees its own, an AE only what was handed to them', async () => {
    const north = await addLead('Ann North', 'N Co', 'ann@n.com');
    await addLead('Ann South', 'S Co', 'ann@s.com', 'south', p.southSdr.id);
    const team = await store.search({ scope: { kind: 'team', teamId: 'north' }, prefix: 'ann', limit: 10, offset: 0 });
    expect(team.items.map((l) => l.id)).toEqual([north.id]);
    const ae = await store.search({ scope: { kind: 'ae', aeId: p.ae1.id }, prefix: '', limit: 10, offset: 0 });
    expect(ae.items).toEqual([]);
    await store.transition(north.id, 1, { status: 'new', ownerId: p.sdr1.id, aeId: p.ae1.id, handBackReason: null, handBackText: null }, { ...created(p.sdr1.id), entityId: north.id, to: 'new' });
    const ae2 = await store.search({ scope: { kind: 'ae', aeId: p.ae1.id }, prefix: '', limit: 10, offset: 0 });
    expect(ae2.items.map((l) => l.id)).toEqual([north.id]);
    expect((await store.search({ scope: { kind: 'none' }, prefix: '', limit: 10, offset: 0 })).items).toEqual([]);
  });

  it('treats % and _ in the search text as literal characters', async () => {
    await addLead('Al_bert', 'X', 'al@x.com');
    await addLead('Alfred', 'Y', 'alf@y.com');
    expect(likePrefix('A_%')).toBe('a\\_\\%%');
    const r = await store.search({ scope: { kind: 'all' }, prefix: 'al_', limit: 10, offset: 0 });
    expect(r.items.map((l) => l.contactName)).toEqual(['Al_bert']);
    const none = await store.search({ scope: { kind: 'all' }, prefix: '%', limit: 10, offset: 0 });
    expect(none.items).toEqual([]);
  });

  it('finds leads by email or company domain with the owner name', async () => {
    const lead = await addLead('Jane Doe', 'Acme', 'jane@acme.com');
    const matches = await store.findMatches(['nobody@else.com'], ['acme.com']);
    expect(matches).toEqual([{ leadId: lead.id, email: 'jane@acme.com', webDomain: 'acme.com', ownerId: p.sdr1.id, ownerName: 'Sara' }]);
    expect(await store.findMatches([], [])).toEqual([]);
  });

  it("leaves out a lead found only by a domain the given user owns, never one found by its email", async () => {
    const mine = await addLead('Jane Doe', 'Acme', 'jane@acme.com');
    const theirs = await addLead('John Roe', 'Acme', 'john@acme.com', 'north', p.sdr2.id);
    const sorted = (ms: { email: string }[]) => [...ms].sort((a, b) => a.email.localeCompare(b.email));
    expect(sorted(await store.findMatches([], ['acme.com'], { domainOwnerOtherThan: p.sdr1.id }))).toEqual([
      { leadId: theirs.id, email: 'john@acme.com', webDomain: 'acme.com', ownerId: p.sdr2.id, ownerName: 'Sid' },
    ]);
    expect(sorted(await store.findMatches(['jane@acme.com'], ['acme.com'], { domainOwnerOtherThan: p.sdr1.id }))).toEqual([
      { leadId: mine.id, email: 'jane@acme.com', webDomain: 'acme.com', ownerId: p.sdr1.id, ownerName: 'Sara' },
      { leadId: theirs.id, email: 'john@acme.com', webDomain: 'acme.com', ownerId: p.sdr2.id, ownerName: 'Sid' },
    ]);
    expect(await store.findMatches(['jane@acme.com'], [], { domainOwnerOtherThan: p.sdr1.id })).toHaveLength(1);
  });

  it('finds the other owners of a domain whether their ids sort before or after the given user', async () => {
    const owners = [p.sdr1, p.sdr2, p.ae1].sort((a, b) => (a.id < b.id ? -1 : 1));
    const [low, middle, high] = owners as [(typeof owners)[0], (typeof owners)[0], (typeof owners)[0]];
    for (const [i, owner] of owners.entries()) await addLead(`Person ${String(i)}`, 'Acme', `person${String(i)}@acme.com`, 'north', owner.id);
    await addLead('Elsewhere', 'Beta', 'someone@beta.com', 'north', low.id);
    const found = await store.findMatches([], ['acme.com', 'beta.com'], { domainOwnerOtherThan: middle.id });
    expect(found.map((m) => m.ownerId).sort()).toEqual([low.id, high.id, low.id].sort());
    expect(found.filter((m) => m.ownerId === middle.id)).toEqual([]);
    // A lead found by its email and by its domain comes back once.
    expect(await store.findMatches(['person0@acme.com'], ['acme.com'])).toHaveLength(3);
  });

  it('refuses an update based on a stale version and keeps the newer data', async () => {
    const lead = await addLead('Jane Doe', 'Acme', 'jane@acme.com');
    const v2 = await store.updateFields(lead.id, 1, leadFields({ email: 'jane@acme.com', contactName: 'Jane D.' }), at);
    expect(v2).toMatchObject({ ok: true, lead: { version: 2, contactName: 'Jane D.' } });
    const stale = await store.updateFields(lead.id, 1, leadFields({ email: 'jane@acme.com', contactName: 'Lost write' }), at);
    expect(stale).toEqual({ ok: false, reason: 'version_conflict' });
    expect((await store.get(lead.id))?.contactName).toBe('Jane D.');
    expect(await store.updateFields('00000000-0000-0000-0000-000000000000', 1, leadFields(), at)).toEqual({ ok: false, reason: 'not_found' });
  });

  it('writes a transition and its audit line together, or neither', async () => {
    const lead = await addLead('Jane Doe', 'Acme', 'jane@acme.com');
    const audit: AuditEntry = { entity: 'lead', entityId: lead.id, actorId: p.ae1.id, at, from: 'suspect', to: 'handed_back', reasonCode: 'no_budget', reasonText: 'Budget frozen until Q3' };
    const change = { status: 'handed_back' as const, ownerId: p.sdr1.id, aeId: p.ae1.id, handBackReason: 'no_budget', handBackText: 'Budget frozen until Q3' };
    const done = await store.transition(lead.id, 1, change, audit);
    expect(done).toMatchObject({ ok: true, lead: { status: 'handed_back', handBackReason: 'no_budget', version: 2 } });
    expect((await store.auditTrail('lead', lead.id)).map((a) => a.to)).toEqual(['new', 'handed_back']);

    // A broken audit line (unknown actor) rolls the status change back.
    const bad = { ...audit, actorId: '00000000-0000-0000-0000-000000000000', to: 'nurture' };
    await expect(store.transition(lead.id, 2, { ...change, status: 'nurture' }, bad)).rejects.toThrow();
    expect((await store.get(lead.id))?.status).toBe('handed_back');
    expect(await store.auditTrail('lead', lead.id)).toHaveLength(2);
    expect(await store.transition(lead.id, 1, change, audit)).toEqual({ ok: false, reason: 'version_conflict' });
  });
});
