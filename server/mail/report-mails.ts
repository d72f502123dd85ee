// The weekly hand-off scorecard email (issue 7, item 2): the team's figures for the week with the change from the
// week before, tables by AE, SDR and pair, and bar charts built from table cells (Outlook desktop's Word renderer
// draws them; no SVG, no images, no script), the AEs' ratings of lead quality by SDR and by source list, plus a
// plain-text part with the same content. Every name, reason text, source list and AE's sentence is HTML-escaped
// where it lands. Imports: mjml (loaded on first render), the domain's report and rating types and field labels,
// ./mail-layout (escaping, subject).
import type mjml2htmlType from 'mjml';
import { DateTime } from 'luxon';
import type { FigureChange, Figures, GroupReport, Report } from '../domain/report';
import type { RatingFigures, RatingReport } from '../domain/rating';
import { fieldLabels } from '../domain/lead-validation';
import { escapeHtml, headerSafe, safeHref, type RenderedMail } from './mail-layout';

export interface WeeklyReportInput {
  report: Report;
  /** The AEs' ratings of the leads of the same week (the section is left out without them). */
  ratings?: RatingReport | undefined;
  team: { name: string; timeZone: string };
  /** Display names by user id (successes name their SDR and AE). */
  names: Readonly<Record<string, string>>;
  /** Hand-back reason labels by code (server/settings/hand-back-reasons.json). */
  reasonLabels: Readonly<Record<string, string>>;
  /** The dashboard, when Baton knows its address. */
  dashboardLink?: string | null;
  locale?: string;
}

const font = 'Segoe UI, Helvetica, Arial, sans-serif';
const ink = '#242424';
const muted = '#616161';
const accent = '#0f6cbd';
const bad = '#c50f1f';
const good = '#107c10';
const rule = '#e0e0e0';

const pct = (share: number | null): string => (share === null ? '–' : `${String(Math.round(share * 100))}%`);
const num = (n: number | null, unit = ''): string => (n === null ? '–' : `${String(n)}${unit}`);

/** "▲ 3" / "▼ 2" / "no change" against the week before; `higherIsBetter` colours it. */
function changeText(delta: number | null, kind: 'count' | 'share' | 'hours' | 'days'): string {
  if (delta === null) return '';
  if (delta === 0) return 'no change';
  const size = kind === 'share' ? `${String(Math.round(Math.abs(delta) * 100))} pts` : kind === 'hours' ? `${String(Math.abs(delta))} h` : kind === 'days' ? `${String(Math.abs(delta))} d` : String(Math.abs(delta));
  return `${delta > 0 ? '▲' : '▼'} ${size}`;
}

function changeColour(delta: number | null, higherIsBetter: boolean): string {
  if (delta === null || delta === 0) return muted;
  return delta > 0 === higherIsBetter ? good : bad;
}

interface Tile {
  label: string;
  value: string;
  delta: number | null;
  kind: 'count' | 'share' | 'hours' | 'days';
  higherIsBetter: boolean;
}

function tiles(f: Figures, c: FigureChange): Tile[] {
  return [
    { label: 'Hand-offs', value: String(f.handoffs), delta: c.handoffs, kind: 'count', higherIsBetter: true },
    { label: 'Accepted within SLA', value: pct(f.acceptance.share), delta: c.acceptanceShare, kind: 'share', higherIsBetter: true },
    { label: 'SLA breaches', value: String(f.breaches), delta: c.breaches, kind: 'count', higherIsBetter: false },
    { label: 'Sales Qualified', value: String(f.conversion.salesQualified), delta: c.successes, kind: 'count', higherIsBetter: true },
    { label: 'Meetings held', value: String(f.meetings.held), delta: c.meetingsHeld, kind: 'count', higherIsBetter: true },
    { label: 'Meetings fallen through', value: String(f.meetings.fellThrough), delta: c.meetingsFellThrough, kind: 'count', higherIsBetter: false },
    { label: 'Conversion to Sales Qualified', value: pct(f.conversion.rate), delta: c.conversionRate, kind: 'share', higherIsBetter: true },
    { label: 'Median time to accept', value: num(f.acceptance.medianHoursToAccept, ' h'), delta: c.medianHoursToAccept, kind: 'hours', higherIsBetter: false },
    { label: 'Cycle time lead → Sales Qualified (median)', value: num(f.cycleTime.medianDays, ' days'), delta: c.cycleMedianDays, kind: 'days', higherIsBetter: false },
    { label: 'Leads without a future follow-up', value: String(f.withoutFollowup), delta: c.withoutFollowup, kind: 'count', higherIsBetter: false },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// HTML pieces (inside mj-text / mj-table, so MJML keeps them as written)

const cell = (text: string, extra = ''): string => `<td style="padding:4px 6px;border-bottom:1px solid ${rule};${extra}">${escapeHtml(text)}</td>`;
const head = (text: string, extra = ''): string => `<th align="left" style="padding:4px 6px;border-bottom:2px solid ${rule};color:${muted};font-size:12px;font-weight:600;word-break:normal;${extra}">${escapeHtml(text)}</th>`;

function tilesHtml(list: readonly Tile[]): string {
  const rows: string[] = [];
  for (let i = 0; i < list.length; i += 2) {
    const pair = list.slice(i, i + 2);
    rows.push(
      `<tr>${pair
        .map(
          (t) =>
            `<td width="50%" valign="top" style="padding:8px;border:1px solid ${rule};">` +
            `<div style="font-size:12px;color:${muted};">${escapeHtml(t.label)}</div>` +
            `<div style="font-size:22px;font-weight:600;color:${ink};">${escapeHtml(t.value)}</div>` +
            `<div style="font-size:12px;color:${changeColour(t.delta, t.higherIsBetter)};">${escapeHtml(changeText(t.delta, t.kind))}${t.delta === null ? '' : ' vs the week before'}</div>` +
            `</td>`,
        )
        .join('')}</tr>`,
    );
  }
  return `<table role="presentation" border="0" cellpadding="0" cellspacing="0" width="100%" style="border-collapse:collapse;">${rows.join('')}</table>`;
}

/** A horizontal bar chart: one row per item, the bar a coloured cell whose width is the value's share of the largest. */
function barsHtml(items: readonly { label: string; value: number }[], colour = accent): string {
  if (items.length === 0) return `<p style="margin:0;color:${muted};">None this week.</p>`;
  const max = Math.max(1, ...items.map((i) => i.value));
  const rows = items.map((item) => {
    const width = item.value === 0 ? 0 : Math.max(2, Math.round((item.value / max) * 100));
    const bar =
      width === 0
        ? `<td style="font-size:1px;line-height:1px;">&nbsp;</td>`
        : `<td width="${String(width)}%" bgcolor="${colour}" style="background:${colour};font-size:1px;line-height:1px;height:14px;">&nbsp;</td>` +
          (width < 100 ? `<td width="${String(100 - width)}%" style="font-size:1px;line-height:1px;">&nbsp;</td>` : '');
    return (
      `<tr><td width="38%" style="padding:3px 8px 3px 0;font-size:13px;color:${ink};">${escapeHtml(item.label)}</td>` +
      `<td width="52%" style="padding:3px 0;"><table role="presentation" border="0" cellpadding="0" cellspacing="0" width="100%"><tr>${bar}</tr></table></td>` +
      `<td width="10%" align="right" style="padding:3px 0 3px 8px;font-size:13px;font-weight:600;">${String(item.value)}</td></tr>`
    );
  });
  return `<table role="presentation" border="0" cellpadding="0" cellspacing="0" width="100%">${rows.join('')}</table>`;
}

function tableHtml(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return `<p style="margin:0;color:${muted};">No activity this week or the week before.</p>`;
  return (
    `<table role="presentation" border="0" cellpadding="0" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:13px;color:${ink};">` +
    `<tr>${headers.map((h, i) => head(h, i === 0 ? '' : 'text-align:right;')).join('')}</tr>` +
    rows.map((r) => `<tr>${r.map((v, i) => cell(v, i === 0 ? '' : 'text-align:right;')).join('')}</tr>`).join('') +
    `</table>`
  );
}

const withChange = (value: string, delta: number): string => (delta === 0 ? value : `${value} (${delta > 0 ? '+' : ''}${String(delta)})`);

function groupRows(groups: readonly GroupReport[]): string[][] {
  return groups.map((g) => [
    g.label,
    withChange(String(g.current.handoffs), g.change.handoffs),
    pct(g.current.acceptance.share),
    withChange(String(g.current.breaches), g.change.breaches),
    String(g.current.meetings.held),
    String(g.current.meetings.fellThrough),
    withChange(String(g.current.conversion.salesQualified), g.change.successes),
    String(g.current.conversion.handedBack),
  ]);
}

const groupHeaders = ['', 'Hand-offs', 'Within SLA', 'Breaches', 'Held', 'Fell through', 'Sales Qualified', 'Handed back'];

interface Section {
  title: string;
  html: string;
  text: string;
}

function textBars(items: readonly { label: string; value: number }[]): string {
  if (items.length === 0) return 'None this week.';
  const max = Math.max(1, ...items.map((i) => i.value));
  return items.map((i) => `${i.label}: ${'#'.repeat(Math.round((i.value / max) * 20))} ${String(i.value)}`).join('\n');
}

function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return 'No activity this week or the week before.';
  return rows.map((r) => `${r[0] ?? ''}: ${r.slice(1).map((v, i) => `${headers[i + 1] ?? ''} ${v}`).join(', ')}`).join('\n');
}

function sections(input: WeeklyReportInput): Section[] {
  const { report } = input;
  const f = report.total.current;
  const name = (id: string): string => input.names[id] ?? 'Unknown person';
  const breachBars = report.byAe.map((g) => ({ label: g.label, value: g.current.breaches }));
  const meetingBars = [
    { label: 'Held', value: f.meetings.held },
    { label: 'No-show', value: f.meetings.noShow },
    { label: 'Cancelled', value: f.meetings.cancelled },
    { label: 'Rescheduled', value: f.meetings.rescheduled },
  ];
  const reasonBars = f.handBackReasons.map((r) => ({ label: input.reasonLabels[r.code] ?? r.code, value: r.count }));
  const reasonTexts = f.handBackReasons.flatMap((r) => r.texts.slice(0, 5).map((t) => ({ label: input.reasonLabels[r.code] ?? r.code, text: t })));
  const fieldBars = f.missingData.fields.filter((x) => x.missing > 0).map((x) => ({ label: fieldLabels[x.field], value: x.missing }));
  const sourceRows = f.missingData.bySource.map((s) => [s.source ?? '(no source list)', String(s.leads), String(s.withGaps), pct(s.leads === 0 ? null : s.withGaps / s.leads)]);
  const sdrRows = report.bySdr.map((g) => [
    g.label,
    withChange(String(g.current.handoffs), g.change.handoffs),
    pct(g.current.conversion.rate),
    String(g.current.missingData.withGaps),
    String(g.current.withoutFollowup),
    String(g.current.conversion.salesQualified),
  ]);
  const sdrHeaders = ['', 'Hand-offs', 'Conversion', 'Leads missing data', 'No follow-up', 'Sales Qualified'];
  const successLines = report.successes.map((s) => `${s.companyName} — ${s.contactName} (${name(s.sdrId)} → ${name(s.aeId)}, ${String(s.cycleDays)} days from lead to Sales Qualified)`);
  return [
    {
      title: 'Breaches by AE',
      html: barsHtml(breachBars, bad),
      text: textBars(breachBars),
    },
    { title: 'By AE', html: tableHtml(groupHeaders, groupRows(report.byAe)), text: textTable(groupHeaders, groupRows(report.byAe)) },
    { title: 'By SDR', html: tableHtml(sdrHeaders, sdrRows), text: textTable(sdrHeaders, sdrRows) },
    { title: 'By SDR and AE pair', html: tableHtml(groupHeaders, groupRows(report.byPair)), text: textTable(groupHeaders, groupRows(report.byPair)) },
    { title: 'Meetings', html: barsHtml(meetingBars), text: textBars(meetingBars) },
    {
      title: 'Hand-back reasons',
      html:
        barsHtml(reasonBars, '#8a8886') +
        (reasonTexts.length === 0
          ? ''
          : `<table role="presentation" border="0" cellpadding="0" cellspacing="0" width="100%" style="margin-top:8px;">${reasonTexts
              .map((r) => `<tr><td style="border-left:3px solid #d1d1d1;padding:3px 0 3px 10px;font-size:13px;color:${ink};"><strong>${escapeHtml(r.label)}:</strong> ${escapeHtml(r.text)}</td></tr>`)
              .join('')}</table>`),
      text: [textBars(reasonBars), ...reasonTexts.map((r) => `> ${r.label}: ${r.text}`)].join('\n'),
    },
    {
      title: `Missing data (${String(f.missingData.withGaps)} of ${String(f.missingData.leads)} leads handed off)`,
      html: barsHtml(fieldBars, '#ca5010') + `<div style="height:8px;line-height:8px;font-size:1px;">&nbsp;</div>` + tableHtml(['Source list', 'Leads', 'Missing data', 'Share'], sourceRows),
      text: `${textBars(fieldBars)}\n${textTable(['Source list', 'Leads', 'Missing data', 'Share'], sourceRows)}`,
    },
    {
      title: `Successes (${String(report.successes.length)})`,
      html:
        successLines.length === 0
          ? `<p style="margin:0;color:${muted};">No lead became Sales Qualified this week.</p>`
          : `<ul style="margin:0;padding:0 0 0 20px;">${successLines.map((l) => `<li style="margin:0 0 4px 0;">${escapeHtml(l)}</li>`).join('')}</ul>`,
      text: successLines.length === 0 ? 'No lead became Sales Qualified this week.' : successLines.map((l) => `- ${l}`).join('\n'),
    },
  ];
}

const average = (f: RatingFigures): string => (f.average === null ? '–' : `${f.average.toFixed(1)}/5`);
const averageChange = (delta: number | null): string => (delta === null || delta === 0 ? '' : ` (${delta > 0 ? '+' : ''}${delta.toFixed(1)})`);
const topFields = (f: RatingFigures, n = 3): string => (f.fields.length === 0 ? '–' : f.fields.slice(0, n).map((x) => `${fieldLabels[x.field]} (${String(x.count)})`).join(', '));

/** The AEs' ratings of lead quality: scores, the fields most often missing or wrong, by SDR and by source list. */
function ratingSections(ratings: RatingReport): Section[] {
  const f = ratings.total.current;
  const c = ratings.total.change;
  const summary =
    f.count === 0
      ? 'No lead was rated this week.'
      : `${String(f.count)} ${f.count === 1 ? 'lead' : 'leads'} rated, ${average(f)} on average${c.average === null ? '' : ` (${c.average === 0 ? 'no change' : `${c.average > 0 ? '▲' : '▼'} ${Math.abs(c.average).toFixed(1)}`} vs the week before)`}.`;
  const scoreBars = f.distribution.map((n, i) => ({ label: `${'★'.repeat(i + 1)} ${String(i + 1)}`, value: n })).reverse();
  const fieldBars = f.fields.map((x) => ({ label: fieldLabels[x.field], value: x.count }));
  const sdrHeaders = ['', 'Rated', 'Average', 'Most often missing or wrong', 'Lowest source list'];
  const sdrRows = ratings.bySdr.map((g) => {
    const lowest = g.sources.find((x) => x.current.count > 0);
    return [
      g.label,
      withChange(String(g.current.count), g.change.count),
      `${average(g.current)}${averageChange(g.change.average)}`,
      topFields(g.current, 2),
      lowest === undefined ? '–' : `${lowest.source ?? '(no source list)'}: ${average(lowest.current)}`,
    ];
  });
  const sourceHeaders = ['Source list', 'Rated', 'Average', 'Most often missing or wrong'];
  const sourceRows = ratings.bySource.map((g) => [g.source ?? '(no source list)', withChange(String(g.current.count), g.change.count), `${average(g.current)}${averageChange(g.change.average)}`, topFields(g.current, 2)]);
  const sentences = ratings.bySdr.flatMap((g) => g.comments.map((x) => ({ sdr: g.label, company: x.companyName, score: x.score, text: x.text })));
  return [
    {
      title: 'Lead quality rated by the AEs',
      html:
        `<p style="margin:0 0 8px 0;">${escapeHtml(summary)}</p>` +
        (f.count === 0 ? '' : barsHtml(scoreBars, '#8764b8') + `<div style="height:8px;line-height:8px;font-size:1px;">&nbsp;</div>` + barsHtml(fieldBars, '#ca5010')),
      text: f.count === 0 ? summary : `${summary}\n${textBars(scoreBars)}\nMissing or wrong:\n${textBars(fieldBars)}`,
    },
    {
      title: 'Ratings by SDR',
      html:
        tableHtml(sdrHeaders, sdrRows) +
        (sentences.length === 0
          ? ''
          : `<table role="presentation" border="0" cellpadding="0" cellspacing="0" width="100%" style="margin-top:8px;">${sentences
              .map((x) => `<tr><td style="border-left:3px solid #d1d1d1;padding:3px 0 3px 10px;font-size:13px;color:${ink};"><strong>${escapeHtml(`${x.sdr}, ${x.company}, ${String(x.score)}/5:`)}</strong> ${escapeHtml(x.text)}</td></tr>`)
              .join('')}</table>`),
      text: [textTable(sdrHeaders, sdrRows), ...sentences.map((x) => `> ${x.sdr}, ${x.company}, ${String(x.score)}/5: ${x.text}`)].join('\n'),
    },
    { title: 'Ratings by source list', html: tableHtml(sourceHeaders, sourceRows), text: textTable(sourceHeaders, sourceRows) },
  ];
}

/** "16–22 November 2026" in the team's zone (the range's `to` is excluded). */
export function weekLabel(range: { from: Date; to: Date }, timeZone: string, locale = 'en-GB'): string {
  const from = DateTime.fromJSDate(range.from, { zone: timeZone }).setLocale(locale);
  const last = DateTime.fromJSDate(new Date(range.to.getTime() - 1), { zone: timeZone }).setLocale(locale);
  const end = last.toLocaleString({ day: 'numeric', month: 'long', year: 'numeric' });
  if (from.hasSame(last, 'month')) return `${from.toLocaleString({ day: 'numeric' })}–${end}`;
  return `${from.toLocaleString({ day: 'numeric', month: 'long' })} – ${end}`;
}

let mjml2html: typeof mjml2htmlType | undefined;
function loadMjml(): typeof mjml2htmlType {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  mjml2html ??= require('mjml') as typeof mjml2htmlType;
  return mjml2html;
}

export async function renderWeeklyReport(input: WeeklyReportInput): Promise<RenderedMail> {
  const locale = input.locale ?? 'en-GB';
  const period = weekLabel(input.report.range, input.team.timeZone, locale);
  const subject = headerSafe(`Hand-off report ${input.team.name}: ${period}`);
  const f = input.report.total.current;
  const summary = `${String(f.handoffs)} hand-offs, ${pct(f.acceptance.share)} accepted within SLA, ${String(f.breaches)} breaches, ${String(f.conversion.salesQualified)} Sales Qualified.`;
  const list = tiles(f, input.report.total.change);
  const parts = [...sections(input), ...(input.ratings === undefined ? [] : ratingSections(input.ratings))];
  const link = input.dashboardLink ? safeHref(input.dashboardLink) : null;

  const mjml =
    `<mjml lang="${escapeHtml(locale)}"><mj-head><mj-title>${escapeHtml(subject)}</mj-title><mj-preview>${escapeHtml(summary)}</mj-preview>` +
    `<mj-attributes><mj-all font-family="${font}" /><mj-text font-size="14px" line-height="20px" color="${ink}" padding="6px 24px" /></mj-attributes></mj-head>` +
    `<mj-body width="640px" background-color="#ffffff"><mj-section padding="12px 0"><mj-column>` +
    `<mj-text font-size="20px" font-weight="600" padding-top="12px">${escapeHtml(`Hand-off report — ${input.team.name}`)}</mj-text>` +
    `<mj-text color="${muted}">${escapeHtml(`${period}, compared with the week before.`)}</mj-text>` +
    `<mj-text>${escapeHtml(summary)}</mj-text>` +
    `<mj-text>${tilesHtml(list)}</mj-text>` +
    parts.map((s) => `<mj-text padding-top="18px" font-size="16px" font-weight="600">${escapeHtml(s.title)}</mj-text><mj-text>${s.html}</mj-text>`).join('') +
    (link === null
      ? ''
      : `<mj-text padding-top="18px"><table role="presentation" border="0" cellpadding="0" cellspacing="0"><tr><td bgcolor="${accent}" style="background:${accent};border-radius:4px;padding:10px 18px;">` +
        `<a href="${escapeHtml(link)}" style="color:#ffffff;text-decoration:none;font-weight:600;">Open the dashboard</a></td></tr></table></mj-text>`) +
    `<mj-text font-size="12px" color="${muted}">${escapeHtml('Baton sends this report each week to the sales team and its managers. Figures count what happened in the week: hand-offs started, SLA deadlines met or missed, meetings, outcomes recorded.')}</mj-text>` +
    `</mj-column></mj-section></mj-body></mjml>`;
  const result = await loadMjml()(mjml, { validationLevel: 'strict', fonts: {}, keepComments: false, ignoreIncludes: true });

  const text = [
    `Hand-off report — ${input.team.name}`,
    `${period}, compared with the week before.`,
    summary,
    list.map((t) => `${t.label}: ${t.value}${t.delta === null ? '' : ` (${changeText(t.delta, t.kind)})`}`).join('\n'),
    ...parts.map((s) => `${s.title}\n${s.text}`),
    ...(link === null ? [] : [`Open the dashboard: ${link}`]),
  ].join('\n\n');
  return { subject, html: result.html, text: `${text}\n` };
}
