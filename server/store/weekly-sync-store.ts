// The weekly syncs repository: one row per pair key with its stage, weekly time, series id and generation (changes
// are guarded by the generation, so two instances deciding at once change a row once), and the pair's hand-off
// facts the agenda is built from. Imports: kysely, ./schema, the domain's types.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { AgendaHandoff } from '../domain/weekly-sync';
import type { Database, WeeklySyncTable } from './schema';

type Executor = Kysely<Database>;

export type WeeklySyncStatus = WeeklySyncTable['status'];

export interface WeeklySyncRow {
  pairKey: string;
  teamId: string;
  sdrId: string;
  aeId: string;
  status: WeeklySyncStatus;
  generation: number;
  eventId: string | null;
  slot: { weekday: string; startTime: string; lengthMinutes: number; timeZone: string; firstStart: Date } | null;
  agendaThrough: string | null;
  reason: string | null;
  reasonKey: string | null;
  checkAt: Date | null;
}

export interface WeeklySyncChange {
  teamId?: string;
  aeId?: string;
  status?: WeeklySyncStatus;
  generation?: number;
  eventId?: string | null;
  slot?: WeeklySyncRow['slot'];
  agendaThrough?: string | null;
  reason?: string | null;
  reasonKey?: string | null;
  checkAt?: Date | null;
}

export interface WeeklySyncStore {
  list(): Promise<WeeklySyncRow[]>;
  get(pairKey: string, executor?: Executor): Promise<WeeklySyncRow | undefined>;
  /** Inserts a new pair's row; false when the pair has a row already (another instance was first). */
  insert(executor: Executor, row: Omit<WeeklySyncRow, 'generation'> & { generation: number }, now: Date): Promise<boolean>;
  /** Changes the row while its generation is still `generation`; false when it moved on. */
  update(executor: Executor, pairKey: string, generation: number, change: WeeklySyncChange, now: Date): Promise<boolean>;
  /** The pair's hand-offs the agenda of the week [since, until) speaks of, with what happened to them. */
  agendaFacts(sdrId: string, aeId: string, since: Date, until: Date): Promise<AgendaHandoff[]>;
}

function fromRow(r: Selectable<WeeklySyncTable>): WeeklySyncRow {
  const slot =
    r.weekday !== null && r.start_time !== null && r.length_minutes !== null && r.time_zone !== null && r.first_start !== null
      ? { weekday: r.weekday, startTime: r.start_time, lengthMinutes: r.length_minutes, timeZone: r.time_zone, firstStart: r.first_start }
      : null;
  return {
    pairKey: r.pair_key,
    teamId: r.team_id,
    sdrId: r.sdr_id,
    aeId: r.ae_id,
    status: r.status,
    generation: r.generation,
    eventId: r.event_id,
    slot,
    agendaThrough: r.agenda_through,
    reason: r.reason,
    reasonKey: r.reason_key,
    checkAt: r.check_at,
  };
}

function columnsOf(change: WeeklySyncChange) {
  return {
    ...(change.teamId !== undefined ? { team_id: change.teamId } : {}),
    ...(change.aeId !== undefined ? { ae_id: change.aeId } : {}),
    ...(change.status !== undefined ? { status: change.status } : {}),
    ...(change.generation !== undefined ? { generation: change.generation } : {}),
    ...(change.eventId !== undefined ? { event_id: change.eventId } : {}),
    ...(change.slot !== undefined
      ? {
          weekday: change.slot?.weekday ?? null,
          start_time: change.slot?.startTime ?? null,
          length_minutes: change.slot?.lengthMinutes ?? null,
          time_zone: change.slot?.timeZone ?? null,
          first_start: change.slot?.firstStart ?? null,
        }
      : {}),
    ...(change.agendaThrough !== undefined ? { agenda_through: change.agendaThrough } : {}),
    ...(change.reason !== undefined ? { reason: change.reason } : {}),
    ...(change.reasonKey !== undefined ? { reason_key: change.reasonKey } : {}),
    ...(change.checkAt !== undefined ? { check_at: change.checkAt } : {}),
  };
}

export function createWeeklySyncStore(db: Kysely<Database>): WeeklySyncStore {
  return {
    async list() {
      return (await db.selectFrom('weekly_syncs').selectAll().orderBy('pair_key').execute()).map(fromRow);
    },
    async get(pairKey, executor = db) {
      const row = await executor.selectFrom('weekly_syncs').selectAll().where('pair_key', '=', pairKey).executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },
    async insert(executor, row, now) {
      const inserted = await executor
        .insertInto('weekly_syncs')
        .values({
          pair_key: row.pairKey,
          team_id: row.teamId,
          sdr_id: row.sdrId,
          ae_id: row.aeId,
          ...columnsOf(row),
          status: row.status,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('pair_key').doNothing())
        .returning('pair_key')
        .execute();
      return inserted.length > 0;
    },
    async update(executor, pairKey, generation, change, now) {
      const r = await executor
        .updateTable('weekly_syncs')
        .set({ ...columnsOf(change), updated_at: now })
        .where('pair_key', '=', pairKey)
        .where('generation', '=', generation)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    async agendaFacts(sdrId, aeId, since, until) {
      // The pair's hand-offs started before the end of the week and still open, or closed during it; each with its
      // obligations, its meetings fallen through (stage moves, the meeting deleted) and whether a follow-up is planned.
      const handoffs = await db
        .selectFrom('handoffs as h')
        .innerJoin('leads as l', 'l.id', 'h.lead_id')
        .select([
          'h.id',
          'h.created_at',
          'h.stage',
          'h.stage_changed_at',
          'h.outcome',
          sql<Date | null>`coalesce(h.meeting_start, h.slot_start)`.as('meeting_start'),
          'l.contact_name',
          'l.company_name',
          'l.status as lead_status',
          'l.hand_back_reason',
          'l.hand_back_text',
          sql<boolean>`exists (select 1 from followups f where f.lead_id = l.id and f.done_at is null and f.due_at > ${until})`.as('has_followup'),
        ])
        .where('h.sdr_id', '=', sdrId)
        .where('h.ae_id', '=', aeId)
        .where('h.created_at', '<', until)
        .where((eb) => eb.or([eb('h.stage', '<>', 'closed'), eb('h.stage_changed_at', '>=', since)]))
        .orderBy('h.created_at')
        .limit(500)
        .execute();
      if (handoffs.length === 0) return [];
      const ids = handoffs.map((h) => h.id);
      const obligations = await db
        .selectFrom('obligations')
        .select(['handoff_id', 'kind', 'status', 'due_at', 'met_at', 'met_within_sla', 'breached_at'])
        .where('handoff_id', 'in', ids)
        .where('status', '<>', 'cancelled')
        .execute();
      const moves = await db
        .selectFrom('audit_log')
        .select(['entity_id', 'to_state', 'at'])
        .where('entity', '=', 'handoff')
        .where('entity_id', 'in', ids)
        .where('to_state', 'in', ['no_show', 'rescheduled'])
        .where('at', '>=', since)
        .where('at', '<', until)
        .execute();
      const deleted = await db
        .selectFrom('handoff_findings')
        .select(['handoff_id', 'at'])
        .where('handoff_id', 'in', ids)
        .where('kind', '=', 'meeting_deleted')
        .where('at', '>=', since)
        .where('at', '<', until)
        .execute();
      return handoffs.map((h): AgendaHandoff => ({
        id: h.id,
        contactName: h.contact_name,
        companyName: h.company_name,
        leadStatus: h.lead_status,
        startedAt: h.created_at,
        stage: h.stage,
        outcome: h.outcome,
        closedAt: h.stage === 'closed' ? h.stage_changed_at : null,
        meetingStart: h.meeting_start === null ? null : new Date(h.meeting_start),
        handBackReason: h.hand_back_reason,
        handBackText: h.hand_back_text,
        obligations: obligations
          .filter((o) => o.handoff_id === h.id)
          .map((o) => ({ kind: o.kind, status: o.status, dueAt: o.due_at, metAt: o.met_at, metWithinSla: o.met_within_sla, breachedAt: o.breached_at })),
        fallThroughs: [
          ...moves.filter((m) => m.entity_id === h.id).map((m) => ({ kind: m.to_state as 'no_show' | 'rescheduled', at: m.at })),
          ...deleted.filter((d) => d.handoff_id === h.id).map((d) => ({ kind: 'cancelled' as const, at: d.at })),
        ],
        hasFutureFollowup: h.has_followup,
      }));
    },
  };
}
