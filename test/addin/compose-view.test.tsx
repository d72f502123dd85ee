// The SDR writing an intro, through the pane's shell with a fake Outlook item and a fake API client: "Fill intro"
// refuses what is missing before calling Office, starts the hand-off and fills the message, offers the backup when
// the AE is away, shows a hand-off that already exists, books the chosen time, and follows the stage and the SLA.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '../../addin/api/client';
import { App } from '../../addin/taskpane/app';
import { aLead, aPage } from './fixtures/leads';
import { AE_ID, HANDOFF_ID, NOW, aHandoffDetail, aStarted, anObligation, anSdrMe, fakeClient, fakeMailbox, type FakeClient, type FakeMailbox } from './fixtures/pane';

const clock = (): Date => NOW;

function renderPane(client: FakeClient, mailbox: FakeMailbox, pollMs = 60_000) {
  return render(<App client={client} mailbox={mailbox} theme="light" clock={clock} pollMs={pollMs} debounceMs={0} />);
}

async function pickLead(user: ReturnType<typeof userEvent.setup>, name: RegExp): Promise<void> {
  await user.type(screen.getByRole('combobox', { name: 'Find a lead' }), 'ann');
  await user.click(await screen.findByRole('option', { name }));
  // The intro composer below the search loads on demand.
  await waitFor(() => {
    expect(screen.queryByText('Loading…')).not.toBeInTheDocument();
  });
}

describe('ComposeView (message compose)', () => {
  it('refuses "Fill intro" without a lead, naming it, and calls neither the server nor Outlook', async () => {
    const client = fakeClient({ me: jest.fn(() => Promise.resolve(anSdrMe())) });
    const mailbox = fakeMailbox('message_compose');
    const user = userEvent.setup();
    renderPane(client, mailbox);
    expect(await screen.findByText('Alex Ae (your paired AE) will be in Cc.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Fill intro' }));
    expect(screen.getByText('Pick a lead first: the intro needs a lead.')).toBeInTheDocument();
    expect(client.startHandoff).not.toHaveBeenCalled();
    expect(mailbox.fillIntro).not.toHaveBeenCalled();
  });

  it('refuses an unqualified lead with what it lacks', async () => {
    const lead = aLead({ qualification: { qualified: false, missing: [{ field: 'budget', rule: 'known', label: 'Budget known' }] } });
    const client = fakeClient({ searchLeads: jest.fn(() => Promise.resolve(aPage([lead]))) });
    const mailbox = fakeMailbox('message_compose');
    const user = userEvent.setup();
    renderPane(client, mailbox);
    await pickLead(user, /Anna Berg/);
    await user.click(screen.getByRole('button', { name: 'Fill intro' }));
    expect(screen.getByText('Anna Berg cannot be handed off yet; missing: Budget known.')).toBeInTheDocument();
    expect(client.startHandoff).not.toHaveBeenCalled();
    expect(mailbox.fillIntro).not.toHaveBeenCalled();
  });

  it('starts the hand-off, fills To, Cc, subject, body and header, books the chosen time and shows the SLA', async () => {
    const lead = aLead({ status: 'qualified' });
    const started = aStarted();
    const booked = aHandoffDetail({
      handoff: { slotStart: started.slots[1]?.start ?? null, slotEnd: started.slots[1]?.end ?? null, version: 2 },
      obligations: [anObligation({ kind: 'ae_reply' }), anObligation({ kind: 'ae_accept', metAt: '2026-11-24T10:05:00.000Z', metWithinSla: true })],
    });
    const client = fakeClient({
      me: jest.fn(() => Promise.resolve(anSdrMe())),
      searchLeads: jest.fn(() => Promise.resolve(aPage([lead]))),
      startHandoff: jest.fn(() => Promise.resolve(started)),
      getHandoff: jest.fn(() => Promise.resolve(aHandoffDetail())),
      bookInvite: jest.fn(() => Promise.resolve(booked)),
    });
    const mailbox = fakeMailbox('message_compose');
    const user = userEvent.setup();
    renderPane(client, mailbox);
    await pickLead(user, /Anna Berg/);
    await user.click(screen.getByRole('button', { name: 'Fill intro' }));

    expect(await screen.findByText('Intro filled in')).toBeInTheDocument();
    expect(client.startHandoff).toHaveBeenCalledWith({ leadId: lead.id });
    expect(mailbox.fillIntro).toHaveBeenCalledWith({
      to: [{ address: 'anna.berg@acme.example', name: 'Anna Berg' }],
      cc: [{ address: 'alex@baton.example', name: 'Alex Ae' }],
      subject: 'Introducing Alex Ae',
      html: '<p>Hello Anna</p>',
      header: { name: 'x-baton-handoff', value: HANDOFF_ID },
    });
    expect(screen.getByText('Alex Ae is in Cc of the intro.')).toBeInTheDocument();
    // The first proposal is preselected; the times show in the user's zone (Europe/Berlin).
    const times = screen.getByRole('radiogroup', { name: 'Meeting time' });
    expect(within(times).getByRole('radio', { name: 'Wed 25 Nov, 10:00–10:30 CET' })).toBeChecked();
    expect(await screen.findByText('Intro ready to send')).toBeInTheDocument();
    await user.click(within(times).getByRole('radio', { name: 'Wed 25 Nov, 14:00–14:30 CET' }));
    await user.click(screen.getByRole('button', { name: 'Book meeting' }));

    expect(await screen.findByText('Invite booked for Wed 25 Nov, 14:00–14:30 CET.')).toBeInTheDocument();
    expect(client.bookInvite).toHaveBeenCalledWith(HANDOFF_ID, { start: '2026-11-25T13:00:00.000Z', end: '2026-11-25T13:30:00.000Z' });
    const sla = screen.getByRole('list', { name: 'SLA' });
    expect(within(sla).getByText('due in 3 h 20 min')).toBeInTheDocument();
    expect(within(sla).getByText('Due Tue 24 Nov, 14:20 CET')).toBeInTheDocument();
    expect(within(sla).getByText('met in 1 h 05 min')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('AE replies to the intro: open. AE accepts the invite: met.');
  });

  it("offers the backup when the AE's automatic replies are on, and hands to the backup when asked", async () => {
    const lead = aLead({ status: 'qualified' });
    const away = new ApiError(409, {
      code: 'ae_away',
      message: "Alex Ae's automatic replies are on.",
      away: { status: 'scheduled', start: '2026-11-20T00:00:00Z', end: '2026-11-30T08:00:00Z' },
      backup: { id: AE_ID, displayName: 'Avery Ae' },
    });
    const startHandoff = jest.fn().mockRejectedValueOnce(away).mockResolvedValueOnce(aStarted());
    const client = fakeClient({
      searchLeads: jest.fn(() => Promise.resolve(aPage([lead]))),
      startHandoff,
      getHandoff: jest.fn(() => Promise.resolve(aHandoffDetail())),
    });
    const mailbox = fakeMailbox('message_compose');
    const user = userEvent.setup();
    renderPane(client, mailbox);
    await pickLead(user, /Anna Berg/);
    await user.click(screen.getByRole('button', { name: 'Fill intro' }));

    expect(await screen.findByText("Alex Ae's automatic replies are on.")).toBeInTheDocument();
    expect(screen.getByText(/Away from Fri 20 Nov, 01:00 CET until Mon 30 Nov, 09:00 CET\. You can hand the lead to Avery Ae, the backup AE, instead\./)).toBeInTheDocument();
    expect(mailbox.fillIntro).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Hand to Avery Ae and fill intro' }));
    expect(await screen.findByText('Intro filled in')).toBeInTheDocument();
    expect(startHandoff).toHaveBeenLastCalledWith({ leadId: lead.id, useBackup: true });
    expect(mailbox.fillIntro).toHaveBeenCalledTimes(1);
  });

  it('shows the hand-off already in progress for a lead picked again, with its stage and SLA', async () => {
    const lead = aLead({ status: 'suspect' });
    const existing = aHandoffDetail({
      handoff: { stage: 'intro_sent', introSentAt: '2026-11-23T09:00:00.000Z' },
      obligations: [anObligation({ dueAt: '2026-11-24T09:45:00.000Z', breachedAt: '2026-11-24T09:45:00.000Z', status: 'breached' })],
    });
    const client = fakeClient({
      searchLeads: jest.fn(() => Promise.resolve(aPage([lead]))),
      listHandoffs: jest.fn(() =>
        Promise.resolve({ items: [{ handoff: { ...existing.handoff, leadId: lead.id }, lead: existing.lead }] }),
      ),
      getHandoff: jest.fn(() => Promise.resolve(existing)),
    });
    const mailbox = fakeMailbox('message_compose');
    const user = userEvent.setup();
    renderPane(client, mailbox);
    await pickLead(user, /Anna Berg/);

    expect(await screen.findByText('Already handed off')).toBeInTheDocument();
    expect(client.getHandoff).toHaveBeenCalledWith(HANDOFF_ID, { signal: expect.any(AbortSignal) as AbortSignal });
    expect(screen.getByText('Intro sent')).toBeInTheDocument();
    expect(screen.getByText('overdue by 15 min')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Fill intro' })).not.toBeInTheDocument();
  });

  it('follows the lead-twice guard to the hand-off it names', async () => {
    const lead = aLead({ status: 'qualified' });
    const client = fakeClient({
      searchLeads: jest.fn(() => Promise.resolve(aPage([lead]))),
      startHandoff: jest.fn(() =>
        Promise.reject(new ApiError(409, { code: 'handoff_exists', message: 'This lead already has a hand-off in progress.', handoffId: HANDOFF_ID })),
      ),
      getHandoff: jest.fn(() => Promise.resolve(aHandoffDetail())),
    });
    const mailbox = fakeMailbox('message_compose');
    const user = userEvent.setup();
    renderPane(client, mailbox);
    await pickLead(user, /Anna Berg/);
    await user.click(screen.getByRole('button', { name: 'Fill intro' }));
    expect(await screen.findByText('Already handed off')).toBeInTheDocument();
    expect(mailbox.fillIntro).not.toHaveBeenCalled();
  });

  it('refuses an intro the server answered without a recipient, before calling Outlook', async () => {
    const lead = aLead({ status: 'qualified' });
    const base = aStarted();
    const client = fakeClient({
      searchLeads: jest.fn(() => Promise.resolve(aPage([lead]))),
      startHandoff: jest.fn(() => Promise.resolve({ ...base, intro: { ...base.intro, to: [] } })),
      getHandoff: jest.fn(() => Promise.resolve(aHandoffDetail())),
    });
    const mailbox = fakeMailbox('message_compose');
    const user = userEvent.setup();
    renderPane(client, mailbox);
    await pickLead(user, /Anna Berg/);
    await user.click(screen.getByRole('button', { name: 'Fill intro' }));
    expect(await screen.findByText('The intro has no recipient: Anna Berg has no email address. Add it to the lead first.')).toBeInTheDocument();
    expect(mailbox.fillIntro).not.toHaveBeenCalled();
  });

  it('shows an Outlook failure in a MessageBar, and refuses to start where Outlook lacks Mailbox 1.8', async () => {
    const lead = aLead({ status: 'qualified' });
    const client = fakeClient({
      searchLeads: jest.fn(() => Promise.resolve(aPage([lead]))),
      startHandoff: jest.fn(() => Promise.resolve(aStarted())),
      getHandoff: jest.fn(() => Promise.resolve(aHandoffDetail())),
    });
    const failing = fakeMailbox('message_compose', { fillIntro: jest.fn(() => Promise.reject(new Error('Outlook could not set the Cc line.'))) });
    const user = userEvent.setup();
    const { unmount } = renderPane(client, failing);
    await pickLead(user, /Anna Berg/);
    await user.click(screen.getByRole('button', { name: 'Fill intro' }));
    expect(await screen.findByText('Outlook could not set the Cc line.')).toBeInTheDocument();
    expect(screen.queryByText('Intro filled in')).not.toBeInTheDocument();
    unmount();

    const old = fakeMailbox('message_compose', { unsupportedReason: jest.fn(() => 'This version of Outlook does not support Mailbox 1.8.') });
    const startHandoff = jest.fn();
    renderPane(fakeClient({ searchLeads: jest.fn(() => Promise.resolve(aPage([lead]))), startHandoff }), old);
    expect(await screen.findByText('This Outlook lacks what Baton needs')).toBeInTheDocument();
    await pickLead(user, /Anna Berg/);
    await user.click(screen.getByRole('button', { name: 'Fill intro' }));
    expect(screen.getByText('Outlook cannot take the intro here')).toBeInTheDocument();
    expect(startHandoff).not.toHaveBeenCalled();
  });

  it('renders lead fields holding HTML as text', async () => {
    const lead = aLead({ contactName: '<img src=x onerror="alert(1)">Eve', companyName: '<b>Evil</b> Corp' });
    const client = fakeClient({ searchLeads: jest.fn(() => Promise.resolve(aPage([lead]))) });
    const user = userEvent.setup();
    const { container } = renderPane(client, fakeMailbox('message_compose'));
    await pickLead(user, /Eve/);
    expect(await screen.findByRole('heading', { level: 2, name: '<img src=x onerror="alert(1)">Eve' })).toBeInTheDocument();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
  });

  it('polls the hand-off and announces the new stage', async () => {
    const lead = aLead({ status: 'qualified' });
    const getHandoff = jest
      .fn()
      .mockResolvedValueOnce(aHandoffDetail())
      .mockResolvedValue(aHandoffDetail({ handoff: { stage: 'intro_sent' }, obligations: [anObligation()] }));
    const client = fakeClient({
      searchLeads: jest.fn(() => Promise.resolve(aPage([lead]))),
      startHandoff: jest.fn(() => Promise.resolve(aStarted())),
      getHandoff,
    });
    const user = userEvent.setup();
    renderPane(client, fakeMailbox('message_compose'), 50);
    await pickLead(user, /Anna Berg/);
    await user.click(screen.getByRole('button', { name: 'Fill intro' }));
    await waitFor(() => {
      expect(screen.getByRole('status')).toHaveTextContent('Hand-off: Intro sent. AE replies to the intro: open.');
    });
    expect(getHandoff.mock.calls.length).toBeGreaterThanOrEqual(2);
  });
});
