// The weekly sync's pure parts: the settings (errors name the field), the weekly time of a pair across zones, with
// no common hours, around daylight-saving changes and around busy times, the occurrences, and the agenda's content.
import { DateTime } from 'luxon';
import {
  buildAgenda,
  chooseWeeklySlot,
  nextOccurrence,
  parseWeeklySyncPolicies,
  previousOccurrence,
  type AgendaHandoff,
  type SyncPerson,
  type WeeklySyncSettings,
} from '../../../server/domain/weekly-sync';
import type { WorkingHours } from '../../../server/domain/mailbox';
import { renderSyncAgenda } from '../../../server/mail/weekly-sync-mails';

const settings: WeeklySyncSettings = { enabled: true, weekday: 'tuesday', lengthMinutes: 30, earliest: '09:00', latest: '17:00', agendaHoursBefore: 24, lookAheadWeeks: 4 };
const weekdays: WorkingHours['daysOfWeek'] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
const person = (name: string, timeZone: string, startTime: string, endTime: string, busy: SyncPerson['busy'] = [], days = weekdays): SyncPerson => ({
  name,
  timeZone,
  workingHours: { daysOfWeek: days, startTime, endTime, timeZone },
  busy,
});
const local = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat('ccc HH:mm');

describe('weekly sync settings', () => {
  const valid = { default: settings, teams: { americas: { weekday: 'wednesday' } } };

  it('merges a team override onto the default', () => {
    const parsed = parseWeeklySyncPolicies(valid);
    expect(parsed.ok && parsed.value.teams['americas']).toEqual({ ...settings, weekday: 'wednesday' });
  });

  it.each([
    [{ ...valid, default: { ...settings, weekday: 'funday' } }, 'default.weekday'],
    [{ ...valid, default: { ...settings, lengthMinutes: 5 } }, 'default.lengthMinutes'],
    [{ ...valid, default: { ...settings, earliest: '9am' } }, 'default.earliest'],
    [{ ...valid, default: { ...settings, agendaHoursBefore: 0 } }, 'default.agendaHoursBefore'],
    [{ ...valid, default: { ...settings, lookAheadWeeks: 6 } }, 'default.lookAheadWeeks'],
    [{ ...valid, teams: { emea: { latest: '09:15' } } }, 'teams.emea.latest'],
    [{ ...valid, teams: { emea: { colour: 'red' } } }, 'teams.emea.colour'],
  ])('refuses %j naming %s', (json, field) => {
    const parsed = parseWeeklySyncPolicies(json);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.map((e) => e.field)).toContain(field);
  });

  it('reads the shipped settings file', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(parseWeeklySyncPolicies(require('../../../server/settings/weekly-sync.json')).ok).toBe(true);
  });
});

describe('chooseWeeklySlot', () => {
  const now = new Date('2026-11-23T08:00:00Z'); // Monday

  it.each([
    ['Berlin and Rome: the middle of both days', person('Sofia', 'Europe/Berlin', '08:00:00', '16:30:00'), person('Anton', 'Europe/Rome', '09:00:00', '18:00:00'), 'Tue 12:30', 'Tue 12:30'],
    ['Berlin and New York: the afternoon in Berlin, the morning in New York', person('Sofia', 'Europe/Berlin', '09:00:00', '17:00:00'), person('Jordan', 'America/New_York', '09:00:00', '17:00:00'), 'Tue 15:00', 'Tue 09:00'],
    ['Chicago and Los Angeles', person('Dana', 'America/Chicago', '08:00:00', '17:00:00'), person('Priya', 'America/Los_Angeles', '08:00:00', '16:00:00'), 'Tue 14:15', 'Tue 12:15'],
  ])('%s', (_name, sdr, ae, sdrLocal, aeLocal) => {
    const r = chooseWeeklySlot({ now, settings, sdr, ae });
    if (!r.ok) throw new Error(r.error.message);
    expect(local(r.value.firstStart, sdr.timeZone)).toBe(sdrLocal);
    expect(local(r.value.firstStart, ae.timeZone)).toBe(aeLocal);
    expect(r.value.firstStart.toISOString().slice(0, 10)).toBe('2026-11-24');
    expect(r.value.firstEnd.getTime() - r.value.firstStart.getTime()).toBe(30 * 60_000);
  });

  it.each([
    ['Berlin and Los Angeles office hours', person('Sofia', 'Europe/Berlin', '08:00:00', '16:30:00'), person('Priya', 'America/Los_Angeles', '08:00:00', '16:00:00'), 'do not overlap'],
    ['an SDR who does not work on Tuesdays', person('Sofia', 'Europe/Berlin', '09:00:00', '17:00:00', [], ['monday', 'wednesday']), person('Anton', 'Europe/Berlin', '09:00:00', '17:00:00'), 'does not work on Tuesday'],
    ['an AE whose hours end before the team’s earliest', person('Sofia', 'Europe/Berlin', '09:00:00', '17:00:00'), person('Anton', 'Europe/Berlin', '06:00:00', '09:00:00'), 'outside that window'],
  ])('no common working hours: %s', (_name, sdr, ae, detail) => {
    const r = chooseWeeklySlot({ now, settings, sdr, ae });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('no_common_hours');
    expect(r.error.message).toContain(detail);
    expect(r.error.sdrHours).toBe(`${sdr.workingHours?.daysOfWeek.length === 5 ? 'Mon–Fri' : 'Mon, Wed'} ${sdr.workingHours?.startTime.slice(0, 5) ?? ''}–${sdr.workingHours?.endTime.slice(0, 5) ?? ''} ${sdr.timeZone}`);
  });

  it('keeps clear of the weeks when Europe and the US change clocks on different dates', () => {
    // Berlin 15–18 and New York 05–11 overlap 15:00–17:00 Berlin in winter but only 15:00–16:00 in the weeks of March
    // when the US has moved its clocks and Europe not yet: the middle of Berlin's day (16:15) would leave New York's
    // hours then, 15:30 fits all year.
    const wide = { ...settings, earliest: '05:00', latest: '20:00' };
    const sdr = person('Sofia', 'Europe/Berlin', '15:00:00', '18:00:00');
    const ae = person('Jordan', 'America/New_York', '05:00:00', '11:00:00');
    const r = chooseWeeklySlot({ now, settings: wide, sdr, ae });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.fitsAllYear).toBe(true);
    expect(local(r.value.firstStart, 'Europe/Berlin')).toBe('Tue 15:30');
    for (const date of ['2027-03-16', '2027-03-23', '2027-07-06', '2027-11-02']) {
      const o = nextOccurrence(r.value, r.value.firstStart, new Date(`${date}T00:00:00Z`));
      const ny = DateTime.fromJSDate(o.end, { zone: 'America/New_York' });
      expect(ny.hour * 60 + ny.minute).toBeLessThanOrEqual(11 * 60);
    }
  });

  it('books a time that fits the first weeks when none fits all year, and says so', () => {
    const wide = { ...settings, earliest: '05:00', latest: '20:00' };
    const r = chooseWeeklySlot({ now, settings: wide, sdr: person('Sofia', 'Europe/Berlin', '15:00:00', '18:00:00'), ae: person('Jordan', 'America/New_York', '06:00:00', '10:00:00') });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.fitsAllYear).toBe(false);
    expect(local(r.value.firstStart, 'America/New_York')).toMatch(/^Tue 09:(00|15|30)$/);
  });

  it('avoids a time at which one of them is busy every week', () => {
    const busy: SyncPerson['busy'] = [0, 1, 2, 3].map((w) => ({
      start: new Date(Date.parse('2026-11-24T11:00:00Z') + w * 7 * 86_400_000),
      end: new Date(Date.parse('2026-11-24T12:30:00Z') + w * 7 * 86_400_000),
      status: 'busy' as const,
      subject: null,
    }));
    const r = chooseWeeklySlot({ now, settings, sdr: person('Sofia', 'Europe/Berlin', '08:00:00', '16:30:00'), ae: person('Anton', 'Europe/Rome', '09:00:00', '18:00:00', busy) });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.busyWeeks).toBe(0);
    const start = r.value.firstStart.getTime();
    expect(start + 30 * 60_000 <= Date.parse('2026-11-24T11:00:00Z') || start >= Date.parse('2026-11-24T12:30:00Z')).toBe(true);
  });

  it('starts next week when this week’s time has passed', () => {
    const r = chooseWeeklySlot({ now: new Date('2026-11-24T15:00:00Z'), settings, sdr: person('Sofia', 'Europe/Berlin', '08:00:00', '16:30:00'), ae: person('Anton', 'Europe/Rome', '09:00:00', '18:00:00') });
    expect(r.ok && r.value.firstStart.toISOString()).toBe('2026-12-01T11:30:00.000Z');
  });
});

describe('occurrences', () => {
  const slot = { weekday: 'tuesday' as const, startTime: '12:30', lengthMinutes: 30, timeZone: 'Europe/Berlin' };
  it('keeps the wall-clock time across a daylight-saving change', () => {
    const first = new Date('2027-03-23T11:30:00Z');
    const o = nextOccurrence(slot, first, new Date('2027-03-24T00:00:00Z'));
    expect(o).toEqual({ date: '2027-03-30', start: new Date('2027-03-30T10:30:00Z'), end: new Date('2027-03-30T11:00:00Z') });
    expect(previousOccurrence(slot, o).start).toEqual(first);
    expect(nextOccurrence(slot, first, new Date('2027-03-01T00:00:00Z')).date).toBe('2027-03-23');
  });
});

describe('the agenda', () => {
  const since = new Date('2026-11-17T11:30:00Z');
  const until = new Date('2026-11-23T11:30:00Z');
  const hostile = '<script>alert("x")</script> & Co';
  const handoff = (over: Partial<AgendaHandoff>): AgendaHandoff => ({
    id: 'h',
    contactName: 'Lena Ortiz',
    companyName: 'Fabrikam',
    leadStatus: 'suspect',
    startedAt: new Date('2026-11-18T09:00:00Z'),
    stage: 'invite_sent',
    outcome: null,
    closedAt: null,
    meetingStart: null,
    handBackReason: null,
    handBackText: null,
    obligations: [],
    fallThroughs: [],
    hasFutureFollowup: true,
    ...over,
  });
  const facts: AgendaHandoff[] = [
    handoff({ id: 'a', contactName: hostile, obligations: [{ kind: 'ae_reply', status: 'open', dueAt: new Date('2026-11-24T09:00:00Z'), metAt: null, metWithinSla: null, breachedAt: null }] }),
    handoff({ id: 'b', contactName: 'Ben Ruiz', companyName: 'Contoso', obligations: [{ kind: 'ae_accept', status: 'escalated', dueAt: new Date('2026-11-19T09:00:00Z'), metAt: null, metWithinSla: null, breachedAt: new Date('2026-11-19T09:00:00Z') }] }),
    handoff({
      id: 'c',
      contactName: 'Cleo Park',
      companyName: 'Northwind',
      startedAt: new Date('2026-11-02T09:00:00Z'),
      stage: 'closed',
      outcome: 'hand_back',
      leadStatus: 'handed_back',
      closedAt: new Date('2026-11-20T15:00:00Z'),
      meetingStart: new Date('2026-11-20T14:00:00Z'),
      handBackReason: 'no_budget',
      handBackText: 'Budget <b>frozen</b> until Q3',
      hasFutureFollowup: false,
      obligations: [{ kind: 'ae_accept', status: 'met', dueAt: new Date('2026-11-04T09:00:00Z'), metAt: new Date('2026-11-18T10:00:00Z'), metWithinSla: true, breachedAt: null }],
    }),
    handoff({ id: 'd', contactName: 'Dev Shah', companyName: 'Tailspin', startedAt: new Date('2026-11-05T09:00:00Z'), stage: 'no_show', fallThroughs: [{ kind: 'no_show', at: new Date('2026-11-19T13:00:00Z') }] }),
  ];
  const agenda = buildAgenda({ since, until, handoffs: facts, sdrName: 'Sofia', aeName: 'Anton', reasonLabels: { no_budget: 'No budget' }, formatDate: (d) => d.toISOString().slice(0, 16) });

  it('names each figure of the pair’s week', () => {
    expect(agenda.handoffs.map((l) => l.lead)).toEqual([hostile, 'Ben Ruiz']);
    expect(agenda.openSlas.map((l) => [l.lead, l.detail])).toEqual([
      [hostile, 'Anton to reply to the intro: due 2026-11-24T09:00'],
      ['Ben Ruiz', 'Anton to accept the invite: due 2026-11-19T09:00 (overdue)'],
    ]);
    expect(agenda.breached.map((l) => l.lead)).toEqual(['Ben Ruiz']);
    expect(agenda.met.map((l) => l.detail)).toEqual(['accept the invite: met within the SLA 2026-11-18T10:00']);
    expect(agenda.meetingsHeld.map((l) => l.lead)).toEqual(['Cleo Park']);
    expect(agenda.fallenThrough.map((l) => [l.lead, l.detail])).toEqual([['Dev Shah', 'no-show 2026-11-19T13:00']]);
    expect(agenda.handBacks.map((l) => l.detail)).toEqual(['No budget: “Budget <b>frozen</b> until Q3”']);
    expect(agenda.withoutFollowup.map((l) => l.lead)).toEqual(['Cleo Park']);
    expect(agenda.nextSteps).toEqual([
      'Sofia: plan the nurture of Cleo Park (Northwind); go through why it came back (No budget).',
      'Sofia: plan the next follow-up for Cleo Park (Northwind).',
      'Sofia: book a new meeting with Dev Shah (Tailspin) after the no-show.',
      `Anton: reply to the intro for ${hostile} (Fabrikam) by 2026-11-24T09:00.`,
      'Anton: accept the invite for Ben Ruiz (Contoso) today, it is overdue.',
      'Both: talk through the 1 breached SLA and what would have prevented it.',
    ]);
  });

  it('escapes every lead field in the HTML', async () => {
    const mail = await renderSyncAgenda({ agenda, sdrName: 'Sofia', aeName: 'Anton', occurrence: { start: until, end: new Date(until.getTime() + 1_800_000) }, timeZone: 'Europe/Berlin' });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>frozen');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(mail.html).toContain('Budget &lt;b&gt;frozen&lt;/b&gt; until Q3');
    expect(mail.text).toContain('Leads without a future follow-up (1)');
  });

  it('says so when nothing is open', () => {
    const empty = buildAgenda({ since, until, handoffs: [], sdrName: 'Sofia', aeName: 'Anton', reasonLabels: {}, formatDate: String });
    expect(empty.nextSteps).toEqual(['Both: nothing is open; pick the next leads Sofia will hand to Anton.']);
  });
});
