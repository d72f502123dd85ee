// The sandbox's Entra ID endpoints in process: discovery and keys, the token endpoint's grants and its refusals in
// Entra's error shape (AADSTS codes, statuses), the sign-in page (escaping, CSP, the nonce bound to the browser),
// PKCE codes (single use, short-lived), refresh tokens, the claims of user and ID tokens, and /sandbox/tenant.json.
import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { loadTenantSeed } from '../../../server/sandbox/directory';
import { demoUsers, startSandboxHarness, type SandboxHarness } from './harness';

let h: SandboxHarness;
let tenantId: string;
beforeAll(async () => {
  h = await startSandboxHarness();
  tenantId = h.sb.tenant.tenantId;
});
afterAll(() => h.close());

const apps = () => h.sb.tenant.apps;
const taskpane = 'https://localhost:3000/addin/taskpane.html';
const apiScope = () => `${apps().api.identifierUri}/access_as_user`;

/** The JSON fields these tests read (token answers, Entra errors, discovery, tenant.json); absent ones stay undefined. */
interface Body {
  access_token: string;
  refresh_token: string;
  id_token: string;
  issuer: string;
  error_codes: number[];
  correlation_id: string;
  trace_id: string;
  error_description: string;
  keys: { kid: string }[];
  users: unknown[];
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Body;
  text: string;
}

// Jest's asymmetric matchers are typed `any`; as `unknown` they go in expected objects without unsafe assignments.
const anyString: unknown = expect.any(String);
const matching = (re: RegExp): unknown => expect.stringMatching(re);
const containing = (text: string): unknown => expect.stringContaining(text);
const including = (items: unknown[]): unknown => expect.arrayContaining(items);
const objectWith = (fields: Record<string, unknown>): unknown => expect.objectContaining(fields);

async function call(method: 'GET' | 'POST', url: string, form?: Record<string, string> | string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await h.app.inject({
    method,
    url,
    headers: { ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }), ...headers },
    ...(form === undefined ? {} : { payload: typeof form === 'string' ? form : new URLSearchParams(form).toString() }),
  });
  let body = {} as Body;
  try {
    body = JSON.parse(res.body) as Body;
  } catch {
    // HTML pages and empty answers: read `text`.
  }
  return { status: res.statusCode, headers: res.headers, body, text: res.body };
}

const token = (form: Record<string, string> | string, headers?: Record<string, string>, tenant = tenantId) => call('POST', `/${tenant}/oauth2/v2.0/token`, form, headers);

const clientCredentials = (overrides: Record<string, string> = {}) => ({
  client_id: apps().server.clientId,
  client_secret: apps().server.clientSecret,
  grant_type: 'client_credentials',
  scope: 'https://graph.microsoft.com/.default',
  ...overrides,
});

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(params: Record<string, string | null>, tenant = tenantId): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null) q.set(k, v);
  return `/${tenant}/oauth2/v2.0/authorize?${q.toString()}`;
}

const authorizeParams = (challenge: string, overrides: Record<string, string | null> = {}) => ({
  client_id: apps().addin.clientId,
  response_type: 'code',
  redirect_uri: taskpane,
  scope: `${apiScope()} openid profile offline_access`,
  state: 'state-1',
  nonce: 'nonce-1',
  code_challenge: challenge,
  code_challenge_method: 'S256',
  ...overrides,
});

/** GET the sign-in page, then pick a user as the same browser (the page's request id and its cookie). */
async function signIn(params: Record<string, string | null>, userId: string = demoUsers.sofiaSdr) {
  const page = await call('GET', authorizeUrl(params));
  expect(page.status).toBe(200);
  const requestId = /name="request" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const cookie = String(page.headers['set-cookie'] ?? '').split(';')[0] ?? '';
  const pick = await call('POST', `/${tenantId}/oauth2/v2.0/authorize`, { request: requestId, user: userId }, { cookie });
  return { page, pick, requestId, cookie };
}

async function codeFor(userId: string = demoUsers.sofiaSdr, overrides: Record<string, string | null> = {}) {
  const { verifier, challenge } = pkce();
  const { pick } = await signIn(authorizeParams(challenge, overrides), userId);
  expect(pick.status).toBe(302);
  const code = new URL(String(pick.headers['location'])).searchParams.get('code') ?? '';
  return { code, verifier };
}

const redeem = (code: string, verifier: string, overrides: Record<string, string> = {}) =>
  token({ client_id: apps().addin.clientId, grant_type: 'authorization_code', code, redirect_uri: taskpane, code_verifier: verifier, scope: `${apiScope()} openid profile offline_access`, ...overrides });

function expectEntraError(a: Answer, status: number, error: string, code: number) {
  expect(a.status).toBe(status);
  expect(a.body).toEqual({
    error,
    error_description: matching(new RegExp(`^AADSTS${code}: .+ Trace ID: [0-9a-f-]{36} Correlation ID: \\S+ Timestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`)),
    error_codes: [code],
    timestamp: matching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
    trace_id: anyString,
    correlation_id: anyString,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  });
}

describe('discovery and keys', () => {
  it('serves the OpenID configuration with every endpoint under the sandbox origin', async () => {
    const r = await call('GET', `/${tenantId}/v2.0/.well-known/openid-configuration`);
    expect(r.status).toBe(200);
    const base = `https://sandbox.test/${tenantId}`;
    expect(r.body).toMatchObject({
      issuer: `${base}/v2.0`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      id_token_signing_alg_values_supported: ['RS256'],
      subject_types_supported: ['pairwise'],
      token_endpoint_auth_methods_supported: including(['client_secret_post', 'client_secret_basic']),
    });
    expect(r.headers['access-control-allow-origin']).toBe('*');
  });

  it('accepts the tenant domain as the tenant segment, any case', async () => {
    const r = await call('GET', `/${h.sb.tenant.domain.toUpperCase()}/v2.0/.well-known/openid-configuration`);
    expect(r.status).toBe(200);
    expect(r.body.issuer).toBe(`https://sandbox.test/${tenantId}/v2.0`);
  });

  it('publishes the RS256 signing key that verifies its tokens', async () => {
    const r = await call('GET', `/${tenantId}/discovery/v2.0/keys`);
    expect(r.body.keys).toHaveLength(1);
    const [key] = r.body.keys;
    expect(key).toMatchObject({ kty: 'RSA', use: 'sig', kid: anyString, n: anyString, e: 'AQAB' });
    expect(key).not.toHaveProperty('d');
    const issued = await token(clientCredentials());
    expect(decodeProtectedHeader(issued.body.access_token)).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: key?.kid });
  });

  it.each([
    ['openid-configuration', 'GET', '/v2.0/.well-known/openid-configuration', 'invalid_tenant'],
    ['keys', 'GET', '/discovery/v2.0/keys', 'invalid_tenant'],
    ['token', 'POST', '/oauth2/v2.0/token', 'invalid_request'],
  ] as const)('refuses another tenant on %s with AADSTS90002', async (_name, method, path, error) => {
    const other = '00000000-1111-4222-8333-444444444444';
    const r = await call(method, `/${other}${path}`, method === 'POST' ? clientCredentials() : undefined);
    expectEntraError(r, 400, error, 90002);
    expect(r.body.error_description).toContain(`Tenant '${other}' not found`);
  });
});

describe('client credentials', () => {
  it('gives the server app a Graph token with its application permissions', async () => {
    const r = await token(clientCredentials(), { 'client-request-id': 'c0ffee00-1111-4222-8333-444444444444' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: anyString });
    expect(r.headers['cache-control']).toBe('no-store, no-cache');
    const claims = decodeJwt(r.body.access_token);
    expect(claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      iss: `https://sandbox.test/${tenantId}/v2.0`,
      appid: apps().server.clientId,
      azp: apps().server.clientId,
      azpacr: '1',
      idtyp: 'app',
      roles: apps().server.applicationPermissions,
      tid: tenantId,
    });
    const graph = await h.app.inject({ method: 'GET', url: `/v1.0/users/${demoUsers.antonAe}`, headers: { authorization: `Bearer ${r.body.access_token}` } });
    expect(graph.statusCode).toBe(200);
  });

  it('accepts client_secret_basic', async () => {
    const basic = Buffer.from(`${apps().server.clientId}:${encodeURIComponent(apps().server.clientSecret)}`).toString('base64');
    const r = await token({ grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }, { authorization: `Basic ${basic}` });
    expect(r.status).toBe(200);
  });

  it.each([
    ['a wrong secret', { client_secret: 'wrong-secret-wrong-secret' }, 401, 'invalid_client', 7000215],
    ['no secret', { client_secret: '' }, 401, 'invalid_client', 7000218],
    ['an unknown client', { client_id: '11111111-2222-4333-8444-555555555555' }, 400, 'unauthorized_client', 700016],
    ['no client id', { client_id: '' }, 400, 'invalid_request', 900144],
    ['a scope without /.default', { scope: 'https://graph.microsoft.com/User.Read.All' }, 400, 'invalid_scope', 1002012],
    ['two scopes', { scope: 'https://graph.microsoft.com/.default api://x/.default' }, 400, 'invalid_scope', 1002012],
    ['an unknown resource', { scope: 'https://vault.azure.net/.default' }, 400, 'invalid_resource', 500011],
    ['no scope', { scope: '' }, 400, 'invalid_request', 900144],
    ['no grant type', { grant_type: '' }, 400, 'invalid_request', 900144],
    ['an unsupported grant type', { grant_type: 'password' }, 400, 'unsupported_grant_type', 70003],
    ['a client assertion', { client_assertion: 'eyJ.x.y', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' }, 401, 'invalid_client', 700027],
  ])('refuses %s', async (_name, overrides, status, error, code) => {
    const form = Object.fromEntries(Object.entries(clientCredentials(overrides)).filter(([, v]) => v !== ''));
    expectEntraError(await token(form), status, error, code);
  });

  it('refuses the public add-in client: it has no secret', async () => {
    expectEntraError(await token(clientCredentials({ client_id: apps().addin.clientId, client_secret: 'x' })), 401, 'invalid_client', 700025);
    const noSecret: Record<string, string> = { client_id: apps().addin.clientId, grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' };
    expectEntraError(await token(noSecret), 401, 'invalid_client', 7000218);
  });

  it('refuses a duplicated parameter and a body that is not form-encoded', async () => {
    const form = `${new URLSearchParams(clientCredentials()).toString()}&client_id=${apps().server.clientId}`;
    expectEntraError(await token(form), 400, 'invalid_request', 9000411);
    const json = await h.app.inject({ method: 'POST', url: `/${tenantId}/oauth2/v2.0/token`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(clientCredentials()) });
    expectEntraError({ status: json.statusCode, headers: json.headers, body: JSON.parse(json.body) as Body, text: json.body }, 400, 'invalid_request', 900144);
    const broken = await h.app.inject({ method: 'POST', url: `/${tenantId}/oauth2/v2.0/token`, headers: { 'content-type': 'application/json' }, payload: '{"grant_type":' });
    expect(broken.statusCode).toBe(400);
    expect((JSON.parse(broken.body) as Body).error_codes).toEqual([900144]);
  });

  it('echoes client-request-id as the correlation id', async () => {
    const r = await token(clientCredentials({ client_secret: 'nope-nope-nope-nope' }), { 'client-request-id': 'c0ffee00-1111-4222-8333-444444444444' });
    expect(r.body.correlation_id).toBe('c0ffee00-1111-4222-8333-444444444444');
    expect(r.body.trace_id).toBe(r.headers['x-ms-request-id']);
  });
});

describe('sign-in page', () => {
  it('lists the users with their role and team, escaped, under a strict Content-Security-Policy', async () => {
    const { page } = await (async () => {
      const p = await call('GET', authorizeUrl(authorizeParams(pkce().challenge)));
      return { page: p };
    })();
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/form-action 'self' https:\/\/localhost:3000/);
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.text).toContain('Sofia');
    expect(page.text).toContain('SDR · team');
    expect(page.text).toContain('Account executive');
    expect(page.text).not.toMatch(/<script/i);
    expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly; Secure; SameSite=Strict/);
  });

  it('escapes a display name containing <script>', async () => {
    const seed = loadTenantSeed();
    const first = seed.users[0];
    if (!first) throw new Error('seed without users');
    first.displayName = `<script>alert("x")</script> & 'Ada'`;
    const evil = await startSandboxHarness({ seed });
    try {
      const res = await evil.app.inject({ method: 'GET', url: authorizeUrl(authorizeParams(pkce().challenge), seed.tenantId) });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('<script>');
      expect(res.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Ada&#39;');
    } finally {
      await evil.close();
    }
  });

  it('redirects to the app with code and state (query by default, fragment, or form_post)', async () => {
    const { challenge } = pkce();
    const query = await signIn(authorizeParams(challenge));
    expect(query.pick.status).toBe(302);
    const q = new URL(String(query.pick.headers['location']));
    expect(q.origin + q.pathname).toBe(taskpane);
    expect(q.searchParams.get('code')).toMatch(/^0\./);
    expect(q.searchParams.get('state')).toBe('state-1');
    expect(String(query.pick.headers['set-cookie'])).toContain('Max-Age=0');

    const fragment = await signIn(authorizeParams(challenge, { response_mode: 'fragment', client_info: '1' }));
    const f = new URL(String(fragment.pick.headers['location']));
    expect(f.search).toBe('');
    const hash = new URLSearchParams(f.hash.slice(1));
    expect(hash.get('code')).toBeTruthy();
    expect(hash.get('state')).toBe('state-1');
    expect(JSON.parse(Buffer.from(hash.get('client_info') ?? '', 'base64url').toString())).toEqual({ uid: demoUsers.sofiaSdr, utid: tenantId });

    const posted = await signIn(authorizeParams(challenge, { response_mode: 'form_post' }));
    expect(posted.pick.status).toBe(200);
    expect(posted.pick.text).toContain(`action="${taskpane}"`);
    expect(posted.pick.text).toMatch(/name="code" value="0\.[^"]+"/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(String(posted.pick.headers['content-security-policy']))?.[1];
    expect(posted.pick.text).toContain(`<script nonce="${nonce ?? 'missing'}">`);
  });

  it('accepts the brk-multihub redirect of nested app authentication', async () => {
    const { pick } = await signIn(authorizeParams(pkce().challenge, { redirect_uri: 'brk-multihub://localhost' }));
    expect(String(pick.headers['location'])).toMatch(/^brk-multihub:\/\/localhost\?code=/);
  });

  it('binds the pick to the browser that opened the page, and to one use', async () => {
    const page = await call('GET', authorizeUrl(authorizeParams(pkce().challenge)));
    const requestId = /name="request" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const cookie = String(page.headers['set-cookie']).split(';')[0] ?? '';
    const url = `/${tenantId}/oauth2/v2.0/authorize`;
    expect((await call('POST', url, { request: requestId, user: demoUsers.sofiaSdr })).status).toBe(403);
    const forged = `${cookie.split('=')[0] ?? ''}=${randomBytes(32).toString('base64url')}`;
    expect((await call('POST', url, { request: requestId, user: demoUsers.sofiaSdr }, { cookie: forged })).status).toBe(403);
    expect((await call('POST', url, { request: 'made-up', user: demoUsers.sofiaSdr }, { cookie })).status).toBe(400);
    expect((await call('POST', url, { request: requestId, user: 'nobody' }, { cookie })).status).toBe(400);
    expect((await call('POST', url, { request: requestId, user: demoUsers.sofiaSdr }, { cookie })).status).toBe(302);
    expect((await call('POST', url, { request: requestId, user: demoUsers.sofiaSdr }, { cookie })).status).toBe(400);
  });

  it('expires a sign-in left open for more than 10 minutes', async () => {
    const page = await call('GET', authorizeUrl(authorizeParams(pkce().challenge)));
    const requestId = /name="request" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const cookie = String(page.headers['set-cookie']).split(';')[0] ?? '';
    h.sb.clock.advance(11 * 60 * 1000);
    const late = await call('POST', `/${tenantId}/oauth2/v2.0/authorize`, { request: requestId, user: demoUsers.sofiaSdr }, { cookie });
    expect(late.status).toBe(400);
    expect(late.text).toContain('expired');
  });

  it.each([
    ['an unregistered redirect_uri', { redirect_uri: 'https://evil.example/steal' }, 50011],
    ['an unknown client', { client_id: '11111111-2222-4333-8444-555555555555' }, 700016],
    ['no redirect_uri', { redirect_uri: null }, 900144],
  ])('shows an error page, never redirecting, for %s', async (_name, overrides, code) => {
    const r = await call('GET', authorizeUrl(authorizeParams(pkce().challenge, overrides)));
    expect(r.status).toBe(400);
    expect(r.headers['location']).toBeUndefined();
    expect(r.text).toContain(`AADSTS${code}`);
    expect(r.text).not.toContain('<script');
  });

  it('shows an error page for another tenant', async () => {
    const r = await call('GET', authorizeUrl(authorizeParams(pkce().challenge), 'contoso.onmicrosoft.com'));
    expect(r.status).toBe(400);
    expect(r.text).toContain('AADSTS90002');
  });

  it.each([
    ['no PKCE challenge', { code_challenge: null }, 'invalid_request', 9002325],
    ['the plain PKCE method', { code_challenge_method: 'plain' }, 'invalid_request', 9002313],
    ['response_type token', { response_type: 'token' }, 'unsupported_response_type', 700051],
    ['a scope the API does not define', { scope: 'api://9b8e7d6c-5a4b-4c3d-8e2f-1a0b9c8d7e6f/admin_everything' }, 'invalid_client', 650053],
    ['an unknown resource', { scope: 'https://outlook.office.com/Mail.Read' }, 'invalid_resource', 500011],
    ['prompt=none without a session', { prompt: 'none' }, 'login_required', 50058],
  ])('redirects an error with state for %s', async (_name, overrides, error, code) => {
    const r = await call('GET', authorizeUrl(authorizeParams(pkce().challenge, overrides)));
    expect(r.status).toBe(302);
    const back = new URL(String(r.headers['location']));
    expect(back.origin + back.pathname).toBe(taskpane);
    expect(back.searchParams.get('error')).toBe(error);
    expect(back.searchParams.get('error_description')).toMatch(new RegExp(`^AADSTS${code}: `));
    expect(back.searchParams.get('state')).toBe('state-1');
    expect(back.searchParams.get('code')).toBeNull();
  });
});

describe('authorization code with PKCE', () => {
  it('gives a user token for the Baton API with the claims of an Entra v2 access token, an ID token and a refresh token', async () => {
    const { code, verifier } = await codeFor(demoUsers.antonAe, { client_info: '1' });
    const r = await redeem(code, verifier, { client_info: '1' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      token_type: 'Bearer',
      scope: apiScope(),
      expires_in: 3600,
      ext_expires_in: 3600,
      access_token: anyString,
      refresh_token: anyString,
      id_token: anyString,
      client_info: anyString,
    });
    const at = decodeJwt(r.body.access_token);
    for (const claim of ['aud', 'iss', 'iat', 'nbf', 'exp', 'azp', 'azpacr', 'name', 'oid', 'preferred_username', 'scp', 'sub', 'tid', 'uti', 'ver']) {
      expect(at).toHaveProperty(claim);
    }
    expect(at).toMatchObject({
      aud: apps().api.clientId,
      iss: `https://sandbox.test/${tenantId}/v2.0`,
      azp: apps().addin.clientId,
      azpacr: '0',
      name: 'Anton Weber',
      oid: demoUsers.antonAe,
      preferred_username: 'anton.weber@contoso-sales.example',
      scp: 'access_as_user',
      tid: tenantId,
      ver: '2.0',
    });
    expect(at.sub).not.toBe(demoUsers.antonAe); // pairwise, as in Entra: key users by oid
    expect((at.exp ?? 0) - (at.iat ?? 0)).toBe(3600);

    const id = decodeJwt(r.body.id_token);
    expect(id).toMatchObject({ aud: apps().addin.clientId, iss: at.iss, nonce: 'nonce-1', oid: demoUsers.antonAe, name: 'Anton Weber', preferred_username: 'anton.weber@contoso-sales.example', tid: tenantId, ver: '2.0', sub: at.sub });
  });

  it('redeems a code once (AADSTS54005)', async () => {
    const { code, verifier } = await codeFor();
    expect((await redeem(code, verifier)).status).toBe(200);
    expectEntraError(await redeem(code, verifier), 400, 'invalid_grant', 54005);
  });

  it('refuses a wrong PKCE verifier (AADSTS501481) and a missing one', async () => {
    const first = await codeFor();
    expectEntraError(await redeem(first.code, pkce().verifier), 400, 'invalid_grant', 501481);
    const second = await codeFor();
    const form: Record<string, string> = { client_id: apps().addin.clientId, grant_type: 'authorization_code', code: second.code, redirect_uri: taskpane };
    expectEntraError(await token(form), 400, 'invalid_request', 900144);
  });

  it('refuses an expired code (AADSTS70008) and an unknown one', async () => {
    const { code, verifier } = await codeFor();
    h.sb.clock.advance(11 * 60 * 1000);
    expectEntraError(await redeem(code, verifier), 400, 'invalid_grant', 70008);
    expectEntraError(await redeem('0.not-a-code', verifier), 400, 'invalid_grant', 9002313);
  });

  it('refuses an unregistered redirect_uri (AADSTS50011) and one that differs from the authorize request (AADSTS500112)', async () => {
    const a = await codeFor();
    expectEntraError(await redeem(a.code, a.verifier, { redirect_uri: 'https://evil.example/cb' }), 400, 'invalid_request', 50011);
    const b = await codeFor();
    expectEntraError(await redeem(b.code, b.verifier, { redirect_uri: 'https://localhost:3000/addin/preview.html' }), 400, 'invalid_grant', 500112);
  });

  it('refuses a client secret from the public client, and a code presented by another client', async () => {
    const a = await codeFor();
    expectEntraError(await redeem(a.code, a.verifier, { client_secret: 'x' }), 401, 'invalid_client', 700025);
    const b = await codeFor();
    const stolen = await redeem(b.code, b.verifier, { client_id: apps().server.clientId, client_secret: apps().server.clientSecret });
    expectEntraError(stolen, 400, 'invalid_grant', 70000);
  });

  it('refuses a token request for two resources at once (AADSTS28000)', async () => {
    const { code, verifier } = await codeFor(demoUsers.sofiaSdr, { scope: `${apiScope()} User.Read openid offline_access` });
    expectEntraError(await redeem(code, verifier, { scope: `${apiScope()} User.Read` }), 400, 'invalid_scope', 28000);
  });

  it('gives a delegated Graph token the sandbox accepts for /me', async () => {
    const { code, verifier } = await codeFor(demoUsers.liamSdr, { scope: 'User.Read openid profile' });
    const r = await redeem(code, verifier, { scope: 'User.Read openid profile' });
    expect(r.status).toBe(200);
    expect(r.body.refresh_token).toBeUndefined();
    expect(decodeJwt(r.body.access_token)).toMatchObject({ aud: 'https://graph.microsoft.com', scp: 'User.Read' });
    const me = await h.app.inject({ method: 'GET', url: '/v1.0/me', headers: { authorization: `Bearer ${r.body.access_token}` } });
    expect((JSON.parse(me.body) as { id: string }).id).toBe(demoUsers.liamSdr);
  });
});

describe('refresh tokens', () => {
  it('renews the user token, and refuses it for another client or after the 24 h of a single-page app', async () => {
    const { code, verifier } = await codeFor(demoUsers.elenaAe);
    const first = await redeem(code, verifier);
    const refresh = (refreshToken: string, overrides: Record<string, string> = {}) =>
      token({ client_id: apps().addin.clientId, grant_type: 'refresh_token', refresh_token: refreshToken, scope: `${apiScope()} openid offline_access`, ...overrides });

    const renewed = await refresh(first.body.refresh_token);
    expect(renewed.status).toBe(200);
    expect(decodeJwt(renewed.body.access_token)).toMatchObject({ oid: demoUsers.elenaAe, aud: apps().api.clientId, scp: 'access_as_user' });
    expect(renewed.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(renewed.body.id_token).toBeDefined();

    expectEntraError(await refresh(first.body.refresh_token, { client_id: apps().server.clientId, client_secret: apps().server.clientSecret }), 400, 'invalid_grant', 70000);
    expectEntraError(await refresh('1.made-up'), 400, 'invalid_grant', 9002313);
    h.sb.clock.advance(25 * 60 * 60 * 1000);
    expectEntraError(await refresh(renewed.body.refresh_token), 400, 'invalid_grant', 700084);
  });
});

describe('the sandbox tenant description', () => {
  it('tells how to reach the tenant: authority, Graph, the demo app and its secret, the API, the add-in, the users', async () => {
    const r = await call('GET', '/sandbox/tenant.json');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      tenantId,
      domain: 'contoso-sales.example',
      authority: `https://sandbox.test/${tenantId}`,
      issuer: `https://sandbox.test/${tenantId}/v2.0`,
      graphBaseUrl: 'https://sandbox.test/v1.0',
      caCertificateUrl: null,
      serverApp: { clientId: apps().server.clientId, clientSecret: apps().server.clientSecret, scope: 'https://graph.microsoft.com/.default', note: containing('demo app') },
      api: { clientId: apps().api.clientId, identifierUri: apps().api.identifierUri, scopes: [apiScope()] },
      addin: { clientId: apps().addin.clientId, redirectUris: apps().addin.redirectUris },
    });
    expect(r.body.users).toHaveLength(10);
    expect(r.body.users).toContainEqual(objectWith({ id: demoUsers.antonAe, userPrincipalName: 'anton.weber@contoso-sales.example', batonRole: 'ae', team: anyString }));
  });

  it('has no CA certificate to give when it is not served over TLS', async () => {
    expect((await call('GET', '/sandbox/ca.pem')).status).toBe(404);
  });
});
