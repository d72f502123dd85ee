// Slot proposals for the intro meeting: from the AE's (and the SDR's) free/busy, the AE's working calendar and the
// prospect's business hours, the best N start times, ranked, with the reason when fewer exist. Pure: `now` and the
// free/busy come in. Imports: luxon, ./lead (Result), ./mailbox (types), ./working-time.
import { DateTime } from 'luxon';
import { fail, ok, type Result } from './lead';
import type { FreeBusy, Schedule, TimeWindow } from './mailbox';
import { checkWorkCalendar, defaultWorkingHours, parseClock, workingIntervals, type WorkCalendar, type Weekday } from './working-time';

export type BusyItem = Schedule['items'][number];

/** Graph's `getSchedule` accepts a window under 42 days. */
export const maxWindowDays = 42;

export interface ProspectHours {
  /** IANA zone of the prospect; null when unknown (then only the AE's hours count). */
  readonly timeZone: string | null;
  /** Business hours, local to the prospect: `HH:mm[:ss]`. Defaults 09:00–17:00. */
  readonly dayStart?: string;
  readonly dayEnd?: string;
  /** Business days; default Monday–Friday. The prospect's holidays are not known. */
  readonly days?: readonly Weekday[];
}

export interface SlotRequest {
  readonly now: Date;
  /** Where to look; at most 42 days (Graph's `getSchedule` limit). */
  readonly window: TimeWindow;
  readonly lengthMinutes: number;
  /** Start times lie on this grid of the AE's local clock (:00, :30 …). Default 30. */
  readonly stepMinutes?: number;
  /** Wall-clock hours between now and the meeting's start (and the prep must not have started). */
  readonly minNoticeHours: number;
  /** How many slots to propose (1–50). */
  readonly count: number;
  readonly ae: { readonly calendar: WorkCalendar; readonly busy: readonly BusyItem[] };
  /** The SDR's free/busy, when the SDR attends (the meeting is on the SDR's calendar). */
  readonly sdr?: { readonly busy: readonly BusyItem[] } | null;
  readonly prospect: ProspectHours;
  /** AE-only prep before a demo: these minutes before the start must be free and inside the AE's working hours. */
  readonly prepMinutes?: number;
  /** Tentative holds block a slot (default true). */
  readonly treatTentativeAsBusy?: boolean;
}

export interface Slot {
  readonly start: Date;
  readonly end: Date;
  /** Start of the AE's prep block, when `prepMinutes` > 0. */
  readonly prepStart: Date | null;
  /**
   * Lower is better: the slot's day (0 for the first day with a free slot, 1 for the next …) plus 0.9 × how far the
   * slot sits from the middle of the AE's and the prospect's days (0 in the middle, 1 at the edges; the mean of the
   * two parties, or the AE's alone when the prospect's zone is unknown). An earlier day always wins; within a day
   * the middle wins; ties go to the earlier start.
   */
  readonly penalty: number;
}

/**
 * Why fewer than `count` slots came back: the first filter after which fewer than `count` candidates were left.
 * Filters run in this order.
 */
export type SlotShortfall =
  | 'ae_not_working_in_window' // the AE's working hours (weekdays, holidays) leave too little in the window
  | 'min_notice' // what is left starts too soon
  | 'no_overlap_of_working_hours' // the AE's hours and the prospect's business hours do not overlap enough
  | 'no_room_for_prep' // the prep block would begin before the AE's working day
  | 'ae_busy' // the AE's calendar is full
  | 'sdr_busy'; // the SDR's calendar is full

export const slotShortfalls: readonly SlotShortfall[] = [
  'ae_not_working_in_window',
  'min_notice',
  'no_overlap_of_working_hours',
  'no_room_for_prep',
  'ae_busy',
  'sdr_busy',
];

export interface SlotProposal {
  /** Best first; spread over at least two days when the free slots allow it. */
  readonly slots: readonly Slot[];
  /** Null when `count` slots were found. */
  readonly shortfall: SlotShortfall | null;
}

/**
 * Whether a free/busy status blocks a slot. `busy` and `oof` block; `tentative` blocks unless told otherwise;
 * `unknown` blocks (Graph could not tell: do not double-book on a guess); `free` and `workingElsewhere` do not
 * (working elsewhere is still working: a Teams meeting fits).
 */
export function isBlocking(status: FreeBusy, treatTentativeAsBusy = true): boolean {
  switch (status) {
    case 'busy':
    case 'oof':
    case 'unknown':
      return true;
    case 'tentative':
      return treatTentativeAsBusy;
    case 'free':
    case 'workingElsewhere':
      return false;
  }
}

const minuteMs = 60_000;

interface Candidate {
  readonly start: number;
  readonly end: number;
  readonly prepStart: number;
  /** The AE working interval it lies in. */
  readonly intervalStart: number;
}

/**
 * The best `count` slots. Refused input (stable codes): `invalid_window`, `window_too_long`, `invalid_length`,
 * `invalid_step`, `invalid_count`, `invalid_notice`, `invalid_prep`, and the calendar codes of `checkWorkCalendar`
 * for the AE's calendar or the prospect's hours (`unknown_time_zone`, `invalid_time`, `night_shift_unsupported`, …).
 * A schedule Graph could not read (`Schedule.error`) is the caller's to refuse: an empty list here means free.
 */
export function proposeSlots(input: SlotRequest): Result<SlotProposal> {
  const stepMinutes = input.stepMinutes ?? 30;
  const prepMinutes = input.prepMinutes ?? 0;
  const tentativeBusy = input.treatTentativeAsBusy ?? true;
  const { window } = input;
  const windowMs = window.end.getTime() - window.start.getTime();
  if (!(windowMs > 0)) return fail('invalid_window', 'The window must end after it starts.', 'window');
  if (windowMs > maxWindowDays * 24 * 60 * minuteMs) return fail('window_too_long', `The window may span at most ${maxWindowDays} days.`, 'window');
  if (!isWholeIn(input.lengthMinutes, 1, 24 * 60)) return fail('invalid_length', 'The meeting length must be whole minutes, 1 to 1440.', 'lengthMinutes');
  if (!isWholeIn(stepMinutes, 5, 24 * 60)) return fail('invalid_step', 'The step must be whole minutes, 5 to 1440.', 'stepMinutes');
  if (!isWholeIn(input.count, 1, 50)) return fail('invalid_count', 'Ask for 1 to 50 slots.', 'count');
  if (!(input.minNoticeHours >= 0 && Number.isFinite(input.minNoticeHours))) return fail('invalid_notice', 'The minimum notice must be 0 or more hours.', 'minNoticeHours');
  if (!isWholeIn(prepMinutes, 0, 24 * 60)) return fail('invalid_prep', 'Prep time must be whole minutes, 0 to 1440.', 'prepMinutes');
  const aeCheck = checkWorkCalendar(input.ae.calendar);
  if (!aeCheck.ok) return aeCheck;
  const aeCal = input.ae.calendar;

  const prospectCal: WorkCalendar | null =
    input.prospect.timeZone === null
      ? null
      : {
          timeZone: input.prospect.timeZone,
          days: input.prospect.days ?? defaultWorkingHours.days,
          startTime: input.prospect.dayStart ?? defaultWorkingHours.startTime,
          endTime: input.prospect.dayEnd ?? defaultWorkingHours.endTime,
          holidays: new Set(),
        };
  if (prospectCal !== null) {
    const checked = checkWorkCalendar(prospectCal);
    if (!checked.ok) return fail(checked.error.code, `Prospect: ${checked.error.message}`, `prospect.${checked.error.field ?? ''}`);
  }

  const lengthMs = input.lengthMinutes * minuteMs;
  const stepMs = stepMinutes * minuteMs;
  const prepMs = prepMinutes * minuteMs;

  // 1. Every grid start inside the AE's working hours and the window. The intervals are read from `prepMs` before
  // the window, so that a prep block may begin before a window that opens mid-day (the free/busy there should be
  // known: the window usually starts at `now`, and a prep may not begin before `now`).
  const aeIntervals = workingIntervals({ start: new Date(window.start.getTime() - prepMs), end: window.end }, aeCal);
  const stages: Candidate[][] = [];
  const all: Candidate[] = [];
  for (const w of aeIntervals) {
    const ws = w.start.getTime();
    const we = w.end.getTime();
    for (let s = firstOnGrid(Math.max(ws, window.start.getTime()), stepMinutes, aeCal.timeZone); s + lengthMs <= we; s += stepMs) {
      all.push({ start: s, end: s + lengthMs, prepStart: s - prepMs, intervalStart: ws });
    }
  }
  stages.push(all);

  // 2. Minimum notice (wall-clock hours), and the prep must not have begun.
  const earliest = input.now.getTime() + input.minNoticeHours * 60 * minuteMs;
  stages.push(all.filter((c) => c.start >= earliest && c.prepStart >= input.now.getTime()));

  // 3. Inside the prospect's business hours, when the prospect's zone is known.
  const prospectIntervals = prospectCal === null ? null : workingIntervals(window, prospectCal).map((w): [number, number] => [w.start.getTime(), w.end.getTime()]);
  stages.push(
    prospectIntervals === null
      ? lastOf(stages)
      : lastOf(stages).filter((c) => prospectIntervals.some(([ps, pe]) => c.start >= ps && c.end <= pe)),
  );

  // 4. The prep block fits in the AE's working day.
  stages.push(lastOf(stages).filter((c) => c.prepStart >= c.intervalStart));

  // 5. The AE is free for the prep and the meeting; 6. the SDR for the meeting.
  const aeBusy = blocking(input.ae.busy, tentativeBusy);
  stages.push(lastOf(stages).filter((c) => isFree(aeBusy, c.prepStart, c.end)));
  const sdrBusy = blocking(input.sdr?.busy ?? [], tentativeBusy);
  stages.push(lastOf(stages).filter((c) => isFree(sdrBusy, c.start, c.end)));

  const free = lastOf(stages);
  const shortfallIndex = stages.findIndex((stage) => stage.length < input.count);
  const shortfall = shortfallIndex < 0 ? null : (slotShortfalls[shortfallIndex] ?? null);

  return ok({ slots: pick(rank(free, aeCal, prospectCal), input.count), shortfall });
}

function isWholeIn(n: number, min: number, max: number): boolean {
  return Number.isInteger(n) && n >= min && n <= max;
}

function lastOf(stages: Candidate[][]): Candidate[] {
  return stages[stages.length - 1] ?? [];
}

/** The first instant at or after `ms` whose local wall-clock minutes are a multiple of `step`. */
function firstOnGrid(ms: number, step: number, zone: string): number {
  const dt = DateTime.fromMillis(ms, { zone });
  const minutes = dt.hour * 60 + dt.minute + (dt.second > 0 || dt.millisecond > 0 ? 1 : 0);
  const aligned = Math.ceil(minutes / step) * step;
  const candidate = dt.startOf('day').plus({ minutes: aligned }).toMillis();
  return candidate >= ms ? candidate : ms;
}

function blocking(items: readonly BusyItem[], tentativeBusy: boolean): [number, number][] {
  return items.filter((i) => isBlocking(i.status, tentativeBusy)).map((i): [number, number] => [i.start.getTime(), i.end.getTime()]);
}

function isFree(busy: readonly [number, number][], start: number, end: number): boolean {
  return !busy.some(([bs, be]) => bs < end && be > start);
}

/** 0 in the middle of the local working day, 1 at (or beyond) its edges. */
function edgeDistance(startMs: number, endMs: number, cal: WorkCalendar): number {
  const open = parseClock(cal.startTime) ?? 0;
  const close = parseClock(cal.endTime) ?? 0;
  const mid = DateTime.fromMillis((startMs + endMs) / 2, { zone: cal.timeZone });
  const seconds = mid.hour * 3600 + mid.minute * 60 + mid.second;
  const half = (close - open) / 2;
  return Math.min(1, Math.abs(seconds - (open + half)) / half);
}

interface Ranked extends Candidate {
  readonly day: string;
  readonly penalty: number;
}

function rank(free: readonly Candidate[], aeCal: WorkCalendar, prospectCal: WorkCalendar | null): Ranked[] {
  const dayOf = (ms: number): string => DateTime.fromMillis(ms, { zone: aeCal.timeZone }).toISODate() ?? '';
  const days = [...new Set(free.map((c) => dayOf(c.start)))].sort();
  return free
    .map((c) => {
      const day = dayOf(c.start);
      const ae = edgeDistance(c.start, c.end, aeCal);
      const edge = prospectCal === null ? ae : (ae + edgeDistance(c.start, c.end, prospectCal)) / 2;
      return { ...c, day, penalty: days.indexOf(day) + 0.9 * edge };
    })
    .sort((a, b) => a.penalty - b.penalty || a.start - b.start);
}

/**
 * Takes the best `count`, at most ceil(count / 2) a day and none overlapping another while that is possible (so two
 * or more slots spread over at least two days), then fills up from what is left, best first.
 */
function pick(ranked: readonly Ranked[], count: number): Slot[] {
  const perDay = count >= 2 ? Math.ceil(count / 2) : count;
  const chosen: Ranked[] = [];
  const taken = new Map<string, number>();
  for (const c of ranked) {
    if (chosen.length >= count) break;
    if ((taken.get(c.day) ?? 0) >= perDay) continue;
    if (chosen.some((p) => p.start < c.end && p.end > c.start)) continue;
    chosen.push(c);
    taken.set(c.day, (taken.get(c.day) ?? 0) + 1);
  }
  for (const c of ranked) {
    if (chosen.length >= count) break;
    if (!chosen.includes(c)) chosen.push(c);
  }
  chosen.sort((a, b) => a.penalty - b.penalty || a.start - b.start);
  return chosen.map((c) => ({
    start: new Date(c.start),
    end: new Date(c.end),
    prepStart: c.prepStart < c.start ? new Date(c.prepStart) : null,
    penalty: Math.round(c.penalty * 1000) / 1000,
  }));
}
