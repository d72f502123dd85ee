// Signs and verifies Baton's one-click action links. A token is `base64url(claims JSON).base64url(HMAC-SHA256)`
// under a server secret, compared in constant time; the claims name the hand-off, the action, the recipient, a
// unique id and an expiry (server/domain/action-link.ts). The link is `{publicUrl}/actions/{token}`: a GET shows
// a confirmation page, only its form's POST acts. Imports: node:crypto, the domain.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { claimsFromWire, claimsToWire, expiryOf, type ActionClaims, type ActionKind } from '../domain/action-link';
import { fail, ok, type Result } from '../domain/lead';

export interface ActionLinkRequest {
  handoffId: string;
  action: ActionKind;
  recipientId: string;
  aeId?: string | undefined;
  hours?: number | undefined;
}

export interface ActionLinks {
  /** A new link (a fresh id, expiring `ttlHours` after `now`); record its claims with the mail that carries it. */
  issue(request: ActionLinkRequest, now: Date): { claims: ActionClaims; url: string };
  /** The claims of a token whose signature holds (`link_invalid` otherwise); expiry and use are checked by the caller. */
  verify(token: string): Result<ActionClaims>;
  /** Signs claims as given (tests and the benchmark forge links through this, with the server's secret). */
  sign(claims: ActionClaims): string;
}

/** Domain separation: a MAC of this purpose is never valid for another use of the same secret. */
const purpose = 'baton-action-link.v1.';
/** Far above any real token (about 300 characters): longer input is refused before any work. */
const maxTokenLength = 2_048;

export function createActionLinks(options: { secret: string; ttlHours: number; baseUrl: string }): ActionLinks {
  if (options.secret.length < 32) throw new Error('the action link secret must be at least 32 characters');
  const key = Buffer.from(options.secret, 'utf8');
  const mac = (payload: string): Buffer => createHmac('sha256', key).update(purpose + payload).digest();
  const base = options.baseUrl.replace(/\/+$/, '');

  function sign(claims: ActionClaims): string {
    const payload = Buffer.from(JSON.stringify(claimsToWire(claims)), 'utf8').toString('base64url');
    return `${payload}.${mac(payload).toString('base64url')}`;
  }

  return {
    sign,
    issue(request, now) {
      const claims: ActionClaims = {
        id: randomUUID(),
        handoffId: request.handoffId,
        action: request.action,
        recipientId: request.recipientId,
        expiresAt: expiryOf(now, options.ttlHours),
        ...(request.aeId === undefined ? {} : { aeId: request.aeId }),
        ...(request.hours === undefined ? {} : { hours: request.hours }),
      };
      return { claims, url: `${base}/actions/${sign(claims)}` };
    },
    verify(token) {
      const invalid = fail('link_invalid', 'This link is not valid: it was changed or cut short.', 'token');
      if (token.length > maxTokenLength) return invalid;
      const parts = token.split('.');
      if (parts.length !== 2) return invalid;
      const [payload, signature] = parts as [string, string];
      if (!/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]+$/.test(signature)) return invalid;
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid;
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return invalid;
      }
      const claims = claimsFromWire(json);
      return claims.ok ? ok(claims.value) : claims;
    },
  };
}
