// Microsoft's own Graph client against the sandbox over TLS, with an msal-node app token: its middleware chain,
// PageIterator following @odata.nextLink across pages, and BatchRequestContent / BatchResponseContent over $batch.
import { ConfidentialClientApplication, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { BatchRequestContent, BatchResponseContent, Client, PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { startSandbox, type RunningSandbox } from '../../../server/sandbox/server';
import { demoUsers } from './harness';

let running: RunningSandbox;
let client: Client;

function networkClient(fetchImpl: typeof fetch): INetworkModule {
  const send = async <T>(url: string, method: 'GET' | 'POST', options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const res = await fetchImpl(url, { method, headers: options?.headers ?? {}, ...(method === 'POST' ? { body: options?.body ?? '' } : {}) });
    return { status: res.status, headers: Object.fromEntries(res.headers), body: (await res.json()) as T };
  };
  return { sendGetRequestAsync: (url, o) => send(url, 'GET', o), sendPostRequestAsync: (url, o) => send(url, 'POST', o) };
}

beforeAll(async () => {
  running = await startSandbox({ port: 0 });
  const { tenantId, apps } = running.sandbox.tenant;
  const msal = new ConfidentialClientApplication({
    auth: { clientId: apps.server.clientId, clientSecret: apps.server.clientSecret, authority: `${running.url}/${tenantId}`, knownAuthorities: [new URL(running.url).host] },
    system: { networkClient: networkClient(running.fetch) },
  });
  client = Client.initWithMiddleware({
    authProvider: {
      getAccessToken: async () => (await msal.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] }))?.accessToken ?? '',
    },
    baseUrl: running.url,
    defaultVersion: 'v1.0',
    customHosts: new Set([new URL(running.url).hostname]),
    fetchOptions: { dispatcher: running.dispatcher } as RequestInit,
  });
});
afterAll(() => running.close());

describe('the official Graph client against the sandbox', () => {
  it('pages through 23 messages with PageIterator, 10 at a time, each exactly once', async () => {
    for (let i = 0; i < 23; i++) {
      await client.api(`/users/${demoUsers.sofiaSdr}/sendMail`).post({
        message: { subject: `Lead ${String(i).padStart(2, '0')}`, body: { contentType: 'text', content: 'hi' }, toRecipients: [{ emailAddress: { address: 'anton.weber@contoso-sales.example' } }] },
      });
    }
    const first = (await client.api(`/users/${demoUsers.antonAe}/mailFolders/inbox/messages`).select('subject').top(10).orderby('subject').get()) as PageCollection;
    expect(first.value).toHaveLength(10);
    expect(first['@odata.nextLink']).toBeDefined();
    const subjects: string[] = [];
    const iterator = new PageIterator(client, first, (m: { subject: string }) => {
      subjects.push(m.subject);
      return true;
    });
    await iterator.iterate();
    expect(subjects).toEqual(Array.from({ length: 23 }, (_, i) => `Lead ${String(i).padStart(2, '0')}`));
  });

  it('sends a $batch built with BatchRequestContent and reads each answer, a failed dependency giving 424', async () => {
    const base = running.url + '/v1.0';
    const batch = new BatchRequestContent([
      { id: '1', request: new Request(`${base}/users/${demoUsers.antonAe}?$select=displayName`, { method: 'GET' }) },
      { id: '2', request: new Request(`${base}/users/${demoUsers.antonAe}/mailboxSettings/timeZone`, { method: 'GET' }) },
      { id: '3', request: new Request(`${base}/users/nobody@contoso-sales.example`, { method: 'GET' }) },
    ]);
    const answer = new BatchResponseContent(await client.api('/$batch').post(await batch.getContent()));
    const user = answer.getResponseById('1');
    expect(user.status).toBe(200);
    expect(await user.json()).toMatchObject({ displayName: 'Anton Weber' });
    expect(await answer.getResponseById('2').json()).toMatchObject({ value: 'W. Europe Standard Time' });
    expect(answer.getResponseById('3').status).toBe(404);

    // The SDK allows a dependency chain ("serial"): the request after a failed one is not run.
    const serial = new BatchRequestContent([
      { id: 'a', request: new Request(`${base}/users/nobody@contoso-sales.example`, { method: 'GET' }) },
      { id: 'b', request: new Request(`${base}/users/${demoUsers.antonAe}/manager`, { method: 'GET' }), dependsOn: ['a'] },
    ]);
    const chained = new BatchResponseContent(await client.api('/$batch').post(await serial.getContent()));
    expect(chained.getResponseById('a').status).toBe(404);
    expect(chained.getResponseById('b').status).toBe(424);
  });
});
