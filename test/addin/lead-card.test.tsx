// The lead card: contact and company shown, the status badge, each unmet qualification criterion listed by its
// label, and a clear "Qualified" state when none is missing.
import { render, screen, within } from '@testing-library/react';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { LeadCard } from '../../addin/taskpane/lead-card';
import type { LeadDto } from '../../server/http/contract';
import { aLead } from './fixtures/leads';

function renderCard(lead: LeadDto) {
  return render(
    <FluentProvider theme={webLightTheme}>
      <LeadCard lead={lead} />
    </FluentProvider>,
  );
}

describe('LeadCard', () => {
  it('shows the contact, company and status', () => {
    renderCard(aLead({ contactName: 'Anna Berg', companyName: 'Acme GmbH', email: 'anna.berg@acme.example', status: 'suspect' }));
    expect(screen.getByRole('heading', { level: 2, name: 'Anna Berg' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'anna.berg@acme.example' })).toHaveAttribute('href', 'mailto:anna.berg@acme.example');
    expect(screen.getAllByText('Acme GmbH').length).toBeGreaterThan(0);
    expect(screen.getByText('Handed off')).toBeInTheDocument();
  });

  it('lists every missing criterion by its label', () => {
    renderCard(
      aLead({
        status: 'working',
        qualification: {
          qualified: false,
          missing: [
            { field: 'budget', rule: 'budget_known', label: 'Budget known' },
            { field: 'decisionMaker', rule: 'decision_maker', label: 'Talking to a decision maker' },
            { field: 'phone', rule: 'required', label: 'Phone' },
          ],
        },
      }),
    );
    const list = screen.getByRole('list', { name: 'Missing criteria' });
    expect(within(list).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'Budget known',
      'Talking to a decision maker',
      'Phone',
    ]);
    expect(screen.getByText('3 criteria still missing:')).toBeInTheDocument();
    expect(screen.queryByTestId('qualified')).not.toBeInTheDocument();
  });

  it('shows a clear Qualified state when nothing is missing', () => {
    renderCard(aLead({ qualification: { qualified: true, missing: [] } }));
    expect(screen.getByTestId('qualified')).toHaveTextContent('Qualified');
    expect(screen.queryByRole('list', { name: 'Missing criteria' })).not.toBeInTheDocument();
  });

  it('leaves out the facts the lead does not have', () => {
    renderCard(aLead({ phone: null, website: null, webDomain: null, employeeCount: null, country: null, title: null }));
    expect(screen.queryByText('Phone')).not.toBeInTheDocument();
    expect(screen.queryByText('Website')).not.toBeInTheDocument();
    expect(screen.getByText('Email')).toBeInTheDocument();
  });
});
