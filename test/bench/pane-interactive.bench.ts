// Benchmark: how soon the task pane can be used. Builds, in one production webpack run, the pane (the project's
// `taskpane` entry and page) and a bare Fluent UI v9 page with one button, serves both from a local HTTP server, and
// loads each 10 times, alternating, in headless Chromium (playwright-core, Debian's chromium), each in a fresh
// browser context (no cache): the time from navigation until the lead search takes typing, and until the bare
// button takes a click. Office.js is answered by a small stand-in (Outlook, a message being composed) and /api/me by
// a fixed user, so no network is needed. Prints both medians and their ratio (goal: at most 1.5).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import webpack from 'webpack';
import HtmlWebpackPlugin from 'html-webpack-plugin';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = path.resolve(__dirname, '..', '..');
const RUNS = 10;
const GOAL_RATIO = 1.5;
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The Office.js stand-in: Outlook, ready at once, on a message being composed that supports Mailbox 1.8. */
const officeStandIn = `
window.Office = {
  AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
  CoercionType: { Html: 'html' },
  EventType: { ItemChanged: 'olkItemSelectedChanged' },
  onReady: function (callback) { var info = { host: 'Outlook', platform: 'OfficeOnline' }; setTimeout(function () { callback(info); }, 0); return Promise.resolve(info); },
  context: {
    requirements: { isSetSupported: function () { return true; } },
    mailbox: {
      userProfile: { emailAddress: 'sam@baton.example', displayName: 'Sam Doe' },
      item: { itemType: 'message', subject: { setAsync: function () {} } },
      addHandlerAsync: function (_t, _h, cb) { if (cb) cb({ status: 'succeeded' }); },
      removeHandlerAsync: function (_t, cb) { if (cb) cb({ status: 'succeeded' }); },
    },
  },
  auth: { getAccessToken: function () { return Promise.resolve('bench-token'); } },
};`;

const me = {
  user: {
    id: '10000000-0000-4000-8000-000000000001',
    entraOid: 'oid-sam',
    tenantId: 'tenant-1',
    email: 'sam@baton.example',
    displayName: 'Sam Doe',
    role: 'sdr',
    teamId: 'emea',
    managerId: null,
    backupId: null,
    timeZone: 'Europe/Berlin',
    active: true,
  },
  team: { id: 'emea', name: 'EMEA', timeZone: 'Europe/Berlin', pairingMode: 'one_to_one' },
  pairings: [],
  pairedWith: [],
};

const bareEntry = `
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Button, FluentProvider, webLightTheme } from '@fluentui/react-components';
function Bare() {
  const [clicked, setClicked] = useState(false);
  return <FluentProvider theme={webLightTheme}><Button appearance="primary" onClick={() => setClicked(true)}>{clicked ? 'Clicked' : 'Click me'}</Button></FluentProvider>;
}
createRoot(document.getElementById('root')!).render(<Bare />);
`;

const bareHtml = `<!doctype html><html lang="en"><head><meta charset="utf-8" /><title>Bare Fluent</title></head><body><div id="root"></div></body></html>`;

type ConfigFactory = (env: Record<string, unknown>, argv: { mode: 'production' | 'development' }) => webpack.Configuration;

async function buildBoth(out: string, work: string): Promise<void> {
  fs.writeFileSync(path.join(work, 'bare.tsx'), bareEntry);
  fs.writeFileSync(path.join(work, 'bare.html'), bareHtml);
  const loaded = (await import(pathToFileURL(path.join(root, 'webpack.config.js')).href)) as { default?: unknown };
  const exported = loaded.default;
  const config = typeof exported === 'function' ? (exported as ConfigFactory)({}, { mode: 'production' }) : (exported as webpack.Configuration);
  const entries = config.entry as Record<string, unknown>;
  const taskpane = entries['taskpane'];
  if (taskpane === undefined) throw new Error('webpack.config.js has no `taskpane` entry');
  const compiler = webpack({
    ...config,
    mode: 'production',
    context: root,
    devtool: false,
    entry: { taskpane: taskpane as string, bare: path.join(work, 'bare.tsx') },
    output: { ...config.output, path: out },
    // The bare page's source sits outside the project: resolve packages from the project's node_modules.
    resolve: { ...config.resolve, modules: [path.join(root, 'node_modules'), 'node_modules'] },
    plugins: [
      new HtmlWebpackPlugin({ filename: 'taskpane.html', template: path.join(root, 'addin/taskpane/taskpane.html'), chunks: ['taskpane'] }),
      new HtmlWebpackPlugin({ filename: 'bare.html', template: path.join(work, 'bare.html'), chunks: ['bare'] }),
    ],
    performance: { hints: false },
  });
  await new Promise<void>((resolve, reject) => {
    compiler.run((error, stats) => {
      if (error !== null) reject(error);
      else if (stats === undefined) reject(new Error('webpack returned no stats'));
      else if (stats.hasErrors()) reject(new Error(stats.toString({ all: false, errors: true })));
      else resolve();
    });
  });
}

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

function serve(out: string): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://bench');
    if (url.pathname === '/api/me') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(me));
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [], hasMore: false, nextOffset: null }));
      return;
    }
    const file = path.join(out, url.pathname.replace(/^\/addin\//, ''));
    if (!file.startsWith(out) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({
        origin: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => {
              done();
            });
          }),
      });
    });
  });
}

async function timed(browser: Browser, url: string, interact: (page: Page) => Promise<void>): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 320, height: 700 } });
  await context.route('https://appsforoffice.microsoft.com/**', (route) => route.fulfill({ contentType: 'text/javascript', body: officeStandIn }));
  try {
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(url, { waitUntil: 'commit' });
    await interact(page);
    return performance.now() - started;
  } finally {
    await context.close();
  }
}

/** The pane is interactive when the lead search takes what is typed. */
async function searchTakesTyping(page: Page): Promise<void> {
  const search = page.getByRole('combobox', { name: 'Find a lead' });
  await search.fill('a', { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector<HTMLInputElement>('input[role="combobox"]')?.value === 'a');
}

/** The bare page is interactive when its button reacts to a click. */
async function buttonTakesClick(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Click me' }).click({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Clicked' }).waitFor();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2 : (sorted[mid] ?? 0);
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-pane-bench-'));
  const out = path.join(work, 'out');
  const server = { close: (): Promise<void> => Promise.resolve() };
  let browser: Browser | undefined;
  try {
    await buildBoth(out, work);
    const served = await serve(out);
    server.close = served.close;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
    // One unmeasured load of each, so both start from a warm browser.
    await timed(browser, `${served.origin}/addin/taskpane.html`, searchTakesTyping);
    await timed(browser, `${served.origin}/addin/bare.html`, buttonTakesClick);
    const pane: number[] = [];
    const bare: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      pane.push(await timed(browser, `${served.origin}/addin/taskpane.html`, searchTakesTyping));
      bare.push(await timed(browser, `${served.origin}/addin/bare.html`, buttonTakesClick));
    }
    const paneMs = median(pane);
    const bareMs = median(bare);
    const ratio = paneMs / bareMs;
    console.log(`bench: pane_interactive_median = ${paneMs.toFixed(0)} ms`);
    console.log(`bench: bare_fluent_interactive_median = ${bareMs.toFixed(0)} ms`);
    console.log(`bench: pane_interactive_ratio = ${ratio.toFixed(2)} (goal: at most ${GOAL_RATIO})`);
    if (ratio > GOAL_RATIO) console.warn(`the pane takes more than ${GOAL_RATIO}× the bare Fluent page to become interactive`);
  } finally {
    await browser?.close();
    await server.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
