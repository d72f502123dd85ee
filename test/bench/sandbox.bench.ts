// Benchmark: the local Microsoft 365 sandbox served over TLS on loopback (startSandbox). The delay from a change to
// its notification POST at a real receiver, p99 over ~1,000 changes; then simple GETs per second (`GET
// /v1.0/users/{id}` with an app token, 8 keep-alive clients in a worker thread). Prints `bench: sandbox_* = <n> <unit>`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { request } from 'undici';
import { startSandbox } from '../../server/sandbox/server';

const GET_SECONDS = Number(process.env['BENCH_SANDBOX_GET_SECONDS'] ?? 4);
const CLIENTS = 8;
const CHANGES = 1_000;
const receiverBase = 'https://bench-receiver.test';

/** The load generator, run in a worker thread (plain JS: the worker does not go through tsx). */
const getLoad = `
const { parentPort, workerData: w } = require('node:worker_threads');
const { Agent, request } = require(w.undici);
(async () => {
  const dispatcher = new Agent({ connect: { ca: w.caPem } });
  const get = async (i) => {
    const res = await request(w.url + '/v1.0/users/' + w.users[i % w.users.length], { headers: { authorization: 'Bearer ' + w.token }, dispatcher });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error('GET answered ' + res.statusCode);
  };
  for (let i = 0; i < 300; i++) await get(i);
  let done = 0;
  const t0 = performance.now();
  const until = t0 + w.seconds * 1000;
  await Promise.all(Array.from({ length: w.clients }, async (_, c) => {
    for (let i = c; performance.now() < until; i += w.clients) { await get(i); done++; }
  }));
  parentPort.postMessage({ perSecond: done / ((performance.now() - t0) / 1000) });
  await dispatcher.close();
})().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

interface Receiver {
  origin: string;
  arrivals: Map<string, number>;
  close(): Promise<void>;
}

/** A webhook receiver like Baton's: echoes validation tokens, acknowledges notifications with 202. */
async function startReceiver(): Promise<Receiver> {
  const arrivals = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const token = new URL(req.url ?? '/', 'http://x').searchParams.get('validationToken');
      if (token !== null) {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { value: Array<{ resourceData?: { id: string } }> };
      for (const n of body.value) if (n.resourceData && !arrivals.has(n.resourceData.id)) arrivals.set(n.resourceData.id, at);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

async function main(): Promise<void> {
  const receiver = await startReceiver();
  const toReceiver: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    return fetch(url.startsWith(receiverBase) ? receiver.origin + url.slice(receiverBase.length) : url, init);
  };
  const running = await startSandbox({ port: 0, fetch: toReceiver });
  const sb = running.sandbox;
  try {
    const token = (await sb.identity.issueAppToken(sb.tenant.apps.server.clientId)).accessToken;
    const headers = { authorization: `Bearer ${token}` };
    const users = sb.directory.users().map((u) => u.id);

    // Notification delay: one subscription, CHANGES changes published in small bursts, delay to the receiver's POST.
    const mailbox = users[0] ?? '';
    const created = await request(`${running.url}/v1.0/subscriptions`, {
      method: 'POST',
      dispatcher: running.dispatcher,
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        changeType: 'created,updated,deleted',
        notificationUrl: `${receiverBase}/notify`,
        resource: `users/${mailbox}/messages`,
        expirationDateTime: new Date(sb.clock.now().getTime() + 60 * 60_000).toISOString(),
        clientState: 'bench',
      }),
    });
    const createdBody = await created.body.text();
    if (created.statusCode !== 201) throw new Error(`subscription answered ${created.statusCode}: ${createdBody}`);
    for (let i = 0; i < 100; i++) {
      // Warm-up: connections to the receiver and the JIT, not measured.
      sb.changes.publish({ at: sb.clock.now(), userId: mailbox, kind: 'message', itemId: `AAMkAwarm${i}`, folderId: 'inbox', changeType: 'created' });
      if (i % 5 === 4) await new Promise((r) => setTimeout(r, 2));
    }
    await sb.subscriptions.idle();
    const published = new Map<string, number>();
    for (let i = 0; i < CHANGES; i++) {
      const itemId = `AAMkAbench${i}`;
      published.set(itemId, performance.now());
      sb.changes.publish({ at: sb.clock.now(), userId: mailbox, kind: 'message', itemId, folderId: 'inbox', changeType: i % 3 === 0 ? 'created' : 'updated' });
      if (i % 5 === 4) await new Promise((r) => setTimeout(r, 2));
    }
    await sb.subscriptions.idle();
    const delays: number[] = [];
    for (const [id, at] of published) {
      const arrived = receiver.arrivals.get(id);
      if (arrived !== undefined) delays.push(arrived - at);
    }
    if (delays.length < CHANGES) throw new Error(`only ${delays.length} of ${CHANGES} notifications arrived`);
    delays.sort((a, b) => a - b);
    console.log(`bench: sandbox_notification_delay_p50 = ${percentile(delays, 50).toFixed(1)} ms`);
    console.log(`bench: sandbox_notification_delay_p99 = ${percentile(delays, 99).toFixed(1)} ms`);

    // Simple GETs: a worker thread (the other core) runs CLIENTS keep-alive loops, each waiting for its answer.
    const perSecond = await new Promise<number>((resolve, reject) => {
      const worker = new Worker(getLoad, {
        eval: true,
        workerData: { undici: require.resolve('undici'), url: running.url, caPem: running.caPem, token, users, clients: CLIENTS, seconds: GET_SECONDS },
      });
      worker.once('message', (m: { perSecond?: number; error?: string }) => {
        if (m.error !== undefined) reject(new Error(m.error));
        else resolve(m.perSecond ?? NaN);
      });
      worker.once('error', reject);
      worker.once('exit', () => {
        resolve(NaN);
      });
    });
    console.log(`bench: sandbox_simple_gets_per_s = ${Math.round(perSecond)} req/s`);
  } finally {
    await running.close();
    await receiver.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
