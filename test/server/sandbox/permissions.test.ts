// The sandbox's Graph permissions: one table (server/sandbox/permissions.ts) covering every /v1.0 route, enforced for
// delegated and app-only tokens with Graph's 403 per resource family, the same table in README, and every caller of
// the sandbox (Baton's server app, the add-in's preview page) granted what it calls.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { graphScopes as previewScopes } from '../../../addin/preview/sandbox-graph';
import { loadTenantSeed } from '../../../server/sandbox/directory';
import { permissionOf, permissionTableMarkdown, routePermissions } from '../../../server/sandbox/permissions';
import { registeredGraphRoutes } from './contract/recorder';
import { demoUsers, startSandboxHarness, type GraphAnswer, type SandboxHarness } from './harness';

const readme = fs.readFileSync(path.join(__dirname, '../../../README.md'), 'utf8');

/** Graph's refusal: 403 and `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`. */
function expectDenied(r: GraphAnswer, code: string): void {
  expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status: 403, code });
  expect(typeof r.body.error.message).toBe('string');
  expect(r.body.error.message.length).toBeGreaterThan(0);
  expect(Object.keys(r.body.error.innerError).sort()).toEqual(['client-request-id', 'date', 'request-id']);
}

const window = 'startDateTime=2026-11-23T00:00:00Z&endDateTime=2026-11-30T00:00:00Z';
const scheduleBody = {
  schedules: ['elena.ae@contoso-sales.example'],
  startTime: { dateTime: '2026-11-24T09:00:00', timeZone: 'UTC' },
  endTime: { dateTime: '2026-11-24T18:00:00', timeZone: 'UTC' },
  availabilityViewInterval: 60,
};
const mailBody = { message: { subject: 'Hi', body: { contentType: 'Text', content: 'Hello' }, toRecipients: [{ emailAddress: { address: 'elena.ae@contoso-sales.example' } }] } };
const eventBody = { subject: 'Prep', start: { dateTime: '2026-11-25T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-25T10:30:00', timeZone: 'UTC' } };

describe('the permission table', () => {
  it('has one row for every /v1.0 route the sandbox serves, and no row without a route', async () => {
    const routes = await registeredGraphRoutes();
    const served = routes.filter((r) => r.url.toLowerCase() !== '/v1.0/$batch');
    expect(served.filter((r) => permissionOf(r.method, r.url) === undefined)).toEqual([]);
    const used = new Set(served.map((r) => permissionOf(r.method, r.url)));
    expect(routePermissions.filter((row) => !used.has(row)).map((row) => `${row.method} ${row.path}`)).toEqual([]);
  });

  it('is written in README exactly as the sandbox enforces it', () => {
    const m = /<!-- graph-permissions:start -->\n([\s\S]*?)\n<!-- graph-permissions:end -->/.exec(readme);
    expect(m?.[1]).toBe(permissionTableMarkdown());
  });

  it("lists in README's app registration the application permissions the sandbox's server app holds", () => {
    const step = /2\. \*\*Application permissions\*\*([\s\S]*?)\n3\. /.exec(readme)?.[1] ?? '';
    const named = [...step.matchAll(/`([A-Za-z]+\.[A-Za-z.]+)`/g)].map((x) => x[1]);
    expect([...new Set(named)].sort()).toEqual([...loadTenantSeed().apps.server.applicationPermissions].sort());
  });

  it('refuses a seed granting the server app a permission no route accepts, naming the field', () => {
    const seed = loadTenantSeed();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-seed-'));
    const file = path.join(dir, 'tenant.json');
    try {
      fs.writeFileSync(file, JSON.stringify({ ...seed, apps: { ...seed.apps, server: { ...seed.apps.server, applicationPermissions: ['Mail.Read', 'Mail.Rea'] } } }));
      expect(() => loadTenantSeed(file)).toThrow(/apps\.server\.applicationPermissions\.1 'Mail\.Rea' is not an application permission/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('enforcement', () => {
  let h: SandboxHarness;
  beforeAll(async () => {
    h = await startSandboxHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const as = async (scopes: readonly string[], user: string = demoUsers.antonAe) => {
    const token = await h.userToken(user, scopes);
    return (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) => h.graph(method, url, body, { authorization: `Bearer ${token}` });
  };

  it('mail: reading needs Mail.ReadBasic or more, sending Mail.Send, drafts Mail.ReadWrite (ErrorAccessDenied)', async () => {
    const calendarOnly = await as(['Calendars.ReadWrite']);
    expectDenied(await calendarOnly('GET', '/v1.0/me/messages'), 'ErrorAccessDenied');
    expectDenied(await calendarOnly('GET', '/v1.0/me/mailFolders/inbox/messages/delta'), 'ErrorAccessDenied');
    expect((await (await as(['Mail.ReadBasic']))('GET', '/v1.0/me/messages')).status).toBe(200);
    const reader = await as(['Mail.Read']);
    expectDenied(await reader('POST', '/v1.0/me/sendMail', mailBody), 'ErrorAccessDenied');
    expectDenied(await reader('POST', '/v1.0/me/messages', mailBody.message), 'ErrorAccessDenied');
    expect((await (await as(['Mail.Send']))('POST', '/v1.0/me/sendMail', mailBody)).status).toBe(202);
    expect((await (await as(['Mail.ReadWrite']))('POST', '/v1.0/me/messages', mailBody.message)).status).toBe(201);
  });

  it("mail: another user's mailbox needs a .Shared scope", async () => {
    const url = `/v1.0/users/${demoUsers.elenaAe}/messages`;
    expectDenied(await (await as(['Mail.ReadWrite', 'Mail.Send']))('GET', url), 'ErrorAccessDenied');
    expect((await (await as(['Mail.Read.Shared']))('GET', url)).status).toBe(200);
    expectDenied(await (await as(['Mail.Read.Shared']))('POST', `/v1.0/users/${demoUsers.elenaAe}/sendMail`, mailBody), 'ErrorAccessDenied');
  });

  it('events: reading needs Calendars.ReadBasic or more, writing Calendars.ReadWrite', async () => {
    expectDenied(await (await as(['Mail.Read']))('GET', '/v1.0/me/events'), 'ErrorAccessDenied');
    const basic = await as(['Calendars.ReadBasic']);
    expect((await basic('GET', '/v1.0/me/events')).status).toBe(200);
    expectDenied(await (await as(['Calendars.Read']))('POST', '/v1.0/me/events', eventBody), 'ErrorAccessDenied');
    expect((await (await as(['Calendars.ReadWrite']))('POST', '/v1.0/me/events', eventBody)).status).toBe(201);
    expectDenied(await (await as(['Calendars.ReadWrite']))('GET', `/v1.0/users/${demoUsers.elenaAe}/events`), 'ErrorAccessDenied');
  });

  it('calendarView: the view and its delta need a Calendars permission', async () => {
    const mailOnly = await as(['Mail.ReadWrite']);
    expectDenied(await mailOnly('GET', `/v1.0/me/calendarView?${window}`), 'ErrorAccessDenied');
    expectDenied(await mailOnly('GET', `/v1.0/me/calendarView/delta?${window}`), 'ErrorAccessDenied');
    expect((await (await as(['Calendars.ReadBasic']))('GET', `/v1.0/me/calendarView?${window}`)).status).toBe(200);
    expect((await (await as(['Calendars.Read']))('GET', `/v1.0/me/calendarView/delta?${window}`)).status).toBe(200);
    expectDenied(await (await as(['Calendars.Read']))('GET', `/v1.0/users/${demoUsers.elenaAe}/calendarView?${window}`), 'ErrorAccessDenied');
    expect((await (await as(['Calendars.Read.Shared']))('GET', `/v1.0/users/${demoUsers.elenaAe}/calendarView?${window}`)).status).toBe(200);
  });

  it('getSchedule: needs Calendars.ReadBasic or more', async () => {
    expectDenied(await (await as(['Mail.Read', 'User.Read']))('POST', '/v1.0/me/calendar/getSchedule', scheduleBody), 'ErrorAccessDenied');
    expect((await (await as(['Calendars.ReadBasic']))('POST', '/v1.0/me/calendar/getSchedule', scheduleBody)).status).toBe(200);
  });

  it('users: another profile needs User.ReadBasic.All (Authorization_RequestDenied)', async () => {
    const own = await as(['User.Read']);
    expect((await own('GET', '/v1.0/me')).status).toBe(200);
    expect((await own('GET', `/v1.0/users/${demoUsers.antonAe}/manager`)).status).toBe(200);
    expectDenied(await own('GET', `/v1.0/users/${demoUsers.elenaAe}`), 'Authorization_RequestDenied');
    expectDenied(await own('GET', '/v1.0/users'), 'Authorization_RequestDenied');
    const all = await as(['User.ReadBasic.All']);
    expect((await all('GET', `/v1.0/users/${demoUsers.elenaAe}`)).status).toBe(200);
    expect((await all('GET', '/v1.0/users?$select=id')).status).toBe(200);
  });

  it('mailboxSettings: reading needs MailboxSettings.Read, changing MailboxSettings.ReadWrite', async () => {
    expectDenied(await (await as(['User.Read']))('GET', '/v1.0/me/mailboxSettings'), 'ErrorAccessDenied');
    const reader = await as(['MailboxSettings.Read']);
    expect((await reader('GET', '/v1.0/me/mailboxSettings/timeZone')).status).toBe(200);
    expectDenied(await reader('PATCH', '/v1.0/me/mailboxSettings', { timeZone: 'UTC' }), 'ErrorAccessDenied');
    expect((await (await as(['MailboxSettings.ReadWrite']))('PATCH', '/v1.0/me/mailboxSettings', { timeZone: 'Pacific Standard Time' })).status).toBe(200);
    // Baton's server app reads mailbox settings only.
    expectDenied(await h.graph('PATCH', `/v1.0/users/${demoUsers.antonAe}/mailboxSettings`, { timeZone: 'UTC' }), 'ErrorAccessDenied');
  });

  it('subscriptions: the read permission of the subscribed resource, not a write one (ExtensionError)', async () => {
    const body = { changeType: 'created', notificationUrl: 'https://receiver.test/notify', resource: 'me/events', expirationDateTime: '2026-11-24T08:00:00Z' };
    const r = await (await as(['Calendars.ReadBasic', 'Mail.Read']))('POST', '/v1.0/subscriptions', body);
    expectDenied(r, 'ExtensionError');
    expect(r.body.error.message).toBe('Operation: Create; Exception: [Status Code: Forbidden; Reason: Access denied]');
    expectDenied(await (await as(['Calendars.ReadWrite']))('POST', '/v1.0/subscriptions', body), 'ExtensionError');
    expectDenied(await (await as(['Calendars.Read', 'Mail.ReadWrite']))('POST', '/v1.0/subscriptions', { ...body, resource: 'me/messages' }), 'ExtensionError');
  });

  it('checks each request of a $batch on its own', async () => {
    const batch = await (await as(['Mail.Read']))('POST', '/v1.0/$batch', {
      requests: [
        { id: '1', method: 'GET', url: '/me/messages?$top=1' },
        { id: '2', method: 'GET', url: '/me/events?$top=1' },
      ],
    });
    expect(batch.status).toBe(200);
    const statuses = Object.fromEntries((batch.body.responses as Array<{ id: string; status: number }>).map((x) => [x.id, x.status]));
    expect(statuses).toEqual({ '1': 200, '2': 403 });
  });

  it("the add-in's preview page is granted every call it makes", async () => {
    const preview = await as(previewScopes, demoUsers.danaSdr);
    expect((await preview('POST', '/v1.0/me/sendMail', mailBody)).status).toBe(202);
    const inbox = await preview('GET', '/v1.0/me/mailFolders/inbox/messages?$select=id,subject&$orderby=receivedDateTime desc&$top=25');
    expect(inbox.status).toBe(200);
    expect((await preview('POST', '/v1.0/me/events', eventBody)).status).toBe(201);
    const first = (inbox.body.value as Array<{ id: string }>)[0];
    if (first) expect((await preview('POST', `/v1.0/me/messages/${encodeURIComponent(first.id)}/reply`, { comment: 'Thanks' })).status).toBe(202);
  });
});

describe('an app registration without the permissions', () => {
  let h: SandboxHarness;
  beforeAll(async () => {
    const seed = loadTenantSeed();
    h = await startSandboxHarness({ seed: { ...seed, apps: { ...seed.apps, server: { ...seed.apps.server, applicationPermissions: ['User.Read.All'] } } } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('gets 403 for each resource family, and its one permission still works', async () => {
    const user = `/v1.0/users/${demoUsers.antonAe}`;
    expect((await h.graph('GET', user)).status).toBe(200);
    expectDenied(await h.graph('GET', `${user}/messages`), 'ErrorAccessDenied');
    expectDenied(await h.graph('POST', `${user}/sendMail`, mailBody), 'ErrorAccessDenied');
    expectDenied(await h.graph('GET', `${user}/events`), 'ErrorAccessDenied');
    expectDenied(await h.graph('GET', `${user}/calendarView?${window}`), 'ErrorAccessDenied');
    expectDenied(await h.graph('POST', `${user}/calendar/getSchedule`, scheduleBody), 'ErrorAccessDenied');
    expectDenied(await h.graph('GET', `${user}/mailboxSettings`), 'ErrorAccessDenied');
    expectDenied(
      await h.graph('POST', '/v1.0/subscriptions', { changeType: 'created', notificationUrl: 'https://receiver.test/notify', resource: `users/${demoUsers.antonAe}/events`, expirationDateTime: '2026-11-24T08:00:00Z' }),
      'ExtensionError',
    );
  });
});
