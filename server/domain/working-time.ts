// Working time: a person's working hours, time zone and public holidays as a `WorkCalendar`, and the clock that
// counts only time inside them (the SLA's "X working hours", the slot finder's opening hours). Pure: the caller
// passes every instant. Imports: luxon (zones, DST), date-holidays (public holidays per country), ./lead, ./mailbox.
import { DateTime, IANAZone } from 'luxon';
import Holidays from 'date-holidays';
import { fail, ok, type Result } from './lead';
import type { TimeWindow, WorkingHours } from './mailbox';

export type Weekday = WorkingHours['daysOfWeek'][number];

export const weekdays: readonly Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** When someone works: every day in `days`, from `startTime` to `endTime` local time in `timeZone`, except holidays. */
export interface WorkCalendar {
  /** IANA zone the wall-clock times are read in. */
  readonly timeZone: string;
  readonly days: readonly Weekday[];
  /** Local wall-clock time `HH:mm` or `HH:mm:ss` (Graph's `HH:mm:ss.fffffff` is accepted too). */
  readonly startTime: string;
  /** Must be later than `startTime` on the same day: shifts across midnight are refused. */
  readonly endTime: string;
  /** Local dates `YYYY-MM-DD` on which nobody works (public holidays). */
  readonly holidays: ReadonlySet<string>;
}

/** Spans during which the clock stops (e.g. the AE's automatic replies are on). Any order, may overlap. */
export type Pauses = readonly TimeWindow[];

export const defaultWorkingHours = {
  days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as readonly Weekday[],
  startTime: '09:00',
  endTime: '17:00',
} as const;

export interface WorkCalendarInput {
  /** The mailbox's working hours from Graph; null when Graph gave none (then Mon–Fri 09:00–17:00). */
  readonly workingHours: WorkingHours | null;
  /** The mailbox's IANA zone; used when `workingHours` is null (else `workingHours.timeZone` wins). */
  readonly timeZone: string;
  /** ISO 3166-1 alpha-2 country whose public holidays are skipped; null: no holidays. */
  readonly country: string | null;
  /** Optional state/region code within the country (date-holidays' state, e.g. `BY` for Bavaria). */
  readonly region?: string | null;
  /** Calendar years whose holidays are loaded: cover every year the calendar will count through. */
  readonly years: readonly number[];
}

/**
 * Builds a person's calendar. Expected failures (bad data from Graph or settings) come back as codes:
 * `invalid_time`, `night_shift_unsupported`, `no_working_days`, `unknown_time_zone`, `unknown_country`.
 * Public holidays are date-holidays' type `public` only (not bank, school, optional or observance days).
 */
export function workCalendarFor(input: WorkCalendarInput): Result<WorkCalendar> {
  const hours = input.workingHours;
  const candidate = {
    timeZone: hours?.timeZone ?? input.timeZone,
    days: hours?.daysOfWeek ?? defaultWorkingHours.days,
    startTime: hours?.startTime ?? defaultWorkingHours.startTime,
    endTime: hours?.endTime ?? defaultWorkingHours.endTime,
  };
  const holidays = new Set<string>();
  if (input.country !== null) {
    const country = input.country.toUpperCase();
    const region = input.region ?? undefined;
    const hd = new Holidays();
    // init() answers true even for codes it does not know: check against the library's own lists.
    // getStates() answers undefined for a country without states, whatever its declared type says.
    const statesOf = (c: string): Partial<Record<string, string>> | undefined => hd.getStates(c);
    const known = Object.hasOwn(hd.getCountries(), country) && (region === undefined || statesOf(country)?.[region] !== undefined);
    if (!known) {
      const where = region === undefined ? country : `${country}-${region}`;
      return fail('unknown_country', `No public holidays are known for "${where}".`, 'country');
    }
    if (region === undefined) hd.init(country);
    else hd.init(country, region);
    for (const year of input.years) {
      for (const holiday of hd.getHolidays(year)) {
        if (holiday.type === 'public') holidays.add(holiday.date.slice(0, 10));
      }
    }
  }
  const calendar: WorkCalendar = { ...candidate, holidays };
  const checked = checkWorkCalendar(calendar);
  return checked.ok ? ok(calendar) : checked;
}

/** Checks a calendar built by hand (or read back from storage). Same codes as `workCalendarFor`. */
export function checkWorkCalendar(cal: WorkCalendar): Result<WorkCalendar> {
  if (!IANAZone.isValidZone(cal.timeZone)) {
    return fail('unknown_time_zone', `"${cal.timeZone}" is not an IANA time zone.`, 'timeZone');
  }
  const start = parseClock(cal.startTime);
  const end = parseClock(cal.endTime);
  if (start === null) return fail('invalid_time', `Start time "${cal.startTime}" is not HH:mm[:ss].`, 'startTime');
  if (end === null) return fail('invalid_time', `End time "${cal.endTime}" is not HH:mm[:ss].`, 'endTime');
  if (end <= start) {
    return fail(
      'night_shift_unsupported',
      `Working hours must end after they start on the same day (got ${cal.startTime}–${cal.endTime}); shifts across midnight are not supported.`,
      'endTime',
    );
  }
  if (cal.days.length === 0 || !cal.days.every((d) => weekdays.includes(d))) {
    return fail('no_working_days', 'Working hours need at least one weekday (monday … sunday).', 'days');
  }
  return ok(cal);
}

/** Seconds since local midnight of `HH:mm[:ss[.fffffff]]`, or null. */
export function parseClock(text: string): number | null {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(text);
  if (m === null) return null;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? '0')];
  if (h > 23 || min > 59 || s > 59) return null;
  return h * 3600 + min * 60 + s;
}

/** A checked calendar in the form the clock needs. Throws on an invalid calendar: building one is the caller's job. */
interface Compiled {
  readonly zone: string;
  readonly days: ReadonlySet<number>; // luxon weekday 1 (Monday) … 7 (Sunday)
  readonly startS: number;
  readonly endS: number;
  readonly holidays: ReadonlySet<string>;
}

const compiled = new WeakMap<WorkCalendar, Compiled>();

function compile(cal: WorkCalendar): Compiled {
  const cached = compiled.get(cal);
  if (cached !== undefined) return cached;
  const checked = checkWorkCalendar(cal);
  if (!checked.ok) throw new Error(`Invalid work calendar (${checked.error.code}): ${checked.error.message}`);
  const result: Compiled = {
    zone: cal.timeZone,
    days: new Set(cal.days.map((d) => weekdays.indexOf(d) + 1)),
    startS: parseClock(cal.startTime) ?? 0,
    endS: parseClock(cal.endTime) ?? 0,
    holidays: cal.holidays,
  };
  compiled.set(cal, result);
  return result;
}

/** Safety stop: ten years of days without a single working minute means the calendar (or the pauses) forbid work. */
const maxDaysScanned = 3660;

/** The working interval (epoch ms) of one local day, or null on a day off. DST: luxon resolves the wall times. */
function dayInterval(c: Compiled, day: DateTime): [number, number] | null {
  if (!c.days.has(day.weekday)) return null;
  if (c.holidays.has(day.toISODate() ?? '')) return null;
  const at = (seconds: number): number =>
    day.set({ hour: Math.floor(seconds / 3600), minute: Math.floor((seconds % 3600) / 60), second: seconds % 60, millisecond: 0 }).toMillis();
  const open = at(c.startS);
  const close = at(c.endS);
  return close > open ? [open, close] : null;
}

function mergedPauses(pauses: Pauses): [number, number][] {
  const spans = pauses
    .map((p): [number, number] => [p.start.getTime(), p.end.getTime()])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last !== undefined && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  return merged;
}

/** [s, e) minus the (sorted, merged) pauses. */
function subtract(s: number, e: number, pauses: readonly [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let cursor = s;
  for (const [ps, pe] of pauses) {
    if (pe <= cursor) continue;
    if (ps >= e) break;
    if (ps > cursor) out.push([cursor, ps]);
    cursor = Math.max(cursor, pe);
    if (cursor >= e) break;
  }
  if (cursor < e) out.push([cursor, e]);
  return out;
}

/**
 * The working intervals (epoch ms, ascending, disjoint) from `fromMs` on, clipped to it, minus pauses. Stops when
 * `untilMs` is passed (if given); throws when ten years pass without any working time.
 */
function* intervalsFrom(fromMs: number, cal: WorkCalendar, pauses: Pauses, untilMs?: number): Generator<[number, number]> {
  const c = compile(cal);
  const paused = mergedPauses(pauses);
  // Start one local day early: nothing spans midnight, but a zone's day starts at its own midnight.
  let day = DateTime.fromMillis(fromMs, { zone: c.zone }).startOf('day');
  let idle = 0;
  while (untilMs === undefined || day.toMillis() < untilMs) {
    const interval = dayInterval(c, day);
    let yielded = false;
    if (interval !== null && interval[1] > fromMs) {
      for (const [s, e] of subtract(Math.max(interval[0], fromMs), interval[1], paused)) {
        if (untilMs !== undefined && s >= untilMs) return;
        yield [s, untilMs === undefined ? e : Math.min(e, untilMs)];
        yielded = true;
      }
    }
    idle = yielded ? 0 : idle + 1;
    if (idle > maxDaysScanned) {
      if (untilMs !== undefined) return;
      throw new Error(`No working time in ${maxDaysScanned} days after ${new Date(fromMs).toISOString()} (${c.zone}).`);
    }
    day = day.plus({ days: 1 }).startOf('day');
  }
}

/**
 * The earliest instant by which `ms` of working time have passed since `start`. A start outside working hours
 * begins counting at the next opening; `ms` = 0 returns `start` itself; an end falling exactly at closing time
 * stays there (Friday 15:00 + 2 h = Friday 17:00). Holidays outside the calendar's loaded years are not known.
 */
export function addWorkingTime(start: Date, ms: number, cal: WorkCalendar, pauses: Pauses = []): Date {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`addWorkingTime needs a finite ms >= 0, got ${ms}.`);
  compile(cal);
  if (ms === 0) return new Date(start.getTime());
  let left = ms;
  for (const [s, e] of intervalsFrom(start.getTime(), cal, pauses)) {
    if (e - s >= left) return new Date(s + left);
    left -= e - s;
  }
  /* c8 ignore next */
  throw new Error('unreachable: intervalsFrom ends only by throwing');
}

/**
 * The first start at or after `from`, on a quarter hour, from which `durationMs` fits inside one working interval: a
 * meeting booked without a chosen time starts there, not at night. Pauses count as not working.
 */
export function nextWorkingStart(from: Date, durationMs: number, cal: WorkCalendar, pauses: Pauses = []): Date {
  if (!Number.isFinite(durationMs) || durationMs <= 0) throw new Error(`nextWorkingStart needs a duration > 0, got ${durationMs}.`);
  compile(cal);
  const quarter = 15 * 60_000;
  let checked = 0;
  for (const [s, e] of intervalsFrom(from.getTime(), cal, pauses)) {
    const start = Math.ceil(s / quarter) * quarter;
    if (start + durationMs <= e) return new Date(start);
    // A calendar whose working intervals are all shorter than the meeting: its first interval is the least bad.
    if (++checked > 2_000) break;
  }
  const [first] = intervalsFrom(from.getTime(), cal, pauses);
  return new Date(first === undefined ? from.getTime() : first[0]);
}

/** Working time (ms) between two instants; 0 when `b` is not after `a`. */
export function workingTimeBetween(a: Date, b: Date, cal: WorkCalendar, pauses: Pauses = []): number {
  compile(cal);
  if (b.getTime() <= a.getTime()) return 0;
  let total = 0;
  for (const [s, e] of intervalsFrom(a.getTime(), cal, pauses, b.getTime())) total += e - s;
  return total;
}

/** The working intervals inside `window` (ascending, disjoint), e.g. the hours a slot may be proposed in. */
export function workingIntervals(window: TimeWindow, cal: WorkCalendar, pauses: Pauses = []): TimeWindow[] {
  const out: TimeWindow[] = [];
  if (window.end.getTime() <= window.start.getTime()) return out;
  for (const [s, e] of intervalsFrom(window.start.getTime(), cal, pauses, window.end.getTime())) {
    out.push({ start: new Date(s), end: new Date(e) });
  }
  return out;
}

/** Whether `at` falls inside working time (opening instant included, closing instant excluded). */
export function isWorkingTime(at: Date, cal: WorkCalendar, pauses: Pauses = []): boolean {
  const t = at.getTime();
  return workingIntervals({ start: at, end: new Date(t + 1) }, cal, pauses).length > 0;
}
