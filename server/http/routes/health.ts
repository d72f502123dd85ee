// GET /healthz: the liveness and readiness probe (public). 200 when the database answers `select 1`, else 503.
// Imports: kysely's sql tag, ../contract, ../app types.
import { sql } from 'kysely';
import { HealthDto } from '../contract';
import type { App, AppDeps } from '../app';

export function registerHealthRoutes(app: App, deps: Pick<AppDeps, 'db'>): void {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        summary: 'Health of the server and its database',
        tags: ['health'],
        security: [],
        response: { 200: HealthDto, 503: HealthDto },
      },
    },
    async (request, reply) => {
      try {
        await sql`select 1`.execute(deps.db);
        return { status: 'ok' as const, database: 'ok' as const };
      } catch (error) {
        request.log.warn({ err: error }, 'health check: database unavailable');
        return reply.code(503).send({ status: 'unavailable', database: 'unavailable' });
      }
    },
  );
}
