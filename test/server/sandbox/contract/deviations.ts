// Where the sandbox departs from Graph's v1.0 CSDL: the departures Microsoft documents (exempt, with the reason) and
// the sandbox's own (known deviations, to fix). The contract tests hold the known lists exact, so a fix or a new
// deviation fails them until the list here is updated. Imports: ../csdl (types), ./recorder.
import type { BodyProblem, CsdlModel } from '../csdl';
import { checkExchange, exchangeName, type Exchange } from './recorder';

/** Routes (`METHOD pattern`) that do not resolve in the CSDL although Microsoft documents them, with the reason. */
export const documentedRouteExemptions: Readonly<Record<string, string>> = {
  'GET /v1.0/users/:user/messages/:id/$value':
    "Microsoft documents GET /messages/{id}/$value for a message's MIME content (message-get.md, Example 4: examples/message-get.4.json), but the v1.0 CSDL does not declare microsoft.graph.message HasStream.",
  'GET /v1.0/me/messages/:id/$value': 'As GET /v1.0/users/:user/messages/:id/$value.',
};

/** Routes that do not resolve and are not documented: sandbox bugs. */
export const knownRouteDeviations: readonly string[] = [];

/** Names and values in the sandbox's bodies that the CSDL lacks but Microsoft's documented answers show, keyed as `findingKey`. */
export const documentedBodyExemptions: Readonly<Record<string, string>> = {
  "microsoft.graph.resourceData: 'id' unknownProperty":
    "resourceData is an open complex type with no declared property; Microsoft's notifications carry the item's id in it " +
    '(examples change-notifications-delivery-webhooks.3, outlook-change-notifications-overview.1 and .3).',
  "microsoft.graph.resourceData: '@odata.type' odataType":
    "Microsoft's notifications type resourceData as the changed item ('#Microsoft.Graph.Message'), which does not derive from " +
    'microsoft.graph.resourceData (same examples).',
};

/** Unknown names, enum values and value kinds in the sandbox's bodies: sandbox bugs, keyed as `findingKey`. */
export const knownBodyDeviations: readonly string[] = [];

/** Whether `METHOD /v1.0/...` (a concrete URL) is served by the route `METHOD pattern` (`:param` segments). */
export function routeMatches(route: string, method: string, url: string): boolean {
  const [routeMethod, pattern] = route.split(' ');
  if (routeMethod !== method.toUpperCase() || pattern === undefined) return false;
  const re = new RegExp(`^${pattern.replace(/[.$]/g, (c) => `\\${c}`).replace(/:[\w]+/g, '[^/]+')}/?$`, 'i');
  return re.test(url.split('?')[0] ?? '');
}

export const documentedRouteOf = (method: string, url: string): string | undefined => Object.keys(documentedRouteExemptions).find((r) => routeMatches(r, method, url));

/** A problem as a finding: the CSDL type, the name or value, and what is wrong (array indices and values dropped). */
export function findingKey(p: BodyProblem): string {
  if (p.kind === 'odataType') return `${p.type}: '@odata.type' odataType`;
  const name = p.at.split('.').pop()?.replace(/\[\d+\]$/, '') ?? '';
  if (p.kind === 'enumValue') return `${p.type}: ${/^'[^']*'/.exec(p.detail)?.[0] ?? p.detail} enumValue at '${name}'`;
  return `${p.type}: '${name}' ${p.kind}`;
}

/** The findings of recorded exchanges, by key, with where each was seen. A documented raw answer ($value) is skipped. */
export function exchangeFindings(model: CsdlModel, exchanges: readonly Exchange[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of exchanges) {
    if (documentedRouteOf(e.method, e.url) !== undefined) continue;
    for (const p of checkExchange(model, e).problems) {
      const key = findingKey(p);
      out.set(key, [...(out.get(key) ?? []), `${exchangeName(e)} at ${p.at}: ${p.detail}`]);
    }
  }
  return out;
}
