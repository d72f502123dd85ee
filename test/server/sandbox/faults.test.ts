// Throttling and injected faults as a Graph client sees them: 429 with Retry-After at the 5th concurrent request
// on one mailbox and past 10,000 requests in 10 minutes, 429 storms, 503/504, latency, expired access and delta
// tokens; and the sandbox's control API (clock, faults, request counts, loopback only).
 
import { demoUsers, startSandboxHarness, type GraphAnswer, type SandboxHarness } from './harness';

let h: SandboxHarness;
let draws: number[] = [];
beforeAll(async () => {
  h = await startSandboxHarness({ random: () => draws.shift() ?? 0.99 });
});
afterAll(() => h.close());
beforeEach(() => {
  draws = [];
  h.sb.faults.reset();
});

/** Graph calls with a token fetched now: some tests move the sandbox clock past the harness token's lifetime. */
async function graph(...args: Parameters<SandboxHarness['graph']>): Promise<GraphAnswer> {
  const token = (await h.sb.identity.issueAppToken(h.sb.tenant.apps.server.clientId)).accessToken;
  const [method, url, body, headers] = args;
  return h.graph(method, url, body, { authorization: `Bearer ${token}`, ...headers });
}
const settingsOf = (user: string) => `/v1.0/users/${user}/mailboxSettings`;
const statuses = (answers: GraphAnswer[]) => answers.map((a) => a.status);

describe('Outlook limits', () => {
  it('answers the 5th concurrent request on one mailbox with 429 ApplicationThrottled and Retry-After', async () => {
    h.sb.faults.configure({ latencyMs: 400 });
    const answers = await Promise.all([
      ...Array.from({ length: 5 }, () => graph('GET', settingsOf(demoUsers.antonAe))),
      graph('GET', settingsOf(demoUsers.elenaAe)), // another mailbox has its own 4
      graph('GET', `/v1.0/users/${demoUsers.antonAe}`), // a directory read is not an Outlook request
    ]);
    expect(statuses(answers.slice(0, 5)).sort()).toEqual([200, 200, 200, 200, 429]);
    const throttled = answers.find((a) => a.status === 429);
    expect(throttled?.body.error.code).toBe('ApplicationThrottled');
    expect(Number(throttled?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(statuses(answers.slice(5))).toEqual([200, 200]);
    expect(h.sb.faults.stats().throttledConcurrency).toBe(1);
    // Slots are given back when responses close.
    h.sb.faults.configure({ latencyMs: 0 });
    expect(h.sb.faults.stats().inFlight).toEqual({});
    expect((await graph('GET', settingsOf(demoUsers.antonAe))).status).toBe(200);
  });

  it('counts the 4 per app across mailboxes when the scope is app', async () => {
    h.sb.faults.configure({ latencyMs: 400, concurrencyScope: 'app' });
    const users = [demoUsers.antonAe, demoUsers.elenaAe, demoUsers.jordanAe, demoUsers.priyaAe, demoUsers.sofiaSdr];
    const answers = await Promise.all(users.map((u) => graph('GET', settingsOf(u))));
    expect(statuses(answers).sort()).toEqual([200, 200, 200, 200, 429]);
  });

  it('answers 429 past the requests allowed per 10 minutes of sandbox time, until the window moves on', async () => {
    h.sb.faults.configure({ requestsPerWindow: 3 });
    const answers: GraphAnswer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await graph('GET', settingsOf(demoUsers.jordanAe)));
    expect(statuses(answers)).toEqual([200, 200, 200, 429]);
    expect(answers[3]?.body.error.code).toBe('ApplicationThrottled');
    const retryAfter = Number(answers[3]?.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(590);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect((await graph('GET', settingsOf(demoUsers.priyaAe))).status).toBe(200); // per mailbox
    h.sb.clock.advance(10 * 60_000);
    expect((await graph('GET', settingsOf(demoUsers.jordanAe))).status).toBe(200);
  });
});

describe('injected faults', () => {
  it('throws a 429 storm for the next N requests, with Graph throttling body and Retry-After', async () => {
    h.sb.faults.configure({ throttle: { count: 2, retryAfterSeconds: 3 } });
    const answers = [await graph('GET', `/v1.0/users/${demoUsers.antonAe}`), await graph('GET', '/v1.0/subscriptions'), await graph('GET', `/v1.0/users/${demoUsers.antonAe}`)];
    expect(statuses(answers)).toEqual([429, 429, 200]);
    expect(answers[0]?.body.error).toMatchObject({ code: 'TooManyRequests', message: 'Please retry again later.' });
    expect(answers[0]?.headers['retry-after']).toBe('3');
  });

  it.each([
    [503, 'ServiceUnavailable'],
    [504, 'GatewayTimeout'],
  ] as const)('answers %i %s for the next N requests', async (status, code) => {
    h.sb.faults.configure({ serverErrors: { count: 2, status, retryAfterSeconds: status === 503 ? 5 : null } });
    const answers = [await graph('GET', settingsOf(demoUsers.antonAe)), await graph('GET', settingsOf(demoUsers.antonAe)), await graph('GET', settingsOf(demoUsers.antonAe))];
    expect(statuses(answers)).toEqual([status, status, 200]);
    expect(answers[0]?.body.error.code).toBe(code);
    if (status === 503) expect(answers[0]?.headers['retry-after']).toBe('5');
  });

  it('hits a share of requests, drawn from the injected random source, and only the mailbox named', async () => {
    h.sb.faults.configure({ serverErrors: { share: 0.5, mailbox: demoUsers.elenaAe } });
    draws = [0.7, 0.2, 0.4, 0.6];
    const answers: GraphAnswer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await graph('GET', settingsOf(demoUsers.elenaAe)));
    answers.push(await graph('GET', settingsOf(demoUsers.antonAe)));
    expect(statuses(answers)).toEqual([200, 503, 503, 200, 200]);
  });

  it('adds latency', async () => {
    h.sb.faults.configure({ latencyMs: 120 });
    const t0 = Date.now();
    await graph('GET', `/v1.0/users/${demoUsers.antonAe}`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
  });

  it('expires the access tokens issued so far (401), while a fresh one works', async () => {
    const old = h.appToken;
    h.sb.clock.advance(1_000);
    await h.sb.faults.trigger({ kind: 'expireTokens' });
    const refused = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}`, undefined, { authorization: `Bearer ${old}` });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('InvalidAuthenticationToken');
    expect((await graph('GET', `/v1.0/users/${demoUsers.antonAe}`)).status).toBe(200);
  });

  it('expires delta tokens by forgetting the change feed', async () => {
    h.sb.changes.publish({ at: h.sb.clock.now(), userId: demoUsers.antonAe, kind: 'event', itemId: 'AAMkAe1', folderId: null, changeType: 'created' });
    await h.sb.faults.trigger({ kind: 'expireDeltaTokens' });
    expect(h.sb.changes.horizon()).toBe(h.sb.changes.head());
  });

  it('refuses a bad fault setting', () => {
    expect(() => h.sb.faults.configure({ notifications: { dropShare: 2 } })).toThrow();
    expect(() => h.sb.faults.configure({ concurrencyScope: 'tenant' })).toThrow();
    expect(h.sb.faults.settings().concurrencyScope).toBe('mailbox');
  });
});

describe('control API', () => {
  const control = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, remoteAddress = '127.0.0.1') =>
    h.app.inject({ method, url: `/sandbox/control${url}`, remoteAddress, ...(payload === undefined ? {} : { payload: payload as object }) });

  it('reads, advances and sets the clock', async () => {
    const before = (await control('GET', '/clock')).json<{ now: string }>();
    const advanced = (await control('POST', '/clock/advance', { minutes: 90 })).json<{ now: string }>();
    expect(new Date(advanced.now).getTime() - new Date(before.now).getTime()).toBeGreaterThanOrEqual(90 * 60_000);
    const target = new Date(new Date(advanced.now).getTime() + 86_400_000).toISOString();
    expect((await control('PUT', '/clock', { now: target })).json<{ now: string }>().now.slice(0, 16)).toBe(target.slice(0, 16));
    expect((await control('PUT', '/clock', { now: '2020-01-01T00:00:00Z' })).statusCode).toBe(400);
    expect((await control('POST', '/clock/advance', {})).statusCode).toBe(400);
  });

  it('gets, patches and resets the faults, and triggers actions', async () => {
    const patched = await control('PATCH', '/faults', { latencyMs: 5, notifications: { dropShare: 0.25 } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ settings: { latencyMs: 5, notifications: { dropShare: 0.25, duplicateShare: 0 }, concurrentRequests: 4, requestsPerWindow: 10_000 } });
    expect((await control('GET', '/faults')).json()).toMatchObject({ settings: { latencyMs: 5 }, stats: { throttledConcurrency: 0 } });
    expect((await control('PATCH', '/faults', { latencyMs: -1 })).statusCode).toBe(400);
    expect((await control('PATCH', '/faults', { unknown: true })).statusCode).toBe(400);
    expect((await control('DELETE', '/faults')).json()).toMatchObject({ settings: { latencyMs: 0 } });
    expect((await control('POST', '/faults/actions', { kind: 'expireDeltaTokens' })).statusCode).toBe(204);
    expect((await control('POST', '/faults/actions', { kind: 'explode' })).statusCode).toBe(400);
  });

  it('gives the request counts, subscriptions and pending deliveries', async () => {
    await control('DELETE', '/requests');
    await graph('GET', `/v1.0/users/${demoUsers.antonAe}`);
    const counts = (await control('GET', '/requests')).json<{ total: number; byMailbox: Record<string, number> }>();
    expect(counts.total).toBe(1);
    expect(counts.byMailbox[demoUsers.antonAe]).toBe(1);
    expect((await control('GET', '/subscriptions')).json()).toEqual({ value: [] });
    expect((await control('GET', '/deliveries')).json()).toMatchObject({ pending: [], stats: { delivered: 0 } });
  });

  it('refuses callers that are not on loopback, and needs no Graph token', async () => {
    const remote = await control('GET', '/clock', undefined, '10.0.0.7');
    expect(remote.statusCode).toBe(403);
    expect((await control('GET', '/clock', undefined, '::1')).statusCode).toBe(200);
  });
});
