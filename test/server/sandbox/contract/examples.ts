// Microsoft's documented Graph examples (/work/shared/graph/examples/*.json, described in SOURCES.md there) for the
// contract tests: loading, and comparing the shape of an answer with an example's (top-level keys, and the keys of
// the items of a `value` array). Imports: node (fs, path) only.
import fs from 'node:fs';
import path from 'node:path';

export const examplesDir = '/work/shared/graph/examples';

export interface ExampleMessage {
  method: string | null;
  url: string | null;
  headers: Record<string, string>;
  body: unknown;
}

export interface Example {
  /** File name without `.json`: `user-post-events.1`. */
  name: string;
  source: string;
  title: string;
  request: ExampleMessage | null;
  response: { status: number | null; headers: Record<string, string>; body: unknown } | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every request/response example (the two data tables, graph-error-codes and outlook-limits, left out). */
export function loadExamples(dir: string = examplesDir): Example[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ f, json: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as unknown }))
    .filter((x): x is { f: string; json: Record<string, unknown> } => isObject(x.json) && 'request' in x.json && 'response' in x.json)
    .map(({ f, json }) => ({
      name: f.replace(/\.json$/, ''),
      source: String(json['source']),
      title: String(json['title']),
      request: (json['request'] ?? null) as ExampleMessage | null,
      response: (json['response'] ?? null) as Example['response'],
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Whom an example's request goes to: Graph (replayed against the sandbox) or the app (a notification Graph posts). */
export function direction(e: Example): 'toGraph' | 'toApp' | 'none' {
  const url = e.request?.url;
  if (url === null || url === undefined) return 'none';
  return /^https:\/\/graph\.microsoft\.com\//i.test(url) ? 'toGraph' : 'toApp';
}

/**
 * The keys of `example` missing from `actual`: top-level keys as `'key'`, and for a `value` array the keys of its items
 * (all items merged) as `'value[].key'`. Extra keys in `actual` are fine: the docs' examples are abridged.
 */
export function missingKeys(example: unknown, actual: unknown): string[] {
  if (!isObject(example)) return [];
  if (!isObject(actual)) return Object.keys(example).map((k) => `'${k}'`);
  const missing = Object.keys(example)
    .filter((k) => !(k in actual))
    .map((k) => `'${k}'`);
  const exampleItems = itemKeys(example['value']);
  if (exampleItems.size > 0) {
    const actualItems = itemKeys(actual['value']);
    for (const k of exampleItems) if (!actualItems.has(k)) missing.push(`'value[].${k}'`);
  }
  return missing;
}

function itemKeys(value: unknown): Set<string> {
  const keys = new Set<string>();
  if (Array.isArray(value)) for (const item of value) if (isObject(item)) for (const k of Object.keys(item)) keys.add(k);
  return keys;
}

/** Replaces every occurrence of each key by its value, in a URL or in a JSON body (strings only, keys kept). */
export function substitute<T>(value: T, map: Record<string, string>): T {
  const swap = (s: string): string => Object.entries(map).reduce((acc, [from, to]) => acc.split(from).join(to), s);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return swap(v);
    if (Array.isArray(v)) return v.map(walk);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** The Graph path and query of an example's URL (`/v1.0/me/events`), host removed. */
export const graphPath = (url: string): string => url.replace(/^https:\/\/graph\.microsoft\.com/i, '');
