// Benchmark: the Graph notification receiver (POST /graph/notifications) of the real app on the embedded database,
// listening on loopback, with a load generator in a child process (undici Pool, keep-alive) posting batches of 1–50
// items (fixed seed) at 2,000 items/s for BENCH_SECONDS (default 60) while a worker drains the queue as it fills.
// Prints time to 202 (p50, p99), items/s achieved, lost items (accepted minus processed after the drain), the
// requests/s of the receiver against a bare fastify route answering 202 (both at full speed), and peak RSS.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { Pool } from 'undici';
import { buildApp } from '../../server/http/app';
import { createTokenVerifier } from '../../server/http/auth';
import { createReceiverCounters } from '../../server/http/routes/graph-notifications';
import { loadConfig } from '../../server/config';
import { systemClock } from '../../server/clock';
import { createLogger } from '../../server/log';
import { loadSettings } from '../../server/settings/load-settings';
import { migrateToLatest, openDatabase } from '../../server/store/database';
import { createLeadStore } from '../../server/store/lead-store';
import { createNotificationStore, type NotificationStore } from '../../server/store/notification-store';
import { createPeopleStore } from '../../server/store/people-store';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 60);
const MAX_SECONDS = Number(process.env['BENCH_MAX_SECONDS'] ?? 5);
const RATE = 2_000; // items per second
const SUBSCRIPTIONS = 200;
const CONNECTIONS = 16;
const TENANT = '84bd8158-6d4d-4958-8b9f-9d6445542f95';
/** How long the receiver reuses a subscription lookup (a removed subscription is refused at most this late). */
const SUBSCRIPTION_CACHE_MS = Number(process.env['BENCH_SUBSCRIPTION_CACHE_MS'] ?? 2_000);
/** Items the worker claims at a time. */
const CLAIM_LIMIT = Number(process.env['BENCH_CLAIM_LIMIT'] ?? 200);
/** How long the worker, once woken, waits for more before it claims. */
const GATHER_MS = Number(process.env['BENCH_GATHER_MS'] ?? 50);
/** 0: the worker waits for the end of the load (the receiver alone); 1: it drains while the load runs. */
const DRAIN_DURING_LOAD = process.env['BENCH_DRAIN_DURING_LOAD'] !== '0';

interface Sub {
  id: string;
  clientState: string;
}

type Job =
  | { mode: 'paced'; url: string; path: string; seconds: number; rate: number; subs: Sub[]; seed: number }
  | { mode: 'max'; url: string; path: string; seconds: number; subs: Sub[]; seed: number };

interface Result {
  /** Time to answer per request, ms. */
  latencies: number[];
  statuses: Record<string, number>;
  requests: number;
  itemsSent: number;
  /** Items in requests answered 2xx. */
  itemsAcknowledged: number;
  seconds: number;
  /** Paced mode: requests sent more than 5 ms after their planned time (the generator fell behind). */
  late: number;
}

/** mulberry32: a small seeded PRNG, so every run sends the same batches. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function batchBody(random: () => number, subs: Sub[], size: number, counter: { n: number }): string {
  const value = [];
  for (let i = 0; i < size; i++) {
    const sub = subs[Math.floor(random() * subs.length)] ?? { id: '', clientState: '' };
    const itemId = `AAMkAD${(counter.n++).toString(36)}`;
    value.push({
      id: randomBytes(9).toString('base64url'),
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: '2026-11-27T09:00:00.0000000Z',
      changeType: random() < 0.8 ? 'updated' : 'created',
      resource: `Users/${sub.id}/Events/${itemId}`,
      resourceData: { '@odata.type': '#Microsoft.Graph.Event', '@odata.id': `Users/${sub.id}/Events/${itemId}`, '@odata.etag': 'W/"DwAAABYAAAA"', id: itemId },
      clientState: sub.clientState,
      tenantId: TENANT,
    });
  }
  return JSON.stringify({ value });
}

// ---- the load generator (child process) ----------------------------------------------------------------------

async function generate(job: Job): Promise<Result> {
  const pool = new Pool(job.url, { connections: job.mode === 'paced' ? CONNECTIONS : 32, pipelining: 1 });
  const random = prng(job.seed);
  const counter = { n: 0 };
  const result: Result = { latencies: [], statuses: {}, requests: 0, itemsSent: 0, itemsAcknowledged: 0, seconds: 0, late: 0 };
  const send = async (size: number): Promise<void> => {
    const body = batchBody(random, job.subs, size, counter);
    result.itemsSent += size;
    const t0 = performance.now();
    try {
      const res = await pool.request({ method: 'POST', path: job.path, headers: { 'content-type': 'application/json; charset=utf-8' }, body });
      await res.body.dump();
      result.latencies.push(performance.now() - t0);
      result.statuses[String(res.statusCode)] = (result.statuses[String(res.statusCode)] ?? 0) + 1;
      if (res.statusCode >= 200 && res.statusCode < 300) result.itemsAcknowledged += size;
    } catch {
      result.statuses['error'] = (result.statuses['error'] ?? 0) + 1;
    }
    result.requests += 1;
  };
  const size = () => 1 + Math.floor(random() * 50);
  const started = performance.now();
  const end = started + job.seconds * 1000;
  const inFlight = new Set<Promise<void>>();
  if (job.mode === 'paced') {
    // Open loop: each batch leaves at its planned time whatever the answers before it, so a slow answer cannot
    // hold the next requests back and hide itself (coordinated omission).
    let plannedAt = started;
    while (plannedAt < end) {
      const now = performance.now();
      if (now < plannedAt) {
        await new Promise((r) => setTimeout(r, Math.max(0, plannedAt - now - 1)));
        continue;
      }
      if (now - plannedAt > 5) result.late += 1;
      const n = size();
      const p = send(n).finally(() => inFlight.delete(p));
      inFlight.add(p);
      plannedAt += (n / job.rate) * 1000;
    }
  } else {
    const loop = async () => {
      while (performance.now() < end) await send(size());
    };
    await Promise.all(Array.from({ length: 32 }, loop));
  }
  await Promise.all(inFlight);
  result.seconds = (performance.now() - started) / 1000;
  await pool.close();
  return result;
}

function runGenerator(job: Job): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(__filename, ['--generator'], { stdio: 'inherit' });
    child.once('message', (m) => {
      resolve(m as Result);
      child.kill();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0 && code !== null) reject(new Error(`load generator exited with ${String(code)}`));
    });
    child.send(job);
  });
}

// ---- the server side (this process) --------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** A worker's loop: claims what is due and completes it, until told to stop and nothing is left. */
function startDrain(store: NotificationStore) {
  // An object, not variables: TypeScript would narrow them across the awaits that see them change.
  const state: { started: boolean; stopping: boolean; wake: (() => void) | null; processed: number } = {
    started: DRAIN_DURING_LOAD,
    stopping: false,
    wake: null,
    processed: 0,
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const done = (async () => {
    for (;;) {
      if (!state.started) {
        await sleep(100);
        continue;
      }
      const now = new Date();
      const batch = await store.claim({ workerId: 'bench-worker', now, leaseMs: 60_000, limit: CLAIM_LIMIT });
      if (batch.length > 0) {
        state.processed += await store.complete(
          batch.map((i) => i.id),
          { now, outcome: 'bench', workerId: 'bench-worker' },
        );
        if (batch.length === CLAIM_LIMIT) continue;
      }
      if (state.stopping && batch.length === 0) return;
      await new Promise<void>((r) => {
        state.wake = r;
        setTimeout(r, 100);
      });
      state.wake = null;
      // Woken by the receiver: gather a little more, so that a burst is claimed in one statement, not one per request.
      if (!state.stopping) await sleep(GATHER_MS);
    }
  })();
  return {
    poke: () => {
      state.wake?.();
    },
    stop: async () => {
      state.stopping = true;
      state.started = true;
      state.wake?.();
      await done;
      return state.processed;
    },
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-bench-receiver-'));
  try {
    const database = await openDatabase({ dataDir: path.join(dir, 'db') });
    const db = database.db;
    await migrateToLatest(db);
    const people = createPeopleStore(db);
    await people.upsertTeam({ id: 'bench', name: 'Bench', timeZone: 'Europe/Berlin', pairingMode: 'one_to_one' });
    const scopes = ['events', 'sentitems', 'inbox'] as const;
    const subs: Sub[] = [];
    const rows = [];
    for (let u = 0; subs.length < SUBSCRIPTIONS; u++) {
      const user = await people.createUser(
        { entraOid: `oid-bench-${String(u)}`, tenantId: TENANT, email: `ae${String(u)}@bench.example`, displayName: `AE ${String(u)}`, role: 'ae', teamId: 'bench', managerId: null, backupId: null, timeZone: 'Europe/Berlin' },
        new Date(),
      );
      for (const scope of scopes) {
        if (subs.length >= SUBSCRIPTIONS) break;
        const sub = { id: `sub-${String(u)}-${scope}`, clientState: randomBytes(32).toString('base64url') };
        subs.push(sub);
        rows.push({ id: sub.id, user_id: user.id, scope, resource: `/users/${user.id}/${scope}`, client_state: sub.clientState, status: 'active' as const, expires_at: new Date(Date.now() + 86_400_000), created_at: new Date() });
      }
    }
    await db.insertInto('graph_subscriptions').values(rows).execute();

    const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'info', DATA_DIR: dir });
    const settings = loadSettings(config);
    // The request log is written as in production (pino JSON at info), to a sink that drops it.
    const sink = new Writable({
      write: (_c, _e, done) => {
        done();
      },
    });
    const notificationStore = createNotificationStore(db, { subscriptionCacheMs: SUBSCRIPTION_CACHE_MS });
    const counters = createReceiverCounters();
    let drain: ReturnType<typeof startDrain> | null = null;
    const app = await buildApp({
      config,
      logger: createLogger(config.logLevel, sink),
      clock: systemClock,
      db,
      leadStore: createLeadStore(db),
      peopleStore: people,
      tokenVerifier: createTokenVerifier(config.auth, { clock: systemClock }),
      qualificationCriteria: settings.qualificationCriteria,
      handBackReasons: settings.handBackReasons,
      notificationStore,
      graphTenantId: TENANT,
      onEnqueued: () => drain?.poke(),
      receiverCounters: counters,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const bare = Fastify({ bodyLimit: config.bodyLimitBytes });
    bare.post('/bare', (_request, reply) => reply.code(202).send());
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const urlOf = (server: { server: { address(): unknown } }) => `http://127.0.0.1:${String((server.server.address() as AddressInfo).port)}`;

    drain = startDrain(notificationStore);
    // Warm-up (JIT, the subscription lookups, PGlite's caches), then the measured run.
    const warmUp = await runGenerator({ mode: 'paced', url: urlOf(app), path: '/graph/notifications', seconds: 2, rate: RATE, subs, seed: 7 });
    // How long the server's event loop was held (PGlite runs on it, its file writes are synchronous).
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const cpuBefore = process.cpuUsage();
    const pacedStart = performance.now();
    const paced = await runGenerator({ mode: 'paced', url: urlOf(app), path: '/graph/notifications', seconds: SECONDS, rate: RATE, subs, seed: 42 });
    const cpu = process.cpuUsage(cpuBefore);
    loopDelay.disable();
    const sorted = [...paced.latencies].sort((a, b) => a - b);
    // Other work on the machine shows in every figure here (the generator and the server share its cores).
    console.log(`bench: receiver machine load average = ${(os.loadavg()[0] ?? NaN).toFixed(2)} load`);
    console.log(`bench: receiver requests = ${paced.requests} requests`);
    console.log(`bench: receiver p50 = ${percentile(sorted, 50).toFixed(2)} ms`);
    console.log(`bench: receiver p99 = ${percentile(sorted, 99).toFixed(2)} ms`);
    console.log(`bench: receiver max = ${(sorted[sorted.length - 1] ?? NaN).toFixed(2)} ms`);
    console.log(`bench: receiver items per s = ${Math.round(paced.itemsAcknowledged / paced.seconds)} items/s`);
    console.log(`bench: receiver non-202 answers = ${paced.requests - (paced.statuses['202'] ?? 0)} count`);
    console.log(`bench: receiver generator late sends = ${paced.late} count`);
    console.log(`bench: receiver event loop delay p99 = ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms`);
    console.log(`bench: receiver event loop delay max = ${(loopDelay.max / 1e6).toFixed(1)} ms`);
    console.log(`bench: receiver server cpu = ${Math.round((100 * (cpu.user + cpu.system)) / 1000 / (performance.now() - pacedStart))} % of a core`);

    const baton = await runGenerator({ mode: 'max', url: urlOf(app), path: '/graph/notifications', seconds: MAX_SECONDS, subs, seed: 43 });
    const bareRun = await runGenerator({ mode: 'max', url: urlOf(bare), path: '/bare', seconds: MAX_SECONDS, subs, seed: 43 });
    const batonRps = (baton.statuses['202'] ?? 0) / baton.seconds;
    const bareRps = (bareRun.statuses['202'] ?? 0) / bareRun.seconds;
    console.log(`bench: receiver max requests per s = ${Math.round(batonRps)} requests/s`);
    console.log(`bench: bare fastify max requests per s = ${Math.round(bareRps)} requests/s`);
    console.log(`bench: receiver throughput ratio vs bare fastify = ${(batonRps / bareRps).toFixed(3)} ratio`);

    await app.close();
    await bare.close();
    const processed = await drain.stop();
    const counts = await notificationStore.counts();
    const acknowledged = [warmUp, paced, baton].reduce((n, r) => n + r.itemsAcknowledged, 0);
    // Every item answered 202 must have been stored and then processed by the worker: none may be lost.
    const lost = acknowledged - processed;
    console.log(`bench: receiver items accepted = ${counters.accepted} count`);
    console.log(`bench: receiver items dropped = ${Object.values(counters.dropped).reduce((a, b) => a + b, 0)} count`);
    console.log(`bench: receiver lost items = ${lost} count`);
    console.log(`bench: receiver peak rss = ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
    if (counts.pending !== 0 || counts.processed !== processed || counters.accepted < acknowledged) {
      throw new Error(`queue mismatch: pending ${counts.pending}, processed ${counts.processed}/${processed}, accepted ${counters.accepted}, acknowledged ${acknowledged}`);
    }
    await database.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--generator')) {
  process.once('message', (job) => {
    void generate(job as Job).then((r) => process.send?.(r));
  });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
