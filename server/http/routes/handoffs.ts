// /api/handoffs: start a hand-off (the intro to compose comes back), read one, list the actor's open ones, record
// the AE's outcome, reassign to another AE, give the AE more time or nudge them (as the breach mail's links do), the
// invite an organizer fills by hand, the intro filled again, the meeting time chosen; /api/hand-back-reasons. Rules
// live in the hand-off service; this maps its refusals onto the API's error body. Imports: node:crypto, ../contract,
// ../dto, ../auth, ../errors, the engine's hand-off service, ../app types.
import { randomUUID } from 'node:crypto';
import {
  HandBackReasonList,
  HandoffDetailDto,
  HandoffErrorBody,
  HandoffIdParams,
  HandoffIntroDto,
  HandoffInviteBody,
  HandoffList,
  HandoffListQuery,
  HandoffOutcomeBody,
  HandoffReassignBody,
  HandoffMoreTimeBody,
  HandoffNudgeBody,
  HandoffSlotBody,
  HandoffStartBody,
  HandoffStartedDto,
  InviteDraftDto,
} from '../contract';
import { toHandoffDetailDto, toHandoffDto, toHandoffStartedDto } from '../dto';
import { requireAuth } from '../auth';
import { HttpError } from '../errors';
import type { App } from '../app';
import { HandoffRefusal, type HandoffService } from '../../engine/handoff-service';

/** The error responses of these routes, with the hand-off extras (`away`, `backup`, `handoffId`). */
function errors<S extends number>(...statuses: S[]): Record<S, typeof HandoffErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, HandoffErrorBody])) as Record<S, typeof HandoffErrorBody>;
}

/** A refusal of the service as the API's error; anything else is left to the error handler (a bug: 500). */
export function fromRefusal(error: unknown): unknown {
  if (!(error instanceof HandoffRefusal)) return error;
  const d = error.details;
  // The extras beyond the common body are declared by HandoffErrorBody, the response schema of these routes.
  const extra: Omit<HandoffErrorBody['error'], 'code' | 'message'> = {
    ...(d.field === undefined ? {} : { field: d.field }),
    ...(d.missing === undefined ? {} : { missing: d.missing }),
    ...(d.handoffId === undefined ? {} : { handoffId: d.handoffId }),
    ...(d.away === undefined
      ? {}
      : { away: { status: d.away.status, start: d.away.start?.toISOString() ?? null, end: d.away.end?.toISOString() ?? null } }),
    ...(d.backup === undefined ? {} : { backup: d.backup }),
  };
  return new HttpError(error.status, error.code, error.message, extra);
}

async function refusing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw fromRefusal(error);
  }
}

export function registerHandoffRoutes(app: App, deps: { handoffService: HandoffService }): void {
  const service = deps.handoffService;

  app.post(
    '/api/handoffs',
    {
      schema: {
        summary: 'Start a hand-off of a qualified lead; answers the intro email to compose',
        tags: ['handoffs'],
        body: HandoffStartBody,
        response: { 201: HandoffStartedDto, ...errors(400, 401, 403, 404, 409, 413, 422) },
      },
    },
    async (request, reply) => {
      const { actor } = requireAuth(request);
      const started = await refusing(() => service.start(actor, request.body));
      void reply.header('location', `/api/handoffs/${started.handoff.id}`);
      return reply.code(201).send(toHandoffStartedDto(started));
    },
  );

  app.get(
    '/api/handoffs',
    {
      schema: {
        summary: "The actor's open hand-offs (SDR's and AE's own, a manager's team's, all for an admin)",
        tags: ['handoffs'],
        querystring: HandoffListQuery,
        response: { 200: HandoffList, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { actor } = requireAuth(request);
      const list = await refusing(() => service.listMine(actor));
      return { items: list.map((item) => ({ handoff: toHandoffDto(item.handoff), lead: item.lead })) };
    },
  );

  app.get(
    '/api/handoffs/:id',
    {
      schema: {
        summary: 'One hand-off with its lead, obligations, findings and follow-ups',
        tags: ['handoffs'],
        params: HandoffIdParams,
        response: { 200: HandoffDetailDto, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => toHandoffDetailDto(await refusing(() => service.view(requireAuth(request).actor, request.params.id))),
  );

  app.post(
    '/api/handoffs/:id/outcome',
    {
      schema: {
        summary: "The AE's outcome: sales_qualified, hand_back (reason code and text), no_show, rescheduled (start, end)",
        tags: ['handoffs'],
        params: HandoffIdParams,
        body: HandoffOutcomeBody,
        response: { 200: HandoffDetailDto, ...errors(400, 401, 403, 404, 409, 413, 422) },
      },
    },
    async (request) => {
      const { actor } = requireAuth(request);
      const { start, end, ...rest } = request.body;
      const input = {
        ...rest,
        ...(start === undefined ? {} : { start: new Date(start) }),
        ...(end === undefined ? {} : { end: new Date(end) }),
      };
      return toHandoffDetailDto(await refusing(() => service.recordOutcome(actor, request.params.id, input)));
    },
  );

  app.post(
    '/api/handoffs/:id/invite',
    {
      schema: {
        summary: 'Book the invite now (the SDR, before the intro is seen sent): at the given time, else the chosen or next free slot',
        tags: ['handoffs'],
        params: HandoffIdParams,
        body: HandoffInviteBody,
        response: { 200: HandoffDetailDto, ...errors(400, 401, 403, 404, 409, 413, 422, 503) },
      },
    },
    async (request) => {
      const { actor } = requireAuth(request);
      const { start, end } = request.body;
      return toHandoffDetailDto(
        await refusing(() =>
          service.requestInvite(actor, request.params.id, { start: start === undefined ? undefined : new Date(start), end: end === undefined ? undefined : new Date(end) }),
        ),
      );
    },
  );

  app.post(
    '/api/handoffs/:id/reassign',
    {
      schema: {
        summary: 'Give the hand-off to another AE of the team (managers and admins)',
        tags: ['handoffs'],
        params: HandoffIdParams,
        body: HandoffReassignBody,
        response: { 200: HandoffDetailDto, ...errors(400, 401, 403, 404, 409, 413, 422) },
      },
    },
    async (request) => {
      const { actor } = requireAuth(request);
      return toHandoffDetailDto(await refusing(() => service.reassign(actor, request.params.id, request.body)));
    },
  );

  app.post(
    '/api/handoffs/:id/more-time',
    {
      schema: {
        summary: 'Give the AE more working hours on every open deadline of the hand-off (managers of the team and admins)',
        tags: ['handoffs'],
        params: HandoffIdParams,
        body: HandoffMoreTimeBody,
        response: { 200: HandoffDetailDto, ...errors(400, 401, 403, 404, 409, 413, 422, 503) },
      },
    },
    async (request) => {
      const { actor } = requireAuth(request);
      return toHandoffDetailDto((await refusing(() => service.extendDeadline(actor, request.params.id, { hours: request.body.hours }))).view);
    },
  );

  app.post(
    '/api/handoffs/:id/nudge',
    {
      schema: {
        summary: 'Remind the AE by mail of what is still open on the hand-off, the manager in copy (managers of the team and admins)',
        tags: ['handoffs'],
        params: HandoffIdParams,
        body: HandoffNudgeBody,
        response: { 200: HandoffDetailDto, ...errors(400, 401, 403, 404, 409, 413) },
      },
    },
    async (request) => {
      const { actor } = requireAuth(request);
      // The outbox key: the caller's request id, so a request sent twice mails once; without one, each request mails.
      const key = `api:${request.body.requestId ?? randomUUID()}`;
      return toHandoffDetailDto(await refusing(() => service.nudge(actor, request.params.id, { key })));
    },
  );

  app.get(
    '/api/handoffs/:id/invite-draft',
    {
      schema: {
        summary: 'The invite an organizer fills by hand (the SDR, a manager of the team): attendees, prospect-facing body, the chosen or proposed times',
        tags: ['handoffs'],
        params: HandoffIdParams,
        response: { 200: InviteDraftDto, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const draft = await refusing(() => service.inviteDraft(requireAuth(request).actor, request.params.id));
      return { ...draft, slots: draft.slots.map((slot) => ({ start: slot.start.toISOString(), end: slot.end.toISOString() })) };
    },
  );

  app.get(
    '/api/handoffs/:id/intro',
    {
      schema: {
        summary: 'The intro to fill again, composed as at start (the SDR, a manager of the team); 409 once the intro is seen sent',
        tags: ['handoffs'],
        params: HandoffIdParams,
        response: { 200: HandoffIntroDto, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const found = await refusing(() => service.intro(requireAuth(request).actor, request.params.id));
      return {
        handoff: toHandoffDto(found.handoff),
        intro: found.intro,
        slots: found.slots.map((slot) => ({ start: slot.start.toISOString(), end: slot.end.toISOString() })),
        warnings: found.warnings,
      };
    },
  );

  app.put(
    '/api/handoffs/:id/slot',
    {
      schema: {
        summary: 'The meeting time chosen among the proposals (the SDR, a manager of the team): the invite is booked at it when the intro is seen sent',
        tags: ['handoffs'],
        params: HandoffIdParams,
        body: HandoffSlotBody,
        response: { 200: HandoffDetailDto, ...errors(400, 401, 403, 404, 409, 413, 422) },
      },
    },
    async (request) => {
      const { actor } = requireAuth(request);
      const slot = { start: new Date(request.body.start), end: new Date(request.body.end) };
      return toHandoffDetailDto(await refusing(() => service.chooseSlot(actor, request.params.id, slot)));
    },
  );

  app.get(
    '/api/hand-back-reasons',
    {
      schema: {
        summary: 'The reason codes an AE picks from when handing a lead back (configuration: every signed-in user may read it)',
        tags: ['handoffs'],
        response: { 200: HandBackReasonList, ...errors(401, 403) },
      },
    },
    (request) => {
      requireAuth(request);
      return Promise.resolve({ items: service.handBackReasons().map((r) => ({ code: r.code, label: r.label })) });
    },
  );
}
