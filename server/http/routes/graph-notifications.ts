// POST /graph/notifications and POST /graph/lifecycle: where Microsoft Graph delivers change and lifecycle
// notifications (public: authenticated per item by clientState, not by a user token). Answers the validation
// handshake, checks every item, persists the accepted ones in one statement and answers 202; the worker does the rest.
// Imports: node:crypto, zod, ../errors, ../app types, the notification store's types.
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorResponses, HttpError } from '../errors';
import type { App, AppDeps } from '../app';
import type { NewQueuedNotification, NotificationStore, SubscriptionCheck } from '../../store/notification-store';

/** Why an item was dropped (answered 202 all the same: a forger learns nothing, Graph does not retry). */
export const dropReasons = ['unknown_subscription', 'subscription_removed', 'client_state_missing', 'client_state_mismatch', 'tenant_mismatch'] as const;
export type DropReason = (typeof dropReasons)[number];

/** What the receiver has seen since the app started: for tests, the benchmark and a metrics probe. */
export interface ReceiverCounters {
  /** Validation handshakes answered with the token. */
  validations: number;
  /** Notification POSTs whose body passed the schema. */
  requests: number;
  /** Items in those POSTs. */
  items: number;
  /** Items persisted to the queue. */
  accepted: number;
  dropped: Record<DropReason, number>;
  /** POSTs answered 500 because the accepted items could not be persisted (Graph retries them). */
  persistFailures: number;
}

export function createReceiverCounters(): ReceiverCounters {
  return {
    validations: 0,
    requests: 0,
    items: 0,
    accepted: 0,
    dropped: { unknown_subscription: 0, subscription_removed: 0, client_state_missing: 0, client_state_mismatch: 0, tenant_mismatch: 0 },
    persistFailures: 0,
  };
}

export type GraphNotificationDeps = Pick<AppDeps, 'clock' | 'config' | 'graphTenantId' | 'onEnqueued' | 'receiverCounters'> & {
  notificationStore: NotificationStore;
};

/** Graph's validation token: it must be echoed within 10 s; Baton refuses anything longer than this. */
export const maxValidationTokenLength = 1_024;

const changeTypes = ['created', 'updated', 'deleted'] as const;
const lifecycleEvents = ['missed', 'subscriptionRemoved', 'reauthorizationRequired'] as const;

// One item of Graph's changeNotificationCollection. Not strict: Graph adds properties (id, encryptedContent,
// @odata.* inside resourceData) that Baton does not use.
// https://learn.microsoft.com/graph/change-notifications-delivery-webhooks
const NotificationItem = z.object({
  subscriptionId: z.string().min(1).max(256),
  subscriptionExpirationDateTime: z.string().min(1).max(64),
  clientState: z.string().max(128).optional(),
  tenantId: z.string().min(1).max(128),
  changeType: z.enum(changeTypes).optional(),
  resource: z.string().min(1).max(4_096).optional(),
  resourceData: z.object({ id: z.string().min(1).max(1_024) }).optional(),
  lifecycleEvent: z.enum(lifecycleEvents).optional(),
});
type NotificationItem = z.infer<typeof NotificationItem>;

/** A change item needs what the worker reads: changeType, resource and resourceData.id. */
function requireChangeFields(item: NotificationItem, ctx: z.RefinementCtx): void {
  if (item.lifecycleEvent !== undefined) return;
  for (const field of ['changeType', 'resource', 'resourceData'] as const) {
    if (item[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `${field} is required on a change notification` });
  }
}

/** Change notifications; Graph may also send lifecycle items here, which are queued as such. */
const ChangeNotificationBody = z.object({ value: z.array(NotificationItem.superRefine(requireChangeFields)) });
const LifecycleNotificationBody = z.object({
  value: z.array(
    NotificationItem.superRefine((item, ctx) => {
      if (item.lifecycleEvent === undefined) ctx.addIssue({ code: 'custom', path: ['lifecycleEvent'], message: 'lifecycleEvent is required on a lifecycle notification' });
    }),
  ),
});
const ValidationQuery = z.object({ validationToken: z.string().optional() });

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Compares clientStates in constant time: digests have equal length whatever the inputs. */
function sameClientState(given: string, stored: string): boolean {
  return timingSafeEqual(sha256(given), sha256(stored));
}

type Check = { ok: true; subscription: SubscriptionCheck } | { ok: false; reason: DropReason };

function check(item: NotificationItem, subscription: SubscriptionCheck | undefined, tenantId: string | undefined): Check {
  if (subscription === undefined) return { ok: false, reason: 'unknown_subscription' };
  if (item.clientState === undefined) return { ok: false, reason: 'client_state_missing' };
  // The clientState is checked before the status, so that an unauthenticated caller cannot learn which ids exist.
  if (!sameClientState(item.clientState, subscription.clientState)) return { ok: false, reason: 'client_state_mismatch' };
  if (subscription.status !== 'active') return { ok: false, reason: 'subscription_removed' };
  if (tenantId !== undefined && item.tenantId.toLowerCase() !== tenantId.toLowerCase()) return { ok: false, reason: 'tenant_mismatch' };
  return { ok: true, subscription };
}

function toQueued(item: NotificationItem, subscription: SubscriptionCheck): NewQueuedNotification {
  const common = { subscriptionId: item.subscriptionId, userId: subscription.userId, scope: subscription.scope };
  if (item.lifecycleEvent !== undefined) {
    return { kind: 'lifecycle', ...common, changeType: null, lifecycleEvent: item.lifecycleEvent, resourceId: null };
  }
  return { kind: 'change', ...common, changeType: item.changeType ?? null, lifecycleEvent: null, resourceId: item.resourceData?.id ?? null };
}

/**
 * The validation handshake, answered before the body is parsed (Graph posts it as text/plain with no body):
 * 200 text/plain with the decoded token. `nosniff` keeps a browser from running a token that holds markup.
 */
async function answerValidation(request: FastifyRequest, reply: FastifyReply, counters: ReceiverCounters): Promise<FastifyReply | undefined> {
  const query = request.query as Record<string, unknown> | null;
  if (query === null || !('validationToken' in query)) return undefined;
  const token = query['validationToken'];
  if (typeof token !== 'string' || token.length === 0 || token.length > maxValidationTokenLength) {
    throw new HttpError(400, 'invalid_request', `validationToken must be one value of 1 to ${String(maxValidationTokenLength)} characters.`, { field: 'validationToken' });
  }
  counters.validations += 1;
  return reply.code(200).header('content-type', 'text/plain; charset=utf-8').header('x-content-type-options', 'nosniff').send(token);
}

/** Registers both routes; returns the counters they update (deps.receiverCounters when given). */
export function registerGraphNotificationRoutes(app: App, deps: GraphNotificationDeps): ReceiverCounters {
  const counters = deps.receiverCounters ?? createReceiverCounters();
  const store = deps.notificationStore;
  const tenantId = deps.graphTenantId;

  const receive = async (request: FastifyRequest, reply: FastifyReply, items: readonly NotificationItem[]): Promise<void> => {
    const receivedAt = deps.clock.now();
    counters.requests += 1;
    counters.items += items.length;
    const subscriptions = await store.subscriptionsByIds(items.map((i) => i.subscriptionId));
    const accepted: NewQueuedNotification[] = [];
    const dropped: Partial<Record<DropReason, number>> = {};
    for (const item of items) {
      const outcome = check(item, subscriptions.get(item.subscriptionId), tenantId);
      if (outcome.ok) accepted.push(toQueued(item, outcome.subscription));
      else dropped[outcome.reason] = (dropped[outcome.reason] ?? 0) + 1;
    }
    for (const reason of dropReasons) counters.dropped[reason] += dropped[reason] ?? 0;
    if (accepted.length < items.length) {
      // Counts only: never the clientState or the items themselves.
      request.log.warn({ accepted: accepted.length, dropped }, 'graph notifications dropped');
    }
    if (accepted.length > 0) {
      try {
        await store.enqueue(accepted, receivedAt);
      } catch (error) {
        counters.persistFailures += 1;
        // A 500 (never a 202): Graph delivers the batch again.
        throw error;
      }
      counters.accepted += accepted.length;
      deps.onEnqueued?.();
    }
    // Sent here, so the handler resolves with nothing.
    await reply.code(202).send();
  };

  const common = {
    bodyLimit: deps.config.bodyLimitBytes,
    config: { public: true },
    onRequest: (request: FastifyRequest, reply: FastifyReply) => answerValidation(request, reply, counters),
  };
  const docs = { tags: ['graph'], security: [], querystring: ValidationQuery, response: errorResponses(400, 413, 500) };

  app.post(
    '/graph/notifications',
    { ...common, schema: { ...docs, summary: 'Microsoft Graph change notifications (or ?validationToken=)', body: ChangeNotificationBody } },
    (request, reply) => receive(request, reply, request.body.value),
  );
  app.post(
    '/graph/lifecycle',
    { ...common, schema: { ...docs, summary: 'Microsoft Graph lifecycle notifications (or ?validationToken=)', body: LifecycleNotificationBody } },
    (request, reply) => receive(request, reply, request.body.value),
  );
  return counters;
}
