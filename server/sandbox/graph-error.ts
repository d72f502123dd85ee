// Graph's error answers: `{ "error": { "code", "message", "innerError": { "date", "request-id", "client-request-id" } } }`
// with the statuses and codes Microsoft documents (concepts/errors.md). Route handlers throw GraphError; the app's
// error handler writes the body.

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError: { date: string; 'request-id': string; 'client-request-id': string };
  };
}

export function graphErrorBody(code: string, message: string, requestId: string, clientRequestId: string, now: Date): GraphErrorBody {
  return {
    error: {
      code,
      message,
      innerError: { date: now.toISOString().replace(/\.\d{3}Z$/, ''), 'request-id': requestId, 'client-request-id': clientRequestId },
    },
  };
}

// The codes Baton meets, as Graph answers them.
export const badRequest = (message: string, code = 'BadRequest'): GraphError => new GraphError(400, code, message);
export const invalidRequest = (message: string): GraphError => new GraphError(400, 'ErrorInvalidRequest', message);
export const invalidProperty = (message: string): GraphError => new GraphError(400, 'ErrorInvalidProperty', message);
export const itemNotFound = (message = 'The specified object was not found in the store.'): GraphError =>
  new GraphError(404, 'ErrorItemNotFound', message);
export const userNotFound = (idOrUpn: string): GraphError =>
  new GraphError(404, 'Request_ResourceNotFound', `Resource '${idOrUpn}' does not exist or one of its queried reference-property objects are not present.`);
export const resourceNotFound = (path: string): GraphError =>
  new GraphError(400, 'BadRequest', `Resource not found for the segment '${path}'.`);
export const unauthorized = (message: string): GraphError => new GraphError(401, 'InvalidAuthenticationToken', message);
export const accessDenied = (message = 'Access is denied. Check credentials and try again.'): GraphError =>
  new GraphError(403, 'ErrorAccessDenied', message);
export const tooManyRequests = (retryAfterSeconds: number, message = 'Application is over its MailboxConcurrency limit.'): GraphError =>
  new GraphError(429, 'ApplicationThrottled', message, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
export const serviceUnavailable = (retryAfterSeconds?: number): GraphError =>
  new GraphError(503, 'ServiceUnavailable', 'The service is temporarily unavailable.', retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) });
export const gatewayTimeout = (): GraphError => new GraphError(504, 'GatewayTimeout', 'The gateway did not receive a timely response.');
export const syncStateNotFound = (): GraphError =>
  new GraphError(410, 'SyncStateNotFound', 'The sync state generation is not found. Please restart the sync from the beginning.');
