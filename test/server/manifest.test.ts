// `npm run validate:manifest` as a child process (office-addin-manifest does not load under Jest): the real
// manifest passes; broken copies fail with exit 1 and one line per fault naming the line and what is wrong: a
// misspelt element (schema), http and foreign-host URLs, a dangling resid, a repeated control id, a braced GUID,
// an old Mailbox set, a wrong-size or missing icon, a WebApplicationInfo resource that is not the API's.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const manifest = fs.readFileSync(path.join(root, 'manifest.xml'), 'utf8');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const script = path.join(root, 'server', 'cli', 'validate-manifest.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function validate(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(tsx, [script, ...args], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The real manifest with each [from, to] replaced once (each must be found, or the test itself is wrong). */
function broken(edits: [string, string][]): string {
  let text = manifest;
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`the manifest no longer contains ${from}`);
    text = text.replace(from, to);
  }
  return text;
}

/** The 1-based line of the nth (1-based) occurrence of `needle` in `text`. */
function lineOf(text: string, needle: string, nth = 1): number {
  let at = -1;
  for (let k = 0; k < nth; k++) at = text.indexOf(needle, at + 1);
  if (at === -1) throw new Error(`${needle} not found`);
  return text.slice(0, at).split('\n').length;
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-manifest-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

it('passes the real manifest: schema, office-addin-manifest and every extra check', async () => {
  const run = await validate();
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/manifest\.xml: valid .*Baton 1\.0\.0\.0, id 715c2072-0e73-4e89-8207-c4124b9962bb, MailApp for Mailbox/);
});

describe('broken copies', () => {
  const assets = path.join(root, 'addin');

  it('reports what the schema refuses, with its line', async () => {
    const text = broken([['<SupportsPinning>true</SupportsPinning>', '<SupportsPinnin>true</SupportsPinnin>']]);
    const run = await validate(write('misspelt.xml', text), '--assets', assets);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`misspelt.xml:${lineOf(text, '<SupportsPinnin>')}: schema: `);
    expect(run.stderr).toMatch(/SupportsPinnin': This element is not expected/);
  });

  it('reports each fault the schema misses, one line each', async () => {
    const text = broken([
      ['<Id>715c2072-0e73-4e89-8207-c4124b9962bb</Id>', '<Id>{715c2072-0e73-4e89-8207-c4124b9962bb}</Id>'],
      ['<Version>1.0.0.0</Version>', '<Version>1.0</Version>'],
      ['<Set Name="Mailbox" MinVersion="1.8"/>', '<Set Name="Mailbox" MinVersion="1.5"/>'],
      ['DefaultValue="https://localhost:3000/addin/assets/icon-32.png"', 'DefaultValue="http://localhost:3000/addin/assets/icon-32.png"'],
      ['<bt:Url id="taskpaneUrl" DefaultValue="https://localhost:3000/addin/taskpane.html"/>', '<bt:Url id="taskpaneUrl" DefaultValue="https://localhost:3000/addin/taskpane.html"/><bt:Url id="helpUrl" DefaultValue="https://cdn.example.com/help.html"/>'],
      ['<Label resid="reviewLabel"/>', '<Label resid="reviewLabl"/>'],
      ['id="batonInviteButton"', 'id="batonIntroButton"'],
      ['<bt:Image id="icon80" DefaultValue="https://localhost:3000/addin/assets/icon-80.png"/>', '<bt:Image id="icon80" DefaultValue="https://localhost:3000/addin/assets/icon-64.png"/>'],
      ['<Resource>api://9b8e7d6c-5a4b-4c3d-8e2f-1a0b9c8d7e6f</Resource>', '<Resource>https://localhost:3000/api</Resource>'],
    ]);
    const file = write('faults.xml', text);
    const run = await validate(file, '--assets', assets);
    expect(run.code).toBe(1);
    const expected = [
      `faults.xml:${lineOf(text, '<Id>{')}: <Id> must be a GUID`,
      `faults.xml:${lineOf(text, '<Version>')}: <Version> must have four numbers (e.g. 1.0.0.0), not "1.0"`,
      `faults.xml:${lineOf(text, 'MinVersion="1.5"')}: Mailbox 1.5 is too old: Baton needs Mailbox 1.8`,
      `faults.xml:${lineOf(text, 'http://localhost')}: <bt:Image> URL http://localhost:3000/addin/assets/icon-32.png must use https`,
      `faults.xml:${lineOf(text, 'helpUrl')}: <bt:Url> URL https://cdn.example.com/help.html is not on the task pane's host https://localhost:3000`,
      `faults.xml:${lineOf(text, 'reviewLabl')}: <Label resid="reviewLabl"> names no resource`,
      `faults.xml:${lineOf(text, 'id="batonIntroButton"', 2)}: id "batonIntroButton" is used twice (also line ${lineOf(text, 'id="batonIntroButton"')})`,
      `faults.xml:${lineOf(text, '<bt:Image size="80"')}: icon addin/assets/icon-64.png is 64×64 px; it must be 80×80`,
      `faults.xml:${lineOf(text, '<Resource>')}: <WebApplicationInfo><Resource> must be the API's Application ID URI`,
    ];
    for (const line of expected) expect(run.stderr).toContain(line);
    expect(run.stderr).toMatch(/faults\.xml: \d+ problems\n$/);
    expect(run.stdout).toBe('');
  });

  it('reports an icon with no file behind it', async () => {
    const copy = path.join(dir, 'served');
    fs.cpSync(path.join(root, 'addin', 'assets'), path.join(copy, 'assets'), { recursive: true });
    fs.rmSync(path.join(copy, 'assets', 'icon-128.png'));
    const run = await validate(path.join(root, 'manifest.xml'), '--assets', copy);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`manifest.xml:${lineOf(manifest, '<HighResolutionIconUrl')}: icon https://localhost:3000/addin/assets/icon-128.png has no file at`);
  });

  it('reports a button surface that is gone', async () => {
    const text = broken([['xsi:type="AppointmentOrganizerCommandSurface"', 'xsi:type="AppointmentAttendeeCommandSurface"']]);
    const run = await validate(write('surface.xml', text), '--assets', assets);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("no AppointmentOrganizerCommandSurface extension point: Baton's button for it is missing");
  });
});
