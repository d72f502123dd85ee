// Bearer authentication for /api: one validation path for Entra ID v2 access tokens (jose: RS256 over the tenant's
// JWKS, issuer, audience, lifetime, tenant, scope or app role), then the signed-in user found by `oid`.
// Tokens are never logged. Imports: jose, node:https/tls (an extra CA for the JWKS download), fastify types, ../config,
// ../clock, the people store and domain types.
import https from 'node:https';
import tls from 'node:tls';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config';
import type { Clock } from '../clock';
import type { Actor } from '../domain/lead';
import type { User } from '../domain/people';
import type { PeopleStore } from '../store/people-store';

/** Who made the request, once the token is checked and the user found. */
export interface RequestAuth {
  actor: Actor;
  user: User;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every authenticated route; null on public ones. */
    auth: RequestAuth | null;
  }
}

export interface TokenIdentity {
  /** Entra object id of the user (or of the calling app, for app-role tokens). */
  oid: string;
  tid: string | null;
}

export type AuthFailureCode = 'missing_token' | 'invalid_token' | 'insufficient_scope' | 'auth_not_configured' | 'auth_unavailable' | 'not_provisioned';

export interface AuthFailure {
  status: 401 | 403 | 503;
  code: AuthFailureCode;
  message: string;
}

export type TokenCheck = { ok: true; identity: TokenIdentity } | { ok: false; failure: AuthFailure };

/** The port the app authenticates through; `createTokenVerifier` is the Entra ID adapter. */
export interface TokenVerifier {
  /** False when no issuer, audience or JWKS is configured: every API request is then refused. */
  readonly configured: boolean;
  verify(token: string): Promise<TokenCheck>;
}

export interface TokenVerifierOptions {
  clock: Clock;
  /** The delegated scope a user token must carry in `scp` (space-separated). Default `access_as_user`. */
  requiredScope?: string;
  /** App roles accepted in `roles`; by default any role of this API (only its own app registration grants them). */
  acceptedRoles?: readonly string[];
  /** Seconds of clock skew allowed on exp/nbf/iat. Default 60. */
  clockToleranceSeconds?: number;
  /** A key set to use instead of fetching `jwksUrl` (tests of the verifier alone). */
  keySet?: JWTVerifyGetKey;
  /**
   * A CA certificate (PEM) the JWKS download trusts besides Node's roots: the sandbox's local CA in demo mode.
   * Nothing else is trusted differently; no system trust store or NODE_EXTRA_CA_CERTS is involved.
   */
  trustedCaPem?: string;
}

const notConfigured: AuthFailure = {
  status: 401,
  code: 'auth_not_configured',
  message: 'Sign-in is not configured on this server.',
};

const invalid = (message: string): TokenCheck => ({ ok: false, failure: { status: 401, code: 'invalid_token', message } });

/** Codes of jose errors that mean "this token is bad" (as opposed to "the key set could not be fetched"). */
const tokenErrorCodes = new Set<string>([
  joseErrors.JWTExpired.code,
  joseErrors.JWTClaimValidationFailed.code,
  joseErrors.JWTInvalid.code,
  joseErrors.JWSInvalid.code,
  joseErrors.JWSSignatureVerificationFailed.code,
  joseErrors.JOSEAlgNotAllowed.code,
  joseErrors.JOSENotSupported.code,
  joseErrors.JWKSNoMatchingKey.code,
  joseErrors.JWKSMultipleMatchingKeys.code,
]);

function describeJoseError(error: joseErrors.JOSEError): string {
  if (error instanceof joseErrors.JWTExpired) return 'The token has expired.';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return 'The token is not valid yet.';
      case 'iat':
        return 'The token was issued in the future.';
      case 'aud':
        return 'The token was not issued for this API.';
      case 'iss':
        return 'The token was not issued by the expected authority.';
      default:
        return `The token's "${error.claim}" claim is invalid.`;
    }
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'The token must be signed with RS256.';
  if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return 'The token signature is not valid.';
  }
  return 'The token is malformed.';
}

/**
 * Validates bearer tokens exactly as Entra ID v2 access tokens are validated: signature by a key of the tenant's
 * JWKS with RS256 only (so `alg: none` and HS256 are refused), `iss`, `aud` (any configured audience), `exp`/`nbf`
 * with 60 s tolerance, `tid` among the allowed tenants, and the API scope in `scp` or an app role in `roles`.
 * An issuer may contain `{tenantid}` (multi-tenant apps): it is then compared after substituting the token's `tid`.
 * https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens
 */
export function createTokenVerifier(auth: Config['auth'], options: TokenVerifierOptions): TokenVerifier {
  const { issuer, jwksUrl } = auth;
  const audiences = [...auth.audiences];
  if (issuer === undefined || jwksUrl === undefined || audiences.length === 0) {
    return { configured: false, verify: () => Promise.resolve({ ok: false, failure: notConfigured }) };
  }
  // jose 5 fetches the JWKS with node:https, so an extra CA goes in through an https.Agent.
  const agent = options.trustedCaPem === undefined ? undefined : new https.Agent({ ca: [...tls.rootCertificates, options.trustedCaPem] });
  const keySet = options.keySet ?? createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000, ...(agent ? { agent } : {}) });
  const requiredScope = options.requiredScope ?? 'access_as_user';
  const acceptedRoles = options.acceptedRoles;
  const allowedTenants = new Set(auth.allowedTenants);
  const issuerTemplate = issuer.includes('{tenantid}');

  return {
    configured: true,
    async verify(token) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keySet, {
          algorithms: ['RS256'],
          audience: audiences,
          ...(issuerTemplate ? {} : { issuer }),
          clockTolerance: options.clockToleranceSeconds ?? 60,
          currentDate: options.clock.now(),
          requiredClaims: ['exp', 'iss', 'aud'],
        }));
      } catch (error) {
        if (error instanceof joseErrors.JOSEError && tokenErrorCodes.has(error.code)) return invalid(describeJoseError(error));
        // The key set could not be fetched or read: the server's problem, not the caller's.
        return {
          ok: false,
          failure: { status: 503, code: 'auth_unavailable', message: 'Sign-in cannot be checked right now; try again shortly.' },
        };
      }

      const tid = typeof payload['tid'] === 'string' ? payload['tid'] : null;
      if (allowedTenants.size > 0 && (tid === null || !allowedTenants.has(tid))) {
        return invalid('The token was issued for another tenant.');
      }
      if (issuerTemplate && (tid === null || payload.iss !== issuer.replace('{tenantid}', tid))) {
        return invalid('The token was not issued by the expected authority.');
      }
      const oid = payload['oid'];
      if (typeof oid !== 'string' || oid === '') return invalid('The token names no user (oid).');

      const scopes = typeof payload['scp'] === 'string' ? payload['scp'].split(' ') : [];
      const rawRoles: unknown = payload['roles'];
      const roles = Array.isArray(rawRoles) ? rawRoles.filter((r): r is string => typeof r === 'string') : [];
      const hasScope = scopes.includes(requiredScope);
      const hasRole = roles.some((r) => acceptedRoles === undefined || acceptedRoles.includes(r));
      if (!hasScope && !hasRole) {
        return {
          ok: false,
          failure: { status: 403, code: 'insufficient_scope', message: `The token lacks the "${requiredScope}" scope.` },
        };
      }
      return { ok: true, identity: { oid, tid } };
    },
  };
}

/** `WWW-Authenticate` per RFC 6750 §3: no error code when no token was sent. */
function challenge(failure: AuthFailure): string | undefined {
  switch (failure.code) {
    case 'missing_token':
      return 'Bearer realm="baton"';
    case 'invalid_token':
      return 'Bearer realm="baton", error="invalid_token"';
    case 'insufficient_scope':
      return 'Bearer realm="baton", error="insufficient_scope"';
    case 'auth_not_configured':
      return 'Bearer realm="baton"';
    case 'auth_unavailable':
    case 'not_provisioned':
      return undefined;
  }
}

export function sendAuthFailure(reply: FastifyReply, failure: AuthFailure): FastifyReply {
  const header = challenge(failure);
  if (header !== undefined) void reply.header('WWW-Authenticate', header);
  return reply.code(failure.status).send({ error: { code: failure.code, message: failure.message } });
}

/** The credentials of a request: the token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** Checks the token, then finds the active user it names. */
export async function authenticate(
  request: FastifyRequest,
  verifier: TokenVerifier,
  people: Pick<PeopleStore, 'findByOid'>,
): Promise<{ ok: true; auth: RequestAuth } | { ok: false; failure: AuthFailure }> {
  if (!verifier.configured) return { ok: false, failure: notConfigured };
  const token = bearerToken(request);
  if (token === null) {
    return { ok: false, failure: { status: 401, code: 'missing_token', message: 'Sign in: this request needs a bearer token.' } };
  }
  const check = await verifier.verify(token);
  if (!check.ok) return check;
  const user = await people.findByOid(check.identity.oid);
  const sameTenant = user?.tenantId == null || check.identity.tid === null || user.tenantId === check.identity.tid;
  if (user === undefined || !user.active || !sameTenant) {
    return {
      ok: false,
      failure: { status: 403, code: 'not_provisioned', message: 'Your account is not set up in Baton; ask your administrator.' },
    };
  }
  return { ok: true, auth: { user, actor: { userId: user.id, role: user.role, teamId: user.teamId } } };
}

/** The authenticated caller of a route behind the hook; a route without one is a wiring bug. */
export function requireAuth(request: FastifyRequest): RequestAuth {
  if (request.auth === null) throw new Error(`route ${request.routeOptions.url ?? request.url} ran without authentication`);
  return request.auth;
}
