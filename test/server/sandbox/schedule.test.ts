// Free/busy as Graph's calendar/getSchedule answers it (availabilityView digits, scheduleItems, workingHours, errors
// per schedule and per request), and the time arithmetic under it: time-zone names, recurrence expansion.
 
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { availabilityView, expandRecurrence, renderDateTime, resolveZone, type FreeBusyItem } from '../../../server/sandbox/schedule';
import { demoUsers, startSandboxHarness, type SandboxHarness } from './harness';

const examplesDir = path.resolve(__dirname, '../../../../shared/graph/examples');
const anton = 'anton.weber@contoso-sales.example';
const sofia = 'sofia.keller@contoso-sales.example';
const elena = 'elena.rossi@contoso-sales.example';

describe('time-zone names', () => {
  it.each([
    ['Pacific Standard Time', 'America/Los_Angeles'],
    ['pacific standard time', 'America/Los_Angeles'],
    ['W. Europe Standard Time', 'Europe/Berlin'],
    ['GMT Standard Time', 'Europe/London'],
    ['UTC', 'UTC'],
    ['tzone://Microsoft/Utc', 'UTC'],
    ['Europe/Rome', 'Europe/Rome'],
    ['America/Chicago', 'America/Chicago'],
    ['Mars Standard Time', null],
    ['', null],
  ])('%s → %s', (name, iana) => {
    expect(resolveZone(name)).toBe(iana);
  });

  it("renders an instant with Graph's seven fractional digits", () => {
    expect(renderDateTime(Date.UTC(2026, 10, 24, 9, 0), { label: 'Pacific Standard Time', iana: 'America/Los_Angeles' })).toEqual({ dateTime: '2026-11-24T01:00:00.0000000', timeZone: 'Pacific Standard Time' });
  });
});

describe('recurrence expansion', () => {
  const at = (iso: string) => Date.parse(iso);
  const starts = (recurrence: object, master: [string, string], zone: string, from = '2026-01-01T00:00:00Z', to = '2027-12-31T00:00:00Z') =>
    expandRecurrence(recurrence as never, { startMs: at(master[0]), endMs: at(master[1]), zone }, at(from), at(to)).map((o) => new Date(o.startMs).toISOString().slice(0, 16));

  it.each([
    ['daily every 2 days, 3 times', { pattern: { type: 'daily', interval: 2 }, range: { type: 'numbered', startDate: '2026-11-23', numberOfOccurrences: 3 } }, ['2026-11-23T09:00', '2026-11-25T09:00', '2026-11-27T09:00']],
    ['weekly on Monday and Thursday until an end date (inclusive)', { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'thursday'] }, range: { type: 'endDate', startDate: '2026-11-23', endDate: '2026-11-30' } }, ['2026-11-23T09:00', '2026-11-26T09:00', '2026-11-30T09:00']],
    ['every other week on Tuesday, 2 times', { pattern: { type: 'weekly', interval: 2, daysOfWeek: ['tuesday'] }, range: { type: 'numbered', startDate: '2026-11-23', numberOfOccurrences: 2 } }, ['2026-11-24T09:00', '2026-12-08T09:00']],
    ['monthly on day 31 (the last day of shorter months)', { pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: 31 }, range: { type: 'numbered', startDate: '2026-11-23', numberOfOccurrences: 3 } }, ['2026-11-30T09:00', '2026-12-31T09:00', '2027-01-31T09:00']],
    ['monthly on the last Friday', { pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['friday'], index: 'last' }, range: { type: 'numbered', startDate: '2026-11-23', numberOfOccurrences: 2 } }, ['2026-11-27T09:00', '2026-12-25T09:00']],
    ['yearly on 15 March', { pattern: { type: 'absoluteYearly', interval: 1, month: 3, dayOfMonth: 15 }, range: { type: 'numbered', startDate: '2026-11-23', numberOfOccurrences: 1 } }, ['2027-03-15T09:00']],
    ['yearly on the first Monday of December', { pattern: { type: 'relativeYearly', interval: 1, month: 12, daysOfWeek: ['monday'], index: 'first' }, range: { type: 'numbered', startDate: '2026-11-23', numberOfOccurrences: 2 } }, ['2026-12-07T09:00', '2027-12-06T09:00']],
  ])('%s', (_name, recurrence, expected) => {
    expect(starts(recurrence, ['2026-11-23T09:00:00Z', '2026-11-23T09:30:00Z'], 'UTC')).toEqual(expected);
  });

  it("keeps the series' local time across a daylight-saving change", () => {
    const weekly = { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['friday'] }, range: { type: 'numbered', startDate: '2026-10-16', numberOfOccurrences: 3 } };
    // 09:00 in Berlin is 07:00Z in summer time and 08:00Z after 25 October.
    expect(starts(weekly, ['2026-10-16T07:00:00Z', '2026-10-16T07:30:00Z'], 'Europe/Berlin')).toEqual(['2026-10-16T07:00', '2026-10-23T07:00', '2026-10-30T08:00']);
  });

  it('stops on patterns no calendar could follow instead of hanging', () => {
    const absurd = { pattern: { type: 'absoluteYearly', interval: 1, month: 13, dayOfMonth: 1 }, range: { type: 'noEnd', startDate: '2026-11-23' } };
    // (The route refuses month 13 with a 400; the expander on its own rolls it over and still finishes.)
    expect(starts(absurd, ['2026-11-23T09:00:00Z', '2026-11-23T09:30:00Z'], 'UTC', '2026-01-01T00:00:00Z', '2027-06-01T00:00:00Z')).toEqual(['2027-01-01T09:00']);
    const farApart = { pattern: { type: 'weekly', interval: 100_000_000, daysOfWeek: ['friday'] }, range: { type: 'noEnd', startDate: '2026-11-23' } };
    expect(starts(farApart, ['2026-11-23T09:00:00Z', '2026-11-23T09:30:00Z'], 'UTC')).toEqual(['2026-11-27T09:00']);
  });

  it('gives only the occurrences overlapping the window, counting from the series start', () => {
    const daily = { pattern: { type: 'daily', interval: 1 }, range: { type: 'numbered', startDate: '2026-11-01', numberOfOccurrences: 10 } };
    expect(starts(daily, ['2026-11-01T09:00:00Z', '2026-11-01T10:00:00Z'], 'UTC', '2026-11-09T00:00:00Z', '2026-11-20T00:00:00Z')).toEqual(['2026-11-09T09:00', '2026-11-10T09:00']);
  });
});

describe('availabilityView', () => {
  const item = (status: FreeBusyItem['status'], from: number, to: number): FreeBusyItem => ({ status, startMs: from * 60_000, endMs: to * 60_000, subject: '', location: '', isPrivate: false });
  it.each([
    ['nothing: all free', [], 0, 120, 30, '0000'],
    ['one busy hour', [item('busy', 30, 90)], 0, 120, 30, '0220'],
    ['partial overlap counts', [item('tentative', 40, 50)], 0, 120, 30, '0100'],
    ['oof beats busy beats tentative beats working elsewhere', [item('workingElsewhere', 0, 120), item('tentative', 30, 120), item('busy', 60, 120), item('oof', 90, 120)], 0, 120, 30, '4123'],
    ['a last, shorter interval', [item('busy', 100, 110)], 0, 110, 60, '02'],
  ])('%s', (_name, items, from, to, interval, expected) => {
    expect(availabilityView(items, from * 60_000, to * 60_000, interval)).toBe(expected);
  });
});

describe('calendar/getSchedule', () => {
  // A fresh sandbox per test; the signing key is made once (key generation is the slow part).
  let h: SandboxHarness;
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-schedule-'));
  });
  afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});
  beforeEach(async () => {
    h = await startSandboxHarness({ dataDir });
  });
  afterEach(() => h.close());

  const utc = (time: string) => ({ dateTime: `2026-11-24T${time}:00`, timeZone: 'UTC' });
  const window = { startTime: utc('08:00'), endTime: utc('17:00'), availabilityViewInterval: 60 };

  async function post(user: string, body: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const r = await h.graph('POST', `/v1.0/users/${user}/events`, { start: utc(body['from'] as string), end: utc(body['to'] as string), ...extra, subject: body['subject'] });
    expect(r.status).toBe(201);
    return r.body;
  }

  /** Anton's Tuesday, one item per kind of time. */
  async function seedAnton(): Promise<void> {
    await post(demoUsers.antonAe, { subject: 'Customer call', from: '08:00', to: '09:00' }, { location: { displayName: 'Room 1' } });
    await post(demoUsers.antonAe, { subject: 'Prep: Fabrikam', from: '09:00', to: '09:30' }, { sensitivity: 'private' });
    const declined = await post(demoUsers.liamSdr, { subject: 'Declined intro', from: '10:00', to: '11:00' }, { attendees: [{ emailAddress: { address: anton } }] });
    const cancelled = await post(demoUsers.danaSdr, { subject: 'Cancelled intro', from: '11:00', to: '11:30' }, { attendees: [{ emailAddress: { address: anton } }] });
    await post(demoUsers.antonAe, { subject: 'Offsite', from: '12:00', to: '13:00' }, { showAs: 'oof' });
    await post(demoUsers.antonAe, { subject: 'Overlap', from: '12:30', to: '13:00' }, { showAs: 'busy' });
    await post(demoUsers.antonAe, { subject: 'Lunch', from: '13:00', to: '14:00' }, { showAs: 'free' });
    await post(demoUsers.antonAe, { subject: 'Client site', from: '14:00', to: '15:00' }, { showAs: 'workingElsewhere' });
    await post(demoUsers.antonAe, { subject: 'Maybe', from: '15:00', to: '15:30' }, { showAs: 'tentative' });
    await post(demoUsers.sofiaSdr, { subject: 'Unanswered intro', from: '16:00', to: '16:30' }, { attendees: [{ emailAddress: { address: anton } }] });

    const copies = (await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/events?$top=50`)).body.value as Array<{ id: string; iCalUId: string }>;
    const declinedCopy = copies.find((c) => c.iCalUId === declined.iCalUId);
    await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events/${declinedCopy?.id}/decline`, { sendResponse: true });
    await h.graph('DELETE', `/v1.0/users/${demoUsers.danaSdr}/events/${cancelled.id}`);
  }

  it('gives a digit per interval and the busy items; declined and cancelled meetings and free time do not count', async () => {
    await seedAnton();
    const r = await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/calendar/getSchedule`, { schedules: [anton], ...window });
    expect(r.status).toBe(200);
    expect(r.body['@odata.context']).toBe('https://sandbox.test/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)');
    const [info] = r.body.value;
    expect(info.scheduleId).toBe(anton);
    expect(info.availabilityView).toBe('220030411');
    // Another person's calendar: free/busy only, no subjects.
    expect(info.scheduleItems[0]).toEqual({ status: 'busy', start: { dateTime: '2026-11-24T08:00:00.0000000', timeZone: 'UTC' }, end: { dateTime: '2026-11-24T09:00:00.0000000', timeZone: 'UTC' } });
    expect(info.scheduleItems.map((i: { status: string }) => i.status)).toEqual(['busy', 'busy', 'oof', 'busy', 'workingElsewhere', 'tentative', 'tentative']);
    expect(info.workingHours).toEqual({ daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], startTime: '09:00:00.0000000', endTime: '18:00:00.0000000', timeZone: { name: 'W. Europe Standard Time' } });
  });

  it("shows subject, location and privacy for the mailbox's own schedule, in the Prefer zone", async () => {
    await seedAnton();
    const r = await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/calendar/getSchedule`, { schedules: [anton], ...window }, { Prefer: 'outlook.timezone="W. Europe Standard Time"' });
    expect(r.headers['preference-applied']).toBe('outlook.timezone="W. Europe Standard Time"');
    const items = r.body.value[0].scheduleItems;
    expect(items[0]).toEqual({ isPrivate: false, subject: 'Customer call', location: 'Room 1', status: 'busy', start: { dateTime: '2026-11-24T09:00:00.0000000', timeZone: 'W. Europe Standard Time' }, end: { dateTime: '2026-11-24T10:00:00.0000000', timeZone: 'W. Europe Standard Time' } });
    expect(items[1]).toMatchObject({ isPrivate: true, status: 'busy' });
  });

  it('defaults to 30-minute intervals; automatic replies do not make anyone out of office', async () => {
    const r = await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/calendar/getSchedule`, { schedules: [elena, 'Sofia.Keller@contoso-sales.example'], startTime: utc('08:00'), endTime: utc('17:00') });
    expect(r.body.value.map((i: { scheduleId: string; availabilityView: string }) => [i.scheduleId, i.availabilityView])).toEqual([
      [elena, '0'.repeat(18)],
      ['Sofia.Keller@contoso-sales.example', '0'.repeat(18)],
    ]);
    expect(r.body.value[0].workingHours.timeZone).toEqual({ name: 'Europe/Rome' });
  });

  it('answers an address it cannot resolve with an error in its place, and the others normally', async () => {
    const r = await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/calendar/getSchedule`, { schedules: ['lead@fabrikam.example', anton], ...window });
    expect(r.status).toBe(200);
    expect(r.body.value[0]).toMatchObject({ scheduleId: 'lead@fabrikam.example', error: { responseCode: 'ErrorMailRecipientNotFound', message: expect.stringContaining('lead@fabrikam.example') } });
    expect(r.body.value[1]).toMatchObject({ scheduleId: anton, availabilityView: '000000000' });
  });

  it('takes the parameter names in any case and the interval as a string, as the concept page sends them', async () => {
    const r = await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/calendar/getSchedule`, { Schedules: [anton], StartTime: utc('09:00'), EndTime: utc('10:00'), availabilityViewInterval: '15' });
    expect(r.status).toBe(200);
    expect(r.body.value[0].availabilityView).toBe('0000');
  });

  it.each([
    ['malformed JSON', '{"schedules": [', 'BadRequest', 'JSON'],
    ['more than 20 schedules', { ...window, schedules: Array.from({ length: 21 }, (_, i) => `user${i}@contoso-sales.example`) }, 'ErrorMailboxDataArrayTooBig', 'The allowed size = 20; the actual size = 21.'],
    ['a window over 42 days', { schedules: [anton], startTime: utc('08:00'), endTime: { dateTime: '2027-01-05T09:00:00', timeZone: 'UTC' } }, 'ErrorTimeIntervalTooBig', 'The allowed limit = 42 days; the actual limit = 43 days.'],
    ['an end before the start', { schedules: [anton], startTime: utc('10:00'), endTime: utc('09:00') }, 'ErrorInvalidTimeInterval', 'FreeBusyViewOptions.TimeWindow is invalid'],
    ['an interval under 5 minutes', { ...window, schedules: [anton], availabilityViewInterval: 4 }, 'ErrorInvalidMergedFreeBusyInterval', 'between 5 and 1440 minutes'],
    ['an interval over 1440 minutes', { schedules: [anton], startTime: utc('08:00'), endTime: { dateTime: '2026-11-27T08:00:00', timeZone: 'UTC' }, availabilityViewInterval: 1441 }, 'ErrorInvalidMergedFreeBusyInterval', 'between 5 and 1440 minutes'],
    ['an interval longer than the window', { schedules: [anton], startTime: utc('08:00'), endTime: utc('08:30'), availabilityViewInterval: 60 }, 'ErrorInvalidMergedFreeBusyInterval', 'less than the free/busy time window'],
    ['no schedules', { ...window }, 'ErrorInvalidParameter', 'schedules'],
    ['no startTime', { schedules: [anton], endTime: utc('09:00') }, 'ErrorInvalidParameter', 'startTime'],
    ['schedules that are not strings', { ...window, schedules: [{ address: anton }] }, 'RequestBodyRead', 'schedules'],
    ['an unknown parameter', { ...window, schedules: [anton], attendees: [] }, 'RequestBodyRead', "The parameter 'attendees' in the request payload is not a valid parameter for the operation 'getSchedule'."],
    ['an unknown time zone', { ...window, schedules: [anton], startTime: { dateTime: '2026-11-24T08:00:00', timeZone: 'Nowhere' } }, 'TimeZoneNotSupportedException', "'Nowhere'"],
  ] as const)('refuses %s (400)', async (_name, body, code, message) => {
    const r = await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/calendar/getSchedule`, body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(code);
    expect(r.body.error.message).toContain(message);
  });

  it('allows exactly 20 schedules and exactly 42 days', async () => {
    const twenty = Array.from({ length: 20 }, (_, i) => `user${i}@contoso-sales.example`);
    expect((await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/calendar/getSchedule`, { ...window, schedules: twenty })).status).toBe(200);
    const long = await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/calendar/getSchedule`, { schedules: [anton], startTime: utc('08:00'), endTime: { dateTime: '2027-01-05T08:00:00', timeZone: 'UTC' }, availabilityViewInterval: 1440 });
    expect(long.status).toBe(200);
    expect(long.body.value[0].availabilityView).toHaveLength(42);
  });

  it('answers calendar-getschedule.1 in the same shape, for the caller and another user', async () => {
    const ex = JSON.parse(fs.readFileSync(path.join(examplesDir, 'calendar-getschedule.1.json'), 'utf8'));
    const pstLunch = { subject: "Let's go for lunch", location: { displayName: "Harry's Bar" }, start: { dateTime: '2019-03-15T12:00:00', timeZone: 'Pacific Standard Time' }, end: { dateTime: '2019-03-15T14:00:00', timeZone: 'Pacific Standard Time' } };
    await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/events`, pstLunch);
    await h.graph('POST', `/v1.0/users/${demoUsers.antonAe}/events`, pstLunch);
    const r = await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/calendar/getSchedule`, { ...ex.request.body, schedules: [sofia, anton] }, { Prefer: ex.request.headers.Prefer });
    expect(r.status).toBe(ex.response.status);
    const [mine, theirs] = r.body.value;
    const [docMine, docTheirs] = ex.response.body.value;
    expect(Object.keys(mine).sort()).toEqual(Object.keys(docMine).sort());
    expect(Object.keys(mine.scheduleItems[0]).sort()).toEqual(Object.keys(docMine.scheduleItems[0]).sort());
    expect(Object.keys(theirs.scheduleItems[0]).sort()).toEqual(Object.keys(docTheirs.scheduleItems[0]).sort());
    expect(mine).toMatchObject({ availabilityView: docMine.availabilityView, scheduleItems: docMine.scheduleItems });
  });
});
