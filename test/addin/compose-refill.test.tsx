// The intro after "Fill intro": the highlighted meeting time is the hand-off's chosen time (so an intro sent without
// "Book meeting" books the invite there), picking another time chooses it, and the button then fills the same
// hand-off's intro again instead of starting a second one; an intro closed unsent is filled again from the server.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../../addin/taskpane/app';
import { aLead, aPage } from './fixtures/leads';
import { HANDOFF_ID, NOW, aHandoffDetail, aStarted, anSdrMe, fakeClient, fakeMailbox } from './fixtures/pane';

const clock = (): Date => NOW;

async function pickLead(user: ReturnType<typeof userEvent.setup>): Promise<void> {
  await user.type(screen.getByRole('combobox', { name: 'Find a lead' }), 'ann');
  await user.click(await screen.findByRole('option', { name: /Anna Berg/ }));
  await waitFor(() => {
    expect(screen.queryByText('Loading…')).not.toBeInTheDocument();
  });
}

describe('ComposeView after the intro is filled', () => {
  it('chooses the highlighted time at once, chooses the one picked, and fills the same hand-off again', async () => {
    const started = aStarted();
    const [first, second] = started.slots;
    if (first === undefined || second === undefined) throw new Error('the fixture proposes two times or more');
    const again = { handoff: started.handoff, intro: { ...started.intro, html: '<p>Hello again Anna</p>' }, slots: [second, first], warnings: [] };
    const client = fakeClient({
      me: jest.fn(() => Promise.resolve(anSdrMe())),
      searchLeads: jest.fn(() => Promise.resolve(aPage([aLead({ status: 'qualified' })]))),
      startHandoff: jest.fn(() => Promise.resolve(started)),
      getHandoff: jest.fn(() => Promise.resolve(aHandoffDetail())),
      handoffIntro: jest.fn(() => Promise.resolve(again)),
    });
    const mailbox = fakeMailbox('message_compose');
    const user = userEvent.setup();
    render(<App client={client} mailbox={mailbox} theme="light" clock={clock} pollMs={60_000} debounceMs={0} />);
    await pickLead(user);
    await user.click(screen.getByRole('button', { name: 'Fill intro' }));

    expect(await screen.findByText('Intro filled in')).toBeInTheDocument();
    expect(client.chooseSlot).toHaveBeenCalledWith(HANDOFF_ID, first);
    const times = screen.getByRole('radiogroup', { name: 'Meeting time' });
    await user.click(within(times).getByRole('radio', { name: 'Wed 25 Nov, 14:00–14:30 CET' }));
    await waitFor(() => {
      expect(client.chooseSlot).toHaveBeenLastCalledWith(HANDOFF_ID, second);
    });

    // No second hand-off: the button fills this one's intro again.
    expect(screen.queryByRole('button', { name: 'Fill intro' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Fill again' }));
    await waitFor(() => {
      expect(mailbox.fillIntro).toHaveBeenCalledTimes(2);
    });
    expect(client.startHandoff).toHaveBeenCalledTimes(1);
    expect(client.handoffIntro).toHaveBeenCalledWith(HANDOFF_ID);
    expect(mailbox.fillIntro).toHaveBeenLastCalledWith(expect.objectContaining({ html: '<p>Hello again Anna</p>', header: { name: 'x-baton-handoff', value: HANDOFF_ID } }));
    // The chosen time stays highlighted (the server puts it first).
    expect(within(screen.getByRole('radiogroup', { name: 'Meeting time' })).getByRole('radio', { name: 'Wed 25 Nov, 14:00–14:30 CET' })).toBeChecked();
  });

  it('fills again the intro of a hand-off whose draft was closed unsent', async () => {
    const lead = aLead({ status: 'qualified' });
    const started = aStarted();
    const client = fakeClient({
      me: jest.fn(() => Promise.resolve(anSdrMe())),
      searchLeads: jest.fn(() => Promise.resolve(aPage([lead]))),
      listHandoffs: jest.fn(() =>
        Promise.resolve({ items: [{ handoff: { ...started.handoff, leadId: lead.id }, lead: { id: lead.id, contactName: 'Anna Berg', companyName: 'Acme GmbH', email: lead.email, status: lead.status, ownerId: lead.ownerId } }] }),
      ),
      getHandoff: jest.fn(() => Promise.resolve(aHandoffDetail())),
      handoffIntro: jest.fn(() => Promise.resolve({ handoff: started.handoff, intro: started.intro, slots: started.slots, warnings: [] })),
    });
    const mailbox = fakeMailbox('message_compose');
    const user = userEvent.setup();
    render(<App client={client} mailbox={mailbox} theme="light" clock={clock} pollMs={60_000} debounceMs={0} />);
    await pickLead(user);

    expect(await screen.findByText(/Its intro was not sent yet/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Fill again' }));
    expect(await screen.findByText('Intro filled in')).toBeInTheDocument();
    expect(client.startHandoff).not.toHaveBeenCalled();
    expect(mailbox.fillIntro).toHaveBeenCalledWith(expect.objectContaining({ header: { name: 'x-baton-handoff', value: HANDOFF_ID } }));
  });
});
