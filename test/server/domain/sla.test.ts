// The SLA obligation machine: deadlines planned in working time, what the timer sweep does at each moment, every
// pair of states allowed or refused exactly as the table says, guards with stable codes, met late, restarts.
// Pure domain test: no database, no clock.
import { DateTime } from 'luxon';
import {
  applyStep,
  cancelObligation,
  meet,
  nextStep,
  nextWakeAt,
  obligationStates,
  obligationTransitions,
  openObligation,
  parseSlaPolicy,
  planObligation,
  restartAcceptance,
  transitionObligation,
  type Obligation,
  type ObligationState,
  type ObligationTransition,
  type SlaPolicy,
} from '../../../server/domain/sla';
import { workCalendarFor, type WorkCalendar } from '../../../server/domain/working-time';

const zone = 'Europe/Berlin';
const hour = 3_600_000;
const calResult = workCalendarFor({ workingHours: null, timeZone: zone, country: 'DE', years: [2026, 2027] });
if (!calResult.ok) throw new Error(calResult.error.message);
const cal: WorkCalendar = calResult.value;

const at = (iso: string): Date => DateTime.fromISO(iso, { zone }).toJSDate();
const show = (d: Date | null): string | null => (d === null ? null : DateTime.fromJSDate(d, { zone }).toFormat("ccc yyyy-MM-dd'T'HH:mm"));

const policy: SlaPolicy = { dueWorkingHours: 8, reminderShare: 0.5, secondLevelAfterWorkingHours: 4 };
// Monday 10:00 Berlin: reminder 14:00, deadline Tuesday 10:00, second level Tuesday 14:00.
const started = at('2026-11-16T10:00');
const fresh = (): Obligation => openObligation('ae_reply', started, policy, cal);

describe('planObligation', () => {
  const cases: { name: string; start: string; policy: SlaPolicy; dueAt: string; remindAt: string | null; secondLevelAt: string | null }[] = [
    { name: 'within the week', start: '2026-11-16T10:00', policy, dueAt: 'Tue 2026-11-17T10:00', remindAt: 'Mon 2026-11-16T14:00', secondLevelAt: 'Tue 2026-11-17T14:00' },
    { name: 'intro on Friday afternoon', start: '2026-11-20T16:00', policy, dueAt: 'Mon 2026-11-23T16:00', remindAt: 'Mon 2026-11-23T12:00', secondLevelAt: 'Tue 2026-11-24T12:00' },
    { name: 'intro on a Saturday', start: '2026-11-21T11:00', policy, dueAt: 'Mon 2026-11-23T17:00', remindAt: 'Mon 2026-11-23T13:00', secondLevelAt: 'Tue 2026-11-24T13:00' },
    { name: 'over German Christmas', start: '2026-12-24T13:00', policy: { dueWorkingHours: 4, reminderShare: 0.25, secondLevelAfterWorkingHours: 8 }, dueAt: 'Thu 2026-12-24T17:00', remindAt: 'Thu 2026-12-24T14:00', secondLevelAt: 'Mon 2026-12-28T17:00' },
    { name: 'no reminder, no second level', start: '2026-11-16T10:00', policy: { dueWorkingHours: 2, reminderShare: null, secondLevelAfterWorkingHours: null }, dueAt: 'Mon 2026-11-16T12:00', remindAt: null, secondLevelAt: null },
    { name: 'fractional hours', start: '2026-11-16T16:30', policy: { dueWorkingHours: 1.5, reminderShare: 0.5, secondLevelAfterWorkingHours: 0.5 }, dueAt: 'Tue 2026-11-17T10:00', remindAt: 'Tue 2026-11-17T09:15', secondLevelAt: 'Tue 2026-11-17T10:30' },
  ];
  it.each(cases)('$name', (c) => {
    const plan = planObligation('ae_reply', at(c.start), c.policy, cal);
    expect({ dueAt: show(plan.dueAt), remindAt: show(plan.remindAt), secondLevelAt: show(plan.secondLevelAt) }).toEqual({
      dueAt: c.dueAt,
      remindAt: c.remindAt,
      secondLevelAt: c.secondLevelAt,
    });
  });

  it('pauses (automatic replies on) push the deadlines', () => {
    const plan = planObligation('ae_accept', started, policy, cal, [{ start: at('2026-11-16T12:00'), end: at('2026-11-17T12:00') }]);
    // 2 h Monday before the pause, then from Tuesday 12:00: reminder at +2 h, deadline at +6 h → Wednesday 10:00.
    expect(show(plan.remindAt)).toBe('Tue 2026-11-17T14:00');
    expect(show(plan.dueAt)).toBe('Wed 2026-11-18T10:00');
    expect(show(plan.secondLevelAt)).toBe('Wed 2026-11-18T14:00');
  });
});

describe('parseSlaPolicy', () => {
  it('accepts a policy', () => {
    expect(parseSlaPolicy(policy)).toEqual({ ok: true, value: policy });
  });
  const refused: { name: string; input: unknown; field: string }[] = [
    { name: 'zero hours', input: { ...policy, dueWorkingHours: 0 }, field: 'dueWorkingHours' },
    { name: 'share 1', input: { ...policy, reminderShare: 1 }, field: 'reminderShare' },
    { name: 'share 0', input: { ...policy, reminderShare: 0 }, field: 'reminderShare' },
    { name: 'negative second level', input: { ...policy, secondLevelAfterWorkingHours: -1 }, field: 'secondLevelAfterWorkingHours' },
    { name: 'unknown field', input: { ...policy, extra: 1 }, field: '' },
  ];
  it.each(refused)('refuses $name', ({ input, field }) => {
    const result = parseSlaPolicy(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid_sla_policy');
      expect(result.error.field ?? '').toBe(field);
    }
  });
});

describe('nextStep: what the timer sweep does', () => {
  const cases: { name: string; state: ObligationState; now: string; step: ReturnType<typeof nextStep> }[] = [
    { name: 'open, before the reminder', state: 'open', now: '2026-11-16T13:59', step: null },
    { name: 'open, at the reminder', state: 'open', now: '2026-11-16T14:00', step: 'remind' },
    { name: 'open, past the deadline: breach, no late reminder', state: 'open', now: '2026-11-17T10:00', step: 'breach' },
    { name: 'reminded, before the deadline', state: 'reminded', now: '2026-11-17T09:59', step: null },
    { name: 'reminded, at the deadline', state: 'reminded', now: '2026-11-17T10:00', step: 'breach' },
    { name: 'breached, before the second level', state: 'breached', now: '2026-11-17T13:59', step: null },
    { name: 'breached, at the second level', state: 'breached', now: '2026-11-17T14:00', step: 'escalate' },
    { name: 'escalated: nothing more', state: 'escalated', now: '2027-01-01T00:00', step: null },
    { name: 'met: nothing', state: 'met', now: '2027-01-01T00:00', step: null },
    { name: 'cancelled: nothing', state: 'cancelled', now: '2027-01-01T00:00', step: null },
  ];
  it.each(cases)('$name', ({ state, now, step }) => {
    expect(nextStep({ ...fresh(), state }, at(now))).toBe(step);
  });

  it('without a second level, a breached obligation stays breached', () => {
    const o = openObligation('ae_reply', started, { ...policy, secondLevelAfterWorkingHours: null }, cal);
    expect(nextStep({ ...o, state: 'breached' }, at('2027-01-01T00:00'))).toBeNull();
    expect(nextWakeAt({ ...o, state: 'breached' })).toBeNull();
  });

  it('nextWakeAt names the instant of the next step', () => {
    const o = fresh();
    expect(show(nextWakeAt(o))).toBe('Mon 2026-11-16T14:00');
    expect(show(nextWakeAt({ ...o, state: 'reminded' }))).toBe('Tue 2026-11-17T10:00');
    expect(show(nextWakeAt({ ...o, state: 'breached' }))).toBe('Tue 2026-11-17T14:00');
    expect(nextWakeAt({ ...o, state: 'escalated' })).toBeNull();
    expect(show(nextWakeAt(openObligation('ae_reply', started, { ...policy, reminderShare: null }, cal)))).toBe('Tue 2026-11-17T10:00');
  });

  it('a whole run: remind, breach, escalate, each once, then met late', () => {
    let o = fresh();
    const sweep = (iso: string): string | null => {
      const step = nextStep(o, at(iso));
      if (step !== null) {
        const moved = applyStep(o, step, at(iso));
        if (!moved.ok) throw new Error(moved.error.code);
        o = moved.value;
      }
      return step;
    };
    expect(['2026-11-16T12:00', '2026-11-16T14:05', '2026-11-16T15:00', '2026-11-17T10:01', '2026-11-17T11:00', '2026-11-17T14:00', '2026-11-17T15:00'].map(sweep)).toEqual([
      null, 'remind', null, 'breach', null, 'escalate', null,
    ]);
    const met = meet(o, at('2026-11-18T09:30'), cal);
    expect(met.ok && met.value).toMatchObject({ state: 'met', metWithinSla: false, timeToRespondMs: 15.5 * hour });
  });
});

describe('transitionObligation: every pair of states', () => {
  // An instant past every deadline, so the time guards pass and only the table decides.
  const late = at('2026-11-20T12:00');
  const request = (to: ObligationState): ObligationTransition => {
    switch (to) {
      case 'met':
        return { to, at: late, cal };
      case 'cancelled':
        return { to, at: late, reason: 'handoff_closed' };
      default:
        return { to, at: late };
    }
  };
  const pairs = obligationStates.flatMap((from) => obligationStates.map((to) => ({ from, to, allowed: obligationTransitions[from].includes(to) })));

  it('the table is what the process says', () => {
    expect(obligationTransitions).toEqual({
      open: ['reminded', 'breached', 'met', 'cancelled'],
      reminded: ['breached', 'met', 'cancelled'],
      breached: ['escalated', 'met', 'cancelled'],
      escalated: ['met', 'cancelled'],
      met: [],
      cancelled: [],
    });
  });

  it.each(pairs)('$from → $to: allowed $allowed', ({ from, to, allowed }) => {
    const result = transitionObligation({ ...fresh(), state: from }, request(to));
    if (allowed) {
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.value.state).toBe(to);
    } else {
      expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'illegal_transition' }) as unknown });
    }
  });
});

describe('guards', () => {
  const refused: { name: string; obligation: () => Obligation; request: ObligationTransition; code: string }[] = [
    { name: 'reminder too early', obligation: fresh, request: { to: 'reminded', at: at('2026-11-16T13:00') }, code: 'too_early' },
    { name: 'breach before the deadline', obligation: () => ({ ...fresh(), state: 'reminded' }), request: { to: 'breached', at: at('2026-11-17T09:00') }, code: 'too_early' },
    { name: 'second level too early', obligation: () => ({ ...fresh(), state: 'breached' }), request: { to: 'escalated', at: at('2026-11-17T13:00') }, code: 'too_early' },
    { name: 'reminder without one planned', obligation: () => openObligation('ae_reply', started, { ...policy, reminderShare: null }, cal), request: { to: 'reminded', at: at('2026-11-19T10:00') }, code: 'no_reminder' },
    { name: 'second level without one planned', obligation: () => ({ ...openObligation('ae_reply', started, { ...policy, secondLevelAfterWorkingHours: null }, cal), state: 'breached' }), request: { to: 'escalated', at: at('2026-11-19T10:00') }, code: 'no_second_level' },
    { name: 'an answer before the start', obligation: fresh, request: { to: 'met', at: at('2026-11-16T09:00'), cal }, code: 'answer_before_start' },
    { name: 'an unknown cancel reason', obligation: fresh, request: { to: 'cancelled', at: started, reason: 'bored' as 'handoff_closed' }, code: 'invalid_cancel_reason' },
    { name: 'met twice', obligation: () => ({ ...fresh(), state: 'met' }), request: { to: 'met', at: at('2026-11-16T11:00'), cal }, code: 'illegal_transition' },
    { name: 'back to open', obligation: () => ({ ...fresh(), state: 'reminded' }), request: { to: 'open', at: started }, code: 'illegal_transition' },
  ];
  it.each(refused)('refuses $name with $code and changes nothing', ({ obligation, request, code }) => {
    const before = obligation();
    const copy = { ...before };
    const result = transitionObligation(before, request);
    expect(result.ok ? null : result.error.code).toBe(code);
    expect(before).toEqual(copy);
  });
});

describe('meet', () => {
  const cases: { name: string; state: ObligationState; answer: string; within: boolean; ttr: number }[] = [
    { name: 'in time, same morning', state: 'open', answer: '2026-11-16T11:30', within: true, ttr: 1.5 * hour },
    { name: 'after the reminder, overnight', state: 'reminded', answer: '2026-11-17T09:30', within: true, ttr: 7.5 * hour },
    { name: 'exactly at the deadline', state: 'reminded', answer: '2026-11-17T10:00', within: true, ttr: 8 * hour },
    { name: 'late, after the breach', state: 'breached', answer: '2026-11-17T12:00', within: false, ttr: 10 * hour },
    { name: 'late, answered in the evening (counts to closing)', state: 'escalated', answer: '2026-11-17T21:00', within: false, ttr: 15 * hour },
  ];
  it.each(cases)('$name', ({ state, answer, within, ttr }) => {
    const result = meet({ ...fresh(), state }, at(answer), cal);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value).toMatchObject({ state: 'met', metWithinSla: within, timeToRespondMs: ttr });
      expect(result.value.metAt).toEqual(at(answer));
    }
  });

  it('time to respond leaves out pauses', () => {
    const result = meet(fresh(), at('2026-11-16T15:00'), cal, [{ start: at('2026-11-16T11:00'), end: at('2026-11-16T13:00') }]);
    expect(result.ok && result.value.timeToRespondMs).toBe(3 * hour);
  });
});

describe('cancel and restart', () => {
  it('cancels with a reason', () => {
    const result = cancelObligation({ ...fresh(), state: 'breached' }, at('2026-11-18T10:00'), 'handoff_reassigned');
    expect(result.ok && result.value).toMatchObject({ state: 'cancelled', cancelReason: 'handoff_reassigned' });
  });

  it('a new invite cancels the acceptance obligation and opens a new one', () => {
    const old = { ...openObligation('ae_accept', started, policy, cal), state: 'reminded' as const };
    const result = restartAcceptance(old, at('2026-11-17T09:00'), policy, cal);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.cancelled).toMatchObject({ state: 'cancelled', cancelReason: 'invite_replaced', kind: 'ae_accept' });
      expect(result.value.opened).toMatchObject({ state: 'open', kind: 'ae_accept', startedAt: at('2026-11-17T09:00') });
      expect(show(result.value.opened.dueAt)).toBe('Tue 2026-11-17T17:00');
    }
  });

  it('refuses to restart the reply obligation, or a met one', () => {
    const reply = restartAcceptance(fresh(), started, policy, cal);
    expect(reply.ok ? null : reply.error.code).toBe('wrong_kind');
    const met = restartAcceptance({ ...openObligation('ae_accept', started, policy, cal), state: 'met' }, started, policy, cal);
    expect(met.ok ? null : met.error.code).toBe('illegal_transition');
  });
});
