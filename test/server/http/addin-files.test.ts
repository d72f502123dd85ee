// The built add-in served by the real app: pages, bundles, icons and /manifest.xml without a token, with their
// content types and caching (hashed bundles for a year, the rest revalidated by ETag); nothing outside the folder,
// no dot-files, no unknown types; /addin/config.json keeps its own route; absent when the app has no add-in folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from './harness';

const page = '<!doctype html><html><head><title>Baton</title></head><body><div id="root"></div></body></html>';
const bundle = 'console.log("pane");';
const hashedBundle = 'taskpane.0123456789abcdef0123.js';
const icon = fs.readFileSync(path.resolve(__dirname, '../../../addin/assets/icon-16.png'));

let work: string;
let addinDir: string;
let h: Harness;
let bare: Harness;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-addin-files-'));
  addinDir = path.join(work, 'addin');
  fs.mkdirSync(path.join(addinDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(addinDir, 'taskpane.html'), page);
  fs.writeFileSync(path.join(addinDir, hashedBundle), bundle);
  fs.writeFileSync(path.join(addinDir, `${hashedBundle}.map`), '{"version":3}');
  fs.writeFileSync(path.join(addinDir, 'assets', 'icon-16.png'), icon);
  fs.writeFileSync(path.join(addinDir, 'manifest.xml'), '<OfficeApp/>');
  fs.writeFileSync(path.join(addinDir, '.built'), '{}');
  fs.writeFileSync(path.join(addinDir, 'notes.md'), '# not served');
  fs.writeFileSync(path.join(work, 'secret.txt'), 'outside the add-in');
  fs.symlinkSync(path.join(work, 'secret.txt'), path.join(addinDir, 'escape.txt'));
  h = await startHarness({ override: (deps) => ({ ...deps, addinDir }) });
  bare = await startHarness();
});

afterAll(async () => {
  await h.close();
  await bare.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const get = (harness: Harness, url: string, headers: Record<string, string> = {}) => harness.app.inject({ method: 'GET', url, headers });

it('serves the pane page without a token, as HTML that is revalidated on every load', async () => {
  const res = await get(h, '/addin/taskpane.html');
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(res.headers['cache-control']).toBe('no-cache');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.body).toBe(page);

  const again = await get(h, '/addin/taskpane.html', { 'if-none-match': String(res.headers.etag) });
  expect(again.statusCode).toBe(304);
  expect(again.body).toBe('');
});

it('caches hashed bundles and their source maps for a year', async () => {
  const js = await get(h, `/addin/${hashedBundle}`);
  expect(js.statusCode).toBe(200);
  expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
  expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  expect(js.body).toBe(bundle);
  const map = await get(h, `/addin/${hashedBundle}.map`);
  expect(map.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(map.headers['cache-control']).toBe('public, max-age=31536000, immutable');
});

it('serves the icons as PNG, byte for byte', async () => {
  const res = await get(h, '/addin/assets/icon-16.png');
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('image/png');
  expect(res.headers['content-length']).toBe(String(icon.length));
  expect(res.rawPayload.equals(icon)).toBe(true);
});

it('serves the manifest at /manifest.xml and /addin/manifest.xml, revalidated', async () => {
  for (const url of ['/manifest.xml', '/addin/manifest.xml']) {
    const res = await get(h, url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toBe('<OfficeApp/>');
  }
});

it('answers HEAD with the headers only', async () => {
  const res = await h.app.inject({ method: 'HEAD', url: '/addin/taskpane.html' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(res.body).toBe('');
});

it.each([
  ['/addin/..%2Fsecret.txt', 'a path out of the folder'],
  ['/addin/%2e%2e/secret.txt', 'an encoded parent segment'],
  ['/addin/escape.txt', 'a symbolic link leading out'],
  ['/addin/.built', 'a dot-file'],
  ['/addin/notes.md', 'a type the add-in does not serve'],
  ['/addin/assets/', 'a folder'],
  ['/addin/missing.js', 'a file that is not there'],
  ['/addin/%252e%252e/secret.txt', 'a doubly encoded parent segment'],
])('answers 404 in the API error shape for %s (%s)', async (url) => {
  const res = await get(h, url);
  expect(res.statusCode).toBe(404);
  const body = JSON.parse(res.body) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('not_found');
  expect(res.body).not.toContain('outside the add-in');
});

it('leaves /addin/config.json to its own route and the API behind sign-in', async () => {
  const config = await get(h, '/addin/config.json');
  expect(config.statusCode).toBe(503);
  expect((JSON.parse(config.body) as { error: { code: string } }).error.code).toBe('addin_not_configured');
  const api = await get(h, '/api/leads');
  expect(api.statusCode).toBe(401);
});

it('has no add-in routes when the app is built without the folder', async () => {
  expect((await get(bare, '/addin/taskpane.html')).statusCode).toBe(404);
  expect((await get(bare, '/manifest.xml')).statusCode).toBe(404);
});
