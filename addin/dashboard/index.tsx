// The dashboard page's entry: renders the Dashboard with a reports client on this page's origin whose token comes
// from the add-in's sign-in (MSAL, with the settings of GET /addin/config.json), as the pane's entry does.
// The composition root of the page: imports React DOM, Fluent's provider, the sign-in and ./dashboard.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { FluentProvider, teamsHighContrastTheme, webDarkTheme, webLightTheme } from '@fluentui/react-components';
import { createAddinTokenSource } from '../auth/token-source';
import { Dashboard } from './dashboard';
import { createReportsClient } from './reports-client';

const container = document.getElementById('root');
if (container === null) throw new Error('dashboard.html has no #root element');

const client = createReportsClient({ baseUrl: window.location.origin, getToken: createAddinTokenSource({ baseUrl: window.location.origin }) });
const theme = (): typeof webLightTheme => {
  if (window.matchMedia('(forced-colors: active)').matches || window.matchMedia('(prefers-contrast: more)').matches) return teamsHighContrastTheme;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? webDarkTheme : webLightTheme;
};

createRoot(container).render(
  <StrictMode>
    <FluentProvider theme={theme()}>
      <Dashboard client={client} />
    </FluentProvider>
  </StrictMode>,
);
