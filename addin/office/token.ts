// The API token through Office single sign-on: Office.auth.getAccessToken, wrapped once in a promise that rejects
// with an Error a user can act on (SSO codes 13000–13013 mapped to text, per
// https://learn.microsoft.com/office/dev/add-ins/develop/troubleshoot-sso-in-office-add-ins). Touches only the global
// `Office`; it has the client's `GetToken` shape, so Nested App Authentication can replace it without changing callers.

/** A failed SSO call: `code` is Office's numeric code (13001, …), or 0 when Office gave none. */
export class OfficeSsoError extends Error {
  constructor(
    readonly code: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OfficeSsoError';
  }
}

/** What each documented getAccessToken code means for the user; the doc page above explains the causes. */
export const ssoErrorMessages: Readonly<Record<number, string>> = {
  13000: 'This version of Outlook does not support single sign-on for add-ins. Update Office, or ask your administrator.',
  13001: 'You are not signed in to Office. Sign in to Office, then open Baton again.',
  13002: 'Sign-in was cancelled. Baton needs you to sign in and consent before it can load your leads.',
  13003: 'Your account type is not supported. Sign in to Office with your work or school account.',
  13004: "Baton's add-in manifest is misconfigured (invalid resource). Ask your administrator to fix the deployment.",
  13005: 'Baton has not been granted access to your profile. Ask your administrator to grant consent to Baton.',
  13006: 'Office hit a sign-in error. Sign out of Office, restart the browser session and try again.',
  13007: 'Office could not get a token for Baton. Sign out and back in to Office, or ask your administrator to check the app registration.',
  13008: 'A sign-in is already in progress. Wait for it to finish, then try again.',
  13010: 'Your browser puts Microsoft 365 and the sign-in page in different security zones. Put both in the same zone and reload.',
  13012: 'Single sign-on is not available where this add-in is running. Open Baton in Outlook on the desktop or on the web.',
  13013: 'Office is throttling sign-in requests. Wait a moment, then try again.',
};

const OPTIONS: Office.AuthOptions = { allowSignInPrompt: true, allowConsentPrompt: true, forMSGraphAccess: false };

function codeOf(error: unknown): number {
  if (typeof error !== 'object' || error === null || !('code' in error)) return 0;
  const code = Number(error.code);
  return Number.isInteger(code) ? code : 0;
}

/** Turns whatever Office rejected with (an `{ code, name, message }` object, not an Error) into an OfficeSsoError. */
export function toSsoError(error: unknown): OfficeSsoError {
  const code = codeOf(error);
  const known = ssoErrorMessages[code];
  if (known !== undefined) return new OfficeSsoError(code, known, { cause: error });
  const officeMessage = typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' ? error.message : '';
  const parts = [code === 0 ? '' : `Office error ${code}`, officeMessage].filter((part) => part !== '').join(': ');
  const suffix = parts === '' ? '' : ` (${parts})`;
  return new OfficeSsoError(code, `Could not sign you in to Baton through Office${suffix}. Try again, or reload the add-in.`, { cause: error });
}

/** The bearer token for the Baton API, from Office SSO. Office caches the token, so calling this per request is fine. */
export function getOfficeToken(): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const auth = typeof Office === 'undefined' ? undefined : (Office.auth as Office.Auth | undefined);
    if (auth === undefined) {
      reject(new OfficeSsoError(0, 'Office.js is not loaded, so Baton cannot sign you in. Open Baton from Outlook.'));
      return;
    }
    let pending: Promise<string>;
    try {
      pending = auth.getAccessToken(OPTIONS);
    } catch (error) {
      // Older hosts throw synchronously instead of rejecting.
      reject(toSsoError(error));
      return;
    }
    pending.then(
      (token) => {
        if (typeof token === 'string' && token !== '') resolve(token);
        else reject(new OfficeSsoError(0, 'Office returned an empty sign-in token. Reload the add-in and try again.'));
      },
      (error: unknown) => {
        reject(toSsoError(error));
      },
    );
  });
}
