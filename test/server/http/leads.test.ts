// /api/leads through the real app and database: create and "never the same lead twice", who sees what, search
// paging, edits with versions, status transitions and their audit trail.
import type { LeadDto, LeadPage, AuditTrailDto } from '../../../server/http/contract';
import type { User } from '../../../server/domain/people';
import { call, errorOf, qualifiedLead, startHarness, type ApiResponse, type Harness, type Org } from './harness';

let h: Harness;
let org: Org;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  org = await h.reset();
});

const lead = (res: ApiResponse): LeadDto => res.data as LeadDto;

async function createLead(as: User, overrides: Record<string, unknown> = {}): Promise<LeadDto> {
  const res = await call(h, as, 'POST', '/api/leads', qualifiedLead(overrides));
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return lead(res);
}

async function move(as: User, id: string, to: string, extra: Record<string, unknown> = {}): Promise<ApiResponse> {
  return call(h, as, 'POST', `/api/leads/${id}/transitions`, { to, ...extra });
}

/** new → working → qualified → suspect (handed to the SDR's primary AE). */
async function handOff(as: User, id: string): Promise<LeadDto> {
  for (const to of ['working', 'qualified', 'suspect']) {
    const res = await move(as, id, to);
    if (res.statusCode !== 200) throw new Error(`${to} failed: ${res.body}`);
  }
  return lead(await call(h, as, 'GET', `/api/leads/${id}`));
}

describe('POST /api/leads', () => {
  it('creates a lead owned by the SDR, normalised, with its qualification and an audit line', async () => {
    const res = await call(h, org.emeaSdr, 'POST', '/api/leads', qualifiedLead({ email: 'Grace@Acme-Widgets.com', country: 'United States' }));
    expect(res.statusCode).toBe(201);
    const created = lead(res);
    expect(res.headers['location']).toBe(`/api/leads/${created.id}`);
    expect(created).toMatchObject({
      teamId: 'emea',
      ownerId: org.emeaSdr.id,
      sdrId: org.emeaSdr.id,
      aeId: null,
      status: 'new',
      email: 'grace@acme-widgets.com',
      webDomain: 'acme-widgets.com',
      country: 'US',
      version: 1,
      createdAt: '2026-11-24T09:00:00.000Z',
      qualification: { qualified: true, missing: [] },
    });
    const audit = await call(h, org.emeaSdr, 'GET', `/api/leads/${created.id}/audit`);
    expect((audit.data as AuditTrailDto).items).toEqual([
      { entity: 'lead', entityId: created.id, actorId: org.emeaSdr.id, at: '2026-11-24T09:00:00.000Z', from: null, to: 'new', reasonCode: null, reasonText: null },
    ]);
  });

  it('reports what the lead lacks to qualify', async () => {
    const created = await createLead(org.emeaSdr, { phone: null, decisionMaker: false });
    expect(created.qualification).toEqual({
      qualified: false,
      missing: [
        { field: 'phone', rule: 'required', label: 'Phone' },
        { field: 'decisionMaker', rule: 'decision_maker', label: 'Talking to a decision maker' },
      ],
    });
  });

  it('lets a manager create for an SDR of their team, not of another team; an SDR only for themself; an AE not at all', async () => {
    const forSdr = await call(h, org.emeaManager, 'POST', '/api/leads', qualifiedLead({ ownerId: org.emeaSdr2.id }));
    expect(forSdr.statusCode).toBe(201);
    expect(lead(forSdr)).toMatchObject({ ownerId: org.emeaSdr2.id, sdrId: org.emeaSdr2.id, teamId: 'emea' });

    const otherTeam = await call(h, org.emeaManager, 'POST', '/api/leads', qualifiedLead({ email: 'x@initech.com', ownerId: org.amerSdr.id }));
    expect(otherTeam.statusCode).toBe(400);
    expect(errorOf(otherTeam)).toMatchObject({ code: 'invalid_owner', field: 'ownerId' });

    const sdrForOther = await call(h, org.emeaSdr, 'POST', '/api/leads', qualifiedLead({ email: 'y@initech.com', ownerId: org.emeaSdr2.id }));
    expect(sdrForOther.statusCode).toBe(403);

    const ae = await call(h, org.emeaAe, 'POST', '/api/leads', qualifiedLead({ email: 'z@initech.com' }));
    expect(ae.statusCode).toBe(403);
    expect(errorOf(ae).code).toBe('forbidden');

    const admin = await call(h, org.admin, 'POST', '/api/leads', qualifiedLead({ email: 'w@initech.com', website: null, ownerId: org.amerSdr.id }));
    expect(admin.statusCode).toBe(201);
    expect(lead(admin)).toMatchObject({ ownerId: org.amerSdr.id, teamId: 'amer' });
  });

  describe('never the same lead twice', () => {
    it('409 lead_owned_elsewhere for the same email, naming the owner', async () => {
      const first = await createLead(org.emeaSdr);
      const res = await call(h, org.amerSdr, 'POST', '/api/leads', qualifiedLead({ email: 'GRACE@acme-widgets.com', website: null }));
      expect(res.statusCode).toBe(409);
      expect(errorOf(res)).toMatchObject({
        code: 'lead_owned_elsewhere',
        field: 'email',
        owner: { id: org.emeaSdr.id, name: 'Sam Sdr' },
        leadId: first.id,
      });
      expect(errorOf(res).message).toContain('Sam Sdr');
    });

    it('409 lead_owned_elsewhere for another contact of a company someone else pursues (by domain)', async () => {
      await createLead(org.emeaSdr);
      const res = await call(h, org.amerSdr, 'POST', '/api/leads', qualifiedLead({ contactName: 'Linus', email: 'linus@acme-widgets.com', website: null }));
      expect(res.statusCode).toBe(409);
      expect(errorOf(res)).toMatchObject({ code: 'lead_owned_elsewhere', field: 'webDomain', owner: { id: org.emeaSdr.id, name: 'Sam Sdr' } });

      // The same SDR may add a second contact of the company they already pursue.
      const mine = await call(h, org.emeaSdr, 'POST', '/api/leads', qualifiedLead({ contactName: 'Linus', email: 'linus@acme-widgets.com' }));
      expect(mine.statusCode).toBe(201);
    });

    it('409 duplicate_lead when the owner adds the same email again', async () => {
      const first = await createLead(org.emeaSdr);
      const res = await call(h, org.emeaSdr, 'POST', '/api/leads', qualifiedLead());
      expect(res.statusCode).toBe(409);
      expect(errorOf(res)).toMatchObject({ code: 'duplicate_lead', leadId: first.id });
    });

    it('free-mail domains never conflict', async () => {
      const a = await createLead(org.emeaSdr, { email: 'grace.h@gmail.com', website: null });
      expect(a.webDomain).toBeNull();
      const b = await call(h, org.amerSdr, 'POST', '/api/leads', qualifiedLead({ email: 'linus.t@gmail.com', website: null, companyName: 'Other Co' }));
      expect(b.statusCode).toBe(201);
    });
  });
});

describe('who sees which lead', () => {
  it("another team's lead is 404 with no lead data, on every route", async () => {
    const theirs = await createLead(org.emeaSdr, { contactName: 'Secret Person', email: 'secret@acme-widgets.com' });
    const requests: [string, string, unknown?][] = [
      ['GET', `/api/leads/${theirs.id}`],
      ['GET', `/api/leads/${theirs.id}/audit`],
      ['PATCH', `/api/leads/${theirs.id}`, { version: 1, notes: 'mine now' }],
      ['POST', `/api/leads/${theirs.id}/transitions`, { to: 'working' }],
    ];
    for (const [method, url, body] of requests) {
      const res = await call(h, org.amerSdr, method as 'GET', url, body);
      expect(res.statusCode).toBe(404);
      expect(errorOf(res).code).toBe('not_found');
      expect(res.body).not.toMatch(/Secret Person|secret@|acme-widgets/);
    }
    // Same answer as for a lead that does not exist.
    const none = await call(h, org.amerSdr, 'GET', '/api/leads/00000000-0000-4000-8000-000000000000');
    expect(none.statusCode).toBe(404);
    expect(none.data).toEqual((await call(h, org.amerSdr, 'GET', `/api/leads/${theirs.id}`)).data);

    const search = await call(h, org.amerSdr, 'GET', '/api/leads?q=secret');
    expect((search.data as LeadPage).items).toEqual([]);
  });

  it('an AE sees only the leads handed to them', async () => {
    const handed = await createLead(org.emeaSdr, { contactName: 'Handed Over', email: 'h@acme-widgets.com' });
    const kept = await createLead(org.emeaSdr, { contactName: 'Kept Back', email: 'k@acme-widgets.com' });
    await handOff(org.emeaSdr, handed.id);

    const mine = await call(h, org.emeaAe, 'GET', '/api/leads');
    expect((mine.data as LeadPage).items.map((l) => l.id)).toEqual([handed.id]);
    expect((await call(h, org.emeaAe, 'GET', `/api/leads/${handed.id}`)).statusCode).toBe(200);
    expect((await call(h, org.emeaAe, 'GET', `/api/leads/${kept.id}`)).statusCode).toBe(404);

    const other = await call(h, org.emeaAe2, 'GET', '/api/leads');
    expect((other.data as LeadPage).items).toEqual([]);
    expect((await call(h, org.emeaAe2, 'GET', `/api/leads/${handed.id}`)).statusCode).toBe(404);

    // Managers see their team's, admins everything.
    expect((await call(h, org.emeaManager, 'GET', '/api/leads')).data).toMatchObject({ items: [{}, {}] });
    expect((await call(h, org.amerManager, 'GET', '/api/leads')).data).toMatchObject({ items: [] });
    expect((await call(h, org.admin, 'GET', '/api/leads')).data).toMatchObject({ items: [{}, {}] });
  });
});

describe('GET /api/leads', () => {
  it('pages through a prefix search on contact name, company and email', async () => {
    const names = ['Ada Lovelace', 'Adam Smith', 'Adele Goldberg', 'Adrian Mole', 'Bob Adams'];
    for (const [i, name] of names.entries()) {
      await createLead(org.emeaSdr, { contactName: name, email: `person${i}@firm${i}.com`, website: null, companyName: `Firm ${i}` });
    }
    const page1 = (await call(h, org.emeaSdr, 'GET', '/api/leads?q=ad&limit=2')).data as LeadPage;
    expect(page1.items.map((l) => l.contactName)).toEqual(['Ada Lovelace', 'Adam Smith']);
    expect(page1).toMatchObject({ hasMore: true, nextOffset: 2 });
    const page2 = (await call(h, org.emeaSdr, 'GET', `/api/leads?q=ad&limit=2&offset=${page1.nextOffset ?? 0}`)).data as LeadPage;
    expect(page2.items.map((l) => l.contactName)).toEqual(['Adele Goldberg', 'Adrian Mole']);
    expect(page2).toMatchObject({ hasMore: false, nextOffset: null });

    const byCompany = (await call(h, org.emeaSdr, 'GET', '/api/leads?q=FIRM%203')).data as LeadPage;
    expect(byCompany.items.map((l) => l.contactName)).toEqual(['Adrian Mole']);
    const byEmail = (await call(h, org.emeaSdr, 'GET', '/api/leads?q=person4@')).data as LeadPage;
    expect(byEmail.items.map((l) => l.contactName)).toEqual(['Bob Adams']);

    const all = (await call(h, org.emeaSdr, 'GET', '/api/leads')).data as LeadPage;
    expect(all.items).toHaveLength(5);
    expect(all).toMatchObject({ hasMore: false, nextOffset: null });
    expect(all.items[0]?.qualification).toEqual({ qualified: true, missing: [] });
  });
});

describe('PATCH /api/leads/:id', () => {
  it('edits with the version read; a stale version is 409 version_conflict', async () => {
    const created = await createLead(org.emeaSdr, { phone: null });
    h.clock.advance(60_000);
    const first = await call(h, org.emeaSdr, 'PATCH', `/api/leads/${created.id}`, { version: 1, phone: '+49 30 901820' });
    expect(first.statusCode).toBe(200);
    expect(lead(first)).toMatchObject({ version: 2, phone: '+4930901820', updatedAt: '2026-11-24T09:01:00.000Z', qualification: { qualified: true } });

    const stale = await call(h, org.emeaManager, 'PATCH', `/api/leads/${created.id}`, { version: 1, notes: 'late edit' });
    expect(stale.statusCode).toBe(409);
    expect(errorOf(stale)).toMatchObject({ code: 'version_conflict', field: 'version' });
    expect(lead(await call(h, org.emeaSdr, 'GET', `/api/leads/${created.id}`)).notes).toBeNull();
  });

  it('re-validates the merged lead and refuses an edit by who may not edit', async () => {
    const created = await createLead(org.emeaSdr);
    const bad = await call(h, org.emeaSdr, 'PATCH', `/api/leads/${created.id}`, { version: 1, email: 'nope' });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad)).toMatchObject({ code: 'invalid_request', field: 'email' });

    const colleague = await call(h, org.emeaSdr2, 'PATCH', `/api/leads/${created.id}`, { version: 1, notes: 'x' });
    expect(colleague.statusCode).toBe(403);
    expect(errorOf(colleague).code).toBe('forbidden');
  });

  it('re-runs the duplicate check when the email or company changes', async () => {
    await createLead(org.amerSdr, { contactName: 'Theirs', email: 'ceo@initech.com', website: null });
    const mine = await createLead(org.emeaSdr);
    const email = await call(h, org.emeaSdr, 'PATCH', `/api/leads/${mine.id}`, { version: 1, email: 'ceo@initech.com', website: null });
    expect(email.statusCode).toBe(409);
    expect(errorOf(email)).toMatchObject({ code: 'lead_owned_elsewhere', owner: { id: org.amerSdr.id, name: 'Tom Sdr' } });
    const domain = await call(h, org.emeaSdr, 'PATCH', `/api/leads/${mine.id}`, { version: 1, website: 'https://initech.com' });
    expect(domain.statusCode).toBe(409);
    expect(errorOf(domain)).toMatchObject({ code: 'lead_owned_elsewhere', field: 'webDomain' });
    // Its own email and domain are no conflict.
    const same = await call(h, org.emeaSdr, 'PATCH', `/api/leads/${mine.id}`, { version: 1, email: 'GRACE@acme-widgets.com', title: 'CEO' });
    expect(same.statusCode).toBe(200);
  });
});

describe('POST /api/leads/:id/transitions', () => {
  it('hands a lead off and back with the audit trail written for each move', async () => {
    const created = await createLead(org.emeaSdr);
    const suspect = await handOff(org.emeaSdr, created.id);
    expect(suspect).toMatchObject({ status: 'suspect', aeId: org.emeaAe.id, ownerId: org.emeaSdr.id, version: 4 });

    h.clock.advance(3_600_000);
    const noReason = await move(org.emeaAe, created.id, 'handed_back');
    expect(noReason.statusCode).toBe(409);
    expect(errorOf(noReason)).toMatchObject({ code: 'reason_required', field: 'reasonCode' });

    const back = await move(org.emeaAe, created.id, 'handed_back', { reasonCode: 'no_budget', reasonText: 'Budget frozen until Q3.' });
    expect(back.statusCode).toBe(200);
    expect(lead(back)).toMatchObject({ status: 'handed_back', ownerId: org.emeaSdr.id, handBackReason: 'no_budget', handBackText: 'Budget frozen until Q3.' });

    const trail = (await call(h, org.emeaSdr, 'GET', `/api/leads/${created.id}/audit`)).data as AuditTrailDto;
    expect(trail.items.map((e) => [e.from, e.to, e.actorId])).toEqual([
      [null, 'new', org.emeaSdr.id],
      ['new', 'working', org.emeaSdr.id],
      ['working', 'qualified', org.emeaSdr.id],
      ['qualified', 'suspect', org.emeaSdr.id],
      ['suspect', 'handed_back', org.emeaAe.id],
    ]);
    expect(trail.items[4]).toMatchObject({ at: '2026-11-24T10:00:00.000Z', reasonCode: 'no_budget', reasonText: 'Budget frozen until Q3.' });
  });

  it('an AE accepting makes the lead theirs', async () => {
    const created = await createLead(org.emeaSdr);
    await handOff(org.emeaSdr, created.id);
    const res = await move(org.emeaAe, created.id, 'sales_qualified');
    expect(res.statusCode).toBe(200);
    expect(lead(res)).toMatchObject({ status: 'sales_qualified', ownerId: org.emeaAe.id });
  });

  it('409 illegal_transition with the stable code; nothing written', async () => {
    const created = await createLead(org.emeaSdr);
    const res = await move(org.emeaSdr, created.id, 'sales_qualified');
    expect(res.statusCode).toBe(409);
    expect(errorOf(res).code).toBe('illegal_transition');
    const trail = (await call(h, org.emeaSdr, 'GET', `/api/leads/${created.id}/audit`)).data as AuditTrailDto;
    expect(trail.items).toHaveLength(1);
  });

  it('409 not_qualified with the missing criteria', async () => {
    const created = await createLead(org.emeaSdr, { needs: null });
    expect((await move(org.emeaSdr, created.id, 'working')).statusCode).toBe(200);
    const res = await move(org.emeaSdr, created.id, 'qualified');
    expect(res.statusCode).toBe(409);
    expect(errorOf(res)).toMatchObject({ code: 'not_qualified', missing: [{ field: 'needs', rule: 'required', label: 'Needs and pains' }] });
  });

  it('403 forbidden for a move the actor may not make', async () => {
    const created = await createLead(org.emeaSdr);
    const colleague = await move(org.emeaSdr2, created.id, 'working');
    expect(colleague.statusCode).toBe(403);
    expect(errorOf(colleague).code).toBe('forbidden');
    await handOff(org.emeaSdr, created.id);
    const sdrAccepts = await move(org.emeaSdr, created.id, 'sales_qualified');
    expect(sdrAccepts.statusCode).toBe(403);
  });

  it('hands off only to an AE paired with the SDR', async () => {
    const created = await createLead(org.emeaSdr);
    await move(org.emeaSdr, created.id, 'working');
    await move(org.emeaSdr, created.id, 'qualified');
    const unpaired = await move(org.emeaSdr, created.id, 'suspect', { aeId: org.emeaAe2.id });
    expect(unpaired.statusCode).toBe(409);
    expect(errorOf(unpaired)).toMatchObject({ code: 'ae_not_paired', field: 'aeId' });

    await h.people.unpair(org.emeaSdr.id, org.emeaAe.id);
    const none = await move(org.emeaSdr, created.id, 'suspect');
    expect(none.statusCode).toBe(409);
    expect(errorOf(none).code).toBe('no_pairing');
  });

  it('409 version_conflict when the version named is stale', async () => {
    const created = await createLead(org.emeaSdr);
    await call(h, org.emeaSdr, 'PATCH', `/api/leads/${created.id}`, { version: 1, notes: 'called twice' });
    const res = await move(org.emeaSdr, created.id, 'working', { version: 1 });
    expect(res.statusCode).toBe(409);
    expect(errorOf(res).code).toBe('version_conflict');
    expect((await move(org.emeaSdr, created.id, 'working', { version: 2 })).statusCode).toBe(200);
  });
});
