// Authentication of /api through the real app: every way a bearer token can be wrong, the user lookup by oid,
// and "secure by default" when sign-in is not configured.
import { buildApp, type App } from '../../../server/http/app';
import { createTokenVerifier } from '../../../server/http/auth';
import { loadConfig } from '../../../server/config';
import { createLogger } from '../../../server/log';
import { call, errorOf, startHarness, startTime, type Harness, type Org } from './harness';
import { entraIssuer, testClientId } from '../helpers/tokens';

let h: Harness;
let org: Org;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  org = await h.reset();
});

const nowSeconds = () => Math.floor(h.clock.now().getTime() / 1000);
const otherTenant = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

describe('a valid token', () => {
  it('signs the user in by oid', async () => {
    const res = await call(h, org.emeaSdr, 'GET', '/api/me');
    expect(res.statusCode).toBe(200);
    expect(res.data).toMatchObject({ user: { id: org.emeaSdr.id, role: 'sdr' }, team: { id: 'emea' } });
  });

  it('is accepted with the bare client id as audience, and 30 s after expiry (60 s tolerance)', async () => {
    const aud = await call(h, org.emeaSdr, 'GET', '/api/me', undefined, { claims: { aud: testClientId } });
    expect(aud.statusCode).toBe(200);
    const late = await call(h, org.emeaSdr, 'GET', '/api/me', undefined, { claims: { exp: nowSeconds() - 30 } });
    expect(late.statusCode).toBe(200);
  });

  it('is accepted with an app role instead of the scope', async () => {
    const res = await call(h, org.admin, 'GET', '/api/me', undefined, { claims: { roles: ['Baton.Admin'] }, options: { omit: ['scp'] } });
    expect(res.statusCode).toBe(200);
  });
});

describe('401 invalid_token', () => {
  // [case, token, what the message must say: each case fails for its own reason]
  const cases: [string, (oid: string) => Promise<string>, RegExp][] = [
    ['expired (beyond the tolerance)', (oid) => h.idp.sign(oid, { iat: nowSeconds() - 7200, nbf: nowSeconds() - 7200, exp: nowSeconds() - 120 }), /expired/],
    ['not yet valid', (oid) => h.idp.sign(oid, { nbf: nowSeconds() + 600 }), /not valid yet/],
    ['alg: none', (oid) => Promise.resolve(h.idp.unsigned(oid)), /RS256/],
    ['signed by another key', (oid) => h.idp.sign(oid, {}, { foreignKey: true }), /signature/],
    ['for another audience', (oid) => h.idp.sign(oid, { aud: 'api://someone-else' }), /this API/],
    ['from another issuer', (oid) => h.idp.sign(oid, { iss: `https://sts.windows.net/${h.idp.tenantId}/` }), /authority/],
    ['from another tenant', (oid) => h.idp.sign(oid, { tid: otherTenant, iss: entraIssuer(otherTenant) }), /authority/],
    ['of the right issuer but another tid', (oid) => h.idp.sign(oid, { tid: otherTenant }), /another tenant/],
    ['without an oid', (oid) => h.idp.sign(oid, {}, { omit: ['oid'] }), /oid/],
    ['with a tampered payload', async (oid) => {
      const [head, , sig] = (await h.idp.sign(oid)).split('.');
      const payload = Buffer.from(JSON.stringify({ oid: org.admin.entraOid, aud: h.idp.audience, iss: h.idp.issuer, tid: h.idp.tenantId, exp: nowSeconds() + 600 })).toString('base64url');
      return `${head ?? ''}.${payload}.${sig ?? ''}`;
    }, /signature/],
    ['that is not a JWT', () => Promise.resolve('not-a-jwt'), /malformed/],
  ];

  it.each(cases)('%s', async (_name, token, reason) => {
    const jwt = await token(org.emeaSdr.entraOid);
    const res = await call(h, { authorization: `Bearer ${jwt}` }, 'GET', '/api/me');
    expect(res.statusCode).toBe(401);
    expect(errorOf(res).code).toBe('invalid_token');
    expect(errorOf(res).message).toMatch(reason);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(res.body).not.toContain(org.emeaSdr.email);
  });
});

describe('other refusals', () => {
  it('401 missing_token without an Authorization header, with a Bearer challenge', async () => {
    const res = await call(h, {}, 'GET', '/api/leads');
    expect(res.statusCode).toBe(401);
    expect(errorOf(res).code).toBe('missing_token');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('401 for a non-bearer scheme', async () => {
    const res = await call(h, { authorization: 'Basic YWRhOnNlY3JldA==' }, 'GET', '/api/me');
    expect(res.statusCode).toBe(401);
  });

  it('403 insufficient_scope when the token has neither the scope nor a role', async () => {
    const res = await call(h, org.emeaSdr, 'GET', '/api/me', undefined, { claims: { scp: 'User.Read' } });
    expect(res.statusCode).toBe(403);
    expect(errorOf(res).code).toBe('insufficient_scope');
    const none = await call(h, org.emeaSdr, 'GET', '/api/me', undefined, { options: { omit: ['scp'] } });
    expect(none.statusCode).toBe(403);
  });

  it('403 not_provisioned for an unknown oid or an inactive user', async () => {
    const unknown = await call(h, { authorization: `Bearer ${await h.idp.sign('11111111-2222-4333-8444-555555555555')}` }, 'GET', '/api/me');
    expect(unknown.statusCode).toBe(403);
    expect(errorOf(unknown).code).toBe('not_provisioned');

    await h.people.updateUser(org.emeaSdr.id, { active: false }, startTime);
    const inactive = await call(h, org.emeaSdr, 'GET', '/api/me');
    expect(inactive.statusCode).toBe(403);
    expect(errorOf(inactive).code).toBe('not_provisioned');
  });

  it('never logs the token', async () => {
    const token = await h.idp.sign(org.emeaSdr.entraOid);
    await call(h, { authorization: `Bearer ${token}` }, 'GET', '/api/me');
    await call(h, { authorization: `Bearer ${token}x` }, 'GET', '/api/me');
    expect(h.logLines.length).toBeGreaterThan(0);
    const logs = h.logLines.join('\n');
    expect(logs).not.toContain(token.split('.')[2]);
  });
});

describe('public routes', () => {
  it('GET /healthz answers without a token', async () => {
    const res = await call(h, {}, 'GET', '/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.data).toEqual({ status: 'ok', database: 'ok' });
  });

  it('GET /api/openapi.json lists the routes', async () => {
    const res = await call(h, {}, 'GET', '/api/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.data as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /healthz',
        'GET /api/me',
        'GET /api/leads',
        'POST /api/leads',
        'GET /api/leads/{id}',
        'PATCH /api/leads/{id}',
        'POST /api/leads/{id}/transitions',
        'GET /api/leads/{id}/audit',
        'GET /api/users',
        'POST /api/users',
        'PATCH /api/users/{id}',
        'GET /api/teams',
        'PUT /api/teams/{id}',
        'GET /api/pairings',
        'PUT /api/pairings',
        'DELETE /api/pairings/{sdrId}/{aeId}',
      ]),
    );
    expect(routes).not.toContain('GET /api/openapi.json');
    // The body schemas come from the contract: strict objects.
    const post = doc.paths['/api/leads']?.['post'] as { requestBody: { content: Record<string, { schema: { additionalProperties?: boolean } }> } };
    expect(post.requestBody.content['application/json']?.schema.additionalProperties).toBe(false);
  });

  it('unknown routes are 404 not_found in the one error shape', async () => {
    const res = await call(h, {}, 'GET', '/api/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.data).toEqual({ error: { code: 'not_found', message: expect.any(String) as string } });
  });
});

describe('when sign-in is not configured', () => {
  let bare: App;
  beforeAll(async () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    bare = await buildApp({
      config,
      logger: createLogger('silent'),
      clock: h.clock,
      db: h.db.db,
      leadStore: h.leads,
      peopleStore: h.people,
      tokenVerifier: createTokenVerifier(config.auth, { clock: h.clock }),
      qualificationCriteria: { required: [], rules: [] },
      handBackReasons: [],
    });
  });
  afterAll(async () => {
    await bare.close();
  });

  it('refuses every API request with 401 auth_not_configured, even a well-signed token', async () => {
    const token = await h.idp.sign(org.admin.entraOid);
    for (const url of ['/api/me', '/api/leads', '/api/users']) {
      const res = await bare.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(401);
      expect((JSON.parse(res.body) as { error: { code: string } }).error.code).toBe('auth_not_configured');
    }
    expect((await bare.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('the verifier alone', () => {
  const template = 'https://login.microsoftonline.com/{tenantid}/v2.0';
  const thirdTenant = '0b7c4e2a-9d51-4c8e-a1f3-6e2d8b9c0a17';

  it('accepts a multi-tenant issuer ({tenantid}) only for the allowed tenants', async () => {
    const verifier = createTokenVerifier(
      { issuer: template, audiences: [h.idp.audience], jwksUrl: h.idp.jwksUrl, allowedTenants: [h.idp.tenantId, otherTenant] },
      { clock: h.clock },
    );
    const asTenant = (tid: string, iss = entraIssuer(tid)) => h.idp.sign('oid-1', { tid, iss });
    expect(await verifier.verify(await asTenant(otherTenant))).toEqual({ ok: true, identity: { oid: 'oid-1', tid: otherTenant } });
    const third = await verifier.verify(await asTenant(thirdTenant));
    expect(third).toMatchObject({ ok: false, failure: { status: 401, code: 'invalid_token' } });
    const mixed = await verifier.verify(await asTenant(otherTenant, entraIssuer(h.idp.tenantId)));
    expect(mixed).toMatchObject({ ok: false, failure: { status: 401, code: 'invalid_token' } });
  });

  it('is not configured without an issuer, an audience or a key set', async () => {
    const token = await h.idp.sign('oid-1');
    for (const auth of [
      { issuer: undefined, audiences: [h.idp.audience], jwksUrl: h.idp.jwksUrl, allowedTenants: [] },
      { issuer: h.idp.issuer, audiences: [], jwksUrl: h.idp.jwksUrl, allowedTenants: [] },
      { issuer: h.idp.issuer, audiences: [h.idp.audience], jwksUrl: undefined, allowedTenants: [] },
    ]) {
      const verifier = createTokenVerifier(auth, { clock: h.clock });
      expect(verifier.configured).toBe(false);
      expect(await verifier.verify(token)).toMatchObject({ ok: false, failure: { status: 401, code: 'auth_not_configured' } });
    }
  });

  it('answers 503 auth_unavailable when the key set cannot be fetched', async () => {
    const verifier = createTokenVerifier(
      { issuer: h.idp.issuer, audiences: [h.idp.audience], jwksUrl: 'http://127.0.0.1:9/keys', allowedTenants: [] },
      { clock: h.clock },
    );
    expect(await verifier.verify(await h.idp.sign('oid-1'))).toMatchObject({ ok: false, failure: { status: 503, code: 'auth_unavailable' } });
  });
});
