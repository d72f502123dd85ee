// The pane's entry: waits for Office, then renders the App with an API client on this page's origin whose token
// comes from MSAL (Nested App Authentication in Outlook), the Outlook item through the Office.js mailbox, and the
// theme (high contrast when the system forces colours or asks for more contrast, else Office's light or dark); if
// Office never starts, shows why. The composition root of the add-in: imports React DOM, the Office wrappers, the
// sign-in, the API client and the App.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createDeferredApiClient } from '../api/deferred-client';
import { officeReady } from '../office/office-ready';
import { officeThemeKind } from '../office/theme';
import { createOfficeMailbox } from '../office/mailbox';
import type { GetToken } from '../api/client';
import { App, StartupFailure } from './app';
import { loadTheme, type ThemeKind } from './themes';
import { whenIdle } from './when-idle';

const contrastQueries = ['(forced-colors: active)', '(prefers-contrast: more)'];

function themeKind(): ThemeKind {
  if (contrastQueries.some((query) => window.matchMedia(query).matches)) return 'contrast';
  const fromOffice = officeThemeKind();
  if (fromOffice !== null) return fromOffice;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

// The sign-in library (msal-browser) is a third of the pane's JavaScript: it loads with the first API call (a search,
// or the signed-in user once the pane has been left alone a moment), and one token source serves every call after it.
let tokenSource: Promise<GetToken> | null = null;
const getToken: GetToken = async () => {
  tokenSource ??= (async () => {
    // `as string`: TypeScript (nodenext) would resolve the specifier by ESM rules; webpack resolves it as written.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    const signIn = (await import('../auth/token-source' as string)) as typeof import('../auth/token-source');
    return signIn.createAddinTokenSource({ baseUrl: window.location.origin });
  })();
  try {
    return await (await tokenSource)();
  } catch (error) {
    // A failed load (network) is tried again on the next call; a failed sign-in keeps its own message.
    if (!(error instanceof Error && error.name === 'SignInError')) tokenSource = null;
    throw error;
  }
};

const container = document.getElementById('root');
if (container === null) throw new Error('taskpane.html has no #root element');
const root = createRoot(container);

officeReady().then(
  ({ host }) => {
    // The client's schemas load with the first search, or once the pane has painted and been left alone a moment:
    // the search takes typing first.
    const client = createDeferredApiClient({ baseUrl: window.location.origin, getToken });
    void whenIdle().then(() => client.preload().catch(() => undefined));
    const notice = host === 'Outlook' ? undefined : 'Baton runs inside Outlook. Opened elsewhere, sign-in and search will not work.';
    const mailbox = createOfficeMailbox();
    const render = (): void => {
      const theme = themeKind();
      const paint = (): void => {
        root.render(
          <StrictMode>
            <App client={client} mailbox={mailbox} theme={theme} notice={notice} />
          </StrictMode>,
        );
      };
      // A dark or high-contrast pane waits for its theme (loaded on demand) rather than flashing light first.
      loadTheme(theme).then(paint, paint);
    };
    render();
    // The system's contrast or colour scheme can change while the pane is open.
    for (const query of [...contrastQueries, '(prefers-color-scheme: dark)']) window.matchMedia(query).addEventListener('change', render);
  },
  (error: unknown) => {
    const theme = themeKind();
    const paint = (): void => {
      root.render(<StartupFailure error={error} theme={theme} />);
    };
    loadTheme(theme).then(paint, paint);
  },
);
