// The weekly SDR↔AE sync job (in the watch runtime, every minute): for each active pair of a team with the sync on,
// one recurring weekly meeting on the SDR's calendar with the AE invited, at a time inside both people's working
// hours (getSchedule), booked through the outbox with a transactionId; moved when a 1:1 SDR's AE changes, cancelled
// when the pair ends, recreated when the series is found deleted; before each occurrence its agenda is written into
// it (instances + PATCH: two Graph requests a week). A pair with no common hours gets no sync; the team's manager is
// told why, again only when the reason changes. Imports: domain, store, mail, ./outbox-sender (types), pino.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { GatewayError, type EmailAddress, type MailboxGateway, type WeeklyRecurrence } from '../domain/mailbox';
import type { HandBackReason } from '../domain/lifecycle';
import type { Team, User } from '../domain/people';
import {
  buildAgenda,
  chooseWeeklySlot,
  nextOccurrence,
  previousOccurrence,
  weeklyRecurrenceOf,
  weeklySyncOf,
  type NoCommonHours,
  type WeeklySlot,
  type WeeklySyncPolicies,
} from '../domain/weekly-sync';
import type { Weekday } from '../domain/working-time';
import { formatDateTime } from '../mail/mail-layout';
import { renderNoCommonHours, renderSyncAgenda, renderSyncSeries } from '../mail/weekly-sync-mails';
import type { Db } from '../store/database';
import type { OutboxItem, OutboxStore } from '../store/outbox-store';
import type { PeopleStore } from '../store/people-store';
import { createWeeklySyncStore, type WeeklySyncRow, type WeeklySyncStore } from '../store/weekly-sync-store';
import type { MailPayload, OutboxHandler } from './outbox-sender';

export interface WeeklySyncDeps {
  db: Db;
  gateway: Pick<MailboxGateway, 'getSchedule' | 'createEvent' | 'updateEvent' | 'cancelEvent' | 'eventInstances'>;
  people: Pick<PeopleStore, 'listTeams' | 'listUsers' | 'pairingsOfTeam' | 'getUser'>;
  outbox: OutboxStore;
  store?: WeeklySyncStore;
  policies: WeeklySyncPolicies;
  handBackReasons: readonly HandBackReason[];
  now: () => Date;
  logger: Logger;
  locale?: string;
}

export interface WeeklySyncJob {
  /** Books, moves, cancels, recreates and queues agendas as due; returns how many changes were queued. */
  run(): Promise<number>;
  /** Performs the job's outbox items (kind `weekly-sync`). */
  handler: OutboxHandler;
}

/** The outbox kind of the job's items. */
export const weeklySyncKind = 'weekly-sync';

interface SeriesEvent {
  subject: string;
  html: string;
  start: string;
  end: string;
  timeZone: string;
  attendees: EmailAddress[];
  recurrence: WeeklyRecurrence;
}

export type WeeklySyncPayload =
  | { action: 'create'; pairKey: string; generation: number; event: SeriesEvent; transactionId: string }
  | { action: 'move'; pairKey: string; generation: number; eventId: string; event: SeriesEvent }
  | { action: 'cancel'; pairKey: string; eventId: string; comment: string }
  | { action: 'agenda'; pairKey: string; generation: number; eventId: string; date: string; occurrenceStart: string; windowStart: string; windowEnd: string; html: string };

interface Pair {
  key: string;
  team: Team;
  sdr: User;
  ae: User;
}

const dayMs = 86_400_000;
const hourMs = 3_600_000;
/** How long a pair without common hours waits before its hours are read again. */
const recheckNoHoursMs = 7 * dayMs;
/** How long a pair whose free/busy could not be read waits. */
const retryUnreadableMs = hourMs;

const isNotFound = (e: unknown): boolean => e instanceof GatewayError && e.code === 'not_found';

export function createWeeklySyncJob(deps: WeeklySyncDeps): WeeklySyncJob {
  const store = deps.store ?? createWeeklySyncStore(deps.db);
  const locale = deps.locale ?? 'en-GB';
  const reasonLabels = Object.fromEntries(deps.handBackReasons.map((r) => [r.code, r.label]));
  /** Pairs whose free/busy could not be read, and when to try again (kept in memory: a restart just tries again). */
  const unreadable = new Map<string, number>();

  async function desiredPairs(): Promise<Map<string, Pair>> {
    const out = new Map<string, Pair>();
    for (const team of await deps.people.listTeams()) {
      if (!weeklySyncOf(deps.policies, team.id).enabled) continue;
      const users = new Map((await deps.people.listUsers({ teamId: team.id })).map((u) => [u.id, u]));
      for (const p of await deps.people.pairingsOfTeam(team.id)) {
        const sdr = users.get(p.sdrId);
        const ae = users.get(p.aeId);
        if (!sdr?.active || !ae?.active || sdr.role !== 'sdr' || ae.role !== 'ae') continue;
        // In a 1:1 team the SDR's sync follows the SDR to a new AE; in a pool each SDR×AE pair has its own.
        const key = team.pairingMode === 'one_to_one' ? `sdr:${sdr.id}` : `sdr:${sdr.id}:ae:${ae.id}`;
        out.set(key, { key, team, sdr, ae });
      }
    }
    return out;
  }

  async function managerOf(pair: Pair): Promise<User | undefined> {
    const direct = pair.sdr.managerId === null ? undefined : await deps.people.getUser(pair.sdr.managerId);
    if (direct?.active && direct.role === 'manager') return direct;
    return (await deps.people.listUsers({ teamId: pair.team.id, role: 'manager' })).find((u) => u.active);
  }

  async function seriesEvent(pair: Pair, slot: WeeklySlot): Promise<SeriesEvent> {
    const settings = weeklySyncOf(deps.policies, pair.team.id);
    const body = await renderSyncSeries({ sdrName: pair.sdr.displayName, aeName: pair.ae.displayName, slot, agendaHoursBefore: settings.agendaHoursBefore, locale });
    return {
      subject: body.subject,
      html: body.html,
      start: slot.firstStart.toISOString(),
      end: slot.firstEnd.toISOString(),
      timeZone: slot.timeZone,
      attendees: [{ address: pair.ae.email, name: pair.ae.displayName }],
      recurrence: weeklyRecurrenceOf(slot),
    };
  }

  const slotColumns = (slot: WeeklySlot): NonNullable<WeeklySyncRow['slot']> => ({
    weekday: slot.weekday,
    startTime: slot.startTime,
    lengthMinutes: slot.lengthMinutes,
    timeZone: slot.timeZone,
    firstStart: slot.firstStart,
  });

  /** Chooses the pair's time from both people's free/busy and working hours (one getSchedule). Null: not readable. */
  async function choose(pair: Pair, now: Date) {
    const settings = weeklySyncOf(deps.policies, pair.team.id);
    const window = { start: now, end: new Date(now.getTime() + settings.lookAheadWeeks * 7 * dayMs) };
    const schedules = await deps.gateway.getSchedule(pair.sdr.entraOid, [pair.sdr.email, pair.ae.email], window, 30);
    const of = (u: User) => schedules.find((s) => s.scheduleId.toLowerCase() === u.email.toLowerCase());
    const sdrSchedule = of(pair.sdr);
    const aeSchedule = of(pair.ae);
    if (!sdrSchedule || !aeSchedule || sdrSchedule.error !== null || aeSchedule.error !== null) {
      deps.logger.warn({ pair: pair.key, sdrError: sdrSchedule?.error ?? 'missing', aeError: aeSchedule?.error ?? 'missing' }, 'weekly sync: free/busy not readable');
      return null;
    }
    return chooseWeeklySlot({
      now,
      settings,
      sdr: { name: pair.sdr.displayName, workingHours: sdrSchedule.workingHours, timeZone: pair.sdr.timeZone, busy: sdrSchedule.items },
      ae: { name: pair.ae.displayName, workingHours: aeSchedule.workingHours, timeZone: pair.ae.timeZone, busy: aeSchedule.items },
    });
  }

  /** Books (or moves) the pair's series, or records why it cannot and tells the manager once per reason. */
  async function plan(pair: Pair, row: WeeklySyncRow | undefined, now: Date): Promise<number> {
    const retryAt = unreadable.get(pair.key);
    if (retryAt !== undefined && retryAt > now.getTime()) return 0;
    const chosen = await choose(pair, now);
    if (chosen === null) {
      unreadable.set(pair.key, now.getTime() + retryUnreadableMs);
      return 0;
    }
    unreadable.delete(pair.key);
    const generation = (row?.generation ?? 0) + 1;
    const live = row !== undefined && row.status === 'booked' && row.eventId !== null ? row.eventId : null;
    if (chosen.ok) {
      const slot = chosen.value;
      const event = await seriesEvent(pair, slot);
      const payload: WeeklySyncPayload =
        live === null
          ? { action: 'create', pairKey: pair.key, generation, event, transactionId: transactionIdOf(pair.key, generation) }
          : { action: 'move', pairKey: pair.key, generation, eventId: live, event };
      const change = { teamId: pair.team.id, aeId: pair.ae.id, status: 'booking' as const, generation, slot: slotColumns(slot), agendaThrough: null, reason: null, reasonKey: null, checkAt: null, ...(live === null ? { eventId: null } : {}) };
      const done = await deps.db.transaction().execute(async (trx) => {
        const written = row === undefined ? await store.insert(trx, { pairKey: pair.key, sdrId: pair.sdr.id, ...change, eventId: null }, now) : await store.update(trx, pair.key, row.generation, change, now);
        if (!written) return false;
        await deps.outbox.add(trx, [{ idempotencyKey: `weekly-sync:${payload.action}:${pair.key}:${String(generation)}`, handoffId: null, kind: 'weekly-sync', mailbox: pair.sdr.entraOid, payload }], now);
        return true;
      });
      if (done) deps.logger.info({ pair: pair.key, action: payload.action, weekday: slot.weekday, startTime: slot.startTime, timeZone: slot.timeZone }, 'weekly sync booked');
      return done ? 1 : 0;
    }
    const reason = chosen.error;
    const reasonKey = keyOfReason(pair, reason);
    const manager = await managerOf(pair);
    const note =
      row?.reasonKey === reasonKey || manager === undefined
        ? null
        : await renderNoCommonHours({ managerName: manager.displayName, sdrName: pair.sdr.displayName, aeName: pair.ae.displayName, reason, locale });
    const change = { teamId: pair.team.id, aeId: pair.ae.id, status: 'no_common_hours' as const, generation, reason: reason.message, reasonKey, checkAt: new Date(now.getTime() + recheckNoHoursMs), agendaThrough: null };
    const done = await deps.db.transaction().execute(async (trx) => {
      const written = row === undefined ? await store.insert(trx, { pairKey: pair.key, sdrId: pair.sdr.id, ...change, eventId: null, slot: null }, now) : await store.update(trx, pair.key, row.generation, change, now);
      if (!written) return false;
      const items = [];
      if (live !== null && row !== undefined) {
        const cancel: WeeklySyncPayload = { action: 'cancel', pairKey: pair.key, eventId: live, comment: 'The weekly sync ends: the pair has no common working hours.' };
        items.push({ idempotencyKey: `weekly-sync:cancel:${pair.key}:${String(row.generation)}`, handoffId: null, kind: 'weekly-sync' as const, mailbox: pair.sdr.entraOid, payload: cancel });
      }
      if (note !== null && manager !== undefined) {
        const mail: MailPayload = { to: [{ address: manager.email, name: manager.displayName }], subject: note.subject, html: note.html };
        items.push({ idempotencyKey: `weekly-sync:no-common-hours:${pair.key}:${reasonKey}`, handoffId: null, kind: 'mail' as const, mailbox: manager.entraOid, payload: mail });
      }
      await deps.outbox.add(trx, items, now);
      return true;
    });
    if (done) deps.logger.warn({ pair: pair.key, code: reason.code, managerTold: note !== null }, 'weekly sync not booked: no common working hours');
    if (manager === undefined) deps.logger.warn({ pair: pair.key, team: pair.team.id }, 'weekly sync: the team has no active manager to tell');
    return done ? 1 : 0;
  }

  /** The series was deleted: book it again at the same weekly time, from the next occurrence on (no getSchedule). */
  async function recreate(pair: Pair, row: WeeklySyncRow, now: Date): Promise<number> {
    if (row.slot === null) return plan(pair, row, now);
    const next = nextOccurrence(slotOf(row.slot), row.slot.firstStart, new Date(now.getTime() + hourMs));
    const slot: WeeklySlot = { ...slotOf(row.slot), firstStart: next.start, firstEnd: next.end, fitsAllYear: true, busyWeeks: 0 };
    const generation = row.generation + 1;
    const event = await seriesEvent(pair, slot);
    const payload: WeeklySyncPayload = { action: 'create', pairKey: pair.key, generation, event, transactionId: transactionIdOf(pair.key, generation) };
    const done = await deps.db.transaction().execute(async (trx) => {
      if (!(await store.update(trx, pair.key, row.generation, { status: 'booking', generation, eventId: null, slot: slotColumns(slot), agendaThrough: null }, now))) return false;
      await deps.outbox.add(trx, [{ idempotencyKey: `weekly-sync:create:${pair.key}:${String(generation)}`, handoffId: null, kind: 'weekly-sync', mailbox: pair.sdr.entraOid, payload }], now);
      return true;
    });
    if (done) deps.logger.info({ pair: pair.key }, 'weekly sync recreated after its series was deleted');
    return done ? 1 : 0;
  }

  async function end(row: WeeklySyncRow, now: Date): Promise<number> {
    const sdr = await deps.people.getUser(row.sdrId);
    const done = await deps.db.transaction().execute(async (trx) => {
      if (!(await store.update(trx, row.pairKey, row.generation, { status: 'ended', generation: row.generation + 1, checkAt: null }, now))) return false;
      if (row.status === 'booked' && row.eventId !== null && sdr !== undefined) {
        const cancel: WeeklySyncPayload = { action: 'cancel', pairKey: row.pairKey, eventId: row.eventId, comment: 'The weekly sync ends: the pair no longer works together.' };
        await deps.outbox.add(trx, [{ idempotencyKey: `weekly-sync:cancel:${row.pairKey}:${String(row.generation)}`, handoffId: null, kind: 'weekly-sync', mailbox: sdr.entraOid, payload: cancel }], now);
      }
      return true;
    });
    if (done) deps.logger.info({ pair: row.pairKey }, 'weekly sync ended');
    return done ? 1 : 0;
  }

  /** Queues the agenda of the next occurrence once it is due (agendaHoursBefore its start) and not queued yet. */
  async function agenda(pair: Pair, row: WeeklySyncRow, now: Date): Promise<number> {
    if (row.slot === null || row.eventId === null) return 0;
    const settings = weeklySyncOf(deps.policies, pair.team.id);
    const slot = slotOf(row.slot);
    const next = nextOccurrence(slot, row.slot.firstStart, now);
    if (row.agendaThrough !== null && row.agendaThrough >= next.date) return 0;
    if (now.getTime() < next.start.getTime() - settings.agendaHoursBefore * hourMs) return 0;
    const since = previousOccurrence(slot, next).start;
    const facts = await store.agendaFacts(pair.sdr.id, pair.ae.id, since, now);
    const built = buildAgenda({
      since,
      until: now,
      handoffs: facts,
      sdrName: pair.sdr.displayName,
      aeName: pair.ae.displayName,
      reasonLabels,
      formatDate: (at) => formatDateTime(at, slot.timeZone, locale),
    });
    const mail = await renderSyncAgenda({ agenda: built, sdrName: pair.sdr.displayName, aeName: pair.ae.displayName, occurrence: next, timeZone: slot.timeZone, locale });
    const payload: WeeklySyncPayload = {
      action: 'agenda',
      pairKey: pair.key,
      generation: row.generation,
      eventId: row.eventId,
      date: next.date,
      occurrenceStart: next.start.toISOString(),
      windowStart: new Date(next.start.getTime() - hourMs).toISOString(),
      windowEnd: new Date(next.end.getTime() + hourMs).toISOString(),
      html: mail.html,
    };
    const done = await deps.db.transaction().execute(async (trx) => {
      if (!(await store.update(trx, pair.key, row.generation, { agendaThrough: next.date }, now))) return false;
      await deps.outbox.add(trx, [{ idempotencyKey: `weekly-sync:agenda:${pair.key}:${String(row.generation)}:${next.date}`, handoffId: null, kind: 'weekly-sync', mailbox: pair.sdr.entraOid, payload }], now);
      return true;
    });
    if (done) deps.logger.info({ pair: pair.key, occurrence: next.date, handoffs: facts.length }, 'weekly sync agenda queued');
    return done ? 1 : 0;
  }

  /** Marks the series gone (the job recreates it), while the row is still at `generation`. */
  const gone = (pairKey: string, generation: number) => async (executor: Db) => {
    await store.update(executor, pairKey, generation, { status: 'missing', eventId: null }, deps.now());
  };

  const handler: OutboxHandler = async (item: OutboxItem) => {
    const p = item.payload as WeeklySyncPayload;
    switch (p.action) {
      case 'create': {
        const event = await deps.gateway.createEvent(item.mailbox, { ...eventOf(p.event), onlineMeeting: true, showAs: 'busy', transactionId: p.transactionId });
        return {
          result: { eventId: event.id, iCalUId: event.iCalUId },
          commit: async (executor) => {
            await store.update(executor, p.pairKey, p.generation, { status: 'booked', eventId: event.id }, deps.now());
          },
        };
      }
      case 'move': {
        try {
          const e = eventOf(p.event);
          await deps.gateway.updateEvent(item.mailbox, p.eventId, { subject: e.subject, html: e.html, start: e.start, end: e.end, timeZone: e.timeZone, attendees: e.attendees, recurrence: e.recurrence });
        } catch (e) {
          if (!isNotFound(e)) throw e;
          return { result: { gone: true }, commit: gone(p.pairKey, p.generation) };
        }
        return {
          result: { moved: p.eventId },
          commit: async (executor) => {
            await store.update(executor, p.pairKey, p.generation, { status: 'booked' }, deps.now());
          },
        };
      }
      case 'cancel': {
        try {
          await deps.gateway.cancelEvent(item.mailbox, p.eventId, p.comment);
        } catch (e) {
          if (!isNotFound(e)) throw e;
          return { result: { alreadyGone: true } };
        }
        return { result: { cancelled: p.eventId } };
      }
      case 'agenda': {
        const instances = await deps.gateway.eventInstances(item.mailbox, p.eventId, { start: new Date(p.windowStart), end: new Date(p.windowEnd) });
        if (instances === null) return { result: { gone: true }, commit: gone(p.pairKey, p.generation) };
        const at = new Date(p.occurrenceStart).getTime();
        const occurrence = instances.find((i) => i.start.getTime() === at) ?? instances.find((i) => !i.isCancelled);
        if (occurrence === undefined) return { result: { skipped: 'no occurrence in the window' } };
        await deps.gateway.updateEvent(item.mailbox, occurrence.id, { html: p.html });
        return { result: { occurrenceId: occurrence.id, date: p.date } };
      }
    }
  };

  return {
    handler,
    async run() {
      const now = deps.now();
      const desired = await desiredPairs();
      const rows = new Map((await store.list()).map((r) => [r.pairKey, r]));
      let queued = 0;
      for (const pair of desired.values()) {
        const row = rows.get(pair.key);
        try {
          if (row === undefined || row.status === 'ended') queued += await plan(pair, row, now);
          else if (row.status === 'no_common_hours') {
            if (row.aeId !== pair.ae.id || (row.checkAt !== null && row.checkAt.getTime() <= now.getTime())) queued += await plan(pair, row, now);
          } else if (row.status === 'missing') queued += await recreate(pair, row, now);
          else if (row.status === 'booked') queued += row.aeId !== pair.ae.id ? await plan(pair, row, now) : await agenda(pair, row, now);
          // `booking`: the outbox has not booked it yet.
        } catch (e) {
          if (!(e instanceof GatewayError)) throw e;
          deps.logger.warn({ pair: pair.key, code: e.code, err: e }, 'weekly sync: Graph refused; tried again on a later round');
        }
      }
      for (const row of rows.values()) {
        if (desired.has(row.pairKey) || row.status === 'ended' || row.status === 'booking') continue;
        queued += await end(row, now);
      }
      return queued;
    },
  };
}

function slotOf(s: NonNullable<WeeklySyncRow['slot']>): Pick<WeeklySlot, 'weekday' | 'startTime' | 'lengthMinutes' | 'timeZone'> {
  return { weekday: s.weekday as Weekday, startTime: s.startTime, lengthMinutes: s.lengthMinutes, timeZone: s.timeZone };
}

function eventOf(e: SeriesEvent) {
  return { subject: e.subject, html: e.html, start: new Date(e.start), end: new Date(e.end), timeZone: e.timeZone, attendees: e.attendees, recurrence: e.recurrence };
}

/** Graph's transactionId of a series (at most 36 characters would be safe for any client: a hash). */
function transactionIdOf(pairKey: string, generation: number): string {
  const h = createHash('sha256').update(`weekly-sync:${pairKey}:${String(generation)}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Names a no-common-hours reason: the AE and both people's hours as read; a change of any of them tells the manager again. */
function keyOfReason(pair: Pair, reason: NoCommonHours): string {
  return createHash('sha256').update(JSON.stringify([pair.ae.id, reason.weekday, reason.sdrHours, reason.aeHours])).digest('hex').slice(0, 16);
}
