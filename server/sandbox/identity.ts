// The sandbox's identity provider, shaped like Microsoft Entra ID v2: an RS256 signing key (kept in the data folder
// across restarts), the tenant's app registrations, the OAuth 2.0 grants (client credentials, authorization code with
// PKCE, refresh token) with Entra's AADSTS errors, access and ID tokens with Entra's claims, and the check of the
// tokens Graph calls carry. HTTP (discovery, JWKS, token, sign-in page) is in ./routes/identity. Imports: jose, node.
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type KeyLike } from 'jose';
import type { Directory, SeedUser, TenantSeed } from './directory';
import { unauthorized } from './graph-error';
import { tableDelegatedScopes } from './permissions';
import type { GraphCaller } from './sandbox';
import type { SandboxClock } from './sandbox-clock';

export const graphAudience = 'https://graph.microsoft.com';
/** Microsoft Graph's application id, accepted as a scope prefix like `https://graph.microsoft.com`. */
export const graphAppId = '00000003-0000-0000-c000-000000000000';

/** The app id Microsoft Graph's change notifications with resource data are issued by (`azp` of their tokens). */
export const graphNotificationPublisherAppId = '0bf30f3b-4a52-48df-9a82-234910c4a086';

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  /** Seconds since epoch. */
  expiresOn: number;
}

/** An OAuth 2.0 error as Entra ID answers it: HTTP status, `error`, and the AADSTS code that starts the description. */
export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401 | 500,
    readonly error: string,
    readonly aadsts: number,
    message: string,
  ) {
    super(message);
    this.name = 'OAuthError';
  }
}

export interface OAuthErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

/** Entra's `timestamp` format: `2026-11-24 09:30:00Z`. */
export const entraTimestamp = (now: Date): string => now.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');

export function oauthErrorBody(e: OAuthError, now: Date, traceId: string, correlationId: string): OAuthErrorBody {
  const timestamp = entraTimestamp(now);
  return {
    error: e.error,
    error_description: `AADSTS${e.aadsts}: ${e.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [e.aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${e.aadsts}`,
  };
}

/** The AADSTS errors the sandbox gives, worded as Entra words them. */
export const aadsts = {
  tenantNotFound: (tenant: string, error = 'invalid_request'): OAuthError =>
    new OAuthError(400, error, 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`),
  missingParameter: (name: string): OAuthError => new OAuthError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`),
  duplicatedParameter: (name: string): OAuthError => new OAuthError(400, 'invalid_request', 9000411, `The request is not properly formatted. The parameter '${name}' is duplicated.`),
  malformed: (error = 'invalid_request', detail = ''): OAuthError => new OAuthError(400, error, 9002313, `Invalid request. Request is malformed or invalid.${detail ? ` ${detail}` : ''}`),
  unknownClient: (clientId: string, tenantName: string): OAuthError =>
    new OAuthError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenantName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`),
  invalidSecret: (clientId: string): OAuthError =>
    new OAuthError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`),
  secretRequired: (): OAuthError => new OAuthError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  publicClientWithSecret: (): OAuthError => new OAuthError(401, 'invalid_client', 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented."),
  assertionRefused: (): OAuthError => new OAuthError(401, 'invalid_client', 700027, "Client assertion failed signature validation. (The sandbox's apps authenticate with a client secret.)"),
  unsupportedGrant: (grant: string): OAuthError => new OAuthError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`),
  defaultScopeRequired: (scope: string): OAuthError =>
    new OAuthError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`),
  invalidScope: (scope: string): OAuthError => new OAuthError(400, 'invalid_scope', 70011, `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`),
  scopeNotOnResource: (app: string, scope: string, resource: string): OAuthError =>
    new OAuthError(400, 'invalid_client', 650053, `The application '${app}' asked for scope '${scope}' that doesn't exist on the resource '${resource}'. Contact the app vendor.`),
  severalResources: (scope: string): OAuthError =>
    new OAuthError(400, 'invalid_scope', 28000, `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`),
  unknownResource: (resource: string, tenantName: string): OAuthError =>
    new OAuthError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`),
  redirectMismatch: (redirectUri: string, clientId: string): OAuthError =>
    new OAuthError(400, 'invalid_request', 50011, `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`),
  replyAddressMismatch: (given: string, original: string): OAuthError =>
    new OAuthError(400, 'invalid_grant', 500112, `The reply address '${given}' does not match the reply address '${original}' provided when requesting Authorization code.`),
  codeRedeemed: (): OAuthError => new OAuthError(400, 'invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'),
  grantExpired: (): OAuthError => new OAuthError(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.'),
  spaRefreshExpired: (): OAuthError =>
    new OAuthError(400, 'invalid_grant', 700084, 'The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page.'),
  grantForOtherClient: (): OAuthError => new OAuthError(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.'),
  pkceMismatch: (): OAuthError => new OAuthError(400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.'),
  pkceRequired: (): OAuthError => new OAuthError(400, 'invalid_request', 9002325, 'Proof Key for Code Exchange is required for cross-origin authorization code redemption.'),
  unsupportedResponseType: (type: string): OAuthError => new OAuthError(400, 'unsupported_response_type', 700051, `response_type '${type}' is not enabled for the application.`),
  transient: (): OAuthError => new OAuthError(500, 'temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.'),
  loginRequired: (): OAuthError => new OAuthError(400, 'login_required', 50058, 'A silent sign-in request was sent but no user is signed in.'),
} as const;

/** An app registration of the sandbox tenant. */
export interface ClientApp {
  clientId: string;
  displayName: string;
  /** confidential: has a secret (Baton's server); public: PKCE, no secret (the add-in); resource: an API only. */
  kind: 'confidential' | 'public' | 'resource';
  redirectUris: readonly string[];
}

export type ResponseMode = 'query' | 'fragment' | 'form_post';

/** A checked `/authorize` request. */
export interface AuthorizeRequest {
  clientId: string;
  clientName: string;
  redirectUri: string;
  responseMode: ResponseMode;
  state: string | null;
  nonce: string | null;
  scopes: readonly string[];
  codeChallenge: string;
  /** `client_info=1` (MSAL asks for it): the redirect carries `client_info`. */
  clientInfo: boolean;
  loginHint: string | null;
}

/** Where an authorize answer (a code, or an error once the redirect URI is trusted) goes. */
export interface RedirectTarget {
  redirectUri: string;
  responseMode: ResponseMode;
  state: string | null;
}

export type AuthorizeCheck =
  | { ok: true; request: AuthorizeRequest }
  /** `redirect` is null when the client or redirect URI cannot be trusted: the error is shown, not redirected. */
  | { ok: false; error: OAuthError; redirect: RedirectTarget | null };

/** A pending sign-in: the page shows `id`; the browser that asked holds `binding` in a cookie. */
export interface PendingSignIn {
  id: string;
  binding: string;
  request: AuthorizeRequest;
  expiresAt: Date;
}

/** Why finishing a sign-in failed (shown on a page: the redirect target is not trusted yet). */
export class SignInError extends Error {
  constructor(
    readonly status: 400 | 403,
    message: string,
  ) {
    super(message);
    this.name = 'SignInError';
  }
}

export interface TokenResponse {
  token_type: 'Bearer';
  scope?: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  client_info?: string;
}

/** Form fields of a token request (one value each: duplicates are refused before) and HTTP Basic credentials. */
export interface TokenRequest {
  form: Readonly<Record<string, string>>;
  basic: { clientId: string; secret: string } | null;
}

export interface IdentityService {
  /** `https://host:port/{tenantId}/v2.0`, the `iss` of every token. */
  issuer(): string;
  jwks(): { keys: JWK[] };
  /** Whether a path's tenant segment names this tenant (its id or its domain, case-insensitive). */
  isTenant(segment: string): boolean;
  /** The app registrations (server app, Baton API, add-in). */
  apps(): readonly ClientApp[];
  /** App-only token (client credentials) for Graph (default) or Baton's API: `roles` are the app's permissions. */
  issueAppToken(clientId: string, audience?: string): Promise<IssuedToken>;
  /** Delegated token for a sandbox user, for `audience` (Baton's API client id, or Graph) with `scopes`. */
  issueUserToken(userId: string, options: { audience: string; scopes: readonly string[]; clientId: string }): Promise<IssuedToken>;
  /**
   * A validation token of a change notification with resource data (`validationTokens[]`): signed with the tenant's
   * key for the subscribing app (`aud`), issued in the v1 form (`{authority}/{tenantId}/`, as Entra's
   * `https://sts.windows.net/{tenantId}/`) by Microsoft Graph's change-notification publisher (`azp`, `appid`).
   */
  issueNotificationValidationToken(appId: string): Promise<string>;
  /** An OpenID Connect ID token for `clientId`. */
  issueIdToken(userId: string, options: { clientId: string; nonce?: string | null; email?: boolean }): Promise<string>;
  /** Checks the query of `GET /authorize`. */
  checkAuthorizeRequest(query: Readonly<Record<string, string | undefined>>): AuthorizeCheck;
  /** Keeps a checked authorize request while the user picks an account (10 minutes). */
  startSignIn(request: AuthorizeRequest): PendingSignIn;
  /** The user picked an account: a single-use code for the redirect, or SignInError. */
  finishSignIn(id: string, binding: string | null, userId: string): { target: RedirectTarget; params: Record<string, string> };
  /** The token endpoint: a token response, or OAuthError. */
  token(request: TokenRequest): Promise<TokenResponse>;
  /** Checks a Graph request's `Authorization` header; throws Graph's 401 when it is missing or not valid. */
  authenticateGraphRequest(authorization: string | null): Promise<GraphCaller>;
  /** Token lifetime in seconds (default 3600); a fault can shorten it. */
  tokenLifetimeSeconds: number;
  /** Tokens issued before this instant are refused as expired (the "token expiry" fault). */
  expireTokensIssuedBefore(instant: Date): void;
}

interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

async function loadOrCreateKey(dataDir: string | undefined): Promise<StoredKey> {
  const file = dataDir ? path.join(dataDir, 'sandbox', 'signing-key.json') : null;
  if (file && fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as StoredKey;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const stored: StoredKey = { kid, privateJwk: await exportJWK(privateKey), publicJwk: { ...publicJwk, kid, use: 'sig', alg: 'RS256' } };
  if (file) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
  }
  return stored;
}

const oidcScopes = new Set(['openid', 'profile', 'email', 'offline_access']);
/**
 * Graph's delegated permissions the sandbox grants (admin consent is assumed in the demo tenant): every scope the
 * permission table (./permissions) accepts, and a few a client may ask for that no sandbox route needs.
 */
const graphDelegatedScopes = [...new Set([...tableDelegatedScopes, 'User.ReadWrite', 'MailboxSettings.ReadWrite', 'People.Read', 'Contacts.Read'])];
const minutes = 60 * 1000;
const codeLifetimeMs = 10 * minutes;
const signInLifetimeMs = 10 * minutes;
const spaRefreshLifetimeMs = 24 * 60 * minutes;
const refreshLifetimeMs = 90 * 24 * 60 * minutes;
const idTokenLifetimeSeconds = 3600;
const maxPending = 1000;

/** The resource a token is for, and the scopes granted on it. */
interface ResourceGrant {
  kind: 'graph' | 'api';
  audience: string;
  /** Scope values as the token's `scp` carries them (`access_as_user`, `User.Read`). */
  names: string[];
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  userId: string;
  scopes: readonly string[];
  nonce: string | null;
  codeChallenge: string;
  expiresAt: number;
  redeemed: boolean;
}

interface RefreshGrant {
  clientId: string;
  userId: string;
  scopes: readonly string[];
  expiresAt: number;
}

/**
 * Whether a redirect URI is one the app registered. Entra ignores the port of a localhost redirect URI (RFC 8252
 * §7.3, "Localhost exceptions" in https://learn.microsoft.com/entra/identity-platform/reply-url): the scheme, host
 * and path must still match, so `localhost` and `127.0.0.1` stay distinct.
 */
export function isRegisteredRedirectUri(registered: readonly string[], redirectUri: string): boolean {
  if (registered.includes(redirectUri)) return true;
  const portless = (uri: string): string | null => {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return null;
    }
    if (url.hostname !== 'localhost' && url.hostname !== '127.0.0.1') return null;
    return `${url.protocol}//${url.hostname}${url.pathname}${url.search}`;
  };
  const wanted = portless(redirectUri);
  return wanted !== null && registered.some((uri) => portless(uri) === wanted);
}

const randomToken = (bytes: number): string => randomBytes(bytes).toString('base64url');
const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();
const sameSecret = (a: string, b: string): boolean => {
  const x = sha256(a);
  const y = sha256(b);
  return timingSafeEqual(x, y);
};

export async function createIdentity(options: {
  seed: TenantSeed;
  directory: Directory;
  clock: SandboxClock;
  baseUrl: () => string;
  dataDir?: string | undefined;
}): Promise<IdentityService> {
  const { seed, directory, clock } = options;
  const key = await loadOrCreateKey(options.dataDir);
  const privateKey = (await importJWK(key.privateJwk, 'RS256')) as KeyLike;
  const publicKey = (await importJWK(key.publicJwk, 'RS256')) as KeyLike;
  const servicePrincipalId = randomUUID();
  let notBefore = 0;
  const verified = new Map<string, { caller: GraphCaller; exp: number; issuedMs: number }>();
  /** When each token (by `uti`) was issued, to the millisecond: `iat` has whole seconds only. */
  const issuedAtMs = new Map<string, number>();
  const issuer = () => `${options.baseUrl()}/${seed.tenantId}/v2.0`;
  const tenantName = seed.displayName;
  const { server, api, addin } = seed.apps;

  const apps: ClientApp[] = [
    { clientId: server.clientId, displayName: server.displayName, kind: 'confidential', redirectUris: [] },
    { clientId: api.clientId, displayName: api.displayName, kind: 'resource', redirectUris: [] },
    { clientId: addin.clientId, displayName: addin.displayName, kind: 'public', redirectUris: addin.redirectUris },
  ];
  const appById = new Map(apps.map((a) => [a.clientId.toLowerCase(), a]));
  const secrets = new Map([[server.clientId.toLowerCase(), server.clientSecret]]);

  const pending = new Map<string, { bindingHash: Buffer; request: AuthorizeRequest; expiresAt: number }>();
  const codes = new Map<string, IssuedCode>();
  const refreshTokens = new Map<string, RefreshGrant>();
  const nowMs = () => clock.now().getTime();
  const prune = <V extends { expiresAt: number }>(map: Map<string, V>) => {
    const t = nowMs();
    for (const [k, v] of map) if (v.expiresAt <= t) map.delete(k);
  };

  /** Entra's `sub` is pairwise: one value per user and app, unlike `oid`. */
  const pairwiseSub = (oid: string, clientId: string) => sha256(`${seed.tenantId}:${oid}:${clientId.toLowerCase()}`).toString('base64url').slice(0, 43);
  const clientInfo = (oid: string) => Buffer.from(JSON.stringify({ uid: oid, utid: seed.tenantId })).toString('base64url');
  const opaque = () => randomToken(24);

  const sign = async (claims: Record<string, unknown>, audience: string, subject: string, lifetime: number): Promise<IssuedToken> => {
    const nowMsValue = clock.now().getTime();
    const now = Math.floor(nowMsValue / 1000);
    const exp = now + lifetime;
    const uti = randomToken(16).slice(0, 22);
    if (issuedAtMs.size >= 10_000) for (const [k, t] of issuedAtMs) if (t < nowMsValue - 24 * 60 * minutes) issuedAtMs.delete(k);
    issuedAtMs.set(uti, nowMsValue);
    const accessToken = await new SignJWT({ ...claims, tid: seed.tenantId, uti, ver: '2.0' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
      .setIssuer(issuer())
      .setAudience(audience)
      .setSubject(subject)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .sign(privateKey);
    return { accessToken, expiresIn: exp - now, expiresOn: exp };
  };

  const findApp = (clientId: string | undefined): ClientApp => {
    if (clientId === undefined || clientId === '') throw aadsts.missingParameter('client_id');
    const app = appById.get(clientId.toLowerCase());
    if (!app) throw aadsts.unknownClient(clientId, tenantName);
    return app;
  };

  /** Client authentication at the token endpoint (client_secret_post or client_secret_basic). */
  const authenticateClient = ({ form, basic }: TokenRequest): ClientApp => {
    const app = findApp(form['client_id'] ?? basic?.clientId);
    if (basic && form['client_id'] !== undefined && basic.clientId.toLowerCase() !== form['client_id'].toLowerCase()) throw aadsts.malformed('invalid_client');
    if (form['client_assertion'] !== undefined) throw aadsts.assertionRefused();
    const secret = form['client_secret'] ?? basic?.secret;
    if (app.kind === 'public') {
      if (secret !== undefined) throw aadsts.publicClientWithSecret();
      return app;
    }
    if (secret === undefined || secret === '') throw aadsts.secretRequired();
    const expected = secrets.get(app.clientId.toLowerCase());
    if (expected === undefined || !sameSecret(secret, expected)) throw aadsts.invalidSecret(app.clientId);
    return app;
  };

  const splitScopes = (scope: string) => scope.split(/\s+/).filter(Boolean);

  /** Groups requested scopes by resource (Graph or Baton's API); OIDC scopes are not a resource. */
  const resolveResources = (scopes: readonly string[], app: ClientApp): ResourceGrant[] => {
    const grants = new Map<'graph' | 'api', ResourceGrant>();
    const add = (kind: 'graph' | 'api', audience: string, name: string) => {
      const g = grants.get(kind) ?? { kind, audience, names: [] };
      if (!g.names.includes(name)) g.names.push(name);
      grants.set(kind, g);
    };
    for (const scope of scopes) {
      if (oidcScopes.has(scope.toLowerCase())) continue;
      const slash = scope.lastIndexOf('/');
      const resource = slash === -1 ? graphAudience : scope.slice(0, slash).replace(/\/+$/, '');
      const name = slash === -1 ? scope : scope.slice(slash + 1);
      const lower = resource.toLowerCase();
      if (lower === graphAudience || lower === graphAppId) {
        if (name === '.default') add('graph', graphAudience, 'User.Read');
        else {
          const known = graphDelegatedScopes.find((s) => s.toLowerCase() === name.toLowerCase());
          if (!known) throw aadsts.scopeNotOnResource(app.displayName, name, graphAppId);
          add('graph', graphAudience, known);
        }
      } else if (lower === api.identifierUri.toLowerCase() || lower === api.clientId.toLowerCase()) {
        if (name === '.default') for (const s of api.scopes) add('api', api.clientId, s);
        else {
          const known = api.scopes.find((s) => s === name);
          if (!known) throw aadsts.scopeNotOnResource(app.displayName, name, api.clientId);
          add('api', api.clientId, known);
        }
      } else if (name === '' || resource === '') throw aadsts.invalidScope(scope);
      else throw aadsts.unknownResource(resource, tenantName);
    }
    return [...grants.values()];
  };

  /** The one resource of a token request; OIDC scopes alone give a Graph token with User.Read, as Entra does. */
  const singleResource = (scopes: readonly string[], app: ClientApp): ResourceGrant => {
    const grants = resolveResources(scopes, app);
    if (grants.length > 1) throw aadsts.severalResources(scopes.join(' '));
    return grants[0] ?? { kind: 'graph', audience: graphAudience, names: ['User.Read'] };
  };

  const responseScope = (grant: ResourceGrant): string =>
    grant.kind === 'api' ? grant.names.map((n) => `${api.identifierUri}/${n}`).join(' ') : grant.names.join(' ');

  /** Tokens for a user: access token for one resource, plus ID and refresh tokens when `openid` / `offline_access`. */
  const userTokens = async (
    app: ClientApp,
    user: SeedUser,
    grantedScopes: readonly string[],
    requestedScope: string | undefined,
    extras: { nonce: string | null; clientInfo: boolean; refreshExpiresAt: number | null },
  ): Promise<TokenResponse> => {
    const tokenScopes = requestedScope === undefined ? grantedScopes : splitScopes(requestedScope);
    const grant = singleResource(tokenScopes, app);
    const access = await identity.issueUserToken(user.id, { audience: grant.audience, scopes: grant.names, clientId: app.clientId });
    const response: TokenResponse = {
      token_type: 'Bearer',
      scope: responseScope(grant),
      expires_in: access.expiresIn,
      ext_expires_in: access.expiresIn,
      access_token: access.accessToken,
    };
    const all = new Set([...grantedScopes, ...tokenScopes].map((s) => s.toLowerCase()));
    if (all.has('offline_access')) {
      prune(refreshTokens);
      const refreshToken = `1.${randomToken(48)}`;
      const lifetime = app.kind === 'public' ? spaRefreshLifetimeMs : refreshLifetimeMs;
      refreshTokens.set(refreshToken, {
        clientId: app.clientId,
        userId: user.id,
        scopes: [...new Set([...grantedScopes, ...tokenScopes])],
        // An SPA's refresh token keeps the deadline of the first sign-in ("cannot be extended").
        expiresAt: extras.refreshExpiresAt ?? nowMs() + lifetime,
      });
      response.refresh_token = refreshToken;
    }
    if (all.has('openid')) response.id_token = await identity.issueIdToken(user.id, { clientId: app.clientId, nonce: extras.nonce, email: all.has('email') });
    if (extras.clientInfo) response.client_info = clientInfo(user.id);
    return response;
  };

  const clientCredentials = async (req: TokenRequest): Promise<TokenResponse> => {
    const app = authenticateClient(req);
    if (app.kind === 'public') throw aadsts.secretRequired();
    const scope = req.form['scope'];
    if (scope === undefined || scope.trim() === '') throw aadsts.missingParameter('scope');
    const scopes = splitScopes(scope);
    const only = scopes[0] ?? '';
    if (scopes.length !== 1 || !only.endsWith('/.default')) throw aadsts.defaultScopeRequired(scope);
    const resource = only.slice(0, -'/.default'.length).replace(/\/+$/, '').toLowerCase();
    let audience: string;
    if (resource === graphAudience || resource === graphAppId) audience = graphAudience;
    else if (resource === api.identifierUri.toLowerCase() || resource === api.clientId.toLowerCase()) audience = api.clientId;
    else throw aadsts.unknownResource(only.slice(0, -'/.default'.length), tenantName);
    const token = await identity.issueAppToken(app.clientId, audience);
    return { token_type: 'Bearer', expires_in: token.expiresIn, ext_expires_in: token.expiresIn, access_token: token.accessToken };
  };

  const authorizationCode = async (req: TokenRequest): Promise<TokenResponse> => {
    const app = authenticateClient(req);
    const { form } = req;
    const code = form['code'];
    if (code === undefined || code === '') throw aadsts.missingParameter('code');
    const issued = codes.get(code);
    if (!issued) throw aadsts.malformed('invalid_grant');
    if (issued.redeemed) throw aadsts.codeRedeemed();
    // A code is presented once: a failed attempt (bad verifier, wrong client) spends it too.
    issued.redeemed = true;
    if (issued.expiresAt <= nowMs()) throw aadsts.grantExpired();
    if (issued.clientId !== app.clientId) throw aadsts.grantForOtherClient();
    const redirectUri = form['redirect_uri'];
    if (redirectUri === undefined || redirectUri === '') throw aadsts.missingParameter('redirect_uri');
    if (!isRegisteredRedirectUri(app.redirectUris, redirectUri)) throw aadsts.redirectMismatch(redirectUri, app.clientId);
    if (redirectUri !== issued.redirectUri) throw aadsts.replyAddressMismatch(redirectUri, issued.redirectUri);
    const verifier = form['code_verifier'];
    if (verifier === undefined || verifier === '') throw aadsts.missingParameter('code_verifier');
    const computed = sha256(verifier).toString('base64url');
    if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) || computed.length !== issued.codeChallenge.length || !timingSafeEqual(Buffer.from(computed), Buffer.from(issued.codeChallenge))) {
      throw aadsts.pkceMismatch();
    }
    const user = directory.get(issued.userId);
    return userTokens(app, user, issued.scopes, form['scope'], { nonce: issued.nonce, clientInfo: form['client_info'] === '1', refreshExpiresAt: null });
  };

  const refreshToken = async (req: TokenRequest): Promise<TokenResponse> => {
    const app = authenticateClient(req);
    const { form } = req;
    const token = form['refresh_token'];
    if (token === undefined || token === '') throw aadsts.missingParameter('refresh_token');
    const grant = refreshTokens.get(token);
    if (!grant) throw aadsts.malformed('invalid_grant');
    if (grant.expiresAt <= nowMs()) {
      refreshTokens.delete(token);
      throw app.kind === 'public' ? aadsts.spaRefreshExpired() : aadsts.grantExpired();
    }
    if (grant.clientId !== app.clientId) throw aadsts.grantForOtherClient();
    const user = directory.get(grant.userId);
    return userTokens(app, user, grant.scopes, form['scope'], {
      nonce: null,
      clientInfo: form['client_info'] === '1',
      refreshExpiresAt: app.kind === 'public' ? grant.expiresAt : null,
    });
  };

  const identity: IdentityService = {
    tokenLifetimeSeconds: 3600,
    issuer,
    jwks: () => ({ keys: [{ ...key.publicJwk, issuer: issuer() } as JWK] }),
    isTenant: (segment) => {
      const s = segment.toLowerCase();
      return s === seed.tenantId.toLowerCase() || s === seed.domain.toLowerCase();
    },
    apps: () => apps,
    async issueAppToken(clientId, audience = graphAudience) {
      if (clientId !== server.clientId) throw new Error(`unknown client ${clientId}`);
      const claims: Record<string, unknown> = { app_displayname: server.displayName, appid: clientId, azp: clientId, azpacr: '1', idtyp: 'app', oid: servicePrincipalId };
      // Roles are the app's permissions on Graph; Baton's API defines no app roles for the server app.
      if (audience === graphAudience) claims['roles'] = server.applicationPermissions;
      return sign(claims, audience, servicePrincipalId, identity.tokenLifetimeSeconds);
    },
    async issueUserToken(userId, { audience, scopes, clientId }) {
      const user = directory.get(userId);
      const app = appById.get(clientId.toLowerCase());
      return sign(
        {
          aio: opaque(),
          ...(app ? { app_displayname: app.displayName } : {}),
          azp: clientId,
          azpacr: app?.kind === 'confidential' ? '1' : '0',
          idtyp: 'user',
          name: user.displayName,
          oid: user.id,
          preferred_username: user.userPrincipalName,
          rh: opaque(),
          scp: scopes.join(' '),
        },
        audience,
        pairwiseSub(user.id, clientId),
        identity.tokenLifetimeSeconds,
      );
    },
    async issueNotificationValidationToken(appId) {
      const now = Math.floor(clock.now().getTime() / 1000);
      return new SignJWT({ azp: graphNotificationPublisherAppId, azpacr: '2', appid: graphNotificationPublisherAppId, appidacr: '2', tid: seed.tenantId, ver: '1.0', uti: randomToken(16).slice(0, 22) })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
        .setIssuer(`${options.baseUrl()}/${seed.tenantId}/`)
        .setAudience(appId)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + 3600)
        .sign(privateKey);
    },
    async issueIdToken(userId, { clientId, nonce, email }) {
      const user = directory.get(userId);
      const claims: Record<string, unknown> = {
        aio: opaque(),
        name: user.displayName,
        oid: user.id,
        preferred_username: user.userPrincipalName,
        rh: opaque(),
      };
      if (nonce) claims['nonce'] = nonce;
      if (email) claims['email'] = user.userPrincipalName;
      return (await sign(claims, clientId, pairwiseSub(user.id, clientId), idTokenLifetimeSeconds)).accessToken;
    },

    checkAuthorizeRequest(query) {
      let app: ClientApp;
      try {
        app = findApp(query['client_id']);
      } catch (e) {
        return { ok: false, error: e as OAuthError, redirect: null };
      }
      const redirectUri = query['redirect_uri'];
      if (redirectUri === undefined || redirectUri === '') return { ok: false, error: aadsts.missingParameter('redirect_uri'), redirect: null };
      if (!isRegisteredRedirectUri(app.redirectUris, redirectUri)) return { ok: false, error: aadsts.redirectMismatch(redirectUri, app.clientId), redirect: null };
      const state = query['state'] ?? null;
      const mode = query['response_mode'] ?? 'query';
      if (mode !== 'query' && mode !== 'fragment' && mode !== 'form_post') {
        return { ok: false, error: aadsts.malformed('invalid_request', `response_mode '${mode}' is not supported.`), redirect: { redirectUri, responseMode: 'query', state } };
      }
      const redirect: RedirectTarget = { redirectUri, responseMode: mode, state };
      const fail = (error: OAuthError): AuthorizeCheck => ({ ok: false, error, redirect });
      const responseType = query['response_type'];
      if (responseType === undefined || responseType === '') return fail(aadsts.missingParameter('response_type'));
      if (responseType !== 'code') return fail(aadsts.unsupportedResponseType(responseType));
      const scope = query['scope'];
      if (scope === undefined || scope.trim() === '') return fail(aadsts.missingParameter('scope'));
      const scopes = splitScopes(scope);
      try {
        resolveResources(scopes, app);
      } catch (e) {
        return fail(e as OAuthError);
      }
      const challenge = query['code_challenge'];
      if (challenge === undefined || challenge === '') return fail(aadsts.pkceRequired());
      if ((query['code_challenge_method'] ?? 'plain') !== 'S256') return fail(aadsts.malformed('invalid_request', 'The sandbox accepts code_challenge_method=S256 only.'));
      if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return fail(aadsts.malformed('invalid_request', 'code_challenge is not a base64url SHA-256 value.'));
      if (query['prompt'] === 'none') return fail(aadsts.loginRequired());
      return {
        ok: true,
        request: {
          clientId: app.clientId,
          clientName: app.displayName,
          redirectUri,
          responseMode: mode,
          state,
          nonce: query['nonce'] ?? null,
          scopes,
          codeChallenge: challenge,
          clientInfo: query['client_info'] === '1',
          loginHint: query['login_hint'] ?? null,
        },
      };
    },

    startSignIn(request) {
      prune(pending);
      if (pending.size >= maxPending) {
        const oldest = pending.keys().next().value;
        if (oldest !== undefined) pending.delete(oldest);
      }
      const id = randomToken(32);
      const binding = randomToken(32);
      const expiresAt = nowMs() + signInLifetimeMs;
      pending.set(id, { bindingHash: sha256(binding), request, expiresAt });
      return { id, binding, request, expiresAt: new Date(expiresAt) };
    },

    finishSignIn(id, binding, userId) {
      const entry = pending.get(id);
      if (!entry || entry.expiresAt <= nowMs()) {
        pending.delete(id);
        throw new SignInError(400, 'This sign-in request has expired or was already used. Start the sign-in again from the app.');
      }
      if (binding === null || !timingSafeEqual(sha256(binding), entry.bindingHash)) {
        throw new SignInError(403, 'This sign-in was not started in this browser. Start the sign-in again from the app.');
      }
      const user = directory.find(userId);
      if (!user) throw new SignInError(400, 'Pick one of the listed users.');
      pending.delete(id);
      const { request } = entry;
      prune(codes);
      const code = `0.${randomToken(64)}`;
      codes.set(code, {
        clientId: request.clientId,
        redirectUri: request.redirectUri,
        userId: user.id,
        scopes: request.scopes,
        nonce: request.nonce,
        codeChallenge: request.codeChallenge,
        expiresAt: nowMs() + codeLifetimeMs,
        redeemed: false,
      });
      const params: Record<string, string> = { code };
      if (request.clientInfo) params['client_info'] = clientInfo(user.id);
      if (request.state !== null) params['state'] = request.state;
      params['session_state'] = randomUUID();
      return { target: { redirectUri: request.redirectUri, responseMode: request.responseMode, state: request.state }, params };
    },

    async token(req) {
      const grantType = req.form['grant_type'];
      if (grantType === undefined || grantType === '') throw aadsts.missingParameter('grant_type');
      switch (grantType) {
        case 'client_credentials':
          return clientCredentials(req);
        case 'authorization_code':
          return authorizationCode(req);
        case 'refresh_token':
          return refreshToken(req);
        default:
          throw aadsts.unsupportedGrant(grantType);
      }
    },

    async authenticateGraphRequest(authorization) {
      const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      if (!m?.[1]) throw unauthorized('Access token is empty.');
      // A token whose signature was already checked is only re-checked for lifetime (RS256 is the costliest step).
      const cached = verified.get(m[1]);
      if (cached && cached.exp * 1000 > clock.now().getTime() && cached.issuedMs >= notBefore) return cached.caller;
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(m[1], publicKey, {
          algorithms: ['RS256'],
          issuer: issuer(),
          audience: graphAudience,
          currentDate: clock.now(),
          clockTolerance: 300,
        }));
      } catch (e) {
        const expired = (e as { code?: string }).code === 'ERR_JWT_EXPIRED';
        throw unauthorized(expired ? 'Lifetime validation failed, the token is expired.' : 'Access token validation failure. Invalid audience or signature.');
      }
      const issued = typeof payload['uti'] === 'string' ? issuedAtMs.get(payload['uti']) : undefined;
      const issuedMs = issued ?? (typeof payload['iat'] === 'number' ? payload['iat'] * 1000 : 0);
      if (issuedMs < notBefore) throw unauthorized('Lifetime validation failed, the token is expired.');
      const roles = Array.isArray(payload['roles']) ? payload['roles'].filter((r): r is string => typeof r === 'string') : [];
      const scp = typeof payload['scp'] === 'string' ? payload['scp'].split(' ').filter(Boolean) : [];
      const isUser = payload['idtyp'] === 'user';
      const text = (v: unknown) => (typeof v === 'string' ? v : '');
      const caller: GraphCaller = {
        appId: text(payload['azp']) || text(payload['appid']),
        tenantId: text(payload['tid']),
        userId: isUser ? String(payload['oid']) : null,
        roles,
        scopes: scp,
      };
      if (verified.size > 1000) verified.clear();
      verified.set(m[1], { caller, exp: Number(payload['exp']), issuedMs });
      return caller;
    },
    expireTokensIssuedBefore(instant) {
      notBefore = instant.getTime();
    },
  };
  return identity;
}
