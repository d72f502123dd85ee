// The sandbox's own control API (not Graph, no Graph token; loopback callers only) for the demo page and tests:
// the clock (get, advance, set), fault settings and one-shot fault actions, request-log counts, and the
// subscriptions and pending notification deliveries. Imports: zod, ../faults, ../graph-error.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { faultActionSchema } from '../faults';
import { GraphError, badRequest } from '../graph-error';
import type { Sandbox } from '../sandbox';

const loopback = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

async function loopbackOnly(request: FastifyRequest): Promise<void> {
  if (!loopback.has(request.socket.remoteAddress ?? '')) {
    throw new GraphError(403, 'Forbidden', 'The sandbox control API answers loopback callers only.');
  }
  await Promise.resolve();
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(`Invalid value for '${issue?.path.join('.') ?? ''}': ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

const advanceBody = z
  .strictObject({ ms: z.number().min(0).optional(), minutes: z.number().min(0).optional(), hours: z.number().min(0).optional(), days: z.number().min(0).optional() })
  .refine((b) => b.ms !== undefined || b.minutes !== undefined || b.hours !== undefined || b.days !== undefined, 'give ms, minutes, hours or days');
const setBody = z.strictObject({ now: z.iso.datetime({ offset: true }) });

export function registerControlRoutes(app: FastifyInstance, sb: Sandbox): void {
  const opts = { onRequest: loopbackOnly };
  const clock = () => ({ now: sb.clock.now().toISOString(), offsetMs: sb.clock.offsetMs() });
  const moveClock = (move: () => Date) => {
    try {
      move();
    } catch (e) {
      if (e instanceof RangeError) throw badRequest(e.message);
      throw e;
    }
    return clock();
  };

  app.get('/sandbox/control/clock', opts, () => clock());
  app.post('/sandbox/control/clock/advance', opts, (request) => {
    const b = parse(advanceBody, request.body);
    const ms = (b.ms ?? 0) + (b.minutes ?? 0) * 60_000 + (b.hours ?? 0) * 3_600_000 + (b.days ?? 0) * 86_400_000;
    return moveClock(() => sb.clock.advance(ms));
  });
  app.put('/sandbox/control/clock', opts, (request) => {
    const b = parse(setBody, request.body);
    return moveClock(() => sb.clock.set(new Date(b.now)));
  });

  const faults = () => ({ settings: sb.faults.settings(), stats: sb.faults.stats() });
  app.get('/sandbox/control/faults', opts, () => faults());
  app.patch('/sandbox/control/faults', opts, (request) => {
    const body = request.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('A JSON object of fault settings is expected.');
    try {
      sb.faults.configure(body);
    } catch (e) {
      if (e instanceof z.ZodError) {
        const issue = e.issues[0];
        throw badRequest(`Invalid value for '${issue?.path.join('.') ?? ''}': ${issue?.message ?? 'invalid'}`);
      }
      throw e;
    }
    return faults();
  });
  app.delete('/sandbox/control/faults', opts, () => {
    sb.faults.reset();
    return faults();
  });
  app.post('/sandbox/control/faults/actions', opts, async (request, reply: FastifyReply) => {
    await sb.faults.trigger(parse(faultActionSchema, request.body));
    return reply.status(204).send();
  });

  app.get('/sandbox/control/requests', opts, () => sb.requestLog.counts());
  app.delete('/sandbox/control/requests', opts, (_request, reply: FastifyReply) => {
    sb.requestLog.clear();
    return reply.status(204).send();
  });

  app.get('/sandbox/control/subscriptions', opts, () => ({
    value: sb.subscriptions.all().map((s) => ({
      ...sb.subscriptions.toGraph(s),
      mailbox: s.target.userId,
      itemKind: s.target.kind,
      folder: s.target.folder,
      reauthorizationSent: s.reauthorizationSent,
    })),
  }));
  app.get('/sandbox/control/deliveries', opts, () => ({ pending: sb.subscriptions.pendingDeliveries(), stats: sb.subscriptions.stats() }));
}
