// Keeps Baton's Graph subscriptions matching the people it watches: for each active SDR their events, sent items and
// inbox; for each active AE their events and sent items. Creates them with a lifecycle URL and a random clientState
// per subscription, renews them before the persisted expiry, recreates them after `subscriptionRemoved`,
// reauthorizes them on `reauthorizationRequired`, removes them when a person leaves, and asks for a delta resync
// whenever a subscription is (re)created, since changes in between were not notified.
// Imports: domain (ports), store, node:crypto.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { GatewayError, type SubscriptionGateway } from '../domain/mailbox';
import type { User } from '../domain/people';
import type { WatchScope, WatchStateStore, SubscriptionState } from '../store/watch-state-store';

export interface WatchedPerson {
  id: string;
  entraOid: string;
  email: string;
  role: 'sdr' | 'ae';
}

/** What Baton watches for each role (DESIGN: the SDR's events, sent items and inbox; the AE's events and sent items). */
export function scopesOf(role: 'sdr' | 'ae'): readonly WatchScope[] {
  return role === 'sdr' ? ['events', 'sentitems', 'inbox'] : ['events', 'sentitems'];
}

export function resourceOf(entraOid: string, scope: WatchScope): string {
  if (scope === 'events') return `/users/${entraOid}/events`;
  return `/users/${entraOid}/mailFolders('${scope}')/messages`;
}

/** Events: every change matters (moved, cancelled, answered); messages: new ones and drafts that become sent. */
export function changeTypeOf(scope: WatchScope): string {
  return scope === 'events' ? 'created,updated,deleted' : 'created,updated';
}

export function watchedPeople(users: readonly User[]): WatchedPerson[] {
  return users
    .filter((u): u is User & { role: 'sdr' | 'ae' } => u.active && (u.role === 'sdr' || u.role === 'ae'))
    .map((u) => ({ id: u.id, entraOid: u.entraOid, email: u.email, role: u.role }));
}

export interface SubscriptionManagerOptions {
  store: WatchStateStore;
  gateway: SubscriptionGateway;
  now: () => Date;
  logger: Logger;
  /** `{PUBLIC_URL}/graph/notifications` and `{PUBLIC_URL}/graph/lifecycle`. */
  notificationUrl: string;
  lifecycleNotificationUrl: string;
  /** Asked lifetime of a subscription (Graph's Outlook maximum: 10,080 minutes). */
  lifetimeMinutes: number;
  /** Renew when less than this is left (default: a third of the lifetime). */
  renewBeforeMinutes?: number;
  clientState?: () => string;
}

export interface ReconcileReport {
  created: number;
  removed: number;
  failed: number;
}

export interface SubscriptionManager {
  /** Brings the subscriptions in line with the people: creates what is missing, removes those of people who left. */
  reconcile(people: readonly WatchedPerson[]): Promise<ReconcileReport>;
  /** Renews the subscriptions close to expiry that no other instance holds; returns how many were renewed. */
  renewDue(limit?: number): Promise<number>;
  /** Graph removed the subscription: forget it, create it again, resync. */
  onRemoved(subscriptionId: string): Promise<void>;
  /** Graph asks for reauthorization before it stops sending: reauthorize (renewing when that fails). */
  onReauthorizationRequired(subscriptionId: string): Promise<void>;
  /** Graph could not deliver some notifications: resync that mailbox scope through delta. */
  onMissed(subscriptionId: string): Promise<void>;
}

export function createSubscriptionManager(options: SubscriptionManagerOptions): SubscriptionManager {
  const { store, gateway, logger } = options;
  const lifetimeMs = options.lifetimeMinutes * 60_000;
  const renewBeforeMs = (options.renewBeforeMinutes ?? Math.floor(options.lifetimeMinutes / 3)) * 60_000;
  const newClientState = options.clientState ?? (() => randomBytes(32).toString('base64url'));

  async function create(person: Pick<WatchedPerson, 'id' | 'entraOid'>, scope: WatchScope): Promise<void> {
    const now = options.now();
    const clientState = newClientState();
    const resource = resourceOf(person.entraOid, scope);
    const created = await gateway.createSubscription({
      resource,
      changeType: changeTypeOf(scope),
      notificationUrl: options.notificationUrl,
      lifecycleNotificationUrl: options.lifecycleNotificationUrl,
      clientState,
      expiresAt: new Date(now.getTime() + lifetimeMs),
    });
    try {
      await store.insertSubscription({ id: created.id, userId: person.id, scope, resource, clientState, expiresAt: created.expiresAt }, now);
    } catch (e) {
      // Another instance created one at the same moment (the unique index holds one active per user and scope):
      // give Graph's back rather than leave an unwatched duplicate behind.
      await gateway.deleteSubscription(created.id).catch(() => undefined);
      throw e;
    }
    // Changes made before this subscription existed were not notified: delta catches up.
    await store.ensureCursor(person.id, scope, now);
    await store.requestResync(person.id, scope, now, 'subscription_created');
    logger.info({ subscriptionId: created.id, userId: person.id, scope, expiresAt: created.expiresAt }, 'subscription created');
  }

  function personOf(sub: SubscriptionState): Pick<WatchedPerson, 'id' | 'entraOid'> {
    // The resource names the user's object id: `/users/{oid}/...`.
    const oid = /^\/users\/([^/]+)\//.exec(sub.resource)?.[1];
    if (oid === undefined) throw new Error(`subscription ${sub.id} has an unexpected resource`);
    return { id: sub.userId, entraOid: oid };
  }

  return {
    async reconcile(people) {
      const report: ReconcileReport = { created: 0, removed: 0, failed: 0 };
      const active = await store.activeSubscriptions();
      const wanted = new Map<string, { person: WatchedPerson; scope: WatchScope }>();
      for (const person of people) for (const scope of scopesOf(person.role)) wanted.set(`${person.id}:${scope}`, { person, scope });
      const have = new Set<string>();
      for (const sub of active) {
        const key = `${sub.userId}:${sub.scope}`;
        if (wanted.has(key)) {
          have.add(key);
          continue;
        }
        try {
          await gateway.deleteSubscription(sub.id);
          await store.markRemoved(sub.id, options.now(), 'person_left');
          report.removed++;
          logger.info({ subscriptionId: sub.id, userId: sub.userId, scope: sub.scope }, 'subscription removed: no longer watched');
        } catch (e) {
          report.failed++;
          logger.warn({ err: e, subscriptionId: sub.id }, 'could not remove a subscription; will try again');
        }
      }
      for (const [key, { person, scope }] of wanted) {
        if (have.has(key)) continue;
        try {
          await create(person, scope);
          report.created++;
        } catch (e) {
          report.failed++;
          logger.warn({ err: e, userId: person.id, scope }, 'could not create a subscription; will try again');
        }
      }
      const gone = new Set(active.map((s) => s.userId));
      for (const p of people) gone.delete(p.id);
      for (const userId of gone) await store.removeCursors(userId);
      return report;
    },

    async renewDue(limit = 50) {
      const now = options.now();
      const due = await store.claimDueRenewals(now, new Date(now.getTime() + renewBeforeMs), 60_000, limit);
      let renewed = 0;
      for (const sub of due) {
        try {
          const answer = await gateway.renewSubscription(sub.id, new Date(now.getTime() + lifetimeMs));
          await store.renewed(sub.id, answer.expiresAt, now);
          renewed++;
        } catch (e) {
          if (e instanceof GatewayError && e.code === 'not_found') {
            // Graph no longer knows it (expired or removed while we were away): start over.
            await store.markRemoved(sub.id, now, 'not_found_on_renewal');
            await create(personOf(sub), sub.scope).catch((err: unknown) => {
              logger.warn({ err, userId: sub.userId, scope: sub.scope }, 'could not recreate a subscription; reconcile will');
            });
            continue;
          }
          await store.releaseRenewal(sub.id);
          logger.warn({ err: e, subscriptionId: sub.id }, 'subscription renewal failed; will try again');
        }
      }
      return renewed;
    },

    async onRemoved(subscriptionId) {
      const sub = await store.subscriptionById(subscriptionId);
      if (sub?.status !== 'active') return;
      await store.markRemoved(sub.id, options.now(), 'subscription_removed');
      await gateway.deleteSubscription(sub.id).catch(() => undefined);
      await create(personOf(sub), sub.scope);
    },

    async onReauthorizationRequired(subscriptionId) {
      const sub = await store.subscriptionById(subscriptionId);
      if (sub?.status !== 'active') return;
      const now = options.now();
      try {
        await gateway.reauthorizeSubscription(sub.id);
        // Reauthorized; renew as well only when expiry is near anyway (one Graph call saved otherwise).
        if (sub.expiresAt.getTime() - now.getTime() > renewBeforeMs) return;
      } catch (e) {
        if (!(e instanceof GatewayError) || e.code === 'throttled' || e.code === 'temporary') throw e;
        logger.info({ err: e, subscriptionId }, 'reauthorize refused; renewing instead');
      }
      try {
        const answer = await gateway.renewSubscription(sub.id, new Date(now.getTime() + lifetimeMs));
        await store.renewed(sub.id, answer.expiresAt, now);
      } catch (e) {
        if (!(e instanceof GatewayError) || e.code !== 'not_found') throw e;
        await store.markRemoved(sub.id, now, 'not_found_on_reauthorize');
        await create(personOf(sub), sub.scope);
      }
    },

    async onMissed(subscriptionId) {
      const sub = await store.subscriptionById(subscriptionId);
      if (sub === undefined) return;
      await store.requestResync(sub.userId, sub.scope, options.now(), 'missed');
    },
  };
}
