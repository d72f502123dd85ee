// Change-notification subscriptions as a Graph client sees them: the validation handshake and its refusals, the
// subscription body, renew, delete, expiry, and refusals of bad input, against a real receiver on loopback.
 
import { demoUsers, startSandboxHarness, type SandboxHarness } from './harness';
import { startReceiver, type Behaviour, type Receiver } from './subscriptions-receiver';

let rx: Receiver;
let h: SandboxHarness;

beforeAll(async () => {
  rx = await startReceiver();
  h = await startSandboxHarness({
    fetch: rx.fetch,
    subscriptionTimings: { validationTimeoutMs: 1000, deliveryTimeoutMs: 800, retryDelaysMs: [30, 60], sweepIntervalMs: 50 },
  });
});
afterAll(async () => {
  await h.close();
  await rx.close();
});
beforeEach(() => {
  rx.reset();
});
afterEach(async () => {
  for (const s of (await graph('GET', '/v1.0/subscriptions')).body.value as Array<{ id: string }>) await graph('DELETE', `/v1.0/subscriptions/${s.id}`);
  await h.sb.subscriptions.idle();
});

/** Graph calls with a token fetched now: the tests move the sandbox clock past the harness token's lifetime. */
async function graph(...args: Parameters<SandboxHarness['graph']>): ReturnType<SandboxHarness['graph']> {
  const token = (await h.sb.identity.issueAppToken(h.sb.tenant.apps.server.clientId)).accessToken;
  const [method, url, body, headers] = args;
  return h.graph(method, url, body, { authorization: `Bearer ${token}`, ...headers });
}

const inMinutes = (minutes: number) => new Date(h.sb.clock.now().getTime() + minutes * 60_000).toISOString();
const subscriptionBody = (overrides: Record<string, unknown> = {}) => ({
  changeType: 'created,updated,deleted',
  notificationUrl: rx.url('/notify'),
  lifecycleNotificationUrl: rx.url('/lifecycle'),
  resource: `users/${demoUsers.antonAe}/messages`,
  expirationDateTime: inMinutes(60),
  clientState: 'secretClientValue',
  ...overrides,
});

// The properties of microsoft.graph.subscription in the v1.0 CSDL (plus id from entity and the OData context).
const subscriptionProperties = [
  '@odata.context', 'id', 'applicationId', 'changeType', 'clientState', 'creatorId', 'encryptionCertificate', 'encryptionCertificateId',
  'expirationDateTime', 'includeResourceData', 'latestSupportedTlsVersion', 'lifecycleNotificationUrl', 'notificationQueryOptions',
  'notificationUrl', 'notificationUrlAppId', 'resource',
];

describe('creating a subscription', () => {
  it('validates both URLs with a URL-encoded token, then answers 201 with the subscription', async () => {
    const body = subscriptionBody({ resource: `users/${demoUsers.antonAe}/mailFolders('Inbox')/messages`, latestSupportedTlsVersion: 'v1_2' });
    const r = await graph('POST', '/v1.0/subscriptions', body);
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      '@odata.context': 'https://sandbox.test/v1.0/$metadata#subscriptions/$entity',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      resource: body.resource,
      applicationId: h.sb.tenant.apps.server.clientId,
      changeType: 'created,updated,deleted',
      clientState: 'secretClientValue',
      notificationUrl: rx.url('/notify'),
      notificationQueryOptions: null,
      lifecycleNotificationUrl: rx.url('/lifecycle'),
      expirationDateTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/),
      creatorId: expect.any(String),
      includeResourceData: false,
      latestSupportedTlsVersion: 'v1_2',
      encryptionCertificate: null,
      encryptionCertificateId: null,
      notificationUrlAppId: null,
    });
    expect(Object.keys(r.body).every((k) => subscriptionProperties.includes(k))).toBe(true);
    expect(new Date(r.body.expirationDateTime).getTime()).toBe(new Date(body.expirationDateTime).getTime());

    expect(rx.validations.map((v) => v.path)).toEqual(['/notify', '/lifecycle']);
    const v = rx.validations[0];
    const raw = /validationToken=([^&]*)/.exec(v?.query.toString() ?? '')?.[1] ?? '';
    expect(raw).toMatch(/%20|%3A|\+/); // the token has spaces and colons: it travels URL-encoded
    expect(v?.query.get('validationToken')).toMatch(/^Validation: /);
    expect(v?.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('defaults latestSupportedTlsVersion to v1_2 and accepts the documented example bodies', async () => {
    const lifecycleExample = { changeType: 'created,updated', notificationUrl: rx.url('/notify'), lifecycleNotificationUrl: rx.url('/lifecycle'), resource: `/users/${demoUsers.elenaAe}/messages`, expirationDateTime: inMinutes(120), clientState: '<secretClientState>' };
    const a = await graph('POST', '/v1.0/subscriptions', lifecycleExample);
    expect(a.status).toBe(201);
    expect(a.body.latestSupportedTlsVersion).toBe('v1_2');
    const events = await graph('POST', '/v1.0/subscriptions', subscriptionBody({ resource: `users/${demoUsers.elenaAe}/calendar/events`, lifecycleNotificationUrl: undefined, clientState: undefined }));
    expect(events.status).toBe(201);
    expect(events.body.lifecycleNotificationUrl).toBeNull();
    expect(events.body.clientState).toBeNull();
    const sent = await graph('POST', '/v1.0/subscriptions', subscriptionBody({ resource: `users('${demoUsers.sofiaSdr}')/mailFolders('sentitems')/messages` }));
    expect(sent.status).toBe(201);
    const byUpn = await graph('POST', '/v1.0/subscriptions', subscriptionBody({ resource: 'users/Anton.Weber@contoso-sales.example/events' }));
    expect(byUpn.status).toBe(201);
  });

  it('accepts exactly 10,080 minutes for Outlook resources', async () => {
    const r = await graph('POST', '/v1.0/subscriptions', subscriptionBody({ expirationDateTime: inMinutes(10_080) }));
    expect(r.status).toBe(201);
  });

  it('lets a signed-in user subscribe to /me and nobody else', async () => {
    const token = (await h.sb.identity.issueUserToken(demoUsers.antonAe, { audience: 'https://graph.microsoft.com', scopes: ['Mail.Read', 'Calendars.ReadWrite'], clientId: h.sb.tenant.apps.addin.clientId })).accessToken;
    const auth = { authorization: `Bearer ${token}` };
    const mine = await graph('POST', '/v1.0/subscriptions', subscriptionBody({ resource: "me/mailFolders('Inbox')/messages" }), auth);
    expect(mine.status).toBe(201);
    expect(mine.body.creatorId).toBe(demoUsers.antonAe);
    const other = await graph('POST', '/v1.0/subscriptions', subscriptionBody({ resource: `users/${demoUsers.elenaAe}/messages` }), auth);
    expect(other.status).toBe(403);
    const list = await graph('GET', '/v1.0/subscriptions', undefined, auth);
    expect(list.body.value.map((s: { id: string }) => s.id)).toEqual([mine.body.id]);
    await graph('DELETE', `/v1.0/subscriptions/${mine.body.id}`, undefined, auth);
  });

  const refusals: Array<[string, [string, Behaviour] | null, Record<string, unknown> | string, number, string, RegExp]> = [
    ['a wrong echo', ['/notify', (_p, t) => ({ status: 200, body: `${t ?? ''}x`, contentType: 'text/plain' })], {}, 400, 'ValidationError', /must exactly match validationToken/],
    ['an echo that is not text/plain', ['/notify', (_p, t) => ({ status: 200, body: t ?? '', contentType: 'application/json' })], {}, 400, 'ValidationError', /must exactly match/],
    ['a non-200 answer', ['/notify', () => ({ status: 202 })], {}, 400, 'ValidationError', /Notification endpoint must respond with 200 OK to validation request/],
    ['an echo slower than the timeout', ['/notify', (_p, t) => ({ status: 200, body: t ?? '', delayMs: 1500 })], {}, 400, 'InvalidRequest', /timed out/],
    ['a failing lifecycle URL', ['/lifecycle', () => ({ status: 500 })], {}, 400, 'ValidationError', /200 OK/],
    ['an unreachable URL', null, { notificationUrl: 'https://127.0.0.1:1/none' }, 400, 'ValidationError', /200 OK/],
    ['a non-https notificationUrl', null, { notificationUrl: 'http://receiver.test/notify' }, 400, 'InvalidRequest', /scheme='http' is not supported/],
    ['a non-https lifecycleNotificationUrl', null, { lifecycleNotificationUrl: 'http://receiver.test/lifecycle' }, 400, 'InvalidRequest', /LifecycleNotificationUrl scheme='http'/],
    ['a clientState over 128 characters', null, { clientState: 'x'.repeat(129) }, 400, 'InvalidRequest', /128/],
    ['an expiration over 10,080 minutes', null, { expirationDateTime: 'later' }, 400, 'ExtensionError', /10080 minutes in the future/],
    ['an expiration in the past', null, { expirationDateTime: '2020-01-01T00:00:00Z' }, 400, 'ExtensionError', /future/],
    ['an unparsable expiration', null, { expirationDateTime: 'tomorrow' }, 400, 'BadRequest', /Edm.DateTimeOffset/],
    ['an unknown property', null, { colour: 'blue' }, 400, 'BadRequest', /'colour' does not exist on type 'microsoft.graph.subscription'/],
    ['a missing resource', null, { resource: undefined }, 400, 'InvalidRequest', /'resource' is required/],
    ['a bad changeType', null, { changeType: 'created,moved' }, 400, 'InvalidRequest', /changeType/],
    ['an unsupported resource', null, { resource: `users/${demoUsers.antonAe}/contacts` }, 400, 'InvalidRequest', /not supported/],
    ['an unknown mail folder', null, { resource: `users/${demoUsers.antonAe}/mailFolders('nonsense')/messages` }, 400, 'ErrorInvalidIdMalformed', /malformed/],
    ['an unknown user', null, { resource: 'users/nobody@contoso-sales.example/messages' }, 404, 'Request_ResourceNotFound', /nobody/],
    ['/me with an app-only token', null, { resource: 'me/messages' }, 400, 'BadRequest', /delegated/],
    ['includeResourceData without a certificate', null, { includeResourceData: true }, 400, 'InvalidRequest', /encryptionCertificate is required when includeResourceData is true/],
    ['a bad latestSupportedTlsVersion', null, { latestSupportedTlsVersion: 'v2_0' }, 400, 'InvalidRequest', /latestSupportedTlsVersion/],
    ['malformed JSON', null, '{"changeType": ', 400, 'BadRequest', /JSON/],
  ];
  it.each(refusals)('refuses %s', async (_name, behaviour, overrides, status, code, message) => {
    if (behaviour) rx.on(...behaviour);
    const body = typeof overrides === 'string' ? overrides : subscriptionBody(overrides.expirationDateTime === 'later' ? { expirationDateTime: inMinutes(10_081) } : overrides);
    const r = await graph('POST', '/v1.0/subscriptions', body);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(r.body.error.message).toMatch(message);
    expect((await graph('GET', '/v1.0/subscriptions')).body.value).toEqual([]);
  });
});

describe('reading, renewing and deleting', () => {
  it('gets, lists, renews within the limit, reauthorizes and deletes (204), then 404', async () => {
    const created = (await graph('POST', '/v1.0/subscriptions', subscriptionBody())).body;
    const got = await graph('GET', `/v1.0/subscriptions/${created.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created);
    const list = await graph('GET', '/v1.0/subscriptions');
    expect(list.body['@odata.context']).toBe('https://sandbox.test/v1.0/$metadata#subscriptions');
    const { '@odata.context': _context, ...plain } = created as Record<string, unknown>;
    expect(list.body.value).toEqual([plain]);

    const renewedTo = inMinutes(3 * 24 * 60);
    const renewed = await graph('PATCH', `/v1.0/subscriptions/${created.id}`, { expirationDateTime: renewedTo });
    expect(renewed.status).toBe(200);
    expect(new Date(renewed.body.expirationDateTime).getTime()).toBe(new Date(renewedTo).getTime());
    expect(renewed.body.id).toBe(created.id);

    const tooFar = await graph('PATCH', `/v1.0/subscriptions/${created.id}`, { expirationDateTime: inMinutes(10_081) });
    expect(tooFar.status).toBe(400);
    expect(tooFar.body.error.message).toBe('Subscription expiration can only be 10080 minutes in the future.');
    const readOnly = await graph('PATCH', `/v1.0/subscriptions/${created.id}`, { resource: 'me/events' });
    expect(readOnly.status).toBe(400);
    const unknown = await graph('PATCH', `/v1.0/subscriptions/${created.id}`, { expires: 'soon' });
    expect(unknown.body.error.message).toMatch(/'expires'/);

    expect((await graph('POST', `/v1.0/subscriptions/${created.id}/microsoft.graph.reauthorize`)).status).toBe(204);

    const del = await graph('DELETE', `/v1.0/subscriptions/${created.id}`);
    expect(del.status).toBe(204);
    expect(del.body).toBeNull();
    for (const method of ['GET', 'DELETE'] as const) {
      const gone = await graph(method, `/v1.0/subscriptions/${created.id}`);
      expect(gone.status).toBe(404);
      expect(gone.body.error.code).toBe('ResourceNotFound');
    }
    expect((await graph('PATCH', '/v1.0/subscriptions/not-a-subscription', { expirationDateTime: inMinutes(5) })).status).toBe(404);
  });

  it('validates a new notificationUrl on PATCH and keeps the old one when it fails', async () => {
    const created = (await graph('POST', '/v1.0/subscriptions', subscriptionBody())).body;
    rx.on('/moved-bad', () => ({ status: 404 }));
    const bad = await graph('PATCH', `/v1.0/subscriptions/${created.id}`, { notificationUrl: rx.url('/moved-bad') });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('ValidationError');
    expect((await graph('GET', `/v1.0/subscriptions/${created.id}`)).body.notificationUrl).toBe(rx.url('/notify'));
    const good = await graph('PATCH', `/v1.0/subscriptions/${created.id}`, { notificationUrl: rx.url('/moved') });
    expect(good.body.notificationUrl).toBe(rx.url('/moved'));
  });

  it('lets an expired subscription stop delivering and disappear', async () => {
    const created = (await graph('POST', '/v1.0/subscriptions', subscriptionBody({ expirationDateTime: inMinutes(30) }))).body;
    h.sb.clock.advance(31 * 60_000);
    expect((await graph('GET', `/v1.0/subscriptions/${created.id}`)).status).toBe(404);
    expect(h.sb.subscriptions.all().some((s) => s.id === created.id)).toBe(false);
    h.sb.changes.publish({ at: h.sb.clock.now(), userId: demoUsers.antonAe, kind: 'message', itemId: 'AAMkAexpired', folderId: 'inbox', changeType: 'created' });
    await h.sb.subscriptions.idle();
    expect(rx.posts.filter((p) => p.path === '/notify')).toEqual([]);
  });
});
