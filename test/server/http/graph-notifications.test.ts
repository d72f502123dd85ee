// The Graph notification receiver through the real app (app.inject) and a real database: the validation handshake,
// the body checks (400 naming the field, 413), forged items dropped and counted but answered 202, accepted items
// queued, a failed write answered 500, and Microsoft's documented notification bodies accepted.
import { buildApp, type App, type AppDeps } from '../../../server/http/app';
import { createReceiverCounters, type ReceiverCounters } from '../../../server/http/routes/graph-notifications';
import { createNotificationStore, type NotificationStore } from '../../../server/store/notification-store';
import type { User } from '../../../server/domain/people';
import { direction, loadExamples } from '../sandbox/contract/examples';
import { bodyLimitBytes, errorOf, startHarness, type ApiResponse, type Harness, type Org } from './harness';

const tenant = '84bd8158-6d4d-4958-8b9f-9d6445542f95';

let h: Harness;
let org: Org;
let store: NotificationStore;
let counters: ReceiverCounters;
let captured: AppDeps | undefined;
let wakeUps = 0;
const extraApps: App[] = [];

beforeAll(async () => {
  h = await startHarness({
    override: (deps) => {
      store = createNotificationStore(deps.db);
      counters = createReceiverCounters();
      captured = { ...deps, notificationStore: store, graphTenantId: tenant, receiverCounters: counters, onEnqueued: () => (wakeUps += 1) };
      return captured;
    },
  });
}, 60_000);
afterAll(async () => {
  for (const app of extraApps) await app.close();
  await h.close();
});
beforeEach(async () => {
  org = await h.reset();
  Object.assign(counters, createReceiverCounters());
  wakeUps = 0;
});

/** Another app on the same database, from the harness's dependencies with some replaced. */
async function appWith(change: Partial<AppDeps>): Promise<App> {
  if (!captured) throw new Error('harness not started');
  const app = await buildApp({ ...captured, ...change });
  await app.ready();
  extraApps.push(app);
  return app;
}

async function post(url: string, body: unknown, options: { app?: App; contentType?: string } = {}): Promise<ApiResponse> {
  const res = await (options.app ?? h.app).inject({
    method: 'POST',
    url,
    headers: { 'content-type': options.contentType ?? 'application/json; charset=utf-8' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
  let data: unknown;
  try {
    data = res.body === '' ? undefined : (JSON.parse(res.body) as unknown);
  } catch {
    data = undefined;
  }
  return Object.assign(res, { data });
}

async function addSubscription(id: string, user: User, scope: 'events' | 'sentitems' | 'inbox', clientState: string, status: 'active' | 'removed' = 'active') {
  await h.db.db
    .insertInto('graph_subscriptions')
    .values({ id, user_id: user.id, scope, resource: `/users/${user.id}/${scope}`, client_state: clientState, status, expires_at: '2026-11-27T09:00:00Z', created_at: '2026-11-24T08:00:00Z' })
    .execute();
}

const change = (subscriptionId: string, clientState: string | undefined, itemId = 'AAMkAD-item-1', over: Record<string, unknown> = {}) => ({
  id: 'lsgTZMr9KwAAA',
  subscriptionId,
  subscriptionExpirationDateTime: '2026-11-27T09:00:00.0000000Z',
  changeType: 'updated',
  resource: `Users/x/Events/${itemId}`,
  resourceData: { '@odata.type': '#Microsoft.Graph.Event', '@odata.id': `Users/x/Events/${itemId}`, '@odata.etag': 'W/"DwAAABYAAAA"', id: itemId },
  ...(clientState === undefined ? {} : { clientState }),
  tenantId: tenant,
  ...over,
});

async function queue() {
  return h.db.db.selectFrom('notification_queue').selectAll().orderBy('id').execute();
}

describe('validation handshake', () => {
  it('echoes the decoded token as text/plain with nosniff, on both routes, with an empty text/plain body', async () => {
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 6c1b9f0e-1d0a-4c6e-9d43-3f0c5a1b2c3d';
    for (const url of ['/graph/notifications', '/graph/lifecycle']) {
      const res = await post(`${url}?validationToken=${encodeURIComponent(token)}`, '', { contentType: 'text/plain; charset=utf-8' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.body).toBe(token);
    }
    expect(counters.validations).toBe(2);
    expect(await queue()).toEqual([]);
  });

  it('echoes markup only as text: a token holding a script stays plain text with nosniff', async () => {
    const token = '<script>alert(1)</script>';
    const res = await post(`/graph/notifications?validationToken=${encodeURIComponent(token)}`, '', { contentType: 'text/plain' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toBe(token);
  });

  it('answers a token of 1,024 characters and refuses a longer or an empty one with 400', async () => {
    const ok = await post(`/graph/notifications?validationToken=${'a'.repeat(1_024)}`, '', { contentType: 'text/plain' });
    expect(ok.statusCode).toBe(200);
    for (const token of ['a'.repeat(1_025), '']) {
      const res = await post(`/graph/notifications?validationToken=${token}`, '', { contentType: 'text/plain' });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: 'invalid_request', field: 'validationToken' });
      expect(res.body).not.toContain('aaaa');
    }
    const twice = await post('/graph/lifecycle?validationToken=a&validationToken=b', '', { contentType: 'text/plain' });
    expect(twice.statusCode).toBe(400);
    expect(counters.validations).toBe(1);
  });

  it('is Microsoft\'s documented validation request answered as documented', async () => {
    const example = loadExamples().find((e) => e.name === 'change-notifications-delivery-webhooks.2');
    const url = new URL(example?.request?.url ?? '');
    const res = await post(`/graph/notifications${url.search}`, '', { contentType: example?.request?.headers['Content-Type'] ?? '' });
    expect(res.statusCode).toBe(example?.response?.status);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toBe(example?.response?.body);
  });
});

describe('body checks', () => {
  it('answers malformed JSON with 400 and no crash', async () => {
    const res = await post('/graph/notifications', '{"value": [', {});
    expect(res.statusCode).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'invalid_request', message: 'The body is not valid JSON.' });
    const after = await post('/graph/notifications', { value: [] });
    expect(after.statusCode).toBe(202);
  });

  it.each([
    ['no value array', '/graph/notifications', { values: [] }, 'value'],
    ['a value that is not an array', '/graph/notifications', { value: 'x' }, 'value'],
    ['an item without subscriptionId', '/graph/notifications', { value: [change('s', 'c', 'i', { subscriptionId: undefined })] }, 'value.0.subscriptionId'],
    ['an unknown changeType', '/graph/notifications', { value: [change('s', 'c'), change('s', 'c', 'i', { changeType: 'moved' })] }, 'value.1.changeType'],
    ['a change without resourceData', '/graph/notifications', { value: [change('s', 'c', 'i', { resourceData: undefined })] }, 'value.0.resourceData'],
    ['a change without resourceData.id', '/graph/notifications', { value: [change('s', 'c', 'i', { resourceData: { '@odata.type': '#Microsoft.Graph.Event' } })] }, 'value.0.resourceData.id'],
    ['a clientState over 128 characters', '/graph/notifications', { value: [change('s', 'x'.repeat(129))] }, 'value.0.clientState'],
    ['no tenantId', '/graph/notifications', { value: [change('s', 'c', 'i', { tenantId: undefined })] }, 'value.0.tenantId'],
    ['a lifecycle item without lifecycleEvent', '/graph/lifecycle', { value: [{ subscriptionId: 's', subscriptionExpirationDateTime: 'x', tenantId: tenant, clientState: 'c' }] }, 'value.0.lifecycleEvent'],
    ['an unknown lifecycleEvent', '/graph/lifecycle', { value: [{ subscriptionId: 's', subscriptionExpirationDateTime: 'x', tenantId: tenant, clientState: 'c', lifecycleEvent: 'deleted' }] }, 'value.0.lifecycleEvent'],
  ])('answers %s with 400 naming the field', async (_what, url, body, field) => {
    const res = await post(url, body);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'invalid_request', field });
    expect(errorOf(res).message).toContain(field.split('.').pop());
    expect(counters.requests).toBe(0);
  });

  it('answers a text body that is not a handshake with 400 (no token, nothing to echo)', async () => {
    const res = await post('/graph/notifications', 'hello', { contentType: 'text/plain' });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res)).toMatchObject({ field: 'body' });
  });

  it('answers a body over the configured limit with 413', async () => {
    const many = Array.from({ length: Math.ceil(bodyLimitBytes / 200) + 1 }, (_, i) => change('s', 'c', `item-${String(i)}`));
    const body = JSON.stringify({ value: many });
    expect(body.length).toBeGreaterThan(bodyLimitBytes);
    const res = await post('/graph/notifications', body);
    expect(res.statusCode).toBe(413);
    expect(errorOf(res).code).toBe('payload_too_large');
  });

  it('needs no user token, and is absent when the app has no notification store', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/graph/notifications', headers: { 'content-type': 'application/json' }, payload: { value: [] } });
    expect(res.statusCode).toBe(202);
    const without = await appWith({ notificationStore: undefined });
    const absent = await without.inject({ method: 'POST', url: '/graph/notifications?validationToken=abc', headers: { 'content-type': 'text/plain' }, payload: '' });
    expect(absent.statusCode).toBe(404);
  });

  it('is described in the OpenAPI document as public', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = JSON.parse(res.body) as { paths: Record<string, { post?: { security?: unknown[] } }> };
    expect(doc.paths['/graph/notifications']?.post?.security).toEqual([]);
    expect(doc.paths['/graph/lifecycle']?.post?.security).toEqual([]);
  });
});

describe('items', () => {
  beforeEach(async () => {
    await addSubscription('sub-ae-events', org.emeaAe, 'events', 'ae-events-secret');
    await addSubscription('sub-sdr-inbox', org.emeaSdr, 'inbox', 'sdr-inbox-secret');
    await addSubscription('sub-removed', org.amerAe, 'events', 'removed-secret', 'removed');
  });

  it('queues a valid change with its owner and scope, answers 202 with no body, and wakes the worker', async () => {
    const res = await post('/graph/notifications', { value: [change('sub-ae-events', 'ae-events-secret', 'evt-1')] });
    expect(res.statusCode).toBe(202);
    expect(res.body).toBe('');
    const rows = await queue();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: 'change',
      subscription_id: 'sub-ae-events',
      user_id: org.emeaAe.id,
      scope: 'events',
      change_type: 'updated',
      lifecycle_event: null,
      resource_id: 'evt-1',
      attempts: 0,
      processed_at: null,
    });
    expect(new Date(rows[0]?.received_at ?? 0)).toEqual(h.clock.now());
    expect(new Date(rows[0]?.available_at ?? 0)).toEqual(h.clock.now());
    expect(counters).toMatchObject({ requests: 1, items: 1, accepted: 1 });
    expect(wakeUps).toBe(1);
  });

  it.each([
    ['a wrong clientState', change('sub-ae-events', 'guess'), 'client_state_mismatch'],
    ['a clientState differing in the last character', change('sub-ae-events', 'ae-events-secreT'), 'client_state_mismatch'],
    ['a missing clientState', change('sub-ae-events', undefined), 'client_state_missing'],
    ['an unknown subscription', change('sub-nobody', 'ae-events-secret'), 'unknown_subscription'],
    ['a removed subscription', change('sub-removed', 'removed-secret'), 'subscription_removed'],
    ['another tenant', change('sub-ae-events', 'ae-events-secret', 'evt', { tenantId: '00000000-0000-0000-0000-000000000001' }), 'tenant_mismatch'],
  ])('drops and counts an item with %s, queues nothing, and still answers 202', async (_what, item, reason) => {
    const res = await post('/graph/notifications', { value: [item] });
    expect(res.statusCode).toBe(202);
    expect(await queue()).toEqual([]);
    expect(counters.dropped).toEqual({ ...createReceiverCounters().dropped, [reason]: 1 });
    expect(counters.accepted).toBe(0);
    expect(wakeUps).toBe(0);
    const warn = h.logLines.filter((l) => l.includes('graph notifications dropped'));
    expect(warn).toHaveLength(1);
    expect(JSON.parse(warn[0] ?? '{}')).toMatchObject({ level: 40, accepted: 0, dropped: { [reason]: 1 } });
  });

  it('queues only the good items of a mixed batch, in one write, and never logs a clientState', async () => {
    const res = await post('/graph/notifications', {
      value: [
        change('sub-ae-events', 'ae-events-secret', 'evt-1'),
        change('sub-ae-events', 'forged-secret', 'evt-2'),
        change('sub-sdr-inbox', 'sdr-inbox-secret', 'msg-1', { changeType: 'created', resource: 'Users/x/Messages/msg-1' }),
        change('sub-sdr-inbox', undefined, 'msg-2'),
        change('sub-removed', 'removed-secret', 'evt-3'),
        change('sub-ae-events', 'ae-events-secret', 'evt-4', { changeType: 'deleted', tenantId: tenant.toUpperCase() }),
      ],
    });
    expect(res.statusCode).toBe(202);
    const rows = await queue();
    expect(rows.map((r) => [r.resource_id, r.user_id, r.scope, r.change_type])).toEqual([
      ['evt-1', org.emeaAe.id, 'events', 'updated'],
      ['msg-1', org.emeaSdr.id, 'inbox', 'created'],
      ['evt-4', org.emeaAe.id, 'events', 'deleted'],
    ]);
    expect(counters).toMatchObject({ requests: 1, items: 6, accepted: 3 });
    expect(counters.dropped).toMatchObject({ client_state_mismatch: 1, client_state_missing: 1, subscription_removed: 1 });
    expect(wakeUps).toBe(1);
    const logs = h.logLines.join('\n');
    for (const secret of ['ae-events-secret', 'forged-secret', 'sdr-inbox-secret', 'removed-secret']) expect(logs).not.toContain(secret);
  });

  it('queues lifecycle items from either route as lifecycle items', async () => {
    const lifecycle = (event: string) => ({ subscriptionId: 'sub-sdr-inbox', subscriptionExpirationDateTime: '2026-11-27T09:00:00.0000000Z', tenantId: tenant, clientState: 'sdr-inbox-secret', lifecycleEvent: event });
    expect((await post('/graph/lifecycle', { value: [lifecycle('reauthorizationRequired'), lifecycle('missed')] })).statusCode).toBe(202);
    expect((await post('/graph/notifications', { value: [lifecycle('subscriptionRemoved')] })).statusCode).toBe(202);
    const rows = await queue();
    expect(rows.map((r) => [r.kind, r.lifecycle_event, r.change_type, r.resource_id, r.user_id])).toEqual([
      ['lifecycle', 'reauthorizationRequired', null, null, org.emeaSdr.id],
      ['lifecycle', 'missed', null, null, org.emeaSdr.id],
      ['lifecycle', 'subscriptionRemoved', null, null, org.emeaSdr.id],
    ]);
  });

  it('answers 500, never 202, when the accepted items cannot be persisted', async () => {
    const failing: NotificationStore = { ...store, enqueue: () => Promise.reject(new Error('database unavailable')) };
    const app = await appWith({ notificationStore: failing });
    const res = await post('/graph/notifications', { value: [change('sub-ae-events', 'ae-events-secret')] }, { app });
    expect(res.statusCode).toBe(500);
    expect(errorOf(res).code).toBe('internal');
    expect(counters.persistFailures).toBe(1);
    expect(counters.accepted).toBe(0);
    expect(wakeUps).toBe(0);
  });
});

describe('Microsoft\'s documented notification bodies', () => {
  const bodies = loadExamples()
    .filter((e) => direction(e) === 'toApp' && typeof e.request?.body === 'object' && e.request.body !== null && 'value' in e.request.body)
    .map((e) => ({ name: e.name, body: e.request?.body as { value: Record<string, unknown>[] } }));

  it('finds the change and lifecycle examples', () => {
    expect(bodies.map((b) => b.name)).toEqual([
      'change-notifications-delivery-webhooks.3',
      'change-notifications-lifecycle-events.2',
      'outlook-change-notifications-overview.1',
      'outlook-change-notifications-overview.3',
    ]);
  });

  it('accepts and queues every item of each, once their subscriptions exist', async () => {
    // Each example's subscription, owned by a different user so that (user, scope) stays unique among active ones.
    const owners = [org.emeaAe, org.emeaAe2, org.amerAe, org.emeaSdr];
    let n = 0;
    for (const { body } of bodies) {
      for (const item of body.value) {
        const id = String(item['subscriptionId']);
        const owner = owners[n++] ?? org.admin;
        await addSubscription(id, owner, 'inbox', String(item['clientState']));
      }
    }
    const app = await appWith({ graphTenantId: undefined }); // the examples carry placeholder tenant ids
    let expected = 0;
    for (const { name, body } of bodies) {
      const isLifecycle = body.value.some((i) => 'lifecycleEvent' in i);
      // The lifecycle example's value is the doc's phrase "subscriptionRemoved or missed or reauthorizationRequired":
      // each of the three it names is posted.
      const variants = isLifecycle
        ? ['subscriptionRemoved', 'missed', 'reauthorizationRequired'].map((event) => ({ ...body, value: body.value.map((i) => ({ ...i, lifecycleEvent: event })) }))
        : [body];
      for (const variant of variants) {
        const res = await post(isLifecycle ? '/graph/lifecycle' : '/graph/notifications', variant, { app });
        expect([name, res.statusCode]).toEqual([name, 202]);
        expected += variant.value.length;
      }
    }
    const rows = await queue();
    expect(rows).toHaveLength(expected);
    expect(rows.map((r) => r.resource_id)).toEqual(['{long_id_string}', null, null, null, 'AAMkAGUwNjQ4ZjIxLTQ3Y2Y8AAA=', 'AAMkAGUwNjQ4ZjIxAAA=']);
    expect(Object.values(counters.dropped).every((d) => d === 0)).toBe(true);
  });
});
