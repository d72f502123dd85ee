// The one seam every Graph request passes (a Graph client middleware between the SDK's AuthenticationHandler and its
// HTTPMessageHandler): adds `Prefer: IdType="ImmutableId"`, caps concurrent requests per mailbox or per app, honours
// Retry-After on 429, retries 503/504/network failures of idempotent requests only, gets one fresh token on a 401,
// and counts what it did. Imports: the SDK's Middleware and Context types, server/log, ./graph-errors.
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { Logger } from '../log';
import { parseRetryAfter, toGatewayError } from './graph-errors';

export interface SeamLimits {
  /** Outlook counts 4 concurrent requests per app and mailbox (older text) or per app across mailboxes (newer). */
  readonly concurrencyScope: 'app' | 'mailbox';
  readonly maxConcurrency: number;
}

export interface SeamOptions {
  readonly limits: SeamLimits;
  /** Attempts per request, the first included (429, 503/504 and network failures). */
  readonly maxAttempts: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger: Logger;
  /** A token fetched past the cache, after a 401 (msal-node judges expiry by real time; the service may not). */
  readonly freshToken: () => Promise<string>;
  /** Told of each request that failed without a usable answer, and of what was at stake (see graph-connection). */
  readonly onFailure?: (failure: SeamFailure) => void;
  /** Wait before retry `attempt` (1-based) when Graph gave no Retry-After. */
  readonly backoffMs?: (attempt: number) => number;
}

export interface SeamFailure {
  /** The original error (network) or null when Graph answered (the client raises its own error then). */
  readonly error: unknown;
  /** A request that is not safe to repeat got a 5xx or no answer: it may have had its effect. */
  readonly maybeApplied: boolean;
}

export interface SeamStats {
  /** Requests that entered the seam. */
  requests: number;
  /** Requests sent to the network, retries included. */
  attempts: number;
  retries: number;
  throttled: number;
  serverErrors: number;
  networkErrors: number;
  tokenRefreshes: number;
  /** 5xx or network failures not retried because the request is not idempotent. */
  notRetried: number;
  /** Requests being sent right now, and the most seen at once, per concurrency key. */
  inFlight: Record<string, number>;
  maxInFlight: Record<string, number>;
}

const immutableId = 'IdType="ImmutableId"';

/** The mailbox of `/users/{id}/...` (also `users('{id}')`), lower-cased; null when the URL names none. */
export function mailboxOf(url: string): string | null {
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0] ?? '';
  const m = /^\/?(?:v1\.0\/|beta\/)?users(?:\/([^/]+)|\('([^']+)'\))/i.exec(path);
  const raw = m?.[1] ?? m?.[2];
  if (raw === undefined) return null;
  let id = raw;
  try {
    id = decodeURIComponent(raw);
  } catch {
    // keep the raw segment
  }
  return id.replace(/^'|'$/g, '').toLowerCase();
}

function pathOf(url: string): string {
  return (url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0] ?? '').replace(/^\/?(?:v1\.0|beta)(?=\/)/i, '');
}

interface InnerBatchRequest {
  method?: unknown;
  url?: unknown;
}

function batchRequests(body: unknown): InnerBatchRequest[] | null {
  if (typeof body !== 'string') return null;
  try {
    const parsed = JSON.parse(body) as { requests?: unknown };
    return Array.isArray(parsed.requests) ? (parsed.requests as InnerBatchRequest[]) : null;
  } catch {
    return null;
  }
}

/**
 * Whether repeating the request after a 5xx or a lost answer cannot do the work twice: GET, PUT, PATCH, DELETE;
 * POST `/events` carrying a `transactionId` (Graph answers a repeat with the first event); `getSchedule` (a read);
 * a `$batch` of GETs only. Never `sendMail` nor `/send`.
 */
export function isRetrySafe(method: string, url: string, body: unknown): boolean {
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'PUT' || m === 'PATCH' || m === 'DELETE' || m === 'HEAD') return true;
  if (m !== 'POST') return false;
  const path = pathOf(url);
  if (/\/sendMail$/i.test(path) || /\/send$/i.test(path)) return false;
  if (/\/calendar\/getSchedule$/i.test(path)) return true;
  if (/^\/\$batch$/i.test(path)) {
    const inner = batchRequests(body);
    return inner !== null && inner.length > 0 && inner.every((r) => typeof r.method === 'string' && r.method.toUpperCase() === 'GET');
  }
  if (/\/events$/i.test(path) && typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { transactionId?: unknown };
      return typeof parsed.transactionId === 'string' && parsed.transactionId !== '';
    } catch {
      return false;
    }
  }
  return false;
}

type HeaderBag = Headers | string[][] | Record<string, string>;

function readHeader(headers: HeaderBag | undefined, name: string): string | null {
  if (headers === undefined) return null;
  if (headers instanceof Headers) return headers.get(name);
  if (Array.isArray(headers)) return headers.find(([k]) => k?.toLowerCase() === name)?.[1] ?? null;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? null : (headers[key] ?? null);
}

function writeHeader(options: { headers?: HeaderBag }, name: string, value: string): void {
  const headers = options.headers;
  if (headers === undefined) {
    options.headers = { [name]: value };
  } else if (headers instanceof Headers) {
    headers.set(name, value);
  } else if (Array.isArray(headers)) {
    const i = headers.findIndex(([k]) => k?.toLowerCase() === name.toLowerCase());
    if (i >= 0) headers.splice(i, 1);
    headers.push([name, value]);
  } else {
    const existing = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
    headers[existing ?? name] = value;
  }
}

/** Adds `IdType="ImmutableId"` to a Prefer value (kept: `odata.maxpagesize`, `outlook.timezone`, …). */
export function withImmutableId(prefer: string | null): string {
  if (prefer === null || prefer.trim() === '') return immutableId;
  if (/IdType\s*=/i.test(prefer)) return prefer;
  return `${prefer}, ${immutableId}`;
}

/** Counting semaphores keyed by mailbox (or one for the app). */
function createLimiter(max: number, stats: SeamStats) {
  const slots = new Map<string, { active: number; waiting: (() => void)[] }>();
  return async (key: string): Promise<() => void> => {
    let slot = slots.get(key);
    if (!slot) {
      slot = { active: 0, waiting: [] };
      slots.set(key, slot);
    }
    const s = slot;
    if (s.active >= max) await new Promise<void>((resolve) => s.waiting.push(resolve));
    s.active++;
    stats.inFlight[key] = s.active;
    stats.maxInFlight[key] = Math.max(stats.maxInFlight[key] ?? 0, s.active);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      s.active--;
      stats.inFlight[key] = s.active;
      const next = s.waiting.shift();
      if (next) next();
      else if (s.active === 0) slots.delete(key);
    };
  };
}

export const defaultBackoff = (attempt: number): number => Math.min(30_000, 1000 * 2 ** (attempt - 1));

async function discard(response: Response): Promise<void> {
  try {
    await response.arrayBuffer();
  } catch {
    // the body of an answer we drop: nothing to do
  }
}

export class GraphSeam implements Middleware {
  readonly stats: SeamStats = {
    requests: 0, attempts: 0, retries: 0, throttled: 0, serverErrors: 0, networkErrors: 0, tokenRefreshes: 0, notRetried: 0, inFlight: {}, maxInFlight: {},
  };
  private next: Middleware | undefined;
  private readonly acquire: (key: string) => Promise<() => void>;

  constructor(private readonly options: SeamOptions) {
    if (!Number.isInteger(options.limits.maxConcurrency) || options.limits.maxConcurrency < 1) throw new Error('maxConcurrency must be a positive integer');
    if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) throw new Error('maxAttempts must be a positive integer');
    this.acquire = createLimiter(options.limits.maxConcurrency, this.stats);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }

  private keyOf(url: string, body: unknown): string {
    if (this.options.limits.concurrencyScope === 'app') return 'app';
    const direct = mailboxOf(url);
    if (direct !== null) return direct;
    // A $batch counts against the mailbox its inner requests name, when they all name the same one.
    const inner = batchRequests(body);
    if (inner) {
      const boxes = new Set(inner.map((r) => (typeof r.url === 'string' ? mailboxOf(r.url) : null)));
      const only = boxes.size === 1 ? [...boxes][0] : undefined;
      if (only !== undefined && only !== null) return only;
    }
    return '*';
  }

  async execute(context: Context): Promise<void> {
    const next = this.next;
    if (!next) throw new Error('GraphSeam needs a next middleware');
    this.stats.requests++;
    const options = (context.options ??= {}) as RequestInit & { headers?: HeaderBag };
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const method = (options.method ?? (typeof context.request === 'string' ? 'GET' : context.request.method)).toUpperCase();
    const body: unknown = options.body;
    writeHeader(options, 'Prefer', withImmutableId(readHeader(options.headers, 'prefer')));
    const key = this.keyOf(url, body);
    const retrySafe = isRetrySafe(method, url, body);
    const { maxAttempts, sleep, logger } = this.options;
    const backoff = this.options.backoffMs ?? defaultBackoff;
    const log = { method, path: pathOf(url), mailbox: key };
    let refreshed = false;

    for (let attempt = 1; ; attempt++) {
      const release = await this.acquire(key);
      this.stats.attempts++;
      try {
        await next.execute(context);
      } catch (error) {
        release();
        this.stats.networkErrors++;
        if (retrySafe && attempt < maxAttempts) {
          const wait = backoff(attempt);
          logger.debug({ ...log, attempt, waitMs: wait, err: error }, 'graph request failed on the network; retrying');
          this.stats.retries++;
          await sleep(wait);
          continue;
        }
        if (!retrySafe) this.stats.notRetried++;
        this.options.onFailure?.({ error, maybeApplied: !retrySafe });
        throw toGatewayError(error, { maybeApplied: !retrySafe });
      }
      release();
      const response = context.response;
      if (!response) return;
      const status = response.status;

      if (status === 401 && !refreshed && readHeader(options.headers, 'authorization') !== null) {
        refreshed = true;
        this.stats.tokenRefreshes++;
        await discard(response);
        const token = await this.options.freshToken();
        writeHeader(options, 'Authorization', `Bearer ${token}`);
        logger.debug(log, 'graph refused the token; resending once with a fresh one');
        attempt--; // a refused token is not an attempt of the work
        continue;
      }
      if (status === 429) {
        this.stats.throttled++;
        if (attempt < maxAttempts) {
          const wait = parseRetryAfter(response.headers.get('retry-after')) ?? backoff(attempt);
          logger.debug({ ...log, attempt, waitMs: wait }, 'graph throttled the request; waiting as asked');
          await discard(response);
          this.stats.retries++;
          await sleep(wait);
          continue;
        }
        return;
      }
      if (status >= 500) {
        this.stats.serverErrors++;
        const transient = status === 503 || status === 504;
        if (transient && retrySafe && attempt < maxAttempts) {
          const wait = parseRetryAfter(response.headers.get('retry-after')) ?? backoff(attempt);
          logger.debug({ ...log, attempt, status, waitMs: wait }, 'graph answered a server error; retrying');
          await discard(response);
          this.stats.retries++;
          await sleep(wait);
          continue;
        }
        if (!retrySafe) this.stats.notRetried++;
        this.options.onFailure?.({ error: null, maybeApplied: !retrySafe });
      }
      return;
    }
  }
}
