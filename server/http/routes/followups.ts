// Follow-up tasks of a lead: list, add (the lead's owner, a manager of its team or an admin; the AE it is handed to,
// as their own task; due in the future),
// and mark done. Every handed-off lead must keep a future one. Imports: ../contract, ../dto, ../auth, ../errors,
// the domain's access rules, store types, ../app types.
import { FollowupCreateBody, FollowupDto, FollowupIdParams, FollowupList, LeadIdParams } from '../contract';
import { toFollowupDto } from '../dto';
import { requireAuth } from '../auth';
import { errorResponses, forbidden, HttpError, notFound } from '../errors';
import type { App } from '../app';
import type { Actor, Lead } from '../../domain/lead';
import { canEditLead, canViewLead } from '../../domain/access';
import type { Clock } from '../../clock';
import type { LeadStore } from '../../store/lead-store';
import type { FollowupStore } from '../../store/followup-store';

export interface FollowupDeps {
  clock: Clock;
  leadStore: Pick<LeadStore, 'get'>;
  followupStore: FollowupStore;
}

export function registerFollowupRoutes(app: App, deps: FollowupDeps): void {
  const { clock, leadStore: leads, followupStore: followups } = deps;

  async function visibleLead(actor: Actor, id: string): Promise<Lead> {
    const lead = await leads.get(id);
    if (lead === undefined || !canViewLead(actor, lead)) throw notFound('lead');
    return lead;
  }

  app.get(
    '/api/leads/:id/followups',
    {
      schema: {
        summary: "A lead's follow-up tasks: open ones by due date, then done ones",
        tags: ['followups'],
        params: LeadIdParams,
        response: { 200: FollowupList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const lead = await visibleLead(requireAuth(request).actor, request.params.id);
      return { items: (await followups.listForLead(lead.id)).map(toFollowupDto) };
    },
  );

  app.post(
    '/api/leads/:id/followups',
    {
      schema: {
        summary: 'Add a follow-up task to a lead (owned by the lead’s owner; the AE it is handed to adds their own)',
        tags: ['followups'],
        params: LeadIdParams,
        body: FollowupCreateBody,
        response: { 201: FollowupDto, ...errorResponses(400, 401, 403, 404, 413, 422) },
      },
    },
    async (request, reply) => {
      const { actor } = requireAuth(request);
      const lead = await visibleLead(actor, request.params.id);
      // The AE a lead is handed to keeps a follow-up of their own (the seeds: one for "either the rep or the lead qualifier").
      const handedTo = actor.role === 'ae' && lead.aeId === actor.userId;
      if (!canEditLead(actor, lead) && !handedTo) {
        throw forbidden("Only the lead's owner, the AE it is handed to, a manager of its team or an admin adds follow-ups.");
      }
      const now = clock.now();
      const dueAt = new Date(request.body.dueAt);
      if (dueAt.getTime() <= now.getTime()) {
        throw new HttpError(422, 'due_not_in_future', 'A follow-up is due in the future.', { field: 'dueAt' });
      }
      const ownerId = handedTo && lead.ownerId !== actor.userId ? actor.userId : lead.ownerId;
      const created = await followups.create({ leadId: lead.id, ownerId, dueAt, note: request.body.note, at: now });
      void reply.header('location', `/api/leads/${lead.id}/followups`);
      return reply.code(201).send(toFollowupDto(created));
    },
  );

  app.post(
    '/api/followups/:id/done',
    {
      schema: {
        summary: 'Mark a follow-up done (its owner, the lead’s owner, a manager of its team or an admin); done twice keeps the first time',
        tags: ['followups'],
        params: FollowupIdParams,
        response: { 200: FollowupDto, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { actor } = requireAuth(request);
      const followup = await followups.get(request.params.id);
      if (followup === undefined) throw notFound('follow-up');
      const lead = await leads.get(followup.leadId);
      if (lead === undefined || !canViewLead(actor, lead)) throw notFound('follow-up');
      if (followup.ownerId !== actor.userId && !canEditLead(actor, lead)) {
        throw forbidden("Only the follow-up's owner, the lead's owner, a manager of its team or an admin marks it done.");
      }
      const done = await followups.markDone(followup.id, clock.now());
      if (done === undefined) throw notFound('follow-up');
      return toFollowupDto(done);
    },
  );
}
