// How each team runs its hand-offs: the SLA (working hours to reply and to accept, when to remind, when to go to the
// next manager), the country whose public holidays the working-hour clock skips, and the meeting the invite books
// (length, minimum notice, prep time before a demo, how many slots to propose). A default with per-team overrides.
// Pure: parsed with zod into a Result naming the field at fault. Imports: zod, ./lead, ./sla, ./qualification.
import { z } from 'zod';
import type { Result } from './lead';
import type { FieldError } from './lead-validation';
import { zodFieldErrors } from './qualification';
import type { SlaPolicy } from './sla';

export interface TeamPolicy {
  readonly sla: SlaPolicy;
  /** ISO 3166-1 alpha-2 country whose public holidays stop the SLA clock; null: none. */
  readonly country: string | null;
  readonly meetingMinutes: number;
  readonly minNoticeHours: number;
  /** Free time the AE needs before a demo (a private prep block is booked). */
  readonly prepMinutes: number;
  readonly slotCount: number;
  /** What a manager's "more time" link in the breach mail gives the AE, in working hours (default 4). */
  readonly moreTimeWorkingHours: number;
}

export interface TeamPolicies {
  readonly default: TeamPolicy;
  readonly teams: Readonly<Record<string, TeamPolicy>>;
}

const sla = z.strictObject({
  dueWorkingHours: z.number().positive().max(200),
  reminderShare: z.number().gt(0).lt(1).nullable(),
  secondLevelAfterWorkingHours: z.number().positive().max(200).nullable(),
});
const policy = z.strictObject({
  sla,
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE').nullable(),
  meetingMinutes: z.number().int().min(15).max(240),
  minNoticeHours: z.number().min(0).max(24 * 14),
  prepMinutes: z.number().int().min(0).max(240),
  slotCount: z.number().int().min(1).max(20),
  moreTimeWorkingHours: z.number().positive().max(200).optional(),
});
const schema = z.strictObject({
  default: policy,
  teams: z.record(z.string().min(1), policy.partial()).default({}),
});

const defaultMoreTimeWorkingHours = 4;

export function parseTeamPolicies(json: unknown): Result<TeamPolicies, FieldError[]> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, error: zodFieldErrors(parsed.error) };
  const base: TeamPolicy = { ...parsed.data.default, moreTimeWorkingHours: parsed.data.default.moreTimeWorkingHours ?? defaultMoreTimeWorkingHours };
  const teams: Record<string, TeamPolicy> = {};
  for (const [id, override] of Object.entries(parsed.data.teams)) {
    const { moreTimeWorkingHours, ...rest } = override;
    teams[id] = { ...base, ...rest, moreTimeWorkingHours: moreTimeWorkingHours ?? base.moreTimeWorkingHours };
  }
  return { ok: true, value: { default: base, teams } };
}

export function policyOf(policies: TeamPolicies, teamId: string | null): TeamPolicy {
  return (teamId === null ? undefined : policies.teams[teamId]) ?? policies.default;
}
