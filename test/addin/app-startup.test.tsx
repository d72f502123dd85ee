// When the pane asks who is signed in (which loads the sign-in library): where it opens on the lead search, once the
// pane has been left alone a moment, so the first keystrokes do not wait; where it opens on an intro or invite, at
// once. Its own file: the wait for a quiet pane happens once per page (a fresh module registry here).
import { act, render } from '@testing-library/react';
import type { ItemKind } from '../../addin/office/ports';
import { App } from '../../addin/taskpane/app';
import { fakeClient, fakeMailbox } from './fixtures/pane';

beforeEach(() => {
  jest.useFakeTimers();
  window.requestIdleCallback = (callback: IdleRequestCallback) =>
    setTimeout(() => {
      callback({ didTimeout: false, timeRemaining: () => 50 });
    }, 0) as unknown as number;
});
afterEach(() => {
  jest.useRealTimers();
  delete (window as { requestIdleCallback?: unknown }).requestIdleCallback;
});

async function flush(): Promise<void> {
  await act(async () => {
    await Promise.resolve();
  });
}

describe('who is signed in, at start', () => {
  it.each<ItemKind>(['message_read', 'appointment_organizer'])('on %s, is asked at once', async (kind) => {
    const client = fakeClient();
    render(<App client={client} mailbox={fakeMailbox(kind)} theme="light" />);
    await flush();
    expect(client.me).toHaveBeenCalledTimes(1);
  });

  it('on a new message, is asked once the pane has gone half a second without input', async () => {
    const client = fakeClient();
    render(<App client={client} mailbox={fakeMailbox('message_compose')} theme="light" />);
    await flush();
    expect(client.me).not.toHaveBeenCalled();
    await act(async () => {
      await jest.advanceTimersByTimeAsync(600);
    });
    expect(client.me).toHaveBeenCalledTimes(1);
  });
});
