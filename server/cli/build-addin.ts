// `prestart`: builds the Outlook add-in into dist/addin (webpack's Node API, production mode, webpack.config.js)
// when the build is missing, older than any file under addin/, manifest.xml or webpack.config.js, or made for another
// ADDIN_PUBLIC_URL; else does nothing. It runs before the server, in its own process, so the server never loads
// webpack. Imports node:*, webpack and the repository's webpack.config.js.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Configuration } from 'webpack';

const repoRoot = path.resolve(__dirname, '..', '..');

interface WebpackConfigModule {
  (env: Record<string, unknown>, argv: { mode: 'production' | 'development' }): Configuration;
  /** ADDIN_PUBLIC_URL as the config reads it (https://localhost:3000 when unset). */
  addinPublicUrl(): string;
}

export interface BuildPaths {
  /** The built add-in. */
  outDir: string;
  /** Folders and files the build reads. */
  sources: string[];
}

export const defaultPaths: BuildPaths = {
  outDir: path.join(repoRoot, 'dist', 'addin'),
  sources: [path.join(repoRoot, 'addin'), path.join(repoRoot, 'manifest.xml'), path.join(repoRoot, 'webpack.config.js')],
};

/** The newest modification time under `entry` (a file or a folder, recursively), and which file it is. */
function newest(entry: string): { mtimeMs: number; file: string } | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(entry);
  } catch {
    return null;
  }
  if (!stat.isDirectory()) return { mtimeMs: stat.mtimeMs, file: entry };
  let best: { mtimeMs: number; file: string } | null = null;
  for (const name of fs.readdirSync(entry)) {
    const found = newest(path.join(entry, name));
    if (found !== null && (best === null || found.mtimeMs > best.mtimeMs)) best = found;
  }
  return best;
}

/** Why the add-in must be built again, or null when dist/addin is up to date for `publicUrl`. */
export function staleReason(paths: BuildPaths, publicUrl: string): string | null {
  const stampFile = path.join(paths.outDir, '.built');
  let stamp: { publicUrl?: unknown };
  let builtAt: number;
  try {
    builtAt = fs.statSync(stampFile).mtimeMs;
    stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8')) as { publicUrl?: unknown };
  } catch {
    return `${path.relative(repoRoot, paths.outDir) || paths.outDir} has no complete build`;
  }
  if (stamp.publicUrl !== publicUrl) return `it was built for ${String(stamp.publicUrl)}, not ${publicUrl}`;
  for (const source of paths.sources) {
    const found = newest(source);
    if (found !== null && found.mtimeMs > builtAt) return `${path.relative(repoRoot, found.file) || found.file} changed since the last build`;
  }
  return null;
}

async function build(config: Configuration): Promise<void> {
  // Loaded only when a build is due: an up-to-date start stays quick.
  const { default: webpack } = await import('webpack');
  return new Promise((resolve, reject) => {
    webpack(config, (error, stats) => {
      if (error) {
        reject(error);
        return;
      }
      if (stats?.hasErrors() === true) {
        reject(new Error(stats.toString({ all: false, errors: true, errorDetails: true })));
        return;
      }
      resolve();
    });
  });
}

async function main(): Promise<number> {
  // webpack.config.js is CommonJS and untyped; the interface above is what it exports.
  const configModule = createRequire(__filename)(path.join(repoRoot, 'webpack.config.js')) as WebpackConfigModule;
  let publicUrl: string;
  try {
    publicUrl = configModule.addinPublicUrl();
  } catch (error) {
    console.error(`baton: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const reason = staleReason(defaultPaths, publicUrl);
  if (reason === null) return 0;
  console.log(`baton: building the Outlook add-in into dist/addin for ${publicUrl} (${reason}); this takes a minute…`);
  const started = Date.now();
  try {
    await build(configModule({}, { mode: 'production' }));
  } catch (error) {
    console.error(`baton: the add-in build failed:\n${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  console.log(`baton: add-in built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error('baton: the add-in build failed:', error);
      process.exitCode = 1;
    },
  );
}
