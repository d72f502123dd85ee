// /api/leads: search, create (never the same lead twice), read, edit (optimistic version), status transitions
// with their audit line, and the audit trail. Authorised through domain/access; rules from the domain.
// Imports: ../contract, ../dto, ../auth, ../errors, the domain, store types, ../app types.
import {
  AuditTrailDto,
  LeadCreateBody,
  LeadDto,
  LeadIdParams,
  LeadPage,
  LeadPatchBody,
  LeadSearchQuery,
  TransitionBody,
} from '../contract';
import { toAuditEntryDto, toLeadDto } from '../dto';
import { requireAuth } from '../auth';
import { errorResponses, forbidden, fromDomainError, fromFieldErrors, HttpError, notFound } from '../errors';
import type { App, AppDeps } from '../app';
import type { Actor, Lead, LeadFields, Result, DomainError } from '../../domain/lead';
import { canCreateLead, canEditLead, canViewLead, leadScope } from '../../domain/access';
import { judgeDuplicate, type DuplicateVerdict } from '../../domain/duplicates';
import { validateLeadFields, validateLeadPatch } from '../../domain/lead-validation';
import { qualify } from '../../domain/qualification';
import { transitionLead } from '../../domain/lifecycle';
import { chooseAe } from '../../domain/people';
import { resolveOwner } from './owner';

type LeadDeps = Pick<AppDeps, 'clock' | 'leadStore' | 'peopleStore' | 'qualificationCriteria' | 'handBackReasons'>;

/** The PostgreSQL error for a unique index violated (a lead with this email was created meanwhile). */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}

function duplicateError(verdict: Exclude<DuplicateVerdict, { kind: 'new' }>): HttpError {
  if (verdict.kind === 'same_lead') {
    return new HttpError(409, 'duplicate_lead', 'This lead already exists.', { field: 'email', leadId: verdict.leadId });
  }
  const { conflict } = verdict;
  const what = conflict.matchedBy === 'email' ? 'This contact' : "This contact's company";
  return new HttpError(409, 'lead_owned_elsewhere', `${what} is already a lead of ${conflict.ownerName}.`, {
    field: conflict.matchedBy === 'email' ? 'email' : 'webDomain',
    owner: { id: conflict.ownerId, name: conflict.ownerName },
    leadId: conflict.leadId,
  });
}

/** Splits a lead body into the lead fields and the rest, so lead-validation sees only lead fields. */
function leadFieldsOf(body: Record<string, unknown>, exclude: 'ownerId' | 'version'): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([key, value]) => key !== exclude && value !== undefined));
}

export function registerLeadRoutes(app: App, deps: LeadDeps): void {
  const { clock, leadStore: leads, peopleStore: people, qualificationCriteria: criteria } = deps;
  const dto = (lead: Lead) => toLeadDto(lead, criteria);

  /** The lead if the actor may see it; 404 otherwise, so a lead of another team is indistinguishable from none. */
  async function visibleLead(actor: Actor, id: string): Promise<Lead> {
    const lead = await leads.get(id);
    if (lead === undefined || !canViewLead(actor, lead)) throw notFound('lead');
    return lead;
  }

  /** Refuses a lead that collides with one someone else pursues, or with another lead of the same email. */
  async function assertNotDuplicate(fields: Pick<LeadFields, 'email' | 'webDomain'>, ownerId: string, self?: string) {
    const matches = await leads.findMatches([fields.email], fields.webDomain === null ? [] : [fields.webDomain]);
    const verdict = judgeDuplicate(fields, ownerId, self === undefined ? matches : matches.filter((m) => m.leadId !== self));
    if (verdict.kind !== 'new') throw duplicateError(verdict);
  }

  /** Who owns a new lead: the SDR creating it, or the SDR of their team a manager or admin names. */

  app.get(
    '/api/leads',
    {
      schema: {
        summary: 'Search leads by prefix of contact name, company or email',
        tags: ['leads'],
        querystring: LeadSearchQuery,
        response: { 200: LeadPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { actor } = requireAuth(request);
      const { q, limit, offset } = request.query;
      const page = await leads.search({ scope: leadScope(actor), prefix: q, limit, offset });
      return {
        items: page.items.map(dto),
        hasMore: page.hasMore,
        nextOffset: page.hasMore ? offset + page.items.length : null,
      };
    },
  );

  app.post(
    '/api/leads',
    {
      schema: {
        summary: 'Create a lead (refused when someone already pursues it)',
        tags: ['leads'],
        body: LeadCreateBody,
        response: { 201: LeadDto, ...errorResponses(400, 401, 403, 409, 413) },
      },
    },
    async (request, reply) => {
      const { actor, user } = requireAuth(request);
      if (!canCreateLead(actor)) throw forbidden('Only SDRs, managers and admins create leads.');
      const owner = await resolveOwner(people, actor, user, request.body.ownerId);
      const validated = validateLeadFields(leadFieldsOf(request.body, 'ownerId'));
      if (!validated.ok) throw fromFieldErrors(validated.error);
      const fields = validated.value;
      await assertNotDuplicate(fields, owner.ownerId);
      let lead: Lead;
      try {
        lead = await leads.create(
          { teamId: owner.teamId, ownerId: owner.ownerId, sdrId: owner.ownerId, fields },
          { entity: 'lead', actorId: actor.userId, at: clock.now(), from: null, to: 'new', reasonCode: null, reasonText: null },
        );
      } catch (error) {
        // Created by someone else between the check and the insert: the email's unique index decides.
        if (isUniqueViolation(error)) throw new HttpError(409, 'duplicate_lead', 'This lead already exists.', { field: 'email' });
        throw error;
      }
      void reply.header('location', `/api/leads/${lead.id}`);
      return reply.code(201).send(dto(lead));
    },
  );

  app.get(
    '/api/leads/:id',
    {
      schema: {
        summary: 'One lead, with its qualification',
        tags: ['leads'],
        params: LeadIdParams,
        response: { 200: LeadDto, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => dto(await visibleLead(requireAuth(request).actor, request.params.id)),
  );

  app.patch(
    '/api/leads/:id',
    {
      schema: {
        summary: "Edit a lead's fields, naming the version read",
        tags: ['leads'],
        params: LeadIdParams,
        body: LeadPatchBody,
        response: { 200: LeadDto, ...errorResponses(400, 401, 403, 404, 409, 413) },
      },
    },
    async (request) => {
      const { actor } = requireAuth(request);
      const lead = await visibleLead(actor, request.params.id);
      if (!canEditLead(actor, lead)) throw forbidden('Only the owner of this lead, a manager of its team or an admin may edit it.');
      const { version } = request.body;
      if (version !== lead.version) throw versionConflict(lead.version);
      const validated = validateLeadPatch(leadFieldsOf(request.body, 'version'), lead);
      if (!validated.ok) throw fromFieldErrors(validated.error);
      const fields = validated.value;
      if (fields.email !== lead.email || fields.webDomain !== lead.webDomain) {
        await assertNotDuplicate(fields, lead.ownerId, lead.id);
      }
      let written;
      try {
        written = await leads.updateFields(lead.id, version, fields, clock.now());
      } catch (error) {
        if (isUniqueViolation(error)) throw new HttpError(409, 'duplicate_lead', 'Another lead has this email.', { field: 'email' });
        throw error;
      }
      if (!written.ok) throw written.reason === 'not_found' ? notFound('lead') : versionConflict();
      return dto(written.lead);
    },
  );

  app.post(
    '/api/leads/:id/transitions',
    {
      schema: {
        summary: "Move a lead's status (qualify, hand off, accept, hand back, …)",
        tags: ['leads'],
        params: LeadIdParams,
        body: TransitionBody,
        response: { 200: LeadDto, ...errorResponses(400, 401, 403, 404, 409, 413) },
      },
    },
    async (request) => {
      const { actor } = requireAuth(request);
      const lead = await visibleLead(actor, request.params.id);
      const body = request.body;
      if (body.version !== undefined && body.version !== lead.version) throw versionConflict(lead.version);
      const qualification = qualify(lead, criteria);

      // A hand-off goes to an AE paired with the lead's SDR: the one asked for, else the lead's AE, else the primary.
      let aeChoice: Result<string> | null = null;
      if (body.to === 'suspect' && (body.aeId !== undefined || lead.aeId === null)) {
        aeChoice = chooseAe(await people.pairingsOf(lead.sdrId), lead.sdrId, body.aeId);
      }
      const outcome = transitionLead(
        lead,
        { to: body.to, reasonCode: body.reasonCode ?? null, reasonText: body.reasonText ?? null, aeId: aeChoice?.ok === true ? aeChoice.value : null },
        { actor, now: clock.now(), qualification, handBackReasons: deps.handBackReasons },
      );
      if (!outcome.ok) {
        const error: DomainError = outcome.error.code === 'ae_required' && aeChoice?.ok === false ? aeChoice.error : outcome.error;
        throw fromDomainError(error, error.code === 'not_qualified' ? { missing: qualification.missing } : {});
      }
      if (aeChoice?.ok === false) throw fromDomainError(aeChoice.error);
      const change = outcome.value;
      if (change.aeId !== null && change.aeId !== lead.aeId) {
        const ae = await people.getUser(change.aeId);
        if (ae === undefined || ae.role !== 'ae' || !ae.active) {
          throw new HttpError(409, 'inactive_user', 'This AE is no longer active.', { field: 'aeId' });
        }
      }
      const written = await leads.transition(lead.id, lead.version, change, change.audit);
      if (!written.ok) throw written.reason === 'not_found' ? notFound('lead') : versionConflict();
      return dto(written.lead);
    },
  );

  app.get(
    '/api/leads/:id/audit',
    {
      schema: {
        summary: "A lead's audit trail, oldest first",
        tags: ['leads'],
        params: LeadIdParams,
        response: { 200: AuditTrailDto, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const lead = await visibleLead(requireAuth(request).actor, request.params.id);
      const trail = await leads.auditTrail('lead', lead.id);
      return { items: trail.map(toAuditEntryDto) };
    },
  );
}

function versionConflict(current?: number): HttpError {
  const now = current === undefined ? '' : ` (it is at version ${current})`;
  return new HttpError(409, 'version_conflict', `The lead was changed by someone else${now}; reload it and try again.`, {
    field: 'version',
  });
}
