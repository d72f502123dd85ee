// Throttling and injected faults: Outlook's limits per app and mailbox (4 concurrent requests, 10,000 requests per
// 10 minutes of sandbox time) answered with 429 and Retry-After, and faults switched on by tests and the demo page
// (429 storms, 503/504, latency, dropped or duplicated notifications, lifecycle events, expired delta and access
// tokens). Imports: zod, ./graph-error, and the types of the services it acts on.
import { z } from 'zod';
import type { ChangeFeed } from './change-feed';
import { GraphError, gatewayTimeout, serviceUnavailable, tooManyRequests } from './graph-error';
import type { IdentityService } from './identity';
import type { GraphCaller } from './sandbox';
import type { SandboxClock } from './sandbox-clock';
import type { LifecycleEvent, SubscriptionService } from './subscriptions';

export interface AdmitRequest {
  caller: GraphCaller;
  mailbox: string | null;
  method: string;
  url: string;
}

const share = z.number().min(0).max(1);
const injection = {
  /** Affect the next `count` matching requests (then switch off); null: use `share`. */
  count: z.number().int().min(0).nullable().default(null),
  /** Affect this share of matching requests (0–1), drawn from the random source. */
  share: share.default(0),
  /** Only requests to this mailbox (user id); null: every Graph request. */
  mailbox: z.string().nullable().default(null),
};

export const faultSettingsSchema = z.strictObject({
  /** Whether the 4-concurrent-requests limit counts per app and mailbox (Graph's older text) or per app. */
  concurrencyScope: z.enum(['mailbox', 'app']).default('mailbox'),
  concurrentRequests: z.number().int().min(1).default(4),
  requestsPerWindow: z.number().int().min(1).default(10_000),
  windowMinutes: z.number().positive().default(10),
  /** A 429 storm (`TooManyRequests`, as in Graph's throttling sample). */
  throttle: z.strictObject({ ...injection, retryAfterSeconds: z.number().positive().default(2) }).nullable().default(null),
  /** Injected 503 ServiceUnavailable or 504 GatewayTimeout. */
  serverErrors: z
    .strictObject({ ...injection, status: z.union([z.literal(503), z.literal(504)]).default(503), retryAfterSeconds: z.number().positive().nullable().default(null) })
    .nullable()
    .default(null),
  /** Added to every Graph request, real milliseconds. */
  latencyMs: z.number().int().min(0).default(0),
  notifications: z
    .strictObject({
      /** Share of change notifications never sent. */
      dropShare: share.default(0),
      /** Share of change notifications sent twice (the copy in a second POST). */
      duplicateShare: share.default(0),
      /** Added before each notification POST, real milliseconds. */
      delayMs: z.number().int().min(0).default(0),
    })
    .default({ dropShare: 0, duplicateShare: 0, delayMs: 0 }),
});
export type FaultSettings = z.infer<typeof faultSettingsSchema>;
export type FaultSettingsPatch = z.input<typeof faultSettingsSchema>;

export const faultActionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('missed'), subscriptionId: z.string() }),
  z.strictObject({ kind: z.literal('removeSubscription'), subscriptionId: z.string() }),
  z.strictObject({ kind: z.literal('reauthorizationRequired'), subscriptionId: z.string() }),
  /** Forgets the change feed so far: every delta token issued before answers 410 SyncStateNotFound. */
  z.strictObject({ kind: z.literal('expireDeltaTokens') }),
  /** Every access token issued so far is refused as expired (401). */
  z.strictObject({ kind: z.literal('expireTokens') }),
]);
export type FaultAction = z.infer<typeof faultActionSchema>;

export interface FaultStats {
  throttledConcurrency: number;
  throttledRate: number;
  injectedThrottles: number;
  injectedServerErrors: number;
  droppedNotifications: number;
  duplicatedNotifications: number;
  /** Requests in flight per concurrency key (`appId` or `appId|mailbox`). */
  inFlight: Record<string, number>;
}

/** What happens to one change notification. */
export type NotificationFate = 'deliver' | 'drop' | 'duplicate';

export interface Faults {
  /**
   * Called by the app for every /v1.0 request before its handler: throws Graph's 429/503/504 when a limit or an
   * injected fault applies, waits for injected latency, and returns the function to call when the response closes.
   */
  admit(request: AdmitRequest): Promise<() => void>;
  settings(): FaultSettings;
  /** Merges a patch into the settings (validated; a bad patch throws a ZodError) and returns them. */
  configure(patch: FaultSettingsPatch | Record<string, unknown>): FaultSettings;
  /** Back to Graph's plain limits, no injected faults; counters cleared. */
  reset(): FaultSettings;
  stats(): FaultStats;
  /** Decides the fate of one change notification (used by the subscription service). */
  notificationFate(): NotificationFate;
  /** One-shot faults: lifecycle events, a removed subscription, expired delta or access tokens. */
  trigger(action: FaultAction): Promise<void>;
}

export interface FaultsOptions {
  clock: SandboxClock;
  changes: ChangeFeed;
  identity: IdentityService;
  /** Resolved lazily: the subscription service is built after the faults it consults. */
  subscriptions: () => SubscriptionService;
  /** The random source for shares (deterministic in tests). */
  random?: () => number;
}

/** Segments after `/users/{id}` that Exchange Online (Outlook) serves; other /users paths are directory calls. */
const outlookSegments = new Set([
  'messages', 'mailfolders', 'events', 'calendar', 'calendars', 'calendarview', 'calendargroups', 'sendmail', 'mailboxsettings',
  'findmeetingtimes', 'contacts', 'contactfolders', 'inferenceclassification', 'outlook', 'reminderview', 'getmailtips',
]);

export function isOutlookRequest(url: string, mailbox: string | null): boolean {
  if (mailbox === null) return false;
  const m = /^\/v1\.0\/(?:users\/[^/?]+|me)\/([^/?(]+)/i.exec(url);
  return m?.[1] !== undefined && outlookSegments.has(m[1].toLowerCase());
}

const defaults = (): FaultSettings => faultSettingsSchema.parse({});

export function createFaults(options: FaultsOptions): Faults {
  const { clock } = options;
  const random = options.random ?? Math.random;
  let settings = defaults();
  const inFlight = new Map<string, number>();
  /** Sandbox-clock times (ms) of admitted Outlook requests per `appId|mailbox`, oldest first. */
  const windows = new Map<string, number[]>();
  const stats = { throttledConcurrency: 0, throttledRate: 0, injectedThrottles: 0, injectedServerErrors: 0, droppedNotifications: 0, duplicatedNotifications: 0 };

  /** Whether an injection hits this request; counts down `count` injections and switches them off at zero. */
  const hits = (inj: { count: number | null; share: number; mailbox: string | null }, mailbox: string | null): boolean => {
    if (inj.mailbox !== null && inj.mailbox.toLowerCase() !== (mailbox ?? '').toLowerCase()) return false;
    if (inj.count !== null) {
      if (inj.count <= 0) return false;
      inj.count--;
      return true;
    }
    return inj.share > 0 && random() < inj.share;
  };

  const rateCheck = (key: string, nowMs: number): number | null => {
    const windowMs = settings.windowMinutes * 60_000;
    let times = windows.get(key);
    if (!times) {
      times = [];
      windows.set(key, times);
    }
    let drop = 0;
    while (drop < times.length && (times[drop] ?? 0) <= nowMs - windowMs) drop++;
    if (drop > 0) times.splice(0, drop);
    if (times.length >= settings.requestsPerWindow) {
      const oldest = times[times.length - settings.requestsPerWindow] ?? nowMs;
      return (oldest + windowMs - nowMs) / 1000;
    }
    times.push(nowMs);
    return null;
  };

  const faults: Faults = {
    async admit({ caller, mailbox, method, url }) {
      // The $batch envelope is not an Outlook request; its inner requests pass here one by one.
      if (method === 'POST' && /^\/v1\.0\/\$batch(?:[/?]|$)/i.test(url)) return () => undefined;
      const throttle = settings.throttle;
      if (throttle && hits(throttle, mailbox)) {
        stats.injectedThrottles++;
        throw new GraphError(429, 'TooManyRequests', 'Please retry again later.', { 'Retry-After': String(throttle.retryAfterSeconds) });
      }
      const errors = settings.serverErrors;
      if (errors && hits(errors, mailbox)) {
        stats.injectedServerErrors++;
        throw errors.status === 503 ? serviceUnavailable(errors.retryAfterSeconds ?? undefined) : gatewayTimeout();
      }
      let release: () => void = () => undefined;
      if (isOutlookRequest(url, mailbox) && mailbox !== null) {
        const key = settings.concurrencyScope === 'app' ? caller.appId : `${caller.appId}|${mailbox}`;
        const current = inFlight.get(key) ?? 0;
        if (current >= settings.concurrentRequests) {
          stats.throttledConcurrency++;
          throw tooManyRequests(1, 'Application is over its MailboxConcurrency limit.');
        }
        const wait = rateCheck(`${caller.appId}|${mailbox}`, clock.now().getTime());
        if (wait !== null) {
          stats.throttledRate++;
          throw tooManyRequests(wait, 'Application is over its MailboxRequestRate limit.');
        }
        inFlight.set(key, current + 1);
        let released = false;
        release = () => {
          if (released) return;
          released = true;
          const n = (inFlight.get(key) ?? 1) - 1;
          if (n <= 0) inFlight.delete(key);
          else inFlight.set(key, n);
        };
      }
      if (settings.latencyMs > 0) {
        const ms = settings.latencyMs;
        await new Promise<void>((resolve) => setTimeout(resolve, ms));
      }
      return release;
    },
    settings: () => settings,
    configure(patch) {
      const merged: Record<string, unknown> = { ...settings, ...patch };
      const notifications = (patch as { notifications?: unknown }).notifications;
      if (notifications !== null && typeof notifications === 'object') merged['notifications'] = { ...settings.notifications, ...notifications };
      settings = faultSettingsSchema.parse(merged);
      return settings;
    },
    reset() {
      settings = defaults();
      windows.clear();
      for (const k of Object.keys(stats) as Array<keyof typeof stats>) stats[k] = 0;
      return settings;
    },
    stats: () => ({ ...stats, inFlight: Object.fromEntries(inFlight) }),
    notificationFate() {
      const n = settings.notifications;
      if (n.dropShare > 0 && random() < n.dropShare) {
        stats.droppedNotifications++;
        return 'drop';
      }
      if (n.duplicateShare > 0 && random() < n.duplicateShare) {
        stats.duplicatedNotifications++;
        return 'duplicate';
      }
      return 'deliver';
    },
    async trigger(action) {
      switch (action.kind) {
        case 'missed':
        case 'reauthorizationRequired':
          await options.subscriptions().sendLifecycle(action.subscriptionId, action.kind satisfies LifecycleEvent);
          return;
        case 'removeSubscription':
          await options.subscriptions().remove(action.subscriptionId);
          return;
        case 'expireDeltaTokens':
          options.changes.truncate(options.changes.head());
          return;
        case 'expireTokens':
          // Tokens carry `iat` in whole seconds: cut at this second, so a token fetched right after still works.
          options.identity.expireTokensIssuedBefore(new Date(Math.floor(clock.now().getTime() / 1000) * 1000));
          return;
      }
    },
  };
  return faults;
}
