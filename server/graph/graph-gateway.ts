// The Graph adapter of the mailbox ports: `createGraphGateway(connection)` returns MailboxGateway & SubscriptionGateway
// (domain types only; no SDK type leaks). Every read names its fields (`$select`), several reads go in `$batch`es of
// at most 20 re-sending only the throttled sub-requests, delta rounds follow nextLinks to the deltaLink.
// Imports: server/domain/mailbox, ./graph-connection, ./graph-errors, ./graph-mappers, ./graph-seam, luxon.
import { DateTime } from 'luxon';
import {
  GatewayError,
  type CalendarEvent,
  type DeltaResult,
  type EventPatch,
  type MailboxGateway,
  type MailboxId,
  type MailMessage,
  type NewEvent,
  type OutgoingMail,
  type Schedule,
  type SubscriptionGateway,
  type TimeWindow,
  type WatchedFolder,
  type WeeklyRecurrence,
} from '../domain/mailbox';
import type { GraphConnection } from './graph-connection';
import { parseRetryAfter, toGatewayError } from './graph-errors';
import { mimeMessage } from './mime-mail';
import {
  eventSelect,
  messageSelect,
  personSelect,
  toCalendarEvent,
  toDirectoryPerson,
  toMailboxSettings,
  toMailMessage,
  toPage,
  toSchedule,
  type GraphPage,
} from './graph-mappers';
import { withImmutableId } from './graph-seam';

/** Graph answers event times in this zone when asked (`Prefer: outlook.timezone`); the mappers read any zone. */
const utcTimes = 'outlook.timezone="UTC"';
const maxBatch = 20;
const maxSchedules = 20;
/** getSchedule refuses windows of 42 days or more (https://learn.microsoft.com/graph/api/calendar-getschedule). */
const maxScheduleWindowMs = 42 * 24 * 60 * 60 * 1000;
/** A guard against a service that never ends a round. */
const maxPages = 1000;

const seg = (s: string): string => encodeURIComponent(s);
const userPath = (mailbox: MailboxId): string => `/users/${seg(mailbox)}`;

/** An instant as Graph's dateTimeTimeZone in a zone (wall-clock time, no offset). */
function zoned(at: Date, zone: string): { dateTime: string; timeZone: string } {
  const dt = DateTime.fromJSDate(at, { zone });
  if (!dt.isValid) throw new GatewayError('invalid', `unknown time zone '${zone}'`);
  return { dateTime: dt.toFormat("yyyy-MM-dd'T'HH:mm:ss"), timeZone: zone };
}

const utcIso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function recipientsOf(list: readonly { address: string; name?: string | undefined }[] | undefined) {
  return (list ?? []).map((r) => ({ emailAddress: r.name === undefined ? { address: r.address } : { address: r.address, name: r.name } }));
}

function messageBody(mail: OutgoingMail): Record<string, unknown> {
  const headers = Object.entries(mail.headers ?? {});
  const bad = headers.find(([name]) => !/^x-/i.test(name));
  if (bad) throw new GatewayError('invalid', `custom header '${bad[0]}' must start with x- (Graph's internetMessageHeaders)`);
  return {
    subject: mail.subject,
    body: { contentType: 'HTML', content: mail.html },
    toRecipients: recipientsOf(mail.to),
    ccRecipients: recipientsOf(mail.cc),
    ...(headers.length > 0 ? { internetMessageHeaders: headers.map(([name, value]) => ({ name, value })) } : {}),
  };
}

/** Graph's patternedRecurrence of a weekly series without end (https://learn.microsoft.com/graph/api/resources/patternedrecurrence). */
function recurrenceOf(r: WeeklyRecurrence): Record<string, unknown> {
  return {
    pattern: { type: 'weekly', interval: 1, daysOfWeek: [r.weekday], firstDayOfWeek: 'monday' },
    range: { type: 'noEnd', startDate: r.startDate, recurrenceTimeZone: r.timeZone },
  };
}

function attendeesOf(list: NewEvent['attendees']) {
  return list.map((a) => ({ emailAddress: a.name === undefined ? { address: a.address } : { address: a.address, name: a.name }, type: a.type ?? 'required' }));
}

interface BatchAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

interface BatchEnvelope {
  responses?: { id?: unknown; status?: unknown; headers?: unknown; body?: unknown }[];
}

export interface GraphGatewayOptions {
  /** `$top` of calendar views (default 100; Graph pages them with `@odata.nextLink`). */
  readonly pageSize?: number;
}

export function createGraphGateway(connection: GraphConnection, options: GraphGatewayOptions = {}): MailboxGateway & SubscriptionGateway {
  const call: GraphConnection['call'] = (work) => connection.call(work);
  const pageSize = options.pageSize ?? 100;

  const getJson = (url: string, prefer?: string): Promise<unknown> =>
    call(async (c) => {
      const req = c.api(url);
      if (prefer !== undefined) req.header('Prefer', prefer);
      return (await req.get()) as unknown;
    });

  /** Follows `@odata.nextLink` to the end (or to the deltaLink of a delta round). */
  async function allPages<T>(firstUrl: string, map: (item: unknown) => T, prefer?: string): Promise<{ items: T[]; removed: string[]; deltaLink: string | null }> {
    const items: T[] = [];
    const removed: string[] = [];
    let url = firstUrl;
    for (let n = 0; n < maxPages; n++) {
      const page: GraphPage<T> = toPage(await getJson(url, prefer), map);
      items.push(...page.items);
      removed.push(...page.removed);
      if (page.nextLink === null) return { items, removed, deltaLink: page.deltaLink };
      url = page.nextLink;
    }
    throw new GatewayError('permanent', `Graph gave more than ${maxPages} pages for ${firstUrl}`);
  }

  /**
   * GETs in `$batch`es of at most 20; sub-requests answered 429 (or 503/504) are sent again, alone, after the longest
   * Retry-After among them. Returns each key's answer.
   */
  async function batchGet(requests: readonly { key: string; url: string }[], prefer: string | null): Promise<Map<string, BatchAnswer>> {
    const answers = new Map<string, BatchAnswer>();
    const chunks: { key: string; url: string }[][] = [];
    for (let i = 0; i < requests.length; i += maxBatch) chunks.push(requests.slice(i, i + maxBatch));
    for (const chunk of chunks) {
      let pending = chunk;
      for (let attempt = 1; pending.length > 0; attempt++) {
        const byId = new Map(pending.map((r, i) => [String(i + 1), r]));
        const envelope = (await call(async (c) =>
          (await c.api('/$batch').post({
            requests: [...byId].map(([id, r]) => ({ id, method: 'GET', url: r.url, headers: { Prefer: withImmutableId(prefer) } })),
          })) as unknown,
        )) as BatchEnvelope;
        const again: { key: string; url: string }[] = [];
        let waitMs = 0;
        for (const res of envelope.responses ?? []) {
          const request = byId.get(String(res.id));
          if (!request) continue;
          const headers: Record<string, string> = {};
          if (res.headers !== null && typeof res.headers === 'object') for (const [k, v] of Object.entries(res.headers as Record<string, unknown>)) headers[k.toLowerCase()] = String(v);
          const status = typeof res.status === 'number' ? res.status : 0;
          const answer = { status, headers, body: res.body };
          if ((status === 429 || status === 503 || status === 504) && attempt < connection.maxAttempts) {
            again.push(request);
            waitMs = Math.max(waitMs, parseRetryAfter(headers['retry-after']) ?? connection.backoffMs(attempt));
          } else {
            answers.set(request.key, answer);
          }
          byId.delete(String(res.id));
        }
        if (byId.size > 0) throw new GatewayError('permanent', `Graph's $batch answer lacks ${byId.size} of the requests`);
        if (again.length > 0) await connection.sleep(waitMs);
        pending = again;
      }
    }
    return answers;
  }

  /** A sub-request's answer: the body, null on 404, or the GatewayError its error maps to. */
  function innerResult(answer: BatchAnswer | undefined): unknown {
    if (!answer) throw new GatewayError('permanent', 'missing $batch answer');
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    const err = toGatewayError({ statusCode: answer.status, body: answer.body, headers: answer.headers });
    if (err.code === 'not_found') return null;
    throw err;
  }

  async function readMany<T>(ids: readonly string[], url: (id: string) => string, prefer: string | null, map: (json: unknown) => T): Promise<ReadonlyMap<string, T | null>> {
    const unique = [...new Set(ids)];
    const answers = await batchGet(unique.map((id) => ({ key: id, url: url(id) })), prefer);
    const out = new Map<string, T | null>();
    for (const id of unique) {
      const body = innerResult(answers.get(id));
      out.set(id, body === null ? null : map(body));
    }
    return out;
  }

  const eventUrl = (mailbox: MailboxId, id: string) => `${userPath(mailbox)}/events/${seg(id)}?$select=${eventSelect.join(',')}`;
  const messageUrl = (mailbox: MailboxId, id: string) => `${userPath(mailbox)}/messages/${seg(id)}?$select=${messageSelect.join(',')}`;

  async function orNull<T>(work: Promise<T>): Promise<T | null> {
    try {
      return await work;
    } catch (e) {
      if (e instanceof GatewayError && e.code === 'not_found') return null;
      throw e;
    }
  }

  return {
    async sendMail(mailbox, mail) {
      const message = messageBody(mail);
      const text = mail.text;
      if (text !== undefined && mail.saveToSentItems !== false) {
        // With a plain-text part: the MIME form (Graph saves MIME sends in Sent Items, as the JSON form's default).
        const mime = await mimeMessage({ ...mail, text });
        await call((c) => c.api(`${userPath(mailbox)}/sendMail`).header('Content-Type', 'text/plain').post(mime) as Promise<unknown>);
        return;
      }
      await call((c) => c.api(`${userPath(mailbox)}/sendMail`).post({ message, saveToSentItems: mail.saveToSentItems ?? true }) as Promise<unknown>);
    },

    async draftAndSend(mailbox, mail) {
      const message = messageBody(mail);
      const draft = toMailMessage(await call((c) => c.api(`${userPath(mailbox)}/messages`).post(message) as Promise<unknown>), 'drafts');
      await call((c) => c.api(`${userPath(mailbox)}/messages/${seg(draft.id)}/send`).post({}) as Promise<unknown>);
      return { messageId: draft.id, internetMessageId: draft.internetMessageId };
    },

    async createEvent(mailbox, event) {
      const body: Record<string, unknown> = {
        subject: event.subject,
        body: { contentType: 'HTML', content: event.html },
        start: zoned(event.start, event.timeZone),
        end: zoned(event.end, event.timeZone),
        attendees: attendeesOf(event.attendees),
        transactionId: event.transactionId,
        ...(event.location === undefined ? {} : { location: { displayName: event.location } }),
        ...(event.onlineMeeting === true ? { isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness' } : {}),
        ...(event.showAs === undefined ? {} : { showAs: event.showAs }),
        ...(event.sensitivity === undefined ? {} : { sensitivity: event.sensitivity }),
        ...(event.isReminderOn === undefined ? {} : { isReminderOn: event.isReminderOn }),
        ...(event.categories === undefined ? {} : { categories: [...event.categories] }),
        ...(event.recurrence === undefined ? {} : { recurrence: recurrenceOf(event.recurrence) }),
      };
      const created = await call((c) => c.api(`${userPath(mailbox)}/events`).header('Prefer', utcTimes).post(body) as Promise<unknown>);
      return toCalendarEvent(created);
    },

    async updateEvent(mailbox, eventId, patch: EventPatch) {
      const zone = patch.timeZone ?? 'UTC';
      const body: Record<string, unknown> = {
        ...(patch.subject === undefined ? {} : { subject: patch.subject }),
        ...(patch.html === undefined ? {} : { body: { contentType: 'HTML', content: patch.html } }),
        ...(patch.start === undefined ? {} : { start: zoned(patch.start, zone) }),
        ...(patch.end === undefined ? {} : { end: zoned(patch.end, zone) }),
        ...(patch.attendees === undefined ? {} : { attendees: attendeesOf(patch.attendees) }),
        ...(patch.recurrence === undefined ? {} : { recurrence: recurrenceOf(patch.recurrence) }),
      };
      const updated = await call((c) => c.api(`${userPath(mailbox)}/events/${seg(eventId)}`).header('Prefer', utcTimes).patch(body) as Promise<unknown>);
      return toCalendarEvent(updated);
    },

    async cancelEvent(mailbox, eventId, comment) {
      await call((c) => c.api(`${userPath(mailbox)}/events/${seg(eventId)}/cancel`).post({ comment }) as Promise<unknown>);
    },

    async eventInstances(mailbox, seriesMasterId, window) {
      const q = `startDateTime=${utcIso(window.start)}&endDateTime=${utcIso(window.end)}&$select=${eventSelect.join(',')}&$top=${pageSize}`;
      return orNull(allPages(`${userPath(mailbox)}/events/${seg(seriesMasterId)}/instances?${q}`, toCalendarEvent, utcTimes).then((r) => r.items));
    },

    async deleteEvent(mailbox, eventId) {
      // DELETE /users/{id}/events/{id} (204); an event already gone is what was wanted.
      await orNull(call((c) => c.api(`${userPath(mailbox)}/events/${seg(eventId)}`).delete() as Promise<unknown>));
    },

    async getEvent(mailbox, eventId) {
      return orNull(getJson(eventUrl(mailbox, eventId), utcTimes).then(toCalendarEvent));
    },

    async getMessage(mailbox, messageId) {
      return orNull(getJson(messageUrl(mailbox, messageId)).then((json) => toMailMessage(json)));
    },

    async findMessage(mailbox, internetMessageId) {
      // OData string literal: a quote is doubled. https://learn.microsoft.com/graph/filter-query-parameter
      const literal = `'${internetMessageId.replace(/'/g, "''")}'`;
      const q = `$filter=${encodeURIComponent(`internetMessageId eq ${literal}`)}&$select=${messageSelect.join(',')}&$top=1`;
      const page = toPage(await getJson(`${userPath(mailbox)}/messages?${q}`), (json) => toMailMessage(json));
      return page.items[0] ?? null;
    },

    getEvents(mailbox, eventIds) {
      return readMany(eventIds, (id) => eventUrl(mailbox, id), utcTimes, toCalendarEvent);
    },

    getMessages(mailbox, messageIds) {
      return readMany(messageIds, (id) => messageUrl(mailbox, id), null, (json) => toMailMessage(json));
    },

    async calendarView(mailbox, window: TimeWindow) {
      const q = `startDateTime=${utcIso(window.start)}&endDateTime=${utcIso(window.end)}&$select=${eventSelect.join(',')}&$top=${pageSize}`;
      const { items } = await allPages(`${userPath(mailbox)}/calendarView?${q}`, toCalendarEvent, utcTimes);
      return items;
    },

    async getSchedule(mailbox, schedules, window, intervalMinutes): Promise<readonly Schedule[]> {
      const span = window.end.getTime() - window.start.getTime();
      if (!(span > 0) || span >= maxScheduleWindowMs) throw new GatewayError('invalid', 'getSchedule needs a window longer than zero and shorter than 42 days');
      const chunks: string[][] = [];
      for (let i = 0; i < schedules.length; i += maxSchedules) chunks.push(schedules.slice(i, i + maxSchedules));
      const answers = await Promise.all(
        chunks.map((chunk) =>
          call(async (c) =>
            (await c.api(`${userPath(mailbox)}/calendar/getSchedule`).header('Prefer', utcTimes).post({
              schedules: chunk,
              startTime: zoned(window.start, 'UTC'),
              endTime: zoned(window.end, 'UTC'),
              availabilityViewInterval: intervalMinutes,
            })) as unknown,
          ),
        ),
      );
      return answers.flatMap((json) => toPage(json, toSchedule).items);
    },

    async mailboxSettings(mailbox) {
      return toMailboxSettings(await getJson(`${userPath(mailbox)}/mailboxSettings?$select=timeZone,workingHours,automaticRepliesSetting`));
    },

    async manager(userId) {
      return orNull(getJson(`${userPath(userId)}/manager?$select=${personSelect.join(',')}`).then(toDirectoryPerson));
    },

    async messagesDelta(mailbox, folder: WatchedFolder, cursor, since): Promise<DeltaResult<MailMessage>> {
      // Message delta takes `$filter=receivedDateTime ge …` on its first round only (https://learn.microsoft.com/graph/api/message-delta).
      const filter = since === undefined ? '' : `&$filter=receivedDateTime+ge+${utcIso(since)}`;
      const first = cursor ?? `${userPath(mailbox)}/mailFolders/${seg(folder)}/messages/delta?$select=${messageSelect.join(',')}${filter}`;
      const round = await allPages(first, (json) => toMailMessage(json, folder));
      if (round.deltaLink === null) throw new GatewayError('permanent', 'Graph ended a message delta round without a deltaLink');
      return { changed: round.items, removed: round.removed, cursor: round.deltaLink };
    },

    async calendarDelta(mailbox, window, cursor): Promise<DeltaResult<CalendarEvent>> {
      // calendarView/delta takes no $select (https://learn.microsoft.com/graph/api/event-delta).
      const first = cursor ?? `${userPath(mailbox)}/calendarView/delta?startDateTime=${utcIso(window.start)}&endDateTime=${utcIso(window.end)}`;
      const round = await allPages(first, toCalendarEvent, utcTimes);
      if (round.deltaLink === null) throw new GatewayError('permanent', 'Graph ended a calendar delta round without a deltaLink');
      return { changed: round.items, removed: round.removed, cursor: round.deltaLink };
    },

    async createSubscription(input) {
      const created = (await call((c) =>
        c.api('/subscriptions').post({
          changeType: input.changeType,
          notificationUrl: input.notificationUrl,
          lifecycleNotificationUrl: input.lifecycleNotificationUrl,
          resource: input.resource,
          expirationDateTime: input.expiresAt.toISOString(),
          clientState: input.clientState,
        }) as Promise<unknown>,
      )) as { id?: unknown; expirationDateTime?: unknown };
      return { id: stringField(created.id, 'subscription id'), expiresAt: dateField(created.expirationDateTime, 'subscription expirationDateTime') };
    },

    async renewSubscription(id, expiresAt) {
      const renewed = (await call((c) => c.api(`/subscriptions/${seg(id)}`).patch({ expirationDateTime: expiresAt.toISOString() }) as Promise<unknown>)) as {
        expirationDateTime?: unknown;
      };
      return { expiresAt: dateField(renewed.expirationDateTime, 'subscription expirationDateTime') };
    },

    async reauthorizeSubscription(id) {
      await call((c) => c.api(`/subscriptions/${seg(id)}/reauthorize`).post({}) as Promise<unknown>);
    },

    async deleteSubscription(id) {
      await orNull(call((c) => c.api(`/subscriptions/${seg(id)}`).delete() as Promise<unknown>));
    },
  };
}

function stringField(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new GatewayError('invalid', `Graph answer lacks ${what}`);
  return v;
}

function dateField(v: unknown, what: string): Date {
  const d = new Date(stringField(v, what));
  if (Number.isNaN(d.getTime())) throw new GatewayError('invalid', `Graph answer: ${what} is not a date`);
  return d;
}
