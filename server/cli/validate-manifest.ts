// `npm run validate:manifest [file] [--assets <folder served at /addin/>]`: checks the add-in manifest the way
// Outlook will read it: the XSDs (xmllint, against the copy in test/fixtures/office-xsd), office-addin-manifest's
// reader, then what the schema misses (https everywhere on one host, resids that resolve, unique ids, GUIDs, versions,
// icons that exist at their pixel size). Prints one line per problem and exits 1. Imports node:*, office-addin-manifest, ./png, ./xml-tree.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { OfficeAddinManifest } from 'office-addin-manifest';
import { pngSize } from './png';
import { allElements, readXml, type XmlElement } from './xml-tree';

const repoRoot = path.resolve(__dirname, '..', '..');
export const schemaFile = path.join(repoRoot, 'test', 'fixtures', 'office-xsd', 'OfficeAppManifestV1_1.xsd');

/** The Mailbox requirement set Baton's Office.js calls need (internet headers: see addin/office/mailbox.ts). */
const neededMailbox = '1.8';
/** Outlook's sizes: IconUrl 64 px, HighResolutionIconUrl 128 px; every button icon list at least 16, 32 and 80 px. */
const addinIconSizes: Readonly<Record<string, number>> = { IconUrl: 64, HighResolutionIconUrl: 128 };
const requiredButtonSizes = [16, 32, 80];
/** The command surfaces Baton's buttons live on. */
const requiredSurfaces = ['MessageComposeCommandSurface', 'MessageReadCommandSurface', 'AppointmentOrganizerCommandSurface'];

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Problem {
  line: number | null;
  message: string;
}

type ResourceKind = 'Images' | 'Urls' | 'ShortStrings' | 'LongStrings';

/** Which Resources list a resid on this element must name. */
function expectedKind(element: XmlElement): ResourceKind | null {
  switch (element.localName) {
    case 'Image':
      return 'Images';
    case 'SourceLocation':
    case 'FunctionFile':
      return 'Urls';
    case 'Label':
    case 'Title':
    case 'Tooltip':
      return 'ShortStrings';
    case 'Description':
      return 'LongStrings';
    default:
      return null;
  }
}

function versionAtLeast(actual: string, wanted: string): boolean {
  const [a1 = 0, a2 = 0] = actual.split('.').map(Number);
  const [w1 = 0, w2 = 0] = wanted.split('.').map(Number);
  return a1 > w1 || (a1 === w1 && a2 >= w2);
}

function schemaProblems(manifestPath: string, schema: string): Problem[] {
  const run = spawnSync('xmllint', ['--noout', '--schema', schema, manifestPath], { encoding: 'utf8' });
  if (run.error !== undefined) {
    return [{ line: null, message: `xmllint could not run (${run.error.message}): install libxml2-utils (Debian) to check the manifest against the schema` }];
  }
  if (run.status === 0) return [];
  const problems: Problem[] = [];
  for (const raw of run.stderr.split('\n')) {
    const text = raw.trim();
    if (text === '' || text.endsWith('fails to validate')) continue;
    const match = /^.*?:(\d+):\s*(.*)$/.exec(text);
    if (match?.[1] !== undefined) problems.push({ line: Number(match[1]), message: `schema: ${match[2] ?? text}` });
    else if (!text.startsWith('^') && problems.length < 50) problems.push({ line: null, message: `schema: ${text}` });
  }
  if (problems.length === 0) problems.push({ line: null, message: `schema: xmllint exited with ${String(run.status)}` });
  return problems;
}

/** What the schema cannot see; `assetsDir` is the folder the server serves at /addin/. */
export function semanticProblems(root: XmlElement, assetsDir: string): Problem[] {
  const problems: Problem[] = [];
  const add = (element: XmlElement | null | undefined, message: string): void => {
    problems.push({ line: element?.line ?? null, message });
  };
  const elements = allElements(root);
  const child = (parent: XmlElement, name: string): XmlElement | undefined => parent.children.find((c) => c.localName === name);

  // Ids and versions.
  const id = child(root, 'Id');
  if (!guidPattern.test(id?.text ?? '')) add(id ?? root, `<Id> must be a GUID such as 715c2072-0e73-4e89-8207-c4124b9962bb, not "${id?.text ?? ''}"`);
  const version = child(root, 'Version');
  if (!/^\d{1,5}(\.\d{1,5}){3}$/.test(version?.text ?? '')) add(version ?? root, `<Version> must have four numbers (e.g. 1.0.0.0), not "${version?.text ?? ''}"`);
  const permissions = child(root, 'Permissions');
  if (permissions?.text !== 'ReadWriteItem') add(permissions ?? root, `<Permissions> must be ReadWriteItem (Fill intro and Fill invite write the item), not "${permissions?.text ?? ''}"`);

  // Mailbox requirement set, at the top and in each VersionOverrides that states one.
  for (const sets of elements.filter((e) => e.localName === 'Sets')) {
    const mailbox = sets.children.find((s) => s.localName === 'Set' && s.attributes.Name === 'Mailbox');
    if (mailbox === undefined) {
      add(sets, 'the requirements name no Mailbox set');
      continue;
    }
    const min = mailbox.attributes.MinVersion ?? sets.attributes.DefaultMinVersion ?? '1.1';
    if (!versionAtLeast(min, neededMailbox)) add(mailbox, `Mailbox ${min} is too old: Baton needs Mailbox ${neededMailbox} (internet headers on the intro)`);
  }
  if (!elements.some((e) => e.localName === 'Sets')) add(root, 'no <Requirements> names the Mailbox set');

  const overrides = elements.filter((e) => e.localName === 'VersionOverrides');
  const v11 = overrides.find((e) => e.attributes['xsi:type'] === 'VersionOverridesV1_1');
  if (v11 === undefined) add(overrides[0] ?? root, 'no VersionOverrides 1.1: the buttons need it (pinning, WebApplicationInfo)');

  // URLs: https, one origin (the task pane's).
  const taskpane = elements.find((e) => e.localName === 'Url' && e.attributes.id === 'taskpaneUrl') ?? elements.find((e) => e.localName === 'SourceLocation' && e.attributes.DefaultValue !== undefined);
  let origin: string | null;
  try {
    origin = taskpane?.attributes.DefaultValue === undefined ? null : new URL(taskpane.attributes.DefaultValue).origin;
  } catch {
    origin = null;
  }
  if (origin === null) add(taskpane ?? root, 'no task pane URL (a bt:Url with id "taskpaneUrl", or a SourceLocation) to take the host from');
  for (const element of elements) {
    if (element.localName === 'Resource' || element.localName === 'Scope') continue; // api://… and scopes are not fetched
    const candidates = [...Object.entries(element.attributes).filter(([name]) => !name.startsWith('xmlns')).map(([, value]) => value), element.text];
    for (const value of candidates) {
      if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) continue;
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        add(element, `<${element.name}> holds "${value}", which is not a URL`);
        continue;
      }
      if (url.protocol !== 'https:') add(element, `<${element.name}> URL ${value} must use https (Outlook loads add-ins over HTTPS only)`);
      else if (origin !== null && url.origin !== origin) add(element, `<${element.name}> URL ${value} is not on the task pane's host ${origin}`);
    }
  }

  // Resources: unique ids, every resid resolves to the right kind.
  const resources = new Map<string, { kind: ResourceKind; element: XmlElement }>();
  for (const list of elements.filter((e) => ['Images', 'Urls', 'ShortStrings', 'LongStrings'].includes(e.localName))) {
    for (const entry of list.children) {
      const rid = entry.attributes.id ?? '';
      const existing = resources.get(rid);
      if (existing !== undefined) add(entry, `resource id "${rid}" is used twice (also line ${existing.element.line})`);
      else resources.set(rid, { kind: list.localName as ResourceKind, element: entry });
    }
  }
  for (const element of elements) {
    const resid = element.attributes.resid;
    if (resid === undefined) continue;
    const kind = expectedKind(element);
    const target = resources.get(resid);
    if (target === undefined) add(element, `<${element.name} resid="${resid}"> names no resource: add it under <Resources>`);
    else if (kind !== null && target.kind !== kind) add(element, `<${element.name} resid="${resid}"> must name a bt:${kind} entry, not bt:${target.kind}`);
  }

  // Unique control, group and custom tab ids (OfficeTab ids name Outlook's own tabs and repeat by design).
  const seenIds = new Map<string, XmlElement>();
  for (const element of elements.filter((e) => ['Control', 'Group', 'CustomTab', 'Item'].includes(e.localName))) {
    const controlId = element.attributes.id;
    if (controlId === undefined) continue;
    const first = seenIds.get(controlId);
    if (first !== undefined) add(element, `id "${controlId}" is used twice (also line ${first.line}): Outlook needs every control id unique`);
    else seenIds.set(controlId, element);
  }

  // The three surfaces, each with a button opening the task pane.
  for (const surface of requiredSurfaces) {
    const point = elements.find((e) => e.localName === 'ExtensionPoint' && e.attributes['xsi:type'] === surface);
    if (point === undefined) add(v11 ?? root, `no ${surface} extension point: Baton's button for it is missing`);
    else if (!allElements(point).some((e) => e.localName === 'Action' && e.attributes['xsi:type'] === 'ShowTaskpane')) add(point, `the ${surface} button does not open the task pane`);
  }

  // Icons: the files exist and have their declared pixel size.
  const iconFile = (element: XmlElement, url: string, size: number): void => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(url).pathname);
    } catch {
      return; // reported above
    }
    if (!pathname.startsWith('/addin/')) {
      add(element, `icon ${url} is not served from /addin/, where Baton serves the add-in's files`);
      return;
    }
    const file = path.join(assetsDir, pathname.slice('/addin/'.length));
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch {
      add(element, `icon ${url} has no file at ${path.relative(process.cwd(), file) || file}`);
      return;
    }
    const actual = pngSize(data);
    if (actual === null) add(element, `icon ${path.relative(process.cwd(), file)} is not a PNG`);
    else if (actual.width !== size || actual.height !== size) add(element, `icon ${path.relative(process.cwd(), file)} is ${actual.width}×${actual.height} px; it must be ${size}×${size}`);
  };
  for (const [name, size] of Object.entries(addinIconSizes)) {
    const element = child(root, name);
    if (element === undefined) add(root, `no <${name}>: Outlook shows a ${size}×${size} px icon for the add-in`);
    else if (element.attributes.DefaultValue !== undefined) iconFile(element, element.attributes.DefaultValue, size);
  }
  for (const icon of elements.filter((e) => e.localName === 'Icon')) {
    const sizes = icon.children.map((image) => Number(image.attributes.size));
    const missing = requiredButtonSizes.filter((s) => !sizes.includes(s));
    if (missing.length > 0) add(icon, `the button icon has no ${missing.join(', ')} px image (Outlook needs 16, 32 and 80)`);
    for (const image of icon.children) {
      const target = resources.get(image.attributes.resid ?? '');
      const url = target?.element.attributes.DefaultValue;
      if (target?.kind === 'Images' && url !== undefined) iconFile(image, url, Number(image.attributes.size));
    }
  }

  // Sign-in: the API's client id and its Application ID URI.
  const webApp = elements.find((e) => e.localName === 'WebApplicationInfo');
  if (webApp === undefined) add(v11 ?? root, 'no <WebApplicationInfo>: Office cannot sign the user in to Baton\'s API');
  else {
    const appId = child(webApp, 'Id')?.text ?? '';
    const resource = child(webApp, 'Resource');
    if (!guidPattern.test(appId)) add(child(webApp, 'Id') ?? webApp, `<WebApplicationInfo><Id> must be the API's client id (a GUID), not "${appId}"`);
    const value = resource?.text ?? '';
    if (!value.startsWith('api://') || !value.endsWith(appId)) add(resource ?? webApp, `<WebApplicationInfo><Resource> must be the API's Application ID URI, api://…/${appId}, not "${value}"`);
  }
  return problems;
}

export interface ManifestReport {
  problems: Problem[];
  /** What office-addin-manifest read, when it could. */
  summary: string | null;
}

export async function validateManifest(manifestPath: string, assetsDir: string, schema: string = schemaFile): Promise<ManifestReport> {
  const problems = schemaProblems(manifestPath, schema);
  let summary: string | null = null;
  try {
    const info = await OfficeAddinManifest.readManifestFile(manifestPath);
    summary = `${info.displayName ?? '(no name)'} ${info.version ?? '(no version)'}, id ${info.id ?? '(none)'}, ${info.officeAppType ?? '(no type)'} for ${(info.hosts ?? []).join(', ')}`;
    if (info.officeAppType !== 'MailApp') problems.push({ line: null, message: `office-addin-manifest reads a ${info.officeAppType ?? 'typeless'} add-in; Baton's is a MailApp` });
  } catch (error) {
    problems.push({ line: null, message: `office-addin-manifest cannot read it: ${error instanceof Error ? error.message : String(error)}` });
  }
  let root: XmlElement | null = null;
  try {
    root = readXml(fs.readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    // xmllint has reported the same fault with more detail; keep this line for a file it accepted.
    if (problems.length === 0) problems.push({ line: null, message: `not readable as XML: ${error instanceof Error ? error.message : String(error)}` });
  }
  if (root !== null) problems.push(...semanticProblems(root, assetsDir));
  return { problems, summary };
}

/** The folder served at /addin/: `addin/` beside a source manifest, else the manifest's own folder (a build in dist/addin). */
export function defaultAssetsDir(manifestPath: string): string {
  const beside = path.join(path.dirname(manifestPath), 'addin');
  return fs.existsSync(path.join(beside, 'assets')) ? beside : path.dirname(manifestPath);
}

async function main(argv: readonly string[]): Promise<number> {
  let manifestArg: string | undefined;
  let assetsArg: string | undefined;
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    if (arg === '--assets') assetsArg = argv[++k];
    else if (arg !== undefined && !arg.startsWith('--')) manifestArg = arg;
    else {
      console.error(`validate:manifest: unknown option ${String(arg)}; usage: validate-manifest [manifest.xml] [--assets <folder served at /addin/>]`);
      return 2;
    }
  }
  const manifestPath = path.resolve(manifestArg ?? path.join(repoRoot, 'manifest.xml'));
  if (!fs.existsSync(manifestPath)) {
    console.error(`validate:manifest: ${manifestPath} does not exist`);
    return 1;
  }
  const assetsDir = path.resolve(assetsArg ?? defaultAssetsDir(manifestPath));
  const shown = path.relative(process.cwd(), manifestPath) || manifestPath;
  const { problems, summary } = await validateManifest(manifestPath, assetsDir);
  if (problems.length === 0) {
    console.log(`${shown}: valid (schema, office-addin-manifest, https on one host, resources, ids, versions, icons): ${summary ?? ''}`);
    return 0;
  }
  for (const p of problems) console.error(`${shown}${p.line === null ? '' : `:${String(p.line)}`}: ${p.message}`);
  console.error(`${shown}: ${String(problems.length)} problem${problems.length === 1 ? '' : 's'}`);
  return 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error('validate:manifest failed:', error);
      process.exitCode = 1;
    },
  );
}
