// The weekly report's settings (server/settings/report-schedule.json): per team the weekday and local hour of the
// send, the distribution list (the team's managers are always added) and whether it is sent; which lead fields count
// as missing data. A default with per-team overrides. Pure: parsed with zod into a Result naming the field at fault.
// Imports: zod, ./lead, ./lead-validation (types), ./qualification (zod errors), ./working-time (weekdays).
import { z } from 'zod';
import { leadFieldNames, type LeadFieldName, type Result } from './lead';
import type { FieldError } from './lead-validation';
import { zodFieldErrors } from './qualification';
import { weekdays, type Weekday } from './working-time';

export interface TeamReportSchedule {
  readonly enabled: boolean;
  readonly weekday: Weekday;
  /** Local hour (0–23) in the team's time zone. */
  readonly hour: number;
  /** The distribution list: addresses the report goes to besides the team's managers. */
  readonly recipients: readonly string[];
}

export interface ReportSettings {
  readonly default: TeamReportSchedule;
  readonly teams: Readonly<Record<string, TeamReportSchedule>>;
  /** The lead fields whose absence the report counts (per field and per source list). */
  readonly checkedFields: readonly LeadFieldName[];
}

const fields = {
  enabled: z.boolean(),
  weekday: z.enum(weekdays as [Weekday, ...Weekday[]]),
  hour: z.number().int().min(0).max(23),
  recipients: z.array(z.email()).max(100),
};
const schedule = z.strictObject({ ...fields, enabled: fields.enabled.default(true), recipients: fields.recipients.default([]) });
// A team's override: only what it sets (no defaults, so the default schedule fills the rest).
const override = z.strictObject(fields).partial();
const schema = z.strictObject({
  default: schedule,
  teams: z.record(z.string().min(1), override).default({}),
  checkedFields: z.array(z.enum(leadFieldNames)).min(1).max(leadFieldNames.length),
});

export function parseReportSettings(json: unknown): Result<ReportSettings, FieldError[]> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, error: zodFieldErrors(parsed.error) };
  const base = parsed.data.default;
  const teams: Record<string, TeamReportSchedule> = {};
  for (const [id, override] of Object.entries(parsed.data.teams)) {
    teams[id] = {
      enabled: override.enabled ?? base.enabled,
      weekday: override.weekday ?? base.weekday,
      hour: override.hour ?? base.hour,
      recipients: override.recipients ?? base.recipients,
    };
  }
  return { ok: true, value: { default: base, teams, checkedFields: [...new Set(parsed.data.checkedFields)] } };
}

export function reportScheduleOf(settings: ReportSettings, teamId: string): TeamReportSchedule {
  return settings.teams[teamId] ?? settings.default;
}
