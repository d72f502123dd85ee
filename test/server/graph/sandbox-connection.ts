// Test helper: the sandbox over TLS and a GraphConnection to it with the real msal-node and Graph client; the Graph
// client's dispatcher is wrapped to record each request's method, path and headers, and sleeps are recorded, not spent.
import { Writable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { createGraphConnection, type GraphConnection, type GraphConnectionOptions } from '../../../server/graph/graph-connection';
import { createLogger } from '../../../server/log';
import { startSandbox, type RunningSandbox, type StartSandboxOptions } from '../../../server/sandbox/server';

export { demoUsers } from '../sandbox/harness';

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
}

export interface GraphTestbed {
  running: RunningSandbox;
  connection: GraphConnection;
  /** Requests the Graph client sent, in order. */
  seen: SeenRequest[];
  /** Waits the seam asked for (ms), in order. */
  sleeps: number[];
  connect(overrides?: Partial<GraphConnectionOptions>): GraphConnection;
}

function headerRecord(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(raw)) {
    // undici passes either [k, v, k, v] or [[k, v], …]
    if (raw.every((x) => Array.isArray(x))) for (const [k, v] of raw as [unknown, unknown][]) out[String(k).toLowerCase()] = String(v);
    else for (let i = 0; i + 1 < raw.length; i += 2) out[String(raw[i]).toLowerCase()] = String(raw[i + 1]);
  } else if (raw !== null && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) out[k.toLowerCase()] = Array.isArray(v) ? v.map(String).join(', ') : String(v);
  }
  return out;
}

const silent = new Writable({
  write: (_chunk, _enc, done) => {
    done();
  },
});

export async function startGraphTestbed(options: StartSandboxOptions = {}): Promise<GraphTestbed> {
  const running = await startSandbox({ port: 0, ...options });
  const seen: SeenRequest[] = [];
  const sleeps: number[] = [];
  const observing = running.dispatcher.compose((dispatch) => (opts: Dispatcher.DispatchOptions, handler) => {
    seen.push({ method: opts.method, path: opts.path, headers: headerRecord(opts.headers) });
    return dispatch(opts, handler);
  });
  const { tenantId, apps } = running.sandbox.tenant;
  const connect = (overrides: Partial<GraphConnectionOptions> = {}): GraphConnection =>
    createGraphConnection({
      tenantId,
      clientId: apps.server.clientId,
      clientSecret: apps.server.clientSecret,
      authorityHost: running.url,
      baseUrl: running.url,
      fetch: running.fetch,
      dispatcher: observing,
      limits: { concurrencyScope: 'mailbox', maxConcurrency: 4 },
      logger: createLogger('silent', silent),
      sleep: (ms) => {
        sleeps.push(ms);
        return new Promise((resolve) => {
          setImmediate(resolve);
        });
      },
      ...overrides,
    });
  return { running, connection: connect(), seen, sleeps, connect };
}
