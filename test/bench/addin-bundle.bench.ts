// Benchmark: the task pane's download size. Builds the add-in in production mode with the project's own
// webpack.config.js (through webpack's Node API, into a temporary folder so dist/ is left alone), then gzips every
// emitted JS and CSS file with node:zlib. Prints `bench: addin_bundle_gzip = <n> KB` (goal: at most 250 KB).
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
  return {
    ...config,
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
    await build(await loadConfig(out));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    let raw = 0;
    let gzip = 0;
    for (const file of filesIn(out).filter((f) => /\.(js|css)$/.test(f))) {
      const bytes = fs.readFileSync(file);
      raw += bytes.length;
      gzip += gzipSync(bytes, { level: 9 }).length;
    }
    if (raw === 0) throw new Error(`the build emitted no JS or CSS into ${out}`);
    const kb = (n: number): string => (n / 1024).toFixed(1);
    console.log(`bench: addin_bundle_raw = ${kb(raw)} KB`);
    console.log(`bench: addin_bundle_gzip = ${kb(gzip)} KB`);
    console.log(`bench: addin_build_time = ${seconds.toFixed(1)} s`);
    if (gzip / 1024 > GOAL_KB) console.warn(`addin bundle is over the ${GOAL_KB} KB gzip goal`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
