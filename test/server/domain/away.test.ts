// Away spans from automatic replies: one reading (disabled, always on, scheduled past, now, ahead, with no or an
// unusable end) and how it merges with what was seen before (on at t1 and still on at t2: away since t1; seen off at
// t3: closed at t3; a new schedule replaces a planned one); the SLA clock re-planned with the spans as pauses (a pause
// shifts the deadline by exactly the paused working time, nothing is due while away, across a DST change). Pure.
import { DateTime } from 'luxon';
import { awayAt, awayNowOrNext, mergeAway, nextOpenStart, pausesOf, readAway, type AwaySpan } from '../../../server/domain/away';
import type { AutomaticReplies } from '../../../server/domain/mailbox';
import { applyStep, nextStep, openObligation, type SlaPolicy } from '../../../server/domain/sla';
import { meetWithAway, planWithAway } from '../../../server/domain/sla-away';
import { workCalendarFor, workingTimeBetween, type WorkCalendar } from '../../../server/domain/working-time';

const zone = 'Europe/Berlin';
const hour = 3_600_000;
const calResult = workCalendarFor({ workingHours: null, timeZone: zone, country: null, years: [2026, 2027] });
if (!calResult.ok) throw new Error(calResult.error.message);
const cal: WorkCalendar = calResult.value;
const at = (iso: string): Date => DateTime.fromISO(iso, { zone }).toJSDate();
const show = (d: Date | null): string | null => (d === null ? null : DateTime.fromJSDate(d, { zone }).toFormat("ccc yyyy-MM-dd'T'HH:mm"));
const showSpan = (s: AwaySpan) => ({ start: show(s.start), end: show(s.end), source: s.source });

const replies = (status: AutomaticReplies['status'], start: string | null = null, end: string | null = null): AutomaticReplies => ({
  status,
  scheduledStart: start === null ? null : at(start),
  scheduledEnd: end === null ? null : at(end),
});

describe('readAway', () => {
  const now = '2026-11-16T10:00';
  const cases: { name: string; replies: AutomaticReplies; away: ReturnType<typeof showSpan> | null }[] = [
    { name: 'disabled', replies: replies('disabled', '2026-11-16T09:00', '2026-11-17T09:00'), away: null },
    // Exchange keeps a scheduled window on every setting; with alwaysEnabled it means nothing.
    { name: 'always on, with a stale window', replies: replies('alwaysEnabled', '2026-11-01T09:00', '2026-11-02T09:00'), away: { start: 'Mon 2026-11-16T10:00', end: null, source: 'alwaysEnabled' } },
    { name: 'scheduled in the past', replies: replies('scheduled', '2026-11-09T09:00', '2026-11-13T18:00'), away: null },
    { name: 'scheduled, ending exactly now', replies: replies('scheduled', '2026-11-13T09:00', now), away: null },
    { name: 'scheduled, running now', replies: replies('scheduled', '2026-11-16T08:00', '2026-11-18T09:00'), away: { start: 'Mon 2026-11-16T08:00', end: 'Wed 2026-11-18T09:00', source: 'scheduled' } },
    { name: 'scheduled ahead', replies: replies('scheduled', '2026-11-20T00:00', '2026-11-23T00:00'), away: { start: 'Fri 2026-11-20T00:00', end: 'Mon 2026-11-23T00:00', source: 'scheduled' } },
    { name: 'scheduled with no end', replies: replies('scheduled', '2026-11-16T08:00', null), away: { start: 'Mon 2026-11-16T08:00', end: null, source: 'scheduled' } },
    { name: 'scheduled, end before start', replies: replies('scheduled', '2026-11-18T08:00', '2026-11-17T08:00'), away: { start: 'Wed 2026-11-18T08:00', end: null, source: 'scheduled' } },
    { name: 'scheduled with no start', replies: replies('scheduled', null, '2026-11-17T08:00'), away: { start: 'Mon 2026-11-16T10:00', end: 'Tue 2026-11-17T08:00', source: 'scheduled' } },
  ];
  it.each(cases)('$name', (c) => {
    const reading = readAway(c.replies, at(now));
    expect(reading.kind === 'away' ? showSpan(reading.span) : null).toEqual(c.away);
  });
});

describe('mergeAway', () => {
  const span = (start: string, end: string | null, source: AwaySpan['source'] = 'alwaysEnabled'): AwaySpan => ({ start: at(start), end: end === null ? null : at(end), source });
  const read = (r: AutomaticReplies, now: string) => readAway(r, at(now));
  const cases: { name: string; before: AwaySpan[]; reading: AutomaticReplies; now: string; after: ReturnType<typeof showSpan>[]; changed: boolean }[] = [
    { name: 'first seen on', before: [], reading: replies('alwaysEnabled'), now: '2026-11-16T10:00', after: [{ start: 'Mon 2026-11-16T10:00', end: null, source: 'alwaysEnabled' }], changed: true },
    { name: 'still on later: away since first seen', before: [span('2026-11-16T10:00', null)], reading: replies('alwaysEnabled'), now: '2026-11-16T10:15', after: [{ start: 'Mon 2026-11-16T10:00', end: null, source: 'alwaysEnabled' }], changed: false },
    { name: 'turned off: closed when seen off', before: [span('2026-11-16T10:00', null)], reading: replies('disabled'), now: '2026-11-17T11:30', after: [{ start: 'Mon 2026-11-16T10:00', end: 'Tue 2026-11-17T11:30', source: 'alwaysEnabled' }], changed: true },
    { name: 'off and never away', before: [], reading: replies('disabled'), now: '2026-11-17T11:30', after: [], changed: false },
    { name: 'history stays', before: [span('2026-11-02T10:00', '2026-11-03T10:00')], reading: replies('disabled'), now: '2026-11-17T11:30', after: [{ start: 'Mon 2026-11-02T10:00', end: 'Tue 2026-11-03T10:00', source: 'alwaysEnabled' }], changed: false },
    { name: 'always on becomes a schedule ending later', before: [span('2026-11-16T10:00', null)], reading: replies('scheduled', '2026-11-16T12:00', '2026-11-18T09:00'), now: '2026-11-16T12:30', after: [{ start: 'Mon 2026-11-16T10:00', end: 'Wed 2026-11-18T09:00', source: 'scheduled' }], changed: true },
    { name: 'schedule in the past closes the running span', before: [span('2026-11-16T10:00', null)], reading: replies('scheduled', '2026-11-09T09:00', '2026-11-10T09:00'), now: '2026-11-16T12:30', after: [{ start: 'Mon 2026-11-16T10:00', end: 'Mon 2026-11-16T12:30', source: 'alwaysEnabled' }], changed: true },
    { name: 'a planned schedule replaced by a new one', before: [span('2026-11-20T00:00', '2026-11-23T00:00', 'scheduled')], reading: replies('scheduled', '2026-11-24T00:00', '2026-11-25T00:00'), now: '2026-11-16T12:30', after: [{ start: 'Tue 2026-11-24T00:00', end: 'Wed 2026-11-25T00:00', source: 'scheduled' }], changed: true },
    { name: 'a planned schedule cancelled', before: [span('2026-11-20T00:00', '2026-11-23T00:00', 'scheduled')], reading: replies('disabled'), now: '2026-11-16T12:30', after: [], changed: true },
    { name: 'a schedule that ended on its own stays as it was', before: [span('2026-11-16T08:00', '2026-11-16T12:00', 'scheduled')], reading: replies('scheduled', '2026-11-16T08:00', '2026-11-16T12:00'), now: '2026-11-16T12:30', after: [{ start: 'Mon 2026-11-16T08:00', end: 'Mon 2026-11-16T12:00', source: 'scheduled' }], changed: false },
  ];
  it.each(cases)('$name', (c) => {
    const merged = mergeAway(c.before, read(c.reading, c.now), at(c.now));
    expect(merged.spans.map(showSpan)).toEqual(c.after);
    expect(merged.changed).toBe(c.changed);
  });

  it('overlapping spans count once as pauses', () => {
    const spans = [span('2026-11-16T10:00', '2026-11-16T14:00'), span('2026-11-16T12:00', '2026-11-16T16:00')];
    expect(workingTimeBetween(at('2026-11-16T09:00'), at('2026-11-16T17:00'), cal, pausesOf(spans, at('2026-11-16T17:00')))).toBe(2 * hour);
  });

  it('an open span pauses until the horizon; one planned ahead pauses nothing yet but is looked at when it starts', () => {
    const spans = [span('2026-11-16T10:00', null), span('2026-11-20T09:00', null, 'scheduled')];
    expect(pausesOf(spans, at('2026-11-16T15:00')).map((p) => [show(p.start), show(p.end)])).toEqual([['Mon 2026-11-16T10:00', 'Mon 2026-11-16T15:00']]);
    expect(show(nextOpenStart(spans, at('2026-11-16T15:00')))).toBe('Fri 2026-11-20T09:00');
    expect(awayAt(spans, at('2026-11-16T15:00'))?.source).toBe('alwaysEnabled');
    expect(awayAt(spans, at('2026-11-16T09:00'))).toBeNull();
    expect(show(awayNowOrNext(spans, at('2026-11-16T09:00'))?.start ?? null)).toBe('Mon 2026-11-16T10:00');
  });
});

describe('the SLA clock with away spans', () => {
  const policy: SlaPolicy = { dueWorkingHours: 8, reminderShare: 0.5, secondLevelAfterWorkingHours: 4 };
  // Monday 10:00 Berlin (09:00–17:00): reminder 14:00, deadline Tuesday 10:00, second level Tuesday 14:00.
  const o = openObligation('ae_reply', at('2026-11-16T10:00'), policy, cal);

  it('a scheduled absence shifts every deadline by exactly the paused working time', () => {
    // Away Monday 12:00 to Tuesday 12:00: 5 h Monday + 3 h Tuesday = 8 working hours out.
    const spans: AwaySpan[] = [{ start: at('2026-11-16T12:00'), end: at('2026-11-17T12:00'), source: 'scheduled' }];
    const plan = planWithAway(o, policy, cal, spans, at('2026-11-16T11:00'));
    expect(show(plan.obligation.remindAt)).toBe('Tue 2026-11-17T14:00');
    expect(show(plan.obligation.dueAt)).toBe('Wed 2026-11-18T10:00');
    expect(show(plan.obligation.secondLevelAt)).toBe('Wed 2026-11-18T14:00');
    expect(workingTimeBetween(o.dueAt, plan.obligation.dueAt, cal)).toBe(8 * hour);
    expect(plan.pausedBy).toBeNull();
    expect(show(plan.wakeAt)).toBe('Tue 2026-11-17T14:00');
  });

  it('nothing is due while away: no reminder, no breach, the clock stands still with its time left', () => {
    const away: AwaySpan = { start: at('2026-11-16T12:00'), end: null, source: 'alwaysEnabled' };
    const spans = [away];
    // Thursday, long past the planned deadline, still away: 2 h ran before the absence, 6 h are left.
    const now = at('2026-11-19T15:00');
    const plan = planWithAway(o, policy, cal, spans, now);
    expect(plan.pausedBy?.source).toBe('alwaysEnabled');
    expect(plan.wakeAt).toBeNull();
    expect(plan.remainingMs).toBe(6 * hour);
    expect(plan.pausedMs).toBe(5 * hour + 8 * hour * 2 + 6 * hour);
    expect(nextStep(plan.obligation, now)).toBeNull();
    // Seen back Thursday 15:00: the clock resumes: reminder at once (2 h more were needed), deadline Friday 13:00.
    const back = planWithAway(o, policy, cal, [{ ...away, end: now }], now);
    expect(show(back.obligation.remindAt)).toBe('Thu 2026-11-19T17:00');
    expect(show(back.obligation.dueAt)).toBe('Fri 2026-11-20T13:00');
    expect(back.pausedBy).toBeNull();
  });

  it('a reminded obligation keeps its reminder; a breached one keeps its deadline and its second level moves', () => {
    const reminded = applyStep(o, 'remind', at('2026-11-16T14:00'));
    if (!reminded.ok) throw new Error(reminded.error.message);
    const spans: AwaySpan[] = [{ start: at('2026-11-16T15:00'), end: at('2026-11-17T15:00'), source: 'scheduled' }];
    const plan = planWithAway(reminded.value, policy, cal, spans, at('2026-11-16T15:30'));
    expect(show(plan.obligation.remindAt)).toBe('Mon 2026-11-16T14:00');
    expect(show(plan.obligation.dueAt)).toBe('Wed 2026-11-18T10:00');
    expect(plan.remainingMs).toBe(3 * hour);
    expect(show(plan.wakeAt)).toBe('Wed 2026-11-18T10:00');
    const breached = applyStep(o, 'breach', at('2026-11-17T10:00'));
    if (!breached.ok) throw new Error(breached.error.message);
    const later: AwaySpan[] = [{ start: at('2026-11-17T11:00'), end: at('2026-11-18T11:00'), source: 'scheduled' }];
    const b = planWithAway(breached.value, policy, cal, later, at('2026-11-17T10:30'));
    expect(show(b.obligation.dueAt)).toBe('Tue 2026-11-17T10:00');
    expect(show(b.obligation.secondLevelAt)).toBe('Wed 2026-11-18T14:00');
  });

  it('an open-ended absence planned ahead wakes the timer when it starts', () => {
    const spans: AwaySpan[] = [{ start: at('2026-11-16T12:00'), end: null, source: 'scheduled' }];
    const plan = planWithAway(o, policy, cal, spans, at('2026-11-16T11:00'));
    expect(show(plan.wakeAt)).toBe('Mon 2026-11-16T12:00');
  });

  it('met while away: in time, the absence not counted in the time to respond', () => {
    const spans: AwaySpan[] = [{ start: at('2026-11-16T12:00'), end: null, source: 'alwaysEnabled' }];
    const met = meetWithAway(o, at('2026-11-18T16:00'), policy, cal, spans);
    if (!met.ok) throw new Error(met.error.message);
    expect(met.value.obligation.metWithinSla).toBe(true);
    expect(met.value.obligation.timeToRespondMs).toBe(2 * hour);
    expect(met.value.pausedMs).toBe(5 * hour + 8 * hour + 7 * hour);
  });

  it('across the change to summer time the paused working time is exact', () => {
    // Sunday 2027-03-28 Berlin goes from +01:00 to +02:00. Away Friday 12:00 to Monday 12:00: 5 h + 3 h out.
    const friday = openObligation('ae_accept', at('2027-03-26T10:00'), policy, cal);
    const spans: AwaySpan[] = [{ start: at('2027-03-26T12:00'), end: at('2027-03-29T12:00'), source: 'scheduled' }];
    const plan = planWithAway(friday, policy, cal, spans, at('2027-03-26T11:00'));
    expect(show(friday.dueAt)).toBe('Mon 2027-03-29T10:00');
    expect(show(plan.obligation.dueAt)).toBe('Tue 2027-03-30T10:00');
    expect(workingTimeBetween(friday.dueAt, plan.obligation.dueAt, cal)).toBe(8 * hour);
  });
});
