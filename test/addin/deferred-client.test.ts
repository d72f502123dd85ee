// The API client of the pane's first chunk: nothing of the real client loads before it is asked for (or before what
// it waits for), calls made meanwhile are answered once it is there, and the real client does the work.
import { createDeferredApiClient } from '../../addin/api/deferred-client';
import type { FetchLike } from '../../addin/api/client';
import { aMe } from './fixtures/leads';

function jsonFetch(body: unknown): jest.MockedFunction<FetchLike> {
  return jest.fn<ReturnType<FetchLike>, Parameters<FetchLike>>(() =>
    Promise.resolve({ ok: true, status: 200, statusText: 'OK', text: () => Promise.resolve(JSON.stringify(body)) }),
  );
}

describe('createDeferredApiClient', () => {
  it('waits for `notBefore`, then answers the calls made meanwhile through the real client', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fetch = jsonFetch(aMe());
    const client = createDeferredApiClient({ baseUrl: 'https://baton.test/', getToken: () => Promise.resolve('t'), fetch, notBefore: () => gate });
    const me = client.me();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fetch).not.toHaveBeenCalled();
    release();
    await expect(me).resolves.toMatchObject({ user: { displayName: 'Sam Doe' } });
    expect(fetch).toHaveBeenCalledWith('https://baton.test/api/me', expect.objectContaining({ method: 'GET' }));
  });

  it('checks answers against the contract as the real client does', async () => {
    const client = createDeferredApiClient({ baseUrl: 'https://baton.test', getToken: () => Promise.resolve('t'), fetch: jsonFetch({ user: 'nobody' }) });
    await expect(client.me()).rejects.toMatchObject({ name: 'ApiError', code: 'invalid_response' });
  });
});
