// Time on Outlook's terms for the sandbox calendar: time-zone names as Graph takes them (Windows or IANA),
// `dateTimeTimeZone` values, recurrence expansion, and `calendar/getSchedule` (free/busy per interval).
// Pure functions over numbers (epoch ms) and JSON. Imports: luxon, windows-iana, ./graph-error, ./odata (types),
// ./directory (types).
import { DateTime, IANAZone } from 'luxon';
import { WINDOWS_TO_IANA_MAP } from 'windows-iana';
import { GraphError } from './graph-error';
import type { Directory } from './directory';
import type { Json, JsonObject } from './odata';

// ---------------------------------------------------------------------------------------------------------------
// Time zones and dateTimeTimeZone

const windowsToIana = new Map<string, string>();
// Territory 001 names each Windows zone's canonical IANA zone.
for (const row of WINDOWS_TO_IANA_MAP) if ((row.territory as string) === '001') windowsToIana.set(row.windowsName.toLowerCase(), row.iana[0]);
const utcAliases = new Set(['utc', 'etc/utc', 'gmt', 'etc/gmt', 'z', 'tzone://microsoft/utc', 'coordinated universal time']);

/** The IANA zone for a time-zone name as Graph accepts it (Windows or IANA, any case for Windows), or null. */
export function resolveZone(name: string): string | null {
  const trimmed = name.trim();
  const key = trimmed.toLowerCase();
  if (key === '') return null;
  if (utcAliases.has(key)) return 'UTC';
  const windows = windowsToIana.get(key);
  if (windows !== undefined) return windows;
  return IANAZone.isValidZone(trimmed) ? trimmed : null;
}

/** A zone to render times in: the name Graph echoes (`label`) and the IANA zone used to compute. */
export interface RenderZone {
  label: string;
  iana: string;
}

export const utcZone: RenderZone = { label: 'UTC', iana: 'UTC' };

/** The zone of a `Prefer: outlook.timezone` value, or null when the name is unknown. */
export function renderZoneOf(name: string): RenderZone | null {
  const iana = resolveZone(name);
  return iana === null ? null : { label: name.trim(), iana };
}

export const timeZoneNotSupported = (name: string): GraphError =>
  new GraphError(400, 'TimeZoneNotSupportedException', `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${name}'.`);

export const propertyValidationFailure = (): GraphError =>
  new GraphError(400, 'ErrorPropertyValidationFailure', 'At least one property failed validation.');

/** Epoch ms of a `{ dateTime, timeZone }` value; Graph's 400s for unknown zones and unreadable times. */
export function instantOf(value: { dateTime: string; timeZone: string }): number {
  const zone = resolveZone(value.timeZone);
  if (zone === null) throw timeZoneNotSupported(value.timeZone);
  const dt = DateTime.fromISO(value.dateTime.trim(), { zone });
  if (!dt.isValid) throw propertyValidationFailure();
  return dt.toMillis();
}

/** Graph's rendering of an instant: `2017-04-15T11:00:00.0000000` in the given zone. */
export function renderDateTime(ms: number, zone: RenderZone): { dateTime: string; timeZone: string } {
  return { dateTime: `${DateTime.fromMillis(ms, { zone: zone.iana }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS")}0000`, timeZone: zone.label };
}

/** Graph's timestamps carry seven fractional digits: `2017-04-15T03:00:50.7570000Z`. */
export function graphTimestamp(at: Date): string {
  return at.toISOString().replace(/Z$/, '0000Z');
}

/** A query-string date (`startDateTime=2020-01-01T19:00:00-08:00`); without an offset it is read in `zone`. */
export function instantOfQuery(value: string, zone: RenderZone): number | null {
  const dt = DateTime.fromISO(value.trim(), { zone: zone.iana });
  return dt.isValid ? dt.toMillis() : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Recurrence (patternedRecurrence) expansion

export interface Occurrence {
  startMs: number;
  endMs: number;
  /** The occurrence's date in the series' zone (yyyy-MM-dd): stable across time-of-day changes. */
  date: string;
}

const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
const weekdayNumber = (name: string): number => weekdays.indexOf(name.toLowerCase() as (typeof weekdays)[number]) + 1; // luxon: 1 = Monday
const indexNumber: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, last: -1 };

function str(o: JsonObject | null, key: string): string | null {
  const v = o?.[key];
  return typeof v === 'string' ? v : null;
}
function num(o: JsonObject | null, key: string, fallback: number): number {
  const v = o?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}
function obj(o: JsonObject | null, key: string): JsonObject | null {
  const v = o?.[key];
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : null;
}
function days(o: JsonObject | null): number[] {
  const v = o?.['daysOfWeek'];
  return Array.isArray(v) ? v.filter((d): d is string => typeof d === 'string').map(weekdayNumber).filter((n) => n > 0) : [];
}

/** The `n`th (1-based; -1 = last) date of a month whose weekday is in `wanted`. */
function nthWeekdayOfMonth(monthStart: DateTime, wanted: readonly number[], n: number): DateTime | null {
  const matches: DateTime[] = [];
  for (let d = monthStart; d.month === monthStart.month; d = d.plus({ days: 1 })) if (wanted.includes(d.weekday)) matches.push(d);
  return (n === -1 ? matches[matches.length - 1] : matches[n - 1]) ?? null;
}

/** How many periods (days, weeks, months, years) a series is followed for, at most: bad input never hangs. */
const maxPeriods = 50_000;

/** Candidate dates of a pattern, in order, from the range's start date (a generator: the caller stops it). */
function* candidateDates(pattern: JsonObject | null, first: DateTime): Generator<DateTime> {
  const type = str(pattern, 'type') ?? 'daily';
  const interval = Math.max(1, num(pattern, 'interval', 1));
  const dayOfMonth = num(pattern, 'dayOfMonth', first.day);
  const month = num(pattern, 'month', first.month);
  const index = indexNumber[str(pattern, 'index') ?? 'first'] ?? 1;
  const wanted = days(pattern);
  if (type === 'daily') {
    for (let n = 0, d = first; n < maxPeriods && d.isValid; n++, d = d.plus({ days: interval })) yield d;
  }
  if (type === 'weekly') {
    const firstDay = weekdayNumber(str(pattern, 'firstDayOfWeek') ?? 'sunday') || 7;
    const offset = (first.weekday - firstDay + 7) % 7;
    const chosen = (wanted.length > 0 ? wanted : [first.weekday]).map((w) => (w - firstDay + 7) % 7).sort((a, b) => a - b);
    for (let n = 0, week = first.minus({ days: offset }); n < maxPeriods && week.isValid; n++, week = week.plus({ weeks: interval })) {
      for (const k of chosen) {
        const d = week.plus({ days: k });
        if (d >= first) yield d;
      }
    }
  }
  const monthly = type === 'absoluteMonthly' || type === 'relativeMonthly';
  const yearly = type === 'absoluteYearly' || type === 'relativeYearly';
  if (monthly || yearly) {
    let periodStart = yearly ? first.set({ month, day: 1 }) : first.startOf('month');
    if (yearly && periodStart.plus({ months: 1 }) <= first.startOf('month')) periodStart = periodStart.plus({ years: 1 });
    for (let n = 0; n < maxPeriods && periodStart.isValid; n++, periodStart = periodStart.plus(yearly ? { years: interval } : { months: interval })) {
      const d = type.startsWith('absolute')
        ? periodStart.set({ day: Math.min(dayOfMonth, periodStart.daysInMonth ?? 28) })
        : nthWeekdayOfMonth(periodStart, wanted.length > 0 ? wanted : [first.weekday], index);
      if (d !== null && d >= first) yield d;
    }
  }
}

/**
 * The occurrences of a series that overlap [fromMs, toMs): each at the master's time of day in the series' zone,
 * lasting as long as the master. Ranges `endDate` (inclusive), `numbered` and `noEnd` as Outlook reads them.
 */
export function expandRecurrence(recurrence: JsonObject, master: { startMs: number; endMs: number; zone: string }, fromMs: number, toMs: number): Occurrence[] {
  const pattern = obj(recurrence, 'pattern');
  const range = obj(recurrence, 'range');
  const zone = resolveZone(str(range, 'recurrenceTimeZone') ?? '') ?? master.zone;
  const start = DateTime.fromMillis(master.startMs, { zone });
  const duration = master.endMs - master.startMs;
  const startDate = DateTime.fromISO(str(range, 'startDate') ?? start.toISODate() ?? '', { zone });
  const first = startDate.isValid ? startDate.startOf('day') : start.startOf('day');
  const rangeType = str(range, 'type') ?? 'noEnd';
  const endDate = rangeType === 'endDate' ? DateTime.fromISO(str(range, 'endDate') ?? '', { zone }) : null;
  const count = rangeType === 'numbered' ? Math.max(0, num(range, 'numberOfOccurrences', 0)) : Infinity;
  const out: Occurrence[] = [];
  let seen = 0;
  let guard = 0;
  for (const date of candidateDates(pattern, first)) {
    if (++guard > 20000 || seen >= count) break;
    if (endDate?.isValid && date.startOf('day') > endDate.startOf('day')) break;
    const occurrenceStart = date.set({ hour: start.hour, minute: start.minute, second: start.second, millisecond: start.millisecond }).toMillis();
    if (occurrenceStart >= toMs) break;
    seen++;
    if (occurrenceStart + duration > fromMs || (duration === 0 && occurrenceStart >= fromMs)) {
      out.push({ startMs: occurrenceStart, endMs: occurrenceStart + duration, date: date.toISODate() ?? '' });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// calendar/getSchedule

export type BusyStatus = 'tentative' | 'busy' | 'oof' | 'workingElsewhere';

/** One stretch of a mailbox's time that is not free, as getSchedule sees it. */
export interface FreeBusyItem {
  startMs: number;
  endMs: number;
  status: BusyStatus;
  subject: string;
  location: string;
  isPrivate: boolean;
}

export interface FreeBusySource {
  /** The non-free, non-cancelled, non-declined items of a mailbox overlapping [fromMs, toMs), by start. */
  freeBusy(userId: string, fromMs: number, toMs: number): FreeBusyItem[];
}

export interface ScheduleQuery {
  schedules: string[];
  startMs: number;
  endMs: number;
  intervalMinutes: number;
}

/** Limits as the issue sets them (see the report: the live service has been seen to allow 62 days and 100 schedules). */
export const scheduleLimits = { maxSchedules: 20, maxWindowDays: 42, minIntervalMinutes: 5, maxIntervalMinutes: 1440 } as const;

const scheduleParameters: Record<string, string> = {
  schedules: 'schedules',
  starttime: 'startTime',
  endtime: 'endTime',
  availabilityviewinterval: 'availabilityViewInterval',
};

export const requestBodyRead = (message: string): GraphError => new GraphError(400, 'RequestBodyRead', message);

/** Action parameters as OData reads them: names case-insensitive; an unknown name is a 400 naming it. */
export function actionParameters(body: unknown, operation: string, known: Record<string, string>): Record<string, Json> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw requestBodyRead(`The request payload for the operation '${operation}' must be a JSON object.`);
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(body as Record<string, Json>)) {
    if (key.startsWith('@')) continue;
    const name = known[key.toLowerCase()];
    if (name === undefined) throw requestBodyRead(`The parameter '${key}' in the request payload is not a valid parameter for the operation '${operation}'.`);
    out[name] = value;
  }
  return out;
}

function dateTimeTimeZoneParameter(value: Json | undefined, name: string, operation: string): { dateTime: string; timeZone: string } {
  if (value === undefined || value === null) {
    throw new GraphError(400, 'ErrorInvalidParameter', `The parameter '${name}' of the operation '${operation}' is missing or null.`);
  }
  if (typeof value !== 'object' || Array.isArray(value)) throw requestBodyRead(`Cannot read the value of the parameter '${name}' as a 'microsoft.graph.dateTimeTimeZone'.`);
  let dateTime: string | null = null;
  let timeZone: string | null = null;
  for (const [k, v] of Object.entries(value)) {
    const key = k.toLowerCase();
    if (key.startsWith('@')) continue;
    if (key === 'datetime' && typeof v === 'string') dateTime = v;
    else if (key === 'timezone' && (typeof v === 'string' || v === null)) timeZone = v;
    else throw requestBodyRead(`The property '${k}' does not exist on type 'microsoft.graph.dateTimeTimeZone'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
  }
  if (dateTime === null) throw new GraphError(400, 'ErrorInvalidParameter', `The parameter '${name}' of the operation '${operation}' has no dateTime.`);
  return { dateTime, timeZone: timeZone ?? 'UTC' };
}

/** Reads and checks a getSchedule body with the errors Exchange's availability service answers. */
export function readScheduleQuery(body: unknown): ScheduleQuery {
  const p = actionParameters(body, 'getSchedule', scheduleParameters);
  const schedules = p['schedules'];
  if (schedules === undefined || schedules === null) throw new GraphError(400, 'ErrorInvalidParameter', "The parameter 'schedules' of the operation 'getSchedule' is missing or null.");
  if (!Array.isArray(schedules) || schedules.some((s) => typeof s !== 'string')) {
    throw requestBodyRead("Cannot read the value of the parameter 'schedules' as a 'Collection(Edm.String)'.");
  }
  const addresses = schedules as string[];
  if (addresses.length > scheduleLimits.maxSchedules) {
    throw new GraphError(400, 'ErrorMailboxDataArrayTooBig', `There are too many target users in the EmailAddress array. The allowed size = ${scheduleLimits.maxSchedules}; the actual size = ${addresses.length}.`);
  }
  const startMs = instantOf(dateTimeTimeZoneParameter(p['startTime'], 'startTime', 'getSchedule'));
  const endMs = instantOf(dateTimeTimeZoneParameter(p['endTime'], 'endTime', 'getSchedule'));
  const rawInterval = p['availabilityViewInterval'];
  // The concept page's own example sends the interval as a string ("15"), and the service takes it.
  const interval = rawInterval === undefined || rawInterval === null ? 30 : typeof rawInterval === 'string' && /^\s*\d+\s*$/.test(rawInterval) ? Number(rawInterval) : rawInterval;
  if (typeof interval !== 'number' || !Number.isInteger(interval)) {
    throw requestBodyRead("Cannot read the value of the parameter 'availabilityViewInterval' as a 'Edm.Int32'.");
  }
  if (endMs <= startMs) throw new GraphError(400, 'ErrorInvalidTimeInterval', 'The time duration specified for FreeBusyViewOptions.TimeWindow is invalid.');
  const windowDays = Math.ceil((endMs - startMs) / 86_400_000);
  if (windowDays > scheduleLimits.maxWindowDays) {
    throw new GraphError(400, 'ErrorTimeIntervalTooBig', `The requested time duration specified for FreeBusyViewOptions.TimeWindow is too long. The allowed limit = ${scheduleLimits.maxWindowDays} days; the actual limit = ${windowDays} days.`);
  }
  if (interval < scheduleLimits.minIntervalMinutes || interval > scheduleLimits.maxIntervalMinutes || interval * 60_000 > endMs - startMs) {
    // Exchange's text, double space included.
    throw new GraphError(400, 'ErrorInvalidMergedFreeBusyInterval', 'The specified merged free/busy interval is not valid. Specify an interval that is less than the free/busy time window and  between 5 and 1440 minutes.');
  }
  return { schedules: addresses, startMs, endMs, intervalMinutes: interval };
}

const statusDigit: Record<BusyStatus, string> = { tentative: '1', busy: '2', oof: '3', workingElsewhere: '4' };
// When items overlap in one interval, the strongest wins: out of office, busy, tentative, working elsewhere.
const statusRank: Record<BusyStatus, number> = { workingElsewhere: 1, tentative: 2, busy: 3, oof: 4 };

/** The availability string: one digit per interval (0 free, 1 tentative, 2 busy, 3 out of office, 4 elsewhere). */
export function availabilityView(items: readonly FreeBusyItem[], startMs: number, endMs: number, intervalMinutes: number): string {
  const step = intervalMinutes * 60_000;
  const slots = Math.ceil((endMs - startMs) / step);
  let view = '';
  for (let i = 0; i < slots; i++) {
    const from = startMs + i * step;
    const to = Math.min(endMs, from + step);
    let best: BusyStatus | null = null;
    for (const item of items) {
      const overlaps = item.startMs < to && item.endMs > from;
      if (overlaps && (best === null || statusRank[item.status] > statusRank[best])) best = item.status;
    }
    view += best === null ? '0' : statusDigit[best];
  }
  return view;
}

export interface ScheduleContext {
  directory: Directory;
  source: FreeBusySource;
  /** The mailbox the request is made for (`/users/{id}/calendar/getSchedule`): its own items show details. */
  callerId: string;
  zone: RenderZone;
}

/** `scheduleInformation` per requested address, in request order. */
export function computeSchedule(query: ScheduleQuery, ctx: ScheduleContext): JsonObject[] {
  return query.schedules.map((address): JsonObject => {
    const user = ctx.directory.byAddress(address.trim());
    if (!user) {
      return {
        scheduleId: address,
        availabilityView: '',
        scheduleItems: [],
        error: { message: `Unable to resolve e-mail address <>SMTP:${address} to an Active Directory object.`, responseCode: 'ErrorMailRecipientNotFound' },
      };
    }
    const items = ctx.source.freeBusy(user.id, query.startMs, query.endMs);
    const own = user.id === ctx.callerId;
    return {
      scheduleId: address,
      availabilityView: availabilityView(items, query.startMs, query.endMs, query.intervalMinutes),
      scheduleItems: items.map((item): JsonObject => ({
        // Details (subject, location, privacy) only for the mailbox's own calendar, as in the documented example.
        ...(own ? { isPrivate: item.isPrivate, subject: item.subject, location: item.location } : {}),
        status: item.status,
        start: renderDateTime(item.startMs, ctx.zone),
        end: renderDateTime(item.endMs, ctx.zone),
      })),
      workingHours: structuredClone(ctx.directory.mailboxSettings(user.id).workingHours),
    };
  });
}
