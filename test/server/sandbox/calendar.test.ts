// The sandbox calendar as a Graph client sees it: events and meetings (organizer and attendee copies, one iCalUId,
// meeting requests, responses and cancellations as eventMessages), time zones, calendarView and its delta, the
// documentation's examples replayed, and bad input answered with Graph's statuses and codes.
 
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JsonObject } from '../../../server/sandbox/odata';
import { demoUsers, startSandboxHarness, type GraphAnswer, type SandboxHarness } from './harness';

const examplesDir = path.resolve(__dirname, '../../../../shared/graph/examples');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- example files are JSON read field by field
const example = (name: string): any => JSON.parse(fs.readFileSync(path.join(examplesDir, `${name}.json`), 'utf8'));

const anton = 'anton.weber@contoso-sales.example';
const elena = 'elena.rossi@contoso-sales.example';
const lead = 'lead@fabrikam.example';
const pst = { Prefer: 'outlook.timezone="Pacific Standard Time"' };

// A fresh sandbox per test; the signing key is made once per file (key generation is the slow part).
let h: SandboxHarness;
let dataDir: string;
beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-calendar-'));
});
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  h = await startSandboxHarness({ dataDir });
});
afterEach(() => h.close());

function meetingBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subject: 'Intro: Fabrikam',
    body: { contentType: 'HTML', content: '<p>Meet the lead</p>' },
    start: { dateTime: '2026-11-24T10:00:00', timeZone: 'W. Europe Standard Time' },
    end: { dateTime: '2026-11-24T10:30:00', timeZone: 'W. Europe Standard Time' },
    location: { displayName: 'Teams' },
    attendees: [
      { emailAddress: { address: anton, name: 'Anton Weber' }, type: 'required' },
      { emailAddress: { address: lead, name: 'Pat Lead' }, type: 'required' },
    ],
    ...overrides,
  };
}

async function createMeeting(overrides: Record<string, unknown> = {}, organizer: string = demoUsers.sofiaSdr): Promise<GraphAnswer> {
  const r = await h.graph('POST', `/v1.0/users/${organizer}/events`, meetingBody(overrides));
  expect(r.status).toBe(201);
  return r;
}

/** The attendee's copy of a meeting, found as a client would: by iCalUId. */
async function copyOf(userId: string, iCalUId: string): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await h.graph('GET', `/v1.0/users/${userId}/events?$filter=iCalUId eq '${iCalUId}'`);
  expect(r.status).toBe(200);
  expect(r.body.value).toHaveLength(1);
  return r.body.value[0];
}

async function folder(userId: string, name: 'inbox' | 'sentitems'): Promise<Array<Record<string, any>>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await h.graph('GET', `/v1.0/users/${userId}/mailFolders/${name}/messages?$top=50`);
  expect(r.status).toBe(200);
  return r.body.value;
}

/** Every key of the documented answer exists (any case) on ours, with the same JSON type where both have a value. */
function expectShape(actual: unknown, documented: unknown, at = '$'): void {
  if (documented === null || typeof documented !== 'object') {
    if (documented !== null && actual !== null && typeof documented !== 'string') expect([at, typeof actual]).toEqual([at, typeof documented]);
    return;
  }
  if (Array.isArray(documented)) {
    expect([at, Array.isArray(actual)]).toEqual([at, true]);
    if (documented.length > 0 && Array.isArray(actual) && actual.length > 0) expectShape(actual[0], documented[0], `${at}[0]`);
    return;
  }
  expect([at, typeof actual]).toEqual([at, 'object']);
  const got = actual as Record<string, unknown>;
  for (const [key, value] of Object.entries(documented)) {
    if (/^calendar@odata\./.test(key)) continue; // navigation links to the calendar resource: not served
    const mine = Object.keys(got).find((k) => k.toLowerCase() === key.toLowerCase());
    expect([`${at}.${key}`, mine !== undefined]).toEqual([`${at}.${key}`, true]);
    if (mine !== undefined) expectShape(got[mine], value, `${at}.${key}`);
  }
}

describe('creating events', () => {
  it("answers 201 with the organizer's full event, in the event's own zone", async () => {
    const r = await createMeeting({ transactionId: 'tx-1' });
    expect(r.body).toMatchObject({
      '@odata.context': `https://sandbox.test/v1.0/$metadata#users('${demoUsers.sofiaSdr}')/events/$entity`,
      '@odata.etag': `W/"${r.body.changeKey}"`,
      subject: 'Intro: Fabrikam',
      bodyPreview: 'Meet the lead',
      body: { contentType: 'html', content: expect.stringContaining('<p>Meet the lead</p>') },
      start: { dateTime: '2026-11-24T10:00:00.0000000', timeZone: 'W. Europe Standard Time' },
      end: { dateTime: '2026-11-24T10:30:00.0000000', timeZone: 'W. Europe Standard Time' },
      originalStartTimeZone: 'W. Europe Standard Time',
      originalEndTimeZone: 'W. Europe Standard Time',
      isAllDay: false,
      isCancelled: false,
      isOrganizer: true,
      showAs: 'busy',
      type: 'singleInstance',
      transactionId: 'tx-1',
      sensitivity: 'normal',
      responseRequested: true,
      isReminderOn: true,
      reminderMinutesBeforeStart: 15,
      responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
      organizer: { emailAddress: { name: 'Sofia Keller', address: 'sofia.keller@contoso-sales.example' } },
      location: { displayName: 'Teams', locationType: 'default', uniqueId: 'Teams', uniqueIdType: 'private' },
      locations: [{ displayName: 'Teams', locationType: 'default', uniqueId: '', uniqueIdType: 'unknown' }],
      attendees: [
        { type: 'required', status: { response: 'none', time: '0001-01-01T00:00:00Z' }, emailAddress: { name: 'Anton Weber', address: anton } },
        { type: 'required', status: { response: 'none', time: '0001-01-01T00:00:00Z' }, emailAddress: { name: 'Pat Lead', address: lead } },
      ],
      isOnlineMeeting: false,
      onlineMeeting: null,
    });
    expect(r.body.id).toMatch(/^AAMk[A-Za-z0-9_-]+=*$/);
    expect(r.body.iCalUId).toMatch(/^040000008200E00074C5B7101A82E008[0-9A-F]+$/);
    expect(r.body.createdDateTime).toMatch(/^2026-11-23T08:00:\d{2}\.\d{7}Z$/);
    expect(r.body.webLink).toBe(`https://outlook.office365.com/owa/?itemid=${encodeURIComponent(r.body.id)}&exvsurl=1&path=/calendar/item`);
    expect(r.body).not.toHaveProperty('uid'); // not in the v1.0 schema
  });

  it('renders start and end in the Prefer: outlook.timezone zone and says so', async () => {
    const r = await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/events`, meetingBody(), pst);
    expect(r.headers['preference-applied']).toBe('outlook.timezone="Pacific Standard Time"');
    expect(r.body.start).toEqual({ dateTime: '2026-11-24T01:00:00.0000000', timeZone: 'Pacific Standard Time' });
    const iana = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${r.body.id}`, undefined, { Prefer: 'outlook.timezone="Asia/Tokyo"' });
    expect(iana.body.start).toEqual({ dateTime: '2026-11-24T18:00:00.0000000', timeZone: 'Asia/Tokyo' });
    const utc = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${r.body.id}`);
    expect(utc.headers['preference-applied']).toBeUndefined();
    expect(utc.body.start).toEqual({ dateTime: '2026-11-24T09:00:00.0000000', timeZone: 'UTC' });
    const text = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${r.body.id}?$select=body`, undefined, { Prefer: 'outlook.body-content-type="text"' });
    expect(text.body.body).toEqual({ contentType: 'text', content: expect.stringContaining('Meet the lead') });
    expect(text.body.body.content).not.toContain('<p>');
  });

  it("gives each tenant attendee a copy (same iCalUId, notResponded) and a meeting request; the organizer's Sent Items keeps one", async () => {
    const org = (await createMeeting()).body;
    const copy = await copyOf(demoUsers.antonAe, org.iCalUId);
    expect(copy).toMatchObject({
      iCalUId: org.iCalUId,
      isOrganizer: false,
      showAs: 'tentative',
      responseStatus: { response: 'notResponded', time: '0001-01-01T00:00:00Z' },
      subject: 'Intro: Fabrikam',
      organizer: org.organizer,
    });
    expect(copy.id).not.toBe(org.id);

    const inbox = await folder(demoUsers.antonAe, 'inbox');
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({
      '@odata.type': '#microsoft.graph.eventMessageRequest',
      meetingMessageType: 'meetingRequest',
      meetingRequestType: 'newMeetingRequest',
      subject: 'Intro: Fabrikam',
      from: { emailAddress: { address: 'sofia.keller@contoso-sales.example' } },
      startDateTime: { dateTime: '2026-11-24T09:00:00.0000000', timeZone: 'UTC' },
      isOutOfDate: false,
      responseRequested: true,
    });
    const expanded = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/messages/${inbox[0]?.id}?$expand=microsoft.graph.eventMessage/event`);
    expect(expanded.body.event).toMatchObject({ id: copy.id, iCalUId: org.iCalUId, isOrganizer: false });

    const sent = await folder(demoUsers.sofiaSdr, 'sentitems');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ meetingMessageType: 'meetingRequest', internetMessageId: inbox[0]?.internetMessageId });
    expect(sent[0]?.toRecipients.map((r: { emailAddress: { address: string } }) => r.emailAddress.address)).toEqual([anton, lead]);
  });

  it('makes one event of the same transactionId sent twice by the same organizer', async () => {
    const first = await createMeeting({ transactionId: 'baton-handoff-42' });
    const again = await createMeeting({ transactionId: 'baton-handoff-42', subject: 'retried' });
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.subject).toBe('Intro: Fabrikam');
    expect((await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events`)).body.value).toHaveLength(1);
    expect(await folder(demoUsers.antonAe, 'inbox')).toHaveLength(1);
    // Another organizer may use the same transactionId.
    const other = await createMeeting({ transactionId: 'baton-handoff-42' }, demoUsers.liamSdr);
    expect(other.body.id).not.toBe(first.body.id);
  });

  it('gives a Teams join URL to an online meeting, shared by every copy', async () => {
    const org = (await createMeeting({ isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness' })).body;
    expect(org.onlineMeetingProvider).toBe('teamsForBusiness');
    expect(org.onlineMeeting.joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\/19%3ameeting_[A-Za-z0-9]+%40thread\.v2\/0\?context=%7b%22Tid%22%3a%22[0-9a-f-]{36}%22%2c%22Oid%22%3a%22[0-9a-f-]{36}%22%7d$/);
    expect((await copyOf(demoUsers.antonAe, org.iCalUId)).onlineMeeting.joinUrl).toBe(org.onlineMeeting.joinUrl);
    const byDefault = (await createMeeting({ isOnlineMeeting: true, transactionId: 'other' })).body;
    expect(byDefault.onlineMeetingProvider).toBe('teamsForBusiness');
  });

  it('keeps a private event private: sensitivity, and no attendees to invite', async () => {
    const r = await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/calendar/events`, {
      subject: 'Prep: Fabrikam',
      sensitivity: 'private',
      showAs: 'busy',
      start: { dateTime: '2026-11-24T09:30:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-11-24T10:00:00', timeZone: 'Europe/Berlin' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ sensitivity: 'private', attendees: [], originalStartTimeZone: 'Europe/Berlin' });
    expect(await folder(demoUsers.antonAe, 'sentitems')).toHaveLength(0);
  });

  it('publishes every created, updated and deleted copy to the change feed, in its mailbox', async () => {
    const before = h.sb.changes.head();
    const org = (await createMeeting()).body;
    const copy = await copyOf(demoUsers.antonAe, org.iCalUId);
    await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events/${copy.id}/accept`, { sendResponse: true });
    await h.graph('DELETE', `/v1.0/users/${demoUsers.sofiaSdr}/events/${org.id}`);
    const events = h.sb.changes.since(before).filter((c) => c.kind === 'event').map((c) => [c.userId, c.itemId, c.changeType]);
    expect(events).toEqual([
      [demoUsers.sofiaSdr, org.id, 'created'],
      [demoUsers.antonAe, copy.id, 'created'],
      [demoUsers.antonAe, copy.id, 'updated'],
      [demoUsers.sofiaSdr, org.id, 'updated'],
      [demoUsers.sofiaSdr, org.id, 'deleted'],
      [demoUsers.antonAe, copy.id, 'updated'],
    ]);
  });
});

describe('reading events', () => {
  it('lists, gets with $select (also by OData key syntax), and pages with $top', async () => {
    for (let i = 0; i < 3; i++) await createMeeting({ transactionId: `t${i}`, subject: `Meeting ${i}` });
    const list = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events?$select=subject,start&$top=2&$orderby=subject desc`);
    expect(list.body.value.map((e: { subject: string }) => e.subject)).toEqual(['Meeting 2', 'Meeting 1']);
    expect(Object.keys(list.body.value[0]).sort()).toEqual(['@odata.etag', 'id', 'start', 'subject']);
    expect(new URL(list.body['@odata.nextLink']).searchParams.get('$skip')).toBe('2');
    const next = await h.graph('GET', list.body['@odata.nextLink'].replace('https://sandbox.test', ''));
    expect(next.body.value.map((e: { subject: string }) => e.subject)).toEqual(['Meeting 0']);

    const id = list.body.value[0].id as string;
    const one = await h.graph('GET', `/v1.0/users('${demoUsers.sofiaSdr}')/calendar/events('${id}')?$select=subject`);
    expect(one.body).toEqual({
      '@odata.context': expect.stringContaining('/events(subject)/$entity'),
      '@odata.etag': expect.any(String),
      subject: 'Meeting 2',
      id,
      'calendar@odata.associationLink': expect.stringMatching(/\/calendars\('AAMkA[^']+'\)\/\$ref$/),
      'calendar@odata.navigationLink': expect.stringMatching(/\/calendars\('AAMkA[^']+'\)$/),
    });
    // The link leads to the mailbox's calendar.
    const link = new URL(one.body['calendar@odata.navigationLink'] as string);
    const calendar = await h.graph('GET', link.pathname);
    expect(calendar.status).toBe(200);
    expect(calendar.body).toMatchObject({ isDefaultCalendar: true, name: 'Calendar', canEdit: true });
  });
});

describe('responding to meetings', () => {
  it('accept with sendResponse: the copy, the organizer\'s attendee status and an eventMessageResponse change', async () => {
    const org = (await createMeeting()).body;
    const copy = await copyOf(demoUsers.antonAe, org.iCalUId);
    const r = await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events/${copy.id}/accept`, { comment: 'See you there', sendResponse: true });
    expect(r.status).toBe(202);
    expect(r.body).toBeNull();
    const mine = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/events/${copy.id}`);
    expect(mine.body.responseStatus).toEqual({ response: 'accepted', time: expect.stringMatching(/^2026-11-23T08:00/) });
    expect(mine.body.showAs).toBe('busy');
    const theirs = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${org.id}`);
    expect(theirs.body.attendees[0]).toMatchObject({ emailAddress: { address: anton }, status: { response: 'accepted', time: mine.body.responseStatus.time } });
    expect(theirs.body.attendees[1].status.response).toBe('none');
    const inbox = await folder(demoUsers.sofiaSdr, 'inbox');
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({
      '@odata.type': '#microsoft.graph.eventMessageResponse',
      meetingMessageType: 'meetingAccepted',
      responseType: 'accepted',
      subject: 'Accepted: Intro: Fabrikam',
      bodyPreview: 'See you there',
      from: { emailAddress: { address: anton } },
    });
    expect(await folder(demoUsers.antonAe, 'sentitems')).toHaveLength(1);
  });

  it.each([
    ['decline', 'meetingDeclined', 'declined', 'Declined', 'free'],
    ['tentativelyAccept', 'meetingTenativelyAccepted', 'tentativelyAccepted', 'Tentative', 'tentative'],
  ] as const)('%s sends %s; a proposedNewTime reaches the organizer', async (action, messageType, response, prefix, showAs) => {
    const org = (await createMeeting()).body;
    const copy = await copyOf(demoUsers.antonAe, org.iCalUId);
    const plain = await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events/${copy.id}/${action}`, { comment: 'hm' });
    expect(plain.status).toBe(202);
    expect((await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/events/${copy.id}`)).body).toMatchObject({ responseStatus: { response }, showAs });
    let inbox = await folder(demoUsers.sofiaSdr, 'inbox');
    expect(inbox[0]).toMatchObject({ meetingMessageType: messageType, responseType: response, subject: `${prefix}: Intro: Fabrikam`, proposedNewTime: null });

    const proposedNewTime = { start: { dateTime: '2026-11-25T15:00:00', timeZone: 'W. Europe Standard Time' }, end: { dateTime: '2026-11-25T15:30:00', timeZone: 'W. Europe Standard Time' } };
    const proposing = await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events/${copy.id}/${action}`, { comment: 'Wednesday?', sendResponse: true, proposedNewTime });
    expect(proposing.status).toBe(202);
    const expected = { start: { dateTime: '2026-11-25T15:00:00.0000000', timeZone: 'W. Europe Standard Time' }, end: { dateTime: '2026-11-25T15:30:00.0000000', timeZone: 'W. Europe Standard Time' } };
    inbox = await folder(demoUsers.sofiaSdr, 'inbox');
    const proposal = inbox.find((m) => m['subject'] === 'New Time Proposed: Intro: Fabrikam');
    expect(proposal).toMatchObject({ meetingMessageType: messageType, proposedNewTime: expected });
    const theirs = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${org.id}`);
    expect(theirs.body.attendees[0]).toMatchObject({ status: { response }, proposedNewTime: expected });
  });

  it('with sendResponse false changes only the attendee copy', async () => {
    const org = (await createMeeting()).body;
    const copy = await copyOf(demoUsers.antonAe, org.iCalUId);
    const r = await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events/${copy.id}/tentativelyAccept`, { comment: '', sendResponse: false });
    expect(r.status).toBe(202);
    expect((await copyOf(demoUsers.antonAe, org.iCalUId)).responseStatus.response).toBe('tentativelyAccepted');
    expect((await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${org.id}`)).body.attendees[0].status.response).toBe('none');
    expect(await folder(demoUsers.sofiaSdr, 'inbox')).toHaveLength(0);
    expect(await folder(demoUsers.antonAe, 'sentitems')).toHaveLength(0);
  });

  it('takes the parameter names in any case (the CSDL spells them Comment, SendResponse)', async () => {
    const org = (await createMeeting()).body;
    const copy = await copyOf(demoUsers.antonAe, org.iCalUId);
    const r = await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events/${copy.id}/microsoft.graph.accept`, { Comment: 'ok', SendResponse: false });
    expect(r.status).toBe(202);
    expect((await copyOf(demoUsers.antonAe, org.iCalUId)).responseStatus.response).toBe('accepted');
  });

  it.each([
    ['the organizer accepting their own meeting', 'organizer', 'accept', { sendResponse: true }, 400, 'ErrorInvalidRequest', "You can't respond to a meeting you organized."],
    ['accept with a proposedNewTime', 'attendee', 'accept', { proposedNewTime: { start: { dateTime: '2026-11-25T15:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-25T16:00:00', timeZone: 'UTC' } } }, 400, 'RequestBodyRead', "The parameter 'proposedNewTime'"],
    ['a proposedNewTime without sendResponse', 'attendee', 'decline', { sendResponse: false, proposedNewTime: { start: { dateTime: '2026-11-25T15:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-25T16:00:00', timeZone: 'UTC' } } }, 400, 'ErrorInvalidRequest', 'sendResponse'],
    ['an unknown parameter', 'attendee', 'decline', { reason: 'busy' }, 400, 'RequestBodyRead', "The parameter 'reason' in the request payload is not a valid parameter for the operation 'decline'."],
    ['a sendResponse that is not a boolean', 'attendee', 'accept', { sendResponse: 'yes' }, 400, 'RequestBodyRead', 'sendResponse'],
    ['an attendee cancelling', 'attendee', 'cancel', { comment: 'no' }, 400, 'ErrorInvalidRequest', 'You need to be an organizer to cancel a meeting.'],
  ] as const)('refuses %s', async (_name, who, action, body, status, code, message) => {
    const org = (await createMeeting()).body;
    const copy = await copyOf(demoUsers.antonAe, org.iCalUId);
    const [user, id] = who === 'organizer' ? [demoUsers.sofiaSdr, org.id as string] : [demoUsers.antonAe, copy.id as string];
    const r = await h.graph('POST', `/v1.0/users/${user}/events/${id}/${action}`, body);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(r.body.error.message).toContain(message);
  });

  it('refuses to answer a cancelled meeting', async () => {
    const org = (await createMeeting()).body;
    const copy = await copyOf(demoUsers.antonAe, org.iCalUId);
    await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/events/${org.id}/cancel`, {});
    const r = await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events/${copy.id}/accept`, {});
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe("You can't respond to a meeting that's been canceled.");
  });

  it('offers the same through the service the sandbox page uses', () => {
    const org = h.sb.calendar.createEvent(demoUsers.sofiaSdr, meetingBody() as JsonObject);
    const copy = h.sb.calendar.listEvents(demoUsers.antonAe).find((e) => e['iCalUId'] === org['iCalUId']);
    const copyId = copy?.['id'];
    const orgId = org['id'];
    if (typeof copyId !== 'string' || typeof orgId !== 'string') throw new Error('no ids');
    h.sb.calendar.respond(demoUsers.antonAe, copyId, 'decline', { comment: 'conflict' });
    expect(h.sb.calendar.getEvent(demoUsers.sofiaSdr, orgId)['attendees']).toEqual(expect.arrayContaining([expect.objectContaining({ status: expect.objectContaining({ response: 'declined' }) })]));
  });
});

describe("changing and removing meetings", () => {
  it("propagates the organizer's new subject and location, with an informational update", async () => {
    const org = (await createMeeting()).body;
    const copy = await copyOf(demoUsers.antonAe, org.iCalUId);
    await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events/${copy.id}/accept`, {});
    const r = await h.graph('PATCH', `/v1.0/users/${demoUsers.sofiaSdr}/events/${org.id}`, { subject: 'Intro: Fabrikam (agenda)', location: { displayName: 'Room 4' } });
    expect(r.status).toBe(200);
    expect(r.body.changeKey).not.toBe(org.changeKey);
    const after = await copyOf(demoUsers.antonAe, org.iCalUId);
    expect(after).toMatchObject({ subject: 'Intro: Fabrikam (agenda)', location: { displayName: 'Room 4' }, responseStatus: { response: 'accepted' }, showAs: 'busy' });
    const update = (await folder(demoUsers.antonAe, 'inbox')).find((m) => m['meetingRequestType'] === 'informationalUpdate');
    expect(update).toMatchObject({ subject: 'Intro: Fabrikam (agenda)', previousLocation: { displayName: 'Teams' }, previousStartDateTime: null });
  });

  it('resets responses when the time changes and sends a full update', async () => {
    const org = (await createMeeting()).body;
    const copy = await copyOf(demoUsers.antonAe, org.iCalUId);
    await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events/${copy.id}/accept`, {});
    const r = await h.graph('PATCH', `/v1.0/users/${demoUsers.sofiaSdr}/events/${org.id}`, {
      start: { dateTime: '2026-11-24T14:00:00', timeZone: 'W. Europe Standard Time' },
      end: { dateTime: '2026-11-24T14:30:00', timeZone: 'W. Europe Standard Time' },
    });
    expect(r.body.attendees[0].status).toEqual({ response: 'none', time: '0001-01-01T00:00:00Z' });
    const after = await copyOf(demoUsers.antonAe, org.iCalUId);
    expect(after).toMatchObject({ start: { dateTime: '2026-11-24T13:00:00.0000000', timeZone: 'UTC' }, responseStatus: { response: 'notResponded' }, showAs: 'tentative' });
    const update = (await folder(demoUsers.antonAe, 'inbox')).find((m) => m['meetingRequestType'] === 'fullUpdate');
    expect(update).toMatchObject({ startDateTime: { dateTime: '2026-11-24T13:00:00.0000000' }, previousStartDateTime: { dateTime: '2026-11-24T09:00:00.0000000', timeZone: 'UTC' } });
  });

  it('invites added attendees and cancels removed ones', async () => {
    const org = (await createMeeting()).body;
    await h.graph('PATCH', `/v1.0/users/${demoUsers.sofiaSdr}/events/${org.id}`, { attendees: [{ emailAddress: { address: elena }, type: 'optional' }] });
    expect(await copyOf(demoUsers.elenaAe, org.iCalUId)).toMatchObject({ responseStatus: { response: 'notResponded' } });
    expect(await copyOf(demoUsers.antonAe, org.iCalUId)).toMatchObject({ isCancelled: true });
    const antonInbox = await folder(demoUsers.antonAe, 'inbox');
    expect(antonInbox.map((m) => m['meetingMessageType'])).toContain('meetingCancelled');
  });

  it("cancels the meeting when the organizer deletes it: copies cancelled, attendees told", async () => {
    const org = (await createMeeting()).body;
    const del = await h.graph('DELETE', `/v1.0/users/${demoUsers.sofiaSdr}/events/${org.id}`);
    expect(del.status).toBe(204);
    expect((await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${org.id}`)).status).toBe(404);
    expect(await copyOf(demoUsers.antonAe, org.iCalUId)).toMatchObject({ isCancelled: true, subject: 'Canceled: Intro: Fabrikam' });
    const cancellation = (await folder(demoUsers.antonAe, 'inbox')).find((m) => m['meetingMessageType'] === 'meetingCancelled');
    expect(cancellation).toMatchObject({ '@odata.type': '#microsoft.graph.eventMessage', subject: 'Canceled: Intro: Fabrikam', importance: 'high' });
  });

  it('cancel (organizer only) carries the comment and answers 202', async () => {
    const org = (await createMeeting()).body;
    const r = await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/events/${org.id}/cancel`, { comment: 'The lead went with a competitor' });
    expect(r.status).toBe(202);
    const cancellation = (await folder(demoUsers.antonAe, 'inbox')).find((m) => m['meetingMessageType'] === 'meetingCancelled');
    expect(cancellation?.['bodyPreview']).toBe('The lead went with a competitor');
    expect((await folder(demoUsers.sofiaSdr, 'sentitems')).map((m) => m['meetingMessageType'])).toEqual(expect.arrayContaining(['meetingCancelled']));
  });

  it("lets an attendee delete only their own copy; the organizer's event stays", async () => {
    const org = (await createMeeting()).body;
    const copy = await copyOf(demoUsers.antonAe, org.iCalUId);
    expect((await h.graph('DELETE', `/v1.0/users/${demoUsers.antonAe}/events/${copy.id}`)).status).toBe(204);
    expect((await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/events/${copy.id}`)).status).toBe(404);
    const theirs = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${org.id}`);
    expect(theirs.body.attendees[0].status.response).toBe('none');
    expect(await folder(demoUsers.sofiaSdr, 'inbox')).toHaveLength(0);
  });

  it('lets the sandbox page delete a copy and decline in one go', async () => {
    const org = (await createMeeting()).body;
    const copy = await copyOf(demoUsers.antonAe, org.iCalUId);
    h.sb.calendar.deleteEvent(demoUsers.antonAe, copy.id, { sendResponse: true, comment: 'sorry' });
    const theirs = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${org.id}`);
    expect(theirs.body.attendees[0].status.response).toBe('declined');
  });
});

describe('calendarView', () => {
  async function seedDay(): Promise<void> {
    const event = (subject: string, start: string, end: string) => ({ subject, start: { dateTime: start, timeZone: 'UTC' }, end: { dateTime: end, timeZone: 'UTC' } });
    for (const e of [
      event('before', '2026-11-24T06:00:00', '2026-11-24T07:00:00'),
      event('overlaps start', '2026-11-24T07:30:00', '2026-11-24T08:30:00'),
      event('inside', '2026-11-24T12:00:00', '2026-11-24T13:00:00'),
      event('overlaps end', '2026-11-24T17:30:00', '2026-11-24T19:00:00'),
      event('after', '2026-11-24T18:00:00', '2026-11-24T19:00:00'),
    ]) {
      expect((await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events`, e)).status).toBe(201);
    }
  }

  it('gives the events overlapping the window, by start, in the Prefer zone', async () => {
    await seedDay();
    const r = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/calendarView?startDateTime=2026-11-24T08:00:00Z&endDateTime=2026-11-24T18:00:00Z`, undefined, pst);
    expect(r.status).toBe(200);
    expect(r.body['@odata.context']).toBe(`https://sandbox.test/v1.0/$metadata#users('${demoUsers.antonAe}')/calendarView`);
    expect(r.body.value.map((e: { subject: string }) => e.subject)).toEqual(['overlaps start', 'inside', 'overlaps end']);
    expect(r.body.value[1].start).toEqual({ dateTime: '2026-11-24T04:00:00.0000000', timeZone: 'Pacific Standard Time' });
    // An offset in the query is honoured; /calendar/calendarView is the same collection.
    const offset = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/calendar/calendarView?startDateTime=2026-11-24T13:00:00%2B01:00&endDateTime=2026-11-24T14:00:00%2B01:00&$select=subject`);
    expect(offset.body.value).toEqual([{ '@odata.etag': expect.any(String), id: expect.any(String), subject: 'inside' }]);
  });

  it('pages with $top and sorts with $orderby', async () => {
    await seedDay();
    const url = `/v1.0/users/${demoUsers.antonAe}/calendarView?startDateTime=2026-11-24T00:00:00Z&endDateTime=2026-11-25T00:00:00Z&$top=2&$orderby=start/dateTime desc&$select=subject`;
    const first = await h.graph('GET', url);
    expect(first.body.value.map((e: { subject: string }) => e.subject)).toEqual(['after', 'overlaps end']);
    const rest = await h.graph('GET', first.body['@odata.nextLink'].replace('https://sandbox.test', ''));
    expect(rest.body.value.map((e: { subject: string }) => e.subject)).toEqual(['inside', 'overlaps start']);
  });

  it.each([
    ['no window', ''],
    ['no end', '?startDateTime=2026-11-24T00:00:00Z'],
    ['no start', '?endDateTime=2026-11-24T00:00:00Z'],
  ])('refuses a request with %s (400 ErrorInvalidParameter)', async (_name, query) => {
    const r = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/calendarView${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'ErrorInvalidParameter', message: 'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.' });
  });

  it('expands a weekly series into occurrences that point at their master', async () => {
    const series = await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events`, {
      subject: 'Pipeline review',
      start: { dateTime: '2026-11-23T16:00:00', timeZone: 'W. Europe Standard Time' },
      end: { dateTime: '2026-11-23T16:30:00', timeZone: 'W. Europe Standard Time' },
      recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['Monday', 'Thursday'] }, range: { type: 'numbered', startDate: '2026-11-23', numberOfOccurrences: 3 } },
    });
    expect(series.body).toMatchObject({ type: 'seriesMaster', recurrence: { pattern: { type: 'weekly', daysOfWeek: ['monday', 'thursday'], firstDayOfWeek: 'sunday' }, range: { type: 'numbered', numberOfOccurrences: 3, recurrenceTimeZone: 'W. Europe Standard Time' } } });
    const view = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/calendarView?startDateTime=2026-11-20T00:00:00Z&endDateTime=2026-12-31T00:00:00Z`);
    expect(view.body.value.map((e: { start: { dateTime: string } }) => e.start.dateTime)).toEqual(['2026-11-23T15:00:00.0000000', '2026-11-26T15:00:00.0000000', '2026-11-30T15:00:00.0000000']);
    expect(view.body.value[1]).toMatchObject({ type: 'occurrence', seriesMasterId: series.body.id, recurrence: null });
    const occurrence = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/events/${view.body.value[1].id}`);
    expect(occurrence.body).toMatchObject({ id: view.body.value[1].id, start: { dateTime: '2026-11-26T15:00:00.0000000' } });
  });
});

describe('calendarView/delta', () => {
  const event = (subject: string, hour: number) => ({ subject, start: { dateTime: `2026-11-24T${String(hour).padStart(2, '0')}:00:00`, timeZone: 'UTC' }, end: { dateTime: `2026-11-24T${String(hour).padStart(2, '0')}:30:00`, timeZone: 'UTC' } });
  const path = (link: string) => link.replace('https://sandbox.test', '');

  it('pages the first round, then gives changes and @removed from the deltaLink', async () => {
    const ids: string[] = [];
    for (const [i, hour] of [9, 10, 11].entries()) ids.push((await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events`, event(`e${i}`, hour))).body.id);
    const outside = (await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events`, { ...event('outside', 9), start: { dateTime: '2026-12-24T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-12-24T10:00:00', timeZone: 'UTC' } })).body.id;
    const maxPage = { Prefer: 'odata.maxpagesize=2' };
    const first = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/calendarView/delta?startdatetime=2026-11-24T00:00:00Z&enddatetime=2026-11-25T00:00:00Z`, undefined, maxPage);
    expect(first.status).toBe(200);
    expect(first.headers['preference-applied']).toBe('odata.maxpagesize=2');
    expect(first.body['@odata.context']).toBe('https://sandbox.test/v1.0/$metadata#Collection(event)');
    expect(first.body.value).toHaveLength(2);
    expect(first.body.value[0]).toMatchObject({ '@odata.type': '#microsoft.graph.event', subject: 'e0' });
    expect(first.body['@odata.nextLink']).toMatch(/calendarView\/delta\?\$skiptoken=/);
    const second = await h.graph('GET', path(first.body['@odata.nextLink']), undefined, maxPage);
    expect(second.body.value.map((e: { subject: string }) => e.subject)).toEqual(['e2']);
    expect(second.body['@odata.deltaLink']).toMatch(/calendarView\/delta\?\$deltatoken=/);

    const quiet = await h.graph('GET', path(second.body['@odata.deltaLink']));
    expect(quiet.body.value).toEqual([]);

    await h.graph('PATCH', `/v1.0/users/${demoUsers.antonAe}/events/${ids[0]}`, { subject: 'e0 renamed' });
    await h.graph('DELETE', `/v1.0/users/${demoUsers.antonAe}/events/${ids[1]}`);
    await h.graph('PATCH', `/v1.0/users/${demoUsers.antonAe}/events/${outside}`, { subject: 'still outside' });
    const added = (await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events`, event('e3', 15))).body.id;
    await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/events`, event('another mailbox', 9));
    const changes = await h.graph('GET', path(quiet.body['@odata.deltaLink']));
    const value = changes.body.value as Array<Record<string, unknown>>;
    expect(value.filter((e) => e['@removed'])).toEqual(expect.arrayContaining([{ '@odata.type': '#microsoft.graph.event', id: ids[1], '@removed': { reason: 'deleted' } }]));
    expect(value.filter((e) => !e['@removed']).map((e) => [e['id'], e['subject']])).toEqual([
      [ids[0], 'e0 renamed'],
      [added, 'e3'],
    ]);
    expect(value.map((e) => e['id'])).not.toContain(ids[2]);
  });

  it('answers 410 SyncStateNotFound for an expired token and 400 for a corrupt one', async () => {
    const round = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/calendarView/delta?startDateTime=2026-11-24T00:00:00Z&endDateTime=2026-11-25T00:00:00Z`);
    await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events`, event('x', 9));
    h.sb.changes.truncate(h.sb.changes.head());
    const expired = await h.graph('GET', path(round.body['@odata.deltaLink']));
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('SyncStateNotFound');
    const corrupt = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/calendarView/delta?$deltatoken=not-a-token`);
    expect(corrupt.status).toBe(400);
    const noWindow = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/calendarView/delta`);
    expect(noWindow.status).toBe(400);
    expect(noWindow.body.error.code).toBe('ErrorInvalidParameter');
  });
});

describe('bad input', () => {
  const url = () => `/v1.0/users/${demoUsers.sofiaSdr}/events`;
  const start = { dateTime: '2026-11-24T10:00:00', timeZone: 'UTC' };
  const end = { dateTime: '2026-11-24T11:00:00', timeZone: 'UTC' };

  it.each([
    ['malformed JSON', '{"subject": ', 400, 'BadRequest', 'JSON'],
    ['an unknown property', { subject: 'x', start, end, colour: 'red' }, 400, 'RequestBodyRead', "The property 'colour' does not exist on type 'Microsoft.OutlookServices.Event'"],
    ['an unknown nested property', { start, end, attendees: [{ emailAddress: { address: anton }, name: 'Anton' }] }, 400, 'RequestBodyRead', "The property 'name' does not exist on type 'Microsoft.OutlookServices.Attendee'"],
    ['no start', { subject: 'x', end }, 400, 'ErrorPropertyValidationFailure', 'At least one property failed validation.'],
    ['no end', { subject: 'x', start }, 400, 'ErrorPropertyValidationFailure', 'At least one property failed validation.'],
    ['an end before the start', { start: end, end: start }, 400, 'ErrorPropertyValidationFailure', 'At least one property failed validation.'],
    ['an unknown time zone', { start: { ...start, timeZone: 'Mars Standard Time' }, end }, 400, 'TimeZoneNotSupportedException', "'Mars Standard Time'"],
    ['an unreadable dateTime', { start: { ...start, dateTime: 'tomorrow' }, end }, 400, 'ErrorPropertyValidationFailure', 'failed validation'],
    ['an unknown enum member', { start, end, showAs: 'sleepy' }, 400, 'RequestBodyRead', "'sleepy'"],
    ['a subject that is not a string', { start, end, subject: 5 }, 400, 'RequestBodyRead', 'Edm.String'],
    ['an attendee without an address', { start, end, attendees: [{ emailAddress: { name: 'Nobody' } }] }, 400, 'ErrorInvalidRecipients', 'recipient'],
    ['an all-day event not at midnight', { start, end, isAllDay: true }, 400, 'ErrorPropertyValidationFailure', 'failed validation'],
    ['a body that is an array', [1, 2], 400, 'RequestBodyRead', 'event'],
    ['a yearly series in month 13', { start, end, recurrence: { pattern: { type: 'absoluteYearly', interval: 1, month: 13, dayOfMonth: 1 }, range: { type: 'noEnd', startDate: '2026-11-24' } } }, 400, 'ErrorPropertyValidationFailure', 'failed validation'],
    ['a weekly series without days', { start, end, recurrence: { pattern: { type: 'weekly', interval: 1 }, range: { type: 'noEnd', startDate: '2026-11-24' } } }, 400, 'ErrorPropertyValidationFailure', 'failed validation'],
    ['a series ending before it starts', { start, end, recurrence: { pattern: { type: 'daily', interval: 1 }, range: { type: 'endDate', startDate: '2026-11-24', endDate: '2026-11-01' } } }, 400, 'ErrorPropertyValidationFailure', 'failed validation'],
  ] as const)('refuses %s on create', async (_name, body, status, code, message) => {
    const r = await h.graph('POST', url(), body);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(r.body.error.message).toContain(message);
    expect(r.body.error.innerError['request-id']).toBe(r.headers['request-id']);
  });

  it.each([
    ['GET', 'not-an-id', 400, 'ErrorInvalidIdMalformed'],
    ['GET', '{id}', 400, 'ErrorInvalidIdMalformed'],
    ['GET', `AAMkA${'x'.repeat(100)}=`, 404, 'ErrorItemNotFound'],
    ['PATCH', `AAMkA${'x'.repeat(100)}=`, 404, 'ErrorItemNotFound'],
    ['DELETE', 'short', 400, 'ErrorInvalidIdMalformed'],
    ['POST', `AAMkA${'y'.repeat(100)}=/accept`, 404, 'ErrorItemNotFound'],
  ] as const)('answers %s of event %s with %i %s', async (method, id, status, code) => {
    const r = await h.graph(method, `/v1.0/users/${demoUsers.sofiaSdr}/events/${id}`, method === 'PATCH' || method === 'POST' ? {} : undefined);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
  });

  it("does not find another mailbox's event by id, and refuses unknown users", async () => {
    const org = (await createMeeting()).body;
    expect((await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/events/${org.id}`)).status).toBe(404);
    const nobody = await h.graph('GET', '/v1.0/users/nobody@contoso-sales.example/events');
    expect(nobody.status).toBe(404);
    expect(nobody.body.error.code).toBe('ErrorInvalidUser');
  });

  it('refuses an unknown $select name and an unknown $filter property', async () => {
    expect((await h.graph('GET', `${url()}?$select=subject,colour`)).body.error.message).toContain("'colour'");
    expect((await h.graph('GET', `${url()}?$filter=colour eq 'red'`)).status).toBe(400);
  });

  it('lets a delegated token reach only its own calendar', async () => {
    const token = (await h.sb.identity.issueUserToken(demoUsers.antonAe, { audience: 'https://graph.microsoft.com', scopes: ['Calendars.ReadWrite'], clientId: h.sb.tenant.apps.addin.clientId })).accessToken;
    const own = await h.graph('GET', '/v1.0/me/events', undefined, { authorization: `Bearer ${token}` });
    expect(own.status).toBe(200);
    const other = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events`, undefined, { authorization: `Bearer ${token}` });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('ErrorAccessDenied');
  });
});

describe("the documentation's examples", () => {
  it.each(['user-post-events.1', 'user-post-events.2', 'user-post-events.3'])('%s is accepted and answered in the same shape', async (name) => {
    const ex = example(name);
    const r = await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/events`, ex.request.body, ex.request.headers.Prefer ? { Prefer: ex.request.headers.Prefer } : {});
    expect(r.status).toBe(ex.response.status);
    expectShape(r.body, ex.response.body);
  });

  it('event-get.1 and event-get.2 ($select, Prefer) answer in the same shape', async () => {
    const created = (await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/events`, example('user-post-events.2').request.body)).body;
    for (const name of ['event-get.1', 'event-get.2']) {
      const ex = example(name);
      const query = new URL(ex.request.url).search;
      const r = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${created.id}${query}`, undefined, ex.request.headers);
      expect(r.status).toBe(200);
      expectShape(r.body, ex.response.body);
      expect(Object.keys(r.body).sort()).toEqual(Object.keys(ex.response.body).sort());
      if (ex.response.headers['Preference-Applied']) expect(r.headers['preference-applied']).toBe(ex.response.headers['Preference-Applied']);
    }
  });

  it('event-update.1 is accepted and answered in the same shape', async () => {
    const created = (await createMeeting()).body;
    const ex = example('event-update.1');
    const r = await h.graph('PATCH', `/v1.0/users/${demoUsers.sofiaSdr}/events/${created.id}`, ex.request.body);
    expect(r.status).toBe(ex.response.status);
    expectShape(r.body, ex.response.body);
    expect(r.body).toMatchObject({ reminderMinutesBeforeStart: 99, isOnlineMeeting: true, categories: ['Red category'], responseStatus: { response: 'organizer' } });
  });

  it.each(['event-accept.1', 'event-decline.1', 'event-tentativelyaccept.1'])('%s is accepted (202, no body)', async (name) => {
    const org = (await createMeeting()).body;
    const copy = await copyOf(demoUsers.antonAe, org.iCalUId);
    const ex = example(name);
    const action = String(ex.request.url).split('/').pop();
    const r = await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events/${copy.id}/${action}`, ex.request.body);
    expect(r.status).toBe(ex.response.status);
    expect(r.body).toBeNull();
  });

  it('event-cancel.1 and event-delete.1 are accepted', async () => {
    const a = (await createMeeting()).body;
    const cancel = example('event-cancel.1');
    expect((await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/events/${a.id}/cancel`, cancel.request.body)).status).toBe(cancel.response.status);
    const b = (await createMeeting({ transactionId: 'b' })).body;
    expect((await h.graph('DELETE', `/v1.0/users/${demoUsers.sofiaSdr}/events/${b.id}`)).status).toBe(example('event-delete.1').response.status);
  });

  it('user-list-calendarview.1, event-delta.1 and delta-query-events.1 answer in the same shape', async () => {
    await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/events`, { ...meetingBody(), start: { dateTime: '2020-01-02T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2020-01-02T10:00:00', timeZone: 'UTC' } });
    const view = example('user-list-calendarview.1');
    const v = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/calendarView${new URL(view.request.url).search}`);
    expect(v.status).toBe(200);
    expectShape(v.body, view.response.body);
    for (let i = 0; i < 3; i++) await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/events`, { subject: `s${i}`, start: { dateTime: `2016-12-0${i + 2}T09:00:00`, timeZone: 'UTC' }, end: { dateTime: `2016-12-0${i + 2}T10:00:00`, timeZone: 'UTC' } });
    const delta = example('delta-query-events.1');
    const d = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/calendarView/delta${new URL(delta.request.url).search}`, undefined, delta.request.headers);
    expect(d.status).toBe(200);
    expectShape(d.body, delta.response.body);
    expectShape(d.body, example('event-delta.1').response.body);
  });
});
