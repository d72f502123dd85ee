// The pane's entry: waits for Office, then renders the App with an API client on this page's origin whose token
// comes from MSAL (Nested App Authentication in Outlook), the Outlook item through the Office.js mailbox, and the
// theme (high contrast when the system forces colours or asks for more contrast, else Office's light or dark); if
// Office never starts, shows why. The composition root of the add-in: imports React DOM, the Office wrappers, the
// sign-in, the API client and the App.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApiClient } from '../api/client';
import { officeReady } from '../office/office-ready';
import { officeThemeKind } from '../office/theme';
import { createOfficeMailbox } from '../office/mailbox';
import { createAddinTokenSource } from '../auth/token-source';
import { App, StartupFailure, type ThemeKind } from './app';

const contrastQueries = ['(forced-colors: active)', '(prefers-contrast: more)'];

function themeKind(): ThemeKind {
  if (contrastQueries.some((query) => window.matchMedia(query).matches)) return 'contrast';
  const fromOffice = officeThemeKind();
  if (fromOffice !== null) return fromOffice;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

const container = document.getElementById('root');
if (container === null) throw new Error('taskpane.html has no #root element');
const root = createRoot(container);

officeReady().then(
  ({ host }) => {
    const client = createApiClient({ baseUrl: window.location.origin, getToken: createAddinTokenSource({ baseUrl: window.location.origin }) });
    const notice = host === 'Outlook' ? undefined : 'Baton runs inside Outlook. Opened elsewhere, sign-in and search will not work.';
    const mailbox = createOfficeMailbox();
    const render = (): void => {
      root.render(
        <StrictMode>
          <App client={client} mailbox={mailbox} theme={themeKind()} notice={notice} />
        </StrictMode>,
      );
    };
    render();
    // The system's contrast or colour scheme can change while the pane is open.
    for (const query of [...contrastQueries, '(prefers-color-scheme: dark)']) window.matchMedia(query).addEventListener('change', render);
  },
  (error: unknown) => {
    root.render(<StartupFailure error={error} theme={themeKind()} />);
  },
);
