#!/usr/bin/env node
// `npm test`: type-check, then Jest (both projects). Jest runs with --experimental-vm-modules because the
// embedded database loads its WebAssembly through a dynamic import. Extra arguments go to Jest.
'use strict';
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..', '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const args = process.argv.slice(2);

if (!args.includes('--no-typecheck')) {
  const tsc = spawnSync(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}
const jestArgs = args.filter((a) => a !== '--no-typecheck');
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings=ExperimentalWarning`.trim() };
const jest = spawnSync(bin('jest'), jestArgs, { cwd: root, stdio: 'inherit', env });
process.exit(jest.status ?? 1);
