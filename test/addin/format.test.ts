// How the pane words durations and SLA countdowns: the figures a user reads next to each obligation.
import { countdown, formatDuration } from '../../addin/taskpane/format';
import { anObligation } from './fixtures/pane';

describe('formatDuration', () => {
  it('reads as minutes, hours with padded minutes, then days', () => {
    expect(formatDuration(45 * 60_000)).toBe('45 min');
    expect(formatDuration((3 * 60 + 20) * 60_000)).toBe('3 h 20 min');
    expect(formatDuration(65 * 60_000)).toBe('1 h 05 min');
    expect(formatDuration((50 * 60 + 10) * 60_000)).toBe('2 d 2 h');
    expect(formatDuration(-5)).toBe('0 min');
  });
});

describe('countdown', () => {
  const now = new Date('2026-11-24T10:00:00.000Z');
  it('is due in the time left, overdue past the due time, met in the time taken', () => {
    expect(countdown(anObligation({ dueAt: '2026-11-24T13:20:00.000Z' }), now)).toMatchObject({ tone: 'open', text: 'due in 3 h 20 min' });
    expect(countdown(anObligation({ dueAt: '2026-11-24T09:00:00.000Z' }), now)).toMatchObject({ tone: 'overdue', text: 'overdue by 1 h 00 min' });
    expect(countdown(anObligation({ metAt: '2026-11-24T10:05:00.000Z', metWithinSla: true }), now)).toMatchObject({ tone: 'met', text: 'met in 1 h 05 min' });
    expect(countdown(anObligation({ metAt: '2026-11-24T16:00:00.000Z', metWithinSla: false }), now)).toMatchObject({ tone: 'late', state: 'met late' });
    expect(countdown(anObligation({ cancelledAt: '2026-11-24T09:30:00.000Z', status: 'cancelled' }), now)).toMatchObject({ tone: 'cancelled' });
  });
});
