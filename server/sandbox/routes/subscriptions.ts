// Graph's /subscriptions routes: POST (201, after the validation handshake), GET one and the list, PATCH (renew),
// DELETE (204), and the bound action POST /subscriptions/{id}/reauthorize (204). The work is in ../subscriptions.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { unauthorized } from '../graph-error';
import type { GraphCaller, Sandbox } from '../sandbox';

type Params = { id: string };

function callerOf(request: FastifyRequest): GraphCaller {
  if (!request.graphCaller) throw unauthorized('Access token is empty.');
  return request.graphCaller;
}

export function registerSubscriptionRoutes(app: FastifyInstance, sb: Sandbox): void {
  const context = () => `${sb.baseUrl()}/v1.0/$metadata#subscriptions`;

  app.post('/v1.0/subscriptions', async (request, reply) => {
    const sub = await sb.subscriptions.create(callerOf(request), request.body);
    return reply.status(201).send({ '@odata.context': `${context()}/$entity`, ...sb.subscriptions.toGraph(sub) });
  });

  app.get('/v1.0/subscriptions', (request) => ({
    '@odata.context': context(),
    value: sb.subscriptions.list(callerOf(request)).map((s) => sb.subscriptions.toGraph(s)),
  }));

  app.get<{ Params: Params }>('/v1.0/subscriptions/:id', (request) => ({
    '@odata.context': `${context()}/$entity`,
    ...sb.subscriptions.toGraph(sb.subscriptions.get(callerOf(request), request.params.id)),
  }));

  app.patch<{ Params: Params }>('/v1.0/subscriptions/:id', async (request) => {
    const sub = await sb.subscriptions.update(callerOf(request), request.params.id, request.body);
    return { '@odata.context': `${context()}/$entity`, ...sb.subscriptions.toGraph(sub) };
  });

  app.delete<{ Params: Params }>('/v1.0/subscriptions/:id', (request, reply) => {
    sb.subscriptions.delete(callerOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.post<{ Params: Params }>('/v1.0/subscriptions/:id/reauthorize', (request, reply) => {
    sb.subscriptions.reauthorize(callerOf(request), request.params.id);
    return reply.status(204).send();
  });
}
