// The process's one msal-node ConfidentialClientApplication (client secret or certificate) and one Graph client built
// with an explicit middleware chain: the SDK's AuthenticationHandler → Baton's GraphSeam → the SDK's HTTPMessageHandler
// (no SDK RetryHandler: it retries POSTs on 503/504). `call` runs Graph work and turns whatever fails into a
// GatewayError. Imports: @azure/msal-node, @microsoft/microsoft-graph-client, node:crypto, node:async_hooks,
// server/domain, server/log, ./graph-seam, ./graph-errors.
import { AsyncLocalStorage } from 'node:async_hooks';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { ConfidentialClientApplication, type Configuration, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { AuthenticationHandler, Client, HTTPMessageHandler } from '@microsoft/microsoft-graph-client';
import { GatewayError } from '../domain/mailbox';
import type { Logger } from '../log';
import { toGatewayError } from './graph-errors';
import { GraphSeam, defaultBackoff, type SeamFailure, type SeamLimits, type SeamStats } from './graph-seam';

export interface GraphConnectionOptions {
  readonly tenantId: string;
  readonly clientId: string;
  /** One of the two credentials. */
  readonly clientSecret?: string;
  /** A PEM holding the private key and the certificate registered on the app. */
  readonly certificatePem?: string;
  /** `https://login.microsoftonline.com`, or the sandbox's origin (`https://127.0.0.1:3100`). */
  readonly authorityHost: string;
  /** Graph's origin without the version: `https://graph.microsoft.com`, or the sandbox's origin. */
  readonly baseUrl: string;
  /** Used by msal-node for metadata and tokens (e.g. a fetch that trusts the sandbox's CA). */
  readonly fetch?: typeof fetch;
  /** An undici dispatcher for the Graph client's requests (`fetchOptions: { dispatcher }`). */
  readonly dispatcher?: unknown;
  readonly limits: SeamLimits;
  /** Waits between retries; injectable so tests see the waits without spending them. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger: Logger;
  /** Attempts per request, the first included (default 5). */
  readonly maxAttempts?: number;
  /** Wait before retry `attempt` when Graph gave no Retry-After (default 1 s, doubling, at most 30 s). */
  readonly backoffMs?: (attempt: number) => number;
  /** Default `https://graph.microsoft.com/.default`. */
  readonly scope?: string;
}

export interface GraphConnection {
  /** Runs Graph work with the one client; anything thrown comes out as a GatewayError (original error as `cause`). */
  call<T>(work: (client: Client) => Promise<T>): Promise<T>;
  /** An app token from msal-node (its cache first). */
  token(options?: { fresh?: boolean }): Promise<string>;
  /** What the seam did so far (requests, retries, throttling, token refreshes, in-flight counts). */
  stats(): SeamStats;
  readonly tenantId: string;
  /** The waits and attempts the seam uses, for work that retries above it ($batch sub-requests). */
  readonly sleep: (ms: number) => Promise<void>;
  readonly maxAttempts: number;
  readonly backoffMs: (attempt: number) => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** msal-node's network module over a given fetch (the same seam as production, trusting the sandbox's CA in tests). */
function networkClient(fetchImpl: typeof fetch): INetworkModule {
  const send = async <T>(url: string, method: 'GET' | 'POST', options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const res = await fetchImpl(url, { method, headers: options?.headers ?? {}, ...(method === 'POST' ? { body: options?.body ?? '' } : {}) });
    const text = await res.text();
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      body = { error: 'invalid_response', error_description: text.slice(0, 200) };
    }
    return { status: res.status, headers: Object.fromEntries(res.headers), body: body as T };
  };
  return { sendGetRequestAsync: (url, o) => send(url, 'GET', o), sendPostRequestAsync: (url, o) => send(url, 'POST', o) };
}

/** The certificate credential msal-node wants, from one PEM with the private key and the certificate. */
export function certificateCredential(pem: string): { thumbprintSha256: string; privateKey: string; x5c: string } {
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (cert === undefined) throw new Error('certificatePem holds no certificate');
  const keyPem = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.exec(pem)?.[0];
  if (keyPem === undefined) throw new Error('certificatePem holds no private key');
  // msal-node reads PKCS#8 (`BEGIN PRIVATE KEY`) only.
  const privateKey = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'pem' }).toString();
  const thumbprintSha256 = new X509Certificate(cert).fingerprint256.replace(/:/g, '').toLowerCase();
  return { thumbprintSha256, privateKey, x5c: cert };
}

const microsoftAuthorityHosts = /(^|\.)(login\.microsoftonline\.(com|us)|login\.partner\.microsoftonline\.cn|login\.chinacloudapi\.cn)$/i;
const microsoftGraphHosts = /(^|\.)(graph\.microsoft\.(com|us)|dod-graph\.microsoft\.us|microsoftgraph\.chinacloudapi\.cn)$/i;

export function createGraphConnection(options: GraphConnectionOptions): GraphConnection {
  const hasSecret = options.clientSecret !== undefined && options.clientSecret !== '';
  const hasCert = options.certificatePem !== undefined && options.certificatePem !== '';
  if (hasSecret === hasCert) throw new Error('Give exactly one Graph credential: clientSecret or certificatePem');
  const authorityUrl = new URL(options.authorityHost);
  const graphUrl = new URL(options.baseUrl);
  if (graphUrl.pathname !== '/' && graphUrl.pathname !== '') throw new Error(`baseUrl must be an origin without a path (the client adds /v1.0): ${options.baseUrl}`);

  const auth: Configuration['auth'] = {
    clientId: options.clientId,
    authority: `${authorityUrl.origin}/${options.tenantId}`,
    // Outside Microsoft's clouds msal-node would call login.microsoftonline.com for instance discovery.
    ...(microsoftAuthorityHosts.test(authorityUrl.hostname) ? {} : { knownAuthorities: [authorityUrl.host] }),
    ...(hasSecret ? { clientSecret: options.clientSecret } : { clientCertificate: certificateCredential(options.certificatePem ?? '') }),
  };
  const msal = new ConfidentialClientApplication({ auth, ...(options.fetch ? { system: { networkClient: networkClient(options.fetch) } } : {}) });
  const scopes = [options.scope ?? 'https://graph.microsoft.com/.default'];

  /** Per `call`: the original error behind what the Graph client wraps, and whether the work may have been applied. */
  const scope = new AsyncLocalStorage<{ error: unknown; failure: SeamFailure | null }>();

  const token = async (opts: { fresh?: boolean } = {}): Promise<string> => {
    try {
      const result = await msal.acquireTokenByClientCredential({ scopes, ...(opts.fresh === true ? { skipCache: true } : {}) });
      if (!result) throw new GatewayError('auth', 'msal-node returned no token');
      return result.accessToken;
    } catch (e) {
      const store = scope.getStore();
      if (store) store.error = e;
      throw e;
    }
  };

  const sleep = options.sleep ?? realSleep;
  const maxAttempts = options.maxAttempts ?? 5;
  const backoffMs = options.backoffMs ?? defaultBackoff;
  const seam = new GraphSeam({
    limits: options.limits,
    maxAttempts,
    sleep,
    backoffMs,
    logger: options.logger,
    freshToken: () => token({ fresh: true }),
    onFailure: (failure) => {
      const store = scope.getStore();
      if (store) {
        store.failure = failure;
        if (failure.error !== null) store.error = failure.error;
      }
    },
  });
  const authentication = new AuthenticationHandler({ getAccessToken: () => token() });
  authentication.setNext(seam);
  seam.setNext(new HTTPMessageHandler());

  const customHosts = microsoftGraphHosts.test(graphUrl.hostname) ? undefined : new Set([graphUrl.hostname]);
  const client = Client.initWithMiddleware({
    middleware: authentication,
    baseUrl: graphUrl.origin,
    defaultVersion: 'v1.0',
    // The client attaches the token only to Graph's hosts and these (bare hostnames): else no Authorization, no error.
    ...(customHosts ? { customHosts } : {}),
    ...(options.dispatcher === undefined ? {} : { fetchOptions: { dispatcher: options.dispatcher } as RequestInit }),
  });

  return {
    tenantId: options.tenantId,
    token,
    sleep,
    maxAttempts,
    backoffMs,
    stats: () => ({ ...seam.stats, inFlight: { ...seam.stats.inFlight }, maxInFlight: { ...seam.stats.maxInFlight } }),
    async call<T>(work: (client: Client) => Promise<T>): Promise<T> {
      const store: { error: unknown; failure: SeamFailure | null } = { error: undefined, failure: null };
      return scope.run(store, async () => {
        try {
          return await work(client);
        } catch (e) {
          if (e instanceof GatewayError) throw e;
          // The Graph client wraps what a middleware throws in its own GraphError (status -1, message only):
          // map the original instead when it is known.
          const status = (e as { statusCode?: unknown } | null)?.statusCode;
          const unanswered = typeof status !== 'number' || status <= 0;
          const original = unanswered && store.error !== undefined ? store.error : e;
          const mapped = toGatewayError(original, { maybeApplied: store.failure?.maybeApplied === true });
          throw mapped;
        }
      });
    },
  };
}
