// Work that can wait until the user has the pane to themselves: the chunks below the lead search and the signed-in
// user (with the API client's schemas and the sign-in library) load once the pane has painted and gone a moment
// without keyboard or pointer input, so the first keystrokes in the search do not queue behind their scripts (a few
// hundred milliseconds of script evaluation on a busy machine). A search the user starts loads what it needs at
// once, and picking a lead calls `idleNow()`, so what waits loads at once too. `whenIdle()` resolves once: at the
// first idle period after `quietMs` without input, counted from its first call (requestIdleCallback; where the
// browser lacks it, as jsdom does, at once on a zero timer). Imports nothing.

let idle: Promise<void> | null = null;
let release: (() => void) | null = null;

const inputEvents = ['keydown', 'pointerdown', 'input'] as const;

/** Resolves when the pane has been left alone for `quietMs` and the browser is idle (at the latest 500 ms later). */
export function whenIdle(quietMs = 500): Promise<void> {
  idle ??= new Promise<void>((resolve) => {
    if (typeof window === 'undefined' || typeof window.requestIdleCallback !== 'function') {
      setTimeout(resolve, 0);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stopListening = (): void => {
      clearTimeout(timer);
      for (const type of inputEvents) window.removeEventListener(type, arm, true);
    };
    release = () => {
      stopListening();
      resolve();
    };
    const settle = (): void => {
      stopListening();
      window.requestIdleCallback(
        () => {
          resolve();
        },
        { timeout: 500 },
      );
    };
    function arm(): void {
      clearTimeout(timer);
      timer = setTimeout(settle, quietMs);
    }
    for (const type of inputEvents) window.addEventListener(type, arm, { capture: true, passive: true });
    arm();
  });
  return idle;
}

/** The user needs what waits for `whenIdle()` (they picked a lead): it stops waiting. */
export function idleNow(): void {
  if (idle === null) {
    idle = Promise.resolve();
    return;
  }
  release?.();
}
