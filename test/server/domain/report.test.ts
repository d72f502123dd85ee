// The report's figures on a fixture week (16–23 November 2026) and the week before: every figure overall, by SDR, by
// AE and by SDR×AE pair, the change between the weeks, the hand-offs behind each number, the range rules and the
// weekly schedule in a team's zone.
import {
  computeReport,
  dayRange,
  dueWeeklyReport,
  handoffsBehind,
  type Figures,
  type GroupReport,
  type ReportFigure,
  type ReportHandoffRow,
  type ReportRows,
} from '../../../server/domain/report';
import type { LeadFieldName } from '../../../server/domain/lead';

const t = (iso: string) => new Date(`2026-11-${iso}:00Z`);
const hours = (n: number) => n * 3_600_000;
const week = { from: t('16T00:00'), to: t('23T00:00') };
const checkedFields: LeadFieldName[] = ['phone', 'budget', 'title'];

function handoff(id: string, sdrId: string, aeId: string, startedAt: string, more: Partial<ReportHandoffRow> & { missing?: LeadFieldName[]; source?: string | null; leadCreated?: string } = {}): ReportHandoffRow {
  return {
    id,
    leadId: `lead-${id}`,
    teamId: 'emea',
    sdrId,
    aeId,
    startedAt: t(startedAt),
    closedAt: null,
    outcome: null,
    meetingStart: null,
    ...more,
    lead: {
      createdAt: t(more.leadCreated ?? '01T09:00'),
      contactName: `Contact ${id}`,
      companyName: `Company ${id}`,
      sourceList: more.source === undefined ? 'List Q4' : more.source,
      missingFields: more.missing ?? [],
    },
  };
}

const rows: ReportRows = {
  handoffs: [
    handoff('h1', 'sara', 'xavi', '16T10:00', { missing: ['budget'], source: 'Fair', meetingStart: t('18T10:00'), closedAt: t('18T11:00'), outcome: 'sales_qualified', leadCreated: '06T11:00' }),
    handoff('h2', 'sara', 'xavi', '17T09:00', { meetingStart: t('20T10:00') }),
    handoff('h3', 'bo', 'yuki', '18T08:00', { missing: ['phone', 'budget'], source: null, meetingStart: t('19T10:00'), closedAt: t('19T12:00'), outcome: 'hand_back' }),
    handoff('h4', 'bo', 'yuki', '10T08:00', { source: 'Fair', meetingStart: t('12T09:00'), closedAt: t('12T10:00'), outcome: 'sales_qualified', leadCreated: '02T10:00' }),
    handoff('h5', 'bo', 'xavi', '11T08:00', { meetingStart: t('19T09:00') }),
  ],
  obligations: [
    { handoffId: 'h1', kind: 'ae_accept', metAt: t('16T14:00'), metWithinSla: true, timeToRespondMs: hours(4), breachedAt: null },
    { handoffId: 'h1', kind: 'ae_reply', metAt: t('16T12:00'), metWithinSla: true, timeToRespondMs: hours(2), breachedAt: null },
    { handoffId: 'h2', kind: 'ae_accept', metAt: t('18T09:00'), metWithinSla: false, timeToRespondMs: hours(24), breachedAt: t('17T18:00') },
    { handoffId: 'h2', kind: 'ae_reply', metAt: null, metWithinSla: null, timeToRespondMs: null, breachedAt: t('17T18:00') },
    { handoffId: 'h3', kind: 'ae_accept', metAt: t('18T10:00'), metWithinSla: true, timeToRespondMs: hours(2), breachedAt: null },
    { handoffId: 'h4', kind: 'ae_accept', metAt: t('10T14:00'), metWithinSla: true, timeToRespondMs: hours(6), breachedAt: null },
    { handoffId: 'h5', kind: 'ae_accept', metAt: null, metWithinSla: null, timeToRespondMs: null, breachedAt: t('11T17:00') },
  ],
  stages: [
    { handoffId: 'h2', to: 'no_show', at: t('20T10:30'), reasonCode: null, reasonText: null },
    { handoffId: 'h5', to: 'rescheduled', at: t('19T11:00'), reasonCode: null, reasonText: null },
    { handoffId: 'h3', to: 'closed', at: t('19T12:00'), reasonCode: 'no_budget', reasonText: 'Budget <frozen> until April.' },
    { handoffId: 'h1', to: 'closed', at: t('18T11:00'), reasonCode: 'sales_qualified', reasonText: null },
  ],
  findings: [
    { handoffId: 'h5', kind: 'meeting_deleted', at: t('19T08:00') },
    { handoffId: 'h5', kind: 'conflict', at: t('19T08:30') },
  ],
  followupGaps: {
    current: [
      { leadId: 'lead-h2', handoffId: 'h2', sdrId: 'sara', aeId: 'xavi' },
      { leadId: 'lead-h5', handoffId: 'h5', sdrId: 'bo', aeId: 'xavi' },
    ],
    previous: [{ leadId: 'lead-h5', handoffId: 'h5', sdrId: 'bo', aeId: 'xavi' }],
  },
  people: [
    { id: 'sara', displayName: 'Sara Sdr' },
    { id: 'bo', displayName: 'Bo Sdr' },
    { id: 'xavi', displayName: 'Xavi Ae' },
    { id: 'yuki', displayName: 'Yuki Ae' },
  ],
};

const report = computeReport(rows, week, { checkedFields });

/** The figures a manager reads on one line of the scorecard. */
function line(f: Figures) {
  return {
    handoffs: f.handoffs,
    settled: f.acceptance.settled,
    withinSla: f.acceptance.withinSla,
    share: f.acceptance.share,
    medianHours: f.acceptance.medianHoursToAccept,
    breaches: f.breaches,
    held: f.meetings.held,
    noShow: f.meetings.noShow,
    cancelled: f.meetings.cancelled,
    rescheduled: f.meetings.rescheduled,
    sq: f.conversion.salesQualified,
    handedBack: f.conversion.handedBack,
    rate: f.conversion.rate,
    gaps: f.missingData.withGaps,
    noFollowup: f.withoutFollowup,
    cycleDays: f.cycleTime.medianDays,
    successes: f.successes,
  };
}

const empty = { handoffs: 0, settled: 0, withinSla: 0, share: null, medianHours: null, breaches: 0, held: 0, noShow: 0, cancelled: 0, rescheduled: 0, sq: 0, handedBack: 0, rate: null, gaps: 0, noFollowup: 0, cycleDays: null, successes: 0 };

function find(groups: readonly GroupReport[], label: string): GroupReport {
  const g = groups.find((x) => x.label === label);
  if (g === undefined) throw new Error(`no group ${label} in ${groups.map((x) => x.label).join(', ')}`);
  return g;
}

describe('report figures on the fixture week', () => {
  it.each<[string, () => GroupReport, ReturnType<typeof line>, ReturnType<typeof line>]>([
    [
      'all hand-offs',
      () => report.total,
      { handoffs: 3, settled: 3, withinSla: 2, share: 0.6667, medianHours: 4, breaches: 2, held: 2, noShow: 1, cancelled: 1, rescheduled: 1, sq: 1, handedBack: 1, rate: 0.5, gaps: 2, noFollowup: 2, cycleDays: 12, successes: 1 },
      { ...empty, handoffs: 2, settled: 2, withinSla: 1, share: 0.5, medianHours: 6, breaches: 1, held: 1, sq: 1, rate: 1, noFollowup: 1, cycleDays: 10, successes: 1 },
    ],
    [
      'SDR Sara',
      () => find(report.bySdr, 'Sara Sdr'),
      { ...empty, handoffs: 2, settled: 2, withinSla: 1, share: 0.5, medianHours: 14, breaches: 2, held: 1, noShow: 1, sq: 1, rate: 1, gaps: 1, noFollowup: 1, cycleDays: 12, successes: 1 },
      empty,
    ],
    [
      'SDR Bo',
      () => find(report.bySdr, 'Bo Sdr'),
      { ...empty, handoffs: 1, settled: 1, withinSla: 1, share: 1, medianHours: 2, held: 1, cancelled: 1, rescheduled: 1, handedBack: 1, rate: 0, gaps: 1, noFollowup: 1 },
      { ...empty, handoffs: 2, settled: 2, withinSla: 1, share: 0.5, medianHours: 6, breaches: 1, held: 1, sq: 1, rate: 1, noFollowup: 1, cycleDays: 10, successes: 1 },
    ],
    [
      'AE Xavi (breaches by AE)',
      () => find(report.byAe, 'Xavi Ae'),
      { ...empty, handoffs: 2, settled: 2, withinSla: 1, share: 0.5, medianHours: 14, breaches: 2, held: 1, noShow: 1, cancelled: 1, rescheduled: 1, sq: 1, rate: 1, gaps: 1, noFollowup: 2, cycleDays: 12, successes: 1 },
      { ...empty, handoffs: 1, settled: 1, share: 0, breaches: 1, noFollowup: 1 },
    ],
    [
      'AE Yuki',
      () => find(report.byAe, 'Yuki Ae'),
      { ...empty, handoffs: 1, settled: 1, withinSla: 1, share: 1, medianHours: 2, held: 1, handedBack: 1, rate: 0, gaps: 1 },
      { ...empty, handoffs: 1, settled: 1, withinSla: 1, share: 1, medianHours: 6, held: 1, sq: 1, rate: 1, cycleDays: 10, successes: 1 },
    ],
    [
      'pair Bo → Xavi',
      () => find(report.byPair, 'Bo Sdr → Xavi Ae'),
      { ...empty, cancelled: 1, rescheduled: 1, noFollowup: 1 },
      { ...empty, handoffs: 1, settled: 1, share: 0, breaches: 1, noFollowup: 1 },
    ],
    [
      'pair Sara → Xavi',
      () => find(report.byPair, 'Sara Sdr → Xavi Ae'),
      { ...empty, handoffs: 2, settled: 2, withinSla: 1, share: 0.5, medianHours: 14, breaches: 2, held: 1, noShow: 1, sq: 1, rate: 1, gaps: 1, noFollowup: 1, cycleDays: 12, successes: 1 },
      empty,
    ],
  ])('%s: this week and the week before', (_name, pick, current, previous) => {
    const g = pick();
    expect(line(g.current)).toEqual(current);
    expect(line(g.previous)).toEqual(previous);
  });

  it('lists every SDR, AE and pair active in either week, by name', () => {
    expect(report.bySdr.map((g) => g.label)).toEqual(['Bo Sdr', 'Sara Sdr']);
    expect(report.byAe.map((g) => g.label)).toEqual(['Xavi Ae', 'Yuki Ae']);
    expect(report.byPair.map((g) => g.label)).toEqual(['Bo Sdr → Xavi Ae', 'Bo Sdr → Yuki Ae', 'Sara Sdr → Xavi Ae']);
    expect(find(report.byPair, 'Bo Sdr → Yuki Ae')).toMatchObject({ sdrId: 'bo', aeId: 'yuki' });
  });

  it('gives the change from the week before', () => {
    expect(report.total.change).toEqual({
      handoffs: 1,
      acceptanceShare: 0.1667,
      medianHoursToAccept: -2,
      breaches: 1,
      meetingsHeld: 1,
      meetingsFellThrough: 3,
      conversionRate: -0.5,
      handedBack: 1,
      leadsWithGaps: 2,
      withoutFollowup: 1,
      cycleMedianDays: 2,
      successes: 0,
    });
    expect(find(report.byAe, 'Yuki Ae').change.conversionRate).toBe(-1);
  });

  it('counts hand-back reasons with the AE’s texts, and missing data by field and by source list', () => {
    expect(report.total.current.handBackReasons).toEqual([{ code: 'no_budget', count: 1, texts: ['Budget <frozen> until April.'] }]);
    expect(report.total.current.missingData).toEqual({
      leads: 3,
      withGaps: 2,
      fields: [
        { field: 'phone', missing: 1 },
        { field: 'budget', missing: 2 },
        { field: 'title', missing: 0 },
      ],
      bySource: [
        { source: 'Fair', leads: 1, withGaps: 1, fields: [{ field: 'phone', missing: 0 }, { field: 'budget', missing: 1 }, { field: 'title', missing: 0 }] },
        { source: null, leads: 1, withGaps: 1, fields: [{ field: 'phone', missing: 1 }, { field: 'budget', missing: 1 }, { field: 'title', missing: 0 }] },
        { source: 'List Q4', leads: 1, withGaps: 0, fields: [{ field: 'phone', missing: 0 }, { field: 'budget', missing: 0 }, { field: 'title', missing: 0 }] },
      ],
    });
  });

  it('lists the week’s successes with their cycle time', () => {
    expect(report.successes).toEqual([
      { handoffId: 'h1', leadId: 'lead-h1', contactName: 'Contact h1', companyName: 'Company h1', sdrId: 'sara', aeId: 'xavi', at: t('18T11:00'), cycleDays: 12 },
    ]);
    expect(report.previousRange).toEqual({ from: t('09T00:00'), to: t('16T00:00') });
  });

  it.each<[ReportFigure, { sdrId?: string; aeId?: string }, string[]]>([
    ['handoffs', {}, ['h1', 'h2', 'h3']],
    ['handoffs', { sdrId: 'bo' }, ['h3']],
    ['accepted_within_sla', {}, ['h1', 'h3']],
    ['accepted_late', {}, ['h2']],
    ['breaches', { aeId: 'xavi' }, ['h2']],
    ['breaches', { aeId: 'yuki' }, []],
    ['meetings_held', {}, ['h1', 'h3']],
    ['no_show', {}, ['h2']],
    ['cancelled', {}, ['h5']],
    ['rescheduled', {}, ['h5']],
    ['sales_qualified', {}, ['h1']],
    ['handed_back', {}, ['h3']],
    ['missing_data', {}, ['h1', 'h3']],
    ['without_followup', { aeId: 'xavi' }, ['h2', 'h5']],
  ])('drills %s %j down to its hand-offs', (figure, filter, ids) => {
    expect(handoffsBehind(rows, week, figure, filter).map((i) => i.handoffId)).toEqual(ids);
  });

  it('has every count at zero for a week without rows', () => {
    const none = computeReport({ handoffs: [], obligations: [], stages: [], findings: [], followupGaps: { current: [], previous: [] }, people: [] }, week, { checkedFields });
    expect(line(none.total.current)).toEqual(empty);
    expect(none.bySdr).toEqual([]);
  });
});

describe('report ranges and the weekly schedule', () => {
  it('turns dates into whole days in the team’s zone', () => {
    expect(dayRange('2026-11-16', '2026-11-22', 'Europe/Berlin')).toEqual({ ok: true, value: { from: new Date('2026-11-15T23:00:00Z'), to: new Date('2026-11-22T23:00:00Z') } });
  });

  it.each([
    ['2026-11-16', 'next week', 'invalid_date', 'to'],
    ['16/11/2026', '2026-11-22', 'invalid_date', 'from'],
    ['2026-02-30', '2026-03-02', 'invalid_date', 'from'],
    ['2026-11-23', '2026-11-22', 'range_reversed', 'from'],
    ['2025-11-01', '2026-11-22', 'range_too_long', 'to'],
  ])('refuses %s … %s with %s naming %s', (from, to, code, field) => {
    const r = dayRange(from, to, 'Europe/Berlin');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code, field });
  });

  it('accepts a range of a whole year', () => {
    expect(dayRange('2025-11-23', '2026-11-22', 'UTC').ok).toBe(true);
  });

  it.each([
    // Monday 08:00 Berlin: before it, last week's send is the one due; at it, this week's.
    ['2026-11-23T06:59:00Z', '2026-11-16', '2026-11-08T23:00:00Z'],
    ['2026-11-23T07:00:00Z', '2026-11-23', '2026-11-15T23:00:00Z'],
    ['2026-11-27T12:00:00Z', '2026-11-23', '2026-11-15T23:00:00Z'],
  ])('at %s the due weekly report is the one of %s', (now, sendDate, from) => {
    const due = dueWeeklyReport(new Date(now), { weekday: 'monday', hour: 8 }, 'Europe/Berlin');
    expect(due.sendDate).toBe(sendDate);
    expect(due.range.from.toISOString()).toBe(new Date(from).toISOString());
    expect(due.range.to.getTime() - due.range.from.getTime()).toBe(7 * 24 * 3_600_000);
  });

  it('keeps the local hour across a daylight-saving change', () => {
    // New York leaves DST on 1 November 2026: 08:00 local is 13:00 UTC after it.
    const due = dueWeeklyReport(new Date('2026-11-06T14:00:00Z'), { weekday: 'friday', hour: 8 }, 'America/New_York');
    expect(due.scheduledAt.toISOString()).toBe('2026-11-06T13:00:00.000Z');
    expect(due.range.from.toISOString()).toBe('2026-10-30T04:00:00.000Z');
  });
});
