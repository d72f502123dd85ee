// The lead type-ahead: a Fluent Combobox whose options are the server's matches (name, company, email, status),
// debounced, with loading, empty and error states; arrow keys, Enter and Escape work as in any combobox.
// Gets its data and actions through props. Imports React, Fluent UI, contract types and the pane's own helpers.
import { Suspense, lazy, useState } from 'react';
import { Combobox, Field, Option, Spinner, tokens } from '@fluentui/react-components';
import type { LeadDto } from '../../server/http/contract';
import { leadStatusLabels } from './lead-status-labels';
import { SEARCH_DEBOUNCE_MS, useLeadSearch, type LeadSearchState, type SearchLeads } from './use-lead-search';

export interface LeadSearchProps {
  search: SearchLeads;
  onSelect: (lead: LeadDto) => void;
  debounceMs?: number;
}

// Part of the pane's first chunk: plain style objects over Fluent's token variables (makeStyles would bring Griffel's
// style compiler along), and the failure bar loaded only when a search fails.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
const ErrorBar = lazy(async () => ({ default: ((await import('./error-bar' as string)) as typeof import('./error-bar')).ErrorBar }));
// The status badge shows only with results; until its chunk is there, the status reads as plain text.
const LeadStatusBadge = lazy(async () => ({
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  default: ((await import('./lead-status' as string)) as typeof import('./lead-status')).LeadStatusBadge,
}));

const styles = {
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS, minWidth: 0 },
  combobox: { width: '100%', minWidth: 0 },
  input: { width: '100%', minWidth: 0 },
  option: { display: 'flex', flexDirection: 'column', flexGrow: 1, minWidth: 0, rowGap: '2px' },
  optionTop: { display: 'flex', alignItems: 'center', columnGap: tokens.spacingHorizontalS, minWidth: 0 },
  name: {
    fontWeight: tokens.fontWeightSemibold,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    minWidth: 0,
    flexGrow: 1,
  },
  secondary: {
    color: tokens.colorNeutralForeground3,
    fontSize: tokens.fontSizeBase200,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
} satisfies Record<string, React.CSSProperties>;

function statusMessage(state: LeadSearchState): string {
  switch (state.status) {
    case 'idle':
      return 'Type a name, company or email.';
    case 'loading':
      return 'Searching…';
    case 'error':
      return 'The search failed.';
    case 'done':
      if (state.items.length === 0) return `No leads match “${state.term}”.`;
      return `${state.items.length} lead${state.items.length === 1 ? '' : 's'} found${state.hasMore ? '; type more to narrow them down' : ''}.`;
  }
}

export function LeadSearch({ search, onSelect, debounceMs = SEARCH_DEBOUNCE_MS }: LeadSearchProps): React.JSX.Element {
  const [input, setInput] = useState('');
  // The search term is what the user typed; picking a lead fills the input with its name without searching again.
  const [term, setTerm] = useState('');
  const [open, setOpen] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const { state, retry } = useLeadSearch(search, term, debounceMs);

  return (
    <div style={styles.root}>
      <Field
        label="Find a lead"
        validationState="none"
        validationMessageIcon={state.status === 'loading' ? <Spinner size="extra-tiny" aria-hidden /> : null}
        validationMessage={{ children: statusMessage(state), 'aria-live': 'polite' }}
      >
        <Combobox
          style={styles.combobox}
          input={{ style: styles.input }}
          freeform
          placeholder="Name, company or email"
          value={input}
          open={open && state.items.length > 0}
          selectedOptions={selectedId === null ? [] : [selectedId]}
          onOpenChange={(_event, data) => {
            setOpen(data.open);
          }}
          onChange={(event) => {
            setInput(event.target.value);
            setTerm(event.target.value);
            setOpen(true);
          }}
          onOptionSelect={(_event, data) => {
            const lead = state.items.find((item) => item.id === data.optionValue);
            if (lead === undefined) return;
            setSelectedId(lead.id);
            setInput(lead.contactName);
            setOpen(false);
            onSelect(lead);
          }}
        >
          {state.items.map((lead) => (
            <Option key={lead.id} value={lead.id} text={lead.contactName}>
              <div style={styles.option}>
                <div style={styles.optionTop}>
                  <span style={styles.name}>{lead.contactName}</span>
                  <Suspense fallback={<span>{leadStatusLabels[lead.status]}</span>}>
                    <LeadStatusBadge status={lead.status} />
                  </Suspense>
                </div>
                <span style={styles.secondary}>
                  {lead.companyName} · {lead.email}
                </span>
              </div>
            </Option>
          ))}
        </Combobox>
      </Field>
      {state.status === 'error' && (
        <Suspense fallback={null}>
          <ErrorBar error={state.error} onRetry={retry} />
        </Suspense>
      )}
    </div>
  );
}
