// The built Outlook add-in (dist/addin) over HTTP: GET /addin/<file> and GET /manifest.xml, public (Outlook loads
// the pane and its icons before anyone has a token). Only files inside the folder, no dot-files, known types only;
// hashed bundles cached for a year, everything else revalidated (ETag). Imports node:fs/path, ../errors, ../app types.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../errors';
import type { App } from '../app';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** webpack's `[name].[contenthash].js` (and its source map): the name changes with the content, so it never goes stale. */
const hashedName = /\.[0-9a-f]{16,}\.(js|css)(\.map)?$/;

export const immutableCache = 'public, max-age=31536000, immutable';
/** HTML, the manifest and icons: Outlook and browsers must see a new build at once (a 304 is cheap). */
export const revalidateCache = 'no-cache';

function notFound(urlPath: string): HttpError {
  return new HttpError(404, 'not_found', `No add-in file at ${urlPath}. Build the add-in with \`npm run build:addin\`.`);
}

/** The file under `root` a request names (already percent-decoded by the router), or null when this route does not serve it. */
function resolveInside(root: string, relative: string): string | null {
  const segments = relative.split('/');
  if (segments.some((s) => s === '' || s.startsWith('.') || s.includes('\\') || s.includes('\0'))) return null;
  const file = path.resolve(root, ...segments);
  return file.startsWith(root + path.sep) ? file : null;
}

async function sendFile(request: FastifyRequest, reply: FastifyReply, root: string, relative: string): Promise<FastifyReply> {
  const urlPath = request.url.split('?')[0] ?? request.url;
  const file = resolveInside(root, relative);
  const type = file === null ? undefined : contentTypes[path.extname(file).toLowerCase()];
  if (file === null || type === undefined) throw notFound(urlPath);
  let stat: fs.Stats;
  try {
    // realpath: a symbolic link inside the folder must not lead out of it.
    const real = await fs.promises.realpath(file);
    if (!real.startsWith(root + path.sep)) throw notFound(urlPath);
    stat = await fs.promises.stat(real);
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw notFound(urlPath);
  }
  if (!stat.isFile()) throw notFound(urlPath);
  const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  void reply
    .header('Content-Type', type)
    .header('Cache-Control', hashedName.test(file) ? immutableCache : revalidateCache)
    .header('ETag', etag)
    .header('X-Content-Type-Options', 'nosniff');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  void reply.header('Content-Length', stat.size);
  return reply.send(fs.createReadStream(file));
}

export interface AddinFilesDeps {
  /** The built add-in (dist/addin): its pages, bundles, icons and manifest.xml. */
  addinDir: string;
}

export function registerAddinFileRoutes(app: App, deps: AddinFilesDeps): void {
  const root = fs.existsSync(deps.addinDir) ? fs.realpathSync(deps.addinDir) : path.resolve(deps.addinDir);
  const options = { config: { public: true }, schema: { hide: true } };
  // Exact routes (GET /addin/config.json) take precedence over this wildcard in fastify's router.
  app.get('/addin/*', options, async (request, reply) => {
    const rest = (request.params as { '*'?: string })['*'] ?? '';
    return sendFile(request, reply, root, rest);
  });
  app.get('/manifest.xml', options, async (request, reply) => sendFile(request, reply, root, 'manifest.xml'));
}
