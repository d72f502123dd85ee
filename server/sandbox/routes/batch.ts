// Graph's JSON batching: POST /v1.0/$batch with up to 20 requests, run through the same app (`inject`), so auth,
// throttling, injected faults and the request log apply to each inner request; at most 4 run at once, `dependsOn`
// orders them, and a dependent of a failed request answers 424. Inner headers use Graph's spelling (`Content-Type`).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { badRequest, graphErrorBody } from '../graph-error';
import type { Json } from '../odata';
import type { Sandbox } from '../sandbox';

export const maxBatchRequests = 20;
/** Outlook runs up to 4 requests of a batch in parallel (outlook-limits.json, json_batching). */
export const batchParallelism = 4;

interface InnerRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  dependsOn: string[];
}

interface InnerResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: Json;
}

const methods = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);
// Response headers a Graph batch keeps for each inner response, in Graph's spelling.
const keptHeaders: ReadonlyArray<[string, string]> = [
  ['retry-after', 'Retry-After'],
  ['location', 'Location'],
  ['etag', 'ETag'],
  ['preference-applied', 'Preference-Applied'],
];

const invalidPayload = (detail?: string) => badRequest(detail ?? 'Invalid batch payload format.');

function parseRequests(body: unknown): InnerRequest[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidPayload();
  const requests = (body as { requests?: unknown }).requests;
  if (!Array.isArray(requests)) throw invalidPayload();
  if (requests.length > maxBatchRequests) throw badRequest(`The number of requests in a batch cannot exceed ${maxBatchRequests}.`);
  const out: InnerRequest[] = [];
  const ids = new Set<string>();
  for (const raw of requests as unknown[]) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalidPayload();
    const r = raw as Record<string, unknown>;
    const id = r['id'];
    if (typeof id !== 'string' || id === '') throw invalidPayload("Each request in a batch must have an 'id'.");
    if (ids.has(id)) throw invalidPayload(`The batch contains more than one request with the id '${id}'.`);
    ids.add(id);
    const method = typeof r['method'] === 'string' ? r['method'].toUpperCase() : '';
    if (!methods.has(method)) throw invalidPayload(`Invalid method for the request with id '${id}'.`);
    const url = r['url'];
    if (typeof url !== 'string' || url === '') throw invalidPayload(`Invalid url for the request with id '${id}'.`);
    const headers: Record<string, string> = {};
    const rawHeaders = r['headers'];
    if (rawHeaders !== undefined && rawHeaders !== null) {
      if (typeof rawHeaders !== 'object' || Array.isArray(rawHeaders)) throw invalidPayload(`Invalid headers for the request with id '${id}'.`);
      for (const [k, v] of Object.entries(rawHeaders as Record<string, unknown>)) headers[k.toLowerCase()] = String(v);
    }
    const dependsOn = r['dependsOn'];
    if (dependsOn !== undefined && (!Array.isArray(dependsOn) || !dependsOn.every((d): d is string => typeof d === 'string'))) {
      throw invalidPayload(`Invalid dependsOn for the request with id '${id}'.`);
    }
    out.push({ id, method, url, headers, body: r['body'], dependsOn: dependsOn ?? [] });
  }
  for (const r of out) {
    for (const d of r.dependsOn) if (!ids.has(d) || d === r.id) throw invalidPayload(`The request with id '${r.id}' depends on an unknown request id '${d}'.`);
  }
  // dependsOn must not form a cycle, or nothing could run.
  const state = new Map<string, 'visiting' | 'done'>();
  const byId = new Map(out.map((r) => [r.id, r]));
  const visit = (id: string) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw invalidPayload('The dependsOn of the batch requests form a cycle.');
    state.set(id, 'visiting');
    for (const d of byId.get(id)?.dependsOn ?? []) visit(d);
    state.set(id, 'done');
  };
  for (const r of out) visit(r.id);
  return out;
}

/** `/users/x`, `users/x`, `/v1.0/users/x` → `/v1.0/users/x`; null for what a batch cannot carry. */
function innerPath(url: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return null;
  let path = url.replace(/^\/+/, '');
  path = path.replace(/^v1\.0\//i, '');
  if (/^\$batch(?:[/?]|$)/i.test(path)) return null;
  return `/v1.0/${path}`;
}

export function registerBatchRoute(app: FastifyInstance, sb: Sandbox): void {
  app.post('/v1.0/$batch', async (request) => {
    const requests = parseRequests(request.body);
    const authorization = request.headers.authorization;
    const clientRequestId = typeof request.headers['client-request-id'] === 'string' ? request.headers['client-request-id'] : request.id;

    const errorResponse = (id: string, status: number, code: string, message: string): InnerResponse => ({
      id,
      status,
      headers: { 'Content-Type': 'application/json' },
      body: graphErrorBody(code, message, randomUUID(), clientRequestId, sb.clock.now()) as unknown as Json,
    });

    const run = async (r: InnerRequest): Promise<InnerResponse> => {
      const url = innerPath(r.url);
      if (url === null) return errorResponse(r.id, 400, 'BadRequest', `Invalid request URL '${r.url}' in a batch: use a URL relative to the version, such as /users/{id}/messages.`);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers)) if (k !== 'authorization' && k !== 'content-length' && k !== 'host') headers[k] = v;
      if (authorization !== undefined) headers['authorization'] = authorization;
      let payload: string | undefined;
      if (r.body !== undefined && r.body !== null && r.method !== 'GET' && r.method !== 'DELETE') {
        const contentType = headers['content-type'] ?? 'application/json';
        headers['content-type'] = contentType;
        payload = typeof r.body === 'string' && !contentType.toLowerCase().includes('json') ? r.body : JSON.stringify(r.body);
      }
      const res = await app.inject({ method: r.method as 'GET', url, headers, ...(payload === undefined ? {} : { payload }) });
      const out: InnerResponse = { id: r.id, status: res.statusCode, headers: {} };
      for (const [lower, spelled] of keptHeaders) {
        const v = res.headers[lower];
        if (v !== undefined) out.headers[spelled] = String(v);
      }
      if (res.body !== '' && res.statusCode !== 204) {
        const contentType = String(res.headers['content-type'] ?? '');
        if (contentType.includes('json')) {
          out.headers['Content-Type'] = 'application/json';
          out.body = JSON.parse(res.body) as Json;
        } else {
          out.headers['Content-Type'] = contentType.split(';')[0] ?? 'text/plain';
          out.body = res.body;
        }
      }
      return out;
    };

    const results = new Map<string, InnerResponse>();
    await new Promise<void>((resolve, reject) => {
      const waiting = [...requests];
      let running = 0;
      const pump = () => {
        for (let i = 0; i < waiting.length && running < batchParallelism; ) {
          const r = waiting[i];
          if (!r) break;
          const deps = r.dependsOn.map((d) => results.get(d));
          if (deps.some((d) => d === undefined)) {
            i++;
            continue;
          }
          waiting.splice(i, 1);
          if (deps.some((d) => d !== undefined && d.status >= 400)) {
            results.set(r.id, errorResponse(r.id, 424, 'FailedDependency', 'Failed dependency'));
            i = 0; // a failure may unblock others that depend on it
            continue;
          }
          running++;
          run(r).then(
            (res) => {
              results.set(r.id, res);
              running--;
              pump();
            },
            reject,
          );
        }
        if (waiting.length === 0 && running === 0) resolve();
      };
      pump();
    });
    return { responses: requests.map((r) => results.get(r.id)) };
  });
}
