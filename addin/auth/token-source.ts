// The bearer token for Baton's API through MSAL: Nested App Authentication inside Outlook
// (createNestablePublicClientApplication), a standard public client elsewhere (the preview page, against the
// sandbox's identity). acquireTokenSilent first, then one shared popup; every failure becomes a SignInError a user
// can act on. It has the API client's `GetToken` shape. Imports @azure/msal-browser, ./addin-config, contract types.
// https://learn.microsoft.com/office/dev/add-ins/develop/enable-nested-app-authentication-in-your-add-in
import {
  createNestablePublicClientApplication,
  type AccountInfo,
  type AuthenticationResult,
  type Configuration,
  type IPublicClientApplication,
} from '@azure/msal-browser';
import type { AddinConfigDto } from '../../server/http/contract';
import type { FetchLike, GetToken } from '../api/client';
import { loadAddinConfig } from './addin-config';

/** The part of an MSAL public client the token source uses (a nestable or a standard one, or a test fake). */
export type MsalApp = Pick<IPublicClientApplication, 'acquireTokenSilent' | 'acquireTokenPopup' | 'getActiveAccount' | 'setActiveAccount' | 'getAllAccounts'>;

/** A failed sign-in: `code` is MSAL's error code (`user_cancelled`, `popup_window_error`, …) or `unknown`. */
export class SignInError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SignInError';
  }
}

/** The page MSAL's popup returns to; it hands the answer to the window that opened it (auth-redirect.ts). */
export const authRedirectPath = '/addin/auth-redirect.html';

/** MSAL's configuration for the add-in: the server's settings, a redirect page on this origin, a shared cache. */
export function msalConfiguration(config: AddinConfigDto, redirectUri: string): Configuration {
  return {
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      // Known authorities skip Entra's instance discovery, which a sovereign cloud or the sandbox does not serve.
      knownAuthorities: config.knownAuthorities,
      redirectUri,
    },
    // localStorage: the preview's pane (an iframe of the same origin) signs in with the account its page chose.
    cache: { cacheLocation: 'localStorage' },
  };
}

/** Creates the MSAL app: nested (Outlook's bridge) when Outlook hosts the page, a standard public client elsewhere. */
export function createMsalApp(config: AddinConfigDto, redirectUri: string): Promise<IPublicClientApplication> {
  return createNestablePublicClientApplication(msalConfiguration(config, redirectUri));
}

const interactionRequired = new Set([
  'no_account_error',
  'interaction_required',
  'login_required',
  'consent_required',
  'invalid_grant',
  'no_tokens_found',
  'native_account_unavailable',
  'refresh_token_expired',
  'bad_token',
  'ui_required',
]);

function fieldOf(error: unknown, name: string): string {
  if (typeof error !== 'object' || error === null || !(name in error)) return '';
  const value = (error as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

/** Whether a silent failure asks for the user (no account yet, consent, an expired session). */
export function needsInteraction(error: unknown): boolean {
  return fieldOf(error, 'name') === 'InteractionRequiredAuthError' || interactionRequired.has(fieldOf(error, 'errorCode'));
}

const messages: Readonly<Record<string, string>> = {
  user_cancelled: 'Sign-in was cancelled. Sign in so that Baton can load your leads.',
  popup_window_error: 'Your browser blocked the sign-in window. Allow pop-ups for this site, then try again.',
  empty_window_error: 'Your browser blocked the sign-in window. Allow pop-ups for this site, then try again.',
  interaction_in_progress: 'A sign-in window is already open. Finish signing in there, then try again.',
  no_network_connectivity: 'Could not reach the sign-in service. Check your connection and try again.',
  post_request_failed: 'Could not reach the sign-in service. Check your connection and try again.',
  get_request_failed: 'Could not reach the sign-in service. Check your connection and try again.',
  endpoints_resolution_error: 'Could not reach the sign-in service. Check your connection and try again.',
  timed_out: 'The sign-in window did not answer in time. Try again.',
  monitor_window_timeout: 'The sign-in window did not answer in time. Try again.',
  consent_required: 'Baton has not been granted access to your account. Ask your administrator to grant consent to Baton.',
};

/** Turns whatever MSAL threw into a SignInError whose message says what to do. */
export function toSignInError(error: unknown): SignInError {
  if (error instanceof SignInError) return error;
  const code = fieldOf(error, 'errorCode') || 'unknown';
  const known = messages[code];
  if (known !== undefined) return new SignInError(code, known, { cause: error });
  // The identity provider's own refusal (AADSTS…): its first sentence names the problem.
  const detail = (fieldOf(error, 'errorMessage') || (error instanceof Error ? error.message : '')).split(/\r?\n| Trace ID:/)[0]?.trim() ?? '';
  if (/^AADSTS\d+/.test(detail)) return new SignInError(code, `The sign-in service refused: ${detail} Ask your administrator if this persists.`, { cause: error });
  const suffix = code === 'unknown' ? '' : ` (${code})`;
  return new SignInError(code, `Could not sign you in to Baton${suffix}. Try again, or reload the add-in.`, { cause: error });
}

export interface TokenSourceOptions {
  /** The MSAL app, or a promise of it (created once, on first use). */
  app: () => Promise<MsalApp>;
  scopes: readonly string[];
  /** The signed-in mailbox's address, when known: picks that account among several. */
  loginHint?: () => string | null | undefined;
}

function pickAccount(app: MsalApp, hint: string | null): AccountInfo | null {
  const accounts = app.getAllAccounts();
  if (hint !== null) {
    const match = accounts.find((a) => a.username.toLowerCase() === hint.toLowerCase());
    if (match !== undefined) return match;
  }
  const active = app.getActiveAccount();
  if (active !== null) return active;
  return accounts.length === 1 ? (accounts[0] ?? null) : null;
}

/**
 * A GetToken over an MSAL app: a cached or refreshed token silently; when the user is needed, one popup shared by
 * every caller waiting at that moment (several API calls start together when the pane opens).
 */
export function createTokenSource(options: TokenSourceOptions): GetToken {
  const scopes = [...options.scopes];
  let popup: Promise<AuthenticationResult> | null = null;

  const interactive = (app: MsalApp, hint: string | null): Promise<AuthenticationResult> => {
    popup ??= app.acquireTokenPopup({ scopes, ...(hint === null ? {} : { loginHint: hint }) }).finally(() => {
      popup = null;
    });
    return popup;
  };

  return async () => {
    let app: MsalApp;
    try {
      app = await options.app();
    } catch (error) {
      throw error instanceof Error && !('errorCode' in error) ? new SignInError('configuration', error.message, { cause: error }) : toSignInError(error);
    }
    const hint = options.loginHint?.() ?? null;
    const account = pickAccount(app, hint);
    let result: AuthenticationResult;
    try {
      // Without an account a nested app still asks Outlook; a standard client answers no_account_error.
      result = await app.acquireTokenSilent({ scopes, ...(account === null ? {} : { account }) });
    } catch (silentError) {
      if (!needsInteraction(silentError)) throw toSignInError(silentError);
      try {
        result = await interactive(app, hint ?? account?.username ?? null);
      } catch (popupError) {
        throw toSignInError(popupError);
      }
      app.setActiveAccount(result.account);
    }
    if (result.accessToken === '') throw new SignInError('empty_token', 'The sign-in service returned an empty token. Reload the add-in and try again.');
    return result.accessToken;
  };
}

export interface AddinTokenSourceOptions {
  /** Baton's origin (where /addin/config.json is served). */
  baseUrl: string;
  fetch?: FetchLike;
  loginHint?: () => string | null | undefined;
  /** Defaults to `{baseUrl}/addin/auth-redirect.html`. */
  redirectUri?: string;
  /** Defaults to MSAL's nestable public client (tests pass a fake). */
  createApp?: (config: AddinConfigDto, redirectUri: string) => Promise<MsalApp>;
}

/**
 * The pane's token source: reads the server's sign-in settings once, creates the MSAL app once (again after a
 * failure, so Retry works), and asks for the API scope.
 */
export function createAddinTokenSource(options: AddinTokenSourceOptions): GetToken {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const redirectUri = options.redirectUri ?? `${baseUrl}${authRedirectPath}`;
  const create = options.createApp ?? createMsalApp;
  let source: Promise<GetToken> | null = null;

  const build = async (): Promise<GetToken> => {
    let config: AddinConfigDto;
    try {
      config = await loadAddinConfig({ baseUrl, ...(options.fetch === undefined ? {} : { fetch: options.fetch }) });
    } catch (error) {
      throw new SignInError('configuration', error instanceof Error ? error.message : 'Could not read the sign-in settings.', { cause: error });
    }
    let app: Promise<MsalApp> | null = null;
    const getApp = (): Promise<MsalApp> => {
      app ??= create(config, redirectUri).catch((error: unknown) => {
        app = null;
        throw error;
      });
      return app;
    };
    return createTokenSource({ app: getApp, scopes: [config.apiScope], ...(options.loginHint === undefined ? {} : { loginHint: options.loginHint }) });
  };

  return async () => {
    source ??= build().catch((error: unknown) => {
      source = null;
      throw error;
    });
    return (await source)();
  };
}
