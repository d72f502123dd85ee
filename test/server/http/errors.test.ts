// The one error body, whatever fails: schema validation (naming the field), unknown fields, body limit, bad JSON,
// and an unexpected failure (500, logged once with the request id, nothing leaked).
import { bodyLimitBytes, call, errorOf, qualifiedLead, startHarness, type Harness, type Org } from './harness';

let h: Harness;
let org: Org;

beforeAll(async () => {
  // A lead store whose search fails for one query: the 500 path, through the real app, without mocking a module.
  h = await startHarness({
    override: (deps) => ({
      ...deps,
      leadStore: {
        ...deps.leadStore,
        search: (query) =>
          query.prefix === 'boom'
            ? Promise.reject(new Error('connection to db-secret-host:5432 refused'))
            : deps.leadStore.search(query),
      },
    }),
  });
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  org = await h.reset();
});

describe('400', () => {
  it('unknown_field names the field of the body it refuses', async () => {
    const res = await call(h, org.emeaSdr, 'POST', '/api/leads', qualifiedLead({ favouriteColour: 'teal' }));
    expect(res.statusCode).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'unknown_field', field: 'favouriteColour' });
    expect(await h.leads.search({ scope: { kind: 'all' }, prefix: '', limit: 10, offset: 0 })).toEqual({ items: [], hasMore: false });
  });

  it('unknown_field in a PATCH and in a query string', async () => {
    const created = await call(h, org.emeaSdr, 'POST', '/api/leads', qualifiedLead());
    const id = (created.data as { id: string }).id;
    const patch = await call(h, org.emeaSdr, 'PATCH', `/api/leads/${id}`, { version: 1, ownerId: org.emeaSdr2.id });
    expect(errorOf(patch)).toMatchObject({ code: 'unknown_field', field: 'ownerId' });
    const query = await call(h, org.emeaSdr, 'GET', '/api/leads?q=a&sort=name');
    expect(query.statusCode).toBe(400);
    expect(errorOf(query)).toMatchObject({ code: 'unknown_field', field: 'sort' });
  });

  it('invalid_request names the field for a wrong type, a bad query value or a bad id', async () => {
    const type = await call(h, org.emeaSdr, 'POST', '/api/leads', qualifiedLead({ employeeCount: 'lots' }));
    expect(type.statusCode).toBe(400);
    expect(errorOf(type)).toMatchObject({ code: 'invalid_request', field: 'employeeCount' });

    const nested = await call(h, org.emeaSdr, 'POST', '/api/leads', qualifiedLead({ competitors: ['Acme', 7] }));
    expect(errorOf(nested)).toMatchObject({ code: 'invalid_request', field: 'competitors.1' });

    for (const limit of ['0', '101', 'x']) {
      const res = await call(h, org.emeaSdr, 'GET', `/api/leads?limit=${limit}`);
      expect(res.statusCode).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: 'invalid_request', field: 'limit' });
    }
    const id = await call(h, org.emeaSdr, 'GET', '/api/leads/not-a-uuid');
    expect(errorOf(id)).toMatchObject({ code: 'invalid_request', field: 'id' });
  });

  it('invalid_request from the domain names the first bad field and lists all of them', async () => {
    const res = await call(h, org.emeaSdr, 'POST', '/api/leads', qualifiedLead({ email: 'not-an-email', phone: '12', contactName: ' ' }));
    expect(res.statusCode).toBe(400);
    const error = errorOf(res);
    expect(error).toMatchObject({ code: 'invalid_request', field: 'contactName' });
    expect((error['details'] as { field: string }[]).map((d) => d.field)).toEqual(['contactName', 'email', 'phone']);
  });

  it('a missing or non-JSON body', async () => {
    const missing = await call(h, org.emeaSdr, 'POST', '/api/leads');
    expect(missing.statusCode).toBe(400);
    expect(errorOf(missing).code).toBe('invalid_request');

    const token = await h.idp.sign(org.emeaSdr.entraOid);
    const broken = await h.app.inject({
      method: 'POST',
      url: '/api/leads',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: '{"contactName": ',
    });
    expect(broken.statusCode).toBe(400);
    expect(JSON.parse(broken.body)).toEqual({ error: { code: 'invalid_request', message: expect.any(String) as string } });
  });
});

it('413 payload_too_large over the body limit', async () => {
  const res = await call(h, org.emeaSdr, 'POST', '/api/leads', qualifiedLead({ notes: 'x'.repeat(bodyLimitBytes) }));
  expect(res.statusCode).toBe(413);
  expect(errorOf(res).code).toBe('payload_too_large');
});

it('500 internal: no detail leaves, the error is logged once with the request id', async () => {
  const res = await call(h, org.emeaSdr, 'GET', '/api/leads?q=boom');
  expect(res.statusCode).toBe(500);
  expect(errorOf(res).code).toBe('internal');
  expect(res.body).not.toContain('db-secret-host');
  const requestId = res.headers['x-request-id'];
  expect(typeof requestId).toBe('string');
  expect(errorOf(res).message).toContain(String(requestId));

  const errorLines = h.logLines.map((l) => JSON.parse(l) as { level: number; reqId?: string; err?: { message: string } }).filter((l) => l.level >= 50);
  expect(errorLines).toHaveLength(1);
  expect(errorLines[0]).toMatchObject({ reqId: requestId, err: { message: expect.stringContaining('db-secret-host') as string } });
});
