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
