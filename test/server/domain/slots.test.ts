// Slot proposals: working hours and zones of both parties, minimum notice, busy/tentative/oof blocks, prep time,
// holidays, ranking and spread, the reason when fewer slots exist, refused input. Pure domain test, table-driven.
import { DateTime } from 'luxon';
import { isBlocking, proposeSlots, type BusyItem, type SlotProposal, type SlotRequest } from '../../../server/domain/slots';
import { workCalendarFor, type WorkCalendar } from '../../../server/domain/working-time';

const berlinZone = 'Europe/Berlin';
const built = workCalendarFor({ workingHours: null, timeZone: berlinZone, country: 'DE', years: [2026, 2027] });
if (!built.ok) throw new Error(built.error.message);
const berlin: WorkCalendar = built.value;

const at = (iso: string, zone = berlinZone): Date => DateTime.fromISO(iso, { zone }).toJSDate();
const fmt = (d: Date, zone = berlinZone): string => DateTime.fromJSDate(d, { zone }).toFormat('ccc dd HH:mm');
const busy = (from: string, to: string, status: BusyItem['status'] = 'busy'): BusyItem => ({ start: at(from), end: at(to), status, subject: null });

// Monday 2026-11-30, 08:00 Berlin; two weeks ahead.
const base: SlotRequest = {
  now: at('2026-11-30T08:00'),
  window: { start: at('2026-11-30T08:00'), end: at('2026-12-14T08:00') },
  lengthMinutes: 30,
  stepMinutes: 30,
  minNoticeHours: 0,
  count: 3,
  ae: { calendar: berlin, busy: [] },
  prospect: { timeZone: null },
  prepMinutes: 0,
  treatTentativeAsBusy: true,
};

function propose(change: Partial<SlotRequest>): SlotProposal {
  const result = proposeSlots({ ...base, ...change });
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}
const starts = (p: SlotProposal, zone = berlinZone): string[] => p.slots.map((s) => fmt(s.start, zone));
const overlaps = (p: SlotProposal, from: string, to: string): boolean =>
  p.slots.some((s) => s.start < at(to) && s.end > at(from)) || p.slots.some((s) => s.prepStart !== null && s.prepStart < at(to) && s.start > at(from));

describe('proposeSlots', () => {
  it('ranks the middle of the day first and spreads over two days', () => {
    const p = propose({});
    expect(starts(p)).toEqual(['Mon 30 12:30', 'Mon 30 13:00', 'Tue 01 12:30']);
    expect(p.shortfall).toBeNull();
    expect(p.slots.map((s) => s.penalty)).toEqual([0.056, 0.056, 1.056]);
    expect(p.slots.every((s) => s.prepStart === null && s.end.getTime() - s.start.getTime() === 30 * 60_000)).toBe(true);
  });

  it('count 2 gives two different days', () => {
    expect(starts(propose({ count: 2 }))).toEqual(['Mon 30 12:30', 'Tue 01 12:30']);
  });

  it('a one-hour meeting: slots do not overlap each other', () => {
    const p = propose({ lengthMinutes: 60, count: 4 });
    expect(starts(p)).toEqual(['Mon 30 12:30', 'Mon 30 11:30', 'Tue 01 12:30', 'Tue 01 11:30']);
  });

  it('Berlin AE + New York prospect: only Berlin afternoons (09:00–11:00 in New York)', () => {
    const p = propose({ prospect: { timeZone: 'America/New_York', dayStart: '09:00', dayEnd: '17:00' }, count: 6 });
    expect(p.slots).toHaveLength(6);
    for (const s of p.slots) {
      const local = DateTime.fromJSDate(s.start, { zone: berlinZone });
      const ny = DateTime.fromJSDate(s.start, { zone: 'America/New_York' });
      expect(local.hour).toBeGreaterThanOrEqual(15);
      expect(DateTime.fromJSDate(s.end, { zone: berlinZone }).toFormat('HH:mm') <= '17:00').toBe(true);
      expect(ny.hour).toBeGreaterThanOrEqual(9);
      expect(ny.hour).toBeLessThan(11);
    }
    expect(new Set(p.slots.map((s) => fmt(s.start).slice(0, 6))).size).toBeGreaterThanOrEqual(2);
  });

  it('the prospect zone unknown: the AE hours alone', () => {
    const p = propose({ prospect: { timeZone: null }, count: 50, window: { start: at('2026-12-01T00:00'), end: at('2026-12-02T00:00') } });
    expect(p.slots).toHaveLength(16);
    expect(p.slots.map((s) => fmt(s.start)).sort()[0]).toBe('Tue 01 09:00');
    expect(p.slots.map((s) => fmt(s.start)).sort()[15]).toBe('Tue 01 16:30');
    expect(p.shortfall).toBe('ae_not_working_in_window');
  });

  it('minimum notice: nothing before now + notice', () => {
    const p = propose({ now: at('2026-12-01T10:10'), minNoticeHours: 24 });
    expect(p.slots.every((s) => s.start >= at('2026-12-02T10:10'))).toBe(true);
    expect(starts(p)).toEqual(['Wed 02 12:30', 'Wed 02 13:00', 'Thu 03 12:30']);
  });

  const blocks: { name: string; item: BusyItem; tentativeBusy: boolean; blocked: boolean }[] = [
    { name: 'busy', item: busy('2026-11-30T12:00', '2026-11-30T14:00'), tentativeBusy: true, blocked: true },
    { name: 'oof', item: busy('2026-11-30T12:00', '2026-11-30T14:00', 'oof'), tentativeBusy: true, blocked: true },
    { name: 'unknown', item: busy('2026-11-30T12:00', '2026-11-30T14:00', 'unknown'), tentativeBusy: true, blocked: true },
    { name: 'tentative', item: busy('2026-11-30T12:00', '2026-11-30T14:00', 'tentative'), tentativeBusy: true, blocked: true },
    { name: 'tentative when told it is free', item: busy('2026-11-30T12:00', '2026-11-30T14:00', 'tentative'), tentativeBusy: false, blocked: false },
    { name: 'workingElsewhere', item: busy('2026-11-30T12:00', '2026-11-30T14:00', 'workingElsewhere'), tentativeBusy: true, blocked: false },
    { name: 'free', item: busy('2026-11-30T12:00', '2026-11-30T14:00', 'free'), tentativeBusy: true, blocked: false },
  ];
  it.each(blocks)('an AE block of status $name blocks: $blocked', ({ item, tentativeBusy, blocked }) => {
    const p = propose({ ae: { calendar: berlin, busy: [item] }, treatTentativeAsBusy: tentativeBusy });
    expect(overlaps(p, '2026-11-30T12:00', '2026-11-30T14:00')).toBe(!blocked);
    expect(isBlocking(item.status, tentativeBusy)).toBe(blocked);
    if (blocked) expect(starts(p)).toEqual(['Mon 30 11:30', 'Mon 30 14:00', 'Tue 01 12:30']);
  });

  it("the SDR's busy time blocks too", () => {
    const p = propose({ sdr: { busy: [busy('2026-11-30T00:00', '2026-12-01T00:00')] } });
    expect(starts(p)).toEqual(['Tue 01 12:30', 'Tue 01 13:00', 'Wed 02 12:30']);
  });

  it('prep time: the 30 minutes before must be free on the AE calendar and inside the working day', () => {
    const p = propose({
      prepMinutes: 30,
      count: 50,
      ae: { calendar: berlin, busy: [busy('2026-11-30T12:00', '2026-11-30T12:30')] },
      window: { start: at('2026-11-30T08:00'), end: at('2026-12-01T00:00') },
    });
    const list = p.slots.map((s) => fmt(s.start)).sort();
    expect(list).not.toContain('Mon 30 09:00'); // prep would start at 08:30, before the day
    expect(list).not.toContain('Mon 30 12:00'); // the meeting overlaps the block
    expect(list).not.toContain('Mon 30 12:30'); // the prep overlaps the block
    expect(list).toContain('Mon 30 13:00');
    expect(list[0]).toBe('Mon 30 09:30');
    const first = p.slots.find((s) => fmt(s.start) === 'Mon 30 13:00');
    expect(first?.prepStart).toEqual(at('2026-11-30T12:30'));
  });

  it('a window opening mid-day: the prep may begin before it, inside working hours', () => {
    const p = propose({ prepMinutes: 30, count: 1, stepMinutes: 60, window: { start: at('2026-12-01T10:00'), end: at('2026-12-01T11:00') } });
    expect(starts(p)).toEqual(['Tue 01 10:00']);
    expect(p.slots[0]?.prepStart).toEqual(at('2026-12-01T09:30'));
  });

  it('public holidays are skipped (German Christmas)', () => {
    const p = propose({ now: at('2026-12-24T18:00'), window: { start: at('2026-12-24T18:00'), end: at('2027-01-07T00:00') }, count: 3 });
    expect(starts(p)).toEqual(['Mon 28 12:30', 'Mon 28 13:00', 'Tue 29 12:30']);
  });

  it('a step of 15 minutes', () => {
    expect(starts(propose({ stepMinutes: 15, count: 1 }))).toEqual(['Mon 30 12:45']);
  });

  const shortfalls: { name: string; change: Partial<SlotRequest>; shortfall: string; found: number }[] = [
    { name: 'a weekend window', change: { window: { start: at('2026-12-05T00:00'), end: at('2026-12-07T00:00') } }, shortfall: 'ae_not_working_in_window', found: 0 },
    { name: 'notice beyond the window', change: { minNoticeHours: 400 }, shortfall: 'min_notice', found: 0 },
    { name: 'Berlin and Auckland never overlap', change: { prospect: { timeZone: 'Pacific/Auckland' } }, shortfall: 'no_overlap_of_working_hours', found: 0 },
    { name: 'prep on a one-slot window', change: { prepMinutes: 30, count: 1, window: { start: at('2026-12-01T09:00'), end: at('2026-12-01T09:30') } }, shortfall: 'no_room_for_prep', found: 0 },
    { name: 'an AE booked solid', change: { ae: { calendar: berlin, busy: [busy('2026-11-01T00:00', '2027-01-01T00:00')] } }, shortfall: 'ae_busy', found: 0 },
    { name: 'an AE with one free half hour', change: { ae: { calendar: berlin, busy: [busy('2026-11-01T00:00', '2026-12-03T10:00'), busy('2026-12-03T10:30', '2027-01-01T00:00')] } }, shortfall: 'ae_busy', found: 1 },
    { name: 'an SDR booked solid', change: { sdr: { busy: [busy('2026-11-01T00:00', '2027-01-01T00:00', 'oof')] } }, shortfall: 'sdr_busy', found: 0 },
  ];
  it.each(shortfalls)('fewer than asked: $name → $shortfall', ({ change, shortfall, found }) => {
    const p = propose(change);
    expect(p.shortfall).toBe(shortfall);
    expect(p.slots).toHaveLength(found);
  });

  const refused: { name: string; change: Partial<SlotRequest>; code: string }[] = [
    { name: 'a window over 42 days', change: { window: { start: at('2026-11-30T00:00'), end: at('2027-01-12T00:00') } }, code: 'window_too_long' },
    { name: 'an empty window', change: { window: { start: at('2026-11-30T00:00'), end: at('2026-11-30T00:00') } }, code: 'invalid_window' },
    { name: 'a zero length', change: { lengthMinutes: 0 }, code: 'invalid_length' },
    { name: 'a fractional step', change: { stepMinutes: 7.5 }, code: 'invalid_step' },
    { name: 'count 0', change: { count: 0 }, code: 'invalid_count' },
    { name: 'negative notice', change: { minNoticeHours: -1 }, code: 'invalid_notice' },
    { name: 'negative prep', change: { prepMinutes: -5 }, code: 'invalid_prep' },
    { name: 'an unknown prospect zone', change: { prospect: { timeZone: 'Nowhere/Land' } }, code: 'unknown_time_zone' },
    { name: 'prospect hours across midnight', change: { prospect: { timeZone: 'Asia/Tokyo', dayStart: '20:00', dayEnd: '04:00' } }, code: 'night_shift_unsupported' },
    { name: 'an AE night shift', change: { ae: { calendar: { ...berlin, startTime: '22:00', endTime: '06:00' }, busy: [] } }, code: 'night_shift_unsupported' },
  ];
  it.each(refused)('refuses $name with $code', ({ change, code }) => {
    const result = proposeSlots({ ...base, ...change });
    expect(result.ok ? null : result.error.code).toBe(code);
  });

  it('a 42-day window is accepted and the slots stay inside it', () => {
    const window = { start: at('2026-11-30T00:00'), end: at('2027-01-11T00:00') };
    const p = propose({ window, count: 50 });
    expect(p.slots).toHaveLength(50);
    expect(p.slots.every((s) => s.start >= window.start && s.end <= window.end)).toBe(true);
  });
});
