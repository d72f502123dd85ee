// The hand-off scorecard (issue 7): every figure of the weekly report and the dashboard, computed from plain rows
// and a date range, overall, by SDR, by AE and by SDR×AE pair, with the change from the period before; the
// hand-offs behind each number (drill-down); the report's range and the weekly schedule in a team's zone.
// Pure: no I/O, no clock (the caller passes every instant). Imports: luxon, ./lead, ./working-time (weekdays).
import { DateTime, IANAZone } from 'luxon';
import { fail, ok, type LeadFieldName, type Result } from './lead';
import { weekdays, type Weekday } from './working-time';

// ---------------------------------------------------------------------------------------------------------------
// Input rows (what server/store/report-store.ts reads)

/** [from, to): instants, `to` excluded. */
export interface ReportRange {
  readonly from: Date;
  readonly to: Date;
}

export interface ReportHandoffRow {
  readonly id: string;
  readonly leadId: string;
  readonly teamId: string;
  readonly sdrId: string;
  readonly aeId: string;
  readonly startedAt: Date;
  /** When the hand-off closed (its stage moved to `closed`), else null. */
  readonly closedAt: Date | null;
  /** `sales_qualified`, `hand_back`, or what else closed it; null while open. */
  readonly outcome: string | null;
  /** The booked meeting's start (or the slot chosen), when known. */
  readonly meetingStart: Date | null;
  readonly lead: {
    readonly createdAt: Date;
    readonly contactName: string;
    readonly companyName: string;
    readonly sourceList: string | null;
    /** Which of the checked fields the lead lacks (see ReportOptions.checkedFields). */
    readonly missingFields: readonly LeadFieldName[];
  };
}

export interface ReportObligationRow {
  readonly handoffId: string;
  readonly kind: 'ae_reply' | 'ae_accept';
  readonly metAt: Date | null;
  readonly metWithinSla: boolean | null;
  readonly timeToRespondMs: number | null;
  readonly breachedAt: Date | null;
}

/** A move of the hand-off's stage that the report counts (from the audit trail). */
export interface ReportStageRow {
  readonly handoffId: string;
  readonly to: 'no_show' | 'rescheduled' | 'closed';
  readonly at: Date;
  readonly reasonCode: string | null;
  readonly reasonText: string | null;
}

/** A finding kept on a hand-off; `meeting_deleted` counts as a cancelled meeting. */
export interface ReportFindingRow {
  readonly handoffId: string;
  readonly kind: string;
  readonly at: Date;
}

/** A handed-off lead with no open follow-up due after the end of a range. */
export interface FollowupGapRow {
  readonly leadId: string;
  readonly handoffId: string | null;
  readonly sdrId: string;
  readonly aeId: string | null;
}

export interface ReportPerson {
  readonly id: string;
  readonly displayName: string;
}

export interface ReportRows {
  readonly handoffs: readonly ReportHandoffRow[];
  readonly obligations: readonly ReportObligationRow[];
  readonly stages: readonly ReportStageRow[];
  readonly findings: readonly ReportFindingRow[];
  /** Leads without a future follow-up at the end of the range, and at the end of the period before. */
  readonly followupGaps: { readonly current: readonly FollowupGapRow[]; readonly previous: readonly FollowupGapRow[] };
  readonly people: readonly ReportPerson[];
}

export interface ReportOptions {
  /** The lead fields whose absence counts as missing data (reported per field and per source list). */
  readonly checkedFields: readonly LeadFieldName[];
  /** At most this many hand-back texts per reason (newest first). Default 20. */
  readonly textsPerReason?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Output

export interface FieldCount {
  readonly field: LeadFieldName;
  readonly missing: number;
}

export interface SourceListGaps {
  /** The lead's source list; `null` for leads without one. */
  readonly source: string | null;
  readonly leads: number;
  readonly withGaps: number;
  readonly fields: readonly FieldCount[];
}

export interface HandBackReasonCount {
  readonly code: string;
  readonly count: number;
  /** The AEs' own words, newest first. */
  readonly texts: readonly string[];
}

export interface Figures {
  /** Hand-offs started. */
  readonly handoffs: number;
  /** Acceptance obligations settled (met, or their deadline passed) and how many within the SLA. */
  readonly acceptance: {
    readonly settled: number;
    readonly withinSla: number;
    readonly share: number | null;
    readonly medianHoursToAccept: number | null;
  };
  /** SLA deadlines missed (reply or accept). */
  readonly breaches: number;
  readonly meetings: {
    readonly held: number;
    readonly noShow: number;
    readonly cancelled: number;
    readonly rescheduled: number;
    readonly fellThrough: number;
  };
  /** Outcomes recorded: suspect → Sales Qualified, or handed back. */
  readonly conversion: { readonly salesQualified: number; readonly handedBack: number; readonly rate: number | null };
  readonly handBackReasons: readonly HandBackReasonCount[];
  /** Leads handed off in the period: how many lack checked fields, by field and by source list. */
  readonly missingData: {
    readonly leads: number;
    readonly withGaps: number;
    readonly fields: readonly FieldCount[];
    readonly bySource: readonly SourceListGaps[];
  };
  /** Handed-off leads with no future follow-up at the end of the period. */
  readonly withoutFollowup: number;
  /** Lead created → Sales Qualified, for the leads that became Sales Qualified in the period. */
  readonly cycleTime: { readonly count: number; readonly medianDays: number | null; readonly meanDays: number | null };
  /** Sales Qualified in the period. */
  readonly successes: number;
}

/** The change from the period before: current minus previous (null when either side has no value). */
export interface FigureChange {
  readonly handoffs: number;
  readonly acceptanceShare: number | null;
  readonly medianHoursToAccept: number | null;
  readonly breaches: number;
  readonly meetingsHeld: number;
  readonly meetingsFellThrough: number;
  readonly conversionRate: number | null;
  readonly handedBack: number;
  readonly leadsWithGaps: number;
  readonly withoutFollowup: number;
  readonly cycleMedianDays: number | null;
  readonly successes: number;
}

export interface GroupReport {
  readonly sdrId: string | null;
  readonly aeId: string | null;
  /** "Sara Sdr", "Alex Ae", "Sara Sdr → Alex Ae"; "All hand-offs" for the total. */
  readonly label: string;
  readonly current: Figures;
  readonly previous: Figures;
  readonly change: FigureChange;
}

export interface Success {
  readonly handoffId: string;
  readonly leadId: string;
  readonly contactName: string;
  readonly companyName: string;
  readonly sdrId: string;
  readonly aeId: string;
  readonly at: Date;
  readonly cycleDays: number;
}

export interface Report {
  readonly range: ReportRange;
  readonly previousRange: ReportRange;
  readonly total: GroupReport;
  readonly bySdr: readonly GroupReport[];
  readonly byAe: readonly GroupReport[];
  readonly byPair: readonly GroupReport[];
  /** The period's Sales Qualified leads, newest first. */
  readonly successes: readonly Success[];
}

// ---------------------------------------------------------------------------------------------------------------
// Facts: each countable thing that happened in a range, with the hand-off it belongs to

export const reportFigures = [
  'handoffs',
  'accepted_within_sla',
  'accepted_late',
  'breaches',
  'meetings_held',
  'no_show',
  'cancelled',
  'rescheduled',
  'sales_qualified',
  'handed_back',
  'missing_data',
  'without_followup',
] as const;
/** A number on the report that can be drilled into. */
export type ReportFigure = (typeof reportFigures)[number];

type Fact =
  | { kind: 'handoffs'; missing: readonly LeadFieldName[]; source: string | null }
  | { kind: 'accept_time'; ms: number }
  | { kind: 'accepted_within_sla' | 'accepted_late' | 'breaches' | 'meetings_held' | 'no_show' | 'cancelled' | 'rescheduled' }
  | { kind: 'sales_qualified'; cycleDays: number; at: Date }
  | { kind: 'handed_back'; code: string; text: string | null; at: Date }
  | { kind: 'without_followup' };

interface Placed {
  readonly fact: Fact;
  readonly handoffId: string | null;
  readonly leadId: string;
  readonly sdrId: string;
  readonly aeId: string | null;
}

const dayMs = 86_400_000;
const inRange = (at: Date | null, r: ReportRange): at is Date => at !== null && at.getTime() >= r.from.getTime() && at.getTime() < r.to.getTime();

interface Indexed {
  handoffs: Map<string, ReportHandoffRow>;
}

function index(rows: ReportRows): Indexed {
  return { handoffs: new Map(rows.handoffs.map((h) => [h.id, h])) };
}

/** Every fact of `range`, from the rows. Facts of hand-offs missing from the rows are skipped. */
function factsOf(rows: ReportRows, idx: Indexed, range: ReportRange, gaps: readonly FollowupGapRow[]): Placed[] {
  const out: Placed[] = [];
  const place = (h: ReportHandoffRow, fact: Fact) => {
    out.push({ fact, handoffId: h.id, leadId: h.leadId, sdrId: h.sdrId, aeId: h.aeId });
  };
  for (const h of rows.handoffs) {
    if (inRange(h.startedAt, range)) place(h, { kind: 'handoffs', missing: h.lead.missingFields, source: h.lead.sourceList });
    const held = h.meetingStart !== null && h.closedAt !== null && (h.outcome === 'sales_qualified' || h.outcome === 'hand_back') && h.closedAt.getTime() >= h.meetingStart.getTime();
    if (held && inRange(h.meetingStart, range)) place(h, { kind: 'meetings_held' });
    if (h.outcome === 'sales_qualified' && inRange(h.closedAt, range)) {
      place(h, { kind: 'sales_qualified', cycleDays: (h.closedAt.getTime() - h.lead.createdAt.getTime()) / dayMs, at: h.closedAt });
    }
  }
  for (const o of rows.obligations) {
    const h = idx.handoffs.get(o.handoffId);
    if (h === undefined) continue;
    if (inRange(o.breachedAt, range)) place(h, { kind: 'breaches' });
    if (o.kind !== 'ae_accept') continue;
    // Settled: when met within the SLA, else when its deadline passed (breach) or, unswept, when it was met late.
    const within = o.metAt !== null && o.metWithinSla === true;
    if (inRange(within ? o.metAt : (o.breachedAt ?? o.metAt), range)) place(h, { kind: within ? 'accepted_within_sla' : 'accepted_late' });
    // The time to accept counts in the period the AE accepted, late or not.
    if (o.metAt !== null && o.timeToRespondMs !== null && inRange(o.metAt, range)) place(h, { kind: 'accept_time', ms: o.timeToRespondMs });
  }
  for (const s of rows.stages) {
    const h = idx.handoffs.get(s.handoffId);
    if (h === undefined || !inRange(s.at, range)) continue;
    if (s.to === 'no_show') place(h, { kind: 'no_show' });
    else if (s.to === 'rescheduled') place(h, { kind: 'rescheduled' });
    else if (h.outcome === 'hand_back' && s.reasonCode !== null) place(h, { kind: 'handed_back', code: s.reasonCode, text: s.reasonText, at: s.at });
  }
  for (const f of rows.findings) {
    const h = idx.handoffs.get(f.handoffId);
    if (h !== undefined && f.kind === 'meeting_deleted' && inRange(f.at, range)) place(h, { kind: 'cancelled' });
  }
  for (const g of gaps) out.push({ fact: { kind: 'without_followup' }, handoffId: g.handoffId, leadId: g.leadId, sdrId: g.sdrId, aeId: g.aeId });
  return out;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? null) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const share = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);
const round = (n: number | null, digits = 2): number | null => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

/** Sums facts into the figures. */
function figuresOf(facts: readonly Placed[], options: ReportOptions): Figures {
  let handoffs = 0;
  let within = 0;
  let settled = 0;
  const acceptMs: number[] = [];
  let breaches = 0;
  const meetings = { held: 0, noShow: 0, cancelled: 0, rescheduled: 0 };
  let sq = 0;
  let hb = 0;
  const reasons = new Map<string, { count: number; texts: { at: number; text: string }[] }>();
  const fieldMissing = new Map<LeadFieldName, number>();
  const sources = new Map<string | null, { leads: number; withGaps: number; fields: Map<LeadFieldName, number> }>();
  let withGaps = 0;
  let withoutFollowup = 0;
  const cycles: number[] = [];
  for (const { fact } of facts) {
    switch (fact.kind) {
      case 'handoffs': {
        handoffs += 1;
        const source = sources.get(fact.source) ?? { leads: 0, withGaps: 0, fields: new Map<LeadFieldName, number>() };
        sources.set(fact.source, source);
        source.leads += 1;
        if (fact.missing.length > 0) {
          withGaps += 1;
          source.withGaps += 1;
        }
        for (const f of fact.missing) {
          fieldMissing.set(f, (fieldMissing.get(f) ?? 0) + 1);
          source.fields.set(f, (source.fields.get(f) ?? 0) + 1);
        }
        break;
      }
      case 'accepted_within_sla':
        within += 1;
        settled += 1;
        break;
      case 'accepted_late':
        settled += 1;
        break;
      case 'accept_time':
        acceptMs.push(fact.ms);
        break;
      case 'breaches':
        breaches += 1;
        break;
      case 'meetings_held':
        meetings.held += 1;
        break;
      case 'no_show':
        meetings.noShow += 1;
        break;
      case 'cancelled':
        meetings.cancelled += 1;
        break;
      case 'rescheduled':
        meetings.rescheduled += 1;
        break;
      case 'sales_qualified':
        sq += 1;
        cycles.push(fact.cycleDays);
        break;
      case 'handed_back': {
        hb += 1;
        const r = reasons.get(fact.code) ?? { count: 0, texts: [] };
        reasons.set(fact.code, r);
        r.count += 1;
        if (fact.text !== null && fact.text.trim() !== '') r.texts.push({ at: fact.at.getTime(), text: fact.text });
        break;
      }
      case 'without_followup':
        withoutFollowup += 1;
        break;
    }
  }
  const textsPerReason = options.textsPerReason ?? 20;
  const fieldCounts = (m: Map<LeadFieldName, number>): FieldCount[] => options.checkedFields.map((field) => ({ field, missing: m.get(field) ?? 0 }));
  const medianMs = median(acceptMs);
  return {
    handoffs,
    acceptance: { settled, withinSla: within, share: round(share(within, settled), 4), medianHoursToAccept: round(medianMs === null ? null : medianMs / 3_600_000) },
    breaches,
    meetings: { ...meetings, fellThrough: meetings.noShow + meetings.cancelled + meetings.rescheduled },
    conversion: { salesQualified: sq, handedBack: hb, rate: round(share(sq, sq + hb), 4) },
    handBackReasons: [...reasons.entries()]
      .map(([code, r]) => ({
        code,
        count: r.count,
        texts: r.texts
          .sort((a, b) => b.at - a.at)
          .slice(0, textsPerReason)
          .map((t) => t.text),
      }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    missingData: {
      leads: handoffs,
      withGaps,
      fields: fieldCounts(fieldMissing),
      bySource: [...sources.entries()]
        .map(([source, s]) => ({ source, leads: s.leads, withGaps: s.withGaps, fields: fieldCounts(s.fields) }))
        .sort((a, b) => b.withGaps - a.withGaps || (a.source ?? '\uffff').localeCompare(b.source ?? '\uffff')),
    },
    withoutFollowup,
    cycleTime: { count: cycles.length, medianDays: round(median(cycles), 1), meanDays: round(cycles.length === 0 ? null : cycles.reduce((a, b) => a + b, 0) / cycles.length, 1) },
    successes: sq,
  };
}

const diff = (a: number | null, b: number | null, digits = 4): number | null => (a === null || b === null ? null : round(a - b, digits));

function changeOf(c: Figures, p: Figures): FigureChange {
  return {
    handoffs: c.handoffs - p.handoffs,
    acceptanceShare: diff(c.acceptance.share, p.acceptance.share),
    medianHoursToAccept: diff(c.acceptance.medianHoursToAccept, p.acceptance.medianHoursToAccept, 2),
    breaches: c.breaches - p.breaches,
    meetingsHeld: c.meetings.held - p.meetings.held,
    meetingsFellThrough: c.meetings.fellThrough - p.meetings.fellThrough,
    conversionRate: diff(c.conversion.rate, p.conversion.rate),
    handedBack: c.conversion.handedBack - p.conversion.handedBack,
    leadsWithGaps: c.missingData.withGaps - p.missingData.withGaps,
    withoutFollowup: c.withoutFollowup - p.withoutFollowup,
    cycleMedianDays: diff(c.cycleTime.medianDays, p.cycleTime.medianDays, 1),
    successes: c.successes - p.successes,
  };
}

/** The period of the same length just before `range`. */
export function previousRangeOf(range: ReportRange): ReportRange {
  const length = range.to.getTime() - range.from.getTime();
  return { from: new Date(range.from.getTime() - length), to: range.from };
}

function groupBy(facts: readonly Placed[], key: (p: Placed) => string | null): Map<string, Placed[]> {
  const groups = new Map<string, Placed[]>();
  for (const p of facts) {
    const k = key(p);
    if (k === null) continue;
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [p]);
    else list.push(p);
  }
  return groups;
}

/**
 * The report of `range` from rows that cover it and the period of the same length before it (previousRangeOf).
 * Each group (SDR, AE, pair) appears when it has a fact in either period; groups are sorted by label.
 */
export function computeReport(rows: ReportRows, range: ReportRange, options: ReportOptions): Report {
  const idx = index(rows);
  const previousRange = previousRangeOf(range);
  const current = factsOf(rows, idx, range, rows.followupGaps.current);
  const previous = factsOf(rows, idx, previousRange, rows.followupGaps.previous);
  const names = new Map(rows.people.map((p) => [p.id, p.displayName]));
  const nameOf = (id: string): string => names.get(id) ?? 'Unknown person';

  const group = (key: (p: Placed) => string | null, label: (k: string) => string, ids: (k: string) => { sdrId: string | null; aeId: string | null }): GroupReport[] => {
    const cur = groupBy(current, key);
    const prev = groupBy(previous, key);
    const keys = new Set([...cur.keys(), ...prev.keys()]);
    return [...keys]
      .map((k) => {
        const c = figuresOf(cur.get(k) ?? [], options);
        const p = figuresOf(prev.get(k) ?? [], options);
        return { ...ids(k), label: label(k), current: c, previous: p, change: changeOf(c, p) };
      })
      .sort((a, b) => a.label.localeCompare(b.label) || (a.sdrId ?? '').localeCompare(b.sdrId ?? '') || (a.aeId ?? '').localeCompare(b.aeId ?? ''));
  };

  const totalCurrent = figuresOf(current, options);
  const totalPrevious = figuresOf(previous, options);
  const successes: Success[] = [];
  for (const p of current) {
    if (p.fact.kind !== 'sales_qualified' || p.handoffId === null) continue;
    const h = idx.handoffs.get(p.handoffId);
    if (h === undefined) continue;
    successes.push({
      handoffId: h.id,
      leadId: h.leadId,
      contactName: h.lead.contactName,
      companyName: h.lead.companyName,
      sdrId: h.sdrId,
      aeId: h.aeId,
      at: p.fact.at,
      cycleDays: round(p.fact.cycleDays, 1) ?? 0,
    });
  }
  successes.sort((a, b) => b.at.getTime() - a.at.getTime() || a.handoffId.localeCompare(b.handoffId));
  return {
    range,
    previousRange,
    total: { sdrId: null, aeId: null, label: 'All hand-offs', current: totalCurrent, previous: totalPrevious, change: changeOf(totalCurrent, totalPrevious) },
    bySdr: group((p) => p.sdrId, nameOf, (k) => ({ sdrId: k, aeId: null })),
    byAe: group((p) => p.aeId, nameOf, (k) => ({ sdrId: null, aeId: k })),
    byPair: group(
      (p) => (p.aeId === null ? null : `${p.sdrId}|${p.aeId}`),
      (k) => {
        const [s = '', a = ''] = k.split('|');
        return `${nameOf(s)} → ${nameOf(a)}`;
      },
      (k) => {
        const [s = '', a = ''] = k.split('|');
        return { sdrId: s, aeId: a };
      },
    ),
    successes,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The report from aggregates: the same figures, counted by the database per period and group (a year of hand-offs
// is too many rows to hand over); `computeReport` above stays the reference on rows and the drill-down's source.

/** Which groups an aggregate belongs to: all hand-offs, one SDR, one AE or one SDR×AE pair. */
export type GroupLevel = 'total' | 'sdr' | 'ae' | 'pair';

export interface AggregateKey {
  readonly period: 'current' | 'previous';
  readonly level: GroupLevel;
  /** Set for the `sdr` and `pair` levels. */
  readonly sdrId: string | null;
  /** Set for the `ae` and `pair` levels (null there only for leads without an AE: such groups are skipped). */
  readonly aeId: string | null;
}

/** The counts of one group in one period, the facts of factsOf summed. */
export interface GroupAggregate extends AggregateKey {
  readonly handoffs: number;
  readonly withGaps: number;
  /** Leads lacking each checked field, in the order of ReportOptions.checkedFields. */
  readonly fieldsMissing: readonly number[];
  readonly acceptedWithinSla: number;
  readonly acceptedLate: number;
  readonly medianAcceptMs: number | null;
  readonly breaches: number;
  readonly meetingsHeld: number;
  readonly noShow: number;
  readonly cancelled: number;
  readonly rescheduled: number;
  readonly salesQualified: number;
  readonly handedBack: number;
  readonly withoutFollowup: number;
  /** Lead created → Sales Qualified, in days (unrounded). */
  readonly cycleMedianDays: number | null;
  readonly cycleMeanDays: number | null;
}

/** The hand-offs started in one period and group from one source list. */
export interface SourceAggregate extends AggregateKey {
  readonly source: string | null;
  readonly leads: number;
  readonly withGaps: number;
  readonly fieldsMissing: readonly number[];
}

/** The hand-backs of one period and group for one reason. */
export interface ReasonAggregate extends AggregateKey {
  readonly code: string;
  readonly count: number;
  /** The non-blank texts, newest first, at most ReportOptions.textsPerReason of them. */
  readonly texts: readonly string[];
}

export interface ReportAggregates {
  readonly groups: readonly GroupAggregate[];
  readonly sources: readonly SourceAggregate[];
  readonly reasons: readonly ReasonAggregate[];
  /** The current period's Sales Qualified leads, newest first (cycle days unrounded); possibly only the newest. */
  readonly successes: readonly Success[];
  readonly people: readonly ReportPerson[];
}

const keyOf = (k: AggregateKey): string => `${k.period}|${k.level}|${k.sdrId ?? ''}|${k.aeId ?? ''}`;

function figuresFromAggregates(
  group: GroupAggregate | undefined,
  sources: readonly SourceAggregate[],
  reasons: readonly ReasonAggregate[],
  options: ReportOptions,
): Figures {
  const textsPerReason = options.textsPerReason ?? 20;
  const fieldCounts = (counts: readonly number[]): FieldCount[] => options.checkedFields.map((field, i) => ({ field, missing: counts[i] ?? 0 }));
  const g = group;
  const within = g?.acceptedWithinSla ?? 0;
  const settled = within + (g?.acceptedLate ?? 0);
  const sq = g?.salesQualified ?? 0;
  const hb = g?.handedBack ?? 0;
  const noShow = g?.noShow ?? 0;
  const cancelled = g?.cancelled ?? 0;
  const rescheduled = g?.rescheduled ?? 0;
  const medianMs = g?.medianAcceptMs ?? null;
  return {
    handoffs: g?.handoffs ?? 0,
    acceptance: { settled, withinSla: within, share: round(share(within, settled), 4), medianHoursToAccept: round(medianMs === null ? null : medianMs / 3_600_000) },
    breaches: g?.breaches ?? 0,
    meetings: { held: g?.meetingsHeld ?? 0, noShow, cancelled, rescheduled, fellThrough: noShow + cancelled + rescheduled },
    conversion: { salesQualified: sq, handedBack: hb, rate: round(share(sq, sq + hb), 4) },
    handBackReasons: reasons
      .map((r) => ({ code: r.code, count: r.count, texts: r.texts.slice(0, textsPerReason) }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    missingData: {
      leads: g?.handoffs ?? 0,
      withGaps: g?.withGaps ?? 0,
      fields: fieldCounts(g?.fieldsMissing ?? []),
      bySource: sources
        .map((s) => ({ source: s.source, leads: s.leads, withGaps: s.withGaps, fields: fieldCounts(s.fieldsMissing) }))
        .sort((a, b) => b.withGaps - a.withGaps || (a.source ?? '\uffff').localeCompare(b.source ?? '\uffff')),
    },
    withoutFollowup: g?.withoutFollowup ?? 0,
    cycleTime: { count: sq, medianDays: round(sq === 0 ? null : (g?.cycleMedianDays ?? null), 1), meanDays: round(sq === 0 ? null : (g?.cycleMeanDays ?? null), 1) },
    successes: sq,
  };
}

/**
 * The report of `range` from the counts of each group in it and in the period before (previousRangeOf): the same
 * figures as computeReport. Each group (SDR, AE, pair) appears when it has an aggregate in either period; groups
 * are sorted by label.
 */
export function reportOfAggregates(aggregates: ReportAggregates, range: ReportRange, options: ReportOptions): Report {
  const previousRange = previousRangeOf(range);
  const names = new Map(aggregates.people.map((p) => [p.id, p.displayName]));
  const nameOf = (id: string): string => names.get(id) ?? 'Unknown person';
  const skipped = (k: AggregateKey) => (k.level === 'ae' || k.level === 'pair') && k.aeId === null;
  const groups = new Map<string, GroupAggregate>();
  for (const g of aggregates.groups) if (!skipped(g)) groups.set(keyOf(g), g);
  const listed = <T extends AggregateKey>(items: readonly T[]): Map<string, T[]> => {
    const byKey = new Map<string, T[]>();
    for (const item of items) {
      if (skipped(item)) continue;
      const k = keyOf(item);
      const list = byKey.get(k);
      if (list === undefined) byKey.set(k, [item]);
      else list.push(item);
    }
    return byKey;
  };
  const sources = listed(aggregates.sources);
  const reasons = listed(aggregates.reasons);
  const figures = (key: AggregateKey): Figures => {
    const k = keyOf(key);
    return figuresFromAggregates(groups.get(k), sources.get(k) ?? [], reasons.get(k) ?? [], options);
  };
  const groupReport = (level: GroupLevel, sdrId: string | null, aeId: string | null, label: string): GroupReport => {
    const c = figures({ period: 'current', level, sdrId, aeId });
    const p = figures({ period: 'previous', level, sdrId, aeId });
    return { sdrId, aeId, label, current: c, previous: p, change: changeOf(c, p) };
  };
  const level = (l: 'sdr' | 'ae' | 'pair'): GroupReport[] => {
    const seen = new Map<string, { sdrId: string | null; aeId: string | null }>();
    for (const g of groups.values()) if (g.level === l) seen.set(`${g.sdrId ?? ''}|${g.aeId ?? ''}`, { sdrId: g.sdrId, aeId: g.aeId });
    return [...seen.values()]
      .map(({ sdrId, aeId }) => {
        const label = l === 'sdr' ? nameOf(sdrId ?? '') : l === 'ae' ? nameOf(aeId ?? '') : `${nameOf(sdrId ?? '')} → ${nameOf(aeId ?? '')}`;
        return groupReport(l, l === 'ae' ? null : sdrId, l === 'sdr' ? null : aeId, label);
      })
      .sort((a, b) => a.label.localeCompare(b.label) || (a.sdrId ?? '').localeCompare(b.sdrId ?? '') || (a.aeId ?? '').localeCompare(b.aeId ?? ''));
  };
  const successes = aggregates.successes
    .map((s) => ({ ...s, cycleDays: round(s.cycleDays, 1) ?? 0 }))
    .sort((a, b) => b.at.getTime() - a.at.getTime() || a.handoffId.localeCompare(b.handoffId));
  return {
    range,
    previousRange,
    total: groupReport('total', null, null, 'All hand-offs'),
    bySdr: level('sdr'),
    byAe: level('ae'),
    byPair: level('pair'),
    successes,
  };
}

export interface DrillDownFilter {
  readonly sdrId?: string | undefined;
  readonly aeId?: string | undefined;
}

export interface DrillDownItem {
  /** Null for a lead without a future follow-up whose hand-off is not among the rows. */
  readonly handoffId: string | null;
  readonly leadId: string;
}

/** The hand-offs (or, for `without_followup`, the leads) behind one number of the report of `range`. */
export function handoffsBehind(rows: ReportRows, range: ReportRange, figure: ReportFigure, filter: DrillDownFilter = {}): DrillDownItem[] {
  const facts = factsOf(rows, index(rows), range, figure === 'without_followup' ? rows.followupGaps.current : []);
  const seen = new Set<string>();
  const out: DrillDownItem[] = [];
  for (const p of facts) {
    const matches =
      figure === 'missing_data' ? p.fact.kind === 'handoffs' && p.fact.missing.length > 0 : p.fact.kind === figure;
    if (!matches) continue;
    if (filter.sdrId !== undefined && p.sdrId !== filter.sdrId) continue;
    if (filter.aeId !== undefined && p.aeId !== filter.aeId) continue;
    const key = p.handoffId ?? `lead:${p.leadId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ handoffId: p.handoffId, leadId: p.leadId });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Ranges and the weekly schedule, in a team's zone

/** The longest range a report covers. */
export const maxReportDays = 366;

/**
 * A range of whole days [from 00:00, the day after `to` 00:00) in `timeZone`, from `YYYY-MM-DD` dates.
 * Codes: invalid_date (field `from` or `to`), range_reversed (field `from`), range_too_long (field `to`).
 */
export function dayRange(from: string, to: string, timeZone: string): Result<ReportRange> {
  const zone = IANAZone.isValidZone(timeZone) ? timeZone : 'UTC';
  const start = DateTime.fromISO(from, { zone });
  const end = DateTime.fromISO(to, { zone });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !start.isValid) return fail('invalid_date', `"${from}" is not a date (YYYY-MM-DD).`, 'from');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(to) || !end.isValid) return fail('invalid_date', `"${to}" is not a date (YYYY-MM-DD).`, 'to');
  if (start > end) return fail('range_reversed', `The range starts (${from}) after it ends (${to}).`, 'from');
  const days = Math.round(end.diff(start, 'days').days) + 1;
  if (days > maxReportDays) return fail('range_too_long', `The range covers ${days} days; at most ${maxReportDays} are allowed.`, 'to');
  return ok({ from: start.startOf('day').toJSDate(), to: end.plus({ days: 1 }).startOf('day').toJSDate() });
}

export interface WeeklySchedule {
  readonly weekday: Weekday;
  /** Local hour, 0–23. */
  readonly hour: number;
}

export interface DueReport {
  /** The scheduled moment of this week's send that has passed. */
  readonly scheduledAt: Date;
  /** The local date of the send, e.g. 2026-11-23: with the team, the send's idempotency key. */
  readonly sendDate: string;
  /** The 7 whole local days before the send day. */
  readonly range: ReportRange;
}

/**
 * The weekly report due at `now` in `timeZone`: the latest scheduled moment at or before `now` (this week's, or
 * last week's when this week's has not come yet), and the 7 local days before its day. Sending once per
 * `sendDate` sends once a week, and a send missed while the server was down goes out when it is back.
 */
export function dueWeeklyReport(now: Date, schedule: WeeklySchedule, timeZone: string): DueReport {
  const zone = IANAZone.isValidZone(timeZone) ? timeZone : 'UTC';
  const local = DateTime.fromJSDate(now, { zone });
  const weekdayNumber = weekdays.indexOf(schedule.weekday) + 1;
  let scheduled = local.set({ weekday: weekdayNumber as 1 | 2 | 3 | 4 | 5 | 6 | 7, hour: schedule.hour, minute: 0, second: 0, millisecond: 0 });
  if (scheduled > local) scheduled = scheduled.minus({ weeks: 1 });
  const day = scheduled.startOf('day');
  return {
    scheduledAt: scheduled.toJSDate(),
    sendDate: day.toISODate() ?? '',
    range: { from: day.minus({ days: 7 }).toJSDate(), to: day.toJSDate() },
  };
}

/** The 7 whole local days before today in `timeZone` (the report sent on demand). */
export function lastSevenDays(now: Date, timeZone: string): ReportRange {
  const zone = IANAZone.isValidZone(timeZone) ? timeZone : 'UTC';
  const day = DateTime.fromJSDate(now, { zone }).startOf('day');
  return { from: day.minus({ days: 7 }).toJSDate(), to: day.toJSDate() };
}
