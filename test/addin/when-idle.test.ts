// The wait for a quiet, idle pane: it ends once the pane has gone the quiet time without input and the browser is
// idle, each keystroke or pointer press starts the quiet time over, and idleNow() ends it at once.
type WhenIdleModule = typeof import('../../addin/taskpane/when-idle');

/** A fresh copy of the module (it keeps one wait per page), in a browser that has requestIdleCallback. */
function freshModule(): WhenIdleModule {
  let loaded: WhenIdleModule | undefined;
  jest.isolateModules(() => {
    loaded = jest.requireActual<WhenIdleModule>('../../addin/taskpane/when-idle');
  });
  if (loaded === undefined) throw new Error('when-idle did not load');
  return loaded;
}

/** Whether the promise has settled by now (after the pending microtasks). */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe('whenIdle', () => {
  const idleCallbacks: IdleRequestCallback[] = [];
  beforeEach(() => {
    jest.useFakeTimers();
    idleCallbacks.length = 0;
    window.requestIdleCallback = (callback: IdleRequestCallback) => {
      idleCallbacks.push(callback);
      return idleCallbacks.length;
    };
  });
  afterEach(() => {
    jest.useRealTimers();
    delete (window as { requestIdleCallback?: unknown }).requestIdleCallback;
  });

  const runIdleCallbacks = (): void => {
    for (const callback of idleCallbacks.splice(0)) callback({ didTimeout: false, timeRemaining: () => 50 });
  };

  it('ends once the pane has gone the quiet time without input and the browser is idle', async () => {
    const { whenIdle } = freshModule();
    const idle = whenIdle(500);
    jest.advanceTimersByTime(499);
    expect(idleCallbacks).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(await settled(idle)).toBe(false);
    runIdleCallbacks();
    expect(await settled(idle)).toBe(true);
    // One wait per page: a later call gets the same, ended one.
    expect(await settled(whenIdle(500))).toBe(true);
  });

  it('starts the quiet time over on each keystroke or pointer press', async () => {
    const { whenIdle } = freshModule();
    const idle = whenIdle(500);
    jest.advanceTimersByTime(400);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    jest.advanceTimersByTime(400);
    document.body.dispatchEvent(new Event('pointerdown', { bubbles: true }));
    jest.advanceTimersByTime(400);
    runIdleCallbacks();
    expect(await settled(idle)).toBe(false);
    jest.advanceTimersByTime(100);
    runIdleCallbacks();
    expect(await settled(idle)).toBe(true);
  });

  it('ends at once when idleNow() is called', async () => {
    const { whenIdle, idleNow } = freshModule();
    const idle = whenIdle(500);
    jest.advanceTimersByTime(100);
    idleNow();
    expect(await settled(idle)).toBe(true);
  });

  it('does not wait at all once idleNow() was called before anyone waited', async () => {
    const { whenIdle, idleNow } = freshModule();
    idleNow();
    expect(await settled(whenIdle(500))).toBe(true);
  });
});
