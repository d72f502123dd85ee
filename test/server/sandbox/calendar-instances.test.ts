// A series' single occurrences in the sandbox as Graph serves them: `GET /events/{id}/instances` in a window (the
// window required, a deleted series 404, a single instance has none), and a PATCH of one occurrence making it an
// exception (type `exception`, its own body and time) on the organizer's and the attendee's calendars alike, with
// what may not be changed refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoUsers, startSandboxHarness, type SandboxHarness } from './harness';

const anton = 'anton.weber@contoso-sales.example';
let h: SandboxHarness;
let dataDir: string;
beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-instances-'));
});
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  h = await startSandboxHarness({ dataDir });
});
afterEach(() => h.close());

async function weeklySeries(): Promise<string> {
  const r = await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/events`, {
    subject: 'Weekly sync',
    body: { contentType: 'HTML', content: '<p>Series</p>' },
    start: { dateTime: '2026-11-24T12:30:00', timeZone: 'Europe/Berlin' },
    end: { dateTime: '2026-11-24T13:00:00', timeZone: 'Europe/Berlin' },
    attendees: [{ emailAddress: { address: anton }, type: 'required' }],
    recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'], firstDayOfWeek: 'monday' }, range: { type: 'noEnd', startDate: '2026-11-24', recurrenceTimeZone: 'Europe/Berlin' } },
  });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

const window = 'startDateTime=2026-11-23T00:00:00Z&endDateTime=2026-12-09T00:00:00Z';

describe('event instances', () => {
  it('lists the occurrences of a series in the window, in order, with their master', async () => {
    const id = await weeklySeries();
    const r = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${id}/instances?${window}&$select=id,start,type,seriesMasterId`);
    expect(r.status).toBe(200);
    expect(r.body.value.map((o: { start: { dateTime: string } }) => o.start.dateTime)).toEqual(['2026-11-24T11:30:00.0000000', '2026-12-01T11:30:00.0000000', '2026-12-08T11:30:00.0000000']);
    expect(r.body.value[0]).toMatchObject({ type: 'occurrence', seriesMasterId: id });
    expect(Object.keys(r.body.value[0]).sort()).toEqual(['@odata.etag', 'id', 'seriesMasterId', 'start', 'type'].sort());
  });

  it.each([
    ['without a window', '', 400, 'ErrorInvalidParameter'],
    ['with a malformed id', 'x', 400, 'ErrorInvalidIdMalformed'],
  ])('refuses a request %s', async (_name, suffix, status, code) => {
    const id = await weeklySeries();
    const url = suffix === 'x' ? `/v1.0/users/${demoUsers.sofiaSdr}/events/not-an-id/instances?${window}` : `/v1.0/users/${demoUsers.sofiaSdr}/events/${id}/instances`;
    const r = await h.graph('GET', url);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
  });

  it('answers 404 once the series is deleted, and no instances for a single event', async () => {
    const id = await weeklySeries();
    expect((await h.graph('DELETE', `/v1.0/users/${demoUsers.sofiaSdr}/events/${id}`)).status).toBe(204);
    const gone = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${id}/instances?${window}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('ErrorItemNotFound');
    const single = await h.graph('POST', `/v1.0/users/${demoUsers.sofiaSdr}/events`, {
      subject: 'Once',
      start: { dateTime: '2026-11-24T10:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-24T10:30:00', timeZone: 'UTC' },
    });
    const none = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${single.body.id as string}/instances?${window}`);
    expect(none.status).toBe(200);
    expect(none.body.value).toEqual([]);
  });
});

describe('PATCH of one occurrence', () => {
  it('makes it an exception with its own body on both calendars, leaving the other occurrences', async () => {
    const id = await weeklySeries();
    const list = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${id}/instances?${window}`);
    const second = list.body.value[1].id as string;
    const patched = await h.graph('PATCH', `/v1.0/users/${demoUsers.sofiaSdr}/events/${second}`, { body: { contentType: 'HTML', content: '<p>Agenda of 1 December</p>' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: second, type: 'exception', seriesMasterId: id });

    const after = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${id}/instances?${window}`);
    expect(after.body.value.map((o: { type: string }) => o.type)).toEqual(['occurrence', 'exception', 'occurrence']);
    expect(after.body.value[1].body.content).toContain('Agenda of 1 December');
    expect(after.body.value[0].body.content).toContain('Series');
    const read = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${second}`);
    expect(read.body.body.content).toContain('Agenda of 1 December');

    // The attendee's copy of that occurrence carries it too (found through the attendee's own calendar view).
    const view = await h.graph('GET', `/v1.0/users/${demoUsers.antonAe}/calendarView?startDateTime=2026-12-01T00:00:00Z&endDateTime=2026-12-02T00:00:00Z`);
    expect(view.body.value).toHaveLength(1);
    expect(view.body.value[0]).toMatchObject({ type: 'exception' });
    expect(view.body.value[0].body.content).toContain('Agenda of 1 December');
  });

  it('moves one occurrence without moving the series', async () => {
    const id = await weeklySeries();
    const list = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${id}/instances?${window}`);
    const first = list.body.value[0].id as string;
    const moved = await h.graph('PATCH', `/v1.0/users/${demoUsers.sofiaSdr}/events/${first}`, {
      start: { dateTime: '2026-11-24T15:00:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-11-24T15:30:00', timeZone: 'Europe/Berlin' },
    });
    expect(moved.status).toBe(200);
    const after = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${id}/instances?${window}`);
    expect(after.body.value.map((o: { start: { dateTime: string } }) => o.start.dateTime)).toEqual(['2026-11-24T14:00:00.0000000', '2026-12-01T11:30:00.0000000', '2026-12-08T11:30:00.0000000']);
  });

  it('refuses what the sandbox does not change on one occurrence, naming it', async () => {
    const id = await weeklySeries();
    const list = await h.graph('GET', `/v1.0/users/${demoUsers.sofiaSdr}/events/${id}/instances?${window}`);
    const r = await h.graph('PATCH', `/v1.0/users/${demoUsers.sofiaSdr}/events/${list.body.value[0].id as string}`, { attendees: [] });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain("'attendees'");
  });
});
