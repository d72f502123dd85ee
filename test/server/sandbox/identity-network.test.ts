// The sandbox over real TLS on loopback, driven by Microsoft's own clients: msal-node's ConfidentialClientApplication
// gets an app token, the official Graph client reads a user with it, and a user token from the sign-in page + PKCE
// validates with Baton's one validation path (createTokenVerifier). Only configuration differs from a real tenant.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { ConfidentialClientApplication, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { Client, type AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { createTokenVerifier } from '../../../server/http/auth';
import { startSandbox, type RunningSandbox } from '../../../server/sandbox/server';
import { demoUsers } from './harness';

let running: RunningSandbox;
let tenantId: string;
let port: string;

beforeAll(async () => {
  running = await startSandbox({ port: 0 });
  tenantId = running.sandbox.tenant.tenantId;
  port = new URL(running.url).port;
});
afterAll(() => running.close());

/** msal-node's network client, through the fetch that trusts the sandbox's CA (production passes the same seam). */
function fetchNetworkClient(fetchImpl: typeof fetch): INetworkModule {
  const send = async <T>(url: string, method: 'GET' | 'POST', options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const res = await fetchImpl(url, { method, headers: options?.headers ?? {}, ...(method === 'POST' ? { body: options?.body ?? '' } : {}) });
    return { status: res.status, headers: Object.fromEntries(res.headers), body: (await res.json()) as T };
  };
  return {
    sendGetRequestAsync: (url, options) => send(url, 'GET', options),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options),
  };
}

function msalApp(secret = running.sandbox.tenant.apps.server.clientSecret, clientId = running.sandbox.tenant.apps.server.clientId) {
  return new ConfidentialClientApplication({
    auth: { clientId, clientSecret: secret, authority: `${running.url}/${tenantId}`, knownAuthorities: [`127.0.0.1:${port}`] },
    system: { networkClient: fetchNetworkClient(running.fetch) },
  });
}

function graphClient(token: string, customHosts: Set<string> | null = new Set(['127.0.0.1'])): Client {
  const authProvider: AuthenticationProvider = { getAccessToken: () => Promise.resolve(token) };
  return Client.initWithMiddleware({
    authProvider,
    // The Graph client joins baseUrl + defaultVersion + path: the base is the origin, not `${url}/v1.0`.
    baseUrl: running.url,
    defaultVersion: 'v1.0',
    ...(customHosts ? { customHosts } : {}),
    fetchOptions: { dispatcher: running.dispatcher } as RequestInit,
  });
}

async function appToken(): Promise<string> {
  const result = await msalApp().acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
  if (!result) throw new Error('no token');
  return result.accessToken;
}

describe('sandbox identity over TLS with msal-node and the Graph client', () => {
  it('serves HTTPS only to clients that trust its CA', async () => {
    await expect(fetch(`${running.url}/sandbox/tenant.json`)).rejects.toThrow();
    const res = await running.fetch(`${running.url}/sandbox/ca.pem`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(running.caPem);
  });

  it('gives msal-node an app token, and the Graph client reads a user with it (the Authorization header arrives)', async () => {
    const token = await appToken();
    const user = (await graphClient(token).api(`/users/${demoUsers.antonAe}`).select('displayName,mail').get()) as { displayName: string; mail: string };
    expect(user).toMatchObject({ displayName: 'Anton Weber', mail: 'anton.weber@contoso-sales.example' });
    // The sandbox saw the bearer token: the request is logged with the calling app.
    const logged = running.sandbox.requestLog.entries({ mailbox: demoUsers.antonAe }).at(-1);
    expect(logged).toMatchObject({ status: 200, appId: running.sandbox.tenant.apps.server.clientId });
  });

  it('shows the customHosts trap: without it the Graph client sends no token and the sandbox answers 401', async () => {
    const token = await appToken();
    await expect(graphClient(token, null).api(`/users/${demoUsers.antonAe}`).get()).rejects.toMatchObject({ statusCode: 401, code: 'InvalidAuthenticationToken' });
  });

  it('refuses a token once it has expired on the sandbox clock', async () => {
    const token = await appToken();
    const client = graphClient(token);
    await expect(client.api(`/users/${demoUsers.antonAe}`).get()).resolves.toMatchObject({ id: demoUsers.antonAe });
    running.sandbox.clock.advance(2 * 60 * 60 * 1000);
    await expect(client.api(`/users/${demoUsers.antonAe}`).get()).rejects.toMatchObject({ statusCode: 401, code: 'InvalidAuthenticationToken' });
    // msal-node's cache still holds the old token by real time; a new app (no cache) gets a fresh one that works.
    const fresh = await appToken();
    await expect(graphClient(fresh).api(`/users/${demoUsers.antonAe}`).get()).resolves.toMatchObject({ id: demoUsers.antonAe });
  });

  it('refuses msal-node with a wrong secret (AADSTS7000215) and an unknown client (AADSTS700016)', async () => {
    const refusal = (e: unknown) => e as { errorCode?: string; errorMessage?: string };
    const wrongSecret = refusal(await msalApp('not-the-secret-at-all').acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] }).catch((e: unknown) => e));
    expect(wrongSecret.errorCode).toBe('invalid_client');
    expect(wrongSecret.errorMessage).toContain('AADSTS7000215');
    const unknown = refusal(
      await msalApp(undefined, '11111111-2222-4333-8444-555555555555').acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] }).catch((e: unknown) => e),
    );
    expect(unknown.errorCode).toBe('unauthorized_client');
    expect(unknown.errorMessage).toContain('AADSTS700016');
  });

  it('signs a user in through the sign-in page with PKCE; the token passes Baton createTokenVerifier', async () => {
    const { addin, api } = running.sandbox.tenant.apps;
    const redirectUri = 'https://localhost:3000/addin/taskpane.html';
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authorize = new URL(`${running.url}/${tenantId}/oauth2/v2.0/authorize`);
    for (const [k, v] of Object.entries({
      client_id: addin.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: `${api.identifierUri}/access_as_user openid profile offline_access`,
      state: 'xyz',
      nonce: 'n-0S6',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    })) authorize.searchParams.set(k, v);

    const page = await running.fetch(authorize);
    expect(page.status).toBe(200);
    const html = await page.text();
    const requestId = /name="request" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const pick = await running.fetch(authorize.origin + authorize.pathname, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ request: requestId, user: demoUsers.sofiaSdr }).toString(),
    });
    expect(pick.status).toBe(302);
    const back = new URL(pick.headers.get('location') ?? '');
    expect(back.origin + back.pathname).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe('xyz');

    const tokenRes = await running.fetch(`${running.url}/${tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: addin.clientId,
        grant_type: 'authorization_code',
        code: back.searchParams.get('code') ?? '',
        redirect_uri: redirectUri,
        code_verifier: verifier,
        scope: `${api.identifierUri}/access_as_user openid profile offline_access`,
      }).toString(),
    });
    expect(tokenRes.status).toBe(200);
    const tokens = (await tokenRes.json()) as { access_token: string; id_token: string; refresh_token: string };

    const verifierOptions = { clock: running.sandbox.clock, trustedCaPem: running.caPem };
    const auth = { issuer: `${running.url}/${tenantId}/v2.0`, audiences: [api.clientId], jwksUrl: `${running.url}/${tenantId}/discovery/v2.0/keys`, allowedTenants: [tenantId] };
    const check = await createTokenVerifier(auth, verifierOptions).verify(tokens.access_token);
    expect(check).toEqual({ ok: true, identity: { oid: demoUsers.sofiaSdr, tid: tenantId } });

    // Without the CA, the JWKS cannot be fetched: the server's problem (503), not the caller's.
    const untrusting = await createTokenVerifier(auth, { clock: running.sandbox.clock }).verify(tokens.access_token);
    expect(untrusting).toMatchObject({ ok: false, failure: { status: 503, code: 'auth_unavailable' } });
    // The ID token is for the add-in, not for the API.
    const idCheck = await createTokenVerifier(auth, verifierOptions).verify(tokens.id_token);
    expect(idCheck).toMatchObject({ ok: false, failure: { code: 'invalid_token' } });
  });
});

describe('a sandbox restarted on the same data folder', () => {
  it('keeps its CA and its signing key: a token issued before the restart still validates', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-sandbox-'));
    try {
      const first = await startSandbox({ port: 0, dataDir });
      const { api, addin } = first.sandbox.tenant.apps;
      const issued = await first.sandbox.identity.issueUserToken(demoUsers.danaSdr, { audience: api.clientId, scopes: ['access_as_user'], clientId: addin.clientId });
      const issuer = first.sandbox.identity.issuer();
      await first.close();

      const second = await startSandbox({ port: 0, dataDir });
      try {
        expect(second.caPem).toBe(first.caPem);
        const described = (await (await second.fetch(`${second.url}/sandbox/tenant.json`)).json()) as { caCertificateUrl: string };
        expect(described.caCertificateUrl).toBe(`${second.url}/sandbox/ca.pem`);
        const tid = second.sandbox.tenant.tenantId;
        const auth = { issuer, audiences: [api.clientId], jwksUrl: `${second.url}/${tid}/discovery/v2.0/keys`, allowedTenants: [] };
        const check = await createTokenVerifier(auth, { clock: second.sandbox.clock, trustedCaPem: second.caPem }).verify(issued.accessToken);
        expect(check).toEqual({ ok: true, identity: { oid: demoUsers.danaSdr, tid } });
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
