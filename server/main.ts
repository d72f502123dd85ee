// Composition root: reads the config, opens and migrates the database, loads the settings files, wires the
// stores, the token verifier and the HTTP app, then listens and shuts down gracefully. `--demo` (what `npm start`
// does) also starts the local Microsoft 365 sandbox, shares its clock, serves HTTPS with a certificate of its local
// CA, points sign-in at its identity provider, and loads the demo tenant into an empty database.
// The only module that wires adapters together, and the only one of Baton's that may import the sandbox.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, ConfigError, type Config } from './config';
import { createLogger } from './log';
import { systemClock, type Clock } from './clock';
import { migrateToLatest, openDatabase } from './store/database';
import { processIsAlive, releaseDeadClaims } from './store/claim-recovery';
import { createLeadStore } from './store/lead-store';
import { createPeopleStore } from './store/people-store';
import { loadSettings, SettingsError, type Settings } from './settings/load-settings';
import { createTokenVerifier } from './http/auth';
import { buildApp, type AppOptions } from './http/app';
import { loadDemoData } from './demo/demo-data';
import { loadDemoAway } from './demo/demo-away';
import { startSandbox, type RunningSandbox } from './sandbox/server';
import { createSandboxClock } from './sandbox/sandbox-clock';
import { trustingDispatcher, trustingFetch } from './sandbox/tls';
import { createGraphConnection, type GraphConnectionOptions } from './graph/graph-connection';
import { createGraphGateway } from './graph/graph-gateway';
import { createNotificationStore } from './store/notification-store';
import { createWatchRuntime, type WatchRuntime } from './engine/watch-runtime';
import { createObligationService } from './engine/obligations';
import { createHandoffService } from './engine/handoff-service';
import { createOutboxStore } from './store/outbox-store';
import { createHandoffStore } from './store/handoff-store';
import { createFollowupStore } from './store/followup-store';
import { createReportStore } from './store/report-store';
import { createRatingStore } from './store/rating-store';
import { createWeeklyReportJob } from './engine/weekly-report';
import { createAwayStore } from './store/away-store';
import { createAwayCheck } from './engine/away-check';
import type { Logger } from './log';
import { createActionLinks, type ActionLinks } from './engine/action-links';
import { createActionService } from './engine/action-service';
import { createActionTokenStore } from './store/action-token-store';
import { randomBytes } from 'node:crypto';
import type { AddinConfigDto } from './http/contract';
import type { WeeklySyncPolicies } from './domain/weekly-sync';

function fatal(message: string): never {
  console.error(message);
  process.exit(1);
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) fatal(e.message);
    throw e;
  }
}

function readSettings(config: Config): Settings {
  try {
    return loadSettings(config);
  } catch (e) {
    if (e instanceof SettingsError) fatal(e.message);
    throw e;
  }
}

/** Sign-in settings that trust the sandbox's identity provider, as they would trust Entra ID. */
function sandboxAuth(running: RunningSandbox): Config['auth'] {
  const tenant = running.sandbox.tenant;
  return {
    issuer: `${running.url}/${tenant.tenantId}/v2.0`,
    audiences: [tenant.apps.api.clientId, tenant.apps.api.identifierUri],
    jwksUrl: `${running.url}/${tenant.tenantId}/discovery/v2.0/keys`,
    allowedTenants: [tenant.tenantId],
  };
}

/**
 * How the add-in signs in (GET /addin/config.json): ADDIN_* when set; else, when the API trusts the sandbox's tokens,
 * the sandbox tenant's add-in app (a public client) asking for the API's `access_as_user` scope.
 */
function addinConfigOf(config: Config, sandbox: RunningSandbox | null, trustsSandbox: boolean): AddinConfigDto | undefined {
  const knownAuthority = (authority: string) => [new URL(authority).host];
  if (config.addin) {
    const { clientId, authority, apiScope } = config.addin;
    return { clientId, authority, apiScope, knownAuthorities: knownAuthority(authority), sandboxUrl: null };
  }
  if (sandbox === null || !trustsSandbox) return undefined;
  const { tenantId, apps } = sandbox.sandbox.tenant;
  const authority = `${sandbox.url}/${tenantId}`;
  return { clientId: apps.addin.clientId, authority, apiScope: `${apps.api.identifierUri}/access_as_user`, knownAuthorities: knownAuthority(authority), sandboxUrl: sandbox.url };
}

/**
 * How Baton reaches Microsoft 365: the tenant in GRAPH_* when set, else the sandbox's tenant in demo mode, else none
 * (the server then serves the API and watches no mailbox).
 */
function graphConnectionOptions(config: Config, sandbox: RunningSandbox | null, logger: Logger): GraphConnectionOptions | undefined {
  const limits = { concurrencyScope: config.graphLimits.concurrencyScope, maxConcurrency: config.graphLimits.maxConcurrency };
  if (config.graph) {
    const g = config.graph;
    const extraCa = config.extraCaFile === undefined ? undefined : fs.readFileSync(config.extraCaFile, 'utf8');
    const dispatcher = extraCa === undefined ? undefined : trustingDispatcher(extraCa);
    return {
      tenantId: g.tenantId,
      clientId: g.clientId,
      ...(g.clientSecret !== undefined ? { clientSecret: g.clientSecret } : {}),
      ...(g.certificateFile !== undefined ? { certificatePem: fs.readFileSync(g.certificateFile, 'utf8') } : {}),
      authorityHost: g.authorityHost,
      baseUrl: g.baseUrl,
      ...(dispatcher !== undefined && extraCa !== undefined ? { dispatcher, fetch: trustingFetch(extraCa, dispatcher) } : {}),
      limits,
      logger,
    };
  }
  if (sandbox) {
    const { tenantId, apps } = sandbox.sandbox.tenant;
    return {
      tenantId,
      clientId: apps.server.clientId,
      clientSecret: apps.server.clientSecret,
      authorityHost: sandbox.url,
      baseUrl: sandbox.url,
      fetch: sandbox.fetch,
      dispatcher: sandbox.dispatcher,
      limits,
      logger,
    };
  }
  return undefined;
}

/**
 * The demo shows every pair's next weekly sync with its agenda at once: each agenda is written as soon as the
 * occurrence before has begun (a week ahead) instead of the team's setting.
 */
function demoWeeklySync(policies: WeeklySyncPolicies): WeeklySyncPolicies {
  const week = 168;
  return {
    default: { ...policies.default, agendaHoursBefore: week },
    teams: Object.fromEntries(Object.entries(policies.teams).map(([id, s]) => [id, { ...s, agendaHoursBefore: week }])),
  };
}

/**
 * The secret that signs one-click links: ACTION_LINK_SECRET, else one generated once and kept (owner-only) in the data
 * folder. Never logged. Several instances on one PostgreSQL must share it, so set it then.
 */
function actionLinkSecret(config: Config, logger: Logger): string {
  if (config.actionLinks.secret !== undefined) return config.actionLinks.secret;
  const file = path.join(config.dataDir, 'action-link-secret');
  if (config.databaseUrl !== undefined) logger.warn('ACTION_LINK_SECRET is not set: links signed by this instance fail on another; set the same secret on every instance');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(config.dataDir, { recursive: true });
    const secret = randomBytes(48).toString('base64url');
    fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const demo = argv.includes('--demo');
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const settings = readSettings(config);

  let clock: Clock = systemClock;
  let sandbox: RunningSandbox | null = null;
  let auth = config.auth;
  let trustsSandbox = false;
  let trustedCaPem: string | undefined;
  const appOptions: AppOptions = {};
  if (demo || config.sandbox.enabled) {
    const sandboxClock = createSandboxClock();
    sandbox = await startSandbox({ port: config.sandbox.port, dataDir: config.dataDir, clock: sandboxClock });
    clock = sandboxClock;
    trustedCaPem = sandbox.caPem;
    appOptions.https = { key: sandbox.tls.key, cert: sandbox.tls.cert };
    if (!auth.issuer || !auth.jwksUrl || auth.audiences.length === 0) {
      auth = sandboxAuth(sandbox);
      trustsSandbox = true;
    }
  } else if (config.tls) {
    appOptions.https = { key: fs.readFileSync(config.tls.keyFile, 'utf8'), cert: fs.readFileSync(config.tls.certFile, 'utf8') };
  }
  // A private CA (TLS_EXTRA_CA_FILE) is trusted for the identity provider's keys as for Graph.
  if (trustedCaPem === undefined && config.extraCaFile !== undefined) trustedCaPem = fs.readFileSync(config.extraCaFile, 'utf8');

  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const applied = await migrateToLatest(database.db);
  logger.info({ database: database.kind, applied }, 'database ready');
  // Work a killed process still held (mails, notifications, SLA steps) is taken up now, not when its lease runs out.
  const workerId = `${os.hostname()}:${String(process.pid)}`;
  const recovered = await releaseDeadClaims(database.db, { embedded: database.kind === 'embedded', workerId, isAlive: processIsAlive, now: clock.now() });
  if (recovered.outbox + recovered.notifications + recovered.obligations + recovered.cursors > 0) logger.info(recovered, 'claims of stopped processes given back');

  let demoLoaded = false;
  if (demo || config.demoData) {
    const loaded = await loadDemoData(database.db, { now: clock.now(), criteria: settings.qualificationCriteria, handBackReasons: settings.handBackReasons });
    logger.info(loaded, loaded.skipped ? 'demo data already present' : 'demo data loaded');
    demoLoaded = !loaded.skipped;
  }

  const tokenVerifier = createTokenVerifier(auth, { clock, ...(trustedCaPem === undefined ? {} : { trustedCaPem }) });
  const graphOptions = graphConnectionOptions(config, sandbox, logger);
  // Subscriptions change rarely: the receiver checks clientStates against a 2-second cache, dropped on every change.
  const notificationStore = createNotificationStore(database.db, { subscriptionCacheMs: 2_000, clock });
  let watch: WatchRuntime | null = null;
  const leadStore = createLeadStore(database.db);
  const peopleStore = createPeopleStore(database.db);
  const followupStore = createFollowupStore(database.db);
  const gateway = graphOptions === undefined ? undefined : createGraphGateway(createGraphConnection(graphOptions));
  const outbox = createOutboxStore(database.db);
  const reportStore = createReportStore(database.db);
  const ratingStore = createRatingStore(database.db);
  // The weekly report goes out through Graph, so only when a tenant (or the sandbox) is connected.
  const baseUrl = config.publicUrl ?? (appOptions.https ? `https://${config.host}:${String(config.port)}` : undefined);
  const weeklyReport =
    gateway === undefined
      ? undefined
      : createWeeklyReportJob({
          db: database.db,
          reports: reportStore,
          ratings: ratingStore,
          people: peopleStore,
          outbox,
          settings: settings.reportSettings,
          handBackReasons: settings.handBackReasons,
          now: () => clock.now(),
          logger,
          dashboardUrl: baseUrl === undefined ? undefined : `${baseUrl}/addin/dashboard.html`,
        });
  const awayStore = createAwayStore(database.db);
  // Signed one-click links in the breach and reminder mails, pointing at this server's public address.
  const actionTokens = createActionTokenStore(database.db);
  const actionLinks: ActionLinks | undefined =
    baseUrl === undefined ? undefined : createActionLinks({ secret: actionLinkSecret(config, logger), ttlHours: config.actionLinks.ttlHours, baseUrl });
  const obligations =
    gateway === undefined
      ? undefined
      : createObligationService({
          db: database.db,
          people: peopleStore,
          gateway,
          outbox,
          policies: settings.handoffPolicies,
          now: () => clock.now(),
          logger,
          away: awayStore,
          actionLinks: actionLinks === undefined ? undefined : { links: actionLinks, tokens: actionTokens },
        });
  const handoffStore = createHandoffStore(database.db);
  // The AEs' automatic replies: read at hand-off start and every AWAY_CHECK_MINUTES while they have running obligations.
  const awayCheck =
    gateway === undefined
      ? undefined
      : createAwayCheck({
          db: database.db,
          store: awayStore,
          people: peopleStore,
          gateway,
          obligations,
          now: () => clock.now(),
          logger,
          intervalMs: config.graphLimits.awayCheckMinutes * 60_000,
        });
  // The demo's AE with automatic replies on gets an open hand-off whose SLA clock is paused (needs the mailbox).
  if (demoLoaded && obligations !== undefined) {
    const handoffId = await loadDemoAway(database.db, {
      now: clock.now(),
      obligations,
      away: awayStore,
      criteria: settings.qualificationCriteria,
      handBackReasons: settings.handBackReasons,
    });
    logger.info({ handoffId }, 'demo hand-off to the AE who is away loaded');
  }
  const handoffService = createHandoffService({
    clock,
    handoffs: handoffStore,
    followups: followupStore,
    leads: leadStore,
    people: peopleStore,
    criteria: settings.qualificationCriteria,
    handBackReasons: settings.handBackReasons,
    ratings: ratingStore,
    ...(gateway === undefined ? {} : { mailbox: gateway }),
    ...(obligations === undefined ? {} : { obligations }),
    ...(awayCheck === undefined ? {} : { away: awayCheck }),
    ...(gateway === undefined
      ? {}
      : {
          // The engine starts once the server listens; until then the invite waits for the intro.
          inviter: {
            requestInvite: (id: string, slot: { start: Date; end: Date } | null) =>
              watch?.engine ? watch.engine.handoffs.requestInvite(id, slot) : Promise.reject(new Error('the hand-off engine is not running yet')),
          },
        }),
  });
  const app = await buildApp(
    {
      config,
      logger,
      clock,
      db: database.db,
      leadStore,
      peopleStore,
      handoffService,
      followupStore,
      tokenVerifier,
      qualificationCriteria: settings.qualificationCriteria,
      handBackReasons: settings.handBackReasons,
      reports: { reportStore, ratingStore, reportSettings: settings.reportSettings, weeklyReport },
      addinConfig: addinConfigOf(config, sandbox, trustsSandbox),
      actions:
        actionLinks === undefined
          ? undefined
          : createActionService({
              clock,
              links: actionLinks,
              tokens: actionTokens,
              handoffs: handoffStore,
              handoffService,
              people: peopleStore,
              leads: leadStore,
              handBackReasons: settings.handBackReasons,
              logger,
            }),
      // The pane, its sign-in page, the preview and manifest.xml, once built (`npm start` builds them first: prestart).
      ...(fs.existsSync(config.addinDir) ? { addinDir: config.addinDir } : {}),
      ...(graphOptions === undefined
        ? {}
        : {
            notificationStore,
            graphTenantId: graphOptions.tenantId,
            onEnqueued: () => {
              watch?.watch.wake();
            },
          }),
    },
    appOptions,
  );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    void (watch?.watch.stop() ?? Promise.resolve())
      .then(() => app.close())
      .then(() => sandbox?.close())
      .then(() => database.close())
      .then(
        () => process.exit(0),
        (e: unknown) => {
          logger.error({ err: e }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', () => {
    shutdown('SIGINT');
  });
  process.once('SIGTERM', () => {
    shutdown('SIGTERM');
  });

  const address = await app.listen({ port: config.port, host: config.host });
  if (gateway !== undefined) {
    // Graph must reach the receiver over https: PUBLIC_URL, or in demo mode this server's own https address.
    const publicUrl = config.publicUrl ?? (sandbox && address.startsWith('https://') ? address : undefined);
    watch = createWatchRuntime({
      db: database.db,
      gateway,
      people: peopleStore,
      queue: notificationStore,
      now: () => clock.now(),
      logger,
      workerId,
      publicUrl,
      subscriptionMinutes: config.graphLimits.subscriptionMinutes,
      deltaIntervalMs: config.graphLimits.deltaIntervalMinutes * 60_000,
      engine: {
        leads: leadStore,
        policies: settings.handoffPolicies,
        criteria: settings.qualificationCriteria,
        handBackReasons: settings.handBackReasons,
        outbox,
        ...(obligations === undefined ? {} : { obligations }),
        ...(weeklyReport === undefined ? {} : { weeklyReport }),
        weeklySync: demo ? demoWeeklySync(settings.weeklySync) : settings.weeklySync,
        // The demo books every pair's sync and writes its agenda within the first half minute.
        ...(demo ? { weeklySyncPeriodMs: 15_000 } : {}),
        ...(awayCheck === undefined ? {} : { awayCheck }),
      },
    });
    // Graph's notifications of what changed while no process listened come late (retries) or never: ask delta now.
    const catchingUp = await watch.catchUpAfterStart();
    if (catchingUp > 0) logger.info({ cursors: catchingUp }, 'delta sync of every watched folder and calendar after start');
    watch.watch.start();
    if (publicUrl === undefined) logger.warn('PUBLIC_URL is not set: Graph cannot notify Baton; mailboxes are read through delta every DELTA_INTERVAL_MINUTES');
  }
  const where = database.kind === 'embedded' ? `embedded database in ${config.dataDir}` : 'PostgreSQL';
  console.log(`Baton is listening on ${address} (${where})`);
  console.log(`  health:   ${address}/healthz`);
  console.log(`  API:      ${address}/api (OpenAPI at ${address}/api/openapi.json)`);
  if (fs.existsSync(path.join(config.addinDir, 'manifest.xml'))) console.log(`  add-in:   ${address}/addin/taskpane.html; sideload ${address}/manifest.xml in Outlook`);
  if (sandbox) {
    const tid = sandbox.sandbox.tenant.tenantId;
    console.log(`  sandbox:  ${sandbox.url} — a local Microsoft 365: Graph at ${sandbox.url}/v1.0, sign-in at ${sandbox.url}/${tid}/oauth2/v2.0/authorize`);
    console.log(`            look inside it and act as any user (reply, accept, decline, add a conflicting event, move the clock): ${sandbox.url}/sandbox/`);
    console.log(`            the demo tenant: ${sandbox.url}/sandbox/tenant.json; its CA (trust it in a browser to skip warnings): ${sandbox.url}/sandbox/ca.pem`);
  }
  if (gateway === undefined && !sandbox) console.log('  mailbox:  GRAPH_TENANT_ID and GRAPH_CLIENT_ID are not set: no mailbox is watched');
  else if (watch) console.log(`  watch:    Graph notifications to ${config.publicUrl ?? address}/graph/notifications and /graph/lifecycle`);
  if (sandbox && fs.existsSync(config.addinDir)) console.log(`  preview:  ${address}/addin/preview.html — the task pane beside an emulated Outlook item, against the sandbox`);
  else if (!fs.existsSync(config.addinDir)) console.log(`  add-in:   ${config.addinDir} does not exist: run \`npm run build\` to serve the task pane and the preview`);
  if (!sandbox && !tokenVerifier.configured) {
    console.log('  auth:     AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL are not all set: every /api request is refused (401)');
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error('Baton failed to start:', e);
  process.exit(1);
});
