// A local stand-in for Entra ID in tests: an RS256 key pair, its JWKS served from node:http on 127.0.0.1, and
// access tokens shaped like Entra ID v2 ones (iss, aud, tid, oid, scp, iat/nbf/exp) with any claim overridden.
// Imports: jose, node:http, node:crypto.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload, type KeyLike } from 'jose';

export const testTenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const testClientId = '6e3b6f7e-1c2d-4f5a-9b8c-0d1e2f3a4b5c';
export const testAudience = `api://baton.example.com/${testClientId}`;

export const entraIssuer = (tid: string): string => `https://login.microsoftonline.com/${tid}/v2.0`;

export interface SignOptions {
  /** Sign with a key that is not in the served JWKS (but carries the same `kid`). */
  foreignKey?: boolean;
  /** Claims to leave out of the token (e.g. `scp`). */
  omit?: readonly string[];
  /** Seconds the token lives; default one hour. */
  lifetimeSeconds?: number;
}

export interface TestIdentityProvider {
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly tenantId: string;
  readonly audience: string;
  /** The `auth` part of Config that trusts this provider. */
  readonly authConfig: { issuer: string; audiences: string[]; jwksUrl: string; allowedTenants: string[] };
  /** An RS256 access token for the user with this `oid`; `claims` override or add any claim. */
  sign(oid: string, claims?: JWTPayload, options?: SignOptions): Promise<string>;
  /** An `alg: none` token with the same claims: must always be refused. */
  unsigned(oid: string, claims?: JWTPayload): string;
  close(): Promise<void>;
}

/** Starts the JWKS server. `now` is the time tokens are issued at (the app's clock in tests). */
export async function startTestIdentityProvider(now: () => Date = () => new Date()): Promise<TestIdentityProvider> {
  const kid = randomUUID();
  const signing = await generateKeyPair('RS256', { extractable: true });
  const foreign = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(signing.publicKey)), kid, use: 'sig', alg: 'RS256' };

  const server = http.createServer((req, res) => {
    if (req.url === '/discovery/v2.0/keys') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [publicJwk] }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const jwksUrl = `http://127.0.0.1:${port}/discovery/v2.0/keys`;
  const issuer = entraIssuer(testTenantId);

  const claimsFor = (oid: string, overrides: JWTPayload, omit: readonly string[], lifetimeSeconds: number): JWTPayload => {
    const iat = Math.floor(now().getTime() / 1000);
    const base: JWTPayload = {
      aud: testAudience,
      iss: issuer,
      iat,
      nbf: iat,
      exp: iat + lifetimeSeconds,
      aio: 'AWQAm/8TAAAA',
      azp: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
      azpacr: '0',
      name: 'Test User',
      oid,
      preferred_username: 'test.user@contoso.com',
      rh: '0.AAAA',
      scp: 'access_as_user',
      sub: `sub-${oid}`,
      tid: testTenantId,
      uti: randomUUID(),
      ver: '2.0',
      ...overrides,
    };
    for (const claim of omit) Reflect.deleteProperty(base, claim);
    return base;
  };

  const signWith = (key: KeyLike, payload: JWTPayload) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(key);

  return {
    jwksUrl,
    issuer,
    tenantId: testTenantId,
    audience: testAudience,
    authConfig: { issuer, audiences: [testAudience, testClientId], jwksUrl, allowedTenants: [testTenantId] },
    sign: (oid, claims = {}, options = {}) =>
      signWith(
        options.foreignKey === true ? foreign.privateKey : signing.privateKey,
        claimsFor(oid, claims, options.omit ?? [], options.lifetimeSeconds ?? 3600),
      ),
    unsigned: (oid, claims = {}) => new UnsecuredJWT(claimsFor(oid, claims, [], 3600)).encode(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}
