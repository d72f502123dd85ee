// The organizer filling an invite by hand, through the pane's shell with a fake Outlook item and a fake API client:
// refused with what is missing before calling Outlook, then attendees, time, subject and body filled from the
// server's draft; an Outlook failure shown.
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../../addin/taskpane/app';
import type { InviteDraftDto } from '../../server/http/contract';
import { HANDOFF_ID, NOW, aHandoffDetail, fakeClient, fakeMailbox, type FakeClient, type FakeMailbox } from './fixtures/pane';

const clock = (): Date => NOW;
const detail = aHandoffDetail({ handoff: { stage: 'intro_sent' } });
const draft: InviteDraftDto = {
  attendees: [
    { address: 'anna.berg@acme.example', name: 'Anna Berg' },
    { address: 'alex@baton.example', name: 'Alex Ae' },
  ],
  subject: 'Acme GmbH and Baton',
  html: '<p>Agenda</p>',
  text: 'Agenda',
  slots: [
    { start: '2026-11-25T09:00:00.000Z', end: '2026-11-25T09:30:00.000Z' },
    { start: '2026-11-26T09:00:00.000Z', end: '2026-11-26T09:30:00.000Z' },
  ],
  warnings: [],
};

function renderPane(client: FakeClient, mailbox: FakeMailbox) {
  return render(<App client={client} mailbox={mailbox} theme="light" clock={clock} />);
}

function organizerClient(): FakeClient {
  return fakeClient({
    listHandoffs: jest.fn(() => Promise.resolve({ items: [{ handoff: detail.handoff, lead: detail.lead }] })),
    inviteDraft: jest.fn(() => Promise.resolve(draft)),
  });
}

describe('OrganizerView (appointment organizer)', () => {
  it('refuses to fill without a hand-off, then fills attendees, the chosen time, subject and body', async () => {
    const client = organizerClient();
    const mailbox = fakeMailbox('appointment_organizer');
    const user = userEvent.setup();
    renderPane(client, mailbox);
    await user.click(await screen.findByRole('button', { name: 'Fill invite' }));
    expect(screen.getByText('Pick a lead with an open hand-off first.')).toBeInTheDocument();
    expect(mailbox.fillInvite).not.toHaveBeenCalled();

    await user.click(screen.getByRole('combobox', { name: 'Lead with an open hand-off' }));
    await user.click(await screen.findByRole('option', { name: 'Anna Berg · Acme GmbH' }));
    const times = await screen.findByRole('radiogroup');
    await user.click(within(times).getByRole('radio', { name: 'Thu 26 Nov, 10:00–10:30 CET' }));
    await user.click(screen.getByRole('button', { name: 'Fill invite' }));
    expect(await screen.findByText('Invite filled in')).toBeInTheDocument();
    expect(client.inviteDraft).toHaveBeenCalledWith(HANDOFF_ID, { signal: expect.any(AbortSignal) as AbortSignal });
    expect(mailbox.fillInvite).toHaveBeenCalledWith({
      requiredAttendees: draft.attendees,
      start: new Date('2026-11-26T09:00:00.000Z'),
      end: new Date('2026-11-26T09:30:00.000Z'),
      subject: 'Acme GmbH and Baton',
      html: '<p>Agenda</p>',
    });
  });

  it('shows an Outlook failure, and a draft without times says to pick one in Outlook', async () => {
    const client = organizerClient();
    const mailbox = fakeMailbox('appointment_organizer', { fillInvite: jest.fn(() => Promise.reject(new Error('Outlook could not set the start time.'))) });
    const user = userEvent.setup();
    const { unmount } = renderPane(client, mailbox);
    await user.click(await screen.findByRole('combobox', { name: 'Lead with an open hand-off' }));
    await user.click(await screen.findByRole('option', { name: 'Anna Berg · Acme GmbH' }));
    await screen.findByRole('radiogroup');
    await user.click(screen.getByRole('button', { name: 'Fill invite' }));
    expect(await screen.findByText('Outlook could not set the start time.')).toBeInTheDocument();
    unmount();

    client.inviteDraft.mockResolvedValue({ ...draft, slots: [], warnings: ['slots_unavailable'] });
    renderPane(client, fakeMailbox('appointment_organizer'));
    await user.click(await screen.findByRole('combobox', { name: 'Lead with an open hand-off' }));
    await user.click(await screen.findByRole('option', { name: 'Anna Berg · Acme GmbH' }));
    expect(await screen.findByText(/Baton could not read the AE's free\/busy/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Fill invite' }));
    expect(screen.getByText('Choose a meeting time.')).toBeInTheDocument();
  });
});
