// The mailbox watch end to end, in process: the sandbox over TLS (the demo tenant), Baton's app listening on HTTPS
// with the real receiver, a test database holding the demo people, the real msal-node + Graph client gateway, and the
// watch runtime that main.ts builds. `settle()` lets notifications arrive and the worker and delta run until quiet.
import { Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { buildApp, type App } from '../../../server/http/app';
import { createTokenVerifier } from '../../../server/http/auth';
import { createLogger } from '../../../server/log';
import { demoPeople } from '../../../server/demo/demo-data';
import type { User } from '../../../server/domain/people';
import type { MailboxGateway, SubscriptionGateway } from '../../../server/domain/mailbox';
import { createGraphConnection, type GraphConnection } from '../../../server/graph/graph-connection';
import { createGraphGateway } from '../../../server/graph/graph-gateway';
import { createLeadStore } from '../../../server/store/lead-store';
import { createNotificationStore, type NotificationStore } from '../../../server/store/notification-store';
import { createPeopleStore } from '../../../server/store/people-store';
import { openDatabase, type Db } from '../../../server/store/database';
import { createWatchRuntime, type WatchRuntime } from '../../../server/engine/watch-runtime';
import { startSandbox, type RunningSandbox } from '../../../server/sandbox/server';
import { createSandboxClock, type SandboxClock } from '../../../server/sandbox/sandbox-clock';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { loadSettings } from '../../../server/settings/load-settings';

export const silentLogger = createLogger(
  'silent',
  new Writable({
    write: (_c, _e, done) => {
      done();
    },
  }),
);

/** mulberry32: the sandbox's fault shares hit the same notifications on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WatchHarness {
  running: RunningSandbox;
  clock: SandboxClock;
  tdb: TestDatabase;
  app: App;
  publicUrl: string;
  connection: GraphConnection;
  gateway: MailboxGateway & SubscriptionGateway;
  queue: NotificationStore;
  runtime: WatchRuntime;
  people: Record<string, User>;
  /** Another instance of the server's watch on its own database connection (PostgreSQL) or the same one (embedded). */
  secondInstance(workerId: string): Promise<{ runtime: WatchRuntime; close(): Promise<void> }>;
  /** Waits for the sandbox to deliver, then runs the watch until nothing is left. */
  settle(): Promise<void>;
  /** A lead and a hand-off from an SDR to an AE (stage intro_composed), returning the hand-off id. */
  newHandoff(sdrKey: string, aeKey: string, leadEmail?: string): Promise<string>;
  close(): Promise<void>;
}

export async function seedDemoPeople(db: Db, now: Date): Promise<Record<string, User>> {
  const people = createPeopleStore(db);
  for (const team of demoPeople.teams) await people.upsertTeam(team);
  const byKey: Record<string, User> = {};
  for (const u of demoPeople.users) {
    byKey[u.key] = await people.createUser(
      {
        entraOid: u.entraOid,
        tenantId: demoPeople.tenantId,
        email: u.email,
        displayName: u.displayName,
        role: u.role,
        teamId: u.team,
        managerId: u.manager ? (byKey[u.manager]?.id ?? null) : null,
        backupId: null,
        timeZone: u.timeZone,
      },
      now,
    );
  }
  return byKey;
}

/** `engine`: run the hand-off engine on top of the watch (signals applied, SLA sweep, outbox); off: the watch alone. */
export async function startWatchHarness(options: { start?: Date; engine?: boolean } = {}): Promise<WatchHarness> {
  const clock = createSandboxClock({ start: options.start ?? new Date('2026-11-23T08:00:00Z') });
  const running = await startSandbox({ port: 0, clock, random: seededRandom(20261125) });
  const tdb = await openTestDatabase();
  await tdb.reset();
  const people = await seedDemoPeople(tdb.db, clock.now());
  const queue = createNotificationStore(tdb.db);
  const tenantId = running.sandbox.tenant.tenantId;
  const app = await buildApp(
    {
      config: { bodyLimitBytes: 1_048_576, importBodyLimitBytes: 1_048_576 },
      logger: silentLogger,
      clock,
      db: tdb.db,
      leadStore: createLeadStore(tdb.db),
      peopleStore: createPeopleStore(tdb.db),
      tokenVerifier: createTokenVerifier({ issuer: undefined, audiences: [], jwksUrl: undefined, allowedTenants: [] }, { clock }),
      qualificationCriteria: { required: [], rules: [] },
      handBackReasons: [],
      notificationStore: queue,
      graphTenantId: tenantId,
    },
    { https: { key: running.tls.key, cert: running.tls.cert } },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const publicUrl = `https://127.0.0.1:${port}`;

  const connect = () =>
    createGraphConnection({
      tenantId,
      clientId: running.sandbox.tenant.apps.server.clientId,
      clientSecret: running.sandbox.tenant.apps.server.clientSecret,
      authorityHost: running.url,
      baseUrl: running.url,
      fetch: running.fetch,
      dispatcher: running.dispatcher,
      limits: { concurrencyScope: 'mailbox', maxConcurrency: 4 },
      logger: silentLogger,
      // Retry-After is honoured in order; the waits themselves are not spent in tests.
      sleep: () =>
        new Promise((resolve) => {
          setImmediate(resolve);
        }),
    });
  const connection = connect();
  const settings = loadSettings({ qualificationFile: 'server/settings/qualification.json', handBackReasonsFile: 'server/settings/hand-back-reasons.json' });
  const gateway = createGraphGateway(connection);
  const build = (db: Db, q: NotificationStore, workerId: string, gw = gateway) =>
    createWatchRuntime({
      db,
      gateway: gw,
      people: createPeopleStore(db),
      queue: q,
      now: () => clock.now(),
      logger: silentLogger,
      workerId,
      publicUrl,
      subscriptionMinutes: 4320,
      deltaIntervalMs: 30 * 60_000,
      worker: { leaseMs: 60_000 },
      ...(options.engine === true
        ? { engine: { leads: createLeadStore(db), policies: settings.handoffPolicies, criteria: { required: [], rules: [] }, handBackReasons: settings.handBackReasons } }
        : {}),
    });
  const runtime = build(tdb.db, queue, 'instance-1');
  let leadCount = 0;

  const settle = async () => {
    for (let i = 0; i < 20; i++) {
      await running.sandbox.subscriptions.idle();
      await runtime.watch.drain();
      await running.sandbox.subscriptions.idle();
      // Items set aside until later (after a failure) wait for the clock; everything due must be done.
      const due = await tdb.db
        .selectFrom('notification_queue')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('processed_at', 'is', null)
        .where('available_at', '<=', clock.now())
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', clock.now())]))
        .executeTakeFirstOrThrow();
      if (Number(due.n) === 0 && running.sandbox.subscriptions.pendingDeliveries().length === 0) return;
    }
    throw new Error('the watch did not settle');
  };

  return {
    running,
    clock,
    tdb,
    app,
    publicUrl,
    connection,
    gateway,
    queue,
    runtime,
    people,
    async secondInstance(workerId) {
      const url = process.env['DATABASE_URL'];
      if (url === undefined) return { runtime: build(tdb.db, queue, workerId, createGraphGateway(connect())), close: () => Promise.resolve() };
      // The same schema as the first instance, through a pool of its own, as a second server process would have.
      const searchPath = (await tdb.db.selectNoFrom((eb) => eb.fn<string>('current_schema', []).as('s')).executeTakeFirstOrThrow()).s;
      const u = new URL(url);
      u.searchParams.set('options', `-c search_path=${searchPath}`);
      const other = await openDatabase({ databaseUrl: u.toString() });
      return { runtime: build(other.db, createNotificationStore(other.db), workerId, createGraphGateway(connect())), close: () => other.close() };
    },
    settle,
    async newHandoff(sdrKey, aeKey, leadEmail) {
      const sdr = people[sdrKey];
      const ae = people[aeKey];
      if (sdr === undefined || ae === undefined) throw new Error(`unknown person ${sdrKey} or ${aeKey}`);
      const n = ++leadCount;
      const lead = await tdb.db
        .insertInto('leads')
        .values({
          team_id: sdr.teamId ?? 'emea',
          owner_id: sdr.id,
          sdr_id: sdr.id,
          ae_id: ae.id,
          status: 'qualified',
          contact_name: `Lead ${n}`,
          email: leadEmail ?? `lead${n}-${randomUUID().slice(0, 8)}@prospect.example`,
          company_name: `Prospect ${n}`,
          updated_at: clock.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const handoff = await tdb.db
        .insertInto('handoffs')
        .values({ lead_id: lead.id, team_id: sdr.teamId ?? 'emea', sdr_id: sdr.id, ae_id: ae.id, stage: 'intro_composed', stage_changed_at: clock.now() })
        .returning('id')
        .executeTakeFirstOrThrow();
      return handoff.id;
    },
    async close() {
      await runtime.watch.stop();
      await app.close();
      await running.close();
      await tdb.close();
    },
  };
}
