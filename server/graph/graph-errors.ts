// One table from what Graph, msal-node or the network answered (HTTP status, Graph error code, msal error code,
// socket error code) to the domain's closed set of GatewayErrorCodes, and `toGatewayError`, which keeps status,
// Graph code, request id and Retry-After with the original error as `cause`. Imports: server/domain/mailbox only.
// Codes: https://learn.microsoft.com/graph/errors, https://learn.microsoft.com/graph/delta-query-overview
import { GatewayError, type GatewayErrorCode } from '../domain/mailbox';

/**
 * One row: a status with no code matches any code at that status; a code with no status matches that code at any
 * status (Graph's docs give codes without statuses, and a delta token's expiry comes as "a 40X-series error").
 */
export interface ErrorRow {
  readonly status: number | null;
  readonly code: string | null;
  readonly gatewayCode: GatewayErrorCode;
}

const row = (status: number | null, code: string | null, gatewayCode: GatewayErrorCode): ErrorRow => ({ status, code, gatewayCode });

export const errorTable: readonly ErrorRow[] = [
  // Throttling (throttling.1.json: 429 TooManyRequests; Outlook: ApplicationThrottled; errors.md: activityLimitReached).
  row(429, null, 'throttled'),
  row(null, 'TooManyRequests', 'throttled'),
  row(null, 'ApplicationThrottled', 'throttled'),
  row(null, 'activityLimitReached', 'throttled'),
  // Server side and network: worth trying again later.
  row(500, null, 'temporary'),
  row(502, null, 'temporary'),
  row(503, null, 'temporary'),
  row(504, null, 'temporary'),
  row(509, null, 'throttled'),
  row(null, 'serviceNotAvailable', 'temporary'),
  row(null, 'ServiceUnavailable', 'temporary'),
  row(null, 'GatewayTimeout', 'temporary'),
  row(null, 'ECONNRESET', 'temporary'),
  row(null, 'ECONNREFUSED', 'temporary'),
  row(null, 'ETIMEDOUT', 'temporary'),
  row(null, 'EPIPE', 'temporary'),
  row(null, 'EAI_AGAIN', 'temporary'),
  row(null, 'UND_ERR_SOCKET', 'temporary'),
  row(null, 'UND_ERR_CONNECT_TIMEOUT', 'temporary'),
  row(null, 'UND_ERR_HEADERS_TIMEOUT', 'temporary'),
  row(null, 'UND_ERR_BODY_TIMEOUT', 'temporary'),
  row(null, 'UND_ERR_CLOSED', 'temporary'),
  row(null, 'fetch failed', 'temporary'),
  row(null, 'TimeoutError', 'temporary'),
  row(null, 'AbortError', 'temporary'),
  // msal-node's network failure while getting a token.
  row(null, 'network_error', 'temporary'),
  // The app's identity: Graph's 401, and msal-node's refusals (AADSTS7000215 invalid_client, AADSTS700016 unauthorized_client).
  row(401, null, 'auth'),
  row(null, 'InvalidAuthenticationToken', 'auth'),
  row(null, 'unauthenticated', 'auth'),
  row(null, 'invalid_client', 'auth'),
  row(null, 'unauthorized_client', 'auth'),
  row(null, 'invalid_grant', 'auth'),
  row(null, 'invalid_scope', 'auth'),
  row(null, 'invalid_request', 'auth'),
  row(null, 'endpoints_resolution_error', 'auth'),
  // Permission (missing application permission, Exchange RBAC for Applications).
  row(403, null, 'forbidden'),
  row(null, 'ErrorAccessDenied', 'forbidden'),
  row(null, 'Authorization_RequestDenied', 'forbidden'),
  row(null, 'accessDenied', 'forbidden'),
  row(null, 'extensionError', 'forbidden'),
  row(null, 'MailboxNotEnabledForRESTAPI', 'forbidden'),
  // Gone items, mailboxes, subscriptions.
  row(404, null, 'not_found'),
  row(null, 'ErrorItemNotFound', 'not_found'),
  row(null, 'Request_ResourceNotFound', 'not_found'),
  row(null, 'ResourceNotFound', 'not_found'),
  row(null, 'itemNotFound', 'not_found'),
  // Delta tokens the service no longer knows: resync from scratch (codes compare case-insensitively).
  row(410, null, 'cursor_expired'),
  row(null, 'SyncStateNotFound', 'cursor_expired'),
  row(null, 'resyncRequired', 'cursor_expired'),
  row(null, 'SyncStateInvalid', 'cursor_expired'),
  // Graph refused what was asked.
  row(400, null, 'invalid'),
  row(422, null, 'invalid'),
  row(null, 'ErrorInvalidRequest', 'invalid'),
  row(null, 'ErrorInvalidIdMalformed', 'invalid'),
  row(null, 'ErrorInvalidProperty', 'invalid'),
  row(null, 'BadRequest', 'invalid'),
  row(null, 'invalidRequest', 'invalid'),
  row(null, 'Request_BadRequest', 'invalid'),
  // Conflicts and preconditions: retrying the same request cannot fix them.
  row(409, null, 'permanent'),
  row(412, null, 'permanent'),
];

/** Looks a (status, code) pair up: exact row, then the code at any status, then the status; otherwise permanent. */
export function classify(status: number | null, code: string | null): GatewayErrorCode {
  const lower = code?.toLowerCase() ?? null;
  const sameCode = (r: ErrorRow) => r.code !== null && lower !== null && r.code.toLowerCase() === lower;
  const exact = errorTable.find((r) => r.status !== null && r.status === status && sameCode(r));
  if (exact) return exact.gatewayCode;
  const byCode = errorTable.find((r) => r.status === null && sameCode(r));
  if (byCode) return byCode.gatewayCode;
  const byStatus = errorTable.find((r) => r.code === null && r.status !== null && r.status === status);
  if (byStatus) return byStatus.gatewayCode;
  return 'permanent';
}

/** `Retry-After` in seconds (decimals allowed, as in throttling.1.json) or an HTTP date; milliseconds, or undefined. */
export function parseRetryAfter(value: string | null | undefined, now: Date = new Date()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

interface Facts {
  status: number | null;
  graphCode: string | null;
  /** A code that is not Graph's own (msal's errorCode, a socket's errno code, an error name). */
  otherCode: string | null;
  requestId: string | undefined;
  retryAfterMs: number | undefined;
  message: string;
}

const asRecord = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : null);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function headerOf(headers: unknown, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const rec = asRecord(headers);
  if (!rec) return undefined;
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : str(rec[key]);
}

/** Graph's error body `{ error: { code, message, innerError: { 'request-id' } } }`, from an object or a JSON string. */
function graphBody(body: unknown): { code?: string; message?: string; requestId?: string } {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return {};
    }
  }
  const rec = asRecord(parsed);
  const error = asRecord(rec?.['error']) ?? rec;
  if (!error) return {};
  const inner = asRecord(error['innerError']) ?? asRecord(error['innererror']);
  const out: { code?: string; message?: string; requestId?: string } = {};
  const code = str(error['code']);
  const message = str(error['message']);
  const requestId = str(inner?.['request-id']);
  if (code !== undefined) out.code = code;
  if (message !== undefined) out.message = message;
  if (requestId !== undefined) out.requestId = requestId;
  return out;
}

/** The socket-level code of a network failure (`fetch failed` carries it in `cause`). */
function networkCode(err: unknown): string | null {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const rec = asRecord(current);
    const code = str(rec?.['code']);
    if (code !== undefined && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    current = rec?.['cause'];
  }
  return null;
}

function factsOf(err: unknown, now: Date): Facts {
  const rec = asRecord(err);
  // Duck-typed: errors from another realm (Node's internal fetch under Jest) fail `instanceof Error`.
  const message = str(rec?.['message']) ?? String(err);
  // msal-node: AuthError/ServerError with `errorCode` (invalid_client, network_error, …).
  const msalCode = str(rec?.['errorCode']);
  if (msalCode !== undefined) {
    return { status: null, graphCode: null, otherCode: msalCode, requestId: str(rec?.['correlationId']), retryAfterMs: undefined, message };
  }
  // The Graph client's GraphError (statusCode -1 when no answer came back) or a plain object with the same fields.
  const statusField = typeof rec?.['statusCode'] === 'number' ? rec['statusCode'] : typeof rec?.['status'] === 'number' ? rec['status'] : null;
  const status = statusField !== null && statusField > 0 ? statusField : null;
  const body = graphBody(rec?.['body']);
  const headers = rec?.['headers'];
  if (status !== null) {
    const graphCode = str(rec?.['code']) ?? body.code ?? null;
    return {
      status,
      graphCode,
      otherCode: null,
      requestId: str(rec?.['requestId']) ?? body.requestId ?? headerOf(headers, 'request-id'),
      retryAfterMs: parseRetryAfter(headerOf(headers, 'retry-after'), now),
      message: body.message ?? (message === '' ? `Graph answered ${status}` : message),
    };
  }
  // No answer: a network failure (fetch failed + ECONNRESET, a timeout, an abort).
  const name = str(rec?.['name']);
  const wrappedName = str(rec?.['code']); // the Graph client puts the wrapped error's name in `code`
  const otherCode = networkCode(err) ?? (message === 'fetch failed' ? 'fetch failed' : null) ?? (name === 'TimeoutError' || name === 'AbortError' ? name : null) ?? wrappedName ?? null;
  // A msal error wrapped by the Graph client keeps only its message, which starts with the msal code.
  const msalInMessage = /^([a-z_]+): /.exec(message)?.[1] ?? null;
  return { status: null, graphCode: null, otherCode: msalInMessage ?? otherCode, requestId: undefined, retryAfterMs: undefined, message };
}

/** Maps anything a Graph call can throw to a GatewayError; a GatewayError passes through unchanged. */
export function toGatewayError(err: unknown, options: { maybeApplied?: boolean; now?: Date } = {}): GatewayError {
  if (err instanceof GatewayError) {
    if (options.maybeApplied === true && !err.maybeApplied && (err.code === 'temporary')) {
      return new GatewayError(err.code, err.message, { ...detailsOf(err), maybeApplied: true, cause: err.cause ?? err });
    }
    return err;
  }
  const facts = factsOf(err, options.now ?? new Date());
  const code = classify(facts.status, facts.graphCode ?? facts.otherCode);
  // A non-idempotent request that got no clear answer may have had its effect; a 4xx says it did not.
  const maybeApplied = options.maybeApplied === true && code === 'temporary';
  return new GatewayError(code, facts.message, {
    ...(facts.status === null ? {} : { status: facts.status }),
    ...(facts.requestId === undefined ? {} : { requestId: facts.requestId }),
    ...(facts.graphCode === null ? {} : { graphCode: facts.graphCode }),
    ...(facts.retryAfterMs === undefined ? {} : { retryAfterMs: facts.retryAfterMs }),
    maybeApplied,
    cause: err,
  });
}

function detailsOf(err: GatewayError) {
  return {
    ...(err.status === undefined ? {} : { status: err.status }),
    ...(err.requestId === undefined ? {} : { requestId: err.requestId }),
    ...(err.graphCode === undefined ? {} : { graphCode: err.graphCode }),
    ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
  };
}
