// The sandbox's demo page (GET /sandbox/, POST /sandbox/actions/*) as a browser and Graph see it: it lists the
// tenant, shows a user's mail and calendar, and its forms act as the user (reply, respond, add and delete events,
// automatic replies) or on the sandbox (clock, faults); each change is checked through Graph. Also: CSRF tokens,
// loopback-only access, escaping and the Content-Security-Policy.
import { demoUsers, startSandboxHarness, type GraphAnswer, type SandboxHarness } from './harness';

const anton = 'anton.weber@contoso-sales.example';
const jordan = 'jordan.price@contoso-sales.example';
const priya = 'priya.shah@contoso-sales.example';

let h: SandboxHarness;
beforeAll(async () => {
  h = await startSandboxHarness();
});
afterAll(() => h.close());
afterEach(() => {
  h.sb.faults.reset();
});

/** Graph calls with a token fetched now: one test expires every token issued before. */
async function graph(...args: Parameters<SandboxHarness['graph']>): Promise<GraphAnswer> {
  const token = (await h.sb.identity.issueAppToken(h.sb.tenant.apps.server.clientId)).accessToken;
  const [method, url, body, headers] = args;
  return h.graph(method, url, body, { authorization: `Bearer ${token}`, ...headers });
}

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

interface Page {
  status: number;
  html: string;
  headers: Record<string, unknown>;
  cookie: string;
  csrf: string;
}

/** GET the page as a browser would: keeps the session cookie it is given (or the one the page sets). */
async function open(query = '', cookie?: string, inject: { remoteAddress?: string; host?: string } = {}): Promise<Page> {
  const res = await h.app.inject({
    method: 'GET',
    url: `/sandbox/${query}`,
    ...(inject.remoteAddress ? { remoteAddress: inject.remoteAddress } : {}),
    headers: { ...(cookie ? { cookie } : {}), ...(inject.host ? { host: inject.host } : {}) },
  });
  const setCookie = res.headers['set-cookie'];
  const fresh = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0];
  const csrf = /name="csrf" value="([^"]+)"/.exec(res.body)?.[1] ?? '';
  return { status: res.statusCode, html: res.body, headers: res.headers, cookie: cookie ?? fresh ?? '', csrf };
}

/** POSTs a page form; answers the status, the redirect and the notice the next GET shows. */
async function post(page: Pick<Page, 'cookie' | 'csrf'>, action: string, fields: Record<string, string>, headers: Record<string, string> = {}, remoteAddress?: string) {
  const res = await h.app.inject({
    method: 'POST',
    url: `/sandbox/actions/${action}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: page.cookie, ...headers },
    payload: new URLSearchParams({ csrf: page.csrf, ...fields }).toString(),
    ...(remoteAddress ? { remoteAddress } : {}),
  });
  const location = typeof res.headers.location === 'string' ? res.headers.location : '';
  let notice = '';
  if (res.statusCode === 303) {
    const next = await open(location.replace(/^\/sandbox\//, ''), page.cookie);
    notice = decode(/<div class="flash (?:ok|error)"[^>]*>([^<]*)<\/div>/.exec(next.html)?.[1] ?? '');
  }
  return { status: res.statusCode, location, notice, body: res.body };
}

async function sendMail(from: string, to: string, subject: string, extra: Record<string, unknown> = {}) {
  const r = await graph('POST', `/v1.0/users/${from}/sendMail`, { message: { subject, body: { contentType: 'Text', content: 'Hello' }, toRecipients: [{ emailAddress: { address: to } }], ...extra } });
  expect(r.status).toBe(202);
  const inbox = await graph('GET', `/v1.0/users/${to}/mailFolders/inbox/messages?$top=50`);
  const found = (inbox.body.value as Array<{ id: string; subject: string; webLink: string }>).find((m) => m.subject === subject);
  if (!found) throw new Error(`not delivered: ${subject}`);
  return found;
}

async function createMeeting(subject: string, attendees: string[], start = '2026-11-24T10:00:00', end = '2026-11-24T10:30:00') {
  const r = await graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/events`, {
    subject,
    start: { dateTime: start, timeZone: 'W. Europe Standard Time' },
    end: { dateTime: end, timeZone: 'W. Europe Standard Time' },
    attendees: attendees.map((address) => ({ emailAddress: { address }, type: 'required' })),
  });
  expect(r.status).toBe(201);
  return r.body as { id: string; iCalUId: string };
}

async function copyOf(userId: string, iCalUId: string): Promise<{ id: string; responseStatus: { response: string } }> {
  const r = await graph('GET', `/v1.0/users/${userId}/events?$filter=iCalUId eq '${iCalUId}'`);
  expect(r.body.value).toHaveLength(1);
  return r.body.value[0];
}


describe('looking inside the tenant', () => {
  it('lists the users with role, team and automatic replies, under a strict CSP', async () => {
    const page = await open();
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    for (const name of ['Ada Admin', 'Megan Bauer', 'Sofia Keller', 'Anton Weber', 'Elena Rossi', 'Priya Shah']) expect(page.html).toContain(name);
    expect(page.html).toContain('SDR · team emea');
    expect(page.html).toContain('Account executive · team americas');
    expect(page.html).toMatch(/Elena Rossi<\/span> <span class="badge warn">auto-reply on/);
    expect(page.html).not.toMatch(/Anton Weber<\/span> <span class="badge warn">auto-reply on/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    for (const tag of page.html.match(/<(script|style)[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${nonce ?? '?'}"`);
    expect(page.html).not.toMatch(/\son[a-z]+=/i); // no inline event handlers
    expect(String(page.headers['set-cookie'])).toMatch(/^sandbox_page=[A-Za-z0-9_-]{43}; Path=\/sandbox; HttpOnly; SameSite=Strict$/);
  });

  it("shows a message sent to the user in their inbox, with its x-baton-handoff header, and opens it from Graph's webLink", async () => {
    const m = await sendMail(demoUsers.sofiaSdr, anton, 'Hand-off: Fabrikam, 40 seats', { internetMessageHeaders: [{ name: 'x-baton-handoff', value: 'hof_42' }] });
    const inbox = await open(`?user=${demoUsers.antonAe}`);
    expect(inbox.html).toContain('Hand-off: Fabrikam, 40 seats');
    expect(inbox.html).toContain('x-baton-handoff: hof_42');
    expect(inbox.html).toContain('Sofia Keller');
    const sent = await open(`?user=${demoUsers.sofiaSdr}&view=sentitems`);
    expect(sent.html).toContain('Hand-off: Fabrikam, 40 seats');
    // Outlook's webLink form, as the sandbox's messages carry it.
    const link = new URL(m.webLink);
    expect(link.pathname).toBe('/sandbox/');
    const opened = await open(link.search);
    expect(opened.status).toBe(200);
    expect(opened.html).toContain('<h3 id="msg-h">Hand-off: Fabrikam, 40 seats</h3>');
    expect(opened.html).toContain('<dt>x-baton-handoff</dt><dd>hof_42</dd>');
    expect(opened.html).toContain('Sofia Keller &lt;sofia.keller@contoso-sales.example&gt;');
    expect(opened.html).toMatch(/<pre class="body">Hello<\/pre>/);
  });

  it('escapes a subject and names, and shows an HTML body as text, never as markup', async () => {
    const subject = '<script>alert(1)</script> "quoted" & more';
    await graph('POST', `/v1.0/users/${demoUsers.elenaAe}/sendMail`, {
      message: {
        subject,
        body: { contentType: 'HTML', content: '<p>Hi <b>Anton</b></p><img src=x onerror="alert(2)"><script>alert(3)</script><a href="javascript:alert(4)">click</a>' },
        toRecipients: [{ emailAddress: { address: anton, name: '<i>Anton</i>' } }],
      },
    });
    const inbox = await open(`?user=${demoUsers.antonAe}`);
    expect(inbox.html).not.toContain('<script>alert(1)');
    expect(inbox.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; more');
    const id = decode(/href="([^"]*message=[^"]*)"[^>]*>&lt;script&gt;alert\(1\)/.exec(inbox.html)?.[1] ?? '');
    const opened = await open(id.replace(/^\/sandbox\//, ''), inbox.cookie);
    const body = /<pre class="body">([\s\S]*?)<\/pre>/.exec(opened.html)?.[1] ?? '';
    expect(body).toContain('Hi Anton');
    expect(body).toContain('click');
    expect(opened.html).not.toMatch(/<img|<b>Anton|alert\(3\)|javascript:|<i>Anton/);
    expect(opened.html).toContain('&lt;i&gt;Anton&lt;/i&gt;');
  });

  it('shows the next 14 days of a calendar in the user’s zone, with responses, showAs and conflicts', async () => {
    const meeting = await createMeeting('Intro: Contoso x Fabrikam', [jordan]);
    expect(meeting.id).toBeTruthy();
    await graph('POST', `/v1.0/users/${demoUsers.jordanAe}/events`, {
      subject: 'Pipeline review',
      start: { dateTime: '2026-11-24T04:00:00', timeZone: 'Eastern Standard Time' },
      end: { dateTime: '2026-11-24T05:00:00', timeZone: 'Eastern Standard Time' },
    });
    await graph('POST', `/v1.0/users/${demoUsers.jordanAe}/events`, {
      subject: 'Too far away',
      start: { dateTime: '2026-12-20T10:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-12-20T11:00:00', timeZone: 'UTC' },
    });
    const cal = await open(`?user=${demoUsers.jordanAe}&view=calendar`);
    expect(cal.html).toContain('times in America/New_York');
    // 10:00 Berlin is 04:00 New York.
    expect(cal.html).toMatch(/<span class="time">04:00–04:30<\/span><span class="title">Intro: Contoso x Fabrikam<\/span>/);
    expect(cal.html).toContain('Organizer: Sofia Keller');
    expect(cal.html).toContain('you: not responded');
    expect(cal.html).toContain('shown as tentative');
    expect(cal.html).toContain('⚠ Conflicts with Pipeline review');
    expect(cal.html).toContain('⚠ Conflicts with Intro: Contoso x Fabrikam');
    expect(cal.html).not.toContain('Too far away');
  });

  it('answers 404 with a notice for a user not in the tenant', async () => {
    const page = await open('?user=nobody@contoso-sales.example');
    expect(page.status).toBe(404);
    expect(page.html).toContain('No user “nobody@contoso-sales.example” in this tenant.');
  });
});

describe('acting as a user', () => {
  it("posts a reply that lands in the sender's inbox, threaded, and says so", async () => {
    const m = await sendMail(demoUsers.sofiaSdr, anton, 'Can you take Fabrikam?');
    const page = await open(`?user=${demoUsers.antonAe}&message=${encodeURIComponent(m.id)}`);
    const r = await post(page, 'reply', { user: demoUsers.antonAe, view: 'inbox', message: m.id, item: m.id, comment: 'Yes, I take it. <b>Anton</b>', all: '0' });
    expect(r.status).toBe(303);
    expect(r.location).toBe(`/sandbox/?user=${demoUsers.antonAe}&message=${encodeURIComponent(m.id)}`);
    expect(r.notice).toBe('Reply sent as Anton Weber, delivered to Sofia Keller.');
    const inbox = await graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/mailFolders/inbox/messages?$top=50&$select=subject,body,internetMessageHeaders,from`);
    const reply = (inbox.body.value as Array<{ subject: string; body: { content: string }; from: { emailAddress: { address: string } }; internetMessageHeaders?: Array<{ name: string }> }>).find((x) => x.subject === 'RE: Can you take Fabrikam?');
    expect(reply?.from.emailAddress.address).toBe(anton);
    expect(reply?.body.content).toContain('Yes, I take it. &lt;b&gt;Anton&lt;/b&gt;');
    const full = await graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/messages/${encodeURIComponent((inbox.body.value as Array<{ id: string; subject: string }>).find((x) => x.subject === 'RE: Can you take Fabrikam?')?.id ?? '')}?$select=internetMessageHeaders`);
    expect((full.body.internetMessageHeaders as Array<{ name: string }>).map((x) => x.name)).toContain('In-Reply-To');
  });

  it.each([
    { action: 'accept', expected: 'accepted', propose: false },
    { action: 'tentativelyAccept', expected: 'tentativelyAccepted', propose: true },
    { action: 'decline', expected: 'declined', propose: true },
  ])("$action through the page changes the organizer's attendees[].status (proposing a new time: $propose)", async ({ action, expected, propose }) => {
    const meeting = await createMeeting(`Respond ${action}`, [anton, jordan]);
    const copy = await copyOf(demoUsers.antonAe, meeting.iCalUId);
    const page = await open(`?user=${demoUsers.antonAe}&view=calendar`);
    expect(page.html).toContain(`Respond ${action}`);
    const fields: Record<string, string> = { user: demoUsers.antonAe, view: 'calendar', item: copy.id, response: action, comment: 'See you there', notify: 'on' };
    if (propose) Object.assign(fields, { proposeStart: '2026-11-24T15:00', proposeMinutes: '45' });
    const r = await post(page, 'respond', fields);
    expect(r.status).toBe(303);
    expect(r.notice).toMatch(new RegExp(`^(Accepted|Tentatively accepted|Declined) “Respond ${action}” as Anton Weber${propose ? ', proposing a new time' : ''} \\(the organizer is told\\)\\.$`));
    const org = await graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${encodeURIComponent(meeting.id)}`, undefined, { Prefer: 'outlook.timezone="W. Europe Standard Time"' });
    const antonRow = (org.body.attendees as Array<{ emailAddress: { address: string }; status: { response: string }; proposedNewTime?: { start: { dateTime: string } } | null }>).find((a) => a.emailAddress.address === anton);
    expect(antonRow?.status.response).toBe(expected);
    if (propose) expect(antonRow?.proposedNewTime?.start.dateTime).toMatch(/^2026-11-24T15:00:00/);
    const jordanRow = (org.body.attendees as Array<{ emailAddress: { address: string }; status: { response: string } }>).find((a) => a.emailAddress.address === jordan);
    expect(jordanRow?.status.response).toBe('none');
    expect((await copyOf(demoUsers.antonAe, meeting.iCalUId)).responseStatus.response).toBe(expected);
  });

  it("responds without telling the organizer when 'send the response' is off, and refuses a proposal with Accept", async () => {
    const meeting = await createMeeting('Quiet response', [anton]);
    const copy = await copyOf(demoUsers.antonAe, meeting.iCalUId);
    const page = await open(`?user=${demoUsers.antonAe}&view=calendar`);
    const refused = await post(page, 'respond', { user: demoUsers.antonAe, view: 'calendar', item: copy.id, response: 'accept', notify: 'on', proposeStart: '2026-11-24T15:00' });
    expect(refused.notice).toBe('A new time can be proposed with Tentative or Decline, not with Accept.');
    const quiet = await post(page, 'respond', { user: demoUsers.antonAe, view: 'calendar', item: copy.id, response: 'decline' });
    expect(quiet.notice).toContain('(the organizer is not told)');
    expect((await copyOf(demoUsers.antonAe, meeting.iCalUId)).responseStatus.response).toBe('declined');
    const org = await graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${encodeURIComponent(meeting.id)}`);
    expect(org.body.attendees[0].status.response).toBe('none');
  });

  it('adds a phantom event that getSchedule reports as busy, in the user’s own zone', async () => {
    const page = await open(`?user=${demoUsers.priyaAe}&view=calendar`);
    const r = await post(page, 'add-event', { user: demoUsers.priyaAe, view: 'calendar', subject: 'Phantom hold', start: '2026-11-24T10:00', minutes: '60', showAs: 'busy' });
    expect(r.status).toBe(303);
    expect(r.location).toMatch(new RegExp(`^/sandbox/\\?user=${demoUsers.priyaAe}&view=calendar&event=`));
    expect(r.notice).toBe('Added “Phantom hold” to Priya Shah\'s calendar, Tue 24 Nov, 10:00–11:00, busy.');
    const schedule = await graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/calendar/getSchedule`, {
      schedules: [priya],
      startTime: { dateTime: '2026-11-24T09:00:00', timeZone: 'Pacific Standard Time' },
      endTime: { dateTime: '2026-11-24T12:00:00', timeZone: 'Pacific Standard Time' },
      availabilityViewInterval: 60,
    });
    expect(schedule.status).toBe(200);
    expect(schedule.body.value[0].availabilityView).toBe('020');
    expect(schedule.body.value[0].scheduleItems).toEqual([expect.objectContaining({ status: 'busy' })]);
    const cal = await open(r.location.replace(/^\/sandbox\//, ''), page.cookie);
    expect(cal.html).toMatch(/<div class="event busy focus" id="event-[^"]+"><div class="head"><span class="time">10:00–11:00<\/span><span class="title">Phantom hold<\/span>/);
  });

  it('adds a meeting with attendees, then the organizer cancels it and an attendee copy shows cancelled', async () => {
    const page = await open(`?user=${demoUsers.danaSdr}&view=calendar`);
    const added = await post(page, 'add-event', { user: demoUsers.danaSdr, view: 'calendar', subject: 'Page meeting', start: '2026-11-25T09:00', minutes: '30', showAs: 'busy', attendees: `${jordan}, lead@fabrikam.example` });
    expect(added.notice).toContain('invitations sent to 2');
    const id = decodeURIComponent(/event=([^&]+)/.exec(added.location)?.[1] ?? '');
    const org = await graph('GET', `/v1.0/users/${demoUsers.danaSdr}/events/${encodeURIComponent(id)}`);
    const copy = await copyOf(demoUsers.jordanAe, org.body.iCalUId);
    const cancelled = await post(page, 'delete-event', { user: demoUsers.danaSdr, view: 'calendar', item: id, comment: 'Lead went quiet' });
    expect(cancelled.notice).toBe('Cancelled the meeting “Page meeting”; attendees are told.');
    const after = await graph('GET', `/v1.0/users/${demoUsers.jordanAe}/events/${encodeURIComponent(copy.id)}`);
    expect(after.body.isCancelled).toBe(true);
    const jordanPage = await open(`?user=${demoUsers.jordanAe}&view=calendar`, page.cookie);
    expect(jordanPage.html).toMatch(/class="event \w+ cancelled[^"]*"[^>]*>.*Page meeting/);
  });

  it('deletes an attendee copy and declines to the organizer', async () => {
    const meeting = await createMeeting('Delete me', [anton]);
    const copy = await copyOf(demoUsers.antonAe, meeting.iCalUId);
    const page = await open(`?user=${demoUsers.antonAe}&view=calendar`);
    const r = await post(page, 'delete-event', { user: demoUsers.antonAe, view: 'calendar', item: copy.id, notify: 'on' });
    expect(r.notice).toBe('Deleted “Delete me” from Anton Weber\'s calendar.');
    expect((await graph('GET', `/v1.0/users/${demoUsers.antonAe}/events/${encodeURIComponent(copy.id)}`)).status).toBe(404);
    const org = await graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${encodeURIComponent(meeting.id)}`);
    expect(org.body.attendees[0].status.response).toBe('declined');
  });

  it('sends a new message and switches automatic replies, as Graph then shows them', async () => {
    const page = await open(`?user=${demoUsers.liamSdr}&view=compose`);
    const sent = await post(page, 'send', { user: demoUsers.liamSdr, view: 'compose', to: priya, subject: 'From the page', body: 'Plain text' });
    expect(sent.notice).toBe('Sent “From the page” as Liam Novak to 1 tenant mailbox.');
    expect(sent.location).toMatch(/view=sentitems&message=/);
    const inbox = await graph('GET', `/v1.0/users/${demoUsers.priyaAe}/mailFolders/inbox/messages?$filter=subject eq 'From the page'`);
    expect(inbox.body.value).toHaveLength(1);
    const on = await post(page, 'auto-replies', { user: demoUsers.liamSdr, state: 'on', message: 'Away <today>' });
    expect(on.notice).toBe('Automatic replies on for Liam Novak.');
    let settings = await graph('GET', `/v1.0/users/${demoUsers.liamSdr}/mailboxSettings/automaticRepliesSetting`);
    expect(settings.body).toMatchObject({ status: 'alwaysEnabled', internalReplyMessage: '<p>Away &lt;today&gt;</p>' });
    expect((await open('', page.cookie)).html).toMatch(/Liam Novak<\/span> <span class="badge warn">auto-reply on/);
    await post(page, 'auto-replies', { user: demoUsers.liamSdr, state: 'off' });
    settings = await graph('GET', `/v1.0/users/${demoUsers.liamSdr}/mailboxSettings/automaticRepliesSetting`);
    expect(settings.body.status).toBe('disabled');
  });

  it.each<{ action: string; fields: Record<string, string>; notice: RegExp }>([
    { action: 'reply', fields: { item: 'AAMkAnotThere', comment: 'x' }, notice: /not found/i },
    { action: 'reply', fields: { item: 'bad id', comment: 'x' }, notice: /malformed/i },
    { action: 'reply', fields: { item: 'AAMkAnotThere' }, notice: /The reply text is required\./ },
    { action: 'add-event', fields: { subject: 'x', start: 'tomorrow', minutes: '30' }, notice: /The start is not a date and time\./ },
    { action: 'add-event', fields: { subject: 'x', start: '2026-11-24T10:00', minutes: '0' }, notice: /Minutes must be a whole number from 5 to 1440\./ },
    { action: 'add-event', fields: { subject: 'x', start: '2026-11-24T10:00', minutes: '30', showAs: 'asleep' }, notice: /Unknown “show as” value\./ },
    { action: 'send', fields: { to: 'not-an-address' }, notice: /“not-an-address” is not an email address/ },
    { action: 'respond', fields: { item: 'AAMkAnotThere', response: 'maybe' }, notice: /Pick Accept, Tentative or Decline\./ },
  ])('answers bad $action input with a notice, not a crash ($notice)', async ({ action, fields, notice }) => {
    const page = await open(`?user=${demoUsers.antonAe}`);
    const r = await post(page, action, { user: demoUsers.antonAe, ...fields });
    expect(r.status).toBe(303);
    expect(r.notice).toMatch(notice);
  });

  it('asks for a user before acting as one', async () => {
    const page = await open();
    const r = await post(page, 'reply', { item: 'AAMkAnotThere', comment: 'x' });
    expect(r.notice).toBe('Pick a user first.');
  });
});

describe('the sandbox controls', () => {
  it('advances the clock by 1 h, 8 h and a day', async () => {
    const page = await open();
    for (const [minutes, label] of [['60', '1 h'], ['480', '8 h'], ['1440', '1 day']] as const) {
      const before = h.sb.clock.now().getTime();
      const r = await post(page, 'clock', { minutes });
      expect(r.notice).toMatch(new RegExp(`^Clock moved forward ${label}: it is now `));
      expect(h.sb.clock.now().getTime() - before).toBeGreaterThanOrEqual(Number(minutes) * 60_000);
      expect(h.sb.clock.now().getTime() - before).toBeLessThan(Number(minutes) * 60_000 + 5_000);
    }
    expect((await post(page, 'clock', { minutes: '-5' })).notice).toMatch(/whole number/);
  });

  it('starts and stops a 429 storm and 503s, on one mailbox or all', async () => {
    const page = await open(`?user=${demoUsers.antonAe}`);
    await post(page, 'faults', { user: demoUsers.antonAe, switch: 'throttle', op: 'start', share: '100', retryAfter: '7', onlySelected: 'on' });
    const throttled = await graph('GET', `/v1.0/users/${demoUsers.antonAe}/mailboxSettings`);
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('7');
    expect((await graph('GET', `/v1.0/users/${demoUsers.elenaAe}/mailboxSettings`)).status).toBe(200);
    expect((await open(`?user=${demoUsers.antonAe}`, page.cookie)).html).toContain('Injected 429s</dt><dd>1</dd>');
    await post(page, 'faults', { switch: 'throttle', op: 'stop' });
    expect((await graph('GET', `/v1.0/users/${demoUsers.antonAe}/mailboxSettings`)).status).toBe(200);

    const started = await post(page, 'faults', { switch: 'serverErrors', op: 'start', share: '100', status: '503' });
    expect(started.notice).toBe('Server errors started: 100% of Graph requests answer 503.');
    expect((await graph('GET', `/v1.0/users/${demoUsers.elenaAe}/mailboxSettings`)).status).toBe(503);
    await post(page, 'faults', { switch: 'reset', op: 'reset' });
    expect(h.sb.faults.settings().serverErrors).toBeNull();
  });

  it('sets dropped notifications and latency, and refuses out-of-range values', async () => {
    const page = await open();
    await post(page, 'faults', { switch: 'notifications', op: 'apply', drop: '100', duplicate: '0', delayMs: '0' });
    expect(h.sb.faults.settings().notifications.dropShare).toBe(1);
    expect(h.sb.faults.notificationFate()).toBe('drop');
    await post(page, 'faults', { switch: 'latency', op: 'apply', latencyMs: '25' });
    expect(h.sb.faults.settings().latencyMs).toBe(25);
    const bad = await post(page, 'faults', { switch: 'throttle', op: 'start', share: '150' });
    expect(bad.notice).toBe('Share must be a whole number from 1 to 100.');
    expect(h.sb.faults.settings().throttle).toBeNull();
  });

  it('expires delta tokens and access tokens', async () => {
    const delta = await graph('GET', `/v1.0/users/${demoUsers.antonAe}/mailFolders/inbox/messages/delta`);
    let link: string = delta.body['@odata.deltaLink'] ?? '';
    while (link === '') {
      const next = await graph('GET', new URL(delta.body['@odata.nextLink']).pathname + new URL(delta.body['@odata.nextLink']).search);
      link = next.body['@odata.deltaLink'] ?? '';
    }
    await sendMail(demoUsers.sofiaSdr, anton, 'A change after the delta link');
    const page = await open();
    const oldToken = (await h.sb.identity.issueAppToken(h.sb.tenant.apps.server.clientId)).accessToken;
    expect((await post(page, 'fault-action', { kind: 'expireDeltaTokens' })).notice).toContain('410 SyncStateNotFound');
    const u = new URL(link);
    expect((await graph('GET', u.pathname + u.search)).status).toBe(410);
    h.sb.clock.advance(2000);
    expect((await post(page, 'fault-action', { kind: 'expireTokens' })).notice).toContain('(401)');
    const refused = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}`, undefined, { authorization: `Bearer ${oldToken}` });
    expect(refused.status).toBe(401);
    expect((await post(page, 'fault-action', { kind: 'missed', subscriptionId: 'nope' })).notice).not.toBe('');
  });

  it('shows request-log counts and clears them', async () => {
    h.sb.requestLog.clear();
    await graph('GET', `/v1.0/users/${demoUsers.antonAe}/mailboxSettings`);
    await graph('GET', `/v1.0/users/${demoUsers.antonAe}/mailboxSettings`);
    const page = await open();
    expect(page.html).toContain('<strong>2</strong> Graph requests');
    expect(page.html).toContain('GET /v1.0/users/:user/mailboxSettings</dt><dd>2</dd>');
    expect(page.html).toContain('<dt>Anton Weber</dt><dd>2</dd>');
    await post(page, 'requests-clear', {});
    expect(h.sb.requestLog.counts().total).toBe(0);
  });
});

describe('refusals', () => {
  it.each<{ name: string; fields: Record<string, string>; headers: Record<string, string> }>([
    { name: 'no token', fields: { csrf: '' }, headers: {} },
    { name: 'a forged token', fields: { csrf: 'A'.repeat(43) }, headers: {} },
    { name: 'no session cookie', fields: {}, headers: { cookie: '' } },
    { name: 'another session’s token', fields: {}, headers: { cookie: `sandbox_page=${'B'.repeat(43)}` } },
    { name: 'a cross-site fetch', fields: {}, headers: { 'sec-fetch-site': 'cross-site' } },
    { name: 'another origin', fields: {}, headers: { origin: 'https://evil.example' } },
  ])('refuses a POST with $name (403) and changes nothing', async ({ fields, headers }) => {
    const page = await open();
    const before = h.sb.clock.now().getTime();
    const r = await post(page, 'clock', { minutes: '600', ...fields }, headers);
    expect(r.status).toBe(403);
    expect(r.body).toContain('Forbidden');
    expect(h.sb.clock.now().getTime() - before).toBeLessThan(60_000);
  });

  it('accepts a same-origin POST that carries Origin and Sec-Fetch-Site', async () => {
    const page = await open();
    const r = await post(page, 'clock', { minutes: '1' }, { origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' });
    expect(r.status).toBe(303);
  });

  it('refuses requests from a non-loopback address or for a non-loopback host name', async () => {
    const remote = await open('', undefined, { remoteAddress: '10.1.2.3' });
    expect(remote.status).toBe(403);
    expect(remote.html).toContain('loopback callers only');
    expect(remote.csrf).toBe('');
    const page = await open();
    const before = h.sb.clock.now().getTime();
    const r = await post(page, 'clock', { minutes: '600' }, {}, '192.168.1.20');
    expect(r.status).toBe(403);
    expect(h.sb.clock.now().getTime() - before).toBeLessThan(60_000);
    const rebound = await open('', undefined, { host: 'attacker.example:3100' });
    expect(rebound.status).toBe(403);
    expect((await open('', undefined, { host: '127.0.0.1:3100' })).status).toBe(200);
    expect((await open('', undefined, { host: '[::1]:3100' })).status).toBe(200);
  });

  it('answers an unknown action 404 and a non-form body 415, as pages', async () => {
    const page = await open();
    expect((await post(page, 'explode', {})).status).toBe(404);
    const json = await h.app.inject({ method: 'POST', url: '/sandbox/actions/clock', headers: { 'content-type': 'application/json', cookie: page.cookie }, payload: JSON.stringify({ csrf: page.csrf, minutes: '60' }) });
    expect(json.statusCode).toBe(415);
    expect(json.headers['content-type']).toMatch(/^text\/html/);
    const before = h.sb.clock.now().getTime();
    const get = await h.app.inject({ method: 'GET', url: '/sandbox/actions/clock?minutes=600' });
    expect(get.statusCode).not.toBe(200);
    expect(h.sb.clock.now().getTime() - before).toBeLessThan(60_000);
  });
});
