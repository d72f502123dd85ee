// Domain records → the contract's DTOs (dates as ISO strings, the lead with its qualification), and compile-time
// checks that the contract's enums are the domain's. Imports: ./contract, the domain.
import type {
  AuditEntryDto,
  LeadCreateBody,
  LeadDto,
  LeadPatchBody,
  LeadStatus as ContractLeadStatus,
  PairingDto,
  PairingMode,
  Role as ContractRole,
  TeamDto,
  UserDto,
} from './contract';
import type { AuditEntry, Lead, LeadFields, LeadStatus, Role } from '../domain/lead';
import type { Pairing, Team, User } from '../domain/people';
import { qualify, type QualificationCriteria } from '../domain/qualification';
import type {
  FindingDto,
  FollowupDto,
  HandoffDetailDto,
  HandoffDto,
  HandoffStage as ContractHandoffStage,
  maxRatingCommentLength as contractMaxCommentLength,
  RatingField,
  HandoffStartedDto,
  ObligationDto,
} from './contract';
import type { HandoffStage } from '../domain/lifecycle';
import type { LeadFieldName } from '../domain/lead';
import type { maxRatingCommentLength } from '../domain/rating';
import type { Handoff, HandoffFinding, ObligationSummary } from '../store/handoff-store';
import type { Followup } from '../store/followup-store';
import type { HandoffView, StartedHandoff } from '../engine/handoff-service';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type LeadRecordKeys = 'id' | 'teamId' | 'ownerId' | 'sdrId' | 'aeId' | 'status' | 'handBackReason' | 'handBackText' | 'version' | 'createdAt' | 'updatedAt';
/** Fails to compile when the contract (which may not import the domain) drifts from it. */
export const contractMatchesDomain: {
  statuses: Same<ContractLeadStatus, LeadStatus>;
  roles: Same<ContractRole, Role>;
  pairingModes: Same<PairingMode, Team['pairingMode']>;
  leadFields: Same<Exclude<keyof LeadDto, LeadRecordKeys | 'qualification'>, keyof LeadFields>;
  createFields: Same<Exclude<keyof LeadCreateBody, 'ownerId'>, keyof LeadFields>;
  patchFields: Same<Exclude<keyof LeadPatchBody, 'version'>, keyof LeadFields>;
} = { statuses: true, roles: true, pairingModes: true, leadFields: true, createFields: true, patchFields: true };

export function toLeadDto(lead: Lead, criteria: QualificationCriteria): LeadDto {
  return {
    id: lead.id,
    teamId: lead.teamId,
    ownerId: lead.ownerId,
    sdrId: lead.sdrId,
    aeId: lead.aeId,
    status: lead.status,
    contactName: lead.contactName,
    title: lead.title,
    email: lead.email,
    phone: lead.phone,
    companyName: lead.companyName,
    webDomain: lead.webDomain,
    website: lead.website,
    employeeCount: lead.employeeCount,
    country: lead.country,
    timeZone: lead.timeZone,
    decisionMaker: lead.decisionMaker,
    needs: lead.needs,
    currentSolution: lead.currentSolution,
    competitors: lead.competitors,
    budget: lead.budget,
    productInterests: lead.productInterests,
    demoRequested: lead.demoRequested,
    sourceList: lead.sourceList,
    notes: lead.notes,
    handBackReason: lead.handBackReason,
    handBackText: lead.handBackText,
    version: lead.version,
    createdAt: lead.createdAt.toISOString(),
    updatedAt: lead.updatedAt.toISOString(),
    qualification: qualify(lead, criteria),
  };
}

export function toAuditEntryDto(entry: AuditEntry): AuditEntryDto {
  return {
    entity: entry.entity,
    entityId: entry.entityId,
    actorId: entry.actorId,
    at: entry.at.toISOString(),
    from: entry.from,
    to: entry.to,
    reasonCode: entry.reasonCode,
    reasonText: entry.reasonText,
  };
}

export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    entraOid: user.entraOid,
    tenantId: user.tenantId,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    teamId: user.teamId,
    managerId: user.managerId,
    backupId: user.backupId,
    timeZone: user.timeZone,
    active: user.active,
  };
}

export function toTeamDto(team: Team): TeamDto {
  return { id: team.id, name: team.name, timeZone: team.timeZone, pairingMode: team.pairingMode };
}

export function toPairingDto(pairing: Pairing): PairingDto {
  return { sdrId: pairing.sdrId, aeId: pairing.aeId, isPrimary: pairing.isPrimary };
}

// ---------------------------------------------------------------------------------------------------------------
// Hand-offs and follow-ups

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** Fails to compile when the contract's hand-off stages drift from the domain's. */
export const handoffContractMatchesDomain: { stages: Same<ContractHandoffStage, HandoffStage> } = { stages: true };

/** The rating's lead fields and sentence length in the contract are the domain's (checked when compiled). */
export const ratingContractMatchesDomain: {
  fields: Same<RatingField, LeadFieldName>;
  comment: Same<typeof contractMaxCommentLength, typeof maxRatingCommentLength>;
} = { fields: true, comment: true };

export function toHandoffDto(h: Handoff): HandoffDto {
  return {
    id: h.id,
    leadId: h.leadId,
    teamId: h.teamId,
    sdrId: h.sdrId,
    aeId: h.aeId,
    stage: h.stage,
    stageChangedAt: h.stageChangedAt.toISOString(),
    createdAt: h.createdAt.toISOString(),
    introSentAt: iso(h.introSentAt),
    meetingStart: iso(h.meetingStart),
    meetingEnd: iso(h.meetingEnd),
    demoRequested: h.demoRequested,
    overrideReason: h.overrideReason,
    slotStart: iso(h.slotStart),
    slotEnd: iso(h.slotEnd),
    outcome: h.outcome,
    version: h.version,
  };
}

export function toFollowupDto(f: Followup): FollowupDto {
  return {
    id: f.id,
    leadId: f.leadId,
    ownerId: f.ownerId,
    dueAt: f.dueAt.toISOString(),
    note: f.note,
    createdAt: f.createdAt.toISOString(),
    doneAt: iso(f.doneAt),
  };
}

export function toObligationDto(o: ObligationSummary): ObligationDto {
  return {
    id: o.id,
    kind: o.kind,
    status: o.status,
    startedAt: o.startedAt.toISOString(),
    dueAt: o.dueAt.toISOString(),
    remindedAt: iso(o.remindedAt),
    breachedAt: iso(o.breachedAt),
    escalatedAt: iso(o.escalatedAt),
    metAt: iso(o.metAt),
    metWithinSla: o.metWithinSla,
    cancelledAt: iso(o.cancelledAt),
    pausedMs: o.pausedMs,
    remainingMs: o.remainingMs,
  };
}

export function toFindingDto(f: HandoffFinding): FindingDto {
  return { id: f.id, kind: f.kind, at: f.at.toISOString(), details: f.details };
}

export function toHandoffDetailDto(v: HandoffView): HandoffDetailDto {
  return {
    handoff: toHandoffDto(v.handoff),
    lead: v.lead,
    obligations: v.obligations.map(toObligationDto),
    findings: v.findings.map(toFindingDto),
    followups: v.followups.map(toFollowupDto),
    sdr: v.sdr,
    ae: v.ae,
    prepBrief: v.prepBrief,
    aeAway: v.aeAway === null ? null : { start: v.aeAway.start.toISOString(), end: iso(v.aeAway.end), source: v.aeAway.source },
  };
}

export function toHandoffStartedDto(s: StartedHandoff): HandoffStartedDto {
  return {
    handoff: toHandoffDto(s.handoff),
    followup: toFollowupDto(s.followup),
    intro: s.intro,
    slots: s.slots.map((slot) => ({ start: slot.start.toISOString(), end: slot.end.toISOString() })),
    warnings: s.warnings,
  };
}
