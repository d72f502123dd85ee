// OData query options as Graph applies them to collections: $select, $orderby, $top, $skip and server-driven paging
// with `@odata.nextLink` ($skiptoken). $filter is compiled by ./odata-filter. Pure functions over JSON objects.
import { badRequest } from './graph-error';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface QueryOptions {
  select: string[] | null;
  orderBy: Array<{ path: string[]; desc: boolean }>;
  top: number | null;
  skip: number;
  filter: string | null;
  count: boolean;
}

const known = new Set(['$select', '$orderby', '$top', '$skip', '$filter', '$count', '$skiptoken', '$expand', '$search', '$format', '$deltatoken']);

/** Reads the $-options of a query string (case-insensitive names, as Graph does); unknown $-options → 400. */
export function parseQueryOptions(query: Record<string, unknown>): QueryOptions {
  const get = (name: string): string | null => {
    for (const [k, v] of Object.entries(query)) {
      if (k.toLowerCase() === name || k.toLowerCase() === name.slice(1)) {
        if (Array.isArray(v)) throw badRequest(`Query option '${name}' was specified more than once, but it must be specified at most once.`);
        return typeof v === 'string' ? v : null;
      }
    }
    return null;
  };
  for (const k of Object.keys(query)) {
    if (k.startsWith('$') && !known.has(k.toLowerCase())) throw badRequest(`Query option '${k}' is not allowed.`);
  }
  const top = get('$top');
  const skip = get('$skip');
  const orderBy = get('$orderby');
  const select = get('$select');
  const parseCount = (value: string | null, name: string): number | null => {
    if (value === null) return null;
    if (!/^\d+$/.test(value.trim())) throw badRequest(`Invalid value '${value}' for ${name} query option found.`);
    return Number(value);
  };
  return {
    select: select === null ? null : select.split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    orderBy:
      orderBy === null
        ? []
        : orderBy.split(',').map((part) => {
            const [path = '', dir = 'asc', extra] = part.trim().split(/\s+/);
            if (extra !== undefined || !/^(asc|desc)$/i.test(dir) || path === '') throw badRequest(`Invalid $orderby expression '${orderBy}'.`);
            return { path: path.split('/'), desc: dir.toLowerCase() === 'desc' };
          }),
    top: parseCount(top, '$top'),
    skip: parseCount(skip, '$skip') ?? 0,
    filter: get('$filter'),
    count: (get('$count') ?? 'false').toLowerCase() === 'true',
  };
}

/** A property path's value (`from/emailAddress/address`), case-insensitive on names like Graph. */
export function valueAt(item: Json, path: readonly string[]): Json | undefined {
  let current: Json | undefined = item;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    const obj: JsonObject = current;
    const key = Object.keys(obj).find((k) => k.toLowerCase() === segment.toLowerCase());
    current = key === undefined ? undefined : obj[key];
  }
  return current;
}

/** Projects an entity on $select; `id` and `@odata.*` annotations always stay, as Graph answers. */
export function project(item: JsonObject, select: readonly string[] | null, validNames?: ReadonlySet<string>): JsonObject {
  if (select === null) return item;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(item)) if (k.startsWith('@odata.')) out[k] = v;
  for (const name of select) {
    const key = Object.keys(item).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key === undefined) {
      if (validNames && !validNames.has(name.toLowerCase())) throw badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.entity'.`, 'RequestBroker--ParseUri');
      continue;
    }
    const value = item[key];
    if (value !== undefined) out[key] = value;
  }
  const id = item['id'];
  if (id !== undefined) out['id'] = id;
  return out;
}

function compare(a: Json | undefined, b: Json | undefined): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const text = (v: Json) => (typeof v === 'object' ? JSON.stringify(v) : String(v));
  return text(a).localeCompare(text(b), 'en', { sensitivity: 'base' });
}

export function orderItems<T extends Json>(items: T[], orderBy: QueryOptions['orderBy']): T[] {
  if (orderBy.length === 0) return items;
  return [...items].sort((x, y) => {
    for (const { path, desc } of orderBy) {
      const c = compare(valueAt(x, path), valueAt(y, path));
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  });
}

export interface Page<T> {
  value: T[];
  nextSkip: number | null;
}

/** Cuts one page: `$top` (capped at `maxPageSize`), or the default page size; says where the next page starts. */
export function pageOf<T>(items: readonly T[], options: { skip: number; top: number | null }, defaultPageSize: number, maxPageSize = 1000): Page<T> {
  const size = Math.min(options.top ?? defaultPageSize, maxPageSize);
  const value = items.slice(options.skip, options.skip + size);
  const next = options.skip + size;
  // Graph uses $top as the page size and links to the next page while items remain.
  const more = next < items.length;
  return { value, nextSkip: more ? next : null };
}

/** The same request URL with `$skip` moved on: Graph's `@odata.nextLink`. */
export function nextLink(requestUrl: URL, nextSkip: number): string {
  const u = new URL(requestUrl.toString());
  for (const k of [...u.searchParams.keys()]) if (k.toLowerCase() === '$skip' || k.toLowerCase() === '$skiptoken') u.searchParams.delete(k);
  u.searchParams.set('$skip', String(nextSkip));
  return u.toString();
}
