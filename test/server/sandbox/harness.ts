// Drives the sandbox in process: createSandbox + its fastify app through `inject`, with an app-only Graph token
// for Baton's server app. `graph(method, url, body)` returns status, headers and the parsed JSON body.
import { buildSandboxApp, type SandboxApp } from '../../../server/sandbox/app';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../../server/sandbox/sandbox';
import { createSandboxClock } from '../../../server/sandbox/sandbox-clock';

export interface GraphAnswer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from Graph, asserted field by field
}

export interface SandboxHarness {
  sb: Sandbox;
  app: SandboxApp;
  appToken: string;
  /** A delegated Graph token for a demo user with exactly `scopes`, as the add-in would hold it. */
  userToken(userId: string, scopes: readonly string[]): Promise<string>;
  graph(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, headers?: Record<string, string>): Promise<GraphAnswer>;
  close(): Promise<void>;
}

export const demoUsers = {
  admin: '0f9e8d7c-0000-4000-8000-000000000001',
  meganManager: '0f9e8d7c-0000-4000-8000-000000000010',
  marcusManager: '0f9e8d7c-0000-4000-8000-000000000011',
  sofiaSdr: '0f9e8d7c-0000-4000-8000-000000000020',
  liamSdr: '0f9e8d7c-0000-4000-8000-000000000021',
  danaSdr: '0f9e8d7c-0000-4000-8000-000000000022',
  antonAe: '0f9e8d7c-0000-4000-8000-000000000030',
  elenaAe: '0f9e8d7c-0000-4000-8000-000000000031',
  jordanAe: '0f9e8d7c-0000-4000-8000-000000000032',
  priyaAe: '0f9e8d7c-0000-4000-8000-000000000033',
} as const;

export async function startSandboxHarness(options: SandboxOptions & { start?: Date } = {}): Promise<SandboxHarness> {
  const sb = await createSandbox({ clock: createSandboxClock({ start: options.start ?? new Date('2026-11-23T08:00:00Z') }), ...options });
  sb.setBaseUrl('https://sandbox.test');
  const app = await buildSandboxApp(sb);
  await app.ready();
  const appToken = (await sb.identity.issueAppToken(sb.tenant.apps.server.clientId)).accessToken;
  return {
    sb,
    app,
    appToken,
    async userToken(userId, scopes) {
      return (await sb.identity.issueUserToken(userId, { audience: 'https://graph.microsoft.com', scopes, clientId: sb.tenant.apps.addin.clientId })).accessToken;
    },
    async graph(method, url, body, headers = {}) {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${appToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      let parsed: unknown = null;
      if (res.body !== '') {
        try {
          parsed = JSON.parse(res.body);
        } catch {
          parsed = res.body;
        }
      }
      return { status: res.statusCode, headers: res.headers, body: parsed };
    },
    async close() {
      await app.close();
      await sb.close();
    },
  };
}
