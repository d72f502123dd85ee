// The API client against a fake fetch: the bearer header and URLs it sends, the contract's zod schemas applied to
// answers, error bodies turned into ApiError (code, field, status, extras), and network, token and abort failures.
import { ApiError, createApiClient, type FetchLike, type FetchResponse } from '../../addin/api/client';
import { aLead, aMe, aPage } from './fixtures/leads';

interface Sent {
  url: string;
  init: RequestInit;
}

function answer(status: number, body: unknown, statusText = ''): FetchResponse {
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText,
    text: () => Promise.resolve(typeof body === 'string' ? body : JSON.stringify(body)),
  };
}

/** A fake fetch answering from a queue, recording every request. */
function fakeFetch(...answers: (FetchResponse | Error)[]): { fetch: FetchLike; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: FetchLike = (url, init) => {
    sent.push({ url, init });
    const next = answers.shift();
    if (next === undefined) return Promise.reject(new Error('no more answers queued'));
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return { fetch, sent };
}

function clientWith(fetch: FetchLike, getToken = () => Promise.resolve('tok-123')) {
  return createApiClient({ baseUrl: 'https://baton.example/', getToken, fetch });
}

function header(request: Sent | undefined, name: string): string | undefined {
  return (request?.init.headers as Record<string, string> | undefined)?.[name];
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('createApiClient', () => {
  it('sends the bearer token and parses /api/me', async () => {
    const { fetch, sent } = fakeFetch(answer(200, aMe()));
    const me = await clientWith(fetch).me();
    expect(me.user.displayName).toBe('Sam Doe');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe('https://baton.example/api/me');
    expect(sent[0]?.init.method).toBe('GET');
    expect(header(sent[0], 'Authorization')).toBe('Bearer tok-123');
    expect(sent[0]?.init.body).toBeUndefined();
  });

  it('builds the search query and returns the page', async () => {
    const lead = aLead();
    const { fetch, sent } = fakeFetch(answer(200, aPage([lead], true)));
    const page = await clientWith(fetch).searchLeads({ q: 'anna b&c', limit: 20, offset: 40 });
    expect(sent[0]?.url).toBe('https://baton.example/api/leads?q=anna+b%26c&limit=20&offset=40');
    expect(page.items.map((l) => l.id)).toEqual([lead.id]);
    expect(page.hasMore).toBe(true);
  });

  it('sends JSON bodies to the write routes, with the id in the path', async () => {
    const lead = aLead();
    const { fetch, sent } = fakeFetch(answer(201, lead), answer(200, lead), answer(200, lead), answer(200, { items: [] }));
    const client = clientWith(fetch);
    await client.createLead({ contactName: 'Anna Berg', email: 'anna@acme.example', companyName: 'Acme' });
    await client.updateLead(lead.id, { version: 1, notes: 'called' });
    await client.transitionLead(lead.id, { to: 'qualified' });
    await client.leadAudit(lead.id);
    expect(sent.map((s) => `${s.init.method ?? ''} ${s.url.replace('https://baton.example', '')}`)).toEqual([
      'POST /api/leads',
      `PATCH /api/leads/${lead.id}`,
      `POST /api/leads/${lead.id}/transitions`,
      `GET /api/leads/${lead.id}/audit`,
    ]);
    expect(header(sent[0], 'Content-Type')).toBe('application/json');
    expect(JSON.parse(sent[2]?.init.body as string)).toEqual({ to: 'qualified' });
  });

  it('turns an error body into an ApiError with code, field and status', async () => {
    const { fetch } = fakeFetch(
      answer(400, { error: { code: 'invalid_request', message: 'email: not an email address', field: 'email' } }),
    );
    const error = await failure(clientWith(fetch).createLead({ contactName: 'A', email: 'nope', companyName: 'B' }));
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('invalid_request');
    expect(error.field).toBe('email');
    expect(error.status).toBe(400);
    expect(error.message).toBe('email: not an email address');
  });

  it('keeps the extras of an error body (owner, leadId, missing)', async () => {
    const { fetch } = fakeFetch(
      answer(409, {
        error: {
          code: 'lead_owned_elsewhere',
          message: 'Another SDR owns this lead.',
          owner: { id: 'u-2', name: 'Kim Lee' },
          leadId: 'l-9',
        },
      }),
      answer(409, {
        error: {
          code: 'not_qualified',
          message: 'The lead is not qualified yet.',
          missing: [{ field: 'budget', rule: 'budget_known', label: 'Budget known' }],
        },
      }),
    );
    const client = clientWith(fetch);
    const owned = await failure(client.createLead({ contactName: 'A', email: 'a@b.example', companyName: 'B' }));
    expect(owned.owner).toEqual({ id: 'u-2', name: 'Kim Lee' });
    expect(owned.leadId).toBe('l-9');
    const notQualified = await failure(client.transitionLead('l-9', { to: 'suspect' }));
    expect(notQualified.code).toBe('not_qualified');
    expect(notQualified.missing?.map((m) => m.label)).toEqual(['Budget known']);
  });

  it('keeps the hand-off extras of an error body (away and backup, the hand-off in progress)', async () => {
    const away = {
      error: {
        code: 'ae_away',
        message: "Alex Ae's automatic replies are on.",
        field: 'aeId',
        away: { status: 'scheduled', start: '2026-11-20T00:00:00Z', end: '2026-11-30T00:00:00Z' },
        backup: { id: 'b-1', displayName: 'Avery Ae' },
      },
    };
    const exists = { error: { code: 'handoff_exists', message: 'This lead already has a hand-off in progress.', field: 'leadId', handoffId: 'h-9' } };
    const { fetch, sent } = fakeFetch(answer(409, away), answer(409, exists));
    const client = clientWith(fetch);
    const first = await failure(client.startHandoff({ leadId: '00000000-0000-4000-8000-000000000001' }));
    expect(first).toMatchObject({ status: 409, code: 'ae_away', backup: { id: 'b-1', displayName: 'Avery Ae' } });
    expect(first.away?.end).toBe('2026-11-30T00:00:00Z');
    const second = await failure(client.startHandoff({ leadId: '00000000-0000-4000-8000-000000000001', useBackup: true }));
    expect(second).toMatchObject({ code: 'handoff_exists', handoffId: 'h-9' });
    expect(sent.map((r) => `${String(r.init.method)} ${r.url} ${typeof r.init.body === 'string' ? r.init.body : ''}`)).toEqual([
      'POST https://baton.example/api/handoffs {"leadId":"00000000-0000-4000-8000-000000000001"}',
      'POST https://baton.example/api/handoffs {"leadId":"00000000-0000-4000-8000-000000000001","useBackup":true}',
    ]);
  });

  it('calls the hand-off routes the pane uses, with the id in the path', async () => {
    const reasons = { items: [{ code: 'no_budget', label: 'No budget' }] };
    const draft = { attendees: [], subject: 'Meet', html: '<p>x</p>', text: 'x', slots: [], warnings: [] };
    const { fetch, sent } = fakeFetch(answer(200, reasons), answer(200, draft), answer(200, { items: [] }), answer(200, { items: [] }));
    const client = clientWith(fetch);
    expect(await client.handBackReasons()).toEqual(reasons);
    expect(await client.inviteDraft('h 1')).toEqual(draft);
    expect(await client.listHandoffs()).toEqual({ items: [] });
    expect(await client.listFollowups('l-1')).toEqual({ items: [] });
    expect(sent.map((r) => r.url)).toEqual([
      'https://baton.example/api/hand-back-reasons',
      'https://baton.example/api/handoffs/h%201/invite-draft',
      'https://baton.example/api/handoffs?mine=true',
      'https://baton.example/api/leads/l-1/followups',
    ]);
  });

  it('reports a failure answer without the contract body by its status', async () => {
    const { fetch } = fakeFetch(answer(502, '<html>Bad gateway</html>', 'Bad Gateway'));
    const error = await failure(clientWith(fetch).me());
    expect(error.code).toBe('http_502');
    expect(error.status).toBe(502);
    expect(error.message).toContain('502 Bad Gateway');
  });

  it('rejects an answer that breaks the contract (zod parse)', async () => {
    const broken = { ...aLead(), status: 'lost' };
    const { fetch } = fakeFetch(answer(200, broken), answer(200, 'not json'));
    const client = clientWith(fetch);
    const error = await failure(client.getLead(broken.id));
    expect(error.code).toBe('invalid_response');
    expect(error.status).toBe(200);
    expect(error.message).toContain('status');
    expect((await failure(client.me())).code).toBe('invalid_response');
  });

  it('maps a network failure to code `network`', async () => {
    const { fetch } = fakeFetch(new TypeError('Failed to fetch'));
    const error = await failure(clientWith(fetch).me());
    expect(error.code).toBe('network');
    expect(error.status).toBe(0);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('maps an aborted request to code `aborted`', async () => {
    const controller = new AbortController();
    const fetch: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => {
          reject(new DOMException('The operation was aborted.', 'AbortError'));
        });
      });
    const pending = clientWith(fetch).searchLeads({ q: 'a' }, { signal: controller.signal });
    await Promise.resolve();
    await Promise.resolve();
    controller.abort();
    expect((await failure(pending)).code).toBe('aborted');
  });

  it('reports a token failure with its message and sends nothing', async () => {
    const { fetch, sent } = fakeFetch(answer(200, aMe()));
    const error = await failure(clientWith(fetch, () => Promise.reject(new Error('You are not signed in to Office.'))).me());
    expect(error.code).toBe('token');
    expect(error.message).toBe('You are not signed in to Office.');
    expect(sent).toHaveLength(0);
  });
});
