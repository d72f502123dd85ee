// The AE reading an intro, through the pane's shell with a fake Outlook item and a fake API client: the hand-off found
// by the message's header or by the lead's address, the prep brief as text, the SLA, "Accept and reply" opening
// Outlook's reply, the outcome with what is missing named at its field, and a follow-up added.
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '../../addin/api/client';
import { App } from '../../addin/taskpane/app';
import { HANDOFF_ID, NOW, aHandoffDetail, anAeMe, anObligation, fakeClient, fakeMailbox, type FakeClient, type FakeMailbox } from './fixtures/pane';
import { aMe } from './fixtures/leads';

const clock = (): Date => NOW;

function renderPane(client: FakeClient, mailbox: FakeMailbox) {
  return render(<App client={client} mailbox={mailbox} theme="light" clock={clock} pollMs={60_000} />);
}

const brief = {
  title: 'CTO',
  phone: '+4930123456',
  timeZone: 'Europe/Berlin',
  decisionMaker: true,
  budget: '<script>alert(1)</script>40k EUR',
  competitors: ['Pipedrive', 'HubSpot'],
  currentSolution: 'Spreadsheets',
  needs: 'Hand-offs get lost',
  productInterests: [],
  demoRequested: true,
  notes: 'Call after <b>10</b>',
};

const accepted = () =>
  aHandoffDetail({
    handoff: { stage: 'accepted', introSentAt: '2026-11-24T09:00:00.000Z', meetingStart: '2026-11-25T13:00:00.000Z', meetingEnd: '2026-11-25T13:30:00.000Z' },
    lead: { status: 'suspect' },
    obligations: [
      anObligation({ kind: 'ae_reply', metAt: '2026-11-24T10:05:00.000Z', metWithinSla: true, status: 'met' }),
      anObligation({ kind: 'ae_accept', dueAt: '2026-11-24T09:50:00.000Z', breachedAt: '2026-11-24T09:50:00.000Z', status: 'breached' }),
    ],
    prepBrief: brief,
  });

describe('ReadView (message read)', () => {
  it('finds the hand-off by the header and shows the summary, the prep brief as text and the SLA', async () => {
    const client = fakeClient({ me: jest.fn(() => Promise.resolve(anAeMe())), getHandoff: jest.fn(() => Promise.resolve(accepted())) });
    const { container } = renderPane(client, fakeMailbox('message_read'));
    expect(await screen.findByRole('heading', { level: 2, name: 'Anna Berg' })).toBeInTheDocument();
    expect(client.getHandoff).toHaveBeenCalledWith(HANDOFF_ID, { signal: expect.any(AbortSignal) as AbortSignal });
    expect(screen.getByText('Introduced by Sam Doe to Alex Ae')).toBeInTheDocument();
    expect(screen.getByText('Meeting accepted')).toBeInTheDocument();
    expect(screen.getByText('Meeting: Wed 25 Nov, 14:00–14:30 CET')).toBeInTheDocument();
    const sla = screen.getByRole('list', { name: 'SLA' });
    expect(within(sla).getByText('met in 1 h 05 min')).toBeInTheDocument();
    expect(within(sla).getByText('overdue by 10 min')).toBeInTheDocument();
    const prep = screen.getByRole('region', { name: 'Prep brief' });
    expect(within(prep).getByText('<script>alert(1)</script>40k EUR')).toBeInTheDocument();
    expect(within(prep).getByText('Pipedrive, HubSpot')).toBeInTheDocument();
    expect(within(prep).getByText('Notes from Sam Doe')).toBeInTheDocument();
    expect(within(prep).getByText('Call after <b>10</b>')).toBeInTheDocument();
    expect(container.querySelector('script, b')).toBeNull();
  });

  it("finds the hand-off from the reader's open ones when the message has no header, else says there is none", async () => {
    const detail = accepted();
    const facts = { subject: 'Re: intro', from: { address: 'Anna.Berg@acme.example', name: 'Anna' }, to: [], cc: [], handoffId: null };
    const client = fakeClient({
      me: jest.fn(() => Promise.resolve(anAeMe())),
      listHandoffs: jest.fn(() => Promise.resolve({ items: [{ handoff: detail.handoff, lead: detail.lead }] })),
      getHandoff: jest.fn(() => Promise.resolve(detail)),
    });
    const { unmount } = renderPane(client, fakeMailbox('message_read', { readItem: jest.fn(() => Promise.resolve(facts)) }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Anna Berg' })).toBeInTheDocument();
    unmount();

    const other = { ...facts, from: { address: 'someone@else.example', name: 'Someone' } };
    renderPane(client, fakeMailbox('message_read', { readItem: jest.fn(() => Promise.resolve(other)) }));
    expect(await screen.findByText('No hand-off here')).toBeInTheDocument();
  });

  it('shows a failure to read the message, and Retry reads it again', async () => {
    const readItem = jest.fn().mockRejectedValueOnce(new Error('Outlook could not read the message headers.')).mockResolvedValue({
      subject: 'Intro',
      from: null,
      to: [],
      cc: [],
      handoffId: HANDOFF_ID,
    });
    const client = fakeClient({ getHandoff: jest.fn(() => Promise.resolve(accepted())) });
    const user = userEvent.setup();
    renderPane(client, fakeMailbox('message_read', { readItem }));
    expect(await screen.findByText('Outlook could not read the message headers.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Anna Berg' })).toBeInTheDocument();
  });

  it("opens Outlook's reply-all with an escaped greeting, or says to reply from Outlook when it cannot", async () => {
    const detail = aHandoffDetail({ handoff: { stage: 'invite_sent' }, lead: { contactName: '<i>Anna</i> Berg' } });
    const client = fakeClient({ me: jest.fn(() => Promise.resolve(anAeMe())), getHandoff: jest.fn(() => Promise.resolve(detail)) });
    const mailbox = fakeMailbox('message_read');
    const user = userEvent.setup();
    const { unmount } = renderPane(client, mailbox);
    await user.click(await screen.findByRole('button', { name: 'Accept and reply' }));
    expect(await screen.findByText('Reply opened')).toBeInTheDocument();
    expect(mailbox.displayReplyForm).toHaveBeenCalledWith({
      replyAll: true,
      html: '<p>Thank you, Sam, for the introduction.</p><p>Hello &lt;i&gt;Anna&lt;/i&gt;, I look forward to our conversation.</p>',
    });
    unmount();

    const withoutReply = fakeMailbox('message_read');
    delete (withoutReply as Partial<FakeMailbox>).displayReplyForm;
    renderPane(client, withoutReply);
    await user.click(await screen.findByRole('button', { name: 'Accept and reply' }));
    expect(screen.getByText(/This version of Outlook cannot open a reply from Baton/)).toBeInTheDocument();
  });

  it('hands the lead back: reason, text and rating named when missing, then recorded with the version read and the rating', async () => {
    const detail = accepted();
    const closed = aHandoffDetail({ ...detail, handoff: { ...detail.handoff, stage: 'closed', outcome: 'hand_back', version: 2 }, obligations: [] });
    const client = fakeClient({
      me: jest.fn(() => Promise.resolve(anAeMe())),
      getHandoff: jest.fn(() => Promise.resolve(detail)),
      recordOutcome: jest.fn(() => Promise.resolve(closed)),
    });
    const user = userEvent.setup();
    renderPane(client, fakeMailbox('message_read'));
    await user.click(await screen.findByRole('button', { name: 'Record outcome' }));
    expect(screen.getByText('Choose an outcome.')).toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'Hand back to the SDR' }));
    await user.click(screen.getByRole('button', { name: 'Record outcome' }));
    expect(screen.getByText('Choose why the lead goes back.')).toBeInTheDocument();
    expect(screen.getByText('Say in a few words why the lead goes back.')).toBeInTheDocument();
    expect(screen.getByText('Rate the lead from 1 to 5.')).toBeInTheDocument();
    expect(client.recordOutcome).not.toHaveBeenCalled();
    await user.click(screen.getByRole('radio', { name: '2 of 5' }));

    await user.click(screen.getByRole('combobox', { name: /Reason/ }));
    await user.click(await screen.findByRole('option', { name: 'No budget' }));
    await user.type(screen.getByRole('textbox', { name: /Why, in a few words/ }), 'Budget frozen until Q3');
    await user.click(screen.getByRole('button', { name: 'Record outcome' }));
    expect(await screen.findByText('This hand-off is closed: Handed back.')).toBeInTheDocument();
    expect(client.recordOutcome).toHaveBeenCalledWith(HANDOFF_ID, { outcome: 'hand_back', reasonCode: 'no_budget', text: 'Budget frozen until Q3', version: 1, rating: { score: 2, fields: [] } });
    expect(screen.getByText('Closed: Handed back')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Record outcome' })).not.toBeInTheDocument();
  });

  it('rates the lead with the outcome: the score, the fields ticked in the lead record’s order, one sentence; a refused field shown at its place', async () => {
    const detail = accepted();
    const closed = aHandoffDetail({ ...detail, handoff: { ...detail.handoff, stage: 'closed', outcome: 'sales_qualified', version: 2 }, obligations: [] });
    let refuse = true;
    const client = fakeClient({
      me: jest.fn(() => Promise.resolve(anAeMe())),
      getHandoff: jest.fn(() => Promise.resolve(detail)),
      recordOutcome: jest.fn(() =>
        refuse
          ? Promise.reject(new ApiError(422, { code: 'unknown_lead_field', message: '"budget" is not a field of the lead record.', field: 'rating.fields.1' }))
          : Promise.resolve(closed),
      ),
    });
    const user = userEvent.setup();
    renderPane(client, fakeMailbox('message_read'));
    await user.click(await screen.findByRole('radio', { name: 'Sales qualified: I take the lead' }));
    expect(screen.getByRole('radiogroup', { name: /Lead quality/ })).toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: '4 of 5' }));
    const fields = screen.getByRole('group', { name: 'What was missing or wrong in the lead record?' });
    await user.click(within(fields).getByRole('checkbox', { name: 'Budget' }));
    await user.click(within(fields).getByRole('checkbox', { name: 'Phone' }));
    await user.click(within(fields).getByRole('checkbox', { name: 'Notes' }));
    await user.click(within(fields).getByRole('checkbox', { name: 'Notes' }));
    const sentence = screen.getByRole('textbox', { name: /In one sentence/ });
    await user.type(sentence, 'x'.repeat(281));
    await user.click(screen.getByRole('button', { name: 'Record outcome' }));
    expect(screen.getByText('Keep it to one sentence: at most 280 characters (now 281).')).toBeInTheDocument();
    expect(client.recordOutcome).not.toHaveBeenCalled();

    await user.clear(sentence);
    await user.type(sentence, '  Budget was a   guess. ');
    await user.click(screen.getByRole('button', { name: 'Record outcome' }));
    expect(await within(fields).findByRole('alert')).toHaveTextContent('"budget" is not a field of the lead record. (ticked field 2)');
    expect(client.recordOutcome).toHaveBeenCalledWith(HANDOFF_ID, {
      outcome: 'sales_qualified',
      version: 1,
      rating: { score: 4, fields: ['phone', 'budget'], comment: 'Budget was a guess.' },
    });

    refuse = false;
    await user.click(screen.getByRole('button', { name: 'Record outcome' }));
    expect(await screen.findByText('Closed: Sales qualified')).toBeInTheDocument();
  });

  it('asks for the new time of a rescheduled meeting, and shows a refusal of the server', async () => {
    const client = fakeClient({
      me: jest.fn(() => Promise.resolve(anAeMe())),
      getHandoff: jest.fn(() => Promise.resolve(accepted())),
      recordOutcome: jest.fn(() =>
        Promise.reject(new ApiError(409, { code: 'stale', message: 'The hand-off was changed by someone else; reload it and try again.' })),
      ),
    });
    const user = userEvent.setup();
    renderPane(client, fakeMailbox('message_read'));
    await user.click(await screen.findByRole('radio', { name: 'Rescheduled' }));
    expect(screen.queryByRole('radiogroup', { name: /Lead quality/ })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Record outcome' }));
    expect(screen.getByText('Give the new start of the meeting.')).toBeInTheDocument();
    await user.type(screen.getByLabelText(/New start/), '2026-11-27T10:00');
    await user.click(screen.getByRole('button', { name: 'Record outcome' }));
    expect(await screen.findByText('The hand-off was changed by someone else; reload it and try again.')).toBeInTheDocument();
    const start = new Date('2026-11-27T10:00');
    expect(client.recordOutcome).toHaveBeenCalledWith(HANDOFF_ID, {
      outcome: 'rescheduled',
      start: start.toISOString(),
      end: new Date(start.getTime() + 30 * 60_000).toISOString(),
      version: 1,
    });
  });

  it('adds a follow-up task, refusing one in the past; the outcome form is for the AE alone', async () => {
    const client = fakeClient({
      me: jest.fn(() => Promise.resolve(aMe())),
      getHandoff: jest.fn(() => Promise.resolve(accepted())),
      addFollowup: jest.fn(() => Promise.resolve({})),
    });
    const user = userEvent.setup();
    renderPane(client, fakeMailbox('message_read'));
    expect(await screen.findByText('Alex Ae records the outcome after the meeting.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Record outcome' })).not.toBeInTheDocument();
    expect(screen.getByText('This lead has no future follow-up task. Add one so it does not slip.')).toBeInTheDocument();

    await user.type(screen.getByLabelText(/^Due/), '2026-11-20T10:00');
    await user.click(screen.getByRole('button', { name: 'Add follow-up' }));
    expect(screen.getByText('A follow-up is due in the future.')).toBeInTheDocument();
    expect(screen.getByText('Write what is to be done.')).toBeInTheDocument();
    await user.clear(screen.getByLabelText(/^Due/));
    await user.type(screen.getByLabelText(/^Due/), '2026-12-01T10:00');
    await user.type(screen.getByRole('textbox', { name: /Task/ }), 'Send pricing');
    await user.click(screen.getByRole('button', { name: 'Add follow-up' }));
    expect(await screen.findByText('Follow-up added.')).toBeInTheDocument();
    expect(client.addFollowup).toHaveBeenCalledWith(accepted().lead.id, { dueAt: new Date('2026-12-01T10:00').toISOString(), note: 'Send pricing' });
    expect(client.getHandoff).toHaveBeenCalledTimes(2);
  });
});
