// Benchmark: the task pane's download size. Builds the add-in in production mode with the project's own
// webpack.config.js, its `taskpane` entry alone (through webpack's Node API, into a temporary folder so dist/ is left
// alone), then gzips the
// emitted JS and CSS with node:zlib. Prints `bench: addin_bundle_gzip = <n> KB`, what the pane page loads before it
// shows anything (its entry's files; goal: at most 250 KB), `addin_bundle_largest_view_gzip` (that plus the largest
// view loaded on demand: the most any Outlook surface downloads) and `addin_bundle_all_gzip` (every emitted file).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import webpack from 'webpack';

const root = path.resolve(__dirname, '..', '..');
const GOAL_KB = 250;

type ConfigFactory = (env: Record<string, unknown>, argv: { mode: 'production' | 'development' }) => webpack.Configuration;

async function loadConfig(outputPath: string): Promise<webpack.Configuration> {
  const loaded = (await import(pathToFileURL(path.join(root, 'webpack.config.js')).href)) as { default?: unknown };
  const exported = loaded.default;
  const config = typeof exported === 'function' ? (exported as ConfigFactory)({}, { mode: 'production' }) : (exported as webpack.Configuration);
  // Only the pane: the other pages the config builds (sign-in redirect, preview) are not what Outlook loads.
  const entries = config.entry as Record<string, unknown>;
  if (!('taskpane' in entries)) throw new Error('webpack.config.js has no `taskpane` entry');
  return {
    ...config,
    entry: { taskpane: entries['taskpane'] } as webpack.Configuration['entry'],
    mode: 'production',
    context: root,
    devtool: false,
    output: { ...config.output, path: outputPath },
    // The size budget is this benchmark's job; webpack's own (raw-size) hints would only add noise.
    performance: { hints: false },
  };
}

function build(config: webpack.Configuration): Promise<webpack.Stats> {
  return new Promise((resolve, reject) => {
    webpack(config, (error, stats) => {
      if (error !== null) {
        reject(error);
        return;
      }
      if (stats === undefined) {
        reject(new Error('webpack returned no stats'));
        return;
      }
      if (stats.hasErrors()) {
        reject(new Error(stats.toString({ all: false, errors: true })));
        return;
      }
      resolve(stats);
    });
  });
}

function filesIn(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

async function main(): Promise<void> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-addin-bench-'));
  try {
    const started = process.hrtime.bigint();
    const stats = await build(await loadConfig(out));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const isCode = (f: string): boolean => /\.(js|css)$/.test(f);
    const sizes = new Map<string, { raw: number; gzip: number }>();
    for (const file of filesIn(out).filter(isCode)) {
      const bytes = fs.readFileSync(file);
      sizes.set(path.relative(out, file), { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
    }
    if (sizes.size === 0) throw new Error(`the build emitted no JS or CSS into ${out}`);
    const sum = (files: Iterable<string>, key: 'raw' | 'gzip'): number => [...files].reduce((n, f) => n + (sizes.get(f)?.[key] ?? 0), 0);

    // The entry's own files load with the page; every other emitted chunk is a view loaded on demand.
    const json = stats.toJson({ all: false, entrypoints: true, chunkGroups: true, assets: true });
    const entryFiles = new Set(
      Object.values(json.entrypoints ?? {}).flatMap((entry) => (entry.assets ?? []).map((asset) => asset.name)).filter(isCode),
    );
    const lazyFiles = [...sizes.keys()].filter((f) => !entryFiles.has(f));
    const largestLazy = lazyFiles.reduce((max, f) => Math.max(max, sizes.get(f)?.gzip ?? 0), 0);
    const initial = sum(entryFiles, 'gzip');
    const kb = (n: number): string => (n / 1024).toFixed(1);
    console.log(`bench: addin_bundle_raw = ${kb(sum(sizes.keys(), 'raw'))} KB`);
    console.log(`bench: addin_bundle_gzip = ${kb(initial)} KB`);
    console.log(`bench: addin_bundle_largest_view_gzip = ${kb(initial + largestLazy)} KB`);
    console.log(`bench: addin_bundle_all_gzip = ${kb(sum(sizes.keys(), 'gzip'))} KB (${sizes.size} files, ${lazyFiles.length} loaded on demand)`);
    console.log(`bench: addin_build_time = ${seconds.toFixed(1)} s`);
    if (initial / 1024 > GOAL_KB) console.warn(`the pane's initial download is over the ${GOAL_KB} KB gzip goal`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
