// The preview page's entry (preview.html): reads the server's sign-in settings, creates the same MSAL app as the
// pane (a standard public client here, against the sandbox's identity), and renders the preview with sign-in and
// Graph wired to it. The preview's composition root: imports React DOM, MSAL types, ../auth and the preview modules.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { FluentProvider, MessageBar, MessageBarBody, MessageBarTitle, webLightTheme } from '@fluentui/react-components';
import type { AccountInfo } from '@azure/msal-browser';
import { loadAddinConfig } from '../auth/addin-config';
import { authRedirectPath, createMsalApp, toSignInError } from '../auth/token-source';
import { PreviewApp, type PreviewUser } from './preview-app';
import { createSandboxGraph, graphScopes } from './sandbox-graph';

const container = document.getElementById('root');
if (container === null) throw new Error('preview.html has no #root element');
const root = createRoot(container);

const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const userOf = (account: AccountInfo): PreviewUser => ({ address: account.username, name: account.name ?? account.username, timeZone: browserZone });

async function start(): Promise<void> {
  const origin = window.location.origin;
  const config = await loadAddinConfig({ baseUrl: origin });
  const sandboxUrl = config.sandboxUrl;
  if (sandboxUrl === null) throw new Error('The preview runs against the local Microsoft 365 sandbox: start Baton with `npm start`.');
  const app = await createMsalApp(config, `${origin}${authRedirectPath}`);

  const signIn = async (): Promise<PreviewUser> => {
    try {
      const result = await app.loginPopup({ scopes: [config.apiScope], prompt: 'select_account' });
      // One account at a time: the pane, in its frame, signs in with the account this page chose.
      for (const other of app.getAllAccounts()) {
        if (other.homeAccountId !== result.account.homeAccountId) await app.clearCache({ account: other });
      }
      app.setActiveAccount(result.account);
      return userOf(result.account);
    } catch (error) {
      throw toSignInError(error);
    }
  };

  const graphToken = async (): Promise<string> => {
    const account = app.getActiveAccount();
    if (account === null) throw new Error('Sign in first.');
    try {
      return (await app.acquireTokenSilent({ scopes: graphScopes, account })).accessToken;
    } catch (error) {
      throw toSignInError(error);
    }
  };

  const active = app.getActiveAccount();
  root.render(
    <StrictMode>
      <PreviewApp
        initialUser={active === null ? null : userOf(active)}
        signIn={signIn}
        graphFor={() => createSandboxGraph({ graphBaseUrl: sandboxUrl, getToken: graphToken })}
        paneUrl={`${origin}/addin/preview-pane.html`}
      />
    </StrictMode>,
  );
}

start().catch((error: unknown) => {
  root.render(
    <FluentProvider theme={webLightTheme}>
      <MessageBar intent="error" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>The preview could not start</MessageBarTitle>
          {error instanceof Error ? error.message : String(error)}
        </MessageBarBody>
      </MessageBar>
    </FluentProvider>,
  );
});
