// The pane's entry: waits for Office, then renders the App with an API client on this page's origin whose token
// comes from MSAL (Nested App Authentication in Outlook); if Office never starts, shows why. The composition root
// of the add-in: imports React DOM, the Office wrappers, the sign-in, the API client and the App.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApiClient } from '../api/client';
import { officeReady } from '../office/office-ready';
import { officeThemeKind } from '../office/theme';
import { createAddinTokenSource } from '../auth/token-source';
import { App, StartupFailure, type ThemeKind } from './app';

function themeKind(): ThemeKind {
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
    root.render(
      <StrictMode>
        <App client={client} theme={themeKind()} notice={notice} />
      </StrictMode>,
    );
  },
  (error: unknown) => {
    root.render(<StartupFailure error={error} theme={themeKind()} />);
  },
);
