// The error table, row by row (each row is looked up through `classify` and through `toGatewayError` of a Graph
// error carrying it), and explicit cases from Graph's documented examples, so a wrong row fails a named case.
import fs from 'node:fs';
import path from 'node:path';
import { GatewayError, gatewayErrorCodes } from '../../../server/domain/mailbox';
import { classify, errorTable, parseRetryAfter, toGatewayError } from '../../../server/graph/graph-errors';

const examples = '/work/shared/graph/examples';
const example = (name: string) => JSON.parse(fs.readFileSync(path.join(examples, name), 'utf8')) as { response: { status: number | null; headers: Record<string, string>; body: unknown } };

describe('the error table', () => {
  it.each(errorTable.map((r) => [r.status ?? '*', r.code ?? '*', r.gatewayCode, r] as const))('%s %s → %s', (_s, _c, expected, r) => {
    expect(gatewayErrorCodes).toContain(expected);
    expect(classify(r.status, r.code)).toBe(expected);
    if (r.status !== null) {
      const err = toGatewayError({ statusCode: r.status, code: r.code, body: { error: { code: r.code ?? 'x', message: 'm' } } });
      expect(err.code).toBe(expected);
      expect(err.status).toBe(r.status);
    }
  });

  it('has no two rows for the same (status, code)', () => {
    const keys = errorTable.map((r) => `${r.status ?? '*'}|${(r.code ?? '*').toLowerCase()}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('explicit cases', () => {
  it.each([
    [429, 'TooManyRequests', 'throttled'],
    [429, 'ApplicationThrottled', 'throttled'],
    [500, 'generalException', 'temporary'],
    [502, null, 'temporary'],
    [503, 'ServiceUnavailable', 'temporary'],
    [504, 'GatewayTimeout', 'temporary'],
    [401, 'InvalidAuthenticationToken', 'auth'],
    [403, 'ErrorAccessDenied', 'forbidden'],
    [403, 'Authorization_RequestDenied', 'forbidden'],
    [403, '', 'forbidden'],
    [404, 'ErrorItemNotFound', 'not_found'],
    [404, 'Request_ResourceNotFound', 'not_found'],
    [404, 'ResourceNotFound', 'not_found'],
    [410, 'SyncStateNotFound', 'cursor_expired'],
    [400, 'syncStateNotFound', 'cursor_expired'],
    [410, 'resyncRequired', 'cursor_expired'],
    [400, 'SyncStateInvalid', 'cursor_expired'],
    [400, 'ErrorInvalidRequest', 'invalid'],
    [400, 'ErrorInvalidIdMalformed', 'invalid'],
    [400, 'BadRequest', 'invalid'],
    [422, null, 'invalid'],
    [405, 'Request_BadRequest', 'invalid'],
    [409, 'ErrorIrresolvableConflict', 'permanent'],
    [412, 'ErrorIrresolvableConflict', 'permanent'],
    [501, 'NotImplemented', 'permanent'],
    [418, 'Teapot', 'permanent'],
  ] as const)('%i %s → %s', (status, code, expected) => {
    expect(classify(status, code)).toBe(expected);
  });

  it('keeps status, Graph code, request id (body or header) and Retry-After from throttling.1.json; the cause is the original', () => {
    const { response } = example('throttling.1.json');
    const original = { statusCode: response.status, body: JSON.stringify(response.body), headers: new Headers(response.headers) };
    const err = toGatewayError(original);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: 'throttled', status: 429, graphCode: 'TooManyRequests', requestId: '94fb3b52-452a-4535-a601-69e0a90e3aa2', retryAfterMs: 2128, message: 'Please retry again later.' });
    expect(err.cause).toBe(original);
    const byHeader = toGatewayError({ statusCode: 404, body: { error: { code: 'ErrorItemNotFound', message: 'gone' } }, headers: { 'request-id': 'rid-7' } });
    expect(byHeader).toMatchObject({ code: 'not_found', requestId: 'rid-7' });
  });

  it('reads errors.1.json (innerError with request-id, a code the table does not know: permanent)', () => {
    const { response } = example('errors.1.json');
    expect(toGatewayError({ statusCode: 416, body: response.body })).toMatchObject({ code: 'permanent', graphCode: 'invalidRange', requestId: 'request-id' });
  });

  it('maps msal-node refusals and network failures', () => {
    expect(toGatewayError({ errorCode: 'invalid_client', message: 'invalid_client: AADSTS7000215' }).code).toBe('auth');
    expect(toGatewayError({ errorCode: 'unauthorized_client', message: 'x' }).code).toBe('auth');
    expect(toGatewayError({ errorCode: 'network_error', message: 'x' }).code).toBe('temporary');
    const reset = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    expect(toGatewayError(reset)).toMatchObject({ code: 'temporary', status: undefined, cause: reset });
    expect(toGatewayError(Object.assign(new Error('timed out'), { name: 'TimeoutError' })).code).toBe('temporary');
    expect(toGatewayError(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' })).code).toBe('temporary');
    expect(toGatewayError(new Error('something else')).code).toBe('permanent');
  });

  it('marks maybeApplied only on temporary failures of calls that asked for it', () => {
    expect(toGatewayError({ statusCode: 503, body: {} }, { maybeApplied: true }).maybeApplied).toBe(true);
    expect(toGatewayError({ statusCode: 400, body: {} }, { maybeApplied: true }).maybeApplied).toBe(false);
    expect(toGatewayError({ statusCode: 503, body: {} }).maybeApplied).toBe(false);
  });

  it('parses Retry-After in seconds (with decimals) or as an HTTP date', () => {
    expect(parseRetryAfter('2.128')).toBe(2128);
    expect(parseRetryAfter('10')).toBe(10_000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:10 GMT', new Date('2026-10-21T07:28:00Z'))).toBe(10_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
