// One error body for every failure of the API, `{ error: { code, message, field?, … } }`: HttpError for the
// failures routes decide, and the app's error and not-found handlers that map everything else (validation,
// body limit, bugs) onto it. Imports: fastify, fastify-type-provider-zod, ./contract, domain error types.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ErrorBody, type FieldErrorDto } from './contract';
import type { DomainError } from '../domain/lead';
import type { FieldError } from '../domain/lead-validation';

type ErrorExtra = Omit<ErrorBody['error'], 'code' | 'message'>;

/** A failure a route decided on: thrown, and answered by the error handler with its status and body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: ErrorExtra = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }
}

/** Response schemas for the error statuses a route may answer (for the OpenAPI document and serialisation). */
export function errorResponses<S extends number>(...statuses: S[]): Record<S, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as Record<S, typeof ErrorBody>;
}

export const notFound = (what = 'resource'): HttpError => new HttpError(404, 'not_found', `No such ${what}.`);

export const forbidden = (message = 'You may not do this.'): HttpError => new HttpError(403, 'forbidden', message);

/** A domain rule refused the request: 403 for `forbidden`, else 409 with the domain's stable code. */
export function fromDomainError(error: DomainError, extra: ErrorExtra = {}): HttpError {
  const fieldPart = error.field === undefined ? {} : { field: error.field };
  return new HttpError(error.code === 'forbidden' ? 403 : 409, error.code, error.message, { ...fieldPart, ...extra });
}

/** Field errors of a record (lead-validation): 400 naming the first field, all of them in `details`. */
export function fromFieldErrors(errors: readonly FieldError[]): HttpError {
  const first = errors[0];
  if (first === undefined) return new HttpError(400, 'invalid_request', 'The request is invalid.');
  return new HttpError(400, first.code === 'unknown_field' ? 'unknown_field' : 'invalid_request', first.message, {
    field: first.field,
    details: errors.map((e) => ({ field: e.field, code: e.code, message: e.message })),
  });
}

/** The dotted path of a schema issue inside the body, query or params: `email`, `competitors.2`. */
function pathOf(instancePath: string): string {
  return instancePath
    .split('/')
    .filter((p) => p !== '')
    .join('.');
}

function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('.');
}

/** Schema validation failures (zod via the type provider): 400 `unknown_field` or `invalid_request`, naming the field. */
function fromValidation(error: FastifyError): HttpError | null {
  if (!hasZodFastifySchemaValidationErrors(error)) return null;
  const details: FieldErrorDto[] = error.validation.flatMap((issue): FieldErrorDto[] => {
    const path = pathOf(issue.instancePath);
    const keys: unknown = issue.params['keys'];
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      return keys.map((key) => ({
        field: joinPath(path, String(key)),
        code: 'unknown_field',
        message: `"${String(key)}" is not a known field.`,
      }));
    }
    const message = issue.message ?? 'is invalid';
    return [{ field: path, code: issue.keyword, message: path === '' ? message : `${path}: ${message}` }];
  });
  const first = details[0];
  if (first === undefined) return new HttpError(400, 'invalid_request', 'The request is invalid.');
  // An issue with the whole body or query (not an object, say) names the part itself.
  const field = first.field === '' ? (error.validationContext ?? 'body') : first.field;
  return new HttpError(400, first.code === 'unknown_field' ? 'unknown_field' : 'invalid_request', first.message, {
    field,
    ...(details.length > 1 ? { details } : {}),
  });
}

/** Errors fastify raises itself before a handler runs (body parsing): mapped to the public codes. */
function fromFastify(error: FastifyError): HttpError | null {
  const status = error.statusCode;
  if (typeof error.code !== 'string' || !error.code.startsWith('FST_') || status === undefined || status >= 500) return null;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, 'payload_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, 'invalid_request', 'The body is not valid JSON.');
    default:
      return new HttpError(status, status === 413 ? 'payload_too_large' : 'invalid_request', error.message);
  }
}

function send(reply: FastifyReply, error: HttpError): FastifyReply {
  return reply.code(error.status).send(error.body());
}

/** Installs the error and not-found handlers on the root instance: every failure leaves in the one shape. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof HttpError) return send(reply, error);
    const mapped = fromValidation(error) ?? fromFastify(error);
    if (mapped !== null) return send(reply, mapped);
    // A bug or an outage: logged once here (with the request id by the request's logger), no detail leaves.
    request.log.error({ err: error }, 'request failed');
    return send(reply, new HttpError(500, 'internal', `Something went wrong on our side (request ${request.id}).`));
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, new HttpError(404, 'not_found', `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`)),
  );
}
