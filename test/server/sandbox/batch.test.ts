// JSON batching as Graph answers it: inner requests run through the same app (auth, faults, request log), a status
// and `Content-Type` header per inner response, dependsOn with 424 for dependents of a failure, the 20-request
// limit, at most 4 at once, and the official Graph client's BatchResponseContent reading the answer.
 
import { BatchResponseContent } from '@microsoft/microsoft-graph-client';
import { demoUsers, startSandboxHarness, type SandboxHarness } from './harness';

let h: SandboxHarness;
beforeAll(async () => {
  h = await startSandboxHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.sb.faults.reset();
  h.sb.requestLog.clear();
});

const get = (id: string, url: string, extra: Record<string, unknown> = {}) => ({ id, method: 'GET', url, ...extra });

describe('$batch', () => {
  it('runs each request through the app and answers a status, Content-Type and body per request', async () => {
    const r = await h.graph('POST', '/v1.0/$batch', {
      requests: [
        get('1', `/users/${demoUsers.antonAe}?$select=displayName`),
        get('2', `users/${demoUsers.elenaAe}/mailboxSettings`),
        get('3', `/v1.0/users('${demoUsers.sofiaSdr}')`),
        get('4', '/users/nobody@contoso-sales.example'),
      ],
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const [one, two, three, four] = r.body.responses;
    expect(one).toEqual({ id: '1', status: 200, headers: { 'Content-Type': 'application/json' }, body: expect.objectContaining({ displayName: 'Anton Weber', id: demoUsers.antonAe }) });
    expect(two).toMatchObject({ id: '2', status: 200, body: { timeZone: 'Europe/Rome' } });
    expect(three).toMatchObject({ id: '3', status: 200, body: { id: demoUsers.sofiaSdr } });
    expect(four).toMatchObject({ id: '4', status: 404, headers: { 'Content-Type': 'application/json' }, body: { error: { code: 'Request_ResourceNotFound' } } });
    for (const res of r.body.responses) expect(Object.keys(res.headers)).toEqual(['Content-Type']);

    const counts = h.sb.requestLog.counts();
    expect(counts.byEndpoint['POST /v1.0/$batch']).toBe(1);
    expect(counts.byEndpoint['GET /v1.0/users/:user']).toBe(3);
    expect(counts.byMailbox[demoUsers.elenaAe]).toBe(1);
  });

  it('is read by the official Graph client (BatchResponseContent)', async () => {
    const r = await h.graph('POST', '/v1.0/$batch', { requests: [get('a', `/users/${demoUsers.antonAe}`), get('b', '/users/nobody')] });
    const content = new BatchResponseContent(r.body);
    const a = content.getResponseById('a');
    expect(a.status).toBe(200);
    expect(((await a.json()) as { displayName: string }).displayName).toBe('Anton Weber');
    expect(content.getResponseById('b').status).toBe(404);
  });

  it('orders requests with dependsOn and fails the dependents of a failure with 424', async () => {
    const r = await h.graph('POST', '/v1.0/$batch', {
      requests: [
        get('1', `/users/${demoUsers.antonAe}`),
        get('2', '/users/nobody', { dependsOn: ['1'] }),
        get('4', `/users/${demoUsers.elenaAe}`, { dependsOn: ['2'] }),
        get('3', `/users/${demoUsers.liamSdr}`, { dependsOn: ['4'] }),
        get('5', `/users/${demoUsers.danaSdr}`, { dependsOn: ['1'] }),
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.responses.map((x: { id: string; status: number }) => [x.id, x.status])).toEqual([['1', 200], ['2', 404], ['4', 424], ['3', 424], ['5', 200]]);
    expect(r.body.responses[2].body.error.code).toBe('FailedDependency');
    // The dependents never ran: only 3 inner requests reached the app.
    expect(h.sb.requestLog.counts().byEndpoint['GET /v1.0/users/:user']).toBe(3);
  });

  it('accepts 20 requests and refuses 21 (400)', async () => {
    const twenty = Array.from({ length: 20 }, (_, i) => get(String(i + 1), `/users/${demoUsers.antonAe}?$select=id`));
    const ok = await h.graph('POST', '/v1.0/$batch', { requests: twenty });
    expect(ok.status).toBe(200);
    expect(ok.body.responses).toHaveLength(20);
    expect(ok.body.responses.every((x: { status: number }) => x.status === 200)).toBe(true);
    const over = await h.graph('POST', '/v1.0/$batch', { requests: [...twenty, get('21', '/users')] });
    expect(over.status).toBe(400);
    expect(over.body.error.code).toBe('BadRequest');
    expect(over.body.error.message).toMatch(/20/);
  });

  it('runs at most 4 requests at once, so a batch to one mailbox stays within its concurrency limit', async () => {
    h.sb.faults.configure({ latencyMs: 40 });
    const started = Date.now();
    const r = await h.graph('POST', '/v1.0/$batch', { requests: Array.from({ length: 8 }, (_, i) => get(String(i), `/users/${demoUsers.antonAe}/mailboxSettings`)) });
    expect(r.body.responses.map((x: { status: number }) => x.status)).toEqual(Array(8).fill(200));
    expect(Date.now() - started).toBeGreaterThanOrEqual(75); // two waves of 4
  });

  it('sends the body of write requests and keeps Retry-After of throttled inner requests', async () => {
    h.sb.faults.configure({ throttle: { count: 1, retryAfterSeconds: 7 } });
    const r = await h.graph('POST', '/v1.0/$batch', {
      requests: [
        get('1', `/users/${demoUsers.antonAe}/mailboxSettings`),
        { id: '2', method: 'PATCH', url: `/users/${demoUsers.antonAe}/mailboxSettings`, headers: { 'Content-Type': 'application/json' }, body: { timeZone: 'Pacific Standard Time' }, dependsOn: ['1'] },
      ],
    });
    expect(r.body.responses[0]).toMatchObject({ status: 429, headers: { 'Retry-After': '7', 'Content-Type': 'application/json' }, body: { error: { code: 'TooManyRequests' } } });
    expect(r.body.responses[1].status).toBe(424);
    h.sb.faults.reset();
    const patch = await h.graph('POST', '/v1.0/$batch', {
      requests: [{ id: '1', method: 'PATCH', url: `/users/${demoUsers.meganManager}/mailboxSettings`, headers: { 'Content-Type': 'application/json' }, body: { dateFormat: 'dd.MM.yyyy' } }],
    });
    expect(patch.body.responses[0].status).toBe(403); // the app may only read mailbox settings: the inner call was authorised as the app
  });

  it('answers injected 503s per inner request, not for the whole batch', async () => {
    h.sb.faults.configure({ serverErrors: { count: 1, status: 503 } });
    const r = await h.graph('POST', '/v1.0/$batch', { requests: [get('1', `/users/${demoUsers.antonAe}`), get('2', `/users/${demoUsers.antonAe}`, { dependsOn: ['1'] })] });
    expect(r.status).toBe(200);
    expect(r.body.responses.map((x: { status: number }) => x.status)).toEqual([503, 424]);
    expect(r.body.responses[0].body.error.code).toBe('ServiceUnavailable');
  });

  const malformed: Array<[string, unknown]> = [
    ['no requests array', { value: [] }],
    ['a request without id', { requests: [{ method: 'GET', url: '/users' }] }],
    ['duplicate ids', { requests: [get('1', '/users'), get('1', '/users')] }],
    ['an unknown method', { requests: [{ id: '1', method: 'FETCH', url: '/users' }] }],
    ['a dependsOn to an unknown id', { requests: [get('1', '/users', { dependsOn: ['9'] })] }],
    ['a dependsOn cycle', { requests: [get('1', '/users', { dependsOn: ['2'] }), get('2', '/users', { dependsOn: ['1'] })] }],
    ['malformed JSON', '{"requests": ['],
  ];
  it.each(malformed)('refuses %s with 400', async (_name, body) => {
    const r = await h.graph('POST', '/v1.0/$batch', body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('BadRequest');
  });

  it('answers 400 for an inner absolute URL or a nested batch, 401 without a token', async () => {
    const r = await h.graph('POST', '/v1.0/$batch', { requests: [get('1', 'https://graph.microsoft.com/v1.0/users'), { id: '2', method: 'POST', url: '/$batch', body: { requests: [] } }] });
    expect(r.body.responses.map((x: { status: number }) => x.status)).toEqual([400, 400]);
    const anonymous = await h.app.inject({ method: 'POST', url: '/v1.0/$batch', payload: { requests: [] } });
    expect(anonymous.statusCode).toBe(401);
  });
});
