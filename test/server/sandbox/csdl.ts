// Microsoft Graph's v1.0 CSDL (/work/shared/graph/v1.0.csdl.gz) for the sandbox contract tests:
// the schema as a model (types with inherited properties, navigation properties, enums, the container, bound
// operations), a resolver of Graph URL paths to their type, and a checker of JSON bodies against a type.
// Imports: node (fs, zlib, path) only; the XML is read by a small tag scanner (CSDL needs no more than tags).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export const defaultCsdlPath = '/work/shared/graph/v1.0.csdl.gz';

/** A type as CSDL writes a property or return type: qualified name and whether it is `Collection(...)`. */
export interface TypeRef {
  /** Qualified name (`microsoft.graph.event`, `Edm.String`); aliases (`graph.`, `self.`) are expanded. */
  type: string;
  collection: boolean;
}

export interface CsdlProperty extends TypeRef {
  name: string;
}

export interface CsdlNavigationProperty extends TypeRef {
  name: string;
  containsTarget: boolean;
}

export interface CsdlStructuredType {
  kind: 'entity' | 'complex';
  /** Qualified name. */
  name: string;
  baseType: string | null;
  abstract: boolean;
  openType: boolean;
  hasStream: boolean;
  /** Own (declared) properties; `properties()` of the model adds the inherited ones. */
  properties: Map<string, CsdlProperty>;
  navigation: Map<string, CsdlNavigationProperty>;
}

export interface CsdlEnumType {
  name: string;
  isFlags: boolean;
  members: Set<string>;
}

export interface CsdlOperation {
  kind: 'action' | 'function';
  name: string;
  /** The binding parameter's type (its first parameter). */
  binding: TypeRef;
  parameters: CsdlProperty[];
  returnType: TypeRef | null;
  /** A composable function's result can be addressed further (`IsComposable`); an action's never. */
  composable: boolean;
}

export interface CsdlModel {
  readonly structured: ReadonlyMap<string, CsdlStructuredType>;
  readonly enums: ReadonlyMap<string, CsdlEnumType>;
  /** Entity sets and singletons of the entity container, by name. */
  readonly entitySets: ReadonlyMap<string, string>;
  readonly singletons: ReadonlyMap<string, string>;
  /** Bound actions and functions by name (overloads bound to different types share a name). */
  readonly operations: ReadonlyMap<string, readonly CsdlOperation[]>;
  /** A structured type by qualified name (case-insensitive; `#` and `microsoft.graph.` optional). */
  type(name: string): CsdlStructuredType | undefined;
  enumType(name: string): CsdlEnumType | undefined;
  /** Structural properties of a type, inherited ones included. */
  properties(type: string): Map<string, CsdlProperty>;
  navigation(type: string): Map<string, CsdlNavigationProperty>;
  /** `type` itself and its base types, most derived first. */
  lineage(type: string): string[];
  isDerivedFrom(type: string, base: string): boolean;
  /** Bound operations named `name` (prefix `microsoft.graph.` optional, case-insensitive) that bind to `on`. */
  boundOperation(name: string, on: TypeRef): CsdlOperation | undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

interface Tag {
  name: string;
  attrs: Record<string, string>;
  closing: boolean;
  selfClosing: boolean;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decodeXml = (s: string): string =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
    e.startsWith('#x') || e.startsWith('#X') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : (entities[e] ?? m),
  );

/** The element tags of an XML document in order (text, comments and processing instructions skipped). */
function* xmlTags(xml: string): Generator<Tag> {
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>/g;
  const attr = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  for (let m = tag.exec(xml); m !== null; m = tag.exec(xml)) {
    const name = m[2];
    if (name === undefined) continue;
    const attrs: Record<string, string> = {};
    for (let a = attr.exec(m[3] ?? ''); a !== null; a = attr.exec(m[3] ?? '')) attrs[a[1] ?? ''] = decodeXml(a[2] ?? a[3] ?? '');
    attr.lastIndex = 0;
    yield { name, attrs, closing: m[1] === '/', selfClosing: m[4] === '/' };
  }
}

type PendingOperation = Omit<CsdlOperation, 'binding' | 'parameters'> & { rawParams: Array<{ name: string; type: string }> };

/** Parses CSDL XML text into a model. */
export function parseCsdl(xml: string): CsdlModel {
  const structured = new Map<string, CsdlStructuredType>();
  const enums = new Map<string, CsdlEnumType>();
  const entitySets = new Map<string, string>();
  const singletons = new Map<string, string>();
  const operations = new Map<string, CsdlOperation[]>();

  // Aliases are resolved once every schema is known: collect raw names first.
  const aliases = new Map<string, string>();
  let namespace = '';
  const stack: string[] = [];
  let currentType: CsdlStructuredType | null = null;
  let currentEnum: CsdlEnumType | null = null;
  let currentOp: PendingOperation | null = null;
  const pendingOps: PendingOperation[] = [];
  const raw = (ref: string): TypeRef => {
    const m = /^Collection\((.*)\)$/.exec(ref);
    return { type: m?.[1] ?? ref, collection: m !== null };
  };

  for (const t of xmlTags(xml)) {
    if (t.closing) {
      const open = stack.pop();
      if (open === 'EntityType' || open === 'ComplexType') currentType = null;
      else if (open === 'EnumType') currentEnum = null;
      else if (open === 'Action' || open === 'Function') currentOp = null;
      continue;
    }
    const a = t.attrs;
    switch (t.name) {
      case 'Schema':
        namespace = a['Namespace'] ?? '';
        if (a['Alias']) aliases.set(a['Alias'], namespace);
        break;
      case 'EntityType':
      case 'ComplexType': {
        const name = `${namespace}.${a['Name'] ?? ''}`;
        currentType = {
          kind: t.name === 'EntityType' ? 'entity' : 'complex',
          name,
          baseType: a['BaseType'] ?? null,
          abstract: a['Abstract'] === 'true',
          openType: a['OpenType'] === 'true',
          hasStream: a['HasStream'] === 'true',
          properties: new Map(),
          navigation: new Map(),
        };
        structured.set(name, currentType);
        break;
      }
      case 'Property':
        if (currentType && (stack[stack.length - 1] === 'EntityType' || stack[stack.length - 1] === 'ComplexType')) {
          const name = a['Name'] ?? '';
          currentType.properties.set(name, { name, ...raw(a['Type'] ?? '') });
        }
        break;
      case 'NavigationProperty':
        if (currentType) {
          const name = a['Name'] ?? '';
          currentType.navigation.set(name, { name, ...raw(a['Type'] ?? ''), containsTarget: a['ContainsTarget'] === 'true' });
        }
        break;
      case 'EnumType':
        currentEnum = { name: `${namespace}.${a['Name'] ?? ''}`, isFlags: a['IsFlags'] === 'true', members: new Set() };
        enums.set(currentEnum.name, currentEnum);
        break;
      case 'Member':
        if (currentEnum && stack[stack.length - 1] === 'EnumType') currentEnum.members.add(a['Name'] ?? '');
        break;
      case 'Action':
      case 'Function':
        if (a['IsBound'] === 'true') {
          currentOp = { kind: t.name === 'Action' ? 'action' : 'function', name: a['Name'] ?? '', returnType: null, composable: a['IsComposable'] === 'true', rawParams: [] };
          pendingOps.push(currentOp);
        }
        break;
      case 'Parameter':
        if (currentOp) currentOp.rawParams.push({ name: a['Name'] ?? '', type: a['Type'] ?? '' });
        break;
      case 'ReturnType':
        if (currentOp) currentOp.returnType = raw(a['Type'] ?? '');
        break;
      case 'EntitySet':
        entitySets.set(a['Name'] ?? '', a['EntityType'] ?? '');
        break;
      case 'Singleton':
        singletons.set(a['Name'] ?? '', a['Type'] ?? '');
        break;
      default:
        break;
    }
    if (!t.selfClosing) stack.push(t.name);
  }

  const qualify = (name: string): string => {
    if (name.startsWith('Edm.')) return name;
    const dot = name.lastIndexOf('.');
    const ns = name.slice(0, dot);
    return `${aliases.get(ns) ?? ns}.${name.slice(dot + 1)}`;
  };
  const q = (r: TypeRef): TypeRef => ({ type: qualify(r.type), collection: r.collection });
  for (const s of structured.values()) {
    if (s.baseType !== null) s.baseType = qualify(s.baseType);
    for (const p of s.properties.values()) p.type = qualify(p.type);
    for (const n of s.navigation.values()) n.type = qualify(n.type);
  }
  for (const [k, v] of entitySets) entitySets.set(k, qualify(v));
  for (const [k, v] of singletons) singletons.set(k, qualify(v));
  for (const op of pendingOps) {
    const [bindingParam, ...params] = op.rawParams;
    if (bindingParam === undefined) continue;
    const done: CsdlOperation = {
      kind: op.kind,
      name: op.name,
      binding: q(raw(bindingParam.type)),
      parameters: params.map((p) => ({ name: p.name, ...q(raw(p.type)) })),
      returnType: op.returnType ? q(op.returnType) : null,
      composable: op.composable,
    };
    const key = op.name.toLowerCase();
    operations.set(key, [...(operations.get(key) ?? []), done]);
  }

  const lowerTypes = new Map([...structured.values()].map((s) => [s.name.toLowerCase(), s]));
  const lowerEnums = new Map([...enums.values()].map((e) => [e.name.toLowerCase(), e]));
  const normalName = (name: string): string => {
    const n = name.replace(/^#/, '').toLowerCase();
    return n.includes('.') ? n : `microsoft.graph.${n}`;
  };
  const propertyCache = new Map<string, Map<string, CsdlProperty>>();
  const navigationCache = new Map<string, Map<string, CsdlNavigationProperty>>();

  const model: CsdlModel = {
    structured,
    enums,
    entitySets,
    singletons,
    operations,
    type: (name) => lowerTypes.get(normalName(name)),
    enumType: (name) => lowerEnums.get(normalName(name)),
    lineage(type) {
      const out: string[] = [];
      for (let t = model.type(type); t !== undefined; t = t.baseType === null ? undefined : model.type(t.baseType)) out.push(t.name);
      return out;
    },
    properties(type) {
      const key = type.toLowerCase();
      const cached = propertyCache.get(key);
      if (cached) return cached;
      const all = new Map<string, CsdlProperty>();
      for (const t of model.lineage(type).reverse()) for (const [k, v] of structured.get(t)?.properties ?? []) all.set(k, v);
      propertyCache.set(key, all);
      return all;
    },
    navigation(type) {
      const key = type.toLowerCase();
      const cached = navigationCache.get(key);
      if (cached) return cached;
      const all = new Map<string, CsdlNavigationProperty>();
      for (const t of model.lineage(type).reverse()) for (const [k, v] of structured.get(t)?.navigation ?? []) all.set(k, v);
      navigationCache.set(key, all);
      return all;
    },
    isDerivedFrom: (type, base) => model.lineage(type).some((t) => t.toLowerCase() === base.toLowerCase()),
    boundOperation(name, on) {
      const candidates = operations.get(name.replace(/^microsoft\.graph\./i, '').toLowerCase()) ?? [];
      // The most specific binding wins (an overload bound to the type itself before one bound to a base type).
      for (const t of model.lineage(on.type)) {
        const hit = candidates.find((op) => op.binding.collection === on.collection && op.binding.type === t);
        if (hit) return hit;
      }
      return undefined;
    },
  };
  return model;
}

let cached: CsdlModel | null = null;

/** The Graph v1.0 model, parsed once per process (per Jest test file: each has its own module registry). */
export function loadCsdl(file: string = defaultCsdlPath): CsdlModel {
  if (cached && file === defaultCsdlPath) return cached;
  const gz = fs.readFileSync(path.resolve(file));
  const model = parseCsdl(zlib.gunzipSync(gz).toString('utf8'));
  if (file === defaultCsdlPath) cached = model;
  return model;
}

// ---------------------------------------------------------------------------------------------------------------
// Resolving a Graph URL path

/** What a resolved path addresses: a structured or primitive type, nothing (an action without a result), or protocol. */
export type PathTarget =
  | { kind: 'type'; ref: TypeRef }
  | { kind: 'none' }
  /** `$batch`, `$metadata`, `$count`, `$value`: OData protocol, not schema. */
  | { kind: 'protocol'; segment: string };

export interface ResolvedSegment {
  segment: string;
  as: 'entitySet' | 'singleton' | 'key' | 'navigation' | 'property' | 'action' | 'function' | 'cast' | 'protocol';
  result: PathTarget;
}

export type Resolution = { ok: true; target: PathTarget; segments: ResolvedSegment[] } | { ok: false; segment: string; index: number; reason: string; segments: ResolvedSegment[] };

const keyParam = /^:[\w]+$|^\{[^}]*\}$/;

/** The segments of a path after `/v1.0`: query dropped, `name('key')` split into `name` and `key`, decoded. */
export function pathSegments(urlPath: string): string[] {
  let p = urlPath.split('?')[0] ?? '';
  p = p.replace(/^https?:\/\/[^/]+/i, '').replace(/^\/?v1\.0(?=\/|$)/i, '');
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '') continue;
    const m = /^([^(]+)\((.*)\)$/.exec(s);
    if (m) {
      out.push(m[1] ?? '');
      const key = (m[2] ?? '').replace(/^'(.*)'$/, '$1');
      if (key !== '') out.push(key);
    } else out.push(s);
  }
  return out.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
}

const findCaseless = <V>(map: ReadonlyMap<string, V>, name: string): V | undefined => {
  const exact = map.get(name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const [k, v] of map) if (k.toLowerCase() === lower) return v;
  return undefined;
};

/**
 * Walks a Graph URL path (after `/v1.0`; a full URL or a route pattern with `:param` keys also works) per the rules of
 * /work/shared/graph/README.md: each segment is an entity set or singleton, a key, a navigation property of the
 * current type, or a bound action or function of it (`microsoft.graph.` optional). Two OData forms Graph also serves
 * are allowed: a structural property of a single entity or complex value (`/users/{id}/mailboxSettings`), and a cast
 * to a derived type (`/messages/{id}/microsoft.graph.eventMessage`). `$batch`, `$metadata`, `$count` and `$value`
 * (on a media entity or a primitive property) are protocol. Only a composable function's result takes more segments.
 * Names match case-insensitively, as Graph's URLs do.
 */
export function resolveGraphPath(model: CsdlModel, urlPath: string): Resolution {
  const segments = pathSegments(urlPath);
  const walked: ResolvedSegment[] = [];
  const composableResult = new Set<ResolvedSegment>();
  const fail = (index: number, reason: string): Resolution => ({ ok: false, segment: segments[index] ?? '', index, reason, segments: walked });
  if (segments.length === 0) return fail(0, 'empty path');
  let target: PathTarget | null = null;

  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] ?? '';
    const lower = seg.toLowerCase();
    const push = (as: ResolvedSegment['as'], result: PathTarget): PathTarget => {
      walked.push({ segment: seg, as, result });
      return result;
    };

    if (target === null) {
      if (lower === '$batch' || lower === '$metadata') {
        if (i !== segments.length - 1) return fail(i + 1, `nothing follows ${seg}`);
        target = push('protocol', { kind: 'protocol', segment: seg });
        continue;
      }
      const set = findCaseless(model.entitySets, seg);
      if (set !== undefined) {
        target = push('entitySet', { kind: 'type', ref: { type: set, collection: true } });
        continue;
      }
      const single = findCaseless(model.singletons, seg);
      if (single !== undefined) {
        target = push('singleton', { kind: 'type', ref: { type: single, collection: false } });
        continue;
      }
      return fail(i, `'${seg}' is not an entity set or singleton of the container`);
    }

    const current: PathTarget = target;
    if (current.kind !== 'type') return fail(i, `nothing can follow ${current.kind === 'none' ? 'an operation without a result' : 'a protocol segment'}`);
    const previous = walked[walked.length - 1];
    if (previous && (previous.as === 'action' || previous.as === 'function') && !composableResult.has(previous)) {
      return fail(i, `the result of '${previous.segment}' is not composable: nothing can follow it`);
    }
    const ref = current.ref;
    const structuredType = model.type(ref.type);
    const isEntity = structuredType?.kind === 'entity';

    // A bound action or function of the current type (or of a base type it derives from).
    const op = keyParam.test(seg) ? undefined : model.boundOperation(seg, ref);
    if (op) {
      target = push(op.kind, op.returnType ? { kind: 'type', ref: op.returnType } : { kind: 'none' });
      const last = walked[walked.length - 1];
      if (op.composable && last) composableResult.add(last);
      continue;
    }
    // A cast to a derived type: `microsoft.graph.eventMessage`.
    if (/^microsoft\.graph\./i.test(seg)) {
      const cast = model.type(seg);
      if (cast && model.isDerivedFrom(cast.name, ref.type)) {
        target = push('cast', { kind: 'type', ref: { type: cast.name, collection: ref.collection } });
        continue;
      }
      return fail(i, `'${seg}' is not a bound operation of ${describe(ref)} nor a type derived from it`);
    }
    if (ref.collection) {
      if (lower === '$count') {
        target = push('protocol', { kind: 'protocol', segment: seg });
        continue;
      }
      if (!isEntity) return fail(i, `${describe(ref)} is not a collection of entities: it has no keys`);
      target = push('key', { kind: 'type', ref: { type: ref.type, collection: false } });
      continue;
    }
    if (lower === '$value') {
      const primitive = ref.type.startsWith('Edm.') || model.enumType(ref.type) !== undefined;
      if (primitive || structuredType?.hasStream === true) {
        target = push('protocol', { kind: 'protocol', segment: seg });
        continue;
      }
      return fail(i, `$value needs a media entity (HasStream) or a primitive property; ${ref.type} is neither`);
    }
    if (structuredType === undefined) return fail(i, `${ref.type} has no properties`);
    const nav = findCaseless(model.navigation(ref.type), seg);
    if (nav) {
      target = push('navigation', { kind: 'type', ref: { type: nav.type, collection: nav.collection } });
      continue;
    }
    const prop = findCaseless(model.properties(ref.type), seg);
    if (prop) {
      target = push('property', { kind: 'type', ref: { type: prop.type, collection: prop.collection } });
      continue;
    }
    return fail(i, `'${seg}' is not a navigation property, property or bound operation of ${describe(ref)}`);
  }
  return { ok: true, target: target ?? { kind: 'none' }, segments: walked };
}

export const describe = (ref: TypeRef): string => (ref.collection ? `Collection(${ref.type})` : ref.type);

// ---------------------------------------------------------------------------------------------------------------
// Checking a body against a type

export interface BodyProblem {
  /** JSON path of the offending value: `value[0].attendees[1].status.response`. */
  at: string;
  kind: 'unknownProperty' | 'enumValue' | 'valueKind' | 'odataType' | 'shape';
  /** The CSDL type the value was checked against. */
  type: string;
  detail: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const primitiveKinds: Record<string, 'string' | 'number' | 'boolean'> = {
  'Edm.String': 'string',
  'Edm.Guid': 'string',
  'Edm.DateTimeOffset': 'string',
  'Edm.Date': 'string',
  'Edm.TimeOfDay': 'string',
  'Edm.Duration': 'string',
  'Edm.Binary': 'string',
  'Edm.Boolean': 'boolean',
  'Edm.Byte': 'number',
  'Edm.SByte': 'number',
  'Edm.Int16': 'number',
  'Edm.Int32': 'number',
  'Edm.Int64': 'number',
  'Edm.Single': 'number',
  'Edm.Double': 'number',
  'Edm.Decimal': 'number',
};

/**
 * Checks a JSON body against a CSDL type: every property name exists on the type (structural or navigation, with the
 * inherited ones; a `@odata.type` cast to a derived type widens the names), every enum value is a member (flags enums
 * comma-separated), and primitive values have the JSON kind of their Edm type. Annotations (`@odata.context`,
 * `@removed`, `event@odata.context`) are not properties. Open types are held to their declared properties too: Graph
 * declares Outlook items open, but it never answers dynamic properties for them. For a collection `ref` the body is
 * `{ value: [...] }`; for a primitive or enum it is `{ value: x }`.
 */
export function checkBody(model: CsdlModel, body: unknown, ref: TypeRef): BodyProblem[] {
  const problems: BodyProblem[] = [];
  if (!isObject(body)) {
    problems.push({ at: '', kind: 'shape', type: describe(ref), detail: 'the body is not a JSON object' });
    return problems;
  }
  const structuredTop = model.type(ref.type);
  if (ref.collection || structuredTop === undefined) {
    for (const k of Object.keys(body)) {
      if (k !== 'value' && !k.startsWith('@')) problems.push({ at: k, kind: 'unknownProperty', type: describe(ref), detail: `'${k}' beside 'value' of a ${ref.collection ? 'collection' : 'primitive'} answer` });
    }
    if (!('value' in body)) problems.push({ at: 'value', kind: 'shape', type: describe(ref), detail: "no 'value'" });
    else checkValue(model, body['value'], ref, 'value', problems);
    return problems;
  }
  checkValue(model, body, ref, '', problems);
  return problems;
}

function checkValue(model: CsdlModel, value: unknown, ref: TypeRef, at: string, problems: BodyProblem[]): void {
  if (value === null || value === undefined) return;
  if (ref.collection) {
    if (!Array.isArray(value)) {
      problems.push({ at, kind: 'shape', type: describe(ref), detail: 'expected a JSON array' });
      return;
    }
    value.forEach((item, i) => {
      checkValue(model, item, { type: ref.type, collection: false }, `${at}[${i}]`, problems);
    });
    return;
  }
  const enumType = model.enumType(ref.type);
  if (enumType && !ref.type.startsWith('Edm.')) {
    if (typeof value !== 'string') {
      problems.push({ at, kind: 'valueKind', type: ref.type, detail: `expected an enum member name (string), got ${JSON.stringify(value)}` });
      return;
    }
    const parts = enumType.isFlags ? value.split(',').map((s) => s.trim()) : [value];
    for (const p of parts) {
      if (!enumType.members.has(p)) problems.push({ at, kind: 'enumValue', type: ref.type, detail: `'${p}' is not a member of ${ref.type} (${[...enumType.members].join(', ')})` });
    }
    return;
  }
  if (ref.type.startsWith('Edm.')) {
    const kind = primitiveKinds[ref.type];
    if (kind !== undefined && typeof value !== kind) problems.push({ at, kind: 'valueKind', type: ref.type, detail: `expected a ${kind}, got ${JSON.stringify(value)}` });
    return;
  }
  let type = model.type(ref.type);
  if (type === undefined) {
    problems.push({ at, kind: 'shape', type: ref.type, detail: 'unknown type in the schema' });
    return;
  }
  if (!isObject(value)) {
    problems.push({ at, kind: 'valueKind', type: type.name, detail: `expected a JSON object, got ${JSON.stringify(value)}` });
    return;
  }
  const cast = value['@odata.type'];
  if (typeof cast === 'string') {
    const derived = model.type(cast);
    if (derived === undefined) problems.push({ at: join(at, '@odata.type'), kind: 'odataType', type: type.name, detail: `'${cast}' names no type of the schema` });
    else if (!model.isDerivedFrom(derived.name, type.name)) problems.push({ at: join(at, '@odata.type'), kind: 'odataType', type: type.name, detail: `'${cast}' does not derive from ${type.name}` });
    else type = derived;
  }
  const properties = model.properties(type.name);
  const navigation = model.navigation(type.name);
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('@') || k.includes('@')) continue;
    const prop = properties.get(k) ?? navigation.get(k);
    if (prop === undefined) {
      problems.push({ at: join(at, k), kind: 'unknownProperty', type: type.name, detail: `'${k}' is not a property of ${type.name}` });
      continue;
    }
    checkValue(model, v, prop, join(at, k), problems);
  }
}

const join = (at: string, k: string): string => (at === '' ? k : `${at}.${k}`);

/** One line per problem, for test failure messages. */
export const formatProblems = (problems: readonly BodyProblem[]): string => problems.map((p) => `${p.at || '(body)'}: ${p.detail}`).join('\n');
