// The managers' dashboard against a fake reports client: the figures it shows for the range asked, the table of
// acceptance and breaches by AE, the team filter, the hand-offs behind a number, the CSV export, failures in a
// MessageBar, and the reports client's requests (bearer token, query, zod-checked answers, error bodies).
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { ApiError } from '../../addin/api/client';
import { Dashboard, defaultRange } from '../../addin/dashboard/dashboard';
import { createReportsClient, type ReportsClient, type ReportsFetch } from '../../addin/dashboard/reports-client';
import type { DrillDownDto, DrillDownQuery, FiguresDto, GroupReportDto, RatingFiguresDto, RatingGroupDto, ReportDto, ReportQuery } from '../../server/http/contract-reports';

function figures(over: Partial<FiguresDto> = {}): FiguresDto {
  return {
    handoffs: 0,
    acceptance: { settled: 0, withinSla: 0, share: null, medianHoursToAccept: null },
    breaches: 0,
    meetings: { held: 0, noShow: 0, cancelled: 0, rescheduled: 0, fellThrough: 0 },
    conversion: { salesQualified: 0, handedBack: 0, rate: null },
    handBackReasons: [],
    missingData: { leads: 0, withGaps: 0, fields: [], bySource: [] },
    withoutFollowup: 0,
    cycleTime: { count: 0, medianDays: null, meanDays: null },
    successes: 0,
    ...over,
  };
}

function ratingFigures(over: Partial<RatingFiguresDto> = {}): RatingFiguresDto {
  return { count: 0, average: null, distribution: [0, 0, 0, 0, 0], fields: [], ...over };
}

function ratingGroup(current: RatingFiguresDto, previous = ratingFigures(), change: RatingGroupDto['change'] = { count: current.count - previous.count, average: null }): RatingGroupDto {
  return { current, previous, change };
}

const noChange = {
  handoffs: 0, acceptanceShare: null, medianHoursToAccept: null, breaches: 0, meetingsHeld: 0, meetingsFellThrough: 0,
  conversionRate: null, handedBack: 0, leadsWithGaps: 0, withoutFollowup: 0, cycleMedianDays: null, successes: 0,
};

function group(label: string, current: FiguresDto, ids: { sdrId?: string; aeId?: string } = {}): GroupReportDto {
  return { sdrId: ids.sdrId ?? null, aeId: ids.aeId ?? null, label, current, previous: figures(), change: { ...noChange, handoffs: 4, breaches: -1 } };
}

const report: ReportDto = {
  range: { from: '2026-10-27T00:00:00.000Z', to: '2026-11-24T00:00:00.000Z' },
  previousRange: { from: '2026-09-29T00:00:00.000Z', to: '2026-10-27T00:00:00.000Z' },
  timeZone: 'Europe/Berlin',
  teams: [{ id: 'team-emea', name: 'EMEA <Inside>' }],
  selectable: [{ id: 'team-emea', name: 'EMEA <Inside>' }, { id: 'team-us', name: 'Americas' }],
  total: group('All hand-offs', figures({
    handoffs: 24,
    acceptance: { settled: 20, withinSla: 15, share: 0.75, medianHoursToAccept: 3.5 },
    breaches: 7,
    meetings: { held: 18, noShow: 3, cancelled: 0, rescheduled: 4, fellThrough: 7 },
    conversion: { salesQualified: 9, handedBack: 6, rate: 0.6 },
    handBackReasons: [{ code: 'no_budget', label: 'No budget', count: 4, texts: ['Budget frozen.'] }],
    missingData: {
      leads: 24,
      withGaps: 6,
      fields: [{ field: 'phone', label: 'Phone', missing: 2 }, { field: 'budget', label: 'Budget', missing: 5 }],
      bySource: [
        { source: 'Webinar <EU>', leads: 8, withGaps: 5, fields: [{ field: 'phone', label: 'Phone', missing: 1 }, { field: 'budget', label: 'Budget', missing: 4 }] },
        { source: null, leads: 16, withGaps: 1, fields: [{ field: 'phone', label: 'Phone', missing: 1 }, { field: 'budget', label: 'Budget', missing: 1 }] },
      ],
    },
  })),
  bySdr: [
    group('Sara <b>Sdr</b>', figures({ handoffs: 15, conversion: { salesQualified: 6, handedBack: 2, rate: 0.75 }, missingData: { leads: 15, withGaps: 4, fields: [], bySource: [] }, withoutFollowup: 1 }), { sdrId: 'sdr-1' }),
  ],
  byAe: [
    group('Alex Ae', figures({ handoffs: 14, acceptance: { settled: 12, withinSla: 10, share: 0.8333, medianHoursToAccept: 2 }, breaches: 2 }), { aeId: 'ae-1' }),
    group("Bea O'Brien", figures({ handoffs: 10, acceptance: { settled: 8, withinSla: 5, share: 0.625, medianHoursToAccept: 6 }, breaches: 5 }), { aeId: 'ae-2' }),
  ],
  byPair: [group("Sara <b>Sdr</b> → Bea O'Brien", figures({ handoffs: 9, acceptance: { settled: 8, withinSla: 6, share: 0.75, medianHoursToAccept: 3 }, breaches: 2 }), { sdrId: 'sdr-1', aeId: 'ae-2' })],
  successes: [
    { handoffId: 'h-9', leadId: 'l-9', contactName: 'Hanna <b>Schmidt</b>', companyName: 'Helix Biotech', sdrName: 'Sara <b>Sdr</b>', aeName: "Bea O'Brien", at: '2026-11-20T15:00:00.000Z', cycleDays: 12.5 },
  ],
  ratings: {
    total: ratingGroup(
      ratingFigures({ count: 12, average: 3.25, distribution: [1, 2, 4, 3, 2], fields: [{ field: 'budget', label: 'Budget', count: 5 }, { field: 'phone', label: 'Phone', count: 2 }] }),
      ratingFigures({ count: 10, average: 3.5, distribution: [0, 2, 3, 3, 2] }),
      { count: 2, average: -0.25 },
    ),
    bySdr: [
      {
        ...ratingGroup(ratingFigures({ count: 7, average: 2.86, distribution: [1, 2, 2, 1, 1], fields: [{ field: 'budget', label: 'Budget', count: 4 }] }), ratingFigures({ count: 5, average: 3.2 }), { count: 2, average: -0.34 }),
        sdrId: 'sdr-1',
        label: 'Sara <b>Sdr</b>',
        sources: [
          { ...ratingGroup(ratingFigures({ count: 4, average: 2, distribution: [1, 2, 1, 0, 0] })), source: 'Webinar <EU>' },
          { ...ratingGroup(ratingFigures({ count: 3, average: 4 })), source: 'Trade fair' },
        ],
        comments: [{ score: 1, text: 'Budget was <i>invented</i>.', companyName: 'Helix', at: '2026-11-20T10:00:00.000Z' }],
      },
    ],
    bySource: [
      { ...ratingGroup(ratingFigures({ count: 4, average: 2, fields: [{ field: 'budget', label: 'Budget', count: 3 }] })), source: 'Webinar <EU>' },
      { ...ratingGroup(ratingFigures({ count: 2, average: 4.5 })), source: null },
    ],
  },
};

const drill: DrillDownDto = {
  figure: 'breaches',
  total: 1,
  items: [
    {
      id: 'h-1', leadId: 'l-1', teamId: 'team-emea', stage: 'closed', outcome: 'hand_back', startedAt: '2026-11-03T09:00:00.000Z',
      closedAt: '2026-11-05T09:00:00.000Z', meetingStart: null, contactName: 'Hanna <b>Schmidt</b>', companyName: 'Helix Biotech',
      sourceList: null, sdrName: 'Sara Sdr', aeName: "Bea O'Brien",
    },
  ],
};

function fakeClient(over: Partial<ReportsClient> = {}) {
  const calls = { report: [] as ReportQuery[], drillDown: [] as DrillDownQuery[], exportCsv: [] as ReportQuery[] };
  const client: ReportsClient = {
    report: (q) => { calls.report.push(q); return Promise.resolve(report); },
    drillDown: (q) => { calls.drillDown.push(q); return Promise.resolve(drill); },
    exportCsv: (q) => { calls.exportCsv.push(q); return Promise.resolve(new Blob(['a,b\n'], { type: 'text/csv' })); },
    ...over,
  };
  return { client, calls };
}

const today = new Date(2026, 10, 24, 10, 0);

function show(client: ReportsClient, save?: (blob: Blob, name: string) => void) {
  return render(
    <FluentProvider theme={webLightTheme}>
      <Dashboard client={client} today={today} drawChart={false} {...(save === undefined ? {} : { save })} />
    </FluentProvider>,
  );
}

describe('Dashboard', () => {
  it('asks for the four weeks before today and shows the figures as tiles and the AEs in a table', async () => {
    const { client, calls } = fakeClient();
    show(client);
    expect(await screen.findByRole('button', { name: /Hand-offs: 24\. Show the hand-offs behind it/ })).toBeInTheDocument();
    expect(calls.report).toEqual([{ from: '2026-10-27', to: '2026-11-23' }]);
    expect(screen.getByRole('button', { name: /Accepted within SLA: 75 %/ })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Breaches: 7/ })).toBeInTheDocument();
    expect(screen.getByText('+4 on the period before')).toBeInTheDocument();
    expect(screen.getByText('EMEA <Inside> · 2026-10-27 to 2026-11-23 (Europe/Berlin)')).toBeInTheDocument();
    expect(screen.getByText('No budget: 4')).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'Acceptance and breaches by AE' });
    const bea = within(table).getByRole('row', { name: /Bea O'Brien/ });
    expect(within(bea).getByText('5 (63 %)')).toBeInTheDocument();
    expect(within(bea).getByRole('button', { name: "5 breaches of Bea O'Brien: show the hand-offs" })).toBeInTheDocument();
  });

  it('lists the hand-offs behind an AE’s breaches, names as text, and moves focus to the list', async () => {
    const { client, calls } = fakeClient();
    show(client);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: "5 breaches of Bea O'Brien: show the hand-offs" }));
    const heading = await screen.findByRole('heading', { name: "Breaches: Bea O'Brien (1 hand-off)" });
    expect(heading).toHaveFocus();
    expect(calls.drillDown).toEqual([{ from: '2026-10-27', to: '2026-11-23', figure: 'breaches', aeId: 'ae-2' }]);
    const list = screen.getByRole('table', { name: "Hand-offs behind Breaches: Bea O'Brien" });
    expect(within(list).getByText('Hanna <b>Schmidt</b>')).toBeInTheDocument();
    expect(within(list).getByText('handed back')).toBeInTheDocument();
  });

  it('applies a new range and team from the keyboard', async () => {
    const { client, calls } = fakeClient();
    show(client);
    const user = userEvent.setup();
    await screen.findByRole('button', { name: /Hand-offs: 24/ });
    const from = screen.getByLabelText('From');
    await user.clear(from);
    await user.type(from, '2026-11-01');
    await user.selectOptions(screen.getByLabelText('Team'), 'Americas');
    await user.click(screen.getByLabelText('To'));
    await user.keyboard('{Enter}');
    await waitFor(() => { expect(calls.report).toHaveLength(2); });
    expect(calls.report[1]).toEqual({ from: '2026-11-01', to: '2026-11-23', teamId: 'team-us' });
  });

  it('exports the CSV of the range shown and saves it under a dated name', async () => {
    const { client, calls } = fakeClient();
    const saved: { blob: Blob; name: string }[] = [];
    show(client, (blob, name) => saved.push({ blob, name }));
    const user = userEvent.setup();
    await screen.findByRole('button', { name: /Hand-offs: 24/ });
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => { expect(saved).toHaveLength(1); });
    expect(calls.exportCsv).toEqual([{ from: '2026-10-27', to: '2026-11-23' }]);
    expect(saved[0]?.name).toBe('baton-report-2026-10-27-2026-11-23.csv');
  });

  it('shows a refusal in a MessageBar, and the report once Retry succeeds', async () => {
    let fail = true;
    const { client } = fakeClient({
      report: () => (fail ? Promise.reject(new ApiError(403, { code: 'forbidden', message: 'Only managers and admins see reports.' })) : Promise.resolve(report)),
    });
    show(client);
    expect(await screen.findByText('Only managers and admins see reports.')).toBeInTheDocument();
    expect(screen.getByText('Not allowed')).toBeInTheDocument();
    fail = false;
    await userEvent.setup().click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('button', { name: /Hand-offs: 24/ })).toBeInTheDocument();
    expect(screen.queryByText('Only managers and admins see reports.')).not.toBeInTheDocument();
  });

  it('shows the SDRs and the SDR×AE pairs in tables, names as text', async () => {
    const { client } = fakeClient();
    show(client);
    const sdrs = await screen.findByRole('table', { name: 'Hand-offs by SDR' });
    const sara = within(sdrs).getByRole('row', { name: /Sara <b>Sdr<\/b>/ });
    expect(within(sara).getByText('15 (+4)')).toBeInTheDocument();
    expect(within(sara).getByText('75 %')).toBeInTheDocument();
    const pairs = screen.getByRole('table', { name: 'Hand-offs by SDR and AE pair' });
    const pair = within(pairs).getByRole('row', { name: /Sara <b>Sdr<\/b> → Bea O'Brien/ });
    expect(within(pair).getByText('9 (+4)')).toBeInTheDocument();
  });

  it("shows the AEs' ratings: the team's average and scores, a row per SDR with their lowest list and latest sentence, and the source lists", async () => {
    const { client } = fakeClient();
    show(client);
    expect(await screen.findByRole('heading', { name: 'Lead quality rated by the AEs' })).toBeInTheDocument();
    expect(screen.getByText(/12 ratings, 3\.3 \/ 5 on average \(-0\.3 on the period before\)\./)).toBeInTheDocument();
    expect(screen.getByText(/Scores 1 to 5: 1 · 2 · 4 · 3 · 2\. Most often missing or wrong: Budget \(5\), Phone \(2\)\./)).toBeInTheDocument();
    const bySdr = screen.getByRole('table', { name: 'Ratings by SDR' });
    const sara = within(bySdr).getByRole('row', { name: /Sara <b>Sdr<\/b>/ });
    for (const text of ['7 (+2)', '2.9 / 5', '-0.3 on the period before', 'Budget (4)', 'Webinar <EU>: 2.0 / 5', 'Helix, 1/5: Budget was <i>invented</i>.']) {
      expect(within(sara).getByText(text)).toBeInTheDocument();
    }
    const bySource = screen.getByRole('table', { name: 'Ratings by source list' });
    expect(within(bySource).getAllByRole('row').map((r) => r.textContent)).toEqual([
      'Source listRatedAverageChangeMost often missing or wrong',
      'Webinar <EU>4 (+4)2.0 / 5no earlier ratingsBudget (3)',
      '(no source list)2 (+2)4.5 / 5no earlier ratings–',
    ]);
  });

  it('shows missing data by source list and the successes, names as text', async () => {
    const { client } = fakeClient();
    show(client);
    const table = await screen.findByRole('table', { name: 'Missing data by source list' });
    expect(within(table).getAllByRole('row').map((r) => r.textContent)).toEqual([
      'Source listLeads handed offMissing dataShareFields missing',
      'Webinar <EU>8563 %Budget (4), Phone (1)',
      '(no source list)1616 %Phone (1), Budget (1)',
    ]);
    expect(screen.getByRole('heading', { name: 'Successes (1)' })).toBeInTheDocument();
    expect(within(screen.getByRole('list', { name: 'Successes' })).getByText("Helix Biotech — Hanna <b>Schmidt</b> (Sara <b>Sdr</b> → Bea O'Brien, 2026-11-20, 12.5 days from lead to Sales Qualified)")).toBeInTheDocument();
  });

  it('says so when nothing was rated', async () => {
    const { client } = fakeClient({ report: () => Promise.resolve({ ...report, ratings: { total: ratingGroup(ratingFigures()), bySdr: [], bySource: [] } }) });
    show(client);
    expect(await screen.findByText('No lead was rated in this range.')).toBeInTheDocument();
    expect(screen.queryByRole('table', { name: 'Ratings by SDR' })).not.toBeInTheDocument();
  });

  it('picks the four whole weeks before today', () => {
    expect(defaultRange(new Date(2026, 0, 3))).toEqual({ from: '2025-12-06', to: '2026-01-02' });
  });
});

describe('createReportsClient', () => {
  function answer(status: number, body: unknown) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return { ok: status < 300, status, statusText: '', text: () => Promise.resolve(text), blob: () => Promise.resolve(new Blob([text])) };
  }

  it('sends the bearer token and the query, and checks the answer', async () => {
    const sent: { url: string; init: RequestInit }[] = [];
    const fetch: ReportsFetch = (url, init) => { sent.push({ url, init }); return Promise.resolve(answer(200, report)); };
    const client = createReportsClient({ baseUrl: 'https://baton.example/', getToken: () => Promise.resolve('tok'), fetch });
    expect((await client.report({ from: '2026-11-01', to: '2026-11-07', teamId: 'team-us' })).total.current.handoffs).toBe(24);
    expect(sent[0]?.url).toBe('https://baton.example/api/reports?from=2026-11-01&to=2026-11-07&teamId=team-us');
    expect((sent[0]?.init.headers as Record<string, string>)['Authorization']).toBe('Bearer tok');
  });

  it('downloads the CSV with the token, and turns error bodies and broken answers into ApiErrors', async () => {
    const queue = [answer(200, 'figure,value\n'), answer(400, { error: { code: 'range_reversed', message: 'The range starts after it ends.', field: 'from' } }), answer(200, { nope: true })];
    const sent: string[] = [];
    const fetch: ReportsFetch = (url) => { sent.push(url); const next = queue.shift(); return next === undefined ? Promise.reject(new Error('none')) : Promise.resolve(next); };
    const client = createReportsClient({ baseUrl: 'https://baton.example', getToken: () => Promise.resolve('tok'), fetch });
    expect((await client.exportCsv({ from: '2026-11-01', to: '2026-11-07' })).size).toBe('figure,value\n'.length);
    expect(sent[0]).toBe('https://baton.example/api/reports/export.csv?from=2026-11-01&to=2026-11-07');
    await expect(client.drillDown({ from: '2026-11-07', to: '2026-11-01', figure: 'breaches' })).rejects.toMatchObject({ code: 'range_reversed', status: 400, field: 'from' });
    await expect(client.report({ from: '2026-11-01', to: '2026-11-07' })).rejects.toMatchObject({ code: 'invalid_response' });
  });
});
