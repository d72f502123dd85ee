// `npm start` end to end: the server starts with --demo on a fresh data folder, serves HTTPS with the sandbox's
// local CA, loads the demo tenant, and accepts a user token obtained from the sandbox's sign-in page (PKCE), exactly
// as it would accept one from Entra ID. One process start (~10-20 s): everything is checked on it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { trustingFetch } from '../../server/sandbox/tls';
import demoTenant from '../../server/sandbox/seed/demo-tenant.json';

const root = path.resolve(__dirname, '..', '..');
let child: ChildProcess;
let dataDir: string;
let output = '';
let baton = '';
let sandbox = '';
let trusted: typeof fetch;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-start-'));
  child = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['server/main.ts', '--demo'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', SANDBOX_PORT: '0', LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`no start within 90 s:\n${output}`)); }, 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const b = /Baton is listening on (\S+)/.exec(output);
      const s = /sandbox:\s+(https:\/\/\S+)/.exec(output);
      if (b?.[1] && s?.[1]) {
        clearTimeout(timer);
        baton = b[1];
        sandbox = s[1];
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => { reject(new Error(`exited with ${String(code)}:\n${output}`)); });
  });
  trusted = trustingFetch(fs.readFileSync(path.join(dataDir, 'sandbox', 'ca.pem'), 'utf8'));
}, 120_000);

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function signIn(userId: string): Promise<string> {
  const tid = demoTenant.tenantId;
  const { addin, api } = demoTenant.apps;
  const redirectUri = addin.redirectUris.find((u) => u.startsWith('https://')) ?? '';
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${sandbox}/${tid}/oauth2/v2.0/authorize`);
  const scope = `${api.identifierUri}/access_as_user`;
  const params = { client_id: addin.clientId, response_type: 'code', redirect_uri: redirectUri, scope, state: 's', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' };
  for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);
  const page = await trusted(authorize);
  const requestId = /name="request" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const pick = await trusted(authorize.origin + authorize.pathname, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ request: requestId, user: userId }).toString(),
  });
  const code = new URL(pick.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const token = await trusted(`${sandbox}/${tid}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: addin.clientId, grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, scope }).toString(),
  });
  return ((await token.json()) as { access_token: string }).access_token;
}

describe('npm start (--demo)', () => {
  it('serves HTTPS with the local CA and reports a reachable database', async () => {
    expect(baton).toMatch(/^https:\/\//);
    const health = await trusted(`${baton}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', database: 'ok' });
  });

  it('accepts a sandbox user token: the SDR sees her team and the demo leads', async () => {
    const sofia = demoTenant.users.find((u) => u.displayName === 'Sofia Keller');
    const token = await signIn(sofia?.id ?? '');
    const me = await trusted(`${baton}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { displayName: 'Sofia Keller', role: 'sdr', teamId: 'emea' } });
    const leads = await trusted(`${baton}/api/leads?limit=5`, { headers: { authorization: `Bearer ${token}` } });
    const page = (await leads.json()) as { items: Array<{ teamId: string }>; hasMore: boolean };
    expect(page.items).toHaveLength(5);
    expect(page.items.every((l) => l.teamId === 'emea')).toBe(true);
    expect(page.hasMore).toBe(true);
  });

  it('refuses the API without a token', async () => {
    const r = await trusted(`${baton}/api/leads`);
    expect(r.status).toBe(401);
  });
});
