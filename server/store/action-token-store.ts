// The signed action links Baton issued and their single use: a row per link (hand-off, action, recipient, expiry),
// written with the mail that carries it; `claim` marks it used inside the transaction of the change it makes, so a
// link works once even when two clicks race. Imports: kysely, ./schema, the domain's types.
import type { Kysely } from 'kysely';
import type { ActionClaims, ActionKind } from '../domain/action-link';
import type { Database } from './schema';

type Executor = Kysely<Database>;

export interface IssuedActionToken {
  id: string;
  handoffId: string;
  action: ActionKind;
  recipientId: string;
  issuedAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export interface ActionTokenStore {
  /** Records issued links in the caller's transaction (the one that writes the mail carrying them). */
  record(executor: Executor, claims: readonly ActionClaims[], issuedAt: Date): Promise<void>;
  get(id: string, executor?: Executor): Promise<IssuedActionToken | undefined>;
  /** Marks the link used; false when it was used already (or never issued). Locks the row until the transaction ends. */
  claim(executor: Executor, id: string, at: Date): Promise<boolean>;
  /** An audit line for a refused link that names no hand-off Baton knows (entity `action`, the link's id or a fresh one). */
  auditUnknown(entry: { entityId: string; at: Date; reasonCode: string; reasonText: string }): Promise<void>;
}

export function createActionTokenStore(db: Executor): ActionTokenStore {
  return {
    async record(executor, claims, issuedAt) {
      if (claims.length === 0) return;
      await executor
        .insertInto('action_tokens')
        .values(
          claims.map((c) => ({
            id: c.id,
            handoff_id: c.handoffId,
            action: c.action,
            recipient_id: c.recipientId,
            issued_at: issuedAt,
            expires_at: c.expiresAt,
          })),
        )
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    },
    async get(id, executor = db) {
      const r = await executor.selectFrom('action_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      if (r === undefined) return undefined;
      return { id: r.id, handoffId: r.handoff_id, action: r.action, recipientId: r.recipient_id, issuedAt: r.issued_at, expiresAt: r.expires_at, usedAt: r.used_at };
    },
    async claim(executor, id, at) {
      const r = await executor.updateTable('action_tokens').set({ used_at: at }).where('id', '=', id).where('used_at', 'is', null).returning('id').executeTakeFirst();
      return r !== undefined;
    },
    async auditUnknown(entry) {
      await db
        .insertInto('audit_log')
        .values({ entity: 'action', entity_id: entry.entityId, actor_id: null, at: entry.at, from_state: null, to_state: 'refused', reason_code: entry.reasonCode, reason_text: entry.reasonText })
        .execute();
    },
  };
}
