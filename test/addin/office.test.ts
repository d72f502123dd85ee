// The Office wrappers against a fake global `Office`: the SSO token (options passed, success, each failure a
// rejected Error with a human message) and officeReady (host and platform, missing Office.js, timeout).
import { officeReady } from '../../addin/office/office-ready';
import { officeThemeKind } from '../../addin/office/theme';
import { OfficeSsoError, getOfficeToken, ssoErrorMessages } from '../../addin/office/token';

type OfficeGlobal = { Office?: unknown };

function installOffice(fake: unknown): void {
  (globalThis as OfficeGlobal).Office = fake;
}

afterEach(() => {
  delete (globalThis as OfficeGlobal).Office;
  jest.useRealTimers();
});

describe('getOfficeToken', () => {
  it('resolves with the token and asks Office to prompt for sign-in and consent', async () => {
    const getAccessToken = jest.fn(() => Promise.resolve('sso-token'));
    installOffice({ auth: { getAccessToken } });
    await expect(getOfficeToken()).resolves.toBe('sso-token');
    expect(getAccessToken).toHaveBeenCalledWith({ allowSignInPrompt: true, allowConsentPrompt: true, forMSGraphAccess: false });
  });

  it.each([13001, 13002, 13003, 13006, 13007, 13012, 13013])('rejects code %i with an Error carrying its message', async (code) => {
    // Office rejects with a plain { code, name, message } object, not an Error.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- faithful to Office
    installOffice({ auth: { getAccessToken: () => Promise.reject({ code, name: 'Office error', message: 'opaque host text' }) } });
    const error: unknown = await getOfficeToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(OfficeSsoError);
    expect((error as OfficeSsoError).code).toBe(code);
    expect((error as Error).message).toBe(ssoErrorMessages[code]);
  });

  it('explains the common codes in plain words', () => {
    expect(ssoErrorMessages[13001]).toMatch(/not signed in to Office/);
    expect(ssoErrorMessages[13002]).toMatch(/cancelled/);
    for (let code = 13000; code <= 13013; code++) {
      if (code === 13009 || code === 13011) continue; // not documented
      expect(ssoErrorMessages[code]).toEqual(expect.any(String));
    }
  });

  it('keeps Office\'s own text for an unknown code', async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- faithful to Office
    installOffice({ auth: { getAccessToken: () => Promise.reject({ code: 50001, message: 'stale office.js' }) } });
    await expect(getOfficeToken()).rejects.toThrow('Could not sign you in to Baton through Office (Office error 50001: stale office.js)');
  });

  it('rejects (does not throw) when the host throws synchronously', async () => {
    installOffice({
      auth: {
        getAccessToken: () => {
          throw Object.assign(new Error('not supported'), { code: 13000 });
        },
      },
    });
    await expect(getOfficeToken()).rejects.toThrow(ssoErrorMessages[13000]);
  });

  it('rejects when Office.js is not loaded', async () => {
    await expect(getOfficeToken()).rejects.toThrow(/Office\.js is not loaded/);
  });

  it('rejects an empty token', async () => {
    installOffice({ auth: { getAccessToken: () => Promise.resolve('') } });
    await expect(getOfficeToken()).rejects.toThrow(/empty sign-in token/);
  });
});

describe('officeReady', () => {
  it('resolves with the host and platform Office reports', async () => {
    installOffice({
      onReady: (callback: (info: { host: string; platform: string }) => void) => {
        setTimeout(() => {
          callback({ host: 'Outlook', platform: 'OfficeOnline' });
        }, 0);
        return new Promise(() => undefined);
      },
    });
    await expect(officeReady()).resolves.toEqual({ host: 'Outlook', platform: 'OfficeOnline' });
  });

  it('resolves with a null host outside Office', async () => {
    installOffice({
      onReady: (callback: (info: { host: null; platform: null }) => void) => {
        callback({ host: null, platform: null });
        return Promise.resolve({ host: null, platform: null });
      },
    });
    await expect(officeReady()).resolves.toEqual({ host: null, platform: null });
  });

  it('rejects with an Error when Office.js did not load', async () => {
    await expect(officeReady()).rejects.toThrow(/Office\.js did not load/);
  });

  it('rejects with an Error when onReady throws', async () => {
    installOffice({
      onReady: () => {
        throw new Error('boom');
      },
    });
    const error: unknown = await officeReady().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/failed to start/);
    expect((error as Error).cause).toEqual(new Error('boom'));
  });

  it('rejects with an Error when Office never becomes ready', async () => {
    jest.useFakeTimers();
    installOffice({ onReady: () => new Promise(() => undefined) });
    const pending = officeReady({ timeoutMs: 5_000 });
    jest.advanceTimersByTime(5_000);
    await expect(pending).rejects.toThrow('Office did not become ready within 5 s. Close and reopen the Baton pane.');
  });
});

describe('officeThemeKind', () => {
  it.each([
    ['#ffffff', 'light'],
    ['#1f1f1f', 'dark'],
  ] as const)('reads %s as %s', (bodyBackgroundColor, kind) => {
    installOffice({ context: { officeTheme: { bodyBackgroundColor } } });
    expect(officeThemeKind()).toBe(kind);
  });

  it('is null when Office does not say', () => {
    expect(officeThemeKind()).toBeNull();
    installOffice({ context: {} });
    expect(officeThemeKind()).toBeNull();
  });
});
