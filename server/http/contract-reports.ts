// The HTTP contract of the reports (issue 7) between the dashboard page and the server: zod 4 schemas and their
// inferred types for /api/reports, its drill-down, CSV export and send-now. The add-in bundles this file, so it
// imports zod and ./contract (shared pieces) only.
import { z } from 'zod';
import { Id, TeamId } from './contract';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2026-11-16');

/** A report's range: whole days from `from` to `to` (both included) in the team's time zone; at most 366 days. */
export const ReportQuery = z.strictObject({
  from: Day,
  to: Day,
  /** One team; without it, the manager's team, or every team for an admin. */
  teamId: TeamId.optional(),
});
export type ReportQuery = z.infer<typeof ReportQuery>;

export const reportFigureValues = [
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
export const ReportFigure = z.enum(reportFigureValues);
export type ReportFigure = z.infer<typeof ReportFigure>;

export const DrillDownQuery = z.strictObject({
  from: Day,
  to: Day,
  teamId: TeamId.optional(),
  figure: ReportFigure,
  /** Only the hand-offs of this SDR and/or AE (a row of the "by SDR", "by AE" or "by pair" tables). */
  sdrId: Id.optional(),
  aeId: Id.optional(),
});
export type DrillDownQuery = z.infer<typeof DrillDownQuery>;

const FieldCountDto = z.object({ field: z.string(), label: z.string(), missing: z.number().int() });

export const FiguresDto = z.object({
  handoffs: z.number().int(),
  acceptance: z.object({ settled: z.number().int(), withinSla: z.number().int(), share: z.number().nullable(), medianHoursToAccept: z.number().nullable() }),
  breaches: z.number().int(),
  meetings: z.object({ held: z.number().int(), noShow: z.number().int(), cancelled: z.number().int(), rescheduled: z.number().int(), fellThrough: z.number().int() }),
  conversion: z.object({ salesQualified: z.number().int(), handedBack: z.number().int(), rate: z.number().nullable() }),
  handBackReasons: z.array(z.object({ code: z.string(), label: z.string(), count: z.number().int(), texts: z.array(z.string()) })),
  missingData: z.object({
    leads: z.number().int(),
    withGaps: z.number().int(),
    fields: z.array(FieldCountDto),
    bySource: z.array(z.object({ source: z.string().nullable(), leads: z.number().int(), withGaps: z.number().int(), fields: z.array(FieldCountDto) })),
  }),
  withoutFollowup: z.number().int(),
  cycleTime: z.object({ count: z.number().int(), medianDays: z.number().nullable(), meanDays: z.number().nullable() }),
  successes: z.number().int(),
});
export type FiguresDto = z.infer<typeof FiguresDto>;

export const FigureChangeDto = z.object({
  handoffs: z.number(),
  acceptanceShare: z.number().nullable(),
  medianHoursToAccept: z.number().nullable(),
  breaches: z.number(),
  meetingsHeld: z.number(),
  meetingsFellThrough: z.number(),
  conversionRate: z.number().nullable(),
  handedBack: z.number(),
  leadsWithGaps: z.number(),
  withoutFollowup: z.number(),
  cycleMedianDays: z.number().nullable(),
  successes: z.number(),
});
export type FigureChangeDto = z.infer<typeof FigureChangeDto>;

export const GroupReportDto = z.object({
  sdrId: z.string().nullable(),
  aeId: z.string().nullable(),
  label: z.string(),
  current: FiguresDto,
  previous: FiguresDto,
  change: FigureChangeDto,
});
export type GroupReportDto = z.infer<typeof GroupReportDto>;

const RangeDto = z.object({ from: z.string(), to: z.string() });

/** The AEs' ratings of lead quality (1–5) in a period: how many, their mean, how many of each score, the fields ticked. */
export const RatingFiguresDto = z.object({
  count: z.number().int(),
  average: z.number().nullable(),
  /** Ratings that gave 1, 2, 3, 4 and 5. */
  distribution: z.array(z.number().int()).length(5),
  /** Lead fields ticked as missing or wrong, most ticked first. */
  fields: z.array(z.object({ field: z.string(), label: z.string(), count: z.number().int() })),
});
export type RatingFiguresDto = z.infer<typeof RatingFiguresDto>;

export const RatingGroupDto = z.object({
  current: RatingFiguresDto,
  previous: RatingFiguresDto,
  /** Current minus previous (null when either period has no rating). */
  change: z.object({ count: z.number(), average: z.number().nullable() }),
});
export type RatingGroupDto = z.infer<typeof RatingGroupDto>;

export const RatingSourceDto = RatingGroupDto.extend({ source: z.string().nullable() });
export type RatingSourceDto = z.infer<typeof RatingSourceDto>;

export const RatingReportDto = z.object({
  total: RatingGroupDto,
  /** The manager's per-SDR view: each SDR's ratings, their source lists (lowest average first) and newest sentences. */
  bySdr: z.array(
    RatingGroupDto.extend({
      sdrId: z.string(),
      label: z.string(),
      sources: z.array(RatingSourceDto),
      comments: z.array(z.object({ score: z.number().int(), text: z.string(), companyName: z.string(), at: z.string() })),
    }),
  ),
  /** By the leads' source list, lowest current average first; `source` null for leads without one. */
  bySource: z.array(RatingSourceDto),
});
export type RatingReportDto = z.infer<typeof RatingReportDto>;

export const ReportDto = z.object({
  /** [from, to) as instants; `to` is the start of the day after the last day. */
  range: RangeDto,
  previousRange: RangeDto,
  timeZone: z.string(),
  /** The teams the report covers; `selectable`: the teams this user may pick from. */
  teams: z.array(z.object({ id: z.string(), name: z.string() })),
  selectable: z.array(z.object({ id: z.string(), name: z.string() })),
  total: GroupReportDto,
  bySdr: z.array(GroupReportDto),
  byAe: z.array(GroupReportDto),
  byPair: z.array(GroupReportDto),
  successes: z.array(
    z.object({
      handoffId: z.string(),
      leadId: z.string(),
      contactName: z.string(),
      companyName: z.string(),
      sdrName: z.string(),
      aeName: z.string(),
      at: z.string(),
      cycleDays: z.number(),
    }),
  ),
  /** The AEs' ratings of the leads (issue 10): overall, per SDR and per source list. */
  ratings: RatingReportDto,
});
export type ReportDto = z.infer<typeof ReportDto>;

export const DrillDownHandoffDto = z.object({
  id: z.string(),
  leadId: z.string(),
  teamId: z.string(),
  stage: z.string(),
  outcome: z.string().nullable(),
  startedAt: z.string(),
  closedAt: z.string().nullable(),
  meetingStart: z.string().nullable(),
  contactName: z.string(),
  companyName: z.string(),
  sourceList: z.string().nullable(),
  sdrName: z.string(),
  aeName: z.string(),
  /** Working time (ms) the SLA clock stood still while the AE was away (automatic replies). */
  slaPausedMs: z.number().int().min(0).optional(),
});
export type DrillDownHandoffDto = z.infer<typeof DrillDownHandoffDto>;

export const DrillDownDto = z.object({
  figure: ReportFigure,
  items: z.array(DrillDownHandoffDto),
  /** How many hand-offs are behind the number; `items` holds at most 500 of them. */
  total: z.number().int(),
});
export type DrillDownDto = z.infer<typeof DrillDownDto>;

export const ReportSendBody = z.strictObject({ teamId: TeamId.optional() });
export type ReportSendBody = z.infer<typeof ReportSendBody>;

export const ReportSentDto = z.object({
  teamId: z.string(),
  /** False when the same report was queued a moment ago (sent once). */
  queued: z.boolean(),
  recipients: z.number().int(),
  range: RangeDto,
});
export type ReportSentDto = z.infer<typeof ReportSentDto>;
