// The lead type-ahead: a Fluent Input that is an ARIA combobox (list autocomplete) over a listbox of the server's
// matches (name, company, email, status), debounced, with loading, empty and error states. Arrow keys move through
// the matches (the input keeps focus; aria-activedescendant names the one shown as active), Enter picks it, Escape
// or leaving the field closes the list, Alt+Arrow opens and closes it.
// Fluent's Combobox would bring its popup's positioning (floating-ui), portal and focus management (tabster) into the
// pane's first chunk (a fifth of it, and the slowest part to start): the list here opens under the input, over what
// follows it, styled with Fluent's tokens like Fluent's own listbox and options. Gets its data and actions through props. Imports React, Fluent UI, contract types
// and the pane's own helpers.
import { Suspense, lazy, useEffect, useId, useRef, useState } from 'react';
import { Field, Input, Spinner, tokens } from '@fluentui/react-components';
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
  anchor: { position: 'relative', minWidth: 0 },
  input: { width: '100%', minWidth: 0 },
  // Fluent's listbox: a raised surface with rounded corners, under the field, over what follows it.
  listbox: {
    position: 'absolute',
    top: `calc(100% + ${tokens.spacingVerticalXXS})`,
    left: 0,
    right: 0,
    zIndex: tokens.zIndexPopup,
    boxSizing: 'border-box',
    maxHeight: 'min(360px, 60vh)',
    overflowY: 'auto',
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXXS,
    padding: tokens.spacingHorizontalXS,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorTransparentStroke}`,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow16,
  },
  option: {
    display: 'flex',
    flexDirection: 'column',
    minWidth: 0,
    rowGap: '2px',
    fontFamily: tokens.fontFamilyBase,
    fontSize: tokens.fontSizeBase300,
    lineHeight: tokens.lineHeightBase300,
    padding: `${tokens.spacingVerticalSNudge} ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground1,
    cursor: 'pointer',
  },
  // The active match as Fluent's Option shows it: under the pointer, the hover colours (text and background in pairs,
  // so high contrast stays legible); moved to by keyboard, the focus ring, which forced colours keep.
  optionHovered: { backgroundColor: tokens.colorNeutralBackground1Hover, color: tokens.colorNeutralForeground1Hover },
  secondaryHovered: { color: tokens.colorNeutralForeground3Hover },
  optionFocused: { outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`, outlineOffset: `-${tokens.strokeWidthThick}` },
  optionTop: { display: 'flex', alignItems: 'center', columnGap: tokens.spacingHorizontalS, minWidth: 0 },
  status: { flexShrink: 0 },
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

/** Which match is active, and whether the keyboard (not the pointer) made it so. */
interface Active {
  index: number;
  byKeyboard: boolean;
}

const noneActive: Active = { index: -1, byKeyboard: false };

export function LeadSearch({ search, onSelect, debounceMs = SEARCH_DEBOUNCE_MS }: LeadSearchProps): React.JSX.Element {
  const [input, setInput] = useState('');
  // The search term is what the user typed; picking a lead fills the input with its name without searching again.
  const [term, setTerm] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState<Active>(noneActive);
  const { state, retry } = useLeadSearch(search, term, debounceMs);
  const listboxId = useId();
  const optionId = (index: number): string => `${listboxId}-option-${index}`;
  const listbox = useRef<HTMLDivElement>(null);

  const items = state.items;
  const expanded = open && items.length > 0;
  // New matches start with none active: Enter then does nothing until the user moves to one.
  useEffect(() => {
    setActive(noneActive);
  }, [items]);
  const activeIndex = expanded && active.index < items.length ? active.index : -1;
  useEffect(() => {
    if (activeIndex < 0 || !active.byKeyboard) return;
    const option = listbox.current?.querySelector(`[id="${optionId(activeIndex)}"]`);
    // jsdom lacks scrollIntoView.
    if (option !== null && option !== undefined && typeof option.scrollIntoView === 'function') option.scrollIntoView({ block: 'nearest' });
  });

  const pick = (lead: LeadDto): void => {
    setInput(lead.contactName);
    setOpen(false);
    setActive(noneActive);
    onSelect(lead);
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>): void => {
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        if (items.length === 0) return;
        event.preventDefault();
        if (event.altKey) {
          setOpen(event.key === 'ArrowDown');
          return;
        }
        const last = items.length - 1;
        let next: number;
        if (!expanded || activeIndex < 0) next = event.key === 'ArrowDown' ? 0 : last;
        else next = event.key === 'ArrowDown' ? Math.min(activeIndex + 1, last) : Math.max(activeIndex - 1, 0);
        setOpen(true);
        setActive({ index: next, byKeyboard: true });
        return;
      }
      case 'Enter': {
        const lead = items[activeIndex];
        if (lead === undefined) return;
        event.preventDefault();
        pick(lead);
        return;
      }
      case 'Escape':
        if (!expanded) return;
        // Closing the list is all Escape does here: the pane around the field must not see it too.
        event.preventDefault();
        event.stopPropagation();
        setOpen(false);
        setActive(noneActive);
        return;
    }
  };

  return (
    <div style={styles.root}>
      <Field
        label="Find a lead"
        validationState="none"
        validationMessageIcon={state.status === 'loading' ? <Spinner size="extra-tiny" aria-hidden /> : null}
        validationMessage={{ children: statusMessage(state), 'aria-live': 'polite' }}
      >
        {(fieldProps) => (
          <div style={styles.anchor}>
            <Input
              {...fieldProps}
              style={styles.input}
              input={{
                role: 'combobox',
                'aria-autocomplete': 'list',
                'aria-expanded': expanded,
                ...(expanded ? { 'aria-controls': listboxId } : {}),
                ...(activeIndex < 0 ? {} : { 'aria-activedescendant': optionId(activeIndex) }),
                autoComplete: 'off',
                spellCheck: false,
              }}
              placeholder="Name, company or email"
              value={input}
              onChange={(_event, data) => {
                setInput(data.value);
                setTerm(data.value);
                setOpen(true);
              }}
              onKeyDown={onKeyDown}
              onClick={() => {
                setOpen(true);
              }}
              onBlur={() => {
                setOpen(false);
                setActive(noneActive);
              }}
            />
            {expanded && (
              <div
                ref={listbox}
                id={listboxId}
                role="listbox"
                aria-label="Leads found"
                style={styles.listbox}
                // The input keeps focus while a match is clicked: the list stays open until the click picks it.
                onMouseDown={(event) => {
                  event.preventDefault();
                }}
              >
                {items.map((lead, index) => {
                  const hovered = index === activeIndex && !active.byKeyboard;
                  const focused = index === activeIndex && active.byKeyboard;
                  return (
                    <div
                      key={lead.id}
                      id={optionId(index)}
                      role="option"
                      aria-selected={index === activeIndex}
                      style={hovered ? { ...styles.option, ...styles.optionHovered } : focused ? { ...styles.option, ...styles.optionFocused } : styles.option}
                      onMouseMove={() => {
                        if (!hovered) setActive({ index, byKeyboard: false });
                      }}
                      onClick={() => {
                        pick(lead);
                      }}
                    >
                      <div style={styles.optionTop}>
                        <span style={styles.name}>{lead.contactName}</span>
                        <span style={styles.status}>
                          <Suspense fallback={leadStatusLabels[lead.status]}>
                            <LeadStatusBadge status={lead.status} />
                          </Suspense>
                        </span>
                      </div>
                      <span style={hovered ? { ...styles.secondary, ...styles.secondaryHovered } : styles.secondary}>
                        {lead.companyName} · {lead.email}
                      </span>
                    </div>
                  );
                })}
              </div>
            )}
          </div>
        )}
      </Field>
      {state.status === 'error' && (
        <Suspense fallback={null}>
          <ErrorBar error={state.error} onRetry={retry} />
        </Suspense>
      )}
    </div>
  );
}
