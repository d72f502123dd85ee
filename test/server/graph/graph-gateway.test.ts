// Every gateway method against the sandbox over TLS, with the real msal-node and the real Graph client: what goes
// out ($select, $batch, headers, bodies) and what comes back mapped to the domain's snapshots.
import { GatewayError, type MailboxGateway, type SubscriptionGateway } from '../../../server/domain/mailbox';
import { createGraphGateway } from '../../../server/graph/graph-gateway';
import { demoUsers, startGraphTestbed, type GraphTestbed } from './sandbox-connection';

const anton = 'anton.weber@contoso-sales.example';
const sofia = 'sofia.keller@contoso-sales.example';

/** The sandbox reaches notification URLs through this: it answers Graph's validation request, and accepts the rest. */
const notificationFetch: typeof fetch = (input) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const token = url.searchParams.get('validationToken');
  if (token !== null) return Promise.resolve(new Response(token, { status: 200, headers: { 'content-type': 'text/plain' } }));
  return Promise.resolve(new Response(null, { status: 202 }));
};

let bed: GraphTestbed;
let gateway: MailboxGateway & SubscriptionGateway;

beforeAll(async () => {
  bed = await startGraphTestbed({ fetch: notificationFetch });
  gateway = createGraphGateway(bed.connection);
});
afterAll(() => bed.running.close());

const graphRequests = () => bed.running.sandbox.requestLog.entries().filter((e) => e.url.startsWith('/v1.0/'));
const hour = 60 * 60 * 1000;

describe('mail', () => {
  it('sends a mail with custom headers; the recipient sees them through the message delta of the inbox', async () => {
    const first = await gateway.messagesDelta(demoUsers.antonAe, 'inbox', null);
    await gateway.sendMail(demoUsers.sofiaSdr, {
      to: [{ address: anton, name: 'Anton Weber' }],
      cc: [{ address: 'megan.bauer@contoso-sales.example' }],
      subject: 'Intro: Globex',
      html: '<p>Meet Globex</p>',
      headers: { 'x-baton-handoff': 'h-1' },
    });
    const sent = graphRequests().filter((e) => e.method === 'POST' && e.url.endsWith('/sendMail'));
    expect(sent).toHaveLength(1);
    const next = await gateway.messagesDelta(demoUsers.antonAe, 'inbox', first.cursor);
    expect(next.changed.map((m) => m.subject)).toEqual(['Intro: Globex']);
    const mail = next.changed[0];
    expect(mail?.headers.get('x-baton-handoff')).toBe('h-1');
    expect(mail?.from).toEqual({ address: sofia, name: 'Sofia Keller' });
    expect(mail?.to).toEqual([{ address: anton, name: 'Anton Weber' }]);
    expect(mail?.cc.map((c) => c.address)).toEqual(['megan.bauer@contoso-sales.example']);
    expect(mail?.folder).toBe('inbox');
    expect(mail?.internetMessageId).toMatch(/^<.+@.+>$/);
    expect(next.cursor).not.toBe(first.cursor);
    // The delta read names its fields.
    const deltaCall = bed.seen.filter((s) => s.path.includes('/messages/delta')).at(0);
    expect(decodeURIComponent(deltaCall?.path ?? '')).toContain('$select=id,internetMessageId,conversationId,subject');
  });

  it('sends a mail with a plain-text part as MIME: the recipient gets both alternatives, the headers and a Sent Items copy', async () => {
    const first = await gateway.messagesDelta(demoUsers.antonAe, 'inbox', null);
    const text = 'Week of 30 Nov\n\nHand-offs: 12 (+3)\nAccepted within SLA: 92%';
    await gateway.sendMail(demoUsers.sofiaSdr, {
      to: [{ address: anton, name: 'Anton Weber' }],
      cc: [{ address: 'megan.bauer@contoso-sales.example', name: 'Megan Bauer' }],
      subject: 'Scorecard: Müller & Söhne <week 49>',
      html: '<table><tr><td>Hand-offs</td><td>12</td></tr></table>',
      text,
      headers: { 'x-baton-outbox': 'report:1' },
    });
    const sent = graphRequests().filter((e) => e.method === 'POST' && e.url.endsWith('/sendMail'));
    expect(sent.at(-1)?.status).toBe(202);
    const next = await gateway.messagesDelta(demoUsers.antonAe, 'inbox', first.cursor);
    const mail = next.changed.find((m) => m.subject === 'Scorecard: Müller & Söhne <week 49>');
    expect(mail).toBeDefined();
    expect(mail?.headers.get('x-baton-outbox')).toBe('report:1');
    expect(mail?.to).toEqual([{ address: anton, name: 'Anton Weber' }]);
    expect(mail?.cc).toEqual([{ address: 'megan.bauer@contoso-sales.example', name: 'Megan Bauer' }]);
    const mime = bed.running.sandbox.mail.mime(demoUsers.antonAe, mail?.id ?? '');
    expect(mime).toContain('multipart/alternative');
    // The sender's own text, not a conversion of the HTML.
    for (const line of ['Week of 30 Nov', 'Hand-offs: 12 (+3)', 'Accepted within SLA: 92%']) expect(mime).toContain(line);
    expect(mime).toContain('<td>Hand-offs</td>');
    // The sender keeps it in Sent Items, where the outbox looks for a send that was interrupted.
    const sentItems = await gateway.messagesDelta(demoUsers.sofiaSdr, 'sentitems', null);
    expect(sentItems.changed.some((m) => m.headers.get('x-baton-outbox') === 'report:1')).toBe(true);
  });

  it('refuses a custom header that does not start with x-', async () => {
    await expect(gateway.sendMail(demoUsers.sofiaSdr, { to: [{ address: anton }], subject: 's', html: 'h', headers: { Subject: 'x' } })).rejects.toMatchObject({ code: 'invalid' });
  });

  it('drafts then sends: the draft id and internetMessageId stay those of the sent message (immutable ids)', async () => {
    const { messageId, internetMessageId } = await gateway.draftAndSend(demoUsers.sofiaSdr, { to: [{ address: anton }], subject: 'Drafted intro', html: '<p>x</p>', headers: { 'x-baton-handoff': 'h-2' } });
    expect(internetMessageId).toMatch(/^<.+>$/);
    const sent = await gateway.getMessage(demoUsers.sofiaSdr, messageId);
    expect(sent).toMatchObject({ id: messageId, internetMessageId, subject: 'Drafted intro', isDraft: false });
    expect(sent?.headers.get('x-baton-handoff')).toBe('h-2');
    expect(sent?.sentAt).toBeInstanceOf(Date);
    const posts = graphRequests().filter((e) => e.method === 'POST' && e.url.includes(`/messages`));
    expect(posts.map((e) => e.route)).toEqual(expect.arrayContaining(['/v1.0/users/:user/messages', '/v1.0/users/:user/messages/:id/send']));
  });

  it('reads several messages in one $batch; a missing one is null', async () => {
    const a = await gateway.draftAndSend(demoUsers.sofiaSdr, { to: [{ address: anton }], subject: 'Batch A', html: 'a' });
    const b = await gateway.draftAndSend(demoUsers.sofiaSdr, { to: [{ address: anton }], subject: 'Batch B', html: 'b' });
    const missing = a.messageId.slice(0, -6) + 'AAAAA=';
    const before = bed.seen.length;
    const read = await gateway.getMessages(demoUsers.sofiaSdr, [a.messageId, b.messageId, missing]);
    expect(read.get(a.messageId)?.subject).toBe('Batch A');
    expect(read.get(b.messageId)?.subject).toBe('Batch B');
    expect(read.get(missing)).toBeNull();
    expect(bed.seen.slice(before).map((s) => `${s.method} ${s.path}`)).toEqual(['POST /v1.0/$batch']);
    await expect(gateway.getMessage(demoUsers.sofiaSdr, missing)).resolves.toBeNull();
  });

  it("finds the recipient's own copy of a sent mail by its internetMessageId, with its own webLink, in one request", async () => {
    const { messageId, internetMessageId } = await gateway.draftAndSend(demoUsers.sofiaSdr, { to: [{ address: anton }], subject: "Intro: O'Brien & Co", html: '<p>x</p>' });
    expect(internetMessageId).not.toBeNull();
    const before = bed.seen.length;
    const copy = await gateway.findMessage(demoUsers.antonAe, internetMessageId ?? '');
    expect(bed.seen.slice(before)).toHaveLength(1);
    expect(decodeURIComponent(bed.seen.at(-1)?.path ?? '')).toContain("$filter=internetMessageId eq '<");
    expect(copy).toMatchObject({ internetMessageId, subject: "Intro: O'Brien & Co", folder: null });
    expect(copy?.id).not.toBe(messageId);
    expect(copy?.webLink).toMatch(/^https:\/\//);
    expect(copy?.webLink).not.toBe((await gateway.getMessage(demoUsers.sofiaSdr, messageId))?.webLink);
    await expect(gateway.findMessage(demoUsers.antonAe, "<nobody's@example.com>")).resolves.toBeNull();
  });

  it('reads 45 messages in three $batch requests of at most 20', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await gateway.draftAndSend(demoUsers.liamSdr, { to: [{ address: anton }], subject: `Many ${i}`, html: 'm' })).messageId);
    const asked = Array.from({ length: 45 }, (_, i) => ids[i % 3] ?? '').map((id, i) => (i < 3 ? id : `${id.slice(0, -4)}${String(i).padStart(3, '0')}=`));
    const before = bed.seen.length;
    const read = await gateway.getMessages(demoUsers.liamSdr, asked);
    expect(bed.seen.slice(before).filter((s) => s.path === '/v1.0/$batch')).toHaveLength(3);
    expect([...read.values()].flatMap((m) => (m === null ? [] : [m.subject])).sort()).toEqual(['Many 0', 'Many 1', 'Many 2']);
    expect(read.size).toBe(45);
  });
});

describe('calendar', () => {
  const start = new Date(Date.UTC(2026, 11, 3, 9, 0));
  const end = new Date(start.getTime() + hour);

  it('creates an online meeting with a transactionId, reads it back, updates it, and cancels it', async () => {
    const created = await gateway.createEvent(demoUsers.sofiaSdr, {
      subject: 'Globex intro call',
      html: '<p>agenda</p>',
      start,
      end,
      timeZone: 'Europe/Berlin',
      attendees: [{ address: anton, name: 'Anton Weber' }, { address: 'lead@globex.example', type: 'optional' }],
      location: 'Teams',
      onlineMeeting: true,
      transactionId: 'tx-create-1',
    });
    expect(created).toMatchObject({ subject: 'Globex intro call', start, end, isOrganizer: true, transactionId: 'tx-create-1', isCancelled: false });
    expect(created.iCalUId).toEqual(expect.any(String));
    expect(created.attendees.map((a) => [a.address, a.type])).toEqual([[anton, 'required'], ['lead@globex.example', 'optional']]);
    expect(created.joinUrl).toMatch(/^https:\/\//);
    const post = bed.running.sandbox.requestLog.entries().filter((e) => e.method === 'POST' && e.route === '/v1.0/users/:user/events');
    expect(post.length).toBeGreaterThan(0);

    const read = await gateway.getEvent(demoUsers.sofiaSdr, created.id);
    expect(read).toMatchObject({ id: created.id, iCalUId: created.iCalUId, start, end, response: 'organizer' });
    const getCall = bed.seen.filter((s) => s.method === 'GET' && s.path.includes('/events/')).at(-1);
    expect(decodeURIComponent(getCall?.path ?? '')).toContain('$select=id,iCalUId,subject,start,end,isAllDay,isCancelled,isOrganizer,organizer,attendees,responseStatus');
    expect(getCall?.headers['prefer']).toBe('outlook.timezone="UTC", IdType="ImmutableId"');

    const later = new Date(start.getTime() + 2 * hour);
    const updated = await gateway.updateEvent(demoUsers.sofiaSdr, created.id, { subject: 'Globex intro call (moved)', start: later, end: new Date(later.getTime() + hour), timeZone: 'Europe/Berlin' });
    expect(updated).toMatchObject({ id: created.id, subject: 'Globex intro call (moved)', start: later });

    // The attendee's copy, matched by iCalUId in the attendee's calendar view.
    const antonView = await gateway.calendarView(demoUsers.antonAe, { start: new Date(start.getTime() - 24 * hour), end: new Date(start.getTime() + 24 * hour) });
    expect(antonView.find((e) => e.iCalUId === created.iCalUId)).toMatchObject({ isOrganizer: false, response: 'notResponded' });

    await gateway.cancelEvent(demoUsers.sofiaSdr, created.id, 'Lead went quiet');
    await expect(gateway.getEvent(demoUsers.sofiaSdr, created.id)).resolves.toBeNull();
    await expect(gateway.cancelEvent(demoUsers.sofiaSdr, created.id, 'again')).rejects.toMatchObject({ code: 'not_found', status: 404, graphCode: 'ErrorItemNotFound' });
  });

  it('a create repeated with the same transactionId gives back the first event', async () => {
    const input = { subject: 'Twice', html: 'x', start, end, timeZone: 'UTC', attendees: [], transactionId: 'tx-twice' };
    const one = await gateway.createEvent(demoUsers.danaSdr, input);
    const two = await gateway.createEvent(demoUsers.danaSdr, input);
    expect(two.id).toBe(one.id);
  });

  it('reads events in a $batch with null for the missing; calendarView follows nextLinks across pages', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const s = new Date(Date.UTC(2026, 11, 10, 8 + (i % 8), 0) + Math.floor(i / 8) * 24 * hour);
      ids.push((await gateway.createEvent(demoUsers.jordanAe, { subject: `Slot ${i}`, html: '', start: s, end: new Date(s.getTime() + 30 * 60 * 1000), timeZone: 'America/New_York', attendees: [], transactionId: `tx-slot-${i}` })).id);
    }
    const read = await gateway.getEvents(demoUsers.jordanAe, [...ids, 'AAMkAGmissing=']);
    expect(ids.map((id) => read.get(id)?.subject)).toEqual(ids.map((_, i) => `Slot ${i}`));
    expect(read.get('AAMkAGmissing=')).toBeNull();

    const window = { start: new Date(Date.UTC(2026, 11, 10)), end: new Date(Date.UTC(2026, 11, 12)) };
    const before = bed.seen.length;
    const view = await createGraphGateway(bed.connection, { pageSize: 5 }).calendarView(demoUsers.jordanAe, window);
    const pages = bed.seen.slice(before).filter((s) => s.path.includes('/calendarView'));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.slice(1).every((p) => p.path.includes('skip'))).toBe(true);
    expect(view.filter((e) => e.subject.startsWith('Slot ')).map((e) => e.subject).sort()).toEqual(ids.map((_, i) => `Slot ${i}`).sort());
    const own = bed.running.sandbox.calendar.calendarView(demoUsers.jordanAe, window.start, window.end);
    expect(view).toHaveLength(own.length);
  });

  it('calendar delta: a first round, then only what changed, with deleted events in removed', async () => {
    const window = { start: new Date(Date.UTC(2026, 11, 14)), end: new Date(Date.UTC(2026, 11, 19)) };
    const keep = await gateway.createEvent(demoUsers.priyaAe, { subject: 'Keep', html: '', start: new Date(Date.UTC(2026, 11, 15, 17)), end: new Date(Date.UTC(2026, 11, 15, 18)), timeZone: 'America/Los_Angeles', attendees: [], transactionId: 'tx-keep' });
    const drop = await gateway.createEvent(demoUsers.priyaAe, { subject: 'Drop', html: '', start: new Date(Date.UTC(2026, 11, 16, 17)), end: new Date(Date.UTC(2026, 11, 16, 18)), timeZone: 'America/Los_Angeles', attendees: [], transactionId: 'tx-drop' });
    const first = await gateway.calendarDelta(demoUsers.priyaAe, window, null);
    expect(first.changed.map((e) => e.id)).toEqual(expect.arrayContaining([keep.id, drop.id]));
    expect(first.changed.find((e) => e.id === keep.id)?.start).toEqual(new Date(Date.UTC(2026, 11, 15, 17)));

    await gateway.cancelEvent(demoUsers.priyaAe, drop.id, 'no longer needed');
    const added = await gateway.createEvent(demoUsers.priyaAe, { subject: 'Added', html: '', start: new Date(Date.UTC(2026, 11, 17, 17)), end: new Date(Date.UTC(2026, 11, 17, 18)), timeZone: 'UTC', attendees: [], transactionId: 'tx-added' });
    const second = await gateway.calendarDelta(demoUsers.priyaAe, window, first.cursor);
    expect(second.changed.map((e) => e.id)).toEqual([added.id]);
    expect(second.removed).toEqual([drop.id]);
  });

  it('getSchedule asks 25 mailboxes in two calls and maps Windows zones; a 42-day window is refused before any call', async () => {
    const window = { start: new Date(Date.UTC(2026, 11, 7, 0)), end: new Date(Date.UTC(2026, 11, 8, 0)) };
    const people = [anton, sofia, ...Array.from({ length: 23 }, (_, i) => `nobody${i}@contoso-sales.example`)];
    const before = graphRequests().length;
    const schedules = await gateway.getSchedule(demoUsers.sofiaSdr, people, window, 30);
    const calls = graphRequests().slice(before).filter((e) => e.url.endsWith('/calendar/getSchedule'));
    expect(calls).toHaveLength(2);
    expect(schedules.map((s) => s.scheduleId)).toEqual(people);
    expect(schedules[0]?.workingHours).toMatchObject({ timeZone: 'Europe/Berlin', startTime: expect.stringMatching(/^\d{2}:\d{2}:\d{2}$/) as unknown });
    expect(schedules[0]?.error).toBeNull();
    expect(schedules[2]?.error).toEqual(expect.any(String));

    const n = graphRequests().length;
    await expect(gateway.getSchedule(demoUsers.sofiaSdr, [anton], { start: window.start, end: new Date(window.start.getTime() + 42 * 24 * hour) }, 30)).rejects.toMatchObject({ code: 'invalid' });
    expect(graphRequests()).toHaveLength(n);
  });
});

describe('directory and settings', () => {
  it('mailbox settings with the Windows zone mapped to IANA', async () => {
    const settings = await gateway.mailboxSettings(demoUsers.antonAe);
    expect(settings.timeZone).toBe('Europe/Berlin');
    expect(settings.workingHours?.daysOfWeek).toContain('monday');
    expect(['disabled', 'alwaysEnabled', 'scheduled']).toContain(settings.automaticReplies.status);
    expect((await gateway.mailboxSettings(demoUsers.priyaAe)).timeZone).toBe('America/Los_Angeles');
  });

  it('the manager, or null when there is none', async () => {
    await expect(gateway.manager(demoUsers.antonAe)).resolves.toMatchObject({ id: demoUsers.meganManager, displayName: 'Megan Bauer', mail: expect.stringContaining('@') as unknown });
    await expect(gateway.manager(demoUsers.meganManager)).resolves.toBeNull();
  });
});

describe('subscriptions', () => {
  it('creates, renews, reauthorizes and deletes; deleting an already-gone one succeeds; renewing a gone one is not_found', async () => {
    const now = bed.running.sandbox.clock.now();
    const created = await gateway.createSubscription({
      resource: `/users/${demoUsers.antonAe}/events`,
      changeType: 'created,updated,deleted',
      notificationUrl: 'https://baton.test/graph/notifications',
      lifecycleNotificationUrl: 'https://baton.test/graph/lifecycle',
      clientState: 'secret-state',
      expiresAt: new Date(now.getTime() + 24 * hour),
    });
    expect(created.id).toEqual(expect.any(String));
    expect(created.expiresAt.getTime()).toBeLessThanOrEqual(now.getTime() + 24 * hour);
    const renewed = await gateway.renewSubscription(created.id, new Date(now.getTime() + 48 * hour));
    expect(renewed.expiresAt.getTime()).toBeGreaterThan(created.expiresAt.getTime());
    await gateway.reauthorizeSubscription(created.id);
    await gateway.deleteSubscription(created.id);
    await gateway.deleteSubscription(created.id);
    const gone = await gateway.renewSubscription(created.id, new Date(now.getTime() + 48 * hour)).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(GatewayError);
    expect(gone).toMatchObject({ code: 'not_found', status: 404 });
  });
});
