// The sandbox's HTTP front: one fastify app serving Graph v1.0 (/v1.0), the identity endpoints (/{tenant}/...),
// and the sandbox's own pages (/sandbox). It normalises Graph URL forms before routing, answers browsers' CORS as
// Graph does, authenticates Graph calls, checks each route's permissions (./permissions), applies throttling and
// injected faults, logs every request, and answers errors in Graph's shape.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { GraphError, graphErrorBody, resourceNotFound } from './graph-error';
import { checkRoutePermission, permissionOf, type RoutePermission } from './permissions';
import type { Sandbox, GraphCaller } from './sandbox';

export type SandboxApp = FastifyInstance;

declare module 'fastify' {
  interface FastifyRequest {
    /** Who calls Graph (set for /v1.0 routes once the token is checked). */
    graphCaller: GraphCaller | null;
    /** The mailbox (user id) a Graph request targets, when it targets one. */
    mailbox: string | null;
    startedAt: bigint;
  }
  interface FastifyContextConfig {
    /** The Graph permissions the route accepts (./permissions), set when a /v1.0 route is registered. */
    graphPermission?: RoutePermission;
  }
}

/**
 * Graph accepts several spellings of one resource; routes are written once, for the plain form:
 * `/users('id')` and `/mailFolders('inbox')` → `/users/id`, `/mailFolders/inbox`; `microsoft.graph.accept` → `accept`;
 * `/calendar/events` and `/calendar/calendarView` → `/events`, `/calendarView`. Only the path changes, never the query.
 */
export function normaliseGraphPath(url: string): string {
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  if (!path.toLowerCase().startsWith('/v1.0/')) return url;
  path = path.replace(/\(\s*'([^']*)'\s*\)/g, (_m, key: string) => `/${encodeURIComponent(decodeURIComponent(key))}`);
  path = path.replace(/\/microsoft\.graph\./gi, '/');
  path = path.replace(/\/calendar\/(events|calendarView)(?=\/|$)/gi, '/$1');
  return path + query;
}

export interface SandboxAppOptions {
  https?: { key: string; cert: string };
  logger?: boolean;
  /** Largest request body, bytes (Graph refuses large JSON bodies with 413). */
  bodyLimit?: number;
}

export async function buildSandboxApp(sb: Sandbox, options: SandboxAppOptions = {}): Promise<SandboxApp> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 4 * 1024 * 1024,
    routerOptions: {
      caseSensitive: false,
      // Outlook item ids are ~150 characters (fastify's default limit, 100, answers 414 for them).
      maxParamLength: 1024,
      ignoreTrailingSlash: true,
    },
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    rewriteUrl: (req: IncomingMessage) => normaliseGraphPath(req.url ?? '/'),
    ...(options.https ? { https: options.https } : {}),
  }) as unknown as FastifyInstance;

  // Every Graph route has a row in the permission table (but $batch, whose requests are checked one by one).
  app.addHook('onRoute', (route) => {
    if (!route.url.toLowerCase().startsWith('/v1.0/') || route.url.toLowerCase() === '/v1.0/$batch') return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const rule = permissionOf(method, route.url);
      if (!rule) throw new Error(`The sandbox's permission table has no row for ${method} ${route.url} (server/sandbox/permissions.ts).`);
      route.config = { ...route.config, graphPermission: rule };
    }
  });

  app.decorateRequest('graphCaller', null);
  app.decorateRequest('mailbox', null);
  app.decorateRequest('startedAt', 0n);

  // Graph answers JSON only; a body that is not JSON is a 400 in Graph's shape.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text) as unknown);
    } catch {
      done(new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.'), undefined);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    request.startedAt = process.hrtime.bigint();
    const clientRequestId = headerValue(request, 'client-request-id') ?? request.id;
    void reply.header('request-id', request.id).header('client-request-id', clientRequestId);
    if (!request.url.toLowerCase().startsWith('/v1.0/')) return;
    // A browser's CORS preflight carries no token: Graph answers it before authentication.
    if (request.method === 'OPTIONS' && headerValue(request, 'origin') !== null && headerValue(request, 'access-control-request-method') !== null) {
      return reply.status(200).headers(preflightHeaders(request)).send();
    }
    const caller = await sb.identity.authenticateGraphRequest(headerValue(request, 'authorization'));
    request.graphCaller = caller;
    request.mailbox = mailboxOf(sb, request.url, caller);
    const rule = request.routeOptions.config.graphPermission;
    if (rule) checkRoutePermission(rule, caller, request.mailbox);
    const release = await sb.faults.admit({ caller, mailbox: request.mailbox, method: request.method, url: request.url });
    reply.raw.once('close', release);
  });

  // Graph serves single-page apps from any origin (bearer tokens, no cookies): every answer to a browser carries CORS.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.toLowerCase().startsWith('/v1.0/') && headerValue(request, 'origin') !== null) {
      void reply.header('Access-Control-Allow-Origin', '*').header('Access-Control-Expose-Headers', corsExposedHeaders);
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    sb.requestLog.record({
      at: sb.clock.now(),
      method: request.method,
      url: request.url,
      route: request.routeOptions.url ?? null,
      mailbox: request.mailbox,
      appId: request.graphCaller?.appId ?? null,
      status: reply.statusCode,
      durationMs: Number(process.hrtime.bigint() - request.startedAt) / 1e6,
    });
  });

  app.setErrorHandler((error: unknown, request, reply) => sendGraphError(sb, request, reply, error));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    return sendGraphError(sb, request, reply, resourceNotFound(path.split('/').filter(Boolean).slice(-1)[0] ?? path));
  });

  await sb.registerRoutes(app);
  return app;
}

/** Response headers a browser app may read: ids for support, paging and throttling, what Prefer applied. */
const corsExposedHeaders = 'request-id, client-request-id, Location, Retry-After, Preference-Applied, ETag, Content-Length';
const corsAllowedHeaders = ['authorization', 'content-type', 'prefer', 'client-request-id', 'return-client-request-id', 'if-match', 'if-none-match', 'consistencylevel', 'sdkversion'];

/** The preflight answer: Graph's methods, and the request headers asked for when Graph accepts them. */
function preflightHeaders(request: FastifyRequest): Record<string, string> {
  const asked = (headerValue(request, 'access-control-request-headers') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  const allowed = asked.filter((h) => corsAllowedHeaders.includes(h));
  return {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': (allowed.length > 0 ? allowed : corsAllowedHeaders).join(', '),
    'Access-Control-Max-Age': '3600',
  };
}

function headerValue(request: FastifyRequest, name: string): string | null {
  const v = request.headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? null) : null;
}

/** The mailbox a Graph URL targets: `/v1.0/users/{id|upn}/...`, or `/v1.0/me/...` for a user token. */
function mailboxOf(sb: Sandbox, url: string, caller: GraphCaller): string | null {
  const m = /^\/v1\.0\/(users\/([^/?]+)|me)(?=[/?]|$)/i.exec(url);
  if (!m) return null;
  if (m[1]?.toLowerCase() === 'me') {
    if (!caller.userId) throw new GraphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
    return caller.userId;
  }
  const key = decodeURIComponent(m[2] ?? '');
  return sb.directory.find(key)?.id ?? null;
}

function sendGraphError(sb: Sandbox, request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  let graph: GraphError;
  if (error instanceof GraphError) graph = error;
  else if (isFastifyError(error) && error.statusCode === 413) graph = new GraphError(413, 'RequestEntityTooLarge', 'The request body is too large.');
  else if (isFastifyError(error) && error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') graph = new GraphError(415, 'UnsupportedMediaType', 'The content type of the request is not supported.');
  else if (isFastifyError(error) && error.statusCode !== undefined && error.statusCode < 500) graph = new GraphError(error.statusCode, 'BadRequest', error.message);
  else {
    request.log.error({ err: error }, 'sandbox handler failed');
    graph = new GraphError(500, 'InternalServerError', 'An internal server error occurred.');
  }
  if (graph.status === 401) void reply.header('WWW-Authenticate', 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"');
  for (const [k, v] of Object.entries(graph.headers)) void reply.header(k, v);
  const clientRequestId = headerValue(request, 'client-request-id') ?? request.id;
  return reply
    .status(graph.status)
    .type('application/json')
    .send(graphErrorBody(graph.code, graph.message, request.id, clientRequestId, sb.clock.now()));
}

function isFastifyError(e: unknown): e is { statusCode?: number; code?: string; message: string } {
  return typeof e === 'object' && e !== null && 'message' in e;
}

