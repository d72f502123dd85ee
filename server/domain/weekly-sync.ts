// The weekly SDR↔AE sync: per-team settings (weekday, length, the local hours it may take, when the agenda is
// written), the choice of one weekly time inside both people's working hours (avoiding their busy times in the first
// weeks, keeping clear of daylight-saving drift between their zones), the occurrences of the series, and the agenda
// built from the pair's hand-offs. Pure: `now`, calendars and facts come in. Imports: luxon, zod, ./lead,
// ./lead-validation (types), ./mailbox (types), ./qualification (zod errors), ./slots (busy), ./working-time.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ok, type Result } from './lead';
import type { FieldError } from './lead-validation';
import type { WorkingHours } from './mailbox';
import { zodFieldErrors } from './qualification';
import { isBlocking, type BusyItem } from './slots';
import { checkWorkCalendar, defaultWorkingHours, parseClock, weekdays, workingIntervals, type WorkCalendar, type Weekday } from './working-time';

// ---------------------------------------------------------------------------------------------------------------
// Settings (server/settings/weekly-sync.json)

export interface WeeklySyncSettings {
  readonly enabled: boolean;
  /** The weekday of the sync, in the SDR's (the organizer's) time zone. */
  readonly weekday: Weekday;
  readonly lengthMinutes: number;
  /** The sync lies between these local times `HH:mm` of both people (and inside their working hours). */
  readonly earliest: string;
  readonly latest: string;
  /** How many hours before an occurrence its agenda is written into it (at most 168: as soon as the one before began). */
  readonly agendaHoursBefore: number;
  /** How many weeks of both people's free/busy the choice looks at (getSchedule: under 42 days). */
  readonly lookAheadWeeks: number;
}

export interface WeeklySyncPolicies {
  readonly default: WeeklySyncSettings;
  readonly teams: Readonly<Record<string, WeeklySyncSettings>>;
}

const clock = z.string().refine((t) => parseClock(t) !== null, 'must be a local time HH:mm such as 09:00');
const fields = {
  enabled: z.boolean(),
  weekday: z.enum(weekdays as [Weekday, ...Weekday[]]),
  lengthMinutes: z.number().int().min(15).max(120),
  earliest: clock,
  latest: clock,
  agendaHoursBefore: z.number().int().min(1).max(168),
  lookAheadWeeks: z.number().int().min(1).max(5),
};
const base = z.strictObject({ ...fields, enabled: fields.enabled.default(true) });
const schema = z.strictObject({
  default: base,
  teams: z.record(z.string().min(1), z.strictObject(fields).partial()).default({}),
});

function windowErrors(s: WeeklySyncSettings, path: string): FieldError[] {
  const from = parseClock(s.earliest) ?? 0;
  const to = parseClock(s.latest) ?? 0;
  if (to - from < s.lengthMinutes * 60) {
    return [{ field: `${path}.latest`, code: 'invalid', message: `must leave at least lengthMinutes (${String(s.lengthMinutes)}) after earliest (${s.earliest})` }];
  }
  return [];
}

export function parseWeeklySyncPolicies(json: unknown): Result<WeeklySyncPolicies, FieldError[]> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, error: zodFieldErrors(parsed.error) };
  const def = parsed.data.default;
  const teams: Record<string, WeeklySyncSettings> = {};
  const errors = windowErrors(def, 'default');
  for (const [id, override] of Object.entries(parsed.data.teams)) {
    const merged: WeeklySyncSettings = {
      enabled: override.enabled ?? def.enabled,
      weekday: override.weekday ?? def.weekday,
      lengthMinutes: override.lengthMinutes ?? def.lengthMinutes,
      earliest: override.earliest ?? def.earliest,
      latest: override.latest ?? def.latest,
      agendaHoursBefore: override.agendaHoursBefore ?? def.agendaHoursBefore,
      lookAheadWeeks: override.lookAheadWeeks ?? def.lookAheadWeeks,
    };
    errors.push(...windowErrors(merged, `teams.${id}`));
    teams[id] = merged;
  }
  if (errors.length > 0) return { ok: false, error: errors };
  return { ok: true, value: { default: def, teams } };
}

export function weeklySyncOf(policies: WeeklySyncPolicies, teamId: string | null): WeeklySyncSettings {
  return (teamId === null ? undefined : policies.teams[teamId]) ?? policies.default;
}

// ---------------------------------------------------------------------------------------------------------------
// The slot

export interface SyncPerson {
  readonly name: string;
  /** From getSchedule's `workingHours` (or mailbox settings); null: Mon–Fri 09:00–17:00 in `timeZone`. */
  readonly workingHours: WorkingHours | null;
  /** IANA zone of the mailbox. */
  readonly timeZone: string;
  /** Free/busy of the first weeks (getSchedule items). */
  readonly busy: readonly BusyItem[];
}

/** One weekly time: a weekday and a wall-clock start in the organizer's (the SDR's) zone. */
export interface WeeklySlot {
  readonly weekday: Weekday;
  /** `HH:mm`, local to `timeZone`. */
  readonly startTime: string;
  readonly lengthMinutes: number;
  readonly timeZone: string;
  /** The series' first occurrence (its range's startDate is this date in `timeZone`). */
  readonly firstStart: Date;
  readonly firstEnd: Date;
  /** True when the time stays inside both people's hours all year (their zones' daylight-saving changes included). */
  readonly fitsAllYear: boolean;
  /** Occurrences in the first weeks at which one of them is busy (0 when a free time was found). */
  readonly busyWeeks: number;
}

/** Why no sync can be booked: stable code, the weekday, and each person's hours as read. */
export interface NoCommonHours {
  readonly code: 'no_common_hours';
  readonly message: string;
  readonly weekday: Weekday;
  readonly sdrHours: string;
  readonly aeHours: string;
}

export interface WeeklySlotRequest {
  readonly now: Date;
  readonly settings: WeeklySyncSettings;
  readonly sdr: SyncPerson;
  readonly ae: SyncPerson;
}

const minuteMs = 60_000;
const stepMinutes = 15;
/** Weeks checked for daylight-saving drift between the two zones. */
const yearWeeks = 53;

/** A person's calendar narrowed to the team's [earliest, latest]; null when nothing is left. */
function narrowed(p: SyncPerson, s: WeeklySyncSettings): WorkCalendar | null {
  const wh = p.workingHours;
  const start = Math.max(parseClock(wh?.startTime ?? defaultWorkingHours.startTime) ?? 0, parseClock(s.earliest) ?? 0);
  const end = Math.min(parseClock(wh?.endTime ?? defaultWorkingHours.endTime) ?? 0, parseClock(s.latest) ?? 0);
  if (end - start < s.lengthMinutes * 60) return null;
  const cal: WorkCalendar = {
    timeZone: wh?.timeZone ?? p.timeZone,
    days: wh?.daysOfWeek ?? defaultWorkingHours.days,
    startTime: hhmm(start),
    endTime: hhmm(end),
    holidays: new Set(),
  };
  return checkWorkCalendar(cal).ok ? cal : null;
}

const hhmm = (seconds: number): string => `${String(Math.floor(seconds / 3600)).padStart(2, '0')}:${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}`;

/** "Mon–Fri 09:00–17:00 Europe/Berlin", as the manager reads it. */
export function describeHours(p: SyncPerson): string {
  const wh = p.workingHours;
  const days = wh?.daysOfWeek ?? defaultWorkingHours.days;
  const short = (d: Weekday) => d.slice(0, 1).toUpperCase() + d.slice(1, 3);
  const ordered = weekdays.filter((d) => days.includes(d));
  const indices = ordered.map((d) => weekdays.indexOf(d));
  const contiguous = indices.every((v, i) => i === 0 || v === (indices[i - 1] ?? 0) + 1);
  const first = ordered[0];
  const last = ordered[ordered.length - 1];
  const dayText = ordered.length === 0 ? 'no days' : contiguous && ordered.length > 2 && first && last ? `${short(first)}–${short(last)}` : ordered.map(short).join(', ');
  const from = (wh?.startTime ?? defaultWorkingHours.startTime).slice(0, 5);
  const to = (wh?.endTime ?? defaultWorkingHours.endTime).slice(0, 5);
  return `${dayText} ${from}–${to} ${wh?.timeZone ?? p.timeZone}`;
}

/** The first date on or after `from` (local, in `zone`) that is `weekday`. */
function nextWeekday(from: DateTime, weekday: Weekday): DateTime {
  const target = weekdays.indexOf(weekday) + 1;
  return from.startOf('day').plus({ days: (target - from.weekday + 7) % 7 });
}

function at(date: DateTime, seconds: number): DateTime {
  return date.set({ hour: Math.floor(seconds / 3600), minute: Math.floor((seconds % 3600) / 60), second: 0, millisecond: 0 });
}

function inside(cal: WorkCalendar, start: number, end: number): boolean {
  const spans = workingIntervals({ start: new Date(start), end: new Date(end) }, cal);
  return spans.length === 1 && spans[0]?.start.getTime() === start && spans[0].end.getTime() === end;
}

/**
 * The weekly time of a pair, or why there is none. Candidates are the quarter hours of the weekday in the SDR's zone
 * inside both people's hours (narrowed to the team's earliest–latest) on the first weeks; the best is the one that
 * stays inside both people's hours all year, then the one where both are free most of the first weeks, then the one
 * nearest the middle of both days, then the earliest.
 */
export function chooseWeeklySlot(input: WeeklySlotRequest): Result<WeeklySlot, NoCommonHours> {
  const { settings: s, sdr, ae } = input;
  const none = (detail: string): Result<WeeklySlot, NoCommonHours> => ({
    ok: false,
    error: {
      code: 'no_common_hours',
      message: `${sdr.name} (${describeHours(sdr)}) and ${ae.name} (${describeHours(ae)}) have no common ${String(s.lengthMinutes)} minutes on ${cap(s.weekday)} between ${s.earliest} and ${s.latest}: ${detail}.`,
      weekday: s.weekday,
      sdrHours: describeHours(sdr),
      aeHours: describeHours(ae),
    },
  });
  const sdrCal = narrowed(sdr, s);
  const aeCal = narrowed(ae, s);
  if (sdrCal === null) return none(`${sdr.name}'s working hours lie outside that window`);
  if (aeCal === null) return none(`${ae.name}'s working hours lie outside that window`);
  if (!sdrCal.days.includes(s.weekday)) return none(`${sdr.name} does not work on ${cap(s.weekday)}`);
  const zone = sdrCal.timeZone;
  const lengthMs = s.lengthMinutes * minuteMs;
  const open = parseClock(sdrCal.startTime) ?? 0;
  const close = parseClock(sdrCal.endTime) ?? 0;
  // The first occurrence starts at least an hour from now.
  const firstDay = nextWeekday(DateTime.fromJSDate(input.now, { zone }), s.weekday);
  const notBefore = input.now.getTime() + 60 * minuteMs;
  const busy = [...sdr.busy, ...ae.busy].filter((b) => isBlocking(b.status)).map((b) => [b.start.getTime(), b.end.getTime()] as const);

  interface Scored {
    seconds: number;
    firstDay: DateTime;
    yearFit: number;
    busyWeeks: number;
    edge: number;
  }
  const scored: Scored[] = [];
  for (let seconds = Math.ceil(open / (stepMinutes * 60)) * stepMinutes * 60; seconds + s.lengthMinutes * 60 <= close; seconds += stepMinutes * 60) {
    const day0 = at(firstDay, seconds).toMillis() >= notBefore ? firstDay : firstDay.plus({ weeks: 1 });
    let fitsFirstWeeks = true;
    let yearFit = 0;
    let busyWeeks = 0;
    for (let w = 0; w < yearWeeks; w++) {
      const start = at(day0.plus({ weeks: w }), seconds).toMillis();
      const end = start + lengthMs;
      const fits = inside(sdrCal, start, end) && inside(aeCal, start, end);
      if (w < s.lookAheadWeeks) {
        if (!fits) fitsFirstWeeks = false;
        if (busy.some(([bs, be]) => bs < end && be > start)) busyWeeks++;
      }
      if (!fitsFirstWeeks) break;
      if (fits) yearFit++;
    }
    if (!fitsFirstWeeks) continue;
    const mid = at(day0, seconds).toMillis() + lengthMs / 2;
    scored.push({ seconds, firstDay: day0, yearFit, busyWeeks, edge: edgeOf(mid, sdrCal) + edgeOf(mid, aeCal) });
  }
  if (scored.length === 0) return none('their working hours do not overlap on that day');
  scored.sort((a, b) => b.yearFit - a.yearFit || a.busyWeeks - b.busyWeeks || a.edge - b.edge || a.seconds - b.seconds);
  const best = scored[0] as Scored;
  const first = at(best.firstDay, best.seconds);
  return ok({
    weekday: s.weekday,
    startTime: hhmm(best.seconds),
    lengthMinutes: s.lengthMinutes,
    timeZone: zone,
    firstStart: first.toJSDate(),
    firstEnd: new Date(first.toMillis() + lengthMs),
    fitsAllYear: best.yearFit === yearWeeks,
    busyWeeks: best.busyWeeks,
  });
}

const cap = (d: string): string => d.slice(0, 1).toUpperCase() + d.slice(1);

/** 0 in the middle of the person's (narrowed) day, 1 at its edges. */
function edgeOf(ms: number, cal: WorkCalendar): number {
  const open = parseClock(cal.startTime) ?? 0;
  const close = parseClock(cal.endTime) ?? 0;
  const dt = DateTime.fromMillis(ms, { zone: cal.timeZone });
  const seconds = dt.hour * 3600 + dt.minute * 60;
  const half = (close - open) / 2;
  return Math.min(1, Math.abs(seconds - (open + half)) / half);
}

// ---------------------------------------------------------------------------------------------------------------
// Occurrences

export interface Occurrence {
  /** Local date `YYYY-MM-DD` in the slot's zone: the occurrence's name in Baton. */
  readonly date: string;
  readonly start: Date;
  readonly end: Date;
}

/** The occurrence of a weekly series (first on `seriesStart`) that starts next after `after`. */
export function nextOccurrence(slot: Pick<WeeklySlot, 'weekday' | 'startTime' | 'lengthMinutes' | 'timeZone'>, seriesStart: Date, after: Date): Occurrence {
  const zone = slot.timeZone;
  const seconds = parseClock(slot.startTime) ?? 0;
  const from = DateTime.fromMillis(Math.max(after.getTime(), seriesStart.getTime() - 1), { zone });
  let day = nextWeekday(from, slot.weekday);
  if (at(day, seconds).toMillis() <= from.toMillis()) day = day.plus({ weeks: 1 });
  const start = at(day, seconds);
  return { date: day.toISODate() ?? '', start: start.toJSDate(), end: new Date(start.toMillis() + slot.lengthMinutes * minuteMs) };
}

/** The occurrence a week before `o` (same wall-clock time). */
export function previousOccurrence(slot: Pick<WeeklySlot, 'startTime' | 'timeZone' | 'lengthMinutes'>, o: Occurrence): Occurrence {
  const day = DateTime.fromISO(o.date, { zone: slot.timeZone }).minus({ weeks: 1 });
  const start = at(day, parseClock(slot.startTime) ?? 0);
  return { date: day.toISODate() ?? '', start: start.toJSDate(), end: new Date(start.toMillis() + slot.lengthMinutes * minuteMs) };
}

/** Graph's patternedRecurrence of the series: weekly on the weekday, no end, from the first occurrence's date. */
export function weeklyRecurrenceOf(slot: Pick<WeeklySlot, 'weekday' | 'timeZone' | 'firstStart'>): { weekday: Weekday; startDate: string; timeZone: string } {
  return { weekday: slot.weekday, startDate: DateTime.fromJSDate(slot.firstStart, { zone: slot.timeZone }).toISODate() ?? '', timeZone: slot.timeZone };
}

// ---------------------------------------------------------------------------------------------------------------
// The agenda

export interface AgendaObligation {
  readonly kind: 'ae_reply' | 'ae_accept';
  readonly status: string;
  readonly dueAt: Date;
  readonly metAt: Date | null;
  readonly metWithinSla: boolean | null;
  readonly breachedAt: Date | null;
}

export interface AgendaHandoff {
  readonly id: string;
  readonly contactName: string;
  readonly companyName: string;
  readonly leadStatus: string;
  readonly startedAt: Date;
  readonly stage: string;
  readonly outcome: string | null;
  readonly closedAt: Date | null;
  readonly meetingStart: Date | null;
  readonly handBackReason: string | null;
  readonly handBackText: string | null;
  readonly obligations: readonly AgendaObligation[];
  /** Moves of the stage to `no_show` or `rescheduled`, and the meeting deleted (a finding). */
  readonly fallThroughs: readonly { readonly kind: 'no_show' | 'rescheduled' | 'cancelled'; readonly at: Date }[];
  /** Whether the lead has an open follow-up due after now. */
  readonly hasFutureFollowup: boolean;
}

export interface AgendaLine {
  readonly lead: string;
  readonly company: string;
  readonly detail: string;
}

export interface Agenda {
  /** [since, until): the week the agenda covers (since the last sync). */
  readonly since: Date;
  readonly until: Date;
  readonly handoffs: readonly AgendaLine[];
  readonly openSlas: readonly AgendaLine[];
  readonly met: readonly AgendaLine[];
  readonly breached: readonly AgendaLine[];
  readonly meetingsHeld: readonly AgendaLine[];
  readonly fallenThrough: readonly AgendaLine[];
  readonly handBacks: readonly AgendaLine[];
  readonly withoutFollowup: readonly AgendaLine[];
  /** Who does what, from the lines above. */
  readonly nextSteps: readonly string[];
}

const inRange = (d: Date | null, since: Date, until: Date): d is Date => d !== null && d.getTime() >= since.getTime() && d.getTime() < until.getTime();
const obligationText: Record<AgendaObligation['kind'], string> = { ae_reply: 'reply to the intro', ae_accept: 'accept the invite' };
const openStates = new Set(['open', 'reminded', 'breached', 'escalated']);

/**
 * The agenda of one occurrence from the pair's hand-offs: those started in [since, until); SLAs still open; met and
 * breached in the period; meetings held and fallen through; hand-backs with their reasons; leads without a future
 * follow-up; and next steps naming who does what. `formatDate` renders an instant for the reader.
 */
export function buildAgenda(input: {
  since: Date;
  until: Date;
  handoffs: readonly AgendaHandoff[];
  sdrName: string;
  aeName: string;
  reasonLabels: Readonly<Record<string, string>>;
  formatDate: (at: Date) => string;
}): Agenda {
  const { since, until, sdrName, aeName, formatDate } = input;
  const line = (h: AgendaHandoff, detail: string): AgendaLine => ({ lead: h.contactName, company: h.companyName, detail });
  const a = {
    handoffs: [] as AgendaLine[],
    openSlas: [] as AgendaLine[],
    met: [] as AgendaLine[],
    breached: [] as AgendaLine[],
    meetingsHeld: [] as AgendaLine[],
    fallenThrough: [] as AgendaLine[],
    handBacks: [] as AgendaLine[],
    withoutFollowup: [] as AgendaLine[],
  };
  const steps: string[] = [];
  const ordered = [...input.handoffs].sort((x, y) => x.startedAt.getTime() - y.startedAt.getTime() || x.id.localeCompare(y.id));
  for (const h of ordered) {
    if (inRange(h.startedAt, since, until)) a.handoffs.push(line(h, `handed off ${formatDate(h.startedAt)}, now ${h.stage.replace(/_/g, ' ')}`));
    for (const o of h.obligations) {
      if (openStates.has(o.status) && o.metAt === null) {
        const late = o.dueAt.getTime() < until.getTime();
        a.openSlas.push(line(h, `${aeName} to ${obligationText[o.kind]}: due ${formatDate(o.dueAt)}${late ? ' (overdue)' : ''}`));
        steps.push(`${aeName}: ${obligationText[o.kind]} for ${h.contactName} (${h.companyName})${late ? ' today, it is overdue' : ` by ${formatDate(o.dueAt)}`}.`);
      }
      if (inRange(o.metAt, since, until)) a.met.push(line(h, `${obligationText[o.kind]}: ${o.metWithinSla === false ? 'met late' : 'met within the SLA'} ${formatDate(o.metAt)}`));
      if (inRange(o.breachedAt, since, until)) a.breached.push(line(h, `${obligationText[o.kind]}: breached ${formatDate(o.breachedAt)}`));
    }
    const held = h.meetingStart !== null && h.closedAt !== null && (h.outcome === 'sales_qualified' || h.outcome === 'hand_back') && h.closedAt.getTime() >= h.meetingStart.getTime();
    if (held && inRange(h.meetingStart, since, until)) a.meetingsHeld.push(line(h, `met ${formatDate(h.meetingStart)}: ${h.outcome === 'sales_qualified' ? 'Sales Qualified' : 'handed back'}`));
    for (const f of h.fallThroughs) {
      if (!inRange(f.at, since, until)) continue;
      const what = f.kind === 'no_show' ? 'no-show' : f.kind === 'rescheduled' ? 'rescheduled' : 'meeting cancelled';
      a.fallenThrough.push(line(h, `${what} ${formatDate(f.at)}`));
      if (h.closedAt === null) steps.push(`${sdrName}: book a new meeting with ${h.contactName} (${h.companyName}) after the ${what}.`);
    }
    if (h.outcome === 'hand_back' && inRange(h.closedAt, since, until)) {
      const reason = h.handBackReason === null ? 'no reason given' : (input.reasonLabels[h.handBackReason] ?? h.handBackReason);
      a.handBacks.push(line(h, `${reason}${h.handBackText ? `: “${h.handBackText}”` : ''}`));
      steps.push(`${sdrName}: plan the nurture of ${h.contactName} (${h.companyName}); go through why it came back (${reason}).`);
    }
    const pursued = h.leadStatus !== 'disqualified';
    if (pursued && !h.hasFutureFollowup) {
      const owner = h.leadStatus === 'sales_qualified' ? aeName : sdrName;
      a.withoutFollowup.push(line(h, `no follow-up planned (owner: ${owner})`));
      steps.push(`${owner}: plan the next follow-up for ${h.contactName} (${h.companyName}).`);
    }
  }
  if (a.breached.length > 0) steps.push(`Both: talk through the ${String(a.breached.length)} breached SLA${a.breached.length === 1 ? '' : 's'} and what would have prevented ${a.breached.length === 1 ? 'it' : 'them'}.`);
  if (steps.length === 0) steps.push(`Both: nothing is open; pick the next leads ${sdrName} will hand to ${aeName}.`);
  return { since, until, ...a, nextSteps: [...new Set(steps)] };
}
