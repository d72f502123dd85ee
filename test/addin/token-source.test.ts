// The add-in's token source over a fake MSAL app (MSAL's own error classes): silent first, one shared popup when the
// user is needed, the account Outlook names among several, and every failure worded so a user knows what to do;
// then the server's sign-in settings read once from /addin/config.json and handed to MSAL.
import { BrowserAuthError, InteractionRequiredAuthError, ServerError, type AccountInfo, type AuthenticationResult, type PopupRequest, type SilentRequest } from '@azure/msal-browser';
import { ApiError, createApiClient, type FetchLike, type FetchResponse } from '../../addin/api/client';
import { createAddinTokenSource, createTokenSource, SignInError, type MsalApp } from '../../addin/auth/token-source';
import type { AddinConfigDto } from '../../server/http/contract';

const apiScope = 'api://9b8e7d6c-5a4b-4c3d-8e2f-1a0b9c8d7e6f/access_as_user';

function account(username: string): AccountInfo {
  return { homeAccountId: `${username}.tid`, environment: '127.0.0.1:3100', tenantId: 'tid', username, localAccountId: username, name: username };
}

function result(token: string, who: AccountInfo): AuthenticationResult {
  return {
    authority: 'https://127.0.0.1:3100/tid',
    uniqueId: who.localAccountId,
    tenantId: 'tid',
    scopes: [apiScope],
    account: who,
    idToken: '',
    idTokenClaims: {},
    accessToken: token,
    fromCache: false,
    expiresOn: null,
    tokenType: 'Bearer',
    correlationId: 'c',
  };
}

/** A fake MSAL public client: accounts in a cache, silent answers from that cache, a popup that signs in `signsIn`. */
class FakeMsal implements MsalApp {
  accounts: AccountInfo[] = [];
  active: AccountInfo | null = null;
  silentRequests: SilentRequest[] = [];
  popupRequests: PopupRequest[] = [];
  silentFailure: Error | null = null;
  popupFailure: Error | null = null;
  signsIn: AccountInfo = account('dana.sdr@contoso-sales.example');
  private releasePopup: (() => void) | null = null;
  holdPopup = false;

  acquireTokenSilent = (request: SilentRequest): Promise<AuthenticationResult> => {
    this.silentRequests.push(request);
    if (this.silentFailure !== null) return Promise.reject(this.silentFailure);
    const who = request.account;
    if (who === undefined) return Promise.reject(new BrowserAuthError('no_account_error', 'corr'));
    return Promise.resolve(result(`silent-for-${who.username}`, who));
  };

  acquireTokenPopup = async (request: PopupRequest): Promise<AuthenticationResult> => {
    this.popupRequests.push(request);
    if (this.holdPopup) await new Promise<void>((resolve) => (this.releasePopup = resolve));
    if (this.popupFailure !== null) throw this.popupFailure;
    this.accounts.push(this.signsIn);
    return result(`popup-for-${this.signsIn.username}`, this.signsIn);
  };

  release(): void {
    this.releasePopup?.();
  }

  getActiveAccount = (): AccountInfo | null => this.active;
  setActiveAccount = (who: AccountInfo | null): void => {
    this.active = who;
  };
  getAllAccounts = (): AccountInfo[] => [...this.accounts];
}

function sourceOver(fake: FakeMsal, loginHint?: () => string | null) {
  return createTokenSource({ app: () => Promise.resolve(fake), scopes: [apiScope], ...(loginHint ? { loginHint } : {}) });
}

async function refusal(promise: Promise<unknown>): Promise<SignInError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SignInError);
    return error as SignInError;
  }
  throw new Error('expected the token source to fail');
}

describe('createTokenSource', () => {
  it('answers from the signed-in account silently, without opening a window', async () => {
    const fake = new FakeMsal();
    fake.accounts = [account('dana.sdr@contoso-sales.example')];
    await expect(sourceOver(fake)()).resolves.toBe('silent-for-dana.sdr@contoso-sales.example');
    expect(fake.popupRequests).toHaveLength(0);
    expect(fake.silentRequests[0]?.scopes).toEqual([apiScope]);
  });

  it('opens one sign-in window when nobody is signed in, then stays silent for that account', async () => {
    const fake = new FakeMsal();
    const getToken = sourceOver(fake);
    await expect(getToken()).resolves.toBe('popup-for-dana.sdr@contoso-sales.example');
    expect(fake.active?.username).toBe('dana.sdr@contoso-sales.example');
    await expect(getToken()).resolves.toBe('silent-for-dana.sdr@contoso-sales.example');
    expect(fake.popupRequests).toHaveLength(1);
  });

  it('shares one window among the calls that start together when the pane opens', async () => {
    const fake = new FakeMsal();
    fake.holdPopup = true;
    const getToken = sourceOver(fake);
    const calls = [getToken(), getToken(), getToken()];
    await new Promise((resolve) => setTimeout(resolve, 0));
    fake.release();
    await expect(Promise.all(calls)).resolves.toEqual(Array(3).fill('popup-for-dana.sdr@contoso-sales.example'));
    expect(fake.popupRequests).toHaveLength(1);
  });

  it("picks the account of the mailbox's user among several, and names it to the window when it must ask", async () => {
    const fake = new FakeMsal();
    fake.accounts = [account('dana.sdr@contoso-sales.example'), account('anton.ae@contoso-sales.example')];
    fake.active = fake.accounts[0] ?? null;
    await expect(sourceOver(fake, () => 'Anton.AE@contoso-sales.example')()).resolves.toBe('silent-for-anton.ae@contoso-sales.example');

    fake.silentFailure = new InteractionRequiredAuthError('consent_required', 'corr');
    fake.signsIn = account('anton.ae@contoso-sales.example');
    await sourceOver(fake, () => 'anton.ae@contoso-sales.example')();
    expect(fake.popupRequests[0]?.loginHint).toBe('anton.ae@contoso-sales.example');
  });

  it.each([
    ['popup_window_error', /Allow pop-ups for this site/],
    ['user_cancelled', /Sign-in was cancelled/],
    ['interaction_in_progress', /already open/],
  ])('explains a %s from the sign-in window', async (code, message) => {
    const fake = new FakeMsal();
    fake.popupFailure = new BrowserAuthError(code, 'corr');
    const error = await refusal(sourceOver(fake)());
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it("passes on the identity provider's refusal with its AADSTS code, without the trace ids", async () => {
    const fake = new FakeMsal();
    fake.popupFailure = new ServerError(
      'invalid_client',
      'corr',
      "AADSTS650053: The application 'Baton' asked for scope 'nope' that doesn't exist on the resource. Trace ID: 1 Correlation ID: 2",
    );
    const error = await refusal(sourceOver(fake)());
    expect(error.message).toContain("AADSTS650053: The application 'Baton' asked for scope 'nope'");
    expect(error.message).not.toContain('Trace ID');
  });

  it('does not open a window for a failure the user cannot fix by signing in (the network)', async () => {
    const fake = new FakeMsal();
    fake.accounts = [account('dana.sdr@contoso-sales.example')];
    fake.silentFailure = new BrowserAuthError('no_network_connectivity', 'corr');
    const error = await refusal(sourceOver(fake)());
    expect(error.message).toMatch(/Could not reach the sign-in service/);
    expect(fake.popupRequests).toHaveLength(0);
  });

  it('reaches the pane as an ApiError `token` carrying the same message', async () => {
    const fake = new FakeMsal();
    fake.popupFailure = new BrowserAuthError('popup_window_error', 'corr');
    const client = createApiClient({ baseUrl: 'https://baton.example', getToken: sourceOver(fake), fetch: () => Promise.reject(new Error('not called')) });
    const error = await client.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'token', message: expect.stringMatching(/Allow pop-ups/) as unknown });
  });
});

describe('createAddinTokenSource', () => {
  const config: AddinConfigDto = {
    clientId: '3c4d5e6f-7a8b-4c9d-8e0f-a1b2c3d4e5f6',
    authority: 'https://127.0.0.1:3100/6f1c3d2e-0b7a-4c59-9e1d-2a8b5c4d7e10',
    apiScope,
    knownAuthorities: ['127.0.0.1:3100'],
    sandboxUrl: 'https://127.0.0.1:3100',
  };

  function answer(status: number, body: unknown): FetchResponse {
    return { ok: status === 200, status, statusText: '', text: () => Promise.resolve(JSON.stringify(body)) };
  }

  it('reads the sign-in settings once, gives MSAL the redirect page on this origin, and asks for the API scope', async () => {
    const urls: string[] = [];
    const fetch: FetchLike = (url) => {
      urls.push(url);
      return Promise.resolve(answer(200, config));
    };
    const fake = new FakeMsal();
    fake.accounts = [account('dana.sdr@contoso-sales.example')];
    const created: { config: AddinConfigDto; redirectUri: string }[] = [];
    const getToken = createAddinTokenSource({
      baseUrl: 'https://127.0.0.1:3000/',
      fetch,
      createApp: (c, redirectUri) => {
        created.push({ config: c, redirectUri });
        return Promise.resolve(fake);
      },
    });
    await getToken();
    await getToken();
    expect(urls).toEqual(['https://127.0.0.1:3000/addin/config.json']);
    expect(created).toEqual([{ config, redirectUri: 'https://127.0.0.1:3000/addin/auth-redirect.html' }]);
    expect(fake.silentRequests.map((r) => r.scopes)).toEqual([[apiScope], [apiScope]]);
  });

  it("shows the server's reason when sign-in is not configured, and tries again on the next call", async () => {
    const answers = [
      answer(503, { error: { code: 'addin_not_configured', message: 'Sign-in for the Outlook add-in is not configured on this server: set ADDIN_CLIENT_ID.' } }),
      answer(200, config),
    ];
    const fetch: FetchLike = () => Promise.resolve(answers.shift() ?? answer(500, {}));
    const fake = new FakeMsal();
    fake.accounts = [account('dana.sdr@contoso-sales.example')];
    const getToken = createAddinTokenSource({ baseUrl: 'https://baton.example', fetch, createApp: () => Promise.resolve(fake) });
    const error = await refusal(getToken());
    expect(error.message).toContain('ADDIN_CLIENT_ID');
    await expect(getToken()).resolves.toBe('silent-for-dana.sdr@contoso-sales.example');
  });

  it('names the missing setting when the server sends incomplete settings', async () => {
    const { apiScope: _dropped, ...incomplete } = config;
    const getToken = createAddinTokenSource({ baseUrl: 'https://baton.example', fetch: () => Promise.resolve(answer(200, incomplete)), createApp: () => Promise.resolve(new FakeMsal()) });
    expect((await refusal(getToken())).message).toContain('(apiScope)');
  });
});
