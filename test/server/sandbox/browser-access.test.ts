// What a browser app (the add-in's preview page, on Baton's origin) needs from the sandbox, as Entra ID and Graph give
// it: CORS on Graph (preflight without a token, readable ids), sign-in through a localhost redirect URI on any port
// (Entra's localhost exception), and a delegated token that sends from /me with custom internet headers kept on the
// sender's and the recipients' copies.
import { createHash, randomBytes } from 'node:crypto';
import { isRegisteredRedirectUri } from '../../../server/sandbox/identity';
import { demoUsers, startSandboxHarness, type SandboxHarness } from './harness';

let h: SandboxHarness;
beforeAll(async () => {
  h = await startSandboxHarness();
});
afterAll(() => h.close());

const origin = 'https://127.0.0.1:41234';

describe('CORS on Graph', () => {
  it('answers a preflight without a token, allowing the headers asked for', async () => {
    const res = await h.app.inject({
      method: 'OPTIONS',
      url: '/v1.0/me/sendMail',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(res.headers['access-control-allow-headers']).toBe('authorization, content-type');
  });

  it("lets a browser read Graph's answers and their request ids, errors included", async () => {
    const ok = await h.graph('GET', `/v1.0/users/${demoUsers.danaSdr}`, undefined, { origin });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('*');
    expect(ok.headers['access-control-expose-headers']).toContain('request-id');
    const refused = await h.graph('GET', '/v1.0/me', undefined, { origin, authorization: 'Bearer nope' });
    expect(refused.status).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe('*');
    const serverSide = await h.graph('GET', `/v1.0/users/${demoUsers.danaSdr}`);
    expect(serverSide.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('localhost redirect URIs', () => {
  const registered = ['https://localhost:3000/addin/auth-redirect.html', 'https://127.0.0.1:3000/addin/auth-redirect.html', 'https://baton.example/addin/auth-redirect.html'];

  it.each([
    ['https://127.0.0.1:41234/addin/auth-redirect.html', true],
    ['https://localhost/addin/auth-redirect.html', true],
    ['https://127.0.0.1:41234/addin/other.html', false],
    ['http://127.0.0.1:41234/addin/auth-redirect.html', false],
    ['https://baton.example:8443/addin/auth-redirect.html', false],
    ['https://127.0.0.2:3000/addin/auth-redirect.html', false],
  ])('%s matches a registered one: %s', (uri, expected) => {
    expect(isRegisteredRedirectUri(registered, uri)).toBe(expected);
  });

  it('signs a user in through Baton on an ephemeral port and redeems the code from that origin', async () => {
    const { addin, api } = h.sb.tenant.apps;
    const tid = h.sb.tenant.tenantId;
    const redirectUri = `${origin}/addin/auth-redirect.html`;
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      client_id: addin.clientId,
      response_type: 'code',
      response_mode: 'fragment',
      redirect_uri: redirectUri,
      scope: `${api.identifierUri}/access_as_user openid profile offline_access`,
      state: 'st',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const page = await h.app.inject({ method: 'GET', url: `/${tid}/oauth2/v2.0/authorize?${query.toString()}` });
    expect(page.statusCode).toBe(200);
    const requestId = /name="request" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const cookie = String(page.headers['set-cookie']).split(';')[0] ?? '';
    const pick = await h.app.inject({
      method: 'POST',
      url: `/${tid}/oauth2/v2.0/authorize`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      payload: new URLSearchParams({ request: requestId, user: demoUsers.danaSdr }).toString(),
    });
    const location = new URL(String(pick.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
    const code = new URLSearchParams(location.hash.slice(1)).get('code') ?? '';
    const token = await h.app.inject({
      method: 'POST',
      url: `/${tid}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      payload: new URLSearchParams({ client_id: addin.clientId, grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }).toString(),
    });
    expect(token.statusCode).toBe(200);
    expect(token.headers['access-control-allow-origin']).toBe('*');
    const body = token.json<{ access_token: string; refresh_token: string }>();
    expect(body.access_token).toMatch(/^ey/);

    // The same sign-in's refresh token gives the page a Graph token for the user's own mailbox.
    const graph = await h.app.inject({
      method: 'POST',
      url: `/${tid}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      payload: new URLSearchParams({ client_id: addin.clientId, grant_type: 'refresh_token', refresh_token: body.refresh_token, scope: 'Mail.Send Mail.Read Calendars.ReadWrite openid profile offline_access' }).toString(),
    });
    expect(graph.json<{ scope: string }>().scope).toBe('Mail.Send Mail.Read Calendars.ReadWrite');
  });
});

describe('a delegated token on /me', () => {
  it('sends with a custom internet header that the sent copy and the recipients copies keep', async () => {
    const { accessToken } = await h.sb.identity.issueUserToken(demoUsers.danaSdr, {
      audience: 'https://graph.microsoft.com',
      scopes: ['Mail.Send', 'Mail.Read', 'Calendars.ReadWrite'],
      clientId: h.sb.tenant.apps.addin.clientId,
    });
    const asDana = { authorization: `Bearer ${accessToken}`, origin };
    const anton = h.sb.directory.get(demoUsers.antonAe).userPrincipalName;
    const sent = await h.graph(
      'POST',
      '/v1.0/me/sendMail',
      {
        message: {
          subject: 'Intro: Contoso Robotics',
          body: { contentType: 'HTML', content: '<p>Meet Anton</p>' },
          toRecipients: [{ emailAddress: { address: anton } }],
          internetMessageHeaders: [{ name: 'x-baton-handoff', value: 'h-123' }],
        },
        saveToSentItems: true,
      },
      asDana,
    );
    expect(sent.status).toBe(202);

    const select = '$select=subject,internetMessageHeaders';
    const mine = await h.graph('GET', `/v1.0/me/mailFolders/sentitems/messages?${select}`, undefined, asDana);
    const sentCopy = (mine.body.value as { subject: string; internetMessageHeaders: { name: string; value: string }[] }[]).find((m) => m.subject === 'Intro: Contoso Robotics');
    expect(sentCopy?.internetMessageHeaders).toContainEqual({ name: 'x-baton-handoff', value: 'h-123' });

    const inbox = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/mailFolders/inbox/messages?${select}`);
    const delivered = (inbox.body.value as { subject: string; internetMessageHeaders: { name: string; value: string }[] }[]).find((m) => m.subject === 'Intro: Contoso Robotics');
    expect(delivered?.internetMessageHeaders).toContainEqual({ name: 'x-baton-handoff', value: 'h-123' });

    // The same token does not reach another user's mailbox.
    expect((await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/messages`, undefined, asDana)).status).toBe(403);
  });
});
