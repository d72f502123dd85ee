// The working-time clock: adding and measuring working hours across weekends, public holidays, time zones, DST
// changes and pauses, and the calendar built from Graph's working hours. Pure domain test, table-driven.
import { DateTime } from 'luxon';
import type { WorkingHours } from '../../../server/domain/mailbox';
import {
  nextWorkingStart,
  addWorkingTime,
  checkWorkCalendar,
  isWorkingTime,
  workCalendarFor,
  workingIntervals,
  workingTimeBetween,
  type WorkCalendar,
} from '../../../server/domain/working-time';

const hour = 3_600_000;
const minute = 60_000;

function calendar(input: Parameters<typeof workCalendarFor>[0]): WorkCalendar {
  const result = workCalendarFor(input);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

const berlin = calendar({ workingHours: null, timeZone: 'Europe/Berlin', country: 'DE', years: [2026, 2027] });
const berlinNoHolidays = calendar({ workingHours: null, timeZone: 'Europe/Berlin', country: null, years: [2026] });
const losAngeles = calendar({ workingHours: null, timeZone: 'America/Los_Angeles', country: 'US', years: [2026] });
const everyDay = (timeZone: string, startTime: string, endTime: string): WorkCalendar => ({
  timeZone,
  days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'],
  startTime,
  endTime,
  holidays: new Set(),
});

/** An instant given as local wall-clock time in a zone. */
const local = (iso: string, zone: string): Date => {
  const dt = DateTime.fromISO(iso, { zone });
  if (!dt.isValid) throw new Error(`bad time ${iso}`);
  return dt.toJSDate();
};
const inZone = (d: Date, zone: string): string => DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");

describe('addWorkingTime', () => {
  const cases: { name: string; cal: WorkCalendar; start: string; add: number; expected: string }[] = [
    { name: 'Friday 16:00 + 2 h → Monday 10:00', cal: berlin, start: '2026-11-20T16:00', add: 2 * hour, expected: '2026-11-23T10:00' },
    { name: 'inside one day', cal: berlin, start: '2026-11-17T09:30', add: 3 * hour, expected: '2026-11-17T12:30' },
    { name: 'ends exactly at closing, stays there', cal: berlin, start: '2026-11-20T15:00', add: 2 * hour, expected: '2026-11-20T17:00' },
    { name: 'a start on Saturday begins Monday 09:00', cal: berlin, start: '2026-11-21T11:00', add: 90 * minute, expected: '2026-11-23T10:30' },
    { name: 'a start before opening begins at opening', cal: berlin, start: '2026-11-17T06:00', add: hour, expected: '2026-11-17T10:00' },
    { name: 'a start after closing begins next morning', cal: berlin, start: '2026-11-17T19:00', add: hour, expected: '2026-11-18T10:00' },
    { name: 'a full 8-hour day', cal: berlin, start: '2026-11-17T09:00', add: 8 * hour, expected: '2026-11-17T17:00' },
    { name: '40 h = one working week', cal: berlin, start: '2026-11-16T09:00', add: 40 * hour, expected: '2026-11-20T17:00' },
    // 2026-12-24 (Heiligabend) is not a public holiday; 25 (Fri) and 26 (Sat) are, then a weekend.
    { name: 'across German Christmas', cal: berlin, start: '2026-12-24T16:00', add: 2 * hour, expected: '2026-12-28T10:00' },
    { name: 'the same without holidays', cal: berlinNoHolidays, start: '2026-12-24T16:00', add: 2 * hour, expected: '2026-12-25T10:00' },
    { name: 'New Year in Germany', cal: berlin, start: '2026-12-31T16:00', add: 2 * hour, expected: '2027-01-04T10:00' },
    // Thanksgiving (Thu 26) is public; the day after is only an observance: a working day.
    { name: 'US zone across Thanksgiving', cal: losAngeles, start: '2026-11-25T16:30', add: hour, expected: '2026-11-27T09:30' },
    // Europe/Berlin falls back on Sunday 2026-10-25: the wall clock still says Monday 10:00.
    { name: 'over the Berlin DST weekend', cal: berlin, start: '2026-10-23T16:00', add: 2 * hour, expected: '2026-10-26T10:00' },
    { name: 'on the Berlin DST Sunday', cal: everyDay('Europe/Berlin', '09:00', '17:00'), start: '2026-10-24T16:00', add: 2 * hour, expected: '2026-10-25T10:00' },
    // 01:00–05:00 on the fall-back night holds 5 real hours in Berlin (03:00 happens twice).
    { name: 'a 5-hour night shift slot on the Berlin fall-back day', cal: everyDay('Europe/Berlin', '01:00', '05:00'), start: '2026-10-25T01:00', add: 5 * hour, expected: '2026-10-25T05:00' },
    // 01:00 happens twice there; the day opens at the first one (EDT), so 4 h later the wall clock says 04:00 (EST).
    { name: 'New York fall-back day', cal: everyDay('America/New_York', '01:00', '05:00'), start: '2026-11-01T00:30', add: 4 * hour, expected: '2026-11-01T04:00' },
    // Spring forward: 01:00–05:00 on 2026-03-08 holds 3 real hours in New York.
    { name: 'New York spring-forward day', cal: everyDay('America/New_York', '01:00', '05:00'), start: '2026-03-08T01:00', add: 3 * hour, expected: '2026-03-08T05:00' },
    { name: '0 ms returns the start, even outside hours', cal: berlin, start: '2026-11-21T11:00', add: 0, expected: '2026-11-21T11:00' },
  ];

  it.each(cases)('$name', ({ cal, start, add, expected }) => {
    const from = local(start, cal.timeZone);
    const to = addWorkingTime(from, add, cal);
    expect(inZone(to, cal.timeZone)).toBe(expected);
    // Round trip: the working time between them is what was added.
    expect(workingTimeBetween(from, to, cal)).toBe(add);
  });

  it('counts real elapsed time on DST days (5 h on Berlin 2026-10-25 01:00–05:00)', () => {
    const cal = everyDay('Europe/Berlin', '01:00', '05:00');
    const day = workingTimeBetween(local('2026-10-25T00:00', cal.timeZone), local('2026-10-25T23:00', cal.timeZone), cal);
    expect(day).toBe(5 * hour);
    const spring = everyDay('America/New_York', '01:00', '05:00');
    expect(workingTimeBetween(local('2026-03-08T00:00', spring.timeZone), local('2026-03-08T23:00', spring.timeZone), spring)).toBe(3 * hour);
  });

  it('round-trips from many starts and amounts', () => {
    const starts = ['2026-10-23T08:17', '2026-10-24T12:00', '2026-12-23T16:59', '2026-11-20T17:00', '2026-03-27T10:10'];
    const amounts = [1, minute, 37 * minute, 2 * hour, 8 * hour, 8 * hour + 1, 33 * hour, 100 * hour];
    for (const cal of [berlin, losAngeles]) {
      for (const s of starts) {
        for (const x of amounts) {
          const from = local(s, cal.timeZone);
          expect(workingTimeBetween(from, addWorkingTime(from, x, cal), cal)).toBe(x);
        }
      }
    }
  });

  it('refuses a negative or infinite amount', () => {
    expect(() => addWorkingTime(new Date(), -1, berlin)).toThrow(/ms >= 0/);
    expect(() => addWorkingTime(new Date(), Infinity, berlin)).toThrow(/ms >= 0/);
  });

  it('throws a clear error for a night-shift calendar built by hand', () => {
    const night = everyDay('Europe/Berlin', '22:00', '06:00');
    expect(() => addWorkingTime(new Date('2026-11-17T10:00:00Z'), hour, night)).toThrow(/night_shift_unsupported.*across midnight/);
    expect(() => workingTimeBetween(new Date('2026-11-17T10:00:00Z'), new Date('2026-11-18T10:00:00Z'), night)).toThrow(/night_shift_unsupported/);
  });

  it('throws rather than loop forever when every day is a holiday', () => {
    const days = new Set<string>();
    for (let d = DateTime.fromISO('2026-01-01'); d.year < 2040; d = d.plus({ days: 1 })) days.add(d.toISODate() ?? '');
    const cal: WorkCalendar = { ...everyDay('UTC', '09:00', '17:00'), holidays: days };
    expect(() => addWorkingTime(new Date('2026-01-01T00:00:00Z'), hour, cal)).toThrow(/No working time/);
  });
});

describe('workingTimeBetween', () => {
  const cases: { name: string; a: string; b: string; expected: number }[] = [
    { name: 'b before a is 0', a: '2026-11-17T12:00', b: '2026-11-17T10:00', expected: 0 },
    { name: 'equal instants', a: '2026-11-17T12:00', b: '2026-11-17T12:00', expected: 0 },
    { name: 'a weekend only', a: '2026-11-21T00:00', b: '2026-11-23T09:00', expected: 0 },
    { name: 'Friday evening to Monday noon', a: '2026-11-20T16:00', b: '2026-11-23T12:00', expected: 4 * hour },
    { name: 'a whole week', a: '2026-11-16T00:00', b: '2026-11-23T00:00', expected: 40 * hour },
    { name: 'Christmas week (two holidays)', a: '2026-12-21T00:00', b: '2026-12-28T00:00', expected: 32 * hour },
  ];
  it.each(cases)('$name', ({ a, b, expected }) => {
    expect(workingTimeBetween(local(a, berlin.timeZone), local(b, berlin.timeZone), berlin)).toBe(expected);
  });
});

describe('pauses stop the clock', () => {
  const z = berlin.timeZone;
  it('adds the paused working time to the deadline', () => {
    const pauses = [{ start: local('2026-11-17T11:00', z), end: local('2026-11-17T13:00', z) }];
    const to = addWorkingTime(local('2026-11-17T10:00', z), 3 * hour, berlin, pauses);
    expect(inZone(to, z)).toBe('2026-11-17T15:00');
    expect(workingTimeBetween(local('2026-11-17T10:00', z), to, berlin, pauses)).toBe(3 * hour);
  });
  it('merges overlapping pauses, ignores empty ones, and spans days', () => {
    const pauses = [
      { start: local('2026-11-17T16:00', z), end: local('2026-11-18T10:00', z) },
      { start: local('2026-11-18T09:30', z), end: local('2026-11-18T11:00', z) },
      { start: local('2026-11-18T12:00', z), end: local('2026-11-18T12:00', z) },
    ];
    expect(inZone(addWorkingTime(local('2026-11-17T15:00', z), 2 * hour, berlin, pauses), z)).toBe('2026-11-18T12:00');
  });
  it('a pause covering the start moves it to the pause end', () => {
    const pauses = [{ start: local('2026-11-16T00:00', z), end: local('2026-11-18T14:00', z) }];
    expect(inZone(addWorkingTime(local('2026-11-17T10:00', z), hour, berlin, pauses), z)).toBe('2026-11-18T15:00');
  });
});

describe('workCalendarFor', () => {
  const graphHours: WorkingHours = {
    daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday'],
    startTime: '08:30:00.0000000',
    endTime: '16:30:00.0000000',
    timeZone: 'America/Chicago',
  };

  it('defaults to Mon–Fri 09:00–17:00 in the mailbox zone when Graph gave none', () => {
    const cal = calendar({ workingHours: null, timeZone: 'Asia/Tokyo', country: null, years: [2026] });
    expect(cal).toMatchObject({ timeZone: 'Asia/Tokyo', days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], startTime: '09:00', endTime: '17:00' });
    expect(cal.holidays.size).toBe(0);
  });

  it("uses Graph's working hours and their zone", () => {
    const cal = calendar({ workingHours: graphHours, timeZone: 'Europe/Berlin', country: 'us', years: [2026] });
    expect(cal.timeZone).toBe('America/Chicago');
    // Friday is not a working day here: Thursday 16:00 + 1 h → Monday 09:00.
    expect(inZone(addWorkingTime(local('2026-11-19T16:00', 'America/Chicago'), hour, cal), 'America/Chicago')).toBe('2026-11-23T09:00');
  });

  it('loads public holidays only, for the years asked', () => {
    const cal = calendar({ workingHours: null, timeZone: 'America/New_York', country: 'US', years: [2026] });
    expect(cal.holidays.has('2026-11-26')).toBe(true); // Thanksgiving
    expect(cal.holidays.has('2026-07-03')).toBe(true); // Independence Day, substitute (public)
    expect(cal.holidays.has('2026-11-27')).toBe(false); // observance
    expect(cal.holidays.has('2026-12-24')).toBe(false); // optional
    expect(cal.holidays.has('2027-01-01')).toBe(false); // year not loaded
  });

  it('takes a region: Epiphany is public in Bavaria, not in Berlin', () => {
    const bavaria = calendar({ workingHours: null, timeZone: 'Europe/Berlin', country: 'DE', region: 'BY', years: [2026] });
    expect(bavaria.holidays.has('2026-01-06')).toBe(true);
    expect(berlin.holidays.has('2026-01-06')).toBe(false);
    expect(berlin.holidays.has('2026-12-25')).toBe(true);
    expect(berlin.holidays.has('2026-12-26')).toBe(true);
  });

  const refused: { name: string; input: Parameters<typeof workCalendarFor>[0]; code: string }[] = [
    { name: 'night shift', input: { workingHours: { ...graphHours, startTime: '22:00:00', endTime: '06:00:00' }, timeZone: 'UTC', country: null, years: [] }, code: 'night_shift_unsupported' },
    { name: 'zero-length day', input: { workingHours: { ...graphHours, endTime: '08:30:00' }, timeZone: 'UTC', country: null, years: [] }, code: 'night_shift_unsupported' },
    { name: 'bad time', input: { workingHours: { ...graphHours, startTime: '8am' }, timeZone: 'UTC', country: null, years: [] }, code: 'invalid_time' },
    { name: 'hour 25', input: { workingHours: { ...graphHours, endTime: '25:00' }, timeZone: 'UTC', country: null, years: [] }, code: 'invalid_time' },
    { name: 'no days', input: { workingHours: { ...graphHours, daysOfWeek: [] }, timeZone: 'UTC', country: null, years: [] }, code: 'no_working_days' },
    { name: 'unknown zone', input: { workingHours: null, timeZone: 'Mars/Olympus', country: null, years: [] }, code: 'unknown_time_zone' },
    { name: 'unknown country', input: { workingHours: null, timeZone: 'UTC', country: 'XX', years: [2026] }, code: 'unknown_country' },
    { name: 'a region of a country without regions', input: { workingHours: null, timeZone: 'UTC', country: 'NL', region: 'ZZ', years: [2026] }, code: 'unknown_country' },
    { name: 'unknown region', input: { workingHours: null, timeZone: 'UTC', country: 'DE', region: 'ZZ', years: [2026] }, code: 'unknown_country' },
  ];
  it.each(refused)('refuses $name with $code', ({ input, code }) => {
    const result = workCalendarFor(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it('checkWorkCalendar gives the same codes for a calendar built by hand', () => {
    const result = checkWorkCalendar(everyDay('Europe/Berlin', '17:00', '09:00'));
    expect(result.ok ? null : result.error.code).toBe('night_shift_unsupported');
    expect(checkWorkCalendar(berlin).ok).toBe(true);
  });
});

describe('workingIntervals and isWorkingTime', () => {
  const z = berlin.timeZone;
  it('lists the open hours inside a window, clipped', () => {
    const list = workingIntervals({ start: local('2026-12-23T12:00', z), end: local('2026-12-29T10:00', z) }, berlin);
    expect(list.map((w) => `${inZone(w.start, z)}–${inZone(w.end, z)}`)).toEqual([
      '2026-12-23T12:00–2026-12-23T17:00',
      '2026-12-24T09:00–2026-12-24T17:00',
      '2026-12-28T09:00–2026-12-28T17:00',
      '2026-12-29T09:00–2026-12-29T10:00',
    ]);
    expect(workingIntervals({ start: local('2026-12-23T12:00', z), end: local('2026-12-23T12:00', z) }, berlin)).toEqual([]);
  });
  it('opening included, closing excluded', () => {
    expect(isWorkingTime(local('2026-11-17T09:00', z), berlin)).toBe(true);
    expect(isWorkingTime(local('2026-11-17T17:00', z), berlin)).toBe(false);
    expect(isWorkingTime(local('2026-11-21T12:00', z), berlin)).toBe(false);
  });
});

describe('nextWorkingStart', () => {
  // berlin: Mon–Fri 09:00–17:00 Europe/Berlin, German holidays; 2026-11-26 is a Thursday.
  it.each<[string, string, number, string]>([
    ['inside working hours: the next quarter hour', '2026-11-26T09:07:00Z', 30, '2026-11-26T09:15:00.000Z'],
    ['on a quarter hour: that very time', '2026-11-26T10:00:00Z', 30, '2026-11-26T10:00:00.000Z'],
    ['at night: the morning, 09:00 Berlin', '2026-11-26T05:33:00Z', 30, '2026-11-26T08:00:00.000Z'],
    ['too late in the day for the meeting: the next morning', '2026-11-26T15:50:00Z', 30, '2026-11-27T08:00:00.000Z'],
    ['on Friday evening: Monday morning', '2026-11-27T17:00:00Z', 30, '2026-11-30T08:00:00.000Z'],
    ['on Christmas Day: after the holidays and the weekend', '2026-12-25T12:00:00Z', 60, '2026-12-28T08:00:00.000Z'],
  ])('%s', (_name, from, minutes, expected) => {
    expect(nextWorkingStart(new Date(from), minutes * 60_000, berlin).toISOString()).toBe(expected);
  });

  it('refuses a meeting without a length', () => {
    expect(() => nextWorkingStart(new Date('2026-11-26T09:00:00Z'), 0, berlin)).toThrow('duration');
  });
});
