// Records the Graph exchanges a contract test makes through the harness (the inner requests of a `$batch` answer
// too), checks them against the CSDL, and lists the /v1.0 routes the sandbox registers.
// Imports: fastify (a bare instance that only records routes), the sandbox, the harness, ../csdl.
import Fastify from 'fastify';
import { graphAudience } from '../../../../server/sandbox/identity';
import { createSandbox } from '../../../../server/sandbox/sandbox';
import type { GraphAnswer, SandboxHarness } from '../harness';
import { checkBody, describe, resolveGraphPath, type BodyProblem, type CsdlModel, type TypeRef } from '../csdl';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface Exchange {
  method: string;
  url: string;
  requestBody: unknown;
  status: number;
  body: unknown;
  /** `direct`, or the id of the `$batch` request that carried it. */
  via: string;
}

export type GraphCall = (method: Method, url: string, body?: unknown, headers?: Record<string, string>) => Promise<GraphAnswer>;

export interface Recorder {
  readonly exchanges: Exchange[];
  /** Graph calls with the harness's app-only token. */
  app: GraphCall;
  /** Graph calls with a delegated token of `userId` (for `/me`). */
  asUser(userId: string): Promise<GraphCall>;
}

/**
 * Delegated Graph scopes the user tokens of the contract tests carry: enough for every /me route the scenario calls
 * (subscriptions take the read scopes), and for other users' profiles (the documented examples read them).
 */
export const userScopes = ['User.Read', 'User.ReadBasic.All', 'Mail.Read', 'Mail.ReadWrite', 'Mail.Send', 'Calendars.Read', 'Calendars.ReadWrite', 'MailboxSettings.ReadWrite'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function recordExchanges(h: SandboxHarness): Recorder {
  const exchanges: Exchange[] = [];
  const record = (method: string, url: string, requestBody: unknown, answer: GraphAnswer): void => {
    exchanges.push({ method, url, requestBody, status: answer.status, body: answer.body, via: 'direct' });
    if (!/^\/v1\.0\/\$batch(\?|$)/i.test(url) || !isObject(requestBody) || !isObject(answer.body)) return;
    // Each inner response pairs with its inner request by id.
    const requests = Array.isArray(requestBody['requests']) ? requestBody['requests'].filter(isObject) : [];
    const responses = Array.isArray(answer.body['responses']) ? answer.body['responses'].filter(isObject) : [];
    for (const r of responses) {
      const req = requests.find((q) => q['id'] === r['id']);
      if (!req || typeof req['url'] !== 'string' || typeof req['method'] !== 'string' || typeof r['status'] !== 'number') continue;
      const inner = `/v1.0/${req['url'].replace(/^\/+/, '').replace(/^v1\.0\//i, '')}`;
      exchanges.push({ method: req['method'].toUpperCase(), url: inner, requestBody: req['body'], status: r['status'], body: r['body'] ?? null, via: `$batch#${String(r['id'])}` });
    }
  };
  const caller =
    (authorization: string | null): GraphCall =>
    async (method, url, body, headers = {}) => {
      const answer = await h.graph(method, url, body, authorization === null ? headers : { authorization, ...headers });
      record(method, url, body, answer);
      return answer;
    };
  return {
    exchanges,
    app: caller(null),
    async asUser(userId) {
      const token = await h.sb.identity.issueUserToken(userId, { audience: graphAudience, scopes: userScopes, clientId: h.sb.tenant.apps.addin.clientId });
      return caller(`Bearer ${token.accessToken}`);
    },
  };
}

/** The routes the sandbox registers under /v1.0 (`GET /v1.0/users/:user/messages`), HEAD left out. */
export async function registeredGraphRoutes(): Promise<Array<{ method: string; url: string }>> {
  const sb = await createSandbox();
  const app = Fastify();
  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (r) => {
    for (const method of Array.isArray(r.method) ? r.method : [r.method]) {
      if (method !== 'HEAD' && r.url.toLowerCase().startsWith('/v1.0/')) routes.push({ method, url: r.url });
    }
  });
  await sb.registerRoutes(app);
  await app.ready();
  await app.close();
  await sb.close();
  return routes;
}

/** What a Graph answer's body should be, from the method, the resolved path and the status. */
export type Expected = { kind: 'type'; ref: TypeRef } | { kind: 'empty' } | { kind: 'error' } | { kind: 'batch' } | { kind: 'raw' } | { kind: 'unresolved'; reason: string };

export function expectedBody(model: CsdlModel, method: string, url: string, status: number): Expected {
  if (status >= 400) return { kind: 'error' };
  if (status === 202 || status === 204) return { kind: 'empty' };
  const r = resolveGraphPath(model, url);
  if (!r.ok) return { kind: 'unresolved', reason: `segment '${r.segment}': ${r.reason}` };
  const t = r.target;
  if (t.kind === 'protocol') return t.segment.toLowerCase() === '$batch' ? { kind: 'batch' } : { kind: 'raw' };
  if (t.kind === 'none') return { kind: 'empty' };
  const last = r.segments[r.segments.length - 1];
  // POST to an entity collection creates one entity and answers it.
  if (method === 'POST' && t.ref.collection && last && last.as !== 'action' && last.as !== 'function') return { kind: 'type', ref: { type: t.ref.type, collection: false } };
  return { kind: 'type', ref: t.ref };
}

export interface ExchangeProblem {
  exchange: string;
  problem: string;
}

/** Checks one exchange: its path resolves and its body checks against the type (errors against Graph's error shape). */
export function checkExchange(model: CsdlModel, e: Exchange): { expected: Expected; problems: BodyProblem[] } {
  const expected = expectedBody(model, e.method, e.url, e.status);
  const problems: BodyProblem[] = [];
  switch (expected.kind) {
    case 'unresolved':
      problems.push({ at: '', kind: 'shape', type: '', detail: `route does not resolve: ${expected.reason}` });
      break;
    case 'empty':
      if (e.body !== null && e.body !== '') problems.push({ at: '', kind: 'shape', type: '', detail: `a ${e.status} answer carries a body` });
      break;
    case 'error': {
      const err = isObject(e.body) ? e.body['error'] : undefined;
      const ok = isObject(err) && typeof err['code'] === 'string' && typeof err['message'] === 'string' && isObject(err['innerError']) && Object.keys(e.body as object).length === 1;
      if (!ok) problems.push({ at: 'error', kind: 'shape', type: 'odata.error', detail: `not Graph's error body: ${JSON.stringify(e.body).slice(0, 200)}` });
      break;
    }
    case 'type':
      problems.push(...checkBody(model, e.body, expected.ref));
      break;
    default:
      break;
  }
  return { expected, problems };
}

export const exchangeName = (e: Exchange): string => `${e.method} ${e.url.split('?')[0] ?? ''} → ${e.status}${e.via === 'direct' ? '' : ` (${e.via})`}`;
export { describe };
