// The mappers on Microsoft's documented answers (/work/shared/graph/examples): each complete example maps without
// error to the values it shows; the docs' abridged examples (no id, placeholder values) fail as 'invalid' naming
// the missing field, and map once it is given.
import fs from 'node:fs';
import path from 'node:path';
import { GatewayError } from '../../../server/domain/mailbox';
import { ianaZone, toCalendarEvent, toDirectoryPerson, toMailboxSettings, toMailMessage, toPage, toSchedule } from '../../../server/graph/graph-mappers';

const body = (name: string): Record<string, unknown> =>
  (JSON.parse(fs.readFileSync(path.join('/work/shared/graph/examples', name), 'utf8')) as { response: { body: Record<string, unknown> } }).response.body;

const invalidField = (fn: () => unknown, field: string) => {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(GatewayError);
  expect(caught).toMatchObject({ code: 'invalid', message: expect.stringContaining(`'${field}'`) as unknown });
};

describe('messages', () => {
  it('message-get.1.json', () => {
    const m = toMailMessage(body('message-get.1.json'), 'inbox');
    expect(m).toMatchObject({
      id: 'AAMkADhMGAAA=',
      internetMessageId: '<MWHPR6E1BE060@MWHPR1120.namprd22.prod.outlook.com>',
      conversationId: 'AAQkADOUpag6yWs=',
      subject: '9/9/2018: concert',
      from: { address: 'adelev@contoso.OnMicrosoft.com', name: 'Adele Vance' },
      to: [{ address: 'AlexW@contoso.OnMicrosoft.com', name: 'Alex Wilber' }],
      cc: [],
      sentAt: new Date('2018-09-09T03:15:06Z'),
      receivedAt: new Date('2018-09-09T03:15:08Z'),
      isDraft: false,
      webLink: 'https://outlook.office365.com/owa/?ItemID=AAMkADMGAAA%3D&exvsurl=1&viewmodel=ReadMessageItem',
      folder: 'inbox',
    });
    expect(m.headers.size).toBe(0);
  });

  it('message-get.2.json: internetMessageHeaders by lower-cased name', () => {
    const m = toMailMessage(body('message-get.2.json'));
    expect(m.id).toBe('AAMkADhAAAW-VPeAAA=');
    expect(m.headers.get('x-custom-header-group-name')).toBe('Washington');
    expect(m.headers.get('x-custom-header-group-id')).toBe('WA001');
    expect(m.headers.get('mime-version')).toBe('1.0');
    expect(m).toMatchObject({ subject: '', from: null, to: [], internetMessageId: null, sentAt: null });
  });

  it('message-get.3.json and both eventmessage-get examples', () => {
    expect(toMailMessage(body('message-get.3.json')).subject).toBe('Welcome to our group!');
    expect(toMailMessage(body('eventmessage-get.1.json'))).toMatchObject({ id: 'AAMkADYAAAImV_lAAA=', subject: 'Debrief from meetup', from: { address: 'admin@contoso.onmicrosoft.com' }, receivedAt: new Date('2017-12-27T21:58:36Z') });
    expect(toMailMessage(body('eventmessage-get.2.json'))).toMatchObject({ id: 'AAMkADYAAAImV_jAAA=', subject: 'Kick off planning', conversationId: 'AAQkADYRuffB3wDlPn-ReFZarI60=' });
  });

  it('message-delta.1.json is abridged (no id): invalid naming id; with one, its values and the nextLink', () => {
    const page = body('message-delta.1.json');
    invalidField(() => toPage(page, (j) => toMailMessage(j)), 'id');
    const value = (page['value'] as Record<string, unknown>[]).map((v) => ({ ...v, id: 'm1' }));
    const mapped = toPage({ ...page, value }, (j) => toMailMessage(j, 'inbox'));
    expect(mapped.items[0]).toMatchObject({ id: 'm1', subject: 'subject-value', internetMessageId: 'internetMessageId-value', sentAt: null, folder: 'inbox' });
    expect(mapped.nextLink).toBe('https://graph.microsoft.com/v1.0/me/mailfolders/{id}/messages/delta?$skiptoken={_skipToken_}');
    expect(mapped.deltaLink).toBeNull();
  });
});

describe('events', () => {
  it('event-get.1.json and event-get.2.json', () => {
    for (const name of ['event-get.1.json', 'event-get.2.json']) {
      const e = toCalendarEvent(body(name));
      expect(e).toMatchObject({
        subject: 'New Product Regulations Touchpoint',
        start: new Date('2014-11-03T17:00:00Z'),
        end: new Date('2014-11-03T17:30:00Z'),
        organizer: { address: 'engineering@M365x214355.onmicrosoft.com', name: 'Engineering' },
        response: 'none',
        showAs: 'unknown',
        type: 'singleInstance',
      });
      expect(e.attendees).toEqual([
        { address: 'engineering@M365x214355.onmicrosoft.com', name: 'Engineering', type: 'required', response: 'none', respondedAt: null },
        { address: 'IrvinS@M365x214355.onmicrosoft.com', name: 'Irvin Sayers', type: 'required', response: 'none', respondedAt: null },
      ]);
    }
  });

  it('the event inside eventmessage-get.2.json', () => {
    const e = toCalendarEvent(body('eventmessage-get.2.json')['event']);
    expect(e).toMatchObject({
      id: 'AAMkADYAAAImVu6AAA=',
      iCalUId: '040000008200E00074C5B7101A82E00800000000A2A6F3535D7FD3010000000000000000100000003D770E2E8974F44B9471BDB348097FE3',
      start: new Date('2018-02-02T22:00:00Z'),
      end: new Date('2018-02-02T23:00:00Z'),
      isOrganizer: false,
      isCancelled: false,
      response: 'tentativelyAccepted',
      respondedAt: new Date('2017-12-27T22:19:12.619Z'),
      showAs: 'tentative',
      sensitivity: 'normal',
      lastModifiedAt: new Date('2017-12-27T22:19:16.666Z'),
      webLink: 'https://outlook.office365.com/owa/?itemid=AAMkADYAAAImVu6AAA%3D&exvsurl=1&path=/calendar/item',
    });
    expect(e.attendees.map((a) => a.response)).toEqual(['none', 'tentativelyAccepted']);
  });

  it('delta-query-events 1–4: pages, nextLink and deltaLink, @removed ids', () => {
    const pages = [1, 2, 3, 4].map((n) => toPage(body(`delta-query-events.${n}.json`), toCalendarEvent));
    expect(pages.slice(0, 3).flatMap((p) => p.items.map((e) => e.subject))).toEqual(['Plan shopping list', 'Pick up car', 'Get food', 'Prepare food', 'Rest!']);
    expect(pages[0]?.items[0]).toMatchObject({ id: 'AAMkADNVxRAAA=', start: new Date('2016-12-09T20:30:00Z'), end: new Date('2016-12-09T22:00:00Z'), organizer: { address: 'samanthab@contoso.onmicrosoft.com' } });
    expect(pages[0]?.nextLink).toBe('https://graph.microsoft.com/v1.0/me/calendarView/delta?$skiptoken=R0usmcCM996atia_s');
    expect(pages[2]?.deltaLink).toBe('https://graph.microsoft.com/v1.0/me/calendarView/delta?$deltatoken=R0usmcMDNGg0J1E');
    expect(pages[3]?.removed).toEqual(['AAMkADk0MGFkODE3LWE4MmYtNDRhOS04OGQLkRkXbBznTvAADb6ytyAAA=']);
    expect(pages[3]?.items.map((e) => [e.id, e.subject, e.start.toISOString()])).toEqual([['AAMkADj1HvAAA=', 'Attend service', '2016-12-25T06:00:00.000Z']]);
  });

  it('user-list-calendarview.1.json and event-delta.1.json are abridged (no id, no times): invalid naming the field; completed, they map', () => {
    invalidField(() => toPage(body('user-list-calendarview.1.json'), toCalendarEvent), 'id');
    invalidField(() => toCalendarEvent({ id: 'x' }), 'start');
    const times = { id: 'e1', start: { dateTime: '2020-01-01T19:00:00.0000000', timeZone: 'Pacific Standard Time' }, end: { dateTime: '2020-01-01T20:00:00.0000000', timeZone: 'Pacific Standard Time' } };
    const [item] = body('user-list-calendarview.1.json')['value'] as Record<string, unknown>[];
    expect(toCalendarEvent({ ...item, ...times })).toMatchObject({
      iCalUId: '040000008200E00074C5B7101A82E00800000000D3D70B8A6A17D70100000000000000001000000074665914A06C3F49BB4B7D7EEE4304DA',
      response: 'accepted',
      respondedAt: new Date('2016-10-19T10:37:00Z'),
      start: new Date('2020-01-02T03:00:00Z'), // Pacific Standard Time is UTC-8 in January
    });
    const [delta] = body('event-delta.1.json')['value'] as Record<string, unknown>[];
    expect(toCalendarEvent({ ...delta, ...times })).toMatchObject({ iCalUId: 'iCalUId-value', transactionId: null, response: 'none', respondedAt: null });
  });
});

describe('schedules, settings, people', () => {
  it('calendar-getschedule.1.json: items in Pacific time, working hours by Windows name and by custom bias', () => {
    const [adele, megan] = toPage(body('calendar-getschedule.1.json'), toSchedule).items;
    expect(adele).toEqual({
      scheduleId: 'adelev@contoso.onmicrosoft.com',
      error: null,
      items: [{ start: new Date('2019-03-15T19:00:00Z'), end: new Date('2019-03-15T21:00:00Z'), status: 'busy', subject: "Let's go for lunch" }],
      workingHours: { daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], startTime: '08:00:00', endTime: '17:00:00', timeZone: 'America/Los_Angeles' },
    });
    expect(megan?.items.map((i) => i.status)).toEqual(['busy', 'busy', 'tentative', 'busy', 'tentative']);
    expect(megan?.items[0]).toMatchObject({ start: new Date('2019-03-15T15:30:00Z'), subject: null });
    expect(megan?.workingHours?.timeZone).toBe('Etc/GMT+8'); // bias 480: UTC-8
  });

  it('user-get-mailboxsettings.1.json', () => {
    expect(toMailboxSettings(body('user-get-mailboxsettings.1.json'))).toEqual({
      timeZone: 'UTC',
      workingHours: { daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], startTime: '08:00:00', endTime: '17:00:00', timeZone: 'America/Los_Angeles' },
      automaticReplies: { status: 'scheduled', scheduledStart: new Date('2016-03-14T07:00:00Z'), scheduledEnd: new Date('2016-03-28T07:00:00Z') },
    });
  });

  it('user-get-mailboxsettings 2 and 3 (property routes) map as parts of the settings; a missing timeZone is invalid', () => {
    const replies = body('user-get-mailboxsettings.2.json');
    const hours = body('user-get-mailboxsettings.3.json');
    const s = toMailboxSettings({ timeZone: 'Pacific Standard Time', automaticRepliesSetting: replies, workingHours: hours });
    expect(s.timeZone).toBe('America/Los_Angeles');
    expect(s.automaticReplies).toEqual({ status: 'alwaysEnabled', scheduledStart: new Date('2016-03-19T02:00:00Z'), scheduledEnd: new Date('2016-03-20T02:00:00Z') });
    expect(s.workingHours).toEqual({ daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'], startTime: '09:00:00', endTime: '18:30:00', timeZone: 'UTC+3:20' });
    invalidField(() => toMailboxSettings(body('user-get-mailboxsettings.4.json')), 'timeZone');
  });

  it('user-list-manager 1 and 2', () => {
    expect(toDirectoryPerson(body('user-list-manager.1.json'))).toEqual({ id: '7d54cb02-aaa3-4016-9f9c-a4b49422dd9b', displayName: 'Sara Davis', mail: 'SaraD@contoso.onmicrosoft.com', userPrincipalName: 'SaraD@contoso.onmicrosoft.com' });
    expect(toDirectoryPerson(body('user-list-manager.2.json')['manager'])).toEqual({ id: '7d54cb02-aaa3-4016-9f9c-a4b49422dd9b', displayName: 'Alex Wilber', mail: null, userPrincipalName: null });
  });

  it('maps Windows, IANA and UTC zone names', () => {
    expect(ianaZone('W. Europe Standard Time')).toBe('Europe/Berlin');
    expect(ianaZone('Eastern Standard Time')).toBe('America/New_York');
    expect(ianaZone('Europe/Rome')).toBe('Europe/Rome');
    expect(ianaZone('UTC')).toBe('UTC');
    expect(ianaZone('Nowhere Standard Time')).toBeNull();
  });
});
