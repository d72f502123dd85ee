// The pane's shell: FluentProvider with the Office theme (light, dark, high contrast), the signed-in user (GET /api/me)
// and the view for the Outlook surface the pane is open on: the SDR's intro (message compose), the AE's review of
// an intro or invite (message read), an invite filled by hand (appointment organizer), else the lead search. The
// lead search is part of the shell, so it paints and takes typing before anything else loads; everything below it
// (the intro composer, the lead card, the other views) loads on demand. Every failure is shown in a MessageBar.
// Gets the API client, the Outlook item and the theme through props. Imports React, Fluent UI, contract and port
// types, the API client's types, pane parts.
import { Suspense, lazy, useCallback, useEffect, useState } from 'react';
import { FluentProvider, Spinner, Text, tokens } from '@fluentui/react-components';
import type { LeadDto, MeDto, Role } from '../../server/http/contract';
import type { ItemKind, OfficeMailbox } from '../office/ports';
import type { ApiClient } from '../api/client';
import type { ComposeClient } from './compose-view';
import { errorText } from './error-text';
import { safeZone } from './format';
import { LeadSearch } from './lead-search';
import { useRequest } from './use-request';
import { useTheme, type ThemeKind } from './themes';
import { idleNow, whenIdle } from './when-idle';
import type { ReadClient } from './read-view';
import type { OrganizerClient } from './organizer-view';

// Loaded on demand, as chunks of their own. The specifier goes through `as string` because TypeScript's nodenext
// resolution wants a file extension on dynamic imports that webpack (and Jest) resolve without one; the type query
// keeps the modules typed. (The lint rule below cannot see that the assertion is what silences that resolution.)
/* eslint-disable @typescript-eslint/no-unnecessary-type-assertion */
// The intro composer waits until the pane has been left alone a moment, or a lead is picked (when-idle.ts): the search
// above it is what the SDR uses first.
const ComposeView = lazy(async () => {
  await whenIdle();
  return { default: ((await import('./compose-view' as string)) as typeof import('./compose-view')).ComposeView };
});
const LeadCard = lazy(async () => ({ default: ((await import('./lead-card' as string)) as typeof import('./lead-card')).LeadCard }));
const ReadView = lazy(async () => ({ default: ((await import('./read-view' as string)) as typeof import('./read-view')).ReadView }));
const OrganizerView = lazy(async () => ({
  default: ((await import('./organizer-view' as string)) as typeof import('./organizer-view')).OrganizerView,
}));
// Shown only when something fails or needs saying: not worth a place in the first chunk.
const ErrorBar = lazy(async () => ({ default: ((await import('./error-bar' as string)) as typeof import('./error-bar')).ErrorBar }));
const Notice = lazy(async () => ({ default: ((await import('./error-bar' as string)) as typeof import('./error-bar')).Notice }));
/* eslint-enable @typescript-eslint/no-unnecessary-type-assertion */

export type { ThemeKind } from './themes';

export type PaneClient = Pick<ApiClient, 'me'> & ComposeClient & ReadClient & OrganizerClient;

export interface AppProps {
  client: PaneClient;
  /** The Outlook item the pane sits on. */
  mailbox: OfficeMailbox;
  theme: ThemeKind;
  /** A warning to show above everything, e.g. that the page is not running inside Outlook. */
  notice?: string;
  /** The current time (tests pass a fixed one). */
  clock?: () => Date;
  /** How often an open hand-off is read again (default 30 s). */
  pollMs?: number;
  debounceMs?: number;
}

const roleLabels: Record<Role, string> = { sdr: 'SDR', ae: 'AE', manager: 'Manager', admin: 'Admin' };

// The shell's few styles are plain style objects over Fluent's token variables: Fluent's own components ship their
// styles precompiled, and makeStyles here would put Griffel's style compiler into the first chunk.
// Layout goes on an inner element, not on FluentProvider: the provider copies its className onto the portals of
// popups (applyStylesToPortals), and a full-height padded portal would cover the pane.
const styles = {
  root: {
    boxSizing: 'border-box',
    minHeight: '100vh',
    minWidth: 0,
    padding: tokens.spacingHorizontalM,
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalM,
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
  },
  header: { display: 'flex', flexDirection: 'column', rowGap: '2px', minWidth: 0 },
  title: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  user: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  empty: { color: tokens.colorNeutralForeground3 },
} satisfies Record<string, React.CSSProperties>;

function userLine(me: MeDto): string {
  const parts = [me.user.displayName, roleLabels[me.user.role]];
  if (me.team !== null) parts.push(me.team.name);
  return parts.join(' · ');
}

const defaultClock = (): Date => new Date();

/** The lead picked in the search; `n` counts picks, so picking the same lead again starts its view over. */
interface Picked {
  n: number;
  lead: LeadDto | null;
}

/**
 * The lead search with what goes below it: the shell renders the search at once, and `below` (loaded on demand)
 * gets the lead picked.
 */
function SearchSurface({
  client,
  debounceMs,
  below,
}: {
  client: Pick<ApiClient, 'searchLeads'>;
  debounceMs?: number | undefined;
  below: (picked: Picked) => React.ReactNode;
}): React.JSX.Element {
  const search = useCallback((q: string, signal: AbortSignal) => client.searchLeads({ q, limit: 20 }, { signal }), [client]);
  const [picked, setPicked] = useState<Picked>({ n: 0, lead: null });
  const onSelect = useCallback((lead: LeadDto) => {
    // The view below shows the lead now, not once the pane has been left alone.
    idleNow();
    setPicked((previous) => ({ n: previous.n + 1, lead }));
  }, []);
  return (
    <>
      <LeadSearch search={search} onSelect={onSelect} {...(debounceMs === undefined ? {} : { debounceMs })} />
      <Suspense fallback={<Spinner size="small" label="Loading…" />}>{below(picked)}</Suspense>
    </>
  );
}

/** Below the search where there is no hand-off view (a meeting you were invited to, no item): the lead's card. */
function BrowseDetails({ lead }: { lead: LeadDto | null }): React.JSX.Element {
  return lead === null ? (
    <Text size={200} style={styles.empty}>
      Pick a lead to see its card and what it still needs to qualify.
    </Text>
  ) : (
    <LeadCard lead={lead} />
  );
}

/** The surfaces whose view starts with the lead search. */
function opensOnSearch(kind: ItemKind): boolean {
  return kind !== 'message_read' && kind !== 'appointment_organizer';
}

export function App({ client, mailbox, theme, notice, clock = defaultClock, pollMs, debounceMs }: AppProps): React.JSX.Element {
  const fluentTheme = useTheme(theme);
  // Who is signed in shows once the pane has been left alone a moment where the pane opens on the lead search (signing
  // in loads a third of the pane's code); the review of an intro and the invite have no search and need it at once.
  const loadMe = useCallback(
    async (signal: AbortSignal) => {
      if (opensOnSearch(mailbox.itemKind())) await whenIdle();
      return client.me({ signal });
    },
    [client, mailbox],
  );
  const { state: me, reload } = useRequest(loadMe);
  // A pinned pane stays open while the user selects another item: the view starts over for it.
  const [item, setItem] = useState<{ n: number; kind: ItemKind }>(() => ({ n: 0, kind: mailbox.itemKind() }));
  useEffect(
    () =>
      mailbox.onItemChanged(() => {
        setItem((previous) => ({ n: previous.n + 1, kind: mailbox.itemKind() }));
      }),
    [mailbox],
  );
  const unsupported = mailbox.unsupportedReason();
  const meData = me.status === 'done' ? me.data : null;
  const timeZone = safeZone(meData?.user.timeZone);
  const shared = { me: meData, clock, timeZone, ...(pollMs === undefined ? {} : { pollMs }) };

  let view: React.JSX.Element;
  switch (item.kind) {
    case 'message_compose':
      view = (
        <SearchSurface
          key={item.n}
          client={client}
          debounceMs={debounceMs}
          below={({ n, lead }) => <ComposeView key={n} client={client} mailbox={mailbox} lead={lead} {...shared} />}
        />
      );
      break;
    case 'message_read':
      view = <ReadView key={item.n} client={client} mailbox={mailbox} {...shared} />;
      break;
    case 'appointment_organizer':
      view = <OrganizerView key={item.n} client={client} mailbox={mailbox} {...shared} />;
      break;
    case 'appointment_attendee':
    case 'none':
      view = <SearchSurface key={item.n} client={client} debounceMs={debounceMs} below={({ n, lead }) => <BrowseDetails key={n} lead={lead} />} />;
      break;
  }

  return (
    <FluentProvider theme={fluentTheme}>
      <main style={styles.root}>
        <header style={styles.header}>
          <h1 style={styles.title}>Baton</h1>
          {me.status === 'loading' && <Spinner size="extra-tiny" labelPosition="after" label="Signing in…" />}
          {me.status === 'done' && (
            <Text size={200} style={styles.user}>
              {userLine(me.data)}
            </Text>
          )}
        </header>
        <Suspense fallback={null}>
          {notice !== undefined && <Notice intent="warning">{notice}</Notice>}
          {unsupported !== null && (
            <Notice intent="warning" title="This Outlook lacks what Baton needs">
              {unsupported}
            </Notice>
          )}
          {me.status === 'error' && <ErrorBar error={me.error} onRetry={reload} />}
        </Suspense>
        <Suspense fallback={<Spinner size="small" label="Loading…" />}>{view}</Suspense>
      </main>
    </FluentProvider>
  );
}

/** What the pane shows when it cannot start at all (Office.js missing or never ready). */
export function StartupFailure({ error, theme }: { error: unknown; theme: ThemeKind }): React.JSX.Element {
  const fluentTheme = useTheme(theme);
  return (
    <FluentProvider theme={fluentTheme}>
      <main style={styles.root}>
        <h1 style={styles.title}>Baton</h1>
        {/* Plain text, not a MessageBar loaded on demand: the network may be what failed. */}
        <Text role="alert">{errorText(error).message}</Text>
      </main>
    </FluentProvider>
  );
}
