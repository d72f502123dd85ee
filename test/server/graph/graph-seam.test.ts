// The seam every Graph request passes, observed from outside against the sandbox's faults: Prefer headers on the
// wire, the concurrency cap, Retry-After on 429 storms, retries of idempotent requests only, no retry of sendMail,
// one event for a retried creation, expired delta and access tokens, msal refusals and network failures.
import net from 'node:net';
import { GatewayError } from '../../../server/domain/mailbox';
import { createGraphGateway } from '../../../server/graph/graph-gateway';
import { isRetrySafe, mailboxOf, withImmutableId } from '../../../server/graph/graph-seam';
import { demoUsers, startGraphTestbed, type GraphTestbed } from './sandbox-connection';

let bed: GraphTestbed;

beforeAll(async () => {
  bed = await startGraphTestbed();
});
afterAll(() => bed.running.close());
beforeEach(() => {
  bed.running.sandbox.faults.reset();
  bed.sleeps.length = 0;
});

const anton = 'anton.weber@contoso-sales.example';
const hour = 60 * 60 * 1000;
const sendMailCalls = () => bed.running.sandbox.requestLog.entries().filter((e) => e.method === 'POST' && e.url.endsWith('/sendMail'));

describe('the seam', () => {
  it('puts Prefer: IdType="ImmutableId" on every Graph request, merged with the Prefer the call set', async () => {
    const gateway = createGraphGateway(bed.connection);
    const from = bed.seen.length;
    const draft = await gateway.draftAndSend(demoUsers.sofiaSdr, { to: [{ address: anton }], subject: 'Prefer', html: 'p' });
    await gateway.getMessages(demoUsers.sofiaSdr, [draft.messageId]);
    await gateway.calendarView(demoUsers.antonAe, { start: new Date(Date.UTC(2026, 11, 1)), end: new Date(Date.UTC(2026, 11, 2)) });
    await gateway.mailboxSettings(demoUsers.antonAe);
    const graph = bed.seen.slice(from).filter((s) => s.path.startsWith('/v1.0/'));
    expect(graph.length).toBeGreaterThanOrEqual(5);
    for (const s of graph) expect(s.headers['prefer']).toMatch(/(^|, )IdType="ImmutableId"$/);
    expect(graph.find((s) => s.path.includes('/calendarView'))?.headers['prefer']).toBe('outlook.timezone="UTC", IdType="ImmutableId"');
    // The token rides along (customHosts holds the sandbox's bare hostname).
    for (const s of graph) expect(s.headers['authorization']).toMatch(/^Bearer /);
  });

  it('keys the cap by the mailbox of /users/{id}/…, lower-cased; merges Prefer values', () => {
    expect(mailboxOf('https://graph.microsoft.com/v1.0/users/Anton.Weber%40contoso.example/messages?$top=1')).toBe('anton.weber@contoso.example');
    expect(mailboxOf("/v1.0/users('ABC')/events")).toBe('abc');
    expect(mailboxOf('/v1.0/subscriptions/1')).toBeNull();
    expect(withImmutableId('odata.maxpagesize=2')).toBe('odata.maxpagesize=2, IdType="ImmutableId"');
    expect(withImmutableId(null)).toBe('IdType="ImmutableId"');
    expect(withImmutableId('IdType="ImmutableId"')).toBe('IdType="ImmutableId"');
  });

  it.each([
    ['GET', '/v1.0/users/a/messages', undefined, true],
    ['PATCH', '/v1.0/users/a/events/1', '{}', true],
    ['DELETE', '/v1.0/subscriptions/1', undefined, true],
    ['POST', '/v1.0/users/a/sendMail', '{"message":{}}', false],
    ['POST', '/v1.0/users/a/messages/1/send', '{}', false],
    ['POST', '/v1.0/users/a/messages', '{}', false],
    ['POST', '/v1.0/users/a/events', '{"subject":"x"}', false],
    ['POST', '/v1.0/users/a/events', '{"transactionId":"t"}', true],
    ['POST', '/v1.0/users/a/events/1/cancel', '{}', false],
    ['POST', '/v1.0/users/a/calendar/getSchedule', '{}', true],
    ['POST', '/v1.0/$batch', '{"requests":[{"id":"1","method":"GET","url":"/me"}]}', true],
    ['POST', '/v1.0/$batch', '{"requests":[{"id":"1","method":"GET","url":"/me"},{"id":"2","method":"POST","url":"/users/a/sendMail"}]}', false],
    ['POST', '/v1.0/subscriptions', '{}', false],
  ])('%s %s %s is retry-safe: %s', (method, url, body, safe) => {
    expect(isRetrySafe(method, `https://graph.microsoft.com${url}`, body)).toBe(safe);
  });

  it('caps concurrent requests to one mailbox at 4: 20 parallel reads, never more than 4 in flight, none throttled', async () => {
    bed.running.sandbox.faults.configure({ latencyMs: 40 });
    const gateway = createGraphGateway(bed.connection);
    const ids = await Promise.all([0, 1].map(async (i) => (await gateway.draftAndSend(demoUsers.elenaAe, { to: [{ address: anton }], subject: `Cap ${i}`, html: 'c' })).messageId));
    const key = demoUsers.elenaAe.toLowerCase();
    const read = await Promise.all(Array.from({ length: 20 }, (_, i) => gateway.getMessage(demoUsers.elenaAe, ids[i % 2] ?? '')));
    expect(read.every((m) => m !== null)).toBe(true);
    const stats = bed.connection.stats();
    expect(stats.maxInFlight[key]).toBe(4);
    // The sandbox counts Outlook's 4-concurrent limit per app and mailbox: it never had to refuse one.
    expect(bed.running.sandbox.faults.stats().throttledConcurrency).toBe(0);
  });

  it('without the cap the sandbox refuses some of the same 20 reads with 429 (the test can tell)', async () => {
    bed.running.sandbox.faults.configure({ latencyMs: 40 });
    const loose = bed.connect({ limits: { concurrencyScope: 'app', maxConcurrency: 20 } });
    const gateway = createGraphGateway(loose);
    const id = (await gateway.draftAndSend(demoUsers.elenaAe, { to: [{ address: anton }], subject: 'Loose', html: 'c' })).messageId;
    // Some may fail once their attempts run out; all of them are settled before the next test.
    await Promise.allSettled(Array.from({ length: 20 }, () => gateway.getMessage(demoUsers.elenaAe, id)));
    expect(bed.running.sandbox.faults.stats().throttledConcurrency).toBeGreaterThan(0);
    expect(loose.stats().throttled).toBeGreaterThan(0);
  });

  it('a 429 storm delays the work, honouring Retry-After, then it is done', async () => {
    const gateway = createGraphGateway(bed.connection);
    bed.running.sandbox.faults.configure({ throttle: { count: 3, retryAfterSeconds: 7 } });
    const settings = await gateway.mailboxSettings(demoUsers.antonAe);
    expect(settings.timeZone).toBe('Europe/Berlin');
    expect(bed.sleeps).toEqual([7000, 7000, 7000]);
    expect(bed.running.sandbox.faults.stats().injectedThrottles).toBe(3);
  });

  it('a 429 storm longer than the attempts gives a throttled GatewayError with Retry-After', async () => {
    const gateway = createGraphGateway(bed.connect({ maxAttempts: 2 }));
    bed.running.sandbox.faults.configure({ throttle: { count: 5, retryAfterSeconds: 3 } });
    const err = await gateway.mailboxSettings(demoUsers.antonAe).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: 'throttled', status: 429, retryAfterMs: 3000, requestId: expect.any(String) as unknown });
    expect(bed.sleeps).toEqual([3000]);
  });

  it('re-sends only the throttled sub-requests of a $batch, after their Retry-After', async () => {
    const gateway = createGraphGateway(bed.connection);
    const ids = await Promise.all([0, 1, 2].map(async (i) => (await gateway.draftAndSend(demoUsers.danaSdr, { to: [{ address: anton }], subject: `Inner ${i}`, html: 'i' })).messageId));
    const log = bed.running.sandbox.requestLog;
    const before = log.entries().length;
    bed.running.sandbox.faults.configure({ throttle: { count: 2, retryAfterSeconds: 5, mailbox: demoUsers.danaSdr } });
    const read = await gateway.getMessages(demoUsers.danaSdr, ids);
    expect(ids.map((id) => read.get(id)?.subject)).toEqual(['Inner 0', 'Inner 1', 'Inner 2']);
    expect(bed.sleeps).toEqual([5000]);
    const inner = log.entries().slice(before).filter((e) => e.method === 'GET');
    expect(inner.filter((e) => e.status === 429)).toHaveLength(2);
    expect(inner.filter((e) => e.status === 200)).toHaveLength(3);
  });

  it('a 503 on a GET is retried and succeeds', async () => {
    const gateway = createGraphGateway(bed.connection);
    bed.running.sandbox.faults.configure({ serverErrors: { count: 2, status: 503 } });
    await expect(gateway.manager(demoUsers.antonAe)).resolves.toMatchObject({ id: demoUsers.meganManager });
    expect(bed.sleeps).toEqual([1000, 2000]);
    bed.running.sandbox.faults.configure({ serverErrors: { count: 1, status: 504 } });
    await expect(gateway.manager(demoUsers.antonAe)).resolves.toMatchObject({ id: demoUsers.meganManager });
  });

  it('a 503 on sendMail is not retried: temporary, maybeApplied', async () => {
    const gateway = createGraphGateway(bed.connection);
    const before = sendMailCalls().length;
    bed.running.sandbox.faults.configure({ serverErrors: { count: 1, status: 503 } });
    const err = await gateway.sendMail(demoUsers.sofiaSdr, { to: [{ address: anton }], subject: 'Once', html: 'o' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: 'temporary', status: 503, maybeApplied: true, graphCode: 'ServiceUnavailable' });
    expect(sendMailCalls().length - before).toBe(1);
    expect(bed.sleeps).toEqual([]);
  });

  it('a 503 on /send of a draft is not retried either', async () => {
    const gateway = createGraphGateway(bed.connection);
    const log = bed.running.sandbox.requestLog;
    const before = log.entries().length;
    // Arm a 503 the moment the draft exists, so the draft passes and its /send gets the 503.
    const armed = bed.running.sandbox.requestLog;
    const record = armed.record.bind(armed);
    armed.record = (entry) => {
      record(entry);
      if (entry.method === 'POST' && entry.route === '/v1.0/users/:user/messages' && entry.status === 201) bed.running.sandbox.faults.configure({ serverErrors: { count: 1, status: 503 } });
    };
    try {
      const err = await gateway.draftAndSend(demoUsers.liamSdr, { to: [{ address: anton }], subject: 'Send once', html: 's' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'temporary', status: 503, maybeApplied: true });
    } finally {
      armed.record = record;
    }
    const sends = log.entries().slice(before).filter((e) => e.url.endsWith('/send'));
    expect(sends).toHaveLength(1);
  });

  it('an event creation retried after a 503 gives one event (transactionId)', async () => {
    const gateway = createGraphGateway(bed.connection);
    const start = new Date(Date.UTC(2026, 11, 21, 10));
    bed.running.sandbox.faults.configure({ serverErrors: { count: 1, status: 503 } });
    const created = await gateway.createEvent(demoUsers.marcusManager, { subject: 'Retried', html: '', start, end: new Date(start.getTime() + hour), timeZone: 'UTC', attendees: [], transactionId: 'tx-retried' });
    expect(bed.sleeps).toEqual([1000]);
    const view = await gateway.calendarView(demoUsers.marcusManager, { start: new Date(start.getTime() - hour), end: new Date(start.getTime() + 2 * hour) });
    expect(view.filter((e) => e.subject === 'Retried').map((e) => e.id)).toEqual([created.id]);
  });

  it('an event creation without a transactionId is not retried after a 503 (the domain always gives one, the seam checks)', () => {
    expect(isRetrySafe('POST', 'https://x/v1.0/users/a/events', JSON.stringify({ subject: 'x', transactionId: '' }))).toBe(false);
  });

  it('an expired delta token is cursor_expired', async () => {
    const gateway = createGraphGateway(bed.connection);
    const window = { start: new Date(Date.UTC(2026, 11, 1)), end: new Date(Date.UTC(2026, 11, 30)) };
    const cal = await gateway.calendarDelta(demoUsers.antonAe, window, null);
    const mail = await gateway.messagesDelta(demoUsers.antonAe, 'inbox', null);
    await gateway.sendMail(demoUsers.sofiaSdr, { to: [{ address: anton }], subject: 'After the cut', html: 'a' });
    await bed.running.sandbox.faults.trigger({ kind: 'expireDeltaTokens' });
    await expect(gateway.calendarDelta(demoUsers.antonAe, window, cal.cursor)).rejects.toMatchObject({ code: 'cursor_expired', status: 410, graphCode: 'SyncStateNotFound' });
    const mailErr = await gateway.messagesDelta(demoUsers.antonAe, 'inbox', mail.cursor).catch((e: unknown) => e);
    expect(mailErr).toMatchObject({ code: 'cursor_expired' });
  });

  it('an access token refused as expired (fault, then a clock jump) is replaced once, and the call succeeds', async () => {
    const connection = bed.connect();
    const gateway = createGraphGateway(connection);
    await gateway.mailboxSettings(demoUsers.antonAe);
    // The cut is at whole seconds of the sandbox clock: move past the second the token was issued in.
    bed.running.sandbox.clock.advance(1500);
    await bed.running.sandbox.faults.trigger({ kind: 'expireTokens' });
    await expect(gateway.mailboxSettings(demoUsers.antonAe)).resolves.toMatchObject({ timeZone: 'Europe/Berlin' });
    expect(connection.stats().tokenRefreshes).toBe(1);
    bed.running.sandbox.clock.advance(3 * hour);
    await expect(gateway.manager(demoUsers.antonAe)).resolves.toMatchObject({ id: demoUsers.meganManager });
    expect(connection.stats().tokenRefreshes).toBe(2);
    // The fresh token went to msal's cache: the next call needs no refresh.
    await gateway.manager(demoUsers.antonAe);
    expect(connection.stats().tokenRefreshes).toBe(2);
  });

  it('a refused client secret is an auth GatewayError carrying msal-node\'s error', async () => {
    const gateway = createGraphGateway(bed.connect({ clientSecret: 'not-the-secret-at-all' }));
    const err = await gateway.mailboxSettings(demoUsers.antonAe).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: 'auth', cause: expect.objectContaining({ errorCode: 'invalid_client' }) as unknown });
  });

  it('no answer at all (nothing listening) is temporary: a GET is retried to the limit, a sendMail is not retried and maybe applied', async () => {
    const free = net.createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const port = (free.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => free.close(() => {
      resolve();
    }));
    const closed = bed.connect({ baseUrl: `https://127.0.0.1:${port}`, maxAttempts: 3 });
    const gateway = createGraphGateway(closed);
    const err = await gateway.mailboxSettings(demoUsers.antonAe).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'temporary', maybeApplied: false, status: undefined });
    expect((err as Error).cause).toMatchObject({ message: 'fetch failed', cause: expect.objectContaining({ code: 'ECONNREFUSED' }) as unknown });
    expect(bed.sleeps).toEqual([1000, 2000]);
    bed.sleeps.length = 0;
    const sent = await gateway.sendMail(demoUsers.sofiaSdr, { to: [{ address: anton }], subject: 'n', html: 'n' }).catch((e: unknown) => e);
    expect(sent).toMatchObject({ code: 'temporary', maybeApplied: true });
    expect(bed.sleeps).toEqual([]);
    expect(closed.stats().notRetried).toBe(1);
  });
});
