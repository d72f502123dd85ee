// The HTTP contract between the Outlook add-in and the server: zod 4 schemas and their inferred types for every
// request and response of /api. The add-in bundles this file, so it imports zod and nothing else; the server checks
// at compile time (server/http/lead-dto.ts) that the enums below match the domain's.
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------------------
// Shared pieces

export const leadStatusValues = [
  'new',
  'working',
  'qualified',
  'suspect',
  'sales_qualified',
  'handed_back',
  'nurture',
  'disqualified',
] as const;
export const LeadStatus = z.enum(leadStatusValues);
export type LeadStatus = z.infer<typeof LeadStatus>;

export const roleValues = ['sdr', 'ae', 'manager', 'admin'] as const;
export const Role = z.enum(roleValues);
export type Role = z.infer<typeof Role>;

export const pairingModeValues = ['one_to_one', 'pool'] as const;
export const PairingMode = z.enum(pairingModeValues);
export type PairingMode = z.infer<typeof PairingMode>;

/** Database ids (uuid text); `guid` accepts every 8-4-4-4-12 hex id, whatever its version bits. */
export const Id = z.guid();
/** Team ids are short slugs chosen by an admin: `emea`, `na-west`. */
export const TeamId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _');
const IsoDateTime = z.iso.datetime({ offset: true });
const Text = z.string().max(10_000);
const ShortText = z.string().max(2_048);

// ---------------------------------------------------------------------------------------------------------------
// Errors: one body shape for every failure

export const FieldErrorDto = z.object({
  field: z.string(),
  code: z.string(),
  message: z.string(),
});
export type FieldErrorDto = z.infer<typeof FieldErrorDto>;

export const MissingCriterionDto = z.object({
  field: z.string(),
  rule: z.string(),
  label: z.string(),
});
export type MissingCriterionDto = z.infer<typeof MissingCriterionDto>;

export const ErrorBody = z.object({
  error: z.object({
    /** Stable, machine-readable: `invalid_request`, `unknown_field`, `not_found`, `version_conflict`, … */
    code: z.string(),
    message: z.string(),
    /** The request field at fault, as a dotted path inside the body or query (`email`, `competitors.2`). */
    field: z.string().optional(),
    /** Every field problem, when there are several (the first one is also in `field`). */
    details: z.array(FieldErrorDto).optional(),
    /** For `lead_owned_elsewhere`: who owns the lead already. */
    owner: z.object({ id: z.string(), name: z.string() }).optional(),
    /** For `duplicate_lead` and `lead_owned_elsewhere`: the existing lead's id. */
    leadId: z.string().optional(),
    /** For `not_qualified`: the qualification criteria still unmet. */
    missing: z.array(MissingCriterionDto).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

// ---------------------------------------------------------------------------------------------------------------
// Leads

/** The lead fields as the server answers them: normalised (lower-cased email, E.164 phone, IANA zone, ISO country). */
const leadFieldShape = {
  contactName: z.string(),
  title: z.string().nullable(),
  email: z.string(),
  phone: z.string().nullable(),
  companyName: z.string(),
  webDomain: z.string().nullable(),
  website: z.string().nullable(),
  employeeCount: z.int().nullable(),
  country: z.string().nullable(),
  timeZone: z.string().nullable(),
  decisionMaker: z.boolean().nullable(),
  needs: z.string().nullable(),
  currentSolution: z.string().nullable(),
  competitors: z.array(z.string()),
  budget: z.string().nullable(),
  productInterests: z.array(z.string()),
  demoRequested: z.boolean(),
  sourceList: z.string().nullable(),
  notes: z.string().nullable(),
};

/**
 * The lead fields as a client sends them: JSON types with generous bounds. The server's lead validation applies
 * the real rules (lengths, formats) and answers every problem at once.
 */
const leadFieldInput = {
  contactName: z.string().max(1_000),
  title: z.string().max(1_000).nullable(),
  email: z.string().max(1_000),
  phone: z.string().max(1_000).nullable(),
  companyName: z.string().max(1_000),
  webDomain: z.string().max(1_000).nullable(),
  website: ShortText.nullable(),
  employeeCount: z.int().nullable(),
  country: z.string().max(100).nullable(),
  timeZone: z.string().max(100).nullable(),
  decisionMaker: z.boolean().nullable(),
  needs: Text.nullable(),
  currentSolution: Text.nullable(),
  competitors: z.array(z.string().max(1_000)).max(1_000),
  budget: Text.nullable(),
  productInterests: z.array(z.string().max(1_000)).max(1_000),
  demoRequested: z.boolean(),
  sourceList: z.string().max(1_000).nullable(),
  notes: Text.nullable(),
};

/** Every lead field, each optional: what a patch may carry. */
const optionalLeadFields = z.object(leadFieldInput).partial().shape;

export const LeadCreateBody = z.strictObject({
  ...optionalLeadFields,
  contactName: leadFieldInput.contactName,
  email: leadFieldInput.email,
  companyName: leadFieldInput.companyName,
  /** A manager or admin may create the lead for an SDR of their team; an SDR always owns what they create. */
  ownerId: Id.optional(),
});
export type LeadCreateBody = z.infer<typeof LeadCreateBody>;

export const LeadPatchBody = z.strictObject({
  /** The version the client read: a stale one is refused with 409 `version_conflict`. */
  version: z.int().min(1),
  ...optionalLeadFields,
});
export type LeadPatchBody = z.infer<typeof LeadPatchBody>;

export const QualificationDto = z.object({
  qualified: z.boolean(),
  missing: z.array(MissingCriterionDto),
});
export type QualificationDto = z.infer<typeof QualificationDto>;

export const LeadDto = z.object({
  id: z.string(),
  teamId: z.string(),
  ownerId: z.string(),
  sdrId: z.string(),
  aeId: z.string().nullable(),
  status: LeadStatus,
  ...leadFieldShape,
  handBackReason: z.string().nullable(),
  handBackText: z.string().nullable(),
  version: z.int(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  qualification: QualificationDto,
});
export type LeadDto = z.infer<typeof LeadDto>;

export const LeadSearchQuery = z.strictObject({
  /** Prefix of the contact name, company name or email; empty lists every lead the user may see. */
  q: z.string().max(200).default(''),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
export type LeadSearchQuery = z.input<typeof LeadSearchQuery>;

export const LeadPage = z.object({
  items: z.array(LeadDto),
  hasMore: z.boolean(),
  /** The offset of the next page, or null on the last one. */
  nextOffset: z.int().nullable(),
});
export type LeadPage = z.infer<typeof LeadPage>;

export const TransitionBody = z.strictObject({
  to: LeadStatus,
  reasonCode: z.string().min(1).max(100).optional(),
  reasonText: Text.optional(),
  /** Sales Qualified: the AE to hand to (default: the SDR's primary pairing). */
  aeId: Id.optional(),
  /** When given, the version the client read: a stale one is refused with 409 `version_conflict`. */
  version: z.int().min(1).optional(),
});
export type TransitionBody = z.infer<typeof TransitionBody>;

export const AuditEntryDto = z.object({
  entity: z.enum(['lead', 'handoff']),
  entityId: z.string(),
  actorId: z.string().nullable(),
  at: IsoDateTime,
  from: z.string().nullable(),
  to: z.string(),
  reasonCode: z.string().nullable(),
  reasonText: z.string().nullable(),
});
export type AuditEntryDto = z.infer<typeof AuditEntryDto>;

export const AuditTrailDto = z.object({ items: z.array(AuditEntryDto) });
export type AuditTrailDto = z.infer<typeof AuditTrailDto>;

export const LeadIdParams = z.strictObject({ id: Id });

// ---------------------------------------------------------------------------------------------------------------
// People

export const TeamDto = z.object({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  pairingMode: PairingMode,
});
export type TeamDto = z.infer<typeof TeamDto>;

export const UserDto = z.object({
  id: z.string(),
  entraOid: z.string(),
  tenantId: z.string().nullable(),
  email: z.string(),
  displayName: z.string(),
  role: Role,
  teamId: z.string().nullable(),
  managerId: z.string().nullable(),
  backupId: z.string().nullable(),
  timeZone: z.string(),
  active: z.boolean(),
});
export type UserDto = z.infer<typeof UserDto>;

export const PairingDto = z.object({
  sdrId: z.string(),
  aeId: z.string(),
  isPrimary: z.boolean(),
});
export type PairingDto = z.infer<typeof PairingDto>;

export const PersonSummaryDto = z.object({ id: z.string(), displayName: z.string(), role: Role });
export type PersonSummaryDto = z.infer<typeof PersonSummaryDto>;

export const MeDto = z.object({
  user: UserDto,
  team: TeamDto.nullable(),
  /** The signed-in user's SDR↔AE pairings, and the people on the other side of them. */
  pairings: z.array(PairingDto),
  pairedWith: z.array(PersonSummaryDto),
});
export type MeDto = z.infer<typeof MeDto>;

export const UserListQuery = z.strictObject({
  teamId: TeamId.optional(),
  role: Role.optional(),
});
export type UserListQuery = z.infer<typeof UserListQuery>;

export const UserList = z.object({ items: z.array(UserDto) });
export type UserList = z.infer<typeof UserList>;

export const UserCreateBody = z.strictObject({
  entraOid: z.string().min(1).max(100),
  tenantId: z.string().min(1).max(100).nullable().optional(),
  email: z.email().max(254),
  displayName: z.string().trim().min(1).max(200),
  role: Role,
  teamId: TeamId.nullable().optional(),
  managerId: Id.nullable().optional(),
  backupId: Id.nullable().optional(),
  /** IANA name, e.g. Europe/Berlin. */
  timeZone: z.string().min(1).max(100),
  active: z.boolean().optional(),
});
export type UserCreateBody = z.infer<typeof UserCreateBody>;

export const UserPatchBody = z.strictObject({
  displayName: z.string().trim().min(1).max(200).optional(),
  role: Role.optional(),
  teamId: TeamId.nullable().optional(),
  managerId: Id.nullable().optional(),
  backupId: Id.nullable().optional(),
  timeZone: z.string().min(1).max(100).optional(),
  active: z.boolean().optional(),
});
export type UserPatchBody = z.infer<typeof UserPatchBody>;

export const UserIdParams = z.strictObject({ id: Id });

export const TeamList = z.object({ items: z.array(TeamDto) });
export type TeamList = z.infer<typeof TeamList>;

export const TeamPutBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  /** IANA name: the team's reports and schedules run in it. */
  timeZone: z.string().min(1).max(100),
  pairingMode: PairingMode.optional(),
});
export type TeamPutBody = z.infer<typeof TeamPutBody>;

export const TeamIdParams = z.strictObject({ id: TeamId });

export const PairingListQuery = z.strictObject({ teamId: TeamId.optional() });
export type PairingListQuery = z.infer<typeof PairingListQuery>;

export const PairingList = z.object({ items: z.array(PairingDto) });
export type PairingList = z.infer<typeof PairingList>;

export const PairingPutBody = z.strictObject({
  sdrId: Id,
  aeId: Id,
  /** Pool mode only: make this AE the SDR's default. A 1:1 pairing is always primary. */
  isPrimary: z.boolean().optional(),
});
export type PairingPutBody = z.infer<typeof PairingPutBody>;

export const PairingParams = z.strictObject({ sdrId: Id, aeId: Id });

// ---------------------------------------------------------------------------------------------------------------
// Health

export const HealthDto = z.object({
  status: z.enum(['ok', 'unavailable']),
  database: z.enum(['ok', 'unavailable']),
});
export type HealthDto = z.infer<typeof HealthDto>;

// ---------------------------------------------------------------------------------------------------------------
// CSV import: POST /api/imports with a text/csv body

export const ImportQuery = z.strictObject({
  /** For managers and admins: the SDR of their team who will own the leads. */
  ownerId: Id.optional(),
});
export type ImportQuery = z.infer<typeof ImportQuery>;

export const ImportReportDto = z.object({
  rows: z.number().int(),
  created: z.number().int(),
  /** Already leads of this SDR (the same file imported twice creates nothing). */
  skipped: z.number().int(),
  flaggedCount: z.number().int(),
  /** Rows someone else already pursues (by email or company domain), with the owner. */
  flagged: z.array(
    z.object({ line: z.number().int(), email: z.string(), matchedBy: z.enum(['email', 'domain']), ownerId: z.string(), ownerName: z.string(), leadId: z.string() }),
  ),
  rejectedCount: z.number().int(),
  /** Every problem of a rejected row, with its line number. */
  rejected: z.array(
    z.object({ line: z.number().int(), field: z.string().nullable(), column: z.string().nullable(), code: z.string(), message: z.string() }),
  ),
  ignoredHeaders: z.array(z.string()),
  encoding: z.string(),
  delimiter: z.string(),
});
export type ImportReportDto = z.infer<typeof ImportReportDto>;

// ---------------------------------------------------------------------------------------------------------------
// Hand-offs and follow-ups

export const handoffStageValues = [
  'intro_composed',
  'intro_sent',
  'invite_sent',
  'accepted',
  'declined',
  'met',
  'no_show',
  'rescheduled',
  'closed',
] as const;
export const HandoffStage = z.enum(handoffStageValues);
export type HandoffStage = z.infer<typeof HandoffStage>;

export const handoffOutcomeValues = ['sales_qualified', 'hand_back', 'no_show', 'rescheduled'] as const;
export const HandoffOutcome = z.enum(handoffOutcomeValues);
export type HandoffOutcome = z.infer<typeof HandoffOutcome>;

/** The error body of the hand-off routes: the common one, plus what `ae_away` and `handoff_exists` carry. */
export const HandoffErrorBody = z.object({
  error: ErrorBody.shape.error.extend({
    /** For `ae_away`: the AE's automatic-replies window (null ends: open-ended). */
    away: z.object({ status: z.enum(['alwaysEnabled', 'scheduled']), start: IsoDateTime.nullable(), end: IsoDateTime.nullable() }).optional(),
    /** For `ae_away`: the AE's backup, offered instead (send `useBackup: true`); null when there is none. */
    backup: z.object({ id: z.string(), displayName: z.string() }).nullable().optional(),
    /** For `handoff_exists`: the hand-off in progress. */
    handoffId: z.string().optional(),
  }),
});
export type HandoffErrorBody = z.infer<typeof HandoffErrorBody>;

export const HandoffStartBody = z.strictObject({
  leadId: Id,
  /** A pool SDR's pick, or a manager's or admin's choice; default: the SDR's primary pairing. */
  aeId: Id.optional(),
  /** Admins only: hand off although the qualification criteria are not met; the reason is kept and audited. */
  override: z.strictObject({ reason: z.string().trim().min(1).max(2_000) }).optional(),
  /** Hand to the AE's backup (offered by a 409 `ae_away`). */
  useBackup: z.boolean().optional(),
});
export type HandoffStartBody = z.infer<typeof HandoffStartBody>;

export const HandoffDto = z.object({
  id: z.string(),
  leadId: z.string(),
  teamId: z.string(),
  sdrId: z.string(),
  aeId: z.string(),
  stage: HandoffStage,
  stageChangedAt: IsoDateTime,
  createdAt: IsoDateTime,
  introSentAt: IsoDateTime.nullable(),
  meetingStart: IsoDateTime.nullable(),
  meetingEnd: IsoDateTime.nullable(),
  demoRequested: z.boolean(),
  overrideReason: z.string().nullable(),
  slotStart: IsoDateTime.nullable(),
  slotEnd: IsoDateTime.nullable(),
  outcome: z.string().nullable(),
  version: z.int(),
});
export type HandoffDto = z.infer<typeof HandoffDto>;

export const FollowupDto = z.object({
  id: z.string(),
  leadId: z.string(),
  ownerId: z.string(),
  dueAt: IsoDateTime,
  note: z.string(),
  createdAt: IsoDateTime,
  doneAt: IsoDateTime.nullable(),
});
export type FollowupDto = z.infer<typeof FollowupDto>;

export const MailAddressDto = z.object({ address: z.string(), name: z.string() });
export type MailAddressDto = z.infer<typeof MailAddressDto>;

export const SlotDto = z.object({ start: IsoDateTime, end: IsoDateTime });
export type SlotDto = z.infer<typeof SlotDto>;

/** The intro email the add-in fills into the compose form: lead in To, AE in Cc, and the hand-off header. */
export const IntroEmailDto = z.object({
  to: z.array(MailAddressDto),
  cc: z.array(MailAddressDto),
  subject: z.string(),
  html: z.string(),
  text: z.string(),
  header: z.object({ name: z.literal('x-baton-handoff'), value: z.string() }),
});
export type IntroEmailDto = z.infer<typeof IntroEmailDto>;

export const HandoffStartedDto = z.object({
  handoff: HandoffDto,
  followup: FollowupDto,
  intro: IntroEmailDto,
  /** Meeting times proposed from the AE's and SDR's free/busy (empty when none could be proposed). */
  slots: z.array(SlotDto),
  /** `ae_availability_unknown`, `slots_unavailable`: what could not be checked. */
  warnings: z.array(z.string()),
});
export type HandoffStartedDto = z.infer<typeof HandoffStartedDto>;

export const HandoffLeadSummaryDto = z.object({
  id: z.string(),
  contactName: z.string(),
  companyName: z.string(),
  email: z.string(),
  status: LeadStatus,
  ownerId: z.string(),
});
export type HandoffLeadSummaryDto = z.infer<typeof HandoffLeadSummaryDto>;

export const ObligationDto = z.object({
  id: z.string(),
  kind: z.enum(['ae_reply', 'ae_accept']),
  status: z.string(),
  startedAt: IsoDateTime,
  dueAt: IsoDateTime,
  remindedAt: IsoDateTime.nullable(),
  breachedAt: IsoDateTime.nullable(),
  escalatedAt: IsoDateTime.nullable(),
  metAt: IsoDateTime.nullable(),
  metWithinSla: z.boolean().nullable(),
  cancelledAt: IsoDateTime.nullable(),
  /** Working time (ms) the AE's absences took out of the clock so far (as of the last re-plan, or the answer). */
  pausedMs: z.number().int().min(0).optional(),
  /** While the AE is away: the working time (ms) left on the clock, which stands still; null while it runs. */
  remainingMs: z.number().int().min(0).nullable().optional(),
});
export type ObligationDto = z.infer<typeof ObligationDto>;

/** An absence of the AE from their automatic replies; `end` null: until Baton sees the replies off. */
export const AwayDto = z.object({
  start: IsoDateTime,
  end: IsoDateTime.nullable(),
  source: z.enum(['alwaysEnabled', 'scheduled']),
});
export type AwayDto = z.infer<typeof AwayDto>;

export const FindingDto = z.object({ id: z.string(), kind: z.string(), at: IsoDateTime, details: z.unknown() });
export type FindingDto = z.infer<typeof FindingDto>;

export const HandoffPersonDto = z.object({ id: z.string(), displayName: z.string(), email: z.string() });
export type HandoffPersonDto = z.infer<typeof HandoffPersonDto>;

/** The AE-only prep brief: plain text fields (never HTML), for the AE, the SDR and the team's managers. */
export const PrepBriefDto = z.object({
  title: z.string().nullable(),
  phone: z.string().nullable(),
  timeZone: z.string().nullable(),
  decisionMaker: z.boolean().nullable(),
  budget: z.string().nullable(),
  competitors: z.array(z.string()),
  currentSolution: z.string().nullable(),
  /** Needs and pains. */
  needs: z.string().nullable(),
  productInterests: z.array(z.string()),
  demoRequested: z.boolean(),
  /** The SDR's notes. */
  notes: z.string().nullable(),
});
export type PrepBriefDto = z.infer<typeof PrepBriefDto>;

export const HandoffDetailDto = z.object({
  handoff: HandoffDto,
  lead: HandoffLeadSummaryDto,
  obligations: z.array(ObligationDto),
  findings: z.array(FindingDto),
  followups: z.array(FollowupDto),
  sdr: HandoffPersonDto,
  ae: HandoffPersonDto,
  /** Null for readers the brief is not meant for (admins). */
  prepBrief: PrepBriefDto.nullable(),
  /** The AE's absence running now, else the next one planned: the SLA clock stops for it. Null: none known. */
  aeAway: AwayDto.nullable().optional(),
});
export type HandoffDetailDto = z.infer<typeof HandoffDetailDto>;

export const HandoffListQuery = z.strictObject({
  /** Only `true` is offered: the actor's open hand-offs (an SDR's or AE's own, a manager's team's, all for an admin). */
  mine: z.enum(['true']).default('true'),
});
export type HandoffListQuery = z.input<typeof HandoffListQuery>;

export const HandoffList = z.object({ items: z.array(z.object({ handoff: HandoffDto, lead: HandoffLeadSummaryDto })) });
export type HandoffList = z.infer<typeof HandoffList>;

export const HandoffIdParams = z.strictObject({ id: Id });

/** The lead record's fields an AE may tick as missing or wrong when rating a lead (the names of LeadDto). */
export const ratingFieldValues = [
  'contactName',
  'title',
  'email',
  'phone',
  'companyName',
  'webDomain',
  'website',
  'employeeCount',
  'country',
  'timeZone',
  'decisionMaker',
  'needs',
  'currentSolution',
  'competitors',
  'budget',
  'productInterests',
  'demoRequested',
  'sourceList',
  'notes',
] as const;
export type RatingField = (typeof ratingFieldValues)[number];

/** How the pane names the lead fields (the same words as the lead card and the reports). */
export const ratingFieldLabels: Readonly<Record<RatingField, string>> = {
  contactName: 'Contact name',
  title: 'Title',
  email: 'Email',
  phone: 'Phone',
  companyName: 'Company name',
  webDomain: 'Web domain',
  website: 'Website',
  employeeCount: 'Employees',
  country: 'Country/region',
  timeZone: 'Time zone',
  decisionMaker: 'Decision maker',
  needs: 'Needs and pains',
  currentSolution: 'Current solution',
  competitors: 'Competitor or legacy products',
  budget: 'Budget',
  productInterests: 'Product interests',
  demoRequested: 'Demo requested',
  sourceList: 'Source list',
  notes: 'Notes',
};

/** The longest sentence a rating carries (after folding whitespace). */
export const maxRatingCommentLength = 280;

/**
 * The AE's rating of the lead's quality, sent with sales_qualified, hand_back and no_show (required) and never with
 * rescheduled. The server checks the values and names the field at fault: `rating.score` (422 `invalid_score`: a
 * whole number 1–5), `rating.fields.<i>` (422 `unknown_lead_field`, `duplicate_lead_field`), `rating.comment` (422
 * `comment_too_long`).
 */
export const RatingBody = z.strictObject({
  score: z.number(),
  /** Lead fields (ratingFieldValues) that were missing or wrong. */
  fields: z.array(z.string().max(100)).max(50).optional(),
  /** One sentence, at most maxRatingCommentLength characters. */
  comment: z.string().max(2_000).nullable().optional(),
});
export type RatingBody = z.infer<typeof RatingBody>;

export const HandoffOutcomeBody = z.strictObject({
  outcome: HandoffOutcome,
  /** hand_back: one of the configured hand-back reasons (required). */
  reasonCode: z.string().max(100).optional(),
  /** hand_back: the AE's words (required). */
  text: Text.optional(),
  /** rescheduled: the new meeting (required). */
  start: IsoDateTime.optional(),
  end: IsoDateTime.optional(),
  /** The hand-off version read; a stale one is refused with 409 `stale`. */
  version: z.int().min(1).optional(),
  /** sales_qualified, hand_back, no_show: the AE's rating of the lead (required); rescheduled: none. */
  rating: RatingBody.optional(),
});
export type HandoffOutcomeBody = z.infer<typeof HandoffOutcomeBody>;

export const HandoffReassignBody = z.strictObject({
  aeId: Id,
  reason: z.string().trim().min(1).max(2_000),
  version: z.int().min(1).optional(),
});
export type HandoffReassignBody = z.infer<typeof HandoffReassignBody>;

/** A manager gives the AE more working hours on every open obligation (the "more time" of the breach mail). */
export const HandoffMoreTimeBody = z.strictObject({
  hours: z.number().positive().max(200),
});
export type HandoffMoreTimeBody = z.infer<typeof HandoffMoreTimeBody>;

/** A manager reminds the AE by mail of what is still open; the same `requestId` again sends no second mail. */
export const HandoffNudgeBody = z.strictObject({
  requestId: z.uuid().optional(),
});
export type HandoffNudgeBody = z.infer<typeof HandoffNudgeBody>;

/** The SDR asks for the invite now; without times, the slot chosen at start or the AE's next free one. */
export const HandoffInviteBody = z.strictObject({
  start: IsoDateTime.optional(),
  end: IsoDateTime.optional(),
});
export type HandoffInviteBody = z.infer<typeof HandoffInviteBody>;

/** The meeting time the SDR chose among the proposals (PUT /api/handoffs/:id/slot): the invite is booked at it. */
export const HandoffSlotBody = z.strictObject({ start: IsoDateTime, end: IsoDateTime });
export type HandoffSlotBody = z.infer<typeof HandoffSlotBody>;

/**
 * GET /api/handoffs/:id/intro: the intro to fill again (a draft closed unsent), composed as at start; `slots` puts
 * the chosen time first.
 */
export const HandoffIntroDto = z.object({
  handoff: HandoffDto,
  intro: IntroEmailDto,
  slots: z.array(SlotDto),
  /** `slots_unavailable`: free/busy could not be read. */
  warnings: z.array(z.string()),
});
export type HandoffIntroDto = z.infer<typeof HandoffIntroDto>;

export const FollowupCreateBody = z.strictObject({
  /** Must be in the future. */
  dueAt: IsoDateTime,
  note: z.string().trim().min(1).max(2_000),
});
export type FollowupCreateBody = z.infer<typeof FollowupCreateBody>;

export const FollowupList = z.object({ items: z.array(FollowupDto) });
export type FollowupList = z.infer<typeof FollowupList>;

export const FollowupIdParams = z.strictObject({ id: Id });

/**
 * GET /addin/config.json (public): how the pane signs in. `authority` is Entra ID's (or the sandbox's) tenant
 * authority, `apiScope` the Baton API's delegated scope; `knownAuthorities` lists hosts msal-browser may trust
 * without instance discovery (the sandbox's).
 */
export const AddinConfigDto = z.object({
  clientId: z.string(),
  authority: z.string(),
  apiScope: z.string(),
  knownAuthorities: z.array(z.string()),
  /** The preview page only: the sandbox's Graph base URL and the demo tenant, for the emulated mail item. */
  sandboxUrl: z.string().nullable(),
});
export type AddinConfigDto = z.infer<typeof AddinConfigDto>;

// ---------------------------------------------------------------------------------------------------------------
// The task pane's extras: hand-back reasons, the invite an organizer fills by hand

export const HandBackReasonDto = z.object({ code: z.string(), label: z.string() });
export type HandBackReasonDto = z.infer<typeof HandBackReasonDto>;

export const HandBackReasonList = z.object({ items: z.array(HandBackReasonDto) });
export type HandBackReasonList = z.infer<typeof HandBackReasonList>;

/** GET /api/handoffs/:id/invite-draft: what "Fill invite" writes into an appointment (the prospect may see it all). */
export const InviteDraftDto = z.object({
  attendees: z.array(MailAddressDto),
  subject: z.string(),
  html: z.string(),
  text: z.string(),
  /** The slot chosen for the hand-off, else times proposed from free/busy (empty when none could be found). */
  slots: z.array(SlotDto),
  /** `slots_unavailable`: free/busy could not be read. */
  warnings: z.array(z.string()),
});
export type InviteDraftDto = z.infer<typeof InviteDraftDto>;
