// The hand-off end to end in Chromium: Baton in demo mode (sandbox, HTTPS, a fresh data folder, free ports) as a
// child process, the add-in built into a temporary folder, and the preview page driven by playwright-core. The SDR
// signs in through the sandbox's sign-in window, the pane fills the intro for a qualified demo lead, the preview sends
// it through the sandbox's Graph, the AE accepts the invite Baton booked (Graph's accept action), and the pane shows
// that SLA met. Screenshots go to test-artifacts/; axe-core must find no serious or critical violation in the pane.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { trustingFetch } from '../../../server/sandbox/tls';
import demoTenant from '../../../server/sandbox/seed/demo-tenant.json';

const chromiumPath = '/usr/bin/chromium';
const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const root = path.resolve(__dirname, '..', '..', '..');
const artifacts = path.join(root, 'test-artifacts');
const sdr = demoTenant.users.find((u) => u.userPrincipalName.startsWith('sofia.keller@'));
const ae = demoTenant.users.find((u) => u.userPrincipalName.startsWith('anton.weber@'));

let child: ChildProcess | null = null;
let browser: Browser | null = null;
let dataDir = '';
let addinDir = '';
let output = '';
let baton = '';
let sandbox = '';
let trusted: typeof fetch;

function startBaton(): Promise<void> {
  child = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['server/main.ts', '--demo'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, ADDIN_DIR: addinDir, PORT: '0', SANDBOX_PORT: '0', LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = child;
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`Baton did not start within 120 s:\n${output}`));
    }, 120_000);
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
    started.stdout?.on('data', onData);
    started.stderr?.on('data', onData);
    started.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Baton exited with ${String(code)}:\n${output}`));
    });
  });
}

beforeAll(async () => {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`Chromium is missing at ${chromiumPath}; the end-to-end test needs it: apt-get install -y chromium`);
  }
  fs.mkdirSync(artifacts, { recursive: true });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-e2e-data-'));
  addinDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-e2e-addin-'));
  // The add-in as `npm run build` makes it, in development mode (faster; the same code).
  const build = spawnSync(path.join(root, 'node_modules', '.bin', 'webpack'), ['--mode', 'development', '--output-path', addinDir], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the add-in build failed:\n${build.stdout}\n${build.stderr}`);
  await startBaton();
  trusted = trustingFetch(fs.readFileSync(path.join(dataDir, 'sandbox', 'ca.pem'), 'utf8'));
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (child !== null && child.exitCode === null) {
    const running = child;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  }
  for (const dir of [dataDir, addinDir]) if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** A user token for Baton's API, through the sandbox's sign-in page with PKCE (as the add-in gets one). */
async function apiToken(userId: string): Promise<string> {
  const tid = demoTenant.tenantId;
  const { addin, api } = demoTenant.apps;
  const redirectUri = `${baton}/addin/auth-redirect.html`;
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${sandbox}/${tid}/oauth2/v2.0/authorize`);
  const scope = `${api.identifierUri}/access_as_user`;
  const params = { client_id: addin.clientId, response_type: 'code', redirect_uri: redirectUri, scope, code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' };
  for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);
  const page = await trusted(authorize);
  const requestId = /name="request" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const pick = await trusted(`${authorize.origin}${authorize.pathname}`, {
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

/** An app-only Graph token of the sandbox's server app (published in tenant.json for the demo). */
async function graphAppToken(): Promise<string> {
  const { server } = demoTenant.apps;
  const res = await trusted(`${sandbox}/${demoTenant.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: server.clientId, client_secret: server.clientSecret, grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }).toString(),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

interface LeadRow {
  id: string;
  contactName: string;
  companyName: string;
  email: string;
  status: string;
  ownerId: string;
}

/** A qualified demo lead the SDR owns (not handed off yet), read through Baton's API. */
async function qualifiedLeadOf(userId: string): Promise<LeadRow> {
  const token = await apiToken(userId);
  const headers = { authorization: `Bearer ${token}` };
  const me = (await (await trusted(`${baton}/api/me`, { headers })).json()) as { user: { id: string } };
  for (let offset = 0; offset < 400; offset += 100) {
    const page = (await (await trusted(`${baton}/api/leads?limit=100&offset=${offset}`, { headers })).json()) as { items: LeadRow[] };
    const lead = page.items.find((l) => l.status === 'qualified' && l.ownerId === me.user.id);
    if (lead !== undefined) return lead;
    if (page.items.length < 100) break;
  }
  throw new Error('the demo data has no qualified lead for the SDR');
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output.slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifacts, `handoff-e2e-${name}.png`), fullPage: true });
}

it('the SDR sends the intro from the preview, the AE accepts in the sandbox, the pane shows the SLA met', async () => {
  if (browser === null || sdr === undefined || ae === undefined) throw new Error('set-up failed');
  const lead = await qualifiedLeadOf(sdr.id);
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 960 } });
  const page = await context.newPage();
  try {
    await page.goto(`${baton}/addin/preview.html`);

    // Sign in: the sandbox's sign-in window, where one picks the demo SDR.
    const popupOpened = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Sign in as a sandbox user' }).click();
    const popup = await popupOpened;
    await popup.getByRole('button', { name: new RegExp(sdr.displayName) }).click();
    await page.getByText(`Signed in as ${sdr.displayName}`).waitFor({ timeout: 30_000 });

    // The pane (in its frame) signs in with the same account and finds the lead.
    const pane: FrameLocator = page.frameLocator('iframe[title="Baton task pane"]');
    await pane.getByText(new RegExp(`${sdr.displayName} · SDR`)).waitFor({ timeout: 60_000 });
    // Demo names repeat: the email finds this very lead.
    await pane.getByRole('combobox', { name: 'Find a lead' }).pressSequentially(lead.email, { delay: 20 });
    await pane.getByRole('option').filter({ hasText: lead.email }).click();
    await shot(page, '1-lead');

    await pane.getByRole('button', { name: 'Fill intro' }).click();
    await pane.getByText('Intro filled in').waitFor({ timeout: 30_000 });
    const compose = page.getByRole('form', { name: 'New message' });
    await expectValue(compose.getByRole('textbox', { name: /^Internet headers/ }), /^x-baton-handoff: [0-9a-f-]{36}$/);
    await expectValue(compose.getByRole('textbox', { name: 'Cc' }), new RegExp(ae.userPrincipalName));
    await shot(page, '2-intro-filled');

    await compose.getByRole('button', { name: 'Send' }).click();
    await page.getByText(/Sent through the sandbox/).waitFor({ timeout: 30_000 });
    await shot(page, '3-sent');

    // The AE accepts the invite Baton books once it sees the intro in the SDR's Sent Items.
    const appToken = await graphAppToken();
    const graph = (url: string, init: RequestInit = {}) =>
      trusted(`${sandbox}/v1.0${url}`, { ...init, headers: { authorization: `Bearer ${appToken}`, 'content-type': 'application/json' } });
    const invite = await until(
      "the invite on the AE's calendar",
      async () => {
        const events = (await (await graph(`/users/${ae.id}/events?$select=id,subject,organizer,type&$top=50`)).json()) as {
          value: { id: string; subject: string; type: string; organizer: { emailAddress: { address: string } } }[];
        };
        // The invite is organised by the SDR (Baton books it on the SDR's calendar); the AE holds the attendee copy. The
        // pair's weekly sync is organised by the SDR too, but it is a series: the invite is a single meeting.
        return (
          events.value.find((e) => e.type === 'singleInstance' && e.organizer.emailAddress.address.toLowerCase() === sdr.userPrincipalName.toLowerCase()) ?? null
        );
      },
      120_000,
    );
    const accepted = await graph(`/users/${ae.id}/events/${encodeURIComponent(invite.id)}/accept`, { method: 'POST', body: JSON.stringify({ sendResponse: true, comment: 'See you there' }) });
    expect(accepted.status).toBe(202);

    // The pane follows the hand-off: the acceptance obligation is met.
    const acceptRow = pane.getByRole('list', { name: 'SLA' }).getByRole('listitem').filter({ hasText: 'AE accepts the invite' });
    await acceptRow.getByText(/^met in /).waitFor({ timeout: 120_000 });
    await acceptRow.scrollIntoViewIfNeeded();
    await shot(page, '4-sla-met');

    const axe = await new AxeBuilder({ page }).include(['iframe[title="Baton task pane"]', 'body']).analyze();
    const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
  } catch (error) {
    await shot(page, 'failure').catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
}, 420_000);

async function expectValue(locator: ReturnType<Page['getByRole']>, pattern: RegExp): Promise<void> {
  await until(`a value matching ${String(pattern)}`, async () => (pattern.test(await locator.inputValue()) ? true : null), 15_000);
}
