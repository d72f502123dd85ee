// The pane's shell with a fake API client and Outlook item: the signed-in user from /api/me, a failure shown in a
// MessageBar with Retry (never silent), a lead picked in the search opening its card, the view chosen by the
// Outlook surface (and chosen again when a pinned pane moves to another item), and an unsupported client said so.
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '../../addin/api/client';
import type { ItemKind } from '../../addin/office/ports';
import { App, StartupFailure } from '../../addin/taskpane/app';
import type { MeDto } from '../../server/http/contract';
import { aLead, aMe, aPage } from './fixtures/leads';
import { fakeClient as paneClient, fakeMailbox, type FakeClient } from './fixtures/pane';

function fakeClient(overrides: Partial<FakeClient> = {}): FakeClient {
  return paneClient(overrides);
}

const mailbox = fakeMailbox('none');

describe('App', () => {
  it('shows the signed-in user', async () => {
    render(<App client={fakeClient()} mailbox={mailbox} theme="light" />);
    expect(screen.getByText('Signing in…')).toBeInTheDocument();
    expect(await screen.findByText('Sam Doe · SDR · EMEA')).toBeInTheDocument();
  });

  it('shows a failed /api/me in a MessageBar, and Retry loads it again', async () => {
    const me = jest
      .fn<Promise<MeDto>, []>()
      .mockRejectedValueOnce(new ApiError(0, { code: 'token', message: 'You are not signed in to Office.' }))
      .mockResolvedValueOnce(aMe());
    render(<App client={fakeClient({ me })} mailbox={mailbox} theme="dark" />);
    expect(await screen.findByText('Sign-in failed')).toBeInTheDocument();
    expect(screen.getByText('You are not signed in to Office.')).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('Sam Doe · SDR · EMEA')).toBeInTheDocument();
    expect(screen.queryByText('Sign-in failed')).not.toBeInTheDocument();
  });

  it('opens the card of the lead picked in the search', async () => {
    const lead = aLead({
      contactName: 'Anna Berg',
      qualification: { qualified: false, missing: [{ field: 'budget', rule: 'budget_known', label: 'Budget known' }] },
    });
    const searchLeads = jest.fn(() => Promise.resolve(aPage([lead])));
    const user = userEvent.setup();
    render(<App client={fakeClient({ searchLeads })} mailbox={mailbox} theme="light" />);
    await user.type(screen.getByRole('combobox', { name: 'Find a lead' }), 'ann');
    await user.click(await screen.findByRole('option', { name: /Anna Berg/ }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Anna Berg' })).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Missing criteria' })).toHaveTextContent('Budget known');
    expect(searchLeads).toHaveBeenCalledWith({ q: 'ann', limit: 20 }, { signal: expect.any(AbortSignal) as AbortSignal });
  });

  it('shows a notice when given one', async () => {
    render(<App client={fakeClient()} mailbox={mailbox} theme="light" notice="Baton runs inside Outlook." />);
    expect(await screen.findByText('Baton runs inside Outlook.')).toBeInTheDocument();
    await screen.findByText('Sam Doe · SDR · EMEA');
  });
});

describe('App views', () => {
  it('opens the view of the Outlook surface, and the next one when the pinned pane moves to another item', async () => {
    let kind: ItemKind = 'appointment_organizer';
    let itemChanged = (): void => undefined;
    const moving = fakeMailbox('none', {
      itemKind: jest.fn(() => kind),
      onItemChanged: jest.fn((listener: () => void) => {
        itemChanged = listener;
        return () => undefined;
      }),
    });
    render(<App client={fakeClient()} mailbox={moving} theme="contrast" />);
    expect(await screen.findByRole('button', { name: 'Fill invite' })).toBeInTheDocument();
    kind = 'message_compose';
    act(() => {
      itemChanged();
    });
    expect(await screen.findByRole('button', { name: 'Fill intro' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Fill invite' })).not.toBeInTheDocument();
  });

  it('says so when Outlook lacks what Baton needs', async () => {
    const old = fakeMailbox('message_read', { unsupportedReason: jest.fn(() => 'This version of Outlook does not support Mailbox requirement set 1.8.') });
    render(<App client={fakeClient({ getHandoff: jest.fn(() => new Promise(() => undefined)) })} mailbox={old} theme="dark" />);
    expect(await screen.findByText('This Outlook lacks what Baton needs')).toBeInTheDocument();
    expect(screen.getByText('This version of Outlook does not support Mailbox requirement set 1.8.')).toBeInTheDocument();
    await screen.findByText('Sam Doe · SDR · EMEA');
  });
});

describe('StartupFailure', () => {
  it('says why the pane could not start', () => {
    render(<StartupFailure error={new Error('Office.js did not load.')} theme="light" />);
    expect(screen.getByText('Office.js did not load.')).toBeInTheDocument();
  });
});
