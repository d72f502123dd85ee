// Builds Baton's HTTP app (fastify + zod schemas + OpenAPI) from explicit dependencies; it never listens —
// server/main.ts does. Every /api route is authenticated unless marked public. Imports: fastify and its plugins,
// ./auth, ./errors, ./routes/*, port types (config, clock, logger, stores, domain settings).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { z } from 'zod';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { Db } from '../store/database';
import type { LeadStore } from '../store/lead-store';
import type { PeopleStore } from '../store/people-store';
import type { NotificationStore } from '../store/notification-store';
import type { QualificationCriteria } from '../domain/qualification';
import type { HandBackReason } from '../domain/lifecycle';
import { authenticate, sendAuthFailure, type TokenVerifier } from './auth';
import { installErrorHandling } from './errors';
import { registerHealthRoutes } from './routes/health';
import { registerMeRoutes } from './routes/me';
import { registerLeadRoutes } from './routes/leads';
import { registerPeopleRoutes } from './routes/people';
import { registerImportRoutes } from './routes/imports';
import { registerGraphNotificationRoutes, type ReceiverCounters } from './routes/graph-notifications';
import { registerHandoffRoutes } from './routes/handoffs';
import { registerFollowupRoutes } from './routes/followups';
import { registerReportRoutes, type ReportRouteDeps } from './routes/reports';
import { registerAddinConfigRoute } from './routes/addin-config';
import { registerAddinFileRoutes } from './routes/addin-files';
import { registerActionRoutes } from './routes/actions';
import type { ActionService } from '../engine/action-service';
import type { AddinConfigDto } from './contract';
import type { HandoffService } from '../engine/handoff-service';
import type { FollowupStore } from '../store/followup-store';

export interface AppDeps {
  config: Pick<Config, 'bodyLimitBytes' | 'importBodyLimitBytes'>;
  logger: Logger;
  clock: Clock;
  /** For /healthz only (`select 1`). */
  db: Db;
  leadStore: LeadStore;
  peopleStore: PeopleStore;
  tokenVerifier: TokenVerifier;
  qualificationCriteria: QualificationCriteria;
  handBackReasons: readonly HandBackReason[];
  /** Graph's change notifications (POST /graph/notifications, /graph/lifecycle); without it those routes are absent. */
  notificationStore?: NotificationStore;
  /** When set, notification items from another tenant are dropped. */
  graphTenantId?: string | undefined;
  /** Called after items were queued (wakes the worker). */
  onEnqueued?: () => void;
  /** The receiver's counters (accepted, dropped by reason), for whoever wants to read them. */
  receiverCounters?: ReceiverCounters;
  /** /api/handoffs; without it those routes are absent. */
  handoffService?: HandoffService;
  /** /api/leads/:id/followups and /api/followups; without it those routes are absent. */
  followupStore?: FollowupStore;
  /** /api/reports (figures, drill-down, CSV, send now); without it those routes are absent. */
  reports?: Pick<ReportRouteDeps, 'reportStore' | 'ratingStore' | 'reportSettings' | 'weeklyReport'>;
  /** What GET /addin/config.json serves (the add-in's sign-in); without it that route answers 503. */
  addinConfig?: AddinConfigDto | undefined;
  /** The built add-in (dist/addin), served at /addin/ and /manifest.xml; without it those routes are absent. */
  addinDir?: string | undefined;
  /** The one-click links of Baton's mails (GET/POST /actions/:token); without it those pages are absent. */
  actions?: ActionService | undefined;
}

export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a token (health probe, OpenAPI document). */
    public?: boolean;
  }
}

export const openApiPath = '/api/openapi.json';

export interface AppOptions {
  /** Serve HTTPS with this key and certificate (Outlook loads add-ins over HTTPS only). */
  https?: { key: string; cert: string };
}

export async function buildApp(deps: AppDeps, options: AppOptions = {}): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.config.bodyLimitBytes,
    genReqId: () => randomUUID(),
    // Ids in logs are ours; a caller's x-request-id is not trusted.
    requestIdHeader: false,
    // A one-click link's signed token is one path segment of about 300 characters (/actions/:token).
    routerOptions: { maxParamLength: 2048 },
    ...(options.https ? { https: options.https } : {}),
  }).withTypeProvider<ZodTypeProvider>() as unknown as App;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('auth', null);
  installErrorHandling(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Baton API',
        description: 'The qualified-lead hand-off between SDR and AE, for the Baton Outlook add-in.',
        version: '1',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    if (request.is404 || request.routeOptions.config.public === true) return;
    const outcome = await authenticate(request, deps.tokenVerifier, deps.peopleStore);
    if (!outcome.ok) {
      if (outcome.failure.status === 503) request.log.warn({ code: outcome.failure.code }, 'token check unavailable');
      return sendAuthFailure(reply, outcome.failure);
    }
    request.auth = outcome.auth;
  });

  registerHealthRoutes(app, deps);
  app.get(
    openApiPath,
    { config: { public: true }, schema: { hide: true, response: { 200: z.record(z.string(), z.unknown()) } } },
    // The document is built once, on first request, from every registered route.
    () => ({ ...app.swagger() }),
  );
  registerMeRoutes(app, deps);
  registerLeadRoutes(app, deps);
  registerPeopleRoutes(app, deps);
  registerImportRoutes(app, deps);
  if (deps.notificationStore) registerGraphNotificationRoutes(app, { ...deps, notificationStore: deps.notificationStore });
  if (deps.handoffService) registerHandoffRoutes(app, { handoffService: deps.handoffService });
  if (deps.followupStore) registerFollowupRoutes(app, { ...deps, followupStore: deps.followupStore });
  if (deps.reports) registerReportRoutes(app, { ...deps, ...deps.reports });
  registerAddinConfigRoute(app, deps);
  if (deps.addinDir !== undefined) registerAddinFileRoutes(app, { addinDir: deps.addinDir });
  if (deps.actions !== undefined) registerActionRoutes(app, { actions: deps.actions });
  return app;
}
