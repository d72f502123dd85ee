// Graph calendar routes of the sandbox, under /users/{id | userPrincipalName} and /me: the default calendar
// (calendar, calendars, calendars/{id}), events (list, create, get, update (a series' single occurrence too: it becomes
// an exception), delete, accept, decline, tentativelyAccept, cancel), the instances of a series, calendarView and
// calendarView/delta, and
// calendar/getSchedule, with `Prefer: outlook.timezone`, $select, $filter, $orderby, $top, $skip and Graph's errors.
// Imports: fastify types, ../calendar, ../schedule, ../mail (invalidUser), ../odata, ../odata-filter, ../graph-error,
// ./directory.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { calendarChangeKeyOf, calendarIdOf, eventNotFound, isWellFormedItemId, invalidIdMalformed, type RenderOptions, type ResponseAction } from '../calendar';
import { GraphError, syncStateNotFound } from '../graph-error';
import { invalidUser } from '../mail';
import { nextLink, orderItems, pageOf, parseQueryOptions, project, type Json, type JsonObject } from '../odata';
import { filterItems, type FilterTypeInfo } from '../odata-filter';
import type { Sandbox } from '../sandbox';
import { actionParameters, computeSchedule, instantOfQuery, readScheduleQuery, renderZoneOf, requestBodyRead, utcZone, type RenderZone } from '../schedule';
import { requestUrl } from './directory';

type UserParams = { user?: string };
type EventParams = UserParams & { eventId: string };

/** The event type's properties (CSDL `microsoft.graph.event`, with its outlookItem base and navigation properties). */
export const eventProperties: readonly string[] = [
  'id', 'categories', 'changeKey', 'createdDateTime', 'lastModifiedDateTime',
  'allowNewTimeProposals', 'attendees', 'body', 'bodyPreview', 'cancelledOccurrences', 'end', 'hasAttachments', 'hideAttendees',
  'iCalUId', 'importance', 'isAllDay', 'isCancelled', 'isDraft', 'isOnlineMeeting', 'isOrganizer', 'isReminderOn', 'location',
  'locations', 'onlineMeeting', 'onlineMeetingProvider', 'onlineMeetingUrl', 'organizer', 'originalEndTimeZone', 'originalStart',
  'originalStartTimeZone', 'recurrence', 'reminderMinutesBeforeStart', 'responseRequested', 'responseStatus', 'sensitivity',
  'seriesMasterId', 'showAs', 'start', 'subject', 'transactionId', 'type', 'webLink',
  'attachments', 'calendar', 'exceptionOccurrences', 'extensions', 'instances', 'multiValueExtendedProperties', 'singleValueExtendedProperties',
];
const eventNames = new Set(eventProperties.map((p) => p.toLowerCase()));
const eventType: FilterTypeInfo = { name: 'microsoft.graph.event', properties: eventProperties, collections: ['attendees', 'categories', 'locations'] };
const defaultPageSize = 10;
const maxPageSize = 1000;

const missingWindow = (): GraphError =>
  new GraphError(400, 'ErrorInvalidParameter', 'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.');
const invalidSyncState = (): GraphError => new GraphError(400, 'ErrorInvalidSyncStateData', 'The sync state data is corrupt or otherwise invalid.');

interface Preferences {
  zone: RenderZone | null;
  bodyType: 'text' | 'html' | null;
  maxPageSize: number | null;
}

/** Graph's `Prefer` values that the calendar honours (several headers or comma-separated values). */
function preferences(request: FastifyRequest): Preferences {
  const raw = request.headers['prefer'];
  const all = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).join(',');
  const zoneName = /outlook\.timezone\s*=\s*"([^"]*)"/i.exec(all)?.[1] ?? /outlook\.timezone\s*=\s*([^,;\s]+)/i.exec(all)?.[1] ?? null;
  const body = /outlook\.body-content-type\s*=\s*"?(text|html)"?/i.exec(all)?.[1]?.toLowerCase() ?? null;
  const size = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(all)?.[1];
  return {
    // An unknown zone name is not honoured: times stay in UTC.
    zone: zoneName === null ? null : renderZoneOf(zoneName),
    bodyType: body === 'text' || body === 'html' ? body : null,
    maxPageSize: size === undefined ? null : Math.max(1, Number(size)),
  };
}

function applied(reply: FastifyReply, prefs: Preferences, extra: string[] = []): RenderOptions {
  const values = [...extra];
  if (prefs.zone) values.push(`outlook.timezone="${prefs.zone.label}"`);
  if (prefs.bodyType) values.push(`outlook.body-content-type="${prefs.bodyType}"`);
  if (values.length > 0) void reply.header('Preference-Applied', values.join(', '));
  return { zone: prefs.zone, bodyType: prefs.bodyType };
}

function queryValue(query: Record<string, unknown>, name: string): string | null {
  for (const [k, v] of Object.entries(query)) {
    if (k.toLowerCase() === name.toLowerCase()) return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : null;
  }
  return null;
}

/** The calendar-view window of a request (`startDateTime`, `endDateTime`; without an offset, in the Prefer zone). */
function windowOf(query: Record<string, unknown>, zone: RenderZone): { startMs: number; endMs: number } {
  const start = queryValue(query, 'startDateTime');
  const end = queryValue(query, 'endDateTime');
  if (start === null || end === null || start.trim() === '' || end.trim() === '') throw missingWindow();
  const startMs = instantOfQuery(start, zone);
  const endMs = instantOfQuery(end, zone);
  if (startMs === null) throw new GraphError(400, 'ErrorInvalidParameter', `The value '${start}' of parameter 'StartDateTime' is invalid.`);
  if (endMs === null) throw new GraphError(400, 'ErrorInvalidParameter', `The value '${end}' of parameter 'EndDateTime' is invalid.`);
  return { startMs, endMs };
}

// A delta position: the window and where in the change feed the round stands. `since` -1 is the initial round.
interface DeltaState {
  s: number;
  e: number;
  since: number;
  head: number;
  skip: number;
}

const encodeState = (state: DeltaState): string => Buffer.from(JSON.stringify(state)).toString('base64url');

function decodeState(token: string): DeltaState {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<DeltaState>;
    const { s, e, since, head, skip } = parsed;
    if ([s, e, since, head, skip].every((n) => typeof n === 'number' && Number.isFinite(n))) return parsed as DeltaState;
  } catch {
    // fall through
  }
  throw invalidSyncState();
}

const respondKnown: Record<ResponseAction, Record<string, string>> = {
  accept: { comment: 'comment', sendresponse: 'sendResponse' },
  decline: { comment: 'comment', sendresponse: 'sendResponse', proposednewtime: 'proposedNewTime' },
  tentativelyAccept: { comment: 'comment', sendresponse: 'sendResponse', proposednewtime: 'proposedNewTime' },
};

function stringParameter(value: Json | undefined, name: string, operation: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw requestBodyRead(`Cannot read the value of the parameter '${name}' of the operation '${operation}' as a 'Edm.String'.`);
  return value;
}

export function registerCalendarRoutes(app: FastifyInstance, sb: Sandbox): void {
  const base = () => sb.baseUrl();

  /** The mailbox a request targets (its permissions were checked by the app, ../permissions). */
  const mailbox = (request: FastifyRequest<{ Params: UserParams }>): string => {
    const key = request.params.user ?? request.graphCaller?.userId ?? '';
    const user = sb.directory.find(key);
    if (!user) throw invalidUser(key);
    return user.id;
  };

  const eventId = (request: FastifyRequest<{ Params: EventParams }>): string => {
    const id = request.params.eventId;
    if (!isWellFormedItemId(id)) throw invalidIdMalformed();
    return id;
  };

  const context = (userId: string, path: string, select: string[] | null, entity: boolean): string =>
    `${base()}/v1.0/$metadata#users('${userId}')/${path}${select ? `(${select.join(',')})` : ''}${entity ? '/$entity' : ''}`;

  const checkSelect = (select: string[] | null): void => {
    for (const name of select ?? []) {
      if (!eventNames.has(name.toLowerCase())) throw new GraphError(400, 'BadRequest', `Could not find a property named '${name}' on type 'microsoft.graph.event'.`);
    }
  };

  /** One page of a collection with $filter, $orderby, $top/$skip and $select, and its nextLink. */
  const collection = (request: FastifyRequest, items: JsonObject[], contextUrl: string): JsonObject => {
    const q = parseQueryOptions(request.query as Record<string, unknown>);
    checkSelect(q.select);
    const filtered = filterItems(items, q.filter, eventType);
    const ordered = orderItems(filtered, q.orderBy);
    const page = pageOf(ordered, q, defaultPageSize, maxPageSize);
    const body: JsonObject = { '@odata.context': contextUrl };
    if (q.count) body['@odata.count'] = ordered.length;
    body['value'] = page.value.map((e) => project(e, q.select));
    if (page.nextSkip !== null) body['@odata.nextLink'] = nextLink(requestUrl(sb, request), page.nextSkip);
    return body;
  };

  /** The user's calendar as a resource URL (Graph's form, `users('{id}')/calendars('{id}')`). */
  const calendarUrl = (userId: string): string => `${base()}/v1.0/users('${userId}')/calendars('${calendarIdOf(userId)}')`;

  // Graph annotates a single event with the navigation links of its calendar (event-get examples), $select or not.
  const single = (request: FastifyRequest, userId: string, event: JsonObject): JsonObject => {
    const q = parseQueryOptions(request.query as Record<string, unknown>);
    checkSelect(q.select);
    return {
      '@odata.context': context(userId, 'events', q.select, true),
      ...project(event, q.select),
      'calendar@odata.associationLink': `${calendarUrl(userId)}/$ref`,
      'calendar@odata.navigationLink': calendarUrl(userId),
    };
  };

  /** The mailbox's one calendar: the default calendar, which every event of the sandbox is on. */
  const calendarEntity = (userId: string): JsonObject => {
    const user = sb.directory.find(userId);
    return {
      id: calendarIdOf(userId),
      name: 'Calendar',
      color: 'auto',
      hexColor: '',
      isDefaultCalendar: true,
      changeKey: calendarChangeKeyOf(userId),
      canShare: true,
      canViewPrivateItems: true,
      canEdit: true,
      allowedOnlineMeetingProviders: ['teamsForBusiness'],
      defaultOnlineMeetingProvider: 'teamsForBusiness',
      isTallyingResponses: true,
      isRemovable: false,
      owner: { name: user?.displayName ?? '', address: user?.userPrincipalName ?? '' },
    };
  };

  for (const prefix of ['/v1.0/users/:user', '/v1.0/me']) {
    app.get<{ Params: UserParams }>(`${prefix}/calendar`, (request, reply) => {
      const userId = mailbox(request);
      const q = parseQueryOptions(request.query as Record<string, unknown>);
      return reply.send({ '@odata.context': `${base()}/v1.0/$metadata#users('${userId}')/calendar/$entity`, ...project(calendarEntity(userId), q.select) });
    });

    app.get<{ Params: UserParams }>(`${prefix}/calendars`, (request, reply) => {
      const userId = mailbox(request);
      const q = parseQueryOptions(request.query as Record<string, unknown>);
      return reply.send({ '@odata.context': `${base()}/v1.0/$metadata#users('${userId}')/calendars`, value: [project(calendarEntity(userId), q.select)] });
    });

    app.get<{ Params: UserParams & { calendarId: string } }>(`${prefix}/calendars/:calendarId`, (request, reply) => {
      const userId = mailbox(request);
      if (request.params.calendarId !== calendarIdOf(userId)) throw eventNotFound();
      const q = parseQueryOptions(request.query as Record<string, unknown>);
      return reply.send({ '@odata.context': `${base()}/v1.0/$metadata#users('${userId}')/calendars/$entity`, ...project(calendarEntity(userId), q.select) });
    });

    app.get<{ Params: UserParams }>(`${prefix}/events`, async (request, reply) => {
      const userId = mailbox(request);
      const render = applied(reply, preferences(request));
      const q = parseQueryOptions(request.query as Record<string, unknown>);
      return collection(request, sb.calendar.listEvents(userId, render), context(userId, 'events', q.select, false));
    });

    app.post<{ Params: UserParams }>(`${prefix}/events`, async (request, reply) => {
      const userId = mailbox(request);
      const render = applied(reply, preferences(request));
      const event = sb.calendar.createEvent(userId, request.body as JsonObject, render);
      return reply.code(201).send({ '@odata.context': context(userId, 'events', null, true), ...event });
    });

    for (const path of ['events', 'calendarView']) {
      app.get<{ Params: EventParams }>(`${prefix}/${path}/:eventId`, async (request, reply) => {
        const userId = mailbox(request);
        const id = eventId(request);
        const render = applied(reply, preferences(request));
        return single(request, userId, sb.calendar.getEvent(userId, id, render));
      });
    }

    // The occurrences and exceptions of a series master in a window (https://learn.microsoft.com/graph/api/event-list-instances).
    app.get<{ Params: EventParams }>(`${prefix}/events/:eventId/instances`, async (request, reply) => {
      const userId = mailbox(request);
      const id = eventId(request);
      const prefs = preferences(request);
      const render = applied(reply, prefs);
      const w = windowOf(request.query as Record<string, unknown>, prefs.zone ?? utcZone);
      const q = parseQueryOptions(request.query as Record<string, unknown>);
      const items = sb.calendar.instances(userId, id, new Date(w.startMs), new Date(Math.max(w.startMs, w.endMs)), render);
      return collection(request, items, context(userId, `events('${id}')/instances`, q.select, false));
    });

    app.patch<{ Params: EventParams }>(`${prefix}/events/:eventId`, async (request, reply) => {
      const userId = mailbox(request);
      const id = eventId(request);
      const render = applied(reply, preferences(request));
      const event = sb.calendar.updateEvent(userId, id, request.body as JsonObject, render);
      return { '@odata.context': context(userId, 'events', null, true), ...event };
    });

    app.delete<{ Params: EventParams }>(`${prefix}/events/:eventId`, async (request, reply) => {
      const userId = mailbox(request);
      sb.calendar.deleteEvent(userId, eventId(request));
      return reply.code(204).send();
    });

    for (const action of ['accept', 'decline', 'tentativelyAccept'] as const) {
      app.post<{ Params: EventParams }>(`${prefix}/events/:eventId/${action}`, async (request, reply) => {
        const userId = mailbox(request);
        const id = eventId(request);
        const p = actionParameters(request.body, action, respondKnown[action]);
        const sendResponse = p['sendResponse'];
        if (sendResponse !== undefined && sendResponse !== null && typeof sendResponse !== 'boolean') {
          throw requestBodyRead(`Cannot read the value of the parameter 'sendResponse' of the operation '${action}' as a 'Edm.Boolean'.`);
        }
        const proposed = p['proposedNewTime'];
        if (proposed !== undefined && proposed !== null && (typeof proposed !== 'object' || Array.isArray(proposed))) {
          throw requestBodyRead(`Cannot read the value of the parameter 'proposedNewTime' of the operation '${action}' as a 'microsoft.graph.timeSlot'.`);
        }
        sb.calendar.respond(userId, id, action, {
          comment: stringParameter(p['comment'], 'comment', action),
          sendResponse: sendResponse ?? null,
          proposedNewTime: proposed ?? null,
        });
        return reply.code(202).send();
      });
    }

    app.post<{ Params: EventParams }>(`${prefix}/events/:eventId/cancel`, async (request, reply) => {
      const userId = mailbox(request);
      const id = eventId(request);
      const p = actionParameters(request.body, 'cancel', { comment: 'comment' });
      sb.calendar.cancelEvent(userId, id, stringParameter(p['comment'], 'comment', 'cancel'));
      return reply.code(202).send();
    });

    app.get<{ Params: UserParams }>(`${prefix}/calendarView`, async (request, reply) => {
      const userId = mailbox(request);
      const prefs = preferences(request);
      const render = applied(reply, prefs);
      const w = windowOf(request.query as Record<string, unknown>, prefs.zone ?? utcZone);
      const q = parseQueryOptions(request.query as Record<string, unknown>);
      const items = w.endMs <= w.startMs ? [] : sb.calendar.calendarView(userId, new Date(w.startMs), new Date(w.endMs), render);
      return collection(request, items, context(userId, 'calendarView', q.select, false));
    });

    app.get<{ Params: UserParams }>(`${prefix}/calendarView/delta`, async (request, reply) => {
      const userId = mailbox(request);
      const query = request.query as Record<string, unknown>;
      const q = parseQueryOptions(query);
      checkSelect(q.select);
      const prefs = preferences(request);
      const render = applied(reply, prefs, prefs.maxPageSize === null ? [] : [`odata.maxpagesize=${prefs.maxPageSize}`]);
      const deltaToken = queryValue(query, '$deltatoken');
      const skipToken = queryValue(query, '$skiptoken');
      let state: DeltaState;
      if (skipToken !== null) state = decodeState(skipToken);
      else if (deltaToken !== null) state = { ...decodeState(deltaToken), head: sb.changes.head(), skip: 0 };
      else {
        const w = windowOf(query, prefs.zone ?? utcZone);
        state = { s: w.startMs, e: w.endMs, since: -1, head: sb.changes.head(), skip: 0 };
      }
      // A round that starts from a position the feed no longer holds cannot be continued (Graph: 410).
      if (state.since >= 0 && state.since < sb.changes.horizon()) throw syncStateNotFound();

      const start = new Date(state.s);
      const end = new Date(state.e);
      let items: JsonObject[];
      if (state.since < 0) {
        items = state.e <= state.s ? [] : sb.calendar.calendarView(userId, start, end, render).map((e) => ({ '@odata.type': '#microsoft.graph.event', ...project(e, q.select) }));
      } else {
        const delta = sb.calendar.viewChanges(userId, start, end, state.since, render);
        items = [
          ...delta.removed.map((id): JsonObject => ({ '@odata.type': '#microsoft.graph.event', id, '@removed': { reason: 'deleted' } })),
          ...delta.changed.map((e) => ({ '@odata.type': '#microsoft.graph.event', ...project(e, q.select) })),
        ];
      }
      const size = Math.min(prefs.maxPageSize ?? q.top ?? defaultPageSize, maxPageSize);
      const pageItems = items.slice(state.skip, state.skip + size);
      const link = `${base()}${request.url.split('?')[0] ?? ''}`;
      const body: JsonObject = { '@odata.context': `${base()}/v1.0/$metadata#Collection(event)` };
      if (state.skip + size < items.length) body['@odata.nextLink'] = `${link}?$skiptoken=${encodeState({ ...state, skip: state.skip + size })}`;
      else body['@odata.deltaLink'] = `${link}?$deltatoken=${encodeState({ s: state.s, e: state.e, since: state.head, head: state.head, skip: 0 })}`;
      body['value'] = pageItems;
      return body;
    });

    app.post<{ Params: UserParams }>(`${prefix}/calendar/getSchedule`, async (request, reply) => {
      const userId = mailbox(request);
      const prefs = preferences(request);
      applied(reply, { ...prefs, bodyType: null });
      const query = readScheduleQuery(request.body);
      const value = computeSchedule(query, { directory: sb.directory, source: sb.calendar, callerId: userId, zone: prefs.zone ?? utcZone });
      return { '@odata.context': `${base()}/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)`, value };
    });
  }
}
