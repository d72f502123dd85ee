// Change notifications delivered to a real receiver on loopback: the exact body Graph posts, filtering by resource,
// folder and changeType, batching, retries after failing or slow receivers, dropped and duplicated notifications
// under faults, and the lifecycle notifications (reauthorizationRequired, subscriptionRemoved, missed).
 
import type { ChangeType, ItemKind } from '../../../server/sandbox/change-feed';
import { demoUsers, startSandboxHarness, type SandboxHarness } from './harness';
import { startReceiver, type Receiver } from './subscriptions-receiver';

let rx: Receiver;
let h: SandboxHarness;
/** Values the fault injections draw; 0.99 (no fault) once used up. */
let draws: number[] = [];

beforeAll(async () => {
  rx = await startReceiver();
  h = await startSandboxHarness({
    fetch: rx.fetch,
    random: () => draws.shift() ?? 0.99,
    subscriptionTimings: { validationTimeoutMs: 1000, deliveryTimeoutMs: 800, retryDelaysMs: [30, 60], sweepIntervalMs: 50 },
  });
});
afterAll(async () => {
  await h.close();
  await rx.close();
});
beforeEach(() => {
  rx.reset();
  draws = [];
  h.sb.faults.reset();
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

async function subscribe(overrides: Record<string, unknown> = {}): Promise<{ id: string; expirationDateTime: string }> {
  const r = await graph('POST', '/v1.0/subscriptions', {
    changeType: 'created,updated,deleted',
    notificationUrl: rx.url('/notify'),
    lifecycleNotificationUrl: rx.url('/lifecycle'),
    resource: `users/${demoUsers.antonAe}/messages`,
    expirationDateTime: inMinutes(60),
    clientState: 'secretClientValue',
    ...overrides,
  });
  expect(r.status).toBe(201);
  return r.body;
}

let n = 0;
function change(kind: ItemKind, changeType: ChangeType, options: { userId?: string; folderId?: string | null; itemId?: string } = {}) {
  const itemId = options.itemId ?? `AAMkAitem${++n}`;
  h.sb.changes.publish({ at: h.sb.clock.now(), userId: options.userId ?? demoUsers.antonAe, kind, itemId, folderId: options.folderId === undefined ? (kind === 'message' ? 'inbox' : null) : options.folderId, changeType });
  return itemId;
}

const items = (path: string) => rx.postsTo(path).flatMap((p) => p.json.value as Array<Record<string, any>>); // eslint-disable-line @typescript-eslint/no-explicit-any

// The properties of microsoft.graph.changeNotification in the v1.0 CSDL.
const notificationProperties = ['changeType', 'clientState', 'encryptedContent', 'id', 'lifecycleEvent', 'resource', 'resourceData', 'subscriptionExpirationDateTime', 'subscriptionId', 'tenantId'];

describe('change notifications', () => {
  it('posts the body Graph posts, batched, for the changes that match', async () => {
    const sub = await subscribe({ changeType: 'created,updated' });
    const created = change('message', 'created');
    const updated = change('message', 'updated');
    change('message', 'deleted'); // not subscribed
    change('event', 'created'); // not this resource
    change('message', 'created', { userId: demoUsers.elenaAe }); // another mailbox
    await h.sb.subscriptions.idle();

    const posts = rx.postsTo('/notify');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.headers['content-type']).toMatch(/^application\/json/);
    const entry = (itemId: string, changeType: ChangeType) => ({
      id: expect.stringMatching(/^[\w-]+$/),
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: sub.expirationDateTime,
      changeType,
      resource: `Users/${demoUsers.antonAe}/Messages/${itemId}`,
      resourceData: {
        '@odata.type': '#Microsoft.Graph.Message',
        '@odata.id': `Users/${demoUsers.antonAe}/Messages/${itemId}`,
        '@odata.etag': expect.stringMatching(/^W\/".+"$/),
        id: itemId,
      },
      clientState: 'secretClientValue',
      tenantId: h.sb.tenant.tenantId,
    });
    expect(posts[0]?.json).toEqual({ value: [entry(created, 'created'), entry(updated, 'updated')] });
    for (const item of items('/notify')) expect(Object.keys(item).every((k) => notificationProperties.includes(k))).toBe(true);
    expect(h.sb.subscriptions.stats().delivered).toBe(2);
    expect(new Set(items('/notify').map((item) => item['id'])).size).toBe(2);
  });

  it('notifies events, and only the messages of the folder a subscription names', async () => {
    const events = await subscribe({ resource: `users/${demoUsers.antonAe}/events`, notificationUrl: rx.url('/events'), clientState: undefined });
    const sent = await subscribe({ resource: `users/${demoUsers.antonAe}/mailFolders('SentItems')/messages`, notificationUrl: rx.url('/sent') });
    const event = change('event', 'deleted');
    change('message', 'created', { folderId: 'inbox' });
    const sentMessage = change('message', 'created', { folderId: 'sentitems' });
    await h.sb.subscriptions.idle();
    expect(items('/events')).toEqual([
      expect.objectContaining({ subscriptionId: events.id, changeType: 'deleted', resource: `Users/${demoUsers.antonAe}/Events/${event}`, resourceData: expect.objectContaining({ '@odata.type': '#Microsoft.Graph.Event', id: event }) }),
    ]);
    expect(items('/events')[0]).not.toHaveProperty('clientState');
    expect(items('/sent').map((i) => [i['subscriptionId'], i['resourceData'].id])).toEqual([[sent.id, sentMessage]]);
  });

  it('gathers many changes into POSTs of at most 50 notifications', async () => {
    await subscribe();
    const ids = Array.from({ length: 120 }, () => change('message', 'created'));
    await h.sb.subscriptions.idle();
    const posts = rx.postsTo('/notify');
    expect(posts.length).toBeGreaterThanOrEqual(3);
    expect(posts.every((p) => p.json.value.length <= 50)).toBe(true);
    expect(items('/notify').map((i) => i['resourceData'].id).sort()).toEqual([...ids].sort());
  });

  it('retries after a failing receiver and after one that answers too late', async () => {
    await subscribe();
    rx.script('/notify', [{ status: 500 }, { status: 503 }]);
    const id = change('message', 'created');
    await h.sb.subscriptions.idle();
    const posts = rx.postsTo('/notify');
    expect(posts).toHaveLength(3);
    expect(new Set(posts.map((p) => p.body)).size).toBe(1);
    expect(posts[0]?.json.value[0].resourceData.id).toBe(id);

    rx.reset();
    rx.script('/notify', [{ status: 202, delayMs: 1200 }]);
    change('message', 'updated');
    await h.sb.subscriptions.idle();
    expect(rx.postsTo('/notify')).toHaveLength(2);
    expect(h.sb.subscriptions.stats()).toMatchObject({ failedAttempts: 3, abandoned: 0 });
  });

  it('gives up after the last retry and tells the lifecycle URL: missed', async () => {
    const sub = await subscribe();
    rx.script('/notify', [{ status: 500 }, { status: 500 }, { status: 500 }]);
    change('message', 'created');
    await rx.waitFor(() => rx.postsTo('/lifecycle').length === 1);
    await h.sb.subscriptions.idle();
    expect(rx.postsTo('/notify')).toHaveLength(3);
    expect(items('/lifecycle')).toEqual([{ subscriptionId: sub.id, subscriptionExpirationDateTime: sub.expirationDateTime, tenantId: h.sb.tenant.tenantId, clientState: 'secretClientValue', lifecycleEvent: 'missed' }]);
  });

  it('drops a share of notifications under the dropped-notifications fault', async () => {
    await subscribe();
    h.sb.faults.configure({ notifications: { dropShare: 0.5 } });
    draws = [0.1, 0.9, 0.2, 0.8];
    const ids = [change('message', 'created'), change('message', 'created'), change('message', 'created'), change('message', 'created')];
    await h.sb.subscriptions.idle();
    expect(items('/notify').map((i) => i['resourceData'].id)).toEqual([ids[1], ids[3]]);
    expect(h.sb.faults.stats().droppedNotifications).toBe(2);
  });

  it('sends duplicated notifications again in a second POST', async () => {
    await subscribe();
    h.sb.faults.configure({ notifications: { duplicateShare: 1 } });
    const id = change('message', 'created');
    await h.sb.subscriptions.idle();
    const posts = rx.postsTo('/notify');
    expect(posts).toHaveLength(2);
    expect(posts[0]?.body).toBe(posts[1]?.body);
    expect(posts[1]?.json.value[0].resourceData.id).toBe(id);
  });

  it('stops delivering, retries included, once a subscription is deleted', async () => {
    const sub = await subscribe();
    rx.script('/notify', [{ status: 500 }]);
    change('message', 'created');
    await rx.waitFor(() => rx.postsTo('/notify').length === 1);
    await graph('DELETE', `/v1.0/subscriptions/${sub.id}`);
    change('message', 'created');
    await h.sb.subscriptions.idle();
    expect(rx.postsTo('/notify')).toHaveLength(1);
    expect(rx.postsTo('/lifecycle')).toEqual([]);
  });
});

describe('lifecycle notifications', () => {
  it('sends missed and reauthorizationRequired on demand, shaped as Graph documents', async () => {
    const sub = await subscribe();
    await h.sb.faults.trigger({ kind: 'missed', subscriptionId: sub.id });
    await h.sb.faults.trigger({ kind: 'reauthorizationRequired', subscriptionId: sub.id });
    await h.sb.subscriptions.idle();
    const base = { subscriptionId: sub.id, subscriptionExpirationDateTime: sub.expirationDateTime, tenantId: h.sb.tenant.tenantId, clientState: 'secretClientValue' };
    expect(items('/lifecycle')).toEqual([{ ...base, lifecycleEvent: 'missed' }, { ...base, lifecycleEvent: 'reauthorizationRequired' }]);
    expect(rx.postsTo('/notify')).toEqual([]);
  });

  it('removes a subscription with subscriptionRemoved, from a fault or the control API', async () => {
    const sub = await subscribe();
    const res = await h.app.inject({ method: 'POST', url: '/sandbox/control/faults/actions', payload: { kind: 'removeSubscription', subscriptionId: sub.id } });
    expect(res.statusCode).toBe(204);
    await h.sb.subscriptions.idle();
    expect(items('/lifecycle')).toEqual([expect.objectContaining({ subscriptionId: sub.id, lifecycleEvent: 'subscriptionRemoved' })]);
    expect((await graph('GET', `/v1.0/subscriptions/${sub.id}`)).status).toBe(404);
    change('message', 'created');
    await h.sb.subscriptions.idle();
    expect(rx.postsTo('/notify')).toEqual([]);
    const unknown = await h.app.inject({ method: 'POST', url: '/sandbox/control/faults/actions', payload: { kind: 'missed', subscriptionId: sub.id } });
    expect(unknown.statusCode).toBe(404);
  });

  it('sends reauthorizationRequired once as expiry nears, again after a renewal', async () => {
    const sub = await subscribe({ expirationDateTime: inMinutes(60) });
    h.sb.clock.advance(50 * 60_000);
    await rx.waitFor(() => rx.postsTo('/lifecycle').length === 1);
    h.sb.clock.advance(60_000);
    await h.sb.subscriptions.idle();
    expect(items('/lifecycle').map((i) => i['lifecycleEvent'])).toEqual(['reauthorizationRequired']);
    const renewed = await graph('PATCH', `/v1.0/subscriptions/${sub.id}`, { expirationDateTime: inMinutes(60) });
    expect(renewed.status).toBe(200);
    h.sb.clock.advance(50 * 60_000);
    await rx.waitFor(() => rx.postsTo('/lifecycle').length === 2);
  });

  it('sends none to a subscription without a lifecycleNotificationUrl', async () => {
    const sub = await subscribe({ lifecycleNotificationUrl: undefined });
    await h.sb.faults.trigger({ kind: 'missed', subscriptionId: sub.id });
    await h.sb.subscriptions.idle();
    expect(rx.posts).toEqual([]);
  });
});

describe('end to end through the mail and calendar routes', () => {
  it('notifies the recipient inbox and the sender sent items of a sendMail, and an invited attendee', async () => {
    const inbox = await subscribe({ resource: `users/${demoUsers.antonAe}/mailFolders('inbox')/messages`, notificationUrl: rx.url('/inbox'), changeType: 'created' });
    const sent = await subscribe({ resource: `users/${demoUsers.sofiaSdr}/mailFolders('sentitems')/messages`, notificationUrl: rx.url('/sent'), changeType: 'created' });
    const events = await subscribe({ resource: `users/${demoUsers.antonAe}/events`, notificationUrl: rx.url('/events') });
    const send = await graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/sendMail`, {
      message: { subject: 'Lead: Fabrikam', body: { contentType: 'Text', content: 'Qualified.' }, toRecipients: [{ emailAddress: { address: 'anton.weber@contoso-sales.example' } }] },
      saveToSentItems: true,
    });
    expect(send.status).toBe(202);
    await rx.waitFor(() => items('/inbox').length === 1 && items('/sent').length === 1);
    const received = items('/inbox')[0];
    expect(received).toMatchObject({ subscriptionId: inbox.id, changeType: 'created', resourceData: { '@odata.type': '#Microsoft.Graph.Message' } });
    const message = await graph('GET', `/v1.0/users/${demoUsers.antonAe}/messages/${String(received?.['resourceData'].id)}`);
    expect(message.body.subject).toBe('Lead: Fabrikam');
    expect(items('/sent')[0]?.['subscriptionId']).toBe(sent.id);

    const start = new Date(h.sb.clock.now().getTime() + 86_400_000);
    const event = await graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/events`, {
      subject: 'Hand-off: Fabrikam',
      start: { dateTime: start.toISOString().slice(0, 19), timeZone: 'UTC' },
      end: { dateTime: new Date(start.getTime() + 1_800_000).toISOString().slice(0, 19), timeZone: 'UTC' },
      attendees: [{ emailAddress: { address: 'anton.weber@contoso-sales.example', name: 'Anton Weber' }, type: 'required' }],
    });
    expect(event.status).toBe(201);
    await rx.waitFor(() => items('/events').some((i) => i['changeType'] === 'created'));
    const copy = items('/events').find((i) => i['changeType'] === 'created');
    expect(copy).toMatchObject({ subscriptionId: events.id, resourceData: { '@odata.type': '#Microsoft.Graph.Event' } });
    const read = await graph('GET', `/v1.0/users/${demoUsers.antonAe}/events/${String(copy?.['resourceData'].id)}`);
    expect(read.body.subject).toBe('Hand-off: Fabrikam');
  });
});
