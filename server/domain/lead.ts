// The lead record: the fields DESIGN.md step 1 names, the statuses of its lifecycle, and who holds it.
// Pure types and constants. Imports: nothing.

export const leadStatuses = [
  'new',
  'working',
  'qualified',
  'suspect',
  'sales_qualified',
  'handed_back',
  'nurture',
  'disqualified',
] as const;
export type LeadStatus = (typeof leadStatuses)[number];

/** What an SDR knows about a lead: contact, company, needs, and where the lead came from. */
export interface LeadFields {
  contactName: string;
  title: string | null;
  /** Lower-cased. */
  email: string;
  /** E.164, e.g. +14155550123. */
  phone: string | null;
  companyName: string;
  /** The company's registrable domain (acme.com), from the website or else the email; null for free-mail. */
  webDomain: string | null;
  website: string | null;
  employeeCount: number | null;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string | null;
  /** IANA time zone name. */
  timeZone: string | null;
  decisionMaker: boolean | null;
  /** Needs and pains, in the lead's words. */
  needs: string | null;
  currentSolution: string | null;
  /** Competitor or legacy products in use. */
  competitors: string[];
  budget: string | null;
  productInterests: string[];
  demoRequested: boolean;
  sourceList: string | null;
  notes: string | null;
}

export const leadFieldNames = [
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
] as const satisfies readonly (keyof LeadFields)[];
export type LeadFieldName = (typeof leadFieldNames)[number];

export interface Lead extends LeadFields {
  id: string;
  teamId: string;
  /** Who holds the lead now: the SDR until it is Sales Qualified, then the AE. */
  ownerId: string;
  /** The SDR who sourced and qualified it. */
  sdrId: string;
  /** The AE it was handed to, once handed off. */
  aeId: string | null;
  status: LeadStatus;
  handBackReason: string | null;
  handBackText: string | null;
  /** Incremented on every write; an update names the version it read. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export const roles = ['sdr', 'ae', 'manager', 'admin'] as const;
export type Role = (typeof roles)[number];

/** Who is acting: the signed-in user as the domain needs to know them. */
export interface Actor {
  userId: string;
  role: Role;
  teamId: string | null;
}

/** One appended line of the audit trail: who moved what from where to where, when and why. */
export interface AuditEntry {
  entity: 'lead' | 'handoff';
  entityId: string;
  actorId: string | null;
  at: Date;
  from: string | null;
  to: string;
  reasonCode: string | null;
  reasonText: string | null;
}

/**
 * The audit line of something done to a hand-off that leaves its stage as it is (a reassignment, more time, a nudge,
 * an action link used or refused): from and to are both the current stage.
 */
export function handoffNoteAudit(
  handoff: { id: string; stage: string },
  actorId: string | null,
  at: Date,
  reasonCode: string,
  reasonText: string,
): AuditEntry {
  return { entity: 'handoff', entityId: handoff.id, actorId, at, from: handoff.stage, to: handoff.stage, reasonCode, reasonText };
}

/** An expected failure with a stable code, returned (not thrown) by domain functions. */
export interface DomainError {
  code: string;
  message: string;
  field?: string;
}

export type Result<T, E = DomainError> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = (code: string, message: string, field?: string): Result<never> => ({
  ok: false,
  error: field === undefined ? { code, message } : { code, message, field },
});
