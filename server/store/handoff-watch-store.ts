// What the mailbox watcher stores: finds the hand-offs a seen mail or calendar item may concern (by hand-off id,
// intro message ids, conversation, meeting ids), the AE's open meetings for conflict checks, and records hand-off
// signals once each (under their dedupe key) with the tracking they carry; the engine later consumes them.
// Imports: kysely, ./schema, ./database (types), the domain (handoff-signals, lifecycle, mailbox types).
import type { Kysely } from 'kysely';
import {
  handoffIdOf,
  signalStages,
  type EventMatchKeys,
  type HandoffSignal,
  type HandoffSignalKind,
  type MessageMatchKeys,
  type TrackedHandoff,
} from '../domain/handoff-signals';
import { handoffStages, type HandoffStage } from '../domain/lifecycle';
import type { TimeWindow } from '../domain/mailbox';
import type { Database } from './schema';

/** A Kysely database or a transaction on it: everything here runs on whichever it is given. */
export type Executor = Kysely<Database>;

export type MatchKeys = MessageMatchKeys | EventMatchKeys;

/** A recorded signal, as the engine reads it back. */
export interface HandoffEventRecord {
  readonly id: string;
  readonly handoffId: string;
  readonly kind: HandoffSignalKind;
  readonly occurredAt: Date;
  readonly recordedAt: Date;
  readonly dedupeKey: string;
  readonly signal: HandoffSignal;
}

export interface HandoffWatchStore {
  /** The hand-offs (any stage) matching any of the keys, in one query; each hand-off once. */
  findCandidates(keys: MatchKeys | readonly MatchKeys[], executor?: Executor): Promise<TrackedHandoff[]>;
  /** The AE's hand-offs still expecting their meeting (signalStages.conflict_added) whose meeting overlaps `window`. */
  openMeetingsOfAe(aeId: string, window: TimeWindow, executor?: Executor): Promise<TrackedHandoff[]>;
  /**
   * Records each signal once (`on conflict (dedupe_key) do nothing`) and applies the tracking it carries, on
   * `executor` (pass the caller's transaction). Returns the signals that were new.
   */
  recordSignals(executor: Executor, signals: readonly HandoffSignal[], now: Date): Promise<HandoffSignal[]>;
  /** Unconsumed events, oldest first; rows are locked (`for update skip locked`) when `executor` is a transaction. */
  pendingEvents(limit: number, executor?: Executor): Promise<HandoffEventRecord[]>;
  /** Marks events consumed; returns how many were still pending. */
  markConsumed(ids: readonly string[], now: Date, executor?: Executor): Promise<number>;
}

interface TrackedRow {
  id: string;
  sdr_id: string;
  ae_id: string;
  sdr_email: string;
  ae_email: string;
  stage: string;
  intro_message_id: string | null;
  intro_internet_message_id: string | null;
  intro_conversation_id: string | null;
  intro_sent_at: Date | null;
  meeting_event_id: string | null;
  meeting_ical_uid: string | null;
  meeting_ae_event_id: string | null;
  meeting_start: Date | null;
  meeting_end: Date | null;
  prep_event_id: string | null;
  prep_start: Date | null;
  prep_end: Date | null;
}

const isStage = (s: string): s is HandoffStage => (handoffStages as readonly string[]).includes(s);

function trackedFromRow(r: TrackedRow): TrackedHandoff {
  if (!isStage(r.stage)) throw new Error(`Hand-off ${r.id} has an unknown stage '${r.stage}'.`);
  return {
    id: r.id,
    sdrId: r.sdr_id,
    aeId: r.ae_id,
    sdrEmail: r.sdr_email,
    aeEmail: r.ae_email,
    stage: r.stage,
    introMessageId: r.intro_message_id,
    introInternetMessageId: r.intro_internet_message_id,
    introConversationId: r.intro_conversation_id,
    introSentAt: r.intro_sent_at,
    meetingEventId: r.meeting_event_id,
    meetingICalUId: r.meeting_ical_uid,
    meetingAeEventId: r.meeting_ae_event_id,
    meetingStart: r.meeting_start,
    meetingEnd: r.meeting_end,
    prepEventId: r.prep_event_id,
    prepStart: r.prep_start,
    prepEnd: r.prep_end,
  };
}

function trackedQuery(db: Executor) {
  return db
    .selectFrom('handoffs as h')
    .innerJoin('users as s', 's.id', 'h.sdr_id')
    .innerJoin('users as a', 'a.id', 'h.ae_id')
    .select([
      'h.id',
      'h.sdr_id',
      'h.ae_id',
      's.email as sdr_email',
      'a.email as ae_email',
      'h.stage',
      'h.intro_message_id',
      'h.intro_internet_message_id',
      'h.intro_conversation_id',
      'h.intro_sent_at',
      'h.meeting_event_id',
      'h.meeting_ical_uid',
      'h.meeting_ae_event_id',
      'h.meeting_start',
      'h.meeting_end',
      'h.prep_event_id',
      'h.prep_start',
      'h.prep_end',
    ]);
}

/** The keys of several items, merged per column; hand-off ids are UUIDs only (the column is uuid). */
function mergeKeys(keys: readonly MatchKeys[]) {
  const handoffIds = new Set<string>();
  const messageIds = new Set<string>();
  const internetMessageIds = new Set<string>();
  const conversationIds = new Set<string>();
  const iCalUIds = new Set<string>();
  const eventIds = new Set<string>();
  for (const k of keys) {
    if ('messageId' in k) {
      for (const id of k.handoffIds) {
        const valid = handoffIdOf(id);
        if (valid !== null) handoffIds.add(valid);
      }
      messageIds.add(k.messageId);
      for (const id of k.internetMessageIds) internetMessageIds.add(id);
      if (k.conversationId !== null) conversationIds.add(k.conversationId);
    } else {
      const tx = handoffIdOf(k.transactionId);
      if (tx !== null) handoffIds.add(tx);
      if (k.iCalUId !== null) iCalUIds.add(k.iCalUId);
      eventIds.add(k.eventId);
    }
  }
  return {
    handoffIds: [...handoffIds],
    messageIds: [...messageIds],
    internetMessageIds: [...internetMessageIds],
    conversationIds: [...conversationIds],
    iCalUIds: [...iCalUIds],
    eventIds: [...eventIds],
  };
}

const dateKeys = new Set(['at', 'start', 'end']);

/** The payload is the signal as JSON; its instants (`at`, and `start`/`end` of slots and conflicts) come back as Dates. */
function signalFromPayload(payload: unknown): HandoffSignal {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return JSON.parse(text, (key, value: unknown) => (dateKeys.has(key) && typeof value === 'string' ? new Date(value) : value)) as HandoffSignal;
}

async function applyTracking(executor: Executor, signal: HandoffSignal): Promise<void> {
  switch (signal.kind) {
    case 'intro_sent': {
      // The first values seen win: a draft id recorded at compose time is kept.
      const { messageId, internetMessageId, conversationId, at } = signal;
      await executor
        .updateTable('handoffs')
        .set((eb) => ({
          intro_message_id: eb.fn.coalesce('intro_message_id', eb.val(messageId)),
          ...(internetMessageId !== null ? { intro_internet_message_id: eb.fn.coalesce('intro_internet_message_id', eb.val(internetMessageId)) } : {}),
          ...(conversationId !== null ? { intro_conversation_id: eb.fn.coalesce('intro_conversation_id', eb.val(conversationId)) } : {}),
          ...(at !== null ? { intro_sent_at: eb.fn.coalesce('intro_sent_at', eb.val(at)) } : {}),
        }))
        .where('id', '=', signal.handoffId)
        .execute();
      return;
    }
    case 'meeting_moved':
      // The meeting's current time, also when this move was seen before: a move back and forth must leave the
      // tracked time where the meeting is.
      await executor.updateTable('handoffs').set({ meeting_start: signal.to.start, meeting_end: signal.to.end }).where('id', '=', signal.handoffId).execute();
      return;
    case 'ae_copy_seen':
      await executor.updateTable('handoffs').set({ meeting_ae_event_id: signal.eventId }).where('id', '=', signal.handoffId).execute();
      return;
    case 'ae_replied':
    case 'invite_answered':
    case 'meeting_cancelled':
    case 'conflict_added':
      return;
  }
}

export function createHandoffWatchStore(db: Kysely<Database>): HandoffWatchStore {
  return {
    async findCandidates(keys, executor = db) {
      const k = mergeKeys(Array.isArray(keys) ? (keys as readonly MatchKeys[]) : [keys as MatchKeys]);
      const rows = await trackedQuery(executor)
        .where((eb) => {
          const any = [];
          if (k.handoffIds.length > 0) any.push(eb('h.id', 'in', k.handoffIds));
          if (k.messageIds.length > 0) any.push(eb('h.intro_message_id', 'in', k.messageIds));
          if (k.internetMessageIds.length > 0) any.push(eb('h.intro_internet_message_id', 'in', k.internetMessageIds));
          if (k.conversationIds.length > 0) any.push(eb('h.intro_conversation_id', 'in', k.conversationIds));
          if (k.iCalUIds.length > 0) any.push(eb('h.meeting_ical_uid', 'in', k.iCalUIds));
          if (k.eventIds.length > 0) {
            any.push(eb('h.meeting_event_id', 'in', k.eventIds));
            any.push(eb('h.meeting_ae_event_id', 'in', k.eventIds));
            any.push(eb('h.prep_event_id', 'in', k.eventIds));
          }
          // No key at all matches nothing.
          return any.length > 0 ? eb.or(any) : eb.val(false);
        })
        .orderBy('h.created_at')
        .orderBy('h.id')
        .execute();
      return rows.map(trackedFromRow);
    },

    async openMeetingsOfAe(aeId, window, executor = db) {
      const rows = await trackedQuery(executor)
        .where('h.ae_id', '=', aeId)
        .where('h.stage', 'in', [...signalStages.conflict_added])
        // The prep block, when there is one, comes right before the meeting: it counts as part of it here.
        .where((eb) => eb.fn.coalesce('h.prep_start', 'h.meeting_start'), '<', window.end)
        .where('h.meeting_end', '>', window.start)
        .orderBy('h.meeting_start')
        .orderBy('h.id')
        .execute();
      return rows.map(trackedFromRow);
    },

    async recordSignals(executor, signals, now) {
      const byKey = new Map<string, HandoffSignal>();
      for (const s of signals) if (!byKey.has(s.dedupeKey)) byKey.set(s.dedupeKey, s);
      const unique = [...byKey.values()];
      if (unique.length === 0) return [];
      const inserted = await executor
        .insertInto('handoff_events')
        .values(
          unique.map((s) => ({
            handoff_id: s.handoffId,
            kind: s.kind,
            occurred_at: s.at ?? now,
            recorded_at: now,
            dedupe_key: s.dedupeKey,
            payload: JSON.stringify(s),
          })),
        )
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .returning('dedupe_key')
        .execute();
      for (const s of unique) await applyTracking(executor, s);
      const fresh = new Set(inserted.map((r) => r.dedupe_key));
      return unique.filter((s) => fresh.has(s.dedupeKey));
    },

    async pendingEvents(limit, executor = db) {
      const rows = await executor
        .selectFrom('handoff_events')
        .select(['id', 'handoff_id', 'kind', 'occurred_at', 'recorded_at', 'dedupe_key', 'payload'])
        .where('consumed_at', 'is', null)
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      return rows.map((r) => {
        const signal = signalFromPayload(r.payload);
        return {
          id: r.id,
          handoffId: r.handoff_id,
          kind: signal.kind,
          occurredAt: r.occurred_at,
          recordedAt: r.recorded_at,
          dedupeKey: r.dedupe_key,
          signal,
        };
      });
    },

    async markConsumed(ids, now, executor = db) {
      if (ids.length === 0) return 0;
      const result = await executor
        .updateTable('handoff_events')
        .set({ consumed_at: now })
        .where('id', 'in', [...ids])
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
