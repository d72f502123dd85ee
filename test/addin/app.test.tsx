// The pane's shell with a fake API client: the signed-in user from /api/me, a failure shown in a MessageBar with
// Retry (never silent), and a lead picked in the search opening its card.
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError, type ApiClient } from '../../addin/api/client';
import { App, StartupFailure } from '../../addin/taskpane/app';
import type { LeadPage, MeDto } from '../../server/http/contract';
import { aLead, aMe, aPage } from './fixtures/leads';

type FakeClient = Pick<ApiClient, 'me' | 'searchLeads'>;

function fakeClient(overrides: Partial<{ me: jest.Mock<Promise<MeDto>>; searchLeads: jest.Mock<Promise<LeadPage>> }> = {}): FakeClient {
  return {
    me: overrides.me ?? jest.fn(() => Promise.resolve(aMe())),
    searchLeads: overrides.searchLeads ?? jest.fn(() => Promise.resolve(aPage([]))),
  };
}

describe('App', () => {
  it('shows the signed-in user', async () => {
    render(<App client={fakeClient()} theme="light" />);
    expect(screen.getByText('Signing in…')).toBeInTheDocument();
    expect(await screen.findByText('Sam Doe · SDR · EMEA')).toBeInTheDocument();
  });

  it('shows a failed /api/me in a MessageBar, and Retry loads it again', async () => {
    const me = jest
      .fn<Promise<MeDto>, []>()
      .mockRejectedValueOnce(new ApiError(0, { code: 'token', message: 'You are not signed in to Office.' }))
      .mockResolvedValueOnce(aMe());
    render(<App client={fakeClient({ me })} theme="dark" />);
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
    render(<App client={fakeClient({ searchLeads })} theme="light" />);
    await user.type(screen.getByRole('combobox', { name: 'Find a lead' }), 'ann');
    await user.click(await screen.findByRole('option', { name: /Anna Berg/ }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Anna Berg' })).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Missing criteria' })).toHaveTextContent('Budget known');
    expect(searchLeads).toHaveBeenCalledWith({ q: 'ann', limit: 20 }, { signal: expect.any(AbortSignal) as AbortSignal });
  });

  it('shows a notice when given one', async () => {
    render(<App client={fakeClient()} theme="light" notice="Baton runs inside Outlook." />);
    expect(screen.getByText('Baton runs inside Outlook.')).toBeInTheDocument();
    await screen.findByText('Sam Doe · SDR · EMEA');
  });
});

describe('StartupFailure', () => {
  it('says why the pane could not start', () => {
    render(<StartupFailure error={new Error('Office.js did not load.')} theme="light" />);
    expect(screen.getByText('Office.js did not load.')).toBeInTheDocument();
  });
});
