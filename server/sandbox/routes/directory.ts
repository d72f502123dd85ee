// Graph directory routes of the sandbox: /users, /users/{id | userPrincipalName} ($select over the CSDL user,
// $expand=manager with $levels and $select), /users/{id}/manager, /users/{id}/mailboxSettings (GET and PATCH) and
// GET /mailboxSettings/{property}, and the same under /me for a delegated token. Imports: fastify, ../directory, ../odata.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { mailboxSettingsProperties, singleUserOnlyProperties, type SeedUser } from '../directory';
import { GraphError, badRequest, userNotFound } from '../graph-error';
import { orderItems, pageOf, nextLink, parseQueryOptions, project, type Json, type JsonObject } from '../odata';
import type { Sandbox } from '../sandbox';

type Params = { user: string };

export function requestUrl(sb: Sandbox, request: FastifyRequest): URL {
  return new URL(request.url, sb.baseUrl());
}

/** The items of an `$expand` list at top level (options in parentheses kept with their item). */
function splitTopLevel(raw: string, separator: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of raw) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === separator && depth === 0) {
      items.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') items.push(current.trim());
  return items;
}

interface ManagerExpansion {
  /** How many levels of managers (`$levels=max`: all). */
  levels: number;
  select: string[] | null;
}

const notImplemented = (): GraphError => new GraphError(501, 'NotImplemented', 'This operation target is not yet supported.');

/** `$expand` on a user: only `manager` (with `$levels` and `$select`) is served. */
function parseExpand(query: Record<string, unknown>): ManagerExpansion | null {
  const raw = Object.entries(query).find(([k]) => k.toLowerCase() === '$expand' || k.toLowerCase() === 'expand')?.[1];
  if (raw === undefined) return null;
  if (typeof raw !== 'string') throw badRequest("Query option '$expand' was specified more than once, but it must be specified at most once.");
  let expansion: ManagerExpansion | null = null;
  for (const item of splitTopLevel(raw, ',')) {
    const m = /^([\w.]+)\s*(?:\((.*)\))?$/s.exec(item);
    const name = m?.[1] ?? item;
    if (!m || name.toLowerCase() !== 'manager') throw badRequest(`Parsing OData Select and Expand failed: Could not find a property named '${name}' on type 'microsoft.graph.user'.`);
    expansion = { levels: 1, select: null };
    for (const option of splitTopLevel(m[2] ?? '', ';')) {
      const [key = '', value = ''] = option.split('=').map((s) => s.trim());
      if (key.toLowerCase() === '$levels') {
        if (value.toLowerCase() === 'max') expansion.levels = Number.POSITIVE_INFINITY;
        else if (/^[1-9]\d*$/.test(value)) expansion.levels = Number(value);
        else throw badRequest(`Invalid value '${value}' for $levels query option found.`);
      } else if (key.toLowerCase() === '$select') {
        expansion.select = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
      } else throw badRequest(`Query option '${key}' is not allowed in the $expand of 'manager'.`);
    }
  }
  return expansion;
}

export function registerDirectoryRoutes(app: FastifyInstance, sb: Sandbox): void {
  const target = (request: FastifyRequest<{ Params: Partial<Params> }>) =>
    sb.directory.get(request.params.user ?? request.graphCaller?.userId ?? '');

  const someone = sb.directory.users()[0];
  const userPropertyNames = new Set(someone ? Object.keys(sb.directory.toFullGraphUser(someone)).map((k) => k.toLowerCase()) : []);

  /** Checks `$select` on users: a name the CSDL user lacks → 400; one served per user only, on a list → 501. */
  const checkSelect = (select: readonly string[] | null, list: boolean) => {
    for (const name of select ?? []) {
      if (name === '*') continue;
      if (!userPropertyNames.has(name.toLowerCase())) throw badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.user'.`, 'Request_BadRequest');
      if (list && singleUserOnlyProperties.has(name.toLowerCase())) throw notImplemented();
    }
  };

  /** A user as Graph answers it: the default properties, or the selected ones; the manager chain when expanded. */
  const render = (u: SeedUser, select: readonly string[] | null, expand: ManagerExpansion | null, depth = 0): JsonObject => {
    const out = select === null || select.includes('*') ? sb.directory.toGraphUser(u) : project(sb.directory.toFullGraphUser(u), select);
    if (expand !== null && depth < expand.levels) {
      const manager = sb.directory.manager(u.id);
      if (manager) {
        const m = render(manager, expand.select, expand.levels > 1 ? expand : null, depth + 1);
        out['manager'] = { '@odata.type': '#microsoft.graph.user', ...m };
      }
    }
    return out;
  };

  const context = (path: string, select: readonly string[] | null) => `${sb.baseUrl()}/v1.0/$metadata#${path}${select ? `(${select.join(',')})` : ''}`;

  app.get('/v1.0/users', (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const q = parseQueryOptions(query);
    checkSelect(q.select, true);
    const expand = parseExpand(query);
    // Ordered over every property ($orderby may name any of them), then answered as selected.
    const all = orderItems(sb.directory.users().map((u) => sb.directory.toFullGraphUser(u)), q.orderBy);
    const page = pageOf(all, q, 100, 999);
    const body: JsonObject = {
      '@odata.context': context('users', q.select),
      value: page.value.map((row) => render(sb.directory.get(typeof row['id'] === 'string' ? row['id'] : ''), q.select, expand)),
    };
    if (page.nextSkip !== null) body['@odata.nextLink'] = nextLink(requestUrl(sb, request), page.nextSkip);
    return reply.send(body);
  });

  for (const prefix of ['/v1.0/users/:user', '/v1.0/me']) {
    app.get<{ Params: Partial<Params> }>(prefix, (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const q = parseQueryOptions(query);
      checkSelect(q.select, false);
      const expand = parseExpand(query);
      return reply.send({ '@odata.context': `${context('users', q.select)}/$entity`, ...render(target(request), q.select, expand) });
    });

    app.get<{ Params: Partial<Params> }>(`${prefix}/manager`, (request, reply) => {
      const manager = sb.directory.manager(target(request).id);
      if (!manager) throw userNotFound('manager');
      return reply.send({ '@odata.context': `${sb.baseUrl()}/v1.0/$metadata#directoryObjects/$entity`, '@odata.type': '#microsoft.graph.user', ...sb.directory.toGraphUser(manager) });
    });

    app.get<{ Params: Partial<Params> }>(`${prefix}/mailboxSettings`, (request, reply) => {
      const user = target(request);
      const q = parseQueryOptions(request.query as Record<string, unknown>);
      const settings = sb.directory.mailboxSettings(user.id) as unknown as JsonObject;
      return reply.send({ '@odata.context': `${sb.baseUrl()}/v1.0/$metadata#users('${user.id}')/mailboxSettings`, ...project(settings, q.select) });
    });

    // GET /mailboxSettings/{property}: a complex property as an object, a primitive or enum one as `value`.
    // (One route per property, so each resolves in the CSDL; any other segment is Graph's 400.)
    for (const name of mailboxSettingsProperties) {
      app.get<{ Params: Partial<Params> }>(`${prefix}/mailboxSettings/${name}`, (request, reply) => {
        const user = target(request);
        const value: Json = (sb.directory.mailboxSettings(user.id) as unknown as JsonObject)[name] ?? null;
        const odataContext = `${sb.baseUrl()}/v1.0/$metadata#users('${user.id}')/mailboxSettings/${name}`;
        const isComplex = value !== null && typeof value === 'object' && !Array.isArray(value);
        return reply.send(isComplex ? { '@odata.context': odataContext, ...value } : { '@odata.context': odataContext, value });
      });
    }

    app.patch<{ Params: Partial<Params> }>(`${prefix}/mailboxSettings`, (request, reply) => {
      const user = target(request);
      const updated = sb.directory.updateMailboxSettings(user.id, (request.body ?? {}) as Record<string, unknown>);
      return reply.send({ '@odata.context': `${sb.baseUrl()}/v1.0/$metadata#Users('${user.id}')/mailboxSettings`, ...(updated as unknown as JsonObject) });
    });
  }
}
