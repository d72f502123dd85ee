// Serves the sandbox over HTTPS on loopback: TLS material from the local CA (./tls), the sandbox (./sandbox) and its
// app (./app), listening on `host:port`; returns the URL, the CA certificate and a fetch that trusts it.
// The only module of the sandbox that listens. Imports: ./tls, ./sandbox, ./app, ./directory and ./sandbox-clock types.
import type { Agent } from 'undici';
import { buildSandboxApp, type SandboxApp } from './app';
import type { TenantSeed } from './directory';
import { createSandbox, type Sandbox } from './sandbox';
import type { SandboxClock } from './sandbox-clock';
import { loadOrCreateTls, trustingDispatcher, trustingFetch, type TlsMaterial } from './tls';

export interface StartSandboxOptions {
  /** Loopback by default; the URL uses this host (0.0.0.0 and :: are reached through loopback). */
  host?: string;
  /** 3100 by default (`SANDBOX_PORT`); 0 picks a free port (tests). */
  port?: number;
  /** Baton's data folder: the CA, the server certificate and the signing key are kept in `<dataDir>/sandbox/`. */
  dataDir?: string;
  clock?: SandboxClock;
  seed?: TenantSeed;
  /** How the sandbox reaches notification URLs; by default a fetch that trusts Node's roots and the sandbox's CA. */
  fetch?: typeof fetch;
  logger?: boolean;
  /** The random source of fault injections that hit a share (seeded in tests). */
  random?: () => number;
}

export interface RunningSandbox {
  /** `https://127.0.0.1:<port>`: Graph at `${url}/v1.0`, the authority at `${url}/${tenantId}`. */
  url: string;
  /** The local CA certificate (PEM) Baton's clients must trust to reach `url`. */
  caPem: string;
  /** The TLS material, so Baton can serve its own HTTPS (the add-in) with a certificate of the same CA. */
  tls: TlsMaterial;
  sandbox: Sandbox;
  app: SandboxApp;
  /** Node's fetch through a dispatcher trusting the CA (closed by `close()`). */
  fetch: typeof fetch;
  /** That dispatcher (undici Agent), for clients that take one. */
  dispatcher: Agent;
  close(): Promise<void>;
}

export async function startSandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const host = options.host ?? '127.0.0.1';
  const tls = await loadOrCreateTls({ dataDir: options.dataDir, hosts: [host] });
  const dispatcher = trustingDispatcher(tls.caPem);
  const trusting = trustingFetch(tls.caPem, dispatcher);
  const sandbox = await createSandbox({
    ...(options.seed ? { seed: options.seed } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    fetch: options.fetch ?? trusting,
    caPem: tls.caPem,
    ...(options.random ? { random: options.random } : {}),
  });
  let app: SandboxApp | null = null;
  try {
    app = await buildSandboxApp(sandbox, { https: { key: tls.key, cert: tls.cert }, logger: options.logger ?? false });
    await app.listen({ host, port: options.port ?? 3100 });
  } catch (e) {
    await app?.close();
    await sandbox.close();
    await dispatcher.close();
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 3100);
  const url = `https://${urlHost(host)}:${port}`;
  sandbox.setBaseUrl(url);
  const listening = app;
  return {
    url,
    caPem: tls.caPem,
    tls,
    sandbox,
    app: listening,
    fetch: trusting,
    dispatcher,
    async close() {
      await listening.close();
      await sandbox.close();
      await dispatcher.close();
    },
  };
}

/** The host as it goes in a URL: wildcard binds are reached through loopback; IPv6 in brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
