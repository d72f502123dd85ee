// Hand-off repository: hand-off rows (one open per lead, enforced by a unique index), their version-checked
// changes, the lead row locked and written inside the same transaction, the obligations and findings a hand-off
// shows, and outbox rows written with the state change that caused them. Imports: kysely, ./schema, ./lead-store
// (row mapping, audit), the domain's types.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AuditEntry, Lead } from '../domain/lead';
import type { HandoffStage } from '../domain/lifecycle';
import type { Database, HandoffRow } from './schema';
import type { OutboxKind } from './outbox-store';
import { appendAudit, leadFromRow, writeLeadChange, type LeadChange } from './lead-store';

/** A database handle or an open transaction (a Transaction is a Kysely). */
export type Executor = Kysely<Database>;

export interface Handoff {
  id: string;
  leadId: string;
  teamId: string;
  sdrId: string;
  aeId: string;
  stage: HandoffStage;
  stageChangedAt: Date;
  createdAt: Date;
  introSentAt: Date | null;
  meetingStart: Date | null;
  meetingEnd: Date | null;
  demoRequested: boolean;
  overrideReason: string | null;
  slotStart: Date | null;
  slotEnd: Date | null;
  outcome: string | null;
  version: number;
  /** The meeting on the SDR's calendar, once the outbox created it. */
  meetingEventId: string | null;
  /** The AE's private prep block before a demo, once created, and its times. */
  prepEventId: string | null;
  prepStart: Date | null;
  prepEnd: Date | null;
}

export interface NewHandoff {
  leadId: string;
  teamId: string;
  sdrId: string;
  aeId: string;
  demoRequested: boolean;
  overrideReason: string | null;
  at: Date;
}

/** What a change of a hand-off may set; `at` is when (stage_changed_at moves with the stage). */
export interface HandoffChange {
  stage?: HandoffStage;
  aeId?: string;
  outcome?: string | null;
  slotStart?: Date | null;
  slotEnd?: Date | null;
  /** Forget the AE's calendar items (their copy of the meeting, their prep block): the hand-off moved to another AE. */
  forgetAeCalendar?: boolean;
  at: Date;
}

/** Which hand-offs a list returns: every one, a team's, or those where the person is the SDR or the AE. */
export type HandoffScope = { kind: 'all' } | { kind: 'team'; teamId: string } | { kind: 'person'; userId: string };

export interface ObligationSummary {
  id: string;
  kind: 'ae_reply' | 'ae_accept';
  status: string;
  startedAt: Date;
  dueAt: Date;
  remindedAt: Date | null;
  breachedAt: Date | null;
  escalatedAt: Date | null;
  metAt: Date | null;
  metWithinSla: boolean | null;
  cancelledAt: Date | null;
  /** Working time (ms) the AE's absences took out of the clock. */
  pausedMs: number;
  /** While the AE is away: the working time (ms) left on the clock; null while it runs. */
  remainingMs: number | null;
}

export interface HandoffFinding {
  id: string;
  kind: string;
  at: Date;
  details: unknown;
}

export interface NewOutboxRow {
  idempotencyKey: string;
  handoffId: string | null;
  kind: OutboxKind;
  /** The sending or owning mailbox: the user's Entra object id. */
  mailbox: string;
  payload: unknown;
  at: Date;
}

export interface HandoffStore {
  /** Runs `work` in one transaction: every write of one request commits or none does. */
  transaction<T>(work: (trx: Executor) => Promise<T>): Promise<T>;
  /** Inserts the hand-off; throws the database's unique violation (23505) when the lead has an open one. */
  insert(executor: Executor, handoff: NewHandoff): Promise<Handoff>;
  get(id: string, executor?: Executor): Promise<Handoff | undefined>;
  /** The lead's hand-off that is not closed, if any. */
  openForLead(leadId: string, executor?: Executor): Promise<Handoff | undefined>;
  /** Open (not closed) hand-offs in scope, newest first. */
  listOpen(scope: HandoffScope): Promise<Handoff[]>;
  /** Applies the change if the row is still at `expectedVersion`; undefined when it is not (stale) or gone. */
  update(executor: Executor, id: string, expectedVersion: number, change: HandoffChange): Promise<Handoff | undefined>;
  /** Reads the lead and locks its row until the transaction ends (FOR UPDATE). */
  lockLead(executor: Executor, leadId: string): Promise<Lead | undefined>;
  /** Writes a lead's status move if it is still at `expectedVersion`; undefined when stale. */
  updateLead(executor: Executor, leadId: string, expectedVersion: number, change: LeadChange, at: Date): Promise<Lead | undefined>;
  /** Sets the lead's AE (a reassigned hand-off of a lead already handed off), version-checked. */
  setLeadAe(executor: Executor, leadId: string, expectedVersion: number, aeId: string, at: Date): Promise<Lead | undefined>;
  appendAudit(executor: Executor, entry: AuditEntry): Promise<void>;
  /** Adds an outbox row; false when a row with this idempotency key exists already (left unchanged). */
  addOutbox(executor: Executor, row: NewOutboxRow): Promise<boolean>;
  /**
   * The hand-off's events still queued (pending, kind `event`), locked until the transaction ends so no sender claims
   * them meanwhile; `inFlight` when a sender holds one at `at` (it may be creating it right now).
   */
  queuedEvents(executor: Executor, handoffId: string, at: Date): Promise<{ id: string; mailbox: string; payload: unknown; inFlight: boolean }[]>;
  /** Rewrites a queued outbox row (its mailbox and payload), e.g. the invite of a hand-off reassigned before it went out. */
  rewriteOutbox(executor: Executor, id: string, change: { mailbox: string; payload: unknown }): Promise<void>;
  /** Idempotency keys of the outbox rows of this hand-off that start with `prefix`. */
  outboxKeys(executor: Executor, handoffId: string, prefix: string): Promise<string[]>;
  obligations(handoffId: string, executor?: Executor): Promise<ObligationSummary[]>;
  findings(handoffId: string): Promise<HandoffFinding[]>;
}

const date = (d: Date | string): Date => (d instanceof Date ? d : new Date(d));
const dateOrNull = (d: Date | string | null): Date | null => (d === null ? null : date(d));

export function handoffFromRow(r: HandoffRow): Handoff {
  return {
    id: r.id,
    leadId: r.lead_id,
    teamId: r.team_id,
    sdrId: r.sdr_id,
    aeId: r.ae_id,
    stage: r.stage as HandoffStage,
    stageChangedAt: date(r.stage_changed_at),
    createdAt: date(r.created_at),
    introSentAt: dateOrNull(r.intro_sent_at),
    meetingStart: dateOrNull(r.meeting_start),
    meetingEnd: dateOrNull(r.meeting_end),
    demoRequested: r.demo_requested,
    overrideReason: r.override_reason,
    slotStart: dateOrNull(r.slot_start),
    slotEnd: dateOrNull(r.slot_end),
    outcome: r.outcome,
    version: r.version,
    meetingEventId: r.meeting_event_id,
    prepEventId: r.prep_event_id,
    prepStart: dateOrNull(r.prep_start),
    prepEnd: dateOrNull(r.prep_end),
  };
}

/** `like` pattern matching a literal prefix. */
const likePrefix = (prefix: string): string => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function createHandoffStore(db: Kysely<Database>): HandoffStore {
  return {
    transaction: (work) => db.transaction().execute((trx: Transaction<Database>) => work(trx)),

    async insert(executor, h) {
      const row = await executor
        .insertInto('handoffs')
        .values({
          lead_id: h.leadId,
          team_id: h.teamId,
          sdr_id: h.sdrId,
          ae_id: h.aeId,
          stage: 'intro_composed',
          stage_changed_at: h.at,
          created_at: h.at,
          demo_requested: h.demoRequested,
          override_reason: h.overrideReason,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return handoffFromRow(row);
    },

    async get(id, executor = db) {
      const row = await executor.selectFrom('handoffs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? handoffFromRow(row) : undefined;
    },

    async openForLead(leadId, executor = db) {
      const row = await executor
        .selectFrom('handoffs')
        .selectAll()
        .where('lead_id', '=', leadId)
        .where('stage', '<>', 'closed')
        .executeTakeFirst();
      return row ? handoffFromRow(row) : undefined;
    },

    async listOpen(scope) {
      let query = db.selectFrom('handoffs').selectAll().where('stage', '<>', 'closed');
      if (scope.kind === 'team') query = query.where('team_id', '=', scope.teamId);
      if (scope.kind === 'person') {
        query = query.where((eb) => eb.or([eb('sdr_id', '=', scope.userId), eb('ae_id', '=', scope.userId)]));
      }
      const rows = await query.orderBy('created_at', 'desc').orderBy('id').limit(500).execute();
      return rows.map(handoffFromRow);
    },

    async update(executor, id, expectedVersion, change) {
      const row = await executor
        .updateTable('handoffs')
        .set({
          ...(change.stage === undefined ? {} : { stage: change.stage, stage_changed_at: change.at }),
          ...(change.aeId === undefined ? {} : { ae_id: change.aeId }),
          ...(change.outcome === undefined ? {} : { outcome: change.outcome }),
          ...(change.slotStart === undefined ? {} : { slot_start: change.slotStart }),
          ...(change.slotEnd === undefined ? {} : { slot_end: change.slotEnd }),
          ...(change.forgetAeCalendar === true ? { meeting_ae_event_id: null, prep_event_id: null, prep_start: null, prep_end: null } : {}),
          version: sql<number>`version + 1`,
        })
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst();
      return row ? handoffFromRow(row) : undefined;
    },

    async lockLead(executor, leadId) {
      const row = await executor.selectFrom('leads').selectAll().where('id', '=', leadId).forUpdate().executeTakeFirst();
      return row ? leadFromRow(row) : undefined;
    },

    updateLead(executor, leadId, expectedVersion, change, at) {
      return writeLeadChange(executor, leadId, expectedVersion, change, at);
    },

    async setLeadAe(executor, leadId, expectedVersion, aeId, at) {
      const row = await executor
        .updateTable('leads')
        .set({ ae_id: aeId, version: sql<number>`version + 1`, updated_at: at })
        .where('id', '=', leadId)
        .where('version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst();
      return row ? leadFromRow(row) : undefined;
    },

    appendAudit: (executor, entry) => appendAudit(executor, entry),

    async addOutbox(executor, row) {
      const inserted = await executor
        .insertInto('outbox')
        .values({
          idempotency_key: row.idempotencyKey,
          handoff_id: row.handoffId,
          kind: row.kind,
          mailbox: row.mailbox,
          payload: JSON.stringify(row.payload),
          status: 'pending',
          created_at: row.at,
          available_at: row.at,
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    async queuedEvents(executor, handoffId, at) {
      const rows = await executor
        .selectFrom('outbox')
        .select(['id', 'mailbox', 'payload', 'claimed_until'])
        .where('handoff_id', '=', handoffId)
        .where('kind', '=', 'event')
        .where('status', '=', 'pending')
        .orderBy('id')
        .forUpdate()
        .execute();
      return rows.map((r) => ({ id: r.id, mailbox: r.mailbox, payload: r.payload, inFlight: r.claimed_until !== null && r.claimed_until > at }));
    },

    async rewriteOutbox(executor, id, change) {
      await executor.updateTable('outbox').set({ mailbox: change.mailbox, payload: JSON.stringify(change.payload) }).where('id', '=', id).where('status', '=', 'pending').execute();
    },

    async outboxKeys(executor, handoffId, prefix) {
      const rows = await executor
        .selectFrom('outbox')
        .select('idempotency_key')
        .where('handoff_id', '=', handoffId)
        .where(sql<boolean>`idempotency_key like ${likePrefix(prefix)}`)
        .execute();
      return rows.map((r) => r.idempotency_key);
    },

    async obligations(handoffId, executor = db) {
      const rows = await executor.selectFrom('obligations').selectAll().where('handoff_id', '=', handoffId).orderBy('started_at').orderBy('id').execute();
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        status: r.status,
        startedAt: date(r.started_at),
        dueAt: date(r.due_at),
        remindedAt: dateOrNull(r.reminded_at),
        breachedAt: dateOrNull(r.breached_at),
        escalatedAt: dateOrNull(r.escalated_at),
        metAt: dateOrNull(r.met_at),
        metWithinSla: r.met_within_sla,
        cancelledAt: dateOrNull(r.cancelled_at),
        pausedMs: Number(r.paused_ms),
        remainingMs: r.remaining_ms === null ? null : Number(r.remaining_ms),
      }));
    },

    async findings(handoffId) {
      const rows = await db.selectFrom('handoff_findings').selectAll().where('handoff_id', '=', handoffId).orderBy('id').execute();
      return rows.map((r) => ({ id: r.id, kind: r.kind, at: date(r.at), details: r.details }));
    },
  };
}
