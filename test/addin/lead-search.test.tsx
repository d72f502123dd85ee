// The lead type-ahead against a fake search: typing shows the matches (name, company, email, status), the
// keystrokes are debounced into one request, picking a lead by mouse or keyboard calls back (the arrow keys move
// through the matches, Escape and leaving the field close the list), and the empty and error states are shown (with
// a working Retry).
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { ApiError } from '../../addin/api/client';
import { LeadSearch } from '../../addin/taskpane/lead-search';
import type { SearchLeads } from '../../addin/taskpane/use-lead-search';
import type { LeadDto, LeadPage } from '../../server/http/contract';
import { aLead, aPage } from './fixtures/leads';

const anna = aLead({ contactName: 'Anna Berg', companyName: 'Acme GmbH', email: 'anna.berg@acme.example', status: 'qualified' });
const andre = aLead({ contactName: 'Andre Kuhn', companyName: 'Blue Ltd', email: 'andre@blue.example', status: 'new' });

/** A fake search over a fixed list (prefix of the contact name), recording each term. */
function fakeSearch(leads: LeadDto[]): jest.Mock<Promise<LeadPage>, [string, AbortSignal]> {
  return jest.fn((term: string, _signal: AbortSignal) =>
    Promise.resolve(aPage(leads.filter((lead) => lead.contactName.toLowerCase().startsWith(term.toLowerCase())))),
  );
}

function renderSearch(search: SearchLeads, debounceMs?: number) {
  const onSelect = jest.fn<undefined, [LeadDto]>();
  const user = userEvent.setup();
  render(
    <FluentProvider theme={webLightTheme}>
      <LeadSearch search={search} onSelect={onSelect} {...(debounceMs === undefined ? {} : { debounceMs })} />
    </FluentProvider>,
  );
  return { onSelect, user, input: screen.getByRole('combobox', { name: 'Find a lead' }) };
}

describe('LeadSearch', () => {
  it('shows the matches with name, company, email and status', async () => {
    const search = fakeSearch([anna, andre]);
    const { user, input } = renderSearch(search, 10);
    await user.type(input, 'an');
    const options = await screen.findAllByRole('option');
    expect(options).toHaveLength(2);
    expect(options[0]).toHaveTextContent('Anna Berg');
    expect(options[0]).toHaveTextContent('Acme GmbH');
    expect(options[0]).toHaveTextContent('anna.berg@acme.example');
    expect(options[0]).toHaveTextContent('Qualified');
    expect(options[1]).toHaveTextContent('Andre Kuhn');
    expect(options[1]).toHaveTextContent('New');
    expect(screen.getByText('2 leads found.')).toBeInTheDocument();
  });

  it('debounces the keystrokes into one request for the whole term', async () => {
    const search = fakeSearch([anna, andre]);
    const { user, input } = renderSearch(search); // the default, 200 ms
    await user.type(input, 'anna');
    await screen.findByRole('option', { name: /Anna Berg/ });
    expect(search).toHaveBeenCalledTimes(1);
    expect(search.mock.calls[0]?.[0]).toBe('anna');
  });

  it('calls back with the lead picked by mouse', async () => {
    const { user, input, onSelect } = renderSearch(fakeSearch([anna, andre]), 10);
    await user.type(input, 'an');
    await user.click(await screen.findByRole('option', { name: /Andre Kuhn/ }));
    expect(onSelect).toHaveBeenCalledWith(andre);
    expect(input).toHaveValue('Andre Kuhn');
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
  });

  it('can be used with the keyboard alone', async () => {
    const { user, input, onSelect } = renderSearch(fakeSearch([anna, andre]), 10);
    await user.click(input);
    await user.keyboard('andr');
    await screen.findByRole('option', { name: /Andre Kuhn/ });
    await user.keyboard('{ArrowDown}{Enter}');
    expect(onSelect).toHaveBeenCalledTimes(1);
    expect(onSelect).toHaveBeenCalledWith(andre);
    expect(input).toHaveValue('Andre Kuhn');
  });

  it('moves through the matches with the arrow keys, the input keeping focus', async () => {
    const { user, input, onSelect } = renderSearch(fakeSearch([anna, andre]), 10);
    await user.click(input);
    await user.keyboard('an');
    const [first, second] = await screen.findAllByRole('option');
    expect(input).toHaveAttribute('aria-expanded', 'true');
    expect(input).toHaveAttribute('aria-controls', screen.getByRole('listbox').id);
    expect(input).not.toHaveAttribute('aria-activedescendant');
    await user.keyboard('{ArrowDown}');
    expect(input).toHaveAttribute('aria-activedescendant', first?.id);
    expect(first).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(input).toHaveAttribute('aria-activedescendant', second?.id);
    expect(first).toHaveAttribute('aria-selected', 'false');
    await user.keyboard('{ArrowUp}');
    expect(input).toHaveAttribute('aria-activedescendant', first?.id);
    expect(input).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(onSelect).toHaveBeenCalledWith(anna);
    expect(input).toHaveValue('Anna Berg');
  });

  it('closes the list on Escape and reopens it with the arrow keys', async () => {
    const { user, input, onSelect } = renderSearch(fakeSearch([anna, andre]), 10);
    await user.click(input);
    await user.keyboard('an');
    await screen.findAllByRole('option');
    await user.keyboard('{ArrowDown}{Escape}');
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
    expect(input).toHaveAttribute('aria-expanded', 'false');
    expect(input).not.toHaveAttribute('aria-activedescendant');
    expect(input).toHaveValue('an');
    // Enter with the list closed picks nothing.
    await user.keyboard('{Enter}');
    expect(onSelect).not.toHaveBeenCalled();
    // ArrowUp opens the list on the last match.
    await user.keyboard('{ArrowUp}');
    const options = screen.getAllByRole('option');
    expect(input).toHaveAttribute('aria-activedescendant', options[1]?.id);
    await user.keyboard('{Alt>}{ArrowUp}{/Alt}');
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
    await user.keyboard('{Alt>}{ArrowDown}{/Alt}');
    expect(screen.getByRole('listbox')).toBeInTheDocument();
  });

  it('closes the list when focus leaves the field', async () => {
    const { user, input } = renderSearch(fakeSearch([anna, andre]), 10);
    await user.type(input, 'an');
    await screen.findAllByRole('option');
    await user.tab();
    expect(input).not.toHaveFocus();
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
  });

  it('says so when nothing matches', async () => {
    const { user, input } = renderSearch(fakeSearch([anna]), 10);
    await user.type(input, 'zz');
    expect(await screen.findByText('No leads match “zz”.')).toBeInTheDocument();
    expect(screen.queryByRole('option')).not.toBeInTheDocument();
  });

  it('shows a spinner while the request runs', async () => {
    const answers = new Map<string, (page: LeadPage) => void>();
    const search: SearchLeads = (term) =>
      new Promise<LeadPage>((resolve) => {
        answers.set(term, resolve);
      });
    const { user, input } = renderSearch(search, 10);
    await user.type(input, 'an');
    expect(await screen.findByText('Searching…')).toBeInTheDocument();
    expect(document.querySelector('.fui-Spinner')).not.toBeNull();
    // The request goes out once the debounce has passed.
    await waitFor(() => {
      expect(answers.has('an')).toBe(true);
    });
    answers.get('an')?.(aPage([anna]));
    expect(await screen.findByText('1 lead found.')).toBeInTheDocument();
  });

  it('shows the error, and Retry searches again', async () => {
    const search = jest
      .fn<Promise<LeadPage>, [string, AbortSignal]>()
      .mockRejectedValueOnce(new ApiError(0, { code: 'network', message: 'Could not reach the Baton server.' }))
      .mockResolvedValueOnce(aPage([anna]));
    const { user, input } = renderSearch(search); // the default debounce: one request for the whole term
    await user.type(input, 'an');
    expect(await screen.findByText('Could not reach the Baton server.')).toBeInTheDocument();
    expect(screen.getByText("Can't reach Baton")).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => {
      expect(screen.queryByText('Could not reach the Baton server.')).not.toBeInTheDocument();
    });
    expect(await screen.findByText('1 lead found.')).toBeInTheDocument();
    expect(search).toHaveBeenCalledTimes(2);
    expect(search.mock.calls.map((call) => call[0])).toEqual(['an', 'an']);
  });

  it('aborts the older request when the term changes', async () => {
    const signals: AbortSignal[] = [];
    const search: SearchLeads = (term, signal) => {
      signals.push(signal);
      return term === 'a' ? new Promise<LeadPage>(() => undefined) : Promise.resolve(aPage([anna]));
    };
    const { user, input } = renderSearch(search, 10);
    await user.type(input, 'a');
    await waitFor(() => {
      expect(signals).toHaveLength(1);
    });
    await user.type(input, 'n');
    await screen.findByRole('option', { name: /Anna Berg/ });
    expect(signals[0]?.aborted).toBe(true);
  });
});
