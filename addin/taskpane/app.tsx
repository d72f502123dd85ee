// The pane's shell: FluentProvider with the Office theme, the signed-in user (GET /api/me), the lead search and the
// selected lead's card; every failure is shown in a MessageBar. Gets the API client and theme through props.
// Imports React, Fluent UI, contract types, the add-in's API client types and the pane's components.
import { useCallback, useState } from 'react';
import {
  Button,
  FluentProvider,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
  webDarkTheme,
  webLightTheme,
} from '@fluentui/react-components';
import type { LeadDto, MeDto, Role } from '../../server/http/contract';
import type { ApiClient } from '../api/client';
import { errorText } from './error-text';
import { LeadCard } from './lead-card';
import { LeadSearch } from './lead-search';
import { useRequest } from './use-request';

export type ThemeKind = 'light' | 'dark';

export interface AppProps {
  client: Pick<ApiClient, 'me' | 'searchLeads'>;
  theme: ThemeKind;
  /** A warning to show above everything, e.g. that the page is not running inside Outlook. */
  notice?: string;
}

const roleLabels: Record<Role, string> = { sdr: 'SDR', ae: 'AE', manager: 'Manager', admin: 'Admin' };

// Layout goes on an inner element, not on FluentProvider: the provider copies its className onto the portals of
// popups (applyStylesToPortals), and a full-height padded portal would cover the pane.
const useStyles = makeStyles({
  root: {
    boxSizing: 'border-box',
    minHeight: '100vh',
    minWidth: 0,
    padding: tokens.spacingHorizontalM,
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalM,
  },
  header: { display: 'flex', flexDirection: 'column', rowGap: '2px', minWidth: 0 },
  title: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  user: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  empty: { color: tokens.colorNeutralForeground3 },
});

function userLine(me: MeDto): string {
  const parts = [me.user.displayName, roleLabels[me.user.role]];
  if (me.team !== null) parts.push(me.team.name);
  return parts.join(' · ');
}

function ErrorBar({ error, onRetry }: { error: unknown; onRetry?: () => void }): React.JSX.Element {
  const text = errorText(error);
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{text.title}</MessageBarTitle>
        {text.message}
      </MessageBarBody>
      {onRetry !== undefined && (
        <MessageBarActions>
          <Button size="small" onClick={onRetry}>
            Retry
          </Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}

export function App({ client, theme, notice }: AppProps): React.JSX.Element {
  const styles = useStyles();
  const loadMe = useCallback((signal: AbortSignal) => client.me({ signal }), [client]);
  const { state: me, reload } = useRequest(loadMe);
  const search = useCallback((q: string, signal: AbortSignal) => client.searchLeads({ q, limit: 20 }, { signal }), [client]);
  const [lead, setLead] = useState<LeadDto | null>(null);

  return (
    <FluentProvider theme={theme === 'dark' ? webDarkTheme : webLightTheme}>
      <div className={styles.root}>
        <header className={styles.header}>
          <h1 className={styles.title}>Baton</h1>
          {me.status === 'loading' && <Spinner size="extra-tiny" labelPosition="after" label="Signing in…" />}
          {me.status === 'done' && (
            <Text size={200} className={styles.user}>
              {userLine(me.data)}
            </Text>
          )}
        </header>
        {notice !== undefined && (
          <MessageBar intent="warning" layout="multiline">
            <MessageBarBody>{notice}</MessageBarBody>
          </MessageBar>
        )}
        {me.status === 'error' && <ErrorBar error={me.error} onRetry={reload} />}
        <LeadSearch search={search} onSelect={setLead} />
        {lead === null ? (
          <Text size={200} className={styles.empty}>
            Pick a lead to see its card and what it still needs to qualify.
          </Text>
        ) : (
          <LeadCard lead={lead} />
        )}
      </div>
    </FluentProvider>
  );
}

/** What the pane shows when it cannot start at all (Office.js missing or never ready). */
export function StartupFailure({ error, theme }: { error: unknown; theme: ThemeKind }): React.JSX.Element {
  const styles = useStyles();
  return (
    <FluentProvider theme={theme === 'dark' ? webDarkTheme : webLightTheme}>
      <div className={styles.root}>
        <h1 className={styles.title}>Baton</h1>
        <ErrorBar error={error} />
      </div>
    </FluentProvider>
  );
}
