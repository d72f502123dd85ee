// When `npm start` rebuilds the add-in (server/cli/build-addin.ts): no build yet, a source file newer than the
// build's stamp, or a build made for another ADDIN_PUBLIC_URL; nothing when the build is current.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { staleReason, type BuildPaths } from '../../../server/cli/build-addin';

let work: string;
let paths: BuildPaths;
const publicUrl = 'https://localhost:3000';

function setTime(file: string, secondsAgo: number): void {
  const when = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(file, when, when);
}

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-build-'));
  paths = { outDir: path.join(work, 'dist'), sources: [path.join(work, 'addin'), path.join(work, 'manifest.xml')] };
  fs.mkdirSync(path.join(work, 'addin', 'taskpane'), { recursive: true });
  fs.writeFileSync(path.join(work, 'addin', 'taskpane', 'app.tsx'), 'export {};');
  fs.writeFileSync(path.join(work, 'manifest.xml'), '<OfficeApp/>');
  setTime(path.join(work, 'addin', 'taskpane', 'app.tsx'), 60);
  setTime(path.join(work, 'manifest.xml'), 60);
});

afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

function stamp(url: string, secondsAgo: number): void {
  fs.mkdirSync(paths.outDir, { recursive: true });
  const file = path.join(paths.outDir, '.built');
  fs.writeFileSync(file, JSON.stringify({ builtAt: new Date().toISOString(), publicUrl: url }));
  setTime(file, secondsAgo);
}

it('builds when there is no build', () => {
  expect(staleReason(paths, publicUrl)).toMatch(/has no complete build/);
});

it('does nothing when the build is newer than every source', () => {
  stamp(publicUrl, 10);
  expect(staleReason(paths, publicUrl)).toBeNull();
});

it('builds when a file deep under addin/ changed since', () => {
  stamp(publicUrl, 10);
  fs.writeFileSync(path.join(work, 'addin', 'taskpane', 'app.tsx'), 'export const changed = true;');
  expect(staleReason(paths, publicUrl)).toMatch(/app\.tsx changed since the last build/);
});

it('builds when the manifest changed since', () => {
  stamp(publicUrl, 10);
  setTime(path.join(work, 'manifest.xml'), 0);
  expect(staleReason(paths, publicUrl)).toMatch(/manifest\.xml changed since the last build/);
});

it('builds when the build was made for another public URL', () => {
  stamp('https://baton.contoso.com', 10);
  expect(staleReason(paths, publicUrl)).toBe('it was built for https://baton.contoso.com, not https://localhost:3000');
});
