// Graph directory routes of the sandbox: /users, /users/{id | userPrincipalName}, /users/{id}/manager,
// /users/{id}/mailboxSettings (GET and PATCH), and the same under /me for a delegated token.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { accessDenied, userNotFound } from '../graph-error';
import { orderItems, pageOf, nextLink, parseQueryOptions, project, type JsonObject } from '../odata';
import type { Sandbox } from '../sandbox';

type Params = { user: string };

const userProperties = new Set(
  ['id', 'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'department'].map((s) => s.toLowerCase()),
);

export function requestUrl(sb: Sandbox, request: FastifyRequest): URL {
  return new URL(request.url, sb.baseUrl());
}

export function registerDirectoryRoutes(app: FastifyInstance, sb: Sandbox): void {
  const target = (request: FastifyRequest<{ Params: Partial<Params> }>) =>
    sb.directory.get(request.params.user ?? request.graphCaller?.userId ?? '');

  app.get('/v1.0/users', (request, reply) => {
    const q = parseQueryOptions(request.query as Record<string, unknown>);
    const all = orderItems(sb.directory.users().map((u) => sb.directory.toGraphUser(u)), q.orderBy);
    const page = pageOf(all, q, 100, 999);
    const body: JsonObject = {
      '@odata.context': `${sb.baseUrl()}/v1.0/$metadata#users`,
      value: page.value.map((u) => project(u, q.select, userProperties)),
    };
    if (page.nextSkip !== null) body['@odata.nextLink'] = nextLink(requestUrl(sb, request), page.nextSkip);
    return reply.send(body);
  });

  for (const prefix of ['/v1.0/users/:user', '/v1.0/me']) {
    app.get<{ Params: Partial<Params> }>(prefix, (request, reply) => {
      const q = parseQueryOptions(request.query as Record<string, unknown>);
      return reply.send({ '@odata.context': `${sb.baseUrl()}/v1.0/$metadata#users/$entity`, ...project(sb.directory.toGraphUser(target(request)), q.select, userProperties) });
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

    app.patch<{ Params: Partial<Params> }>(`${prefix}/mailboxSettings`, (request, reply) => {
      const user = target(request);
      if (request.graphCaller && request.graphCaller.userId === null && !request.graphCaller.roles.includes('MailboxSettings.ReadWrite')) {
        // Baton's app registration only reads mailbox settings; the sandbox's own pages change them.
        throw accessDenied();
      }
      const updated = sb.directory.updateMailboxSettings(user.id, (request.body ?? {}) as Record<string, unknown>);
      return reply.send({ '@odata.context': `${sb.baseUrl()}/v1.0/$metadata#Users('${user.id}')/mailboxSettings`, ...(updated as unknown as JsonObject) });
    });
  }
}
