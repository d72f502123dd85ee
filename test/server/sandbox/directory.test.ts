// The sandbox directory as Graph answers it: users by id or UPN, $select over the CSDL user (501 for the properties
// Graph serves one user at a time), $expand=manager, the whole mailbox settings and each of their properties, and
// 404s, 400s and 401s in Graph's error shape. Imports: ./harness.
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

  it.each([
    ['postalCode,identities', { postalCode: null, identities: [{ signInType: 'userPrincipalName', issuer: 'contoso-sales.example', issuerAssignedId: 'anton.weber@contoso-sales.example' }] }],
    ['customSecurityAttributes,skills,birthday', { customSecurityAttributes: null, skills: [], birthday: '0001-01-01T00:00:00Z' }],
    ['department,accountEnabled,userType,mailNickname', { department: 'Sales EMEA', accountEnabled: true, userType: 'Member', mailNickname: 'anton.weber' }],
  ])('selects any CSDL user property on one user: $select=%s', async (select, expected) => {
    const r = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}?$select=${select}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ '@odata.context': expect.stringMatching(new RegExp(`#users\\(${select}\\)/\\$entity$`)), ...expected, id: demoUsers.antonAe });
  });

  it('selects the whole mailboxSettings of one user, but refuses it and skills on a list (501 NotImplemented)', async () => {
    const one = await h.graph('GET', `/v1.0/users/${demoUsers.elenaAe}?$select=mailboxSettings`);
    expect(one.body.mailboxSettings).toMatchObject({ timeZone: 'Europe/Rome', automaticRepliesSetting: { status: 'alwaysEnabled' }, userPurpose: 'user' });
    for (const select of ['skills', 'displayName,mailboxSettings', 'aboutMe']) {
      const list = await h.graph('GET', `/v1.0/users?$select=${select}`);
      expect(list.status).toBe(501);
      expect(list.body.error).toMatchObject({ code: 'NotImplemented', message: 'This operation target is not yet supported.' });
    }
    const listed = await h.graph('GET', '/v1.0/users?$select=displayName,postalCode&$top=2');
    expect(listed.status).toBe(200);
    expect(listed.body.value[0]).toEqual({ displayName: expect.any(String), postalCode: null, id: expect.any(String) });
  });

  it('answers a $select of a name the CSDL user lacks with 400 naming it', async () => {
    for (const url of [`/v1.0/users/${demoUsers.antonAe}?$select=displayName,batonRole`, '/v1.0/users?$select=batonRole']) {
      const r = await h.graph('GET', url);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toBe("Could not find a property named 'batonRole' on type 'microsoft.graph.user'.");
    }
  });

  it('expands the manager ($expand=manager, with $levels and $select), on a user, on /me and on a list', async () => {
    const one = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}?$expand=manager`);
    expect(one.body).toMatchObject({ id: demoUsers.antonAe, displayName: 'Anton Weber', manager: { '@odata.type': '#microsoft.graph.user', id: demoUsers.meganManager, displayName: 'Megan Bauer', jobTitle: expect.any(String) } });
    const chain = await h.graph('GET', `/v1.0/users/${demoUsers.danaSdr}?$expand=manager($levels=max;$select=id,displayName)&$select=id,displayName&$count=true`, undefined, { ConsistencyLevel: 'eventual' });
    expect(chain.status).toBe(200);
    expect(chain.body).toEqual({
      '@odata.context': expect.any(String),
      displayName: 'Dana Whit',
      id: demoUsers.danaSdr,
      manager: { '@odata.type': '#microsoft.graph.user', displayName: 'Marcus Reed', id: demoUsers.marcusManager },
    });
    const top = await h.graph('GET', `/v1.0/users/${demoUsers.meganManager}?$expand=manager`);
    expect(top.status).toBe(200);
    expect(top.body.manager).toBeUndefined();
    const token = (await h.sb.identity.issueUserToken(demoUsers.sofiaSdr, { audience: 'https://graph.microsoft.com', scopes: ['User.Read'], clientId: h.sb.tenant.apps.addin.clientId })).accessToken;
    const me = await h.graph('GET', '/v1.0/me?$expand=manager($select=displayName)', undefined, { authorization: `Bearer ${token}` });
    expect(me.body.manager).toEqual({ '@odata.type': '#microsoft.graph.user', displayName: 'Megan Bauer', id: demoUsers.meganManager });
    const list = await h.graph('GET', '/v1.0/users?$select=id&$expand=manager($select=id)');
    expect(list.body.value.find((u: { id: string }) => u.id === demoUsers.liamSdr).manager.id).toBe(demoUsers.meganManager);
    for (const bad of ['directReportz', 'manager($levels=0)', 'manager($top=1)']) {
      expect((await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}?$expand=${bad}`)).status).toBe(400);
    }
  });

  it('answers the whole mailboxSettings with Graph defaults where the seed sets nothing', async () => {
    const r = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/mailboxSettings`);
    expect(Object.keys(r.body).sort()).toEqual(
      ['@odata.context', 'archiveFolder', 'automaticRepliesSetting', 'dateFormat', 'delegateMeetingMessageDeliveryOptions', 'language', 'timeFormat', 'timeZone', 'userPurpose', 'workingHours'].sort(),
    );
    expect(r.body).toMatchObject({
      automaticRepliesSetting: {
        status: 'disabled',
        externalAudience: 'all',
        scheduledStartDateTime: { dateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:00:00\.0000000$/), timeZone: 'UTC' },
        scheduledEndDateTime: { dateTime: expect.any(String), timeZone: 'UTC' },
        internalReplyMessage: '',
        externalReplyMessage: '',
      },
      language: { locale: 'en-US', displayName: 'English (United States)' },
      dateFormat: expect.any(String),
      timeFormat: expect.any(String),
      delegateMeetingMessageDeliveryOptions: 'sendToDelegateOnly',
      userPurpose: 'user',
      timeZone: 'W. Europe Standard Time',
    });
    const elena = await h.graph('GET', `/v1.0/users/${demoUsers.elenaAe}/mailboxSettings`);
    expect(elena.body.automaticRepliesSetting).toMatchObject({ status: 'alwaysEnabled', internalReplyMessage: expect.stringContaining('Anton Weber covers'), scheduledStartDateTime: expect.any(Object) });
  });

  it.each([
    ['automaticRepliesSetting', { status: 'alwaysEnabled', externalAudience: 'all' }],
    ['workingHours', { startTime: '09:00:00.0000000', timeZone: { name: 'Europe/Rome' } }],
    ['language', { locale: 'en-US', displayName: 'English (United States)' }],
    ['userPurpose', { value: 'user' }],
    ['timeZone', { value: 'Europe/Rome' }],
    ['dateFormat', { value: expect.any(String) }],
    ['archiveFolder', { value: null }],
  ])('gets one mailbox setting: GET /mailboxSettings/%s', async (property, expected) => {
    const r = await h.graph('GET', `/v1.0/users/${demoUsers.elenaAe}/mailboxSettings/${property}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ '@odata.context': `${h.sb.baseUrl()}/v1.0/$metadata#users('${demoUsers.elenaAe}')/mailboxSettings/${property}`, ...expected });
  });

  it('answers an unknown mailbox setting as Graph does (400 for the segment)', async () => {
    const r = await h.graph('GET', `/v1.0/users/${demoUsers.elenaAe}/mailboxSettings/nonsense`);
    expect(r.status).toBe(400);
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
    const settingsWriter = await h.userToken(demoUsers.antonAe, ['MailboxSettings.ReadWrite']);
    const bad = await h.graph('PATCH', '/v1.0/me/mailboxSettings', '{"timeZone": ', { authorization: `Bearer ${settingsWriter}` });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/JSON/);
  });
});
