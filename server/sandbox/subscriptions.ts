// Change notifications as Graph sends them: subscriptions (create with the validation handshake, get, list, renew,
// delete, reauthorize), delivery of batched notifications for the changes in ./change-feed to each notificationUrl
// with retries, and lifecycle notifications (reauthorizationRequired, subscriptionRemoved, missed). Subscriptions with
// resource data (includeResourceData) get the item's selected properties encrypted for the subscriber's certificate
// and validation tokens, as https://learn.microsoft.com/graph/change-notifications-with-resource-data describes.
// Imports: ./change-feed, ./directory, ./faults (types), ./graph-error, ./ids, ./odata. No HTTP routes here.
import { constants, createCipheriv, createHmac, publicEncrypt, randomBytes, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import type { Change, ChangeFeed, ChangeType, ItemKind } from './change-feed';
import type { Directory } from './directory';
import type { Faults } from './faults';
import { GraphError, badRequest, userNotFound } from './graph-error';
import { newChangeKey } from './ids';
import { project, type JsonObject } from './odata';
import { checkSubscriptionPermission } from './permissions';
import type { GraphCaller } from './sandbox';
import type { SandboxClock } from './sandbox-clock';

export type LifecycleEvent = 'missed' | 'subscriptionRemoved' | 'reauthorizationRequired';

export interface SubscriptionTimings {
  /** How long the notification endpoint may take to echo the validation token (Graph: 10 s), real ms. */
  validationTimeoutMs: number;
  /** A notification POST must get a 2xx within this (Graph: 3 s), real ms. */
  deliveryTimeoutMs: number;
  /** Waits before each retry of a failed POST, real ms; after the last, the notifications are given up (`missed`). */
  retryDelaysMs: readonly number[];
  /** Notifications for one notificationUrl gathered this long into one POST, real ms. */
  batchWindowMs: number;
  /** Most notifications in one POST. */
  maxBatchSize: number;
  /** `reauthorizationRequired` is sent once this close to expiry, sandbox-clock ms. */
  reauthorizeBeforeMs: number;
  /** How often expiry is checked besides on clock moves, real ms. */
  sweepIntervalMs: number;
}

export const defaultSubscriptionTimings: SubscriptionTimings = {
  validationTimeoutMs: 10_000,
  deliveryTimeoutMs: 3_000,
  retryDelaysMs: [1_000, 10_000, 60_000, 300_000],
  batchWindowMs: 2,
  maxBatchSize: 50,
  reauthorizeBeforeMs: 15 * 60_000,
  sweepIntervalMs: 1_000,
};

/** Graph's longest lifetime for subscriptions to Outlook messages and events, minutes. */
export const outlookMaxLifetimeMinutes = 10_080;

export interface SubscriptionTarget {
  userId: string;
  kind: ItemKind;
  /** For messages in one folder: the folder as written (well-known name or id). */
  folder: string | null;
  /** That folder's id in the change feed, when the mail service resolved it. */
  folderId: string | null;
}

export interface SubscriptionRecord {
  id: string;
  resource: string;
  applicationId: string;
  changeType: string;
  clientState: string | null;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  expirationDateTime: Date;
  creatorId: string;
  latestSupportedTlsVersion: string;
  notificationQueryOptions: string | null;
  notificationUrlAppId: string | null;
  target: SubscriptionTarget;
  changeTypes: ReadonlySet<ChangeType>;
  reauthorizationSent: boolean;
  /** Set when the subscription asked for resource data: the certificate the data key is encrypted for. */
  encryption: SubscriptionEncryption | null;
  /** The resource's `$select` (the properties a notification with resource data carries). */
  select: string[] | null;
}

export interface SubscriptionEncryption {
  /** As given: base64 DER of the X.509 certificate. */
  certificate: string;
  certificateId: string;
  /** Hex SHA-1 of the certificate, upper case (the `encryptionCertificateThumbprint` of notifications). */
  thumbprint: string;
  publicKey: KeyObject;
}

/** `changeNotificationEncryptedContent`. */
export interface EncryptedContent {
  data: string;
  dataKey: string;
  dataSignature: string;
  encryptionCertificateId: string;
  encryptionCertificateThumbprint: string;
}

/** One item of a `changeNotificationCollection.value`, as Graph posts it. */
export interface ChangeNotification {
  /** The notification's own id (change notifications; lifecycle notifications carry none). */
  id?: string;
  subscriptionId: string;
  subscriptionExpirationDateTime: string;
  changeType?: ChangeType;
  resource?: string;
  resourceData?: { '@odata.type': string; '@odata.id': string; '@odata.etag': string; id: string };
  clientState?: string;
  tenantId: string;
  lifecycleEvent?: LifecycleEvent;
  encryptedContent?: EncryptedContent;
}

export interface PendingDelivery {
  url: string;
  kind: 'change' | 'lifecycle';
  state: 'batching' | 'sending' | 'retrying';
  notifications: number;
  /** Attempts made so far. */
  attempts: number;
  /** Real time of the next attempt, for a retry. */
  nextAttemptAt: string | null;
}

export interface DeliveryStats {
  /** Notifications a receiver acknowledged (2xx within the timeout). */
  delivered: number;
  /** POSTs that failed (error, non-2xx, or too slow). */
  failedAttempts: number;
  /** Notifications given up after the last retry. */
  abandoned: number;
  lifecycleSent: number;
}

export interface SubscriptionService {
  /** Validates the body, runs the validation handshake on the URLs, then stores the subscription. */
  create(caller: GraphCaller, body: unknown): Promise<SubscriptionRecord>;
  get(caller: GraphCaller, id: string): SubscriptionRecord;
  list(caller: GraphCaller): SubscriptionRecord[];
  /** PATCH: renew (`expirationDateTime`) or move (`notificationUrl`, validated again). */
  update(caller: GraphCaller, id: string, body: unknown): Promise<SubscriptionRecord>;
  delete(caller: GraphCaller, id: string): void;
  /** POST /subscriptions/{id}/reauthorize. */
  reauthorize(caller: GraphCaller, id: string): void;
  /** The Graph `subscription` resource (without `@odata.context`). */
  toGraph(subscription: SubscriptionRecord): JsonObject;
  /** Every live subscription, of every app (the sandbox's control page). */
  all(): SubscriptionRecord[];
  /** Sends a lifecycle notification to the subscription's lifecycleNotificationUrl (none when it has none). */
  sendLifecycle(id: string, event: LifecycleEvent): Promise<void>;
  /** Removes a subscription as the service would, with a `subscriptionRemoved` lifecycle notification. */
  remove(id: string): Promise<void>;
  pendingDeliveries(): PendingDelivery[];
  stats(): DeliveryStats;
  /** Resolves once nothing is batching, sending or waiting for a retry. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface SubscriptionServiceOptions {
  directory: Directory;
  changes: ChangeFeed;
  clock: SandboxClock;
  faults: Faults;
  fetch: typeof fetch;
  tenantId: string;
  timings?: Partial<SubscriptionTimings>;
  /**
   * Resolves a mail folder's well-known name or id to the id the change feed uses (the mail service's), throwing
   * Graph's error for an unknown folder. Without it, a folder matches the change feed's `folderId` by name.
   */
  folderIdOf?: (userId: string, nameOrId: string) => string;
  /** The item as a GET answers it, for notifications with resource data; null when it is gone. */
  resourceOf?: (userId: string, kind: ItemKind, itemId: string) => JsonObject | null;
  /** A validation token for the subscribing app (identity), for notifications with resource data. */
  validationToken?: (appId: string) => Promise<string>;
}

/**
 * Encrypts a resource as Graph does: a random 256-bit key; the JSON under AES-256-CBC with PKCS#7 padding and the
 * key's first 16 bytes as IV; an HMAC-SHA256 of the ciphertext with the key; the key under RSA-OAEP (SHA-1).
 */
export function encryptResource(resource: JsonObject, encryption: SubscriptionEncryption): EncryptedContent {
  const key = randomBytes(32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  const data = Buffer.concat([cipher.update(JSON.stringify(resource), 'utf8'), cipher.final()]);
  return {
    data: data.toString('base64'),
    dataKey: publicEncrypt({ key: encryption.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, key).toString('base64'),
    dataSignature: createHmac('sha256', key).update(data).digest('base64'),
    encryptionCertificateId: encryption.certificateId,
    encryptionCertificateThumbprint: encryption.thumbprint,
  };
}

/** The `$select` of a subscription's resource URL, or null. */
function selectOf(resource: string): string[] | null {
  const query = resource.split('?')[1];
  if (query === undefined) return null;
  for (const part of query.split('&')) {
    const [name, value] = part.split('=');
    if (name !== undefined && decodeURIComponent(name).trim().toLowerCase() === '$select' && value !== undefined) {
      const names = decodeURIComponent(value.replace(/\+/g, ' ')).split(',').map((n) => n.trim()).filter((n) => n !== '');
      return names.length > 0 ? names : null;
    }
  }
  return null;
}

// The properties of microsoft.graph.subscription (CSDL); read-only ones are accepted and ignored on input.
const writable = new Set(['changeType', 'notificationUrl', 'lifecycleNotificationUrl', 'resource', 'expirationDateTime', 'clientState', 'latestSupportedTlsVersion', 'includeResourceData', 'encryptionCertificate', 'encryptionCertificateId', 'notificationQueryOptions', 'notificationUrlAppId']);
const ignored = new Set(['id', 'applicationId', 'creatorId', '@odata.type', 'notificationContentType']);
const tlsVersions = ['v1_0', 'v1_1', 'v1_2', 'v1_3'];
/** A change notification's id: short and opaque, like Graph's ('lsgTZMr9KwAAA'). */
const newNotificationId = (): string => randomBytes(9).toString('base64url');
const changeTypeNames: readonly ChangeType[] = ['created', 'updated', 'deleted'];

const unknownProperty = (name: string): GraphError =>
  badRequest(`The property '${name}' does not exist on type 'microsoft.graph.subscription'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
// The subscription service answers `InvalidRequest` (not Exchange's `ErrorInvalidRequest`).
const invalidRequest = (message: string): GraphError => new GraphError(400, 'InvalidRequest', message);
const subscriptionNotFound = (): GraphError => new GraphError(404, 'ResourceNotFound', 'The object was not found.');
const validationError = (message: string): GraphError => new GraphError(400, 'ValidationError', message);

/** Graph writes subscription times with seven fractional digits: 2016-11-20T18:23:45.9356913Z. */
export function graphDateTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

function stringProp(body: Record<string, unknown>, name: string, required: boolean): string | null {
  const v = body[name];
  if (v === undefined || v === null) {
    if (required) throw invalidRequest(`The property '${name}' is required.`);
    return null;
  }
  if (typeof v !== 'string') throw badRequest(`Cannot convert the literal '${JSON.stringify(v)}' to the expected type 'Edm.String'.`);
  return v;
}

function parseChangeTypes(value: string): Set<ChangeType> {
  const parts = value.split(',').map((p) => p.trim());
  const set = new Set<ChangeType>();
  for (const p of parts) {
    const name = changeTypeNames.find((c) => c === p);
    if (!name || set.has(name)) throw invalidRequest(`Invalid 'changeType' attribute: '${value}'.`);
    set.add(name);
  }
  return set;
}

function checkHttpsUrl(value: string, property: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidRequest(`Invalid ${property}='${value}'.`);
  }
  const name = property === 'notificationUrl' ? 'NotificationUrl' : 'LifecycleNotificationUrl';
  if (url.protocol !== 'https:') throw invalidRequest(`${name} scheme='${url.protocol.replace(/:$/, '')}' is not supported.`);
}

export function createSubscriptionService(options: SubscriptionServiceOptions): SubscriptionService {
  const { directory, changes, clock, faults, tenantId } = options;
  const fetchImpl = options.fetch;
  const timings: SubscriptionTimings = { ...defaultSubscriptionTimings, ...options.timings };
  const subscriptions = new Map<string, SubscriptionRecord>();
  const byUser = new Map<string, Set<SubscriptionRecord>>();
  const stats: DeliveryStats = { delivered: 0, failedAttempts: 0, abandoned: 0, lifecycleSent: 0 };
  let closed = false;
  // A function, not the variable: TypeScript would narrow `closed` across the awaits that can see it change.
  const isClosed = () => closed;

  // ---- subscriptions --------------------------------------------------------------------------------------------

  const parseResource = (caller: GraphCaller, resource: string): SubscriptionTarget => {
    const path = resource.trim().replace(/^\/+/, '').split('?')[0] ?? '';
    const normalised = path.replace(/\(\s*'([^']*)'\s*\)/g, (_m, key: string) => `/${key}`).replace(/\/+$/, '');
    const unsupported = () => invalidRequest(`Resource '${resource}' is not supported.`);
    let segments: string[];
    try {
      segments = normalised.split('/').map((s) => decodeURIComponent(s));
    } catch {
      throw unsupported();
    }
    let userId: string;
    let rest: string[];
    const head = segments[0]?.toLowerCase();
    if (head === 'me') {
      if (!caller.userId) throw badRequest('/me request is only valid with delegated authentication flow.');
      userId = caller.userId;
      rest = segments.slice(1);
    } else if (head === 'users' && segments[1]) {
      const user = directory.find(segments[1]);
      if (!user) throw userNotFound(segments[1]);
      userId = user.id;
      rest = segments.slice(2);
    } else throw unsupported();
    const lower = rest.map((s) => s.toLowerCase());
    let kind: ItemKind;
    let folder: string | null = null;
    if (lower.length === 1 && lower[0] === 'messages') kind = 'message';
    else if (lower.length === 3 && lower[0] === 'mailfolders' && lower[2] === 'messages' && rest[1]) {
      kind = 'message';
      folder = rest[1];
    } else if ((lower.length === 1 && lower[0] === 'events') || (lower.length === 2 && lower[0] === 'calendar' && lower[1] === 'events')) kind = 'event';
    else throw unsupported();
    // Permissions by resource (../permissions); a user may watch only their own mailbox.
    checkSubscriptionPermission(caller, kind, userId, 'Create');
    const folderId = folder !== null && options.folderIdOf ? options.folderIdOf(userId, folder) : null;
    return { userId, kind, folder, folderId };
  };

  const checkExpiration = (value: string): Date => {
    const t = Date.parse(value);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(t)) throw badRequest(`Cannot convert the literal '${value}' to the expected type 'Edm.DateTimeOffset'.`);
    const now = clock.now().getTime();
    if (t <= now) throw new GraphError(400, 'ExtensionError', 'Subscription expiration must be in the future.');
    if (t - now > outlookMaxLifetimeMinutes * 60_000) throw new GraphError(400, 'ExtensionError', `Subscription expiration can only be ${outlookMaxLifetimeMinutes} minutes in the future.`);
    return new Date(t);
  };

  const asBody = (body: unknown): Record<string, unknown> => {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Empty Payload. JSON content expected.');
    return body as Record<string, unknown>;
  };

  /**
   * The certificate of a subscription with resource data: required with its id, a base64 DER X.509 certificate with
   * an RSA key; Outlook messages and events also require `$select` in the resource (only those properties are sent).
   */
  const encryptionOf = (body: Record<string, unknown>, select: string[] | null): SubscriptionEncryption => {
    const certificate = stringProp(body, 'encryptionCertificate', false);
    const certificateId = stringProp(body, 'encryptionCertificateId', false);
    if (certificate === null || certificate.trim() === '') throw invalidRequest('encryptionCertificate is required when includeResourceData is true.');
    if (certificateId === null || certificateId.trim() === '') throw invalidRequest('encryptionCertificateId is required when includeResourceData is true.');
    if (select === null) throw invalidRequest('A subscription with resource data to Outlook messages or events must $select the properties to include in the resource URL.');
    let x509: X509Certificate;
    try {
      if (!/^[A-Za-z0-9+/=\s]+$/.test(certificate)) throw new Error('not base64');
      x509 = new X509Certificate(Buffer.from(certificate, 'base64'));
    } catch {
      throw invalidRequest('encryptionCertificate is not a valid base64-encoded X.509 certificate.');
    }
    if (x509.publicKey.asymmetricKeyType !== 'rsa') throw invalidRequest('encryptionCertificate must carry an RSA public key.');
    if (Date.parse(x509.validTo) <= clock.now().getTime()) throw invalidRequest('encryptionCertificate has expired.');
    return { certificate, certificateId, thumbprint: x509.fingerprint.replace(/:/g, '').toUpperCase(), publicKey: x509.publicKey };
  };

  const validations = new Set<AbortController>();

  /** Graph's notificationUrl validation: POST ?validationToken=…, expect 200 text/plain with the decoded token. */
  const validateEndpoint = async (url: string): Promise<void> => {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = `${url}${url.includes('?') ? '&' : '?'}validationToken=${encodeURIComponent(token)}`;
    const controller = new AbortController();
    validations.add(controller);
    const timer = setTimeout(() => {
      controller.abort();
    }, timings.validationTimeoutMs);
    try {
      const res = await fetchImpl(target, { method: 'POST', headers: { 'Content-Type': 'text/plain; charset=utf-8' }, signal: controller.signal });
      const text = await res.text();
      if (res.status !== 200) throw validationError('Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.');
      const contentType = res.headers.get('content-type') ?? '';
      if (!contentType.toLowerCase().startsWith('text/plain') || text !== token) {
        throw validationError('Subscription validation request failed. Response must exactly match validationToken query parameter.');
      }
    } catch (e) {
      if (e instanceof GraphError) throw e;
      if (controller.signal.aborted) throw invalidRequest('Subscription validation request timed out.');
      throw validationError('Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.');
    } finally {
      clearTimeout(timer);
      validations.delete(controller);
    }
  };

  const index = (sub: SubscriptionRecord) => {
    const key = sub.target.userId.toLowerCase();
    let set = byUser.get(key);
    if (!set) {
      set = new Set();
      byUser.set(key, set);
    }
    set.add(sub);
  };
  const unindex = (sub: SubscriptionRecord) => {
    subscriptions.delete(sub.id);
    byUser.get(sub.target.userId.toLowerCase())?.delete(sub);
  };

  /** A live subscription the caller's app owns, or Graph's 404; 403 when the token lost the resource's permission. */
  const owned = (caller: GraphCaller, id: string, operation: 'Get' | 'Update' | 'Delete' | 'Reauthorize'): SubscriptionRecord => {
    const sub = subscriptions.get(id.toLowerCase());
    if (!sub || sub.applicationId !== caller.appId || sub.expirationDateTime.getTime() <= clock.now().getTime()) throw subscriptionNotFound();
    checkSubscriptionPermission(caller, sub.target.kind, sub.target.userId, operation);
    return sub;
  };

  // ---- delivery -------------------------------------------------------------------------------------------------

  interface Item {
    payload: ChangeNotification;
    subscriptionId: string;
    /** The subscribing app, for the validation tokens of notifications with resource data. */
    appId: string;
    duplicate: boolean;
  }
  interface Delivery {
    url: string;
    kind: 'change' | 'lifecycle';
    items: Item[];
    attempts: number;
    state: 'sending' | 'retrying';
    nextAttemptAt: number | null;
    timer: NodeJS.Timeout | null;
    controller: AbortController | null;
  }
  const batches = new Map<string, { items: Item[]; timer: NodeJS.Timeout }>();
  const deliveries = new Set<Delivery>();
  let idleWaiters: Array<() => void> = [];
  const checkIdle = () => {
    if (batches.size > 0 || deliveries.size > 0 || idleWaiters.length === 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  /** One POST; true when the receiver answered 2xx within the delivery timeout. */
  const post = async (d: Delivery, body: string): Promise<boolean> => {
    const controller = new AbortController();
    d.controller = controller;
    const timer = setTimeout(() => {
      controller.abort();
    }, timings.deliveryTimeoutMs);
    try {
      const res = await fetchImpl(d.url, { method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8' }, body, signal: controller.signal });
      await res.arrayBuffer().catch(() => undefined);
      return res.status >= 200 && res.status < 300 && !controller.signal.aborted;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      d.controller = null;
    }
  };

  const attempt = async (d: Delivery): Promise<void> => {
    if (closed) return;
    d.state = 'sending';
    d.nextAttemptAt = null;
    // Notifications of a subscription deleted in the meantime are not sent.
    if (d.kind === 'change') d.items = d.items.filter((i) => subscriptions.has(i.subscriptionId));
    if (d.items.length === 0) {
      finish(d);
      return;
    }
    const delay = faults.settings().notifications.delayMs;
    if (d.kind === 'change' && delay > 0) await sleep(delay);
    if (isClosed()) return;
    // Notifications with resource data come with one validation token per app (one tenant here).
    const apps = [...new Set(d.items.filter((i) => i.payload.encryptedContent !== undefined).map((i) => i.appId))];
    const issue = options.validationToken;
    const validationTokens = apps.length === 0 || issue === undefined ? null : await Promise.all(apps.map((a) => issue(a)));
    if (isClosed()) return;
    const ok = await post(d, JSON.stringify({ value: d.items.map((i) => i.payload), ...(validationTokens === null ? {} : { validationTokens }) }));
    d.attempts++;
    if (isClosed()) return;
    if (ok) {
      if (d.kind === 'change') stats.delivered += d.items.length;
      else stats.lifecycleSent += d.items.length;
      const copies = d.items.filter((i) => i.duplicate).map((i) => ({ ...i, duplicate: false }));
      if (copies.length > 0) start(d.url, 'change', copies);
      finish(d);
      return;
    }
    stats.failedAttempts++;
    const wait = timings.retryDelaysMs[d.attempts - 1];
    if (wait === undefined) {
      if (d.kind === 'change') {
        stats.abandoned += d.items.length;
        // Graph tells the app what it could not deliver: a `missed` lifecycle notification per subscription.
        for (const id of new Set(d.items.map((i) => i.subscriptionId))) void service.sendLifecycle(id, 'missed').catch(() => undefined);
      }
      finish(d);
      return;
    }
    d.state = 'retrying';
    d.nextAttemptAt = Date.now() + wait;
    d.timer = setTimeout(() => {
      d.timer = null;
      void attempt(d);
    }, wait);
  };

  const finish = (d: Delivery) => {
    deliveries.delete(d);
    checkIdle();
  };

  const start = (url: string, kind: Delivery['kind'], items: Item[]) => {
    const d: Delivery = { url, kind, items, attempts: 0, state: 'sending', nextAttemptAt: null, timer: null, controller: null };
    deliveries.add(d);
    void attempt(d);
  };

  const flush = (url: string) => {
    const batch = batches.get(url);
    if (!batch) return;
    clearTimeout(batch.timer);
    batches.delete(url);
    start(url, 'change', batch.items);
  };

  const enqueue = (url: string, item: Item) => {
    let batch = batches.get(url);
    if (!batch) {
      batch = {
        items: [],
        timer: setTimeout(() => {
          flush(url);
        }, timings.batchWindowMs),
      };
      batches.set(url, batch);
    }
    batch.items.push(item);
    if (batch.items.length >= timings.maxBatchSize) flush(url);
  };

  const resourcePath = (c: Change) => `Users/${c.userId}/${c.kind === 'message' ? 'Messages' : 'Events'}/${c.itemId}`;

  const matches = (sub: SubscriptionRecord, c: Change): boolean => {
    if (sub.target.kind !== c.kind || !sub.changeTypes.has(c.changeType)) return false;
    if (sub.target.folder === null) return true;
    if (c.folderId === null) return false;
    return c.folderId === sub.target.folderId || c.folderId.toLowerCase() === sub.target.folder.toLowerCase();
  };

  const onChange = (c: Change) => {
    if (closed) return;
    const subs = byUser.get(c.userId.toLowerCase());
    if (!subs || subs.size === 0) return;
    const now = clock.now().getTime();
    for (const sub of subs) {
      if (sub.expirationDateTime.getTime() <= now) continue;
      if (!matches(sub, c)) continue;
      const fate = faults.notificationFate();
      if (fate === 'drop') continue;
      const path = resourcePath(c);
      const payload: ChangeNotification = {
        id: newNotificationId(),
        subscriptionId: sub.id,
        subscriptionExpirationDateTime: graphDateTime(sub.expirationDateTime),
        changeType: c.changeType,
        resource: path,
        resourceData: {
          '@odata.type': c.kind === 'message' ? '#Microsoft.Graph.Message' : '#Microsoft.Graph.Event',
          '@odata.id': path,
          '@odata.etag': `W/"${newChangeKey()}"`,
          id: c.itemId,
        },
        ...(sub.clientState === null ? {} : { clientState: sub.clientState }),
        tenantId,
      };
      // Resource data: the item's selected properties as they are now (a deleted item has none).
      if (sub.encryption !== null && c.changeType !== 'deleted') {
        const item = options.resourceOf?.(c.userId, c.kind, c.itemId) ?? null;
        if (item !== null) payload.encryptedContent = encryptResource(project(item, sub.select), sub.encryption);
      }
      enqueue(sub.notificationUrl, { payload, subscriptionId: sub.id, appId: sub.applicationId, duplicate: fate === 'duplicate' });
    }
  };
  const unsubscribeChanges = changes.subscribe(onChange);

  // ---- expiry ---------------------------------------------------------------------------------------------------

  const sweep = () => {
    if (closed) return;
    const now = clock.now().getTime();
    for (const sub of [...subscriptions.values()]) {
      const left = sub.expirationDateTime.getTime() - now;
      if (left <= 0) unindex(sub);
      else if (!sub.reauthorizationSent && left <= timings.reauthorizeBeforeMs) {
        sub.reauthorizationSent = true;
        void service.sendLifecycle(sub.id, 'reauthorizationRequired').catch(() => undefined);
      }
    }
  };
  const stopClock = clock.onAdvance(sweep);
  const sweeper = setInterval(sweep, timings.sweepIntervalMs);
  sweeper.unref();

  /** A subscription created or renewed this close to its expiry gets no reauthorizationRequired for it. */
  const nearExpiry = (expiration: Date) => expiration.getTime() - clock.now().getTime() <= timings.reauthorizeBeforeMs;

  const lifecyclePayload = (sub: SubscriptionRecord, event: LifecycleEvent): ChangeNotification => ({
    subscriptionId: sub.id,
    subscriptionExpirationDateTime: graphDateTime(sub.expirationDateTime),
    tenantId,
    ...(sub.clientState === null ? {} : { clientState: sub.clientState }),
    lifecycleEvent: event,
  });

  const service: SubscriptionService = {
    async create(caller, rawBody) {
      const body = asBody(rawBody);
      for (const k of Object.keys(body)) if (!writable.has(k) && !ignored.has(k) && !k.startsWith('@odata.')) throw unknownProperty(k);
      const changeType = stringProp(body, 'changeType', true) ?? '';
      const notificationUrl = stringProp(body, 'notificationUrl', true) ?? '';
      const resource = stringProp(body, 'resource', true) ?? '';
      const expiration = stringProp(body, 'expirationDateTime', true) ?? '';
      const lifecycleNotificationUrl = stringProp(body, 'lifecycleNotificationUrl', false);
      const clientState = stringProp(body, 'clientState', false);
      const tls = stringProp(body, 'latestSupportedTlsVersion', false) ?? 'v1_2';
      const changeTypes = parseChangeTypes(changeType);
      checkHttpsUrl(notificationUrl, 'notificationUrl');
      if (lifecycleNotificationUrl !== null) checkHttpsUrl(lifecycleNotificationUrl, 'lifecycleNotificationUrl');
      const target = parseResource(caller, resource);
      const expirationDateTime = checkExpiration(expiration);
      if (clientState !== null && clientState.length > 128) throw invalidRequest('clientState must not exceed 128 characters.');
      if (!tlsVersions.includes(tls)) throw invalidRequest(`Invalid latestSupportedTlsVersion '${tls}'. Allowed values are ${tlsVersions.join(', ')}.`);
      const includeResourceData = body['includeResourceData'];
      if (includeResourceData !== undefined && includeResourceData !== null && typeof includeResourceData !== 'boolean') {
        throw badRequest(`Cannot convert the literal '${JSON.stringify(includeResourceData)}' to the expected type 'Edm.Boolean'.`);
      }
      const select = selectOf(resource);
      const encryption = includeResourceData === true ? encryptionOf(body, select) : null;
      await validateEndpoint(notificationUrl);
      if (lifecycleNotificationUrl !== null) await validateEndpoint(lifecycleNotificationUrl);
      if (isClosed()) throw new GraphError(503, 'ServiceUnavailable', 'The service is shutting down.');
      const sub: SubscriptionRecord = {
        id: randomUUID(),
        resource,
        applicationId: caller.appId,
        changeType,
        clientState,
        notificationUrl,
        lifecycleNotificationUrl,
        expirationDateTime,
        creatorId: caller.userId ?? caller.appId,
        latestSupportedTlsVersion: tls,
        notificationQueryOptions: stringProp(body, 'notificationQueryOptions', false),
        notificationUrlAppId: stringProp(body, 'notificationUrlAppId', false),
        target,
        changeTypes,
        reauthorizationSent: nearExpiry(expirationDateTime),
        encryption,
        select,
      };
      subscriptions.set(sub.id, sub);
      index(sub);
      return sub;
    },
    get: (caller, id) => owned(caller, id, 'Get'),
    list(caller) {
      const now = clock.now().getTime();
      return [...subscriptions.values()].filter(
        (s) => s.applicationId === caller.appId && s.expirationDateTime.getTime() > now && (caller.userId === null || s.creatorId === caller.userId),
      );
    },
    async update(caller, id, rawBody) {
      const sub = owned(caller, id, 'Update');
      const body = asBody(rawBody);
      for (const k of Object.keys(body)) {
        if (k.startsWith('@odata.')) continue;
        if (!writable.has(k) && !ignored.has(k)) throw unknownProperty(k);
        if (k !== 'expirationDateTime' && k !== 'notificationUrl') throw invalidRequest(`The property '${k}' cannot be updated.`);
      }
      const expiration = stringProp(body, 'expirationDateTime', false);
      const notificationUrl = stringProp(body, 'notificationUrl', false);
      const expirationDateTime = expiration === null ? null : checkExpiration(expiration);
      if (notificationUrl !== null) {
        checkHttpsUrl(notificationUrl, 'notificationUrl');
        await validateEndpoint(notificationUrl);
        sub.notificationUrl = notificationUrl;
      }
      if (expirationDateTime !== null) {
        sub.expirationDateTime = expirationDateTime;
        sub.reauthorizationSent = nearExpiry(expirationDateTime);
      }
      return sub;
    },
    delete(caller, id) {
      unindex(owned(caller, id, 'Delete'));
    },
    reauthorize(caller, id) {
      const sub = owned(caller, id, 'Reauthorize');
      sub.reauthorizationSent = nearExpiry(sub.expirationDateTime);
    },
    toGraph: (s) => ({
      id: s.id,
      resource: s.resource,
      applicationId: s.applicationId,
      changeType: s.changeType,
      clientState: s.clientState,
      notificationUrl: s.notificationUrl,
      notificationQueryOptions: s.notificationQueryOptions,
      lifecycleNotificationUrl: s.lifecycleNotificationUrl,
      expirationDateTime: graphDateTime(s.expirationDateTime),
      creatorId: s.creatorId,
      includeResourceData: s.encryption !== null,
      latestSupportedTlsVersion: s.latestSupportedTlsVersion,
      encryptionCertificate: s.encryption?.certificate ?? null,
      encryptionCertificateId: s.encryption?.certificateId ?? null,
      notificationUrlAppId: s.notificationUrlAppId,
    }),
    all: () => [...subscriptions.values()],
    async sendLifecycle(id, event) {
      const sub = subscriptions.get(id.toLowerCase());
      if (!sub) throw subscriptionNotFound();
      if (sub.lifecycleNotificationUrl === null || closed) return;
      start(sub.lifecycleNotificationUrl, 'lifecycle', [{ payload: lifecyclePayload(sub, event), subscriptionId: sub.id, appId: sub.applicationId, duplicate: false }]);
      await Promise.resolve();
    },
    async remove(id) {
      const sub = subscriptions.get(id.toLowerCase());
      if (!sub) throw subscriptionNotFound();
      unindex(sub);
      if (sub.lifecycleNotificationUrl !== null && !closed) {
        start(sub.lifecycleNotificationUrl, 'lifecycle', [{ payload: lifecyclePayload(sub, 'subscriptionRemoved'), subscriptionId: sub.id, appId: sub.applicationId, duplicate: false }]);
      }
      await Promise.resolve();
    },
    pendingDeliveries() {
      const out: PendingDelivery[] = [];
      for (const [url, b] of batches) out.push({ url, kind: 'change', state: 'batching', notifications: b.items.length, attempts: 0, nextAttemptAt: null });
      for (const d of deliveries) {
        out.push({
          url: d.url,
          kind: d.kind,
          state: d.state,
          notifications: d.items.length,
          attempts: d.attempts,
          nextAttemptAt: d.nextAttemptAt === null ? null : new Date(d.nextAttemptAt).toISOString(),
        });
      }
      return out;
    },
    stats: () => ({ ...stats }),
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
    async close() {
      closed = true;
      unsubscribeChanges();
      stopClock();
      clearInterval(sweeper);
      for (const b of batches.values()) clearTimeout(b.timer);
      batches.clear();
      for (const d of deliveries) {
        if (d.timer) clearTimeout(d.timer);
        d.controller?.abort();
      }
      deliveries.clear();
      for (const c of validations) c.abort();
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
      await Promise.resolve();
    },
  };
  return service;
}
