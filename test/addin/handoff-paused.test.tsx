// The SLA countdown while the AE is away: paused with the working time left and why (the AE's name, until when, or
// since when with no end), the due time after the pause, a planned absence told ahead, a past one explaining the paused
// time; and the compose view's wording of the away dates in the SDR's zone.
import { render, screen, within } from '@testing-library/react';
import { awayDates } from '../../addin/taskpane/compose-view';
import { HandoffStatus } from '../../addin/taskpane/handoff-status';
import { NOW, aHandoffDetail, anObligation } from './fixtures/pane';

const zone = 'Europe/Berlin';
const hour = 3_600_000;

function renderStatus(detail: ReturnType<typeof aHandoffDetail>) {
  return render(<HandoffStatus detail={detail} now={NOW} timeZone={zone} />);
}

describe('the paused SLA countdown', () => {
  it('shows the clock paused, the time left and until when the AE is away', () => {
    renderStatus(
      aHandoffDetail({
        handoff: { stage: 'intro_sent', introSentAt: '2026-11-24T08:00:00.000Z' },
        ae: { id: 'ae', displayName: 'Elena Rossi', email: 'elena@baton.example' },
        aeAway: { start: '2026-11-24T09:00:00.000Z', end: '2026-11-26T08:00:00.000Z', source: 'scheduled' },
        obligations: [anObligation({ kind: 'ae_reply', dueAt: '2026-11-26T15:00:00.000Z', remainingMs: 7 * hour, pausedMs: hour })],
      }),
    );
    const sla = screen.getByRole('list', { name: 'SLA' });
    expect(within(sla).getByText('paused, 7 h 00 min left')).toBeInTheDocument();
    expect(within(sla).getByText('Due Thu 26 Nov, 16:00 CET (clock paused 1 h 00 min while the AE was away)')).toBeInTheDocument();
    expect(screen.getByText('Elena Rossi is away until Thu 26 Nov, 09:00 CET (automatic replies): the SLA clock resumes then.')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('AE replies to the intro: paused.');
  });

  it('with automatic replies on and no end: since when, and no due time until the AE is back', () => {
    renderStatus(
      aHandoffDetail({
        handoff: { stage: 'intro_sent' },
        ae: { id: 'ae', displayName: 'Elena Rossi', email: 'elena@baton.example' },
        aeAway: { start: '2026-11-23T15:30:00.000Z', end: null, source: 'alwaysEnabled' },
        obligations: [anObligation({ kind: 'ae_accept', dueAt: '2026-11-24T10:30:00.000Z', remainingMs: 3 * hour + 20 * 60_000 })],
      }),
    );
    expect(screen.getByText('paused, 3 h 20 min left')).toBeInTheDocument();
    expect(screen.getByText('Due once the AE is back')).toBeInTheDocument();
    expect(screen.getByText('Elena Rossi is away (automatic replies on since Mon 23 Nov, 16:30 CET): the SLA clock resumes when they are back.')).toBeInTheDocument();
  });

  it('a breached obligation stays overdue; an absence ahead is announced; a past one leaves only the paused time', () => {
    const { unmount } = renderStatus(
      aHandoffDetail({
        handoff: { stage: 'intro_sent' },
        aeAway: { start: '2026-11-27T08:00:00.000Z', end: '2026-11-30T08:00:00.000Z', source: 'scheduled' },
        obligations: [anObligation({ kind: 'ae_reply', dueAt: '2026-11-24T09:30:00.000Z', breachedAt: '2026-11-24T09:30:00.000Z', status: 'breached' })],
      }),
    );
    expect(screen.getByText('overdue by 30 min')).toBeInTheDocument();
    expect(screen.getByText('Alex Ae will be away from Fri 27 Nov, 09:00 CET until Mon 30 Nov, 09:00 CET (automatic replies): the SLA clock stops then.')).toBeInTheDocument();
    unmount();
    renderStatus(
      aHandoffDetail({
        handoff: { stage: 'intro_sent' },
        aeAway: { start: '2026-11-20T08:00:00.000Z', end: '2026-11-24T08:00:00.000Z', source: 'scheduled' },
        obligations: [anObligation({ kind: 'ae_reply', dueAt: '2026-11-24T13:20:00.000Z', pausedMs: 5 * hour })],
      }),
    );
    expect(screen.getByText('due in 3 h 20 min')).toBeInTheDocument();
    expect(screen.getByText('Due Tue 24 Nov, 14:20 CET (clock paused 5 h 00 min while the AE was away)')).toBeInTheDocument();
    expect(screen.queryByText(/is away|will be away/)).not.toBeInTheDocument();
  });
});

describe('the away dates beside the backup offer', () => {
  it('words a window and an open end in the SDR zone', () => {
    expect(awayDates({ start: '2026-11-20T00:00:00Z', end: '2026-11-30T08:00:00Z' }, 'America/New_York')).toBe('Away from Thu 19 Nov, 19:00 GMT-5 until Mon 30 Nov, 03:00 GMT-5. ');
    expect(awayDates({ start: '2026-11-23T15:30:00Z', end: null }, zone)).toBe('Away from Mon 23 Nov, 16:30 CET, with no end date in the automatic replies. ');
    expect(awayDates(undefined, zone)).toBe('');
  });
});
