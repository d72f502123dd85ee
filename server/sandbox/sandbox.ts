// The sandbox: a stateful local Microsoft 365 (directory, identity, mail, calendars, change notifications, faults)
// assembled from its services. `createSandbox` builds it in process; server/sandbox/server.ts serves it over TLS.
// Baton's own code never imports the sandbox; only the composition root (server/main.ts) and tests do.
import type { FastifyInstance } from 'fastify';
import { createChangeFeed, type ChangeFeed } from './change-feed';
import { createDirectory, loadTenantSeed, type Directory, type TenantSeed } from './directory';
import { createSandboxClock, type SandboxClock } from './sandbox-clock';
import { createIdentity, type IdentityService } from './identity';
import { createMailService, type MailService } from './mail';
import { createCalendarService, type CalendarService } from './calendar';
import { createSubscriptionService, type SubscriptionService, type SubscriptionTimings } from './subscriptions';
import { createFaults, type Faults } from './faults';
import { createRequestLog, type RequestLog } from './request-log';
import { registerIdentityRoutes } from './routes/identity';
import { registerDirectoryRoutes } from './routes/directory';
import { registerMailRoutes } from './routes/mail';
import { registerCalendarRoutes } from './routes/calendar';
import { registerSubscriptionRoutes } from './routes/subscriptions';
import { registerBatchRoute } from './routes/batch';
import { registerControlRoutes } from './routes/control';
import { registerPageRoutes } from './routes/page';

/** Who is calling Graph, from a validated access token. */
export interface GraphCaller {
  appId: string;
  tenantId: string;
  /** The signed-in user for a delegated token; null for an app-only token. */
  userId: string | null;
  /** App roles (application permissions) of an app-only token. */
  roles: readonly string[];
  /** Delegated scopes of a user token. */
  scopes: readonly string[];
}

export interface Sandbox {
  readonly tenant: TenantSeed;
  readonly clock: SandboxClock;
  readonly changes: ChangeFeed;
  readonly directory: Directory;
  readonly identity: IdentityService;
  readonly mail: MailService;
  readonly calendar: CalendarService;
  readonly subscriptions: SubscriptionService;
  readonly faults: Faults;
  readonly requestLog: RequestLog;
  /** The local CA certificate (PEM) the sandbox's TLS certificate is signed by; null when it is not served over TLS. */
  readonly caPem: string | null;
  /** The sandbox's own origin (`https://127.0.0.1:3100`), known once it listens. */
  baseUrl(): string;
  setBaseUrl(url: string): void;
  registerRoutes(app: FastifyInstance): Promise<void>;
  /** Stops timers and pending deliveries. */
  close(): Promise<void>;
}

export interface SandboxOptions {
  seed?: TenantSeed;
  clock?: SandboxClock;
  /** Where the signing keys are kept across restarts; in memory when absent. */
  dataDir?: string;
  /** The local CA (PEM) of the TLS the sandbox is served with (server.ts); served at GET /sandbox/ca.pem. */
  caPem?: string;
  /** How the sandbox reaches notification URLs (Baton's receiver); defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Timeouts, retry schedule and batching of change notifications (real time); Graph's values by default. */
  subscriptionTimings?: Partial<SubscriptionTimings>;
  /** The random source of the fault injections that hit a share of requests or notifications. */
  random?: () => number;
}

export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const seed = options.seed ?? loadTenantSeed();
  const clock = options.clock ?? createSandboxClock();
  const changes = createChangeFeed();
  const directory = createDirectory(seed, { clock });
  const requestLog = createRequestLog();
  let baseUrl = 'https://127.0.0.1:3100';
  const getBaseUrl = () => baseUrl;
  const identity = await createIdentity({ seed, directory, clock, baseUrl: getBaseUrl, dataDir: options.dataDir });
  // The faults act on the subscriptions, which consult the faults: resolved lazily.
  const faults = createFaults({ clock, changes, identity, subscriptions: () => subscriptions, ...(options.random ? { random: options.random } : {}) });
  const mail = createMailService({ directory, changes, clock, baseUrl: getBaseUrl });
  const calendar = createCalendarService({ directory, changes, clock, mail });
  const subscriptions = createSubscriptionService({
    directory,
    changes,
    clock,
    faults,
    fetch: options.fetch ?? fetch,
    tenantId: seed.tenantId,
    ...(options.subscriptionTimings ? { timings: options.subscriptionTimings } : {}),
    folderIdOf: (userId, nameOrId) => mail.folderId(userId, nameOrId),
    resourceOf: (userId, kind, itemId) => {
      try {
        return kind === 'message' ? mail.get(userId, itemId) : calendar.getEvent(userId, itemId);
      } catch {
        return null; // gone before the notification was built
      }
    },
    validationToken: (appId) => identity.issueNotificationValidationToken(appId),
  });

  const sandbox: Sandbox = {
    tenant: seed,
    clock,
    changes,
    directory,
    identity,
    mail,
    calendar,
    subscriptions,
    faults,
    requestLog,
    caPem: options.caPem ?? null,
    baseUrl: getBaseUrl,
    setBaseUrl(url) {
      baseUrl = url.replace(/\/$/, '');
    },
    async registerRoutes(app) {
      registerIdentityRoutes(app, sandbox);
      registerDirectoryRoutes(app, sandbox);
      registerMailRoutes(app, sandbox);
      registerCalendarRoutes(app, sandbox);
      registerSubscriptionRoutes(app, sandbox);
      registerBatchRoute(app, sandbox);
      registerControlRoutes(app, sandbox);
      registerPageRoutes(app, sandbox);
      await Promise.resolve();
    },
    async close() {
      await subscriptions.close();
    },
  };
  return sandbox;
}
