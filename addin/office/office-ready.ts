// Office start-up: Office.onReady wrapped once in a promise that resolves with the host and platform, and rejects
// with an Error when Office.js is missing or never becomes ready. Touches only the global `Office`.
// https://learn.microsoft.com/office/dev/add-ins/develop/initialize-add-in

export interface OfficeInfo {
  /** `Outlook` inside Outlook; null when the page runs in a plain browser. */
  host: string | null;
  platform: string | null;
}

export interface OfficeReadyOptions {
  /** How long to wait for Office before giving up (default 15 s). */
  timeoutMs?: number;
}

export function officeReady(options: OfficeReadyOptions = {}): Promise<OfficeInfo> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise<OfficeInfo>((resolve, reject) => {
    if (typeof Office === 'undefined' || typeof Office.onReady !== 'function') {
      reject(new Error('Office.js did not load. Check the network connection and reopen Baton from Outlook.'));
      return;
    }
    const timer = setTimeout(() => {
      reject(new Error(`Office did not become ready within ${Math.round(timeoutMs / 1000)} s. Close and reopen the Baton pane.`));
    }, timeoutMs);
    const done = (info: { host: Office.HostType | null; platform: Office.PlatformType | null } | null | undefined): void => {
      clearTimeout(timer);
      // HostType and PlatformType are typed as enums without values; at run time they are strings ("Outlook", "OfficeOnline").
      const host = info?.host ?? null;
      const platform = info?.platform ?? null;
      resolve({ host: host === null ? null : String(host), platform: platform === null ? null : String(platform) });
    };
    try {
      // The callback form: the returned promise is ignored, so there is exactly one way the result arrives.
      void Office.onReady(done);
    } catch (error) {
      clearTimeout(timer);
      reject(new Error('Office failed to start the add-in. Close and reopen the Baton pane.', { cause: error }));
    }
  });
}
