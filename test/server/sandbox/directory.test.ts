// The sandbox directory as Graph answers it: users by id or UPN, $select, manager, mailbox settings, and 404s
// and 401s in Graph's error shape.
import { demoUsers, startSandboxHarness, type SandboxHarness } from './harness';

let h: SandboxHarness;
beforeAll(async () => {
  h = await startSandboxHarness();
});
afterAll(() => h.close());

describe('sandbox directory', () => {
  it('gets a user by id and by userPrincipalName, with $select', async () => {
    const byId = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}`);
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ id: demoUsers.antonAe, displayName: 'Anton Weber', mail: 'anton.weber@contoso-sales.example' });
    const byUpn = await h.graph('GET', `/v1.0/users/Anton.Weber@contoso-sales.example?$select=displayName,jobTitle`);
    expect(byUpn.body).toEqual({ '@odata.context': expect.any(String), displayName: 'Anton Weber', jobTitle: 'Account Executive', id: demoUsers.antonAe });
    const odataKey = await h.graph('GET', `/v1.0/users('${demoUsers.antonAe}')?$select=id`);
    expect(odataKey.body.id).toBe(demoUsers.antonAe);
  });

  it('answers an unknown user with Graph 404 Request_ResourceNotFound and its request id', async () => {
    const r = await h.graph('GET', '/v1.0/users/nobody@contoso-sales.example');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('Request_ResourceNotFound');
    expect(r.body.error.innerError['request-id']).toBe(r.headers['request-id']);
  });

  it("returns a user's manager, and 404 for a user without one", async () => {
    const m = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/manager`);
    expect(m.body).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: demoUsers.meganManager, displayName: 'Megan Bauer' });
    const none = await h.graph('GET', `/v1.0/users/${demoUsers.meganManager}/manager`);
    expect(none.status).toBe(404);
  });

  it('gives mailbox settings with Windows or IANA time zones, working hours and automatic replies', async () => {
    const anton = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/mailboxSettings`);
    expect(anton.body.timeZone).toBe('W. Europe Standard Time');
    expect(anton.body.workingHours).toMatchObject({ startTime: '09:00:00.0000000', daysOfWeek: expect.arrayContaining(['monday']) });
    const elena = await h.graph('GET', `/v1.0/users/${demoUsers.elenaAe}/mailboxSettings?$select=automaticRepliesSetting,timeZone`);
    expect(elena.body.automaticRepliesSetting.status).toBe('alwaysEnabled');
    expect(elena.body.timeZone).toBe('Europe/Rome');
    expect(elena.body.workingHours).toBeUndefined();
  });

  it('refuses a request without a valid token (401 InvalidAuthenticationToken)', async () => {
    const none = await h.app.inject({ method: 'GET', url: `/v1.0/users/${demoUsers.antonAe}` });
    expect(none.statusCode).toBe(401);
    expect(JSON.parse(none.body).error.code).toBe('InvalidAuthenticationToken');
    const forged = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}`, undefined, { authorization: `Bearer ${h.appToken.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(401);
  });

  it('answers an unknown segment and malformed JSON as Graph does (400)', async () => {
    const r = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/nonsense`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('BadRequest');
    const bad = await h.graph('PATCH', `/v1.0/users/${demoUsers.antonAe}/mailboxSettings`, '{"timeZone": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/JSON/);
  });
});
