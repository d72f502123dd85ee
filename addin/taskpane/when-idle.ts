// Work that can wait until the pane has painted and the browser is idle: the chunks below the lead search and the
// API client's schemas load then, so the search takes typing first. `whenIdle()` resolves once, at the first idle
// period after it is first called (requestIdleCallback; a short timer where the browser lacks it, as jsdom does).
// Imports nothing.

let idle: Promise<void> | null = null;

/** Resolves when the browser is first idle (at the latest after `timeoutMs`). */
export function whenIdle(timeoutMs = 500): Promise<void> {
  idle ??= new Promise<void>((resolve) => {
    if (typeof window !== 'undefined' && typeof window.requestIdleCallback === 'function') {
      window.requestIdleCallback(
        () => {
          resolve();
        },
        { timeout: timeoutMs },
      );
    } else {
      setTimeout(resolve, 0);
    }
  });
  return idle;
}
