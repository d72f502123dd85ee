// The sandbox's calendars: one event store per mailbox, meetings that tie an organizer's event to its attendees'
// copies (one iCalUId), meeting requests, responses and cancellations delivered as eventMessages through the mail
// service, and a change published for every created, updated or deleted event copy.
// Imports: ./schedule (time), ./ids, ./graph-error, ./mail (id checks, body conversions), and types of ./odata,
// ./directory, ./change-feed, ./sandbox-clock.
import { createHash } from 'node:crypto';
import type { ChangeFeed } from './change-feed';
import type { Directory, SeedUser } from './directory';
import { GraphError } from './graph-error';
import { newChangeKey, newConversationId, newGuid, newICalUId, newInternetMessageId, newItemId } from './ids';
import { bodyAs, htmlToText, invalidIdMalformed, isWellFormedItemId, textToHtml, type MailService } from './mail';
import type { Json, JsonObject } from './odata';
import type { SandboxClock } from './sandbox-clock';
import {
  expandRecurrence,
  graphTimestamp,
  instantOf,
  propertyValidationFailure,
  renderDateTime,
  requestBodyRead,
  resolveZone,
  timeZoneNotSupported,
  utcZone,
  type BusyStatus,
  type FreeBusyItem,
  type FreeBusySource,
  type RenderZone,
} from './schedule';

// ---------------------------------------------------------------------------------------------------------------
// Public API

/** What the calendar needs from the mail service: delivering eventMessages, and expanding their `event`. */
export type MailDelivery = Pick<MailService, 'deliver' | 'setEventResolver'>;

export type ResponseAction = 'accept' | 'decline' | 'tentativelyAccept';

export interface RespondOptions {
  comment?: string | null;
  /** Default true: the organizer's copy changes and a response eventMessage reaches the organizer. */
  sendResponse?: boolean | null;
  /** decline and tentativelyAccept only: `{ start, end }` as dateTimeTimeZone. */
  proposedNewTime?: JsonObject | null;
}

export interface RenderOptions {
  /** The `Prefer: outlook.timezone` zone; GET answers in UTC without it. */
  zone?: RenderZone | null;
  /** `Prefer: outlook.body-content-type`. */
  bodyType?: 'text' | 'html' | null;
}

export interface DeleteOptions {
  /** An attendee removing their copy: also decline to the organizer (the sandbox page does; Graph's DELETE doesn't). */
  sendResponse?: boolean;
  comment?: string;
}

export interface DeltaChanges {
  changed: JsonObject[];
  removed: string[];
}

export interface CalendarService extends FreeBusySource {
  /** The organizer's copy, rendered as POST answers it (in the event's own zone unless `zone` is given). */
  createEvent(userId: string, event: JsonObject, options?: RenderOptions): JsonObject;
  getEvent(userId: string, eventId: string, options?: RenderOptions): JsonObject;
  /** The mailbox's events (single instances and series masters), oldest first. */
  listEvents(userId: string, options?: RenderOptions): JsonObject[];
  updateEvent(userId: string, eventId: string, patch: JsonObject, options?: RenderOptions): JsonObject;
  /** The organizer deleting cancels the meeting; an attendee deleting removes only their copy. */
  deleteEvent(userId: string, eventId: string, options?: DeleteOptions): void;
  cancelEvent(userId: string, eventId: string, comment?: string | null): void;
  respond(userId: string, eventId: string, action: ResponseAction, options?: RespondOptions): void;
  /**
   * The occurrences and exceptions of a series master overlapping [start, end), by start (`GET /events/{id}/instances`);
   * a single instance has none. Throws ErrorItemNotFound when the event is not in the mailbox.
   */
  instances(userId: string, eventId: string, start: Date, end: Date, options?: RenderOptions): JsonObject[];
  /** Single instances, occurrences and exceptions overlapping [start, end), by start. */
  calendarView(userId: string, start: Date, end: Date, options?: RenderOptions): JsonObject[];
  /** What changed in a calendar view window after change `sinceSeq` (for calendarView/delta). */
  viewChanges(userId: string, start: Date, end: Date, sinceSeq: number, options?: RenderOptions): DeltaChanges;
  /** The event an eventMessage (meeting request, response, cancellation) refers to, in the message's mailbox. */
  eventIdForMessage(userId: string, messageId: string): string | null;
}

export interface CalendarServiceOptions {
  directory: Directory;
  changes: ChangeFeed;
  clock: SandboxClock;
  mail: MailDelivery;
}

// ---------------------------------------------------------------------------------------------------------------
// Errors as Graph answers them

// Ids are judged as the mail service judges them, so one id shape gets one answer everywhere in the sandbox.
export { invalidIdMalformed, isWellFormedItemId };
/** The id of a mailbox's one (default) calendar: stable, shaped like Outlook's folder ids (AAMkA…AAA=). */
export const calendarIdOf = (userId: string): string =>
  `AAMkA${createHash('sha256').update(`calendar:${userId.toLowerCase()}`).digest('base64url')}AAA=`;
/** The calendar's change key: the calendar itself never changes in the sandbox. */
export const calendarChangeKeyOf = (userId: string): string => createHash('sha256').update(`calendar-ck:${userId.toLowerCase()}`).digest('base64').slice(0, 24);
export const eventNotFound = (): GraphError => new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
const invalidRequest = (message: string): GraphError => new GraphError(400, 'ErrorInvalidRequest', message);

// ---------------------------------------------------------------------------------------------------------------
// Request bodies: Graph's event type, read strictly (unknown names are a 400 naming them), case-insensitively

type Field =
  | { kind: 'string' | 'bool' | 'int' | 'double' | 'date' }
  | { kind: 'enum'; type: string; values: readonly string[] }
  | { kind: 'complex'; type: string }
  | { kind: 'collection'; of: Field }
  | { kind: 'ignored' };

const string: Field = { kind: 'string' };
const bool: Field = { kind: 'bool' };
const int: Field = { kind: 'int' };
const double: Field = { kind: 'double' };
const ignored: Field = { kind: 'ignored' };
const enumOf = (type: string, values: readonly string[]): Field => ({ kind: 'enum', type, values });
const complex = (type: string): Field => ({ kind: 'complex', type });
const collection = (of: Field): Field => ({ kind: 'collection', of });

const enums = {
  bodyType: ['text', 'html'],
  freeBusyStatus: ['unknown', 'free', 'tentative', 'busy', 'oof', 'workingElsewhere'],
  sensitivity: ['normal', 'personal', 'private', 'confidential'],
  importance: ['low', 'normal', 'high'],
  attendeeType: ['required', 'optional', 'resource'],
  onlineMeetingProviderType: ['unknown', 'skypeForBusiness', 'skypeForConsumer', 'teamsForBusiness'],
  locationType: ['default', 'conferenceRoom', 'homeAddress', 'businessAddress', 'geoCoordinates', 'streetAddress', 'hotel', 'restaurant', 'localBusiness', 'postalAddress'],
  locationUniqueIdType: ['unknown', 'locationStore', 'directory', 'private', 'bing'],
  recurrencePatternType: ['daily', 'weekly', 'absoluteMonthly', 'relativeMonthly', 'absoluteYearly', 'relativeYearly'],
  recurrenceRangeType: ['endDate', 'noEnd', 'numbered'],
  dayOfWeek: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'],
  weekIndex: ['first', 'second', 'third', 'fourth', 'last'],
} as const;

// Outlook's own type names are the ones Graph's body-reading errors name.
const types: Record<string, { outlookName: string; fields: Record<string, Field> }> = {
  event: {
    outlookName: 'Microsoft.OutlookServices.Event',
    fields: {
      subject: string,
      body: complex('itemBody'),
      start: complex('dateTimeTimeZone'),
      end: complex('dateTimeTimeZone'),
      location: complex('location'),
      locations: collection(complex('location')),
      attendees: collection(complex('attendee')),
      isAllDay: bool,
      showAs: enumOf('FreeBusyStatus', enums.freeBusyStatus),
      sensitivity: enumOf('Sensitivity', enums.sensitivity),
      importance: enumOf('Importance', enums.importance),
      isReminderOn: bool,
      reminderMinutesBeforeStart: int,
      responseRequested: bool,
      isOnlineMeeting: bool,
      onlineMeetingProvider: enumOf('OnlineMeetingProviderType', enums.onlineMeetingProviderType),
      allowNewTimeProposals: bool,
      hideAttendees: bool,
      categories: collection(string),
      transactionId: string,
      originalStartTimeZone: string,
      originalEndTimeZone: string,
      recurrence: complex('patternedRecurrence'),
      // Read-only or navigation properties: Graph accepts them in a body and ignores them.
      id: ignored,
      createdDateTime: ignored,
      lastModifiedDateTime: ignored,
      changeKey: ignored,
      iCalUId: ignored,
      bodyPreview: ignored,
      isCancelled: ignored,
      isOrganizer: ignored,
      isDraft: ignored,
      seriesMasterId: ignored,
      type: ignored,
      webLink: ignored,
      onlineMeetingUrl: ignored,
      onlineMeeting: ignored,
      responseStatus: ignored,
      organizer: ignored,
      hasAttachments: ignored,
      originalStart: ignored,
      cancelledOccurrences: ignored,
      attachments: ignored,
      calendar: ignored,
      extensions: ignored,
      instances: ignored,
      exceptionOccurrences: ignored,
      singleValueExtendedProperties: ignored,
      multiValueExtendedProperties: ignored,
    },
  },
  itemBody: { outlookName: 'Microsoft.OutlookServices.ItemBody', fields: { contentType: enumOf('BodyType', enums.bodyType), content: string } },
  dateTimeTimeZone: { outlookName: 'Microsoft.OutlookServices.DateTimeTimeZone', fields: { dateTime: string, timeZone: string } },
  emailAddress: { outlookName: 'Microsoft.OutlookServices.EmailAddress', fields: { name: string, address: string } },
  attendee: {
    outlookName: 'Microsoft.OutlookServices.Attendee',
    fields: { emailAddress: complex('emailAddress'), type: enumOf('AttendeeType', enums.attendeeType), status: ignored, proposedNewTime: ignored },
  },
  location: {
    outlookName: 'Microsoft.OutlookServices.Location',
    fields: {
      displayName: string,
      locationType: enumOf('LocationType', enums.locationType),
      locationEmailAddress: string,
      locationUri: string,
      uniqueId: string,
      uniqueIdType: enumOf('LocationUniqueIdType', enums.locationUniqueIdType),
      address: complex('physicalAddress'),
      coordinates: complex('outlookGeoCoordinates'),
    },
  },
  physicalAddress: { outlookName: 'Microsoft.OutlookServices.PhysicalAddress', fields: { street: string, city: string, state: string, countryOrRegion: string, postalCode: string } },
  outlookGeoCoordinates: { outlookName: 'Microsoft.OutlookServices.GeoCoordinates', fields: { latitude: double, longitude: double, altitude: double, accuracy: double, altitudeAccuracy: double } },
  patternedRecurrence: { outlookName: 'Microsoft.OutlookServices.PatternedRecurrence', fields: { pattern: complex('recurrencePattern'), range: complex('recurrenceRange') } },
  recurrencePattern: {
    outlookName: 'Microsoft.OutlookServices.RecurrencePattern',
    fields: {
      type: enumOf('RecurrencePatternType', enums.recurrencePatternType),
      interval: int,
      month: int,
      dayOfMonth: int,
      daysOfWeek: collection(enumOf('DayOfWeek', enums.dayOfWeek)),
      firstDayOfWeek: enumOf('DayOfWeek', enums.dayOfWeek),
      index: enumOf('WeekIndex', enums.weekIndex),
    },
  },
  recurrenceRange: {
    outlookName: 'Microsoft.OutlookServices.RecurrenceRange',
    fields: { type: enumOf('RecurrenceRangeType', enums.recurrenceRangeType), startDate: { kind: 'date' }, endDate: { kind: 'date' }, recurrenceTimeZone: string, numberOfOccurrences: int },
  },
  timeSlot: { outlookName: 'Microsoft.OutlookServices.TimeSlot', fields: { start: complex('dateTimeTimeZone'), end: complex('dateTimeTimeZone') } },
};

function edmName(field: Field): string {
  switch (field.kind) {
    case 'string':
      return 'Edm.String';
    case 'bool':
      return 'Edm.Boolean';
    case 'int':
      return 'Edm.Int32';
    case 'double':
      return 'Edm.Double';
    case 'date':
      return 'Edm.Date';
    case 'enum':
      return `Microsoft.OutlookServices.${field.type}`;
    case 'complex':
      return types[field.type]?.outlookName ?? field.type;
    case 'collection':
      return `Collection(${edmName(field.of)})`;
    case 'ignored':
      return 'Edm.Untyped';
  }
}

const cannotConvert = (value: Json, field: Field): GraphError =>
  requestBodyRead(`Cannot convert the literal '${typeof value === 'object' ? JSON.stringify(value) : String(value)}' to the expected type '${edmName(field)}'.`);

/** Reads one value of a Graph type: canonical property names and enum members; nulls kept (they clear a value). */
function readValue(value: Json, field: Field): Json | undefined {
  if (field.kind === 'ignored') return undefined;
  if (value === null) return null;
  switch (field.kind) {
    case 'string':
      if (typeof value !== 'string') throw cannotConvert(value, field);
      return value;
    case 'date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw cannotConvert(value, field);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw cannotConvert(value, field);
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw cannotConvert(value, field);
      return value;
    case 'double':
      if (typeof value !== 'number') throw cannotConvert(value, field);
      return value;
    case 'enum': {
      const member = typeof value === 'string' ? field.values.find((v) => v.toLowerCase() === value.trim().toLowerCase()) : undefined;
      if (member === undefined) throw requestBodyRead(`Requested value '${typeof value === 'string' ? value : JSON.stringify(value)}' was not found.`);
      return member;
    }
    case 'collection':
      if (!Array.isArray(value)) throw cannotConvert(value, field);
      return value.map((v) => readValue(v, field.of) ?? null);
    case 'complex':
      if (typeof value !== 'object' || Array.isArray(value)) throw cannotConvert(value, field);
      return readObject(value, field.type);
  }
}

function readObject(value: JsonObject, typeName: string): JsonObject {
  const type = types[typeName];
  if (!type) throw new Error(`no type ${typeName}`);
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (key.startsWith('@') || key.includes('@odata.')) continue;
    const name = Object.keys(type.fields).find((f) => f.toLowerCase() === key.toLowerCase());
    const field = name === undefined ? undefined : type.fields[name];
    if (name === undefined || field === undefined) {
      throw requestBodyRead(`The property '${key}' does not exist on type '${type.outlookName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
    }
    const read = readValue(v, field);
    if (read !== undefined) out[name] = read;
  }
  return out;
}

/** A request body as an event: a JSON object with only event properties, canonically named. */
export function readEventBody(body: unknown): JsonObject {
  if (body === undefined || body === null) throw requestBodyRead('The request body is empty: an event object is expected.');
  if (typeof body !== 'object' || Array.isArray(body)) throw requestBodyRead('An unexpected value was found in the request body: an event object is expected.');
  return readObject(body as JsonObject, 'event');
}

// ---------------------------------------------------------------------------------------------------------------
// Stored events

interface Recipient {
  name: string;
  address: string;
}

interface AttendeeRecord {
  type: 'required' | 'optional' | 'resource';
  emailAddress: Recipient;
  status: { response: string; time: string };
  proposedNewTime: JsonObject | null;
}

interface EventRecord {
  id: string;
  userId: string;
  iCalUId: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
  startMs: number;
  endMs: number;
  /** As given (Windows or IANA name): the zone POST and PATCH answer in, and the series' zone. */
  startZone: string;
  endZone: string;
  subject: string;
  body: { contentType: 'text' | 'html'; content: string };
  categories: string[];
  transactionId: string | null;
  originalStartTimeZone: string;
  originalEndTimeZone: string;
  reminderMinutesBeforeStart: number;
  isReminderOn: boolean;
  importance: string;
  sensitivity: string;
  isAllDay: boolean;
  isCancelled: boolean;
  isOrganizer: boolean;
  responseRequested: boolean;
  showAs: string;
  isOnlineMeeting: boolean;
  onlineMeetingProvider: string;
  onlineMeeting: JsonObject | null;
  allowNewTimeProposals: boolean;
  hideAttendees: boolean;
  responseStatus: { response: string; time: string };
  location: JsonObject;
  locations: JsonObject[];
  recurrence: JsonObject | null;
  /** A series' modified occurrences, by their local date: what a PATCH of the occurrence changed. */
  exceptions?: Record<string, OccurrenceOverride>;
  attendees: AttendeeRecord[];
  organizer: Recipient;
}

/** What an exception changes of its occurrence (Exchange keeps it as an item of its own under the master). */
interface OccurrenceOverride {
  subject?: string;
  body?: { contentType: 'text' | 'html'; content: string };
  startMs?: number;
  endMs?: number;
  lastModifiedDateTime: string;
  changeKey: string;
}

/** The properties a PATCH of one occurrence may change in the sandbox; anything else is refused, naming it. */
const occurrenceFields = new Set(['subject', 'body', 'start', 'end']);

/** A meeting: the organizer's event and the attendees' copies, tied by one iCalUId. */
interface Meeting {
  iCalUId: string;
  organizerId: string;
  organizerEventId: string;
  /** Attendee mailbox (user id) → the id of their copy. */
  copies: Map<string, string>;
  conversationId: string;
  /** The organizer's free/busy intent: what an attendee's copy shows once accepted. */
  showAs: string;
}

/** An occurrence of a series in some mailbox, by its id (ids are made when a view expands the series). */
interface OccurrenceRef {
  userId: string;
  masterId: string;
  date: string;
}

const never = '0001-01-01T00:00:00Z';
const propagated = ['subject', 'body', 'location', 'locations', 'isAllDay', 'sensitivity', 'importance', 'responseRequested', 'allowNewTimeProposals', 'hideAttendees', 'isOnlineMeeting', 'onlineMeetingProvider', 'onlineMeeting', 'recurrence'] as const;

function bodyPreview(body: EventRecord['body']): string {
  const text = body.contentType === 'html' ? htmlToText(body.content) : body.content.trim();
  return text.slice(0, 255);
}

/** Exchange stores an HTML body as a whole document. */
function storedBody(input: JsonObject | null | undefined): EventRecord['body'] {
  if (!input) return { contentType: 'html', content: '' };
  const contentType = input['contentType'] === 'text' ? 'text' : 'html';
  const content = typeof input['content'] === 'string' ? input['content'] : '';
  if (contentType === 'text' || content === '' || /^\s*<html[\s>]/i.test(content)) return { contentType, content };
  return { contentType, content: `<html>\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n</head>\r\n<body>\r\n${content}\r\n</body>\r\n</html>\r\n` };
}

function storedLocation(input: JsonObject | null | undefined): JsonObject {
  const displayName = typeof input?.['displayName'] === 'string' ? input['displayName'] : '';
  if (displayName === '' && !input?.['address'] && !input?.['coordinates']) {
    return { displayName: '', locationType: 'default', uniqueIdType: 'unknown', address: {}, coordinates: {} };
  }
  const out: JsonObject = { displayName, locationType: 'default', uniqueId: displayName, uniqueIdType: 'private' };
  for (const [k, v] of Object.entries(input ?? {})) if (v !== null) out[k] = v;
  return out;
}

function storedLocations(input: Json | undefined, location: JsonObject): JsonObject[] {
  if (Array.isArray(input)) {
    return input
      .filter((l): l is JsonObject => l !== null && typeof l === 'object' && !Array.isArray(l))
      .map((l) => (l['address'] || l['coordinates'] ? storedLocation(l) : { displayName: typeof l['displayName'] === 'string' ? l['displayName'] : '', locationType: 'default', uniqueId: '', uniqueIdType: 'unknown', ...stripNulls(l) }));
  }
  // A plain location is listed as an unresolved entry (as event-get shows it).
  const name = location['displayName'];
  return typeof name === 'string' && name !== '' ? [{ displayName: name, locationType: 'default', uniqueId: '', uniqueIdType: 'unknown' }] : [];
}

function stripNulls(o: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (v !== null) out[k] = v;
  return out;
}

/** The recurrence as Graph answers it: every pattern and range field present; Exchange's checks on the values. */
function storedRecurrence(input: JsonObject, startZone: string, startDate: string): JsonObject {
  const pattern = (input['pattern'] ?? {}) as JsonObject;
  const range = (input['range'] ?? {}) as JsonObject;
  const daysOfWeek = Array.isArray(pattern['daysOfWeek']) ? pattern['daysOfWeek'] : [];
  const n = (v: Json | undefined, fallback: number): number => (typeof v === 'number' ? v : fallback);
  const type = pattern['type'] ?? 'daily';
  const needsDays = type === 'weekly' || type === 'relativeMonthly' || type === 'relativeYearly';
  const invalid =
    n(pattern['interval'], 1) < 1 ||
    n(pattern['interval'], 1) > 999 ||
    n(pattern['month'], 0) < 0 ||
    n(pattern['month'], 0) > 12 ||
    n(pattern['dayOfMonth'], 0) < 0 ||
    n(pattern['dayOfMonth'], 0) > 31 ||
    (needsDays && daysOfWeek.length === 0) ||
    ((type === 'absoluteMonthly' || type === 'absoluteYearly') && n(pattern['dayOfMonth'], 0) === 0) ||
    ((type === 'absoluteYearly' || type === 'relativeYearly') && n(pattern['month'], 0) === 0) ||
    (range['type'] === 'numbered' && n(range['numberOfOccurrences'], 0) < 1) ||
    (range['type'] === 'endDate' && (typeof range['endDate'] !== 'string' || range['endDate'] < (typeof range['startDate'] === 'string' ? range['startDate'] : startDate)));
  if (invalid) throw propertyValidationFailure();
  return {
    pattern: {
      type: pattern['type'] ?? 'daily',
      interval: pattern['interval'] ?? 1,
      month: pattern['month'] ?? 0,
      dayOfMonth: pattern['dayOfMonth'] ?? 0,
      ...(daysOfWeek.length > 0 ? { daysOfWeek } : {}),
      firstDayOfWeek: pattern['firstDayOfWeek'] ?? 'sunday',
      index: pattern['index'] ?? 'first',
    },
    range: {
      type: range['type'] ?? 'noEnd',
      startDate: range['startDate'] ?? startDate,
      endDate: range['endDate'] ?? '0001-01-01',
      recurrenceTimeZone: range['recurrenceTimeZone'] ?? startZone,
      numberOfOccurrences: range['numberOfOccurrences'] ?? 0,
    },
  };
}

function recipientOf(user: SeedUser): Recipient {
  return { name: user.displayName, address: user.userPrincipalName };
}

function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

// ---------------------------------------------------------------------------------------------------------------
// The service

export function createCalendarService(options: CalendarServiceOptions): CalendarService {
  const { directory, changes, clock, mail } = options;
  /** Mailbox → event id → event. */
  const stores = new Map<string, Map<string, EventRecord>>();
  /** Deleted events, kept so a delta round can say which occurrences went away. */
  const tombstones = new Map<string, Map<string, EventRecord>>();
  const meetings = new Map<string, Meeting>();
  const occurrences = new Map<string, OccurrenceRef>();
  /** `${userId}|${messageId}` → event id in that mailbox. */
  const messageEvents = new Map<string, string>();

  const now = () => clock.now();
  const stamp = () => graphTimestamp(now());
  const storeOf = (userId: string): Map<string, EventRecord> => {
    let s = stores.get(userId);
    if (!s) stores.set(userId, (s = new Map<string, EventRecord>()));
    return s;
  };
  const publish = (rec: EventRecord, changeType: 'created' | 'updated' | 'deleted') => {
    changes.publish({ at: now(), userId: rec.userId, kind: 'event', itemId: rec.id, folderId: null, changeType });
  };
  const touch = (rec: EventRecord) => {
    rec.lastModifiedDateTime = stamp();
    rec.changeKey = newChangeKey();
  };

  function userOf(userId: string): SeedUser {
    return directory.get(userId);
  }

  function find(userId: string, eventId: string): EventRecord {
    if (!isWellFormedItemId(eventId)) throw invalidIdMalformed();
    const rec = stores.get(userId)?.get(eventId);
    if (!rec) throw eventNotFound();
    return rec;
  }

  /** A stored event, or a series occurrence (read-only in the sandbox). */
  function findForRead(userId: string, eventId: string): { rec: EventRecord; occurrence: OccurrenceRef | null } {
    const occurrence = occurrences.get(eventId);
    if (occurrence && occurrence.userId === userId) {
      const master = stores.get(userId)?.get(occurrence.masterId);
      if (master) return { rec: master, occurrence };
    }
    return { rec: find(userId, eventId), occurrence: null };
  }

  function findForWrite(userId: string, eventId: string): EventRecord {
    const occurrence = occurrences.get(eventId);
    if (occurrence && occurrence.userId === userId) {
      throw invalidRequest('The sandbox changes single occurrences of a series only by PATCH (subject, body, start, end); change the series master.');
    }
    return find(userId, eventId);
  }

  /** The occurrence `eventId` names in the mailbox, with its master, or null when the id is not an occurrence's. */
  function occurrenceFor(userId: string, eventId: string): { master: EventRecord; ref: OccurrenceRef } | null {
    const ref = occurrences.get(eventId);
    if (!ref || ref.userId !== userId) return null;
    const master = stores.get(userId)?.get(ref.masterId);
    if (!master) throw eventNotFound();
    return { master, ref };
  }

  /** The occurrence of `rec` on a local date (its exception applied), or null when the series has none that day. */
  function occurrenceOn(rec: EventRecord, date: string): { id: string; startMs: number; endMs: number; date: string } | null {
    const zone = resolveZone(rec.startZone) ?? 'UTC';
    const dayStart = Date.parse(`${date}T00:00:00Z`) - 2 * 86_400_000;
    const hit = expandRecurrence(rec.recurrence ?? {}, { startMs: rec.startMs, endMs: rec.endMs, zone }, dayStart, dayStart + 5 * 86_400_000).find((o) => o.date === date);
    if (!hit) return null;
    const ex = rec.exceptions?.[date];
    return { id: occurrenceId(rec.id, date), startMs: ex?.startMs ?? hit.startMs, endMs: ex?.endMs ?? hit.endMs, date };
  }

  /**
   * PATCH of one occurrence: it becomes an exception of the series (type `exception`). The organizer's change reaches
   * the attendees' copies of that occurrence, as Exchange updates them.
   */
  function updateOccurrence(user: SeedUser, master: EventRecord, date: string, input: JsonObject): void {
    for (const key of Object.keys(input)) {
      if (!occurrenceFields.has(key)) throw invalidRequest(`The sandbox does not change '${key}' of a single occurrence; change the series master.`);
    }
    if (!master.isOrganizer && ('start' in input || 'end' in input)) throw invalidRequest("Your request can't be completed. Only the organizer can change the time of a meeting.");
    const current = occurrenceOn(master, date);
    if (!current) throw eventNotFound();
    const override: Omit<OccurrenceOverride, 'lastModifiedDateTime' | 'changeKey'> = {};
    if ('subject' in input) override.subject = typeof input['subject'] === 'string' ? input['subject'] : '';
    if ('body' in input) override.body = storedBody(input['body'] as JsonObject | null);
    if ('start' in input || 'end' in input) {
      const probe = { ...structuredClone(master), startMs: current.startMs, endMs: current.endMs };
      const t = times(input, probe);
      override.startMs = t.startMs;
      override.endMs = t.endMs;
    }
    const apply = (rec: EventRecord) => {
      const previous = rec.exceptions?.[date];
      rec.exceptions = { ...(rec.exceptions ?? {}), [date]: { ...previous, ...override, lastModifiedDateTime: stamp(), changeKey: newChangeKey() } };
      touch(rec);
      publish(rec, 'updated');
    };
    apply(master);
    if (!master.isOrganizer) return;
    const meeting = meetings.get(master.iCalUId);
    for (const [userId, copyId] of meeting?.copies ?? []) {
      const copy = stores.get(userId)?.get(copyId);
      if (copy && !copy.isCancelled && userId !== user.id) apply(copy);
    }
  }

  // -- rendering ------------------------------------------------------------------------------------------------

  function zoneOfRecord(rec: EventRecord, which: 'start' | 'end'): RenderZone {
    const label = which === 'start' ? rec.startZone : rec.endZone;
    const iana = resolveZone(label);
    return iana === null ? utcZone : { label, iana };
  }

  function occurrenceId(masterId: string, date: string): string {
    return `AAMkA${createHash('sha256').update(`${masterId}|${date}`).digest('base64url')}${createHash('sha256').update(`${date}|${masterId}`).digest('base64url')}=`;
  }

  function render(rec: EventRecord, opts: RenderOptions = {}, own: { startZone?: boolean } = {}, occurrence: { id: string; startMs: number; endMs: number; date?: string } | null = null): JsonObject {
    const startZone = opts.zone ?? (own.startZone ? zoneOfRecord(rec, 'start') : utcZone);
    const endZone = opts.zone ?? (own.startZone ? zoneOfRecord(rec, 'end') : utcZone);
    const ex = occurrence?.date === undefined ? undefined : rec.exceptions?.[occurrence.date];
    const ownBody = ex?.body ?? rec.body;
    const body = opts.bodyType ? bodyAs({ ...ownBody }, opts.bodyType) : { ...ownBody };
    const id = occurrence?.id ?? rec.id;
    const attendees: JsonObject[] = rec.attendees.map((a) => ({
      type: a.type,
      status: { ...a.status },
      emailAddress: { name: a.emailAddress.name, address: a.emailAddress.address },
      ...(a.proposedNewTime ? { proposedNewTime: structuredClone(a.proposedNewTime) } : {}),
    }));
    return {
      '@odata.etag': `W/"${rec.changeKey}"`,
      id,
      createdDateTime: rec.createdDateTime,
      lastModifiedDateTime: ex?.lastModifiedDateTime ?? rec.lastModifiedDateTime,
      changeKey: ex?.changeKey ?? rec.changeKey,
      categories: [...rec.categories],
      transactionId: rec.transactionId,
      originalStartTimeZone: rec.originalStartTimeZone,
      originalEndTimeZone: rec.originalEndTimeZone,
      iCalUId: rec.iCalUId,
      reminderMinutesBeforeStart: rec.reminderMinutesBeforeStart,
      isReminderOn: rec.isReminderOn,
      hasAttachments: false,
      subject: ex?.subject ?? rec.subject,
      bodyPreview: bodyPreview(ownBody),
      importance: rec.importance,
      sensitivity: rec.sensitivity,
      isAllDay: rec.isAllDay,
      isCancelled: rec.isCancelled,
      isOrganizer: rec.isOrganizer,
      responseRequested: rec.responseRequested,
      seriesMasterId: occurrence ? rec.id : null,
      showAs: rec.showAs,
      type: ex ? 'exception' : occurrence ? 'occurrence' : rec.recurrence ? 'seriesMaster' : 'singleInstance',
      webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`,
      onlineMeetingUrl: null,
      isOnlineMeeting: rec.isOnlineMeeting,
      onlineMeetingProvider: rec.onlineMeetingProvider,
      allowNewTimeProposals: rec.allowNewTimeProposals,
      isDraft: false,
      hideAttendees: rec.hideAttendees,
      responseStatus: { ...rec.responseStatus },
      body: body ?? null,
      start: renderDateTime(occurrence?.startMs ?? rec.startMs, startZone),
      end: renderDateTime(occurrence?.endMs ?? rec.endMs, endZone),
      location: structuredClone(rec.location),
      locations: structuredClone(rec.locations),
      recurrence: occurrence ? null : structuredClone(rec.recurrence),
      attendees,
      organizer: { emailAddress: { name: rec.organizer.name, address: rec.organizer.address } },
      onlineMeeting: rec.onlineMeeting ? structuredClone(rec.onlineMeeting) : null,
    };
  }

  /** The instances of an event in a window: itself, or its occurrences when it is a series master. */
  function instances(rec: EventRecord, fromMs: number, toMs: number): Array<{ id: string; startMs: number; endMs: number; date: string } | null> {
    if (!rec.recurrence) {
      const overlaps = rec.startMs < toMs && (rec.endMs > fromMs || (rec.endMs === rec.startMs && rec.startMs >= fromMs));
      return overlaps ? [null] : [];
    }
    const zone = resolveZone(rec.startZone) ?? 'UTC';
    // An exception moved out of the window (or into it) is judged by its own times: expand a day around the window.
    const margin = 86_400_000 * 2;
    return expandRecurrence(rec.recurrence, { startMs: rec.startMs, endMs: rec.endMs, zone }, fromMs - margin, toMs + margin).flatMap((o) => {
      const id = occurrenceId(rec.id, o.date);
      occurrences.set(id, { userId: rec.userId, masterId: rec.id, date: o.date });
      const ex = rec.exceptions?.[o.date];
      const startMs = ex?.startMs ?? o.startMs;
      const endMs = ex?.endMs ?? o.endMs;
      const overlaps = startMs < toMs && (endMs > fromMs || (endMs === startMs && startMs >= fromMs));
      return overlaps ? [{ id, startMs, endMs, date: o.date }] : [];
    });
  }

  function renderInstances(rec: EventRecord, fromMs: number, toMs: number, opts: RenderOptions): JsonObject[] {
    return instances(rec, fromMs, toMs).map((o) => render(rec, opts, {}, o));
  }

  // -- building records ------------------------------------------------------------------------------------------

  function times(input: JsonObject, current: EventRecord | null): { startMs: number; endMs: number; startZone: string; endZone: string } {
    const start = input['start'] as JsonObject | null | undefined;
    const end = input['end'] as JsonObject | null | undefined;
    const read = (v: JsonObject): { ms: number; zone: string } => {
      const dateTime = v['dateTime'];
      const timeZone = typeof v['timeZone'] === 'string' ? v['timeZone'] : 'UTC';
      if (typeof dateTime !== 'string') throw propertyValidationFailure();
      if (resolveZone(timeZone) === null) throw timeZoneNotSupported(timeZone);
      return { ms: instantOf({ dateTime, timeZone }), zone: timeZone };
    };
    if ((start === undefined && !current) || start === null || (end === undefined && !current) || end === null) {
      // An event without a start or an end fails Exchange's validation.
      throw propertyValidationFailure();
    }
    const s = start ? read(start) : { ms: current?.startMs ?? 0, zone: current?.startZone ?? 'UTC' };
    const e = end ? read(end) : { ms: current?.endMs ?? 0, zone: current?.endZone ?? 'UTC' };
    if (e.ms < s.ms) throw propertyValidationFailure();
    return { startMs: s.ms, endMs: e.ms, startZone: s.zone, endZone: e.zone };
  }

  function attendeesOf(input: Json | undefined, organizer: Recipient): AttendeeRecord[] {
    if (!Array.isArray(input)) return [];
    const out: AttendeeRecord[] = [];
    for (const raw of input) {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) continue;
      const email = raw['emailAddress'] as JsonObject | null | undefined;
      const address = typeof email?.['address'] === 'string' ? email['address'].trim() : '';
      if (!/^[^@\s]+@[^@\s]+$/.test(address)) {
        throw new GraphError(400, 'ErrorInvalidRecipients', `At least one recipient isn't valid., The address '${address}' is not a valid SMTP address.`);
      }
      if (out.some((a) => sameAddress(a.emailAddress.address, address))) continue;
      if (sameAddress(address, organizer.address)) continue;
      const user = directory.byAddress(address);
      const name = typeof email?.['name'] === 'string' && email['name'] !== '' ? email['name'] : (user?.displayName ?? address);
      out.push({
        type: (raw['type'] as AttendeeRecord['type'] | null | undefined) ?? 'required',
        emailAddress: { name, address },
        status: { response: 'none', time: never },
        proposedNewTime: null,
      });
    }
    return out;
  }

  function onlineMeetingOf(rec: Pick<EventRecord, 'isOnlineMeeting' | 'onlineMeetingProvider'>, organizerId: string, existing: JsonObject | null): JsonObject | null {
    if (!rec.isOnlineMeeting || rec.onlineMeetingProvider !== 'teamsForBusiness') return null;
    if (existing) return existing;
    // Shaped like Teams' links: the thread is a base64 GUID; the context names the tenant and the organizer.
    const thread = Buffer.from(newGuid()).toString('base64').replace(/=+$/, '');
    const context = encodeURIComponent(JSON.stringify({ Tid: directory.tenantId, Oid: organizerId })).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
    const conferenceId = String(100_000_000 + (parseInt(newGuid().slice(0, 8), 16) % 900_000_000));
    // Dial-in details as a tenant with audio conferencing shows them (a fictitious number).
    return { joinUrl: `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${thread}%40thread.v2/0?context=${context}`, conferenceId, tollNumber: '+1 425-555-0100' };
  }

  // -- eventMessages ---------------------------------------------------------------------------------------------

  function messageBase(rec: EventRecord, meeting: Meeting, subject: string, from: Recipient, to: Recipient[], cc: Recipient[], body: EventRecord['body']): JsonObject {
    const recipients = (list: Recipient[]): Json[] => list.map((r) => ({ emailAddress: { name: r.name, address: r.address } }));
    return {
      subject,
      body: { ...body },
      bodyPreview: bodyPreview(body),
      importance: rec.importance,
      categories: [],
      hasAttachments: false,
      internetMessageId: newInternetMessageId(directory.domain),
      conversationId: meeting.conversationId,
      from: { emailAddress: { name: from.name, address: from.address } },
      sender: { emailAddress: { name: from.name, address: from.address } },
      toRecipients: recipients(to),
      ccRecipients: recipients(cc),
      bccRecipients: [],
      replyTo: [],
      startDateTime: renderDateTime(rec.startMs, utcZone),
      endDateTime: renderDateTime(rec.endMs, utcZone),
      location: structuredClone(rec.location),
      type: rec.recurrence ? 'seriesMaster' : 'singleInstance',
      recurrence: structuredClone(rec.recurrence),
      isAllDay: rec.isAllDay,
      isDelegated: false,
      isOutOfDate: false,
    };
  }

  function deliverTo(userId: string, folder: 'inbox' | 'sentitems', message: JsonObject, eventId: string | null): void {
    const stored = mail.deliver(userId, folder, message);
    const messageId = stored['id'];
    if (typeof messageId === 'string' && eventId !== null) messageEvents.set(`${userId}|${messageId}`, eventId);
  }

  /** Meeting requests (new or updated) to the tenant attendees named, and the organizer's Sent Items copy. */
  function sendRequests(org: EventRecord, meeting: Meeting, userIds: readonly string[], requestType: 'newMeetingRequest' | 'fullUpdate' | 'informationalUpdate', previous: { startMs: number; endMs: number; location: JsonObject } | null): void {
    const requiredTo = org.attendees.filter((a) => a.type !== 'optional').map((a) => a.emailAddress);
    const optionalCc = org.attendees.filter((a) => a.type === 'optional').map((a) => a.emailAddress);
    const build = (): JsonObject => ({
      '@odata.type': '#microsoft.graph.eventMessageRequest',
      ...messageBase(org, meeting, org.subject, org.organizer, requiredTo, optionalCc, org.body),
      meetingMessageType: 'meetingRequest',
      meetingRequestType: requestType,
      responseRequested: org.responseRequested,
      allowNewTimeProposals: org.allowNewTimeProposals,
      previousStartDateTime: previous && previous.startMs !== org.startMs ? renderDateTime(previous.startMs, utcZone) : null,
      previousEndDateTime: previous && previous.endMs !== org.endMs ? renderDateTime(previous.endMs, utcZone) : null,
      previousLocation: previous && previous.location['displayName'] !== org.location['displayName'] ? structuredClone(previous.location) : null,
    });
    const template = build();
    for (const userId of userIds) deliverTo(userId, 'inbox', structuredClone(template), meeting.copies.get(userId) ?? null);
    // The organizer's Sent Items holds what went out, to tenant people and outside people alike.
    deliverTo(org.userId, 'sentitems', template, org.id);
  }

  function sendCancellations(org: EventRecord, meeting: Meeting, userIds: readonly string[], comment: string | null, recipients: AttendeeRecord[] = org.attendees): void {
    const to = recipients.filter((a) => a.type !== 'optional').map((a) => a.emailAddress);
    const cc = recipients.filter((a) => a.type === 'optional').map((a) => a.emailAddress);
    const body: EventRecord['body'] = comment !== null && comment !== '' ? { contentType: 'html', content: textToHtml(comment) } : org.body;
    const template: JsonObject = {
      '@odata.type': '#microsoft.graph.eventMessage',
      ...messageBase(org, meeting, `Canceled: ${org.subject}`, org.organizer, to, cc, body),
      importance: 'high',
      meetingMessageType: 'meetingCancelled',
    };
    for (const userId of userIds) deliverTo(userId, 'inbox', structuredClone(template), meeting.copies.get(userId) ?? null);
    deliverTo(org.userId, 'sentitems', template, null);
  }

  // -- meeting propagation ---------------------------------------------------------------------------------------

  function tenantAttendeeIds(rec: EventRecord): string[] {
    const ids: string[] = [];
    for (const a of rec.attendees) {
      const user = directory.byAddress(a.emailAddress.address);
      if (user && user.id !== rec.userId && !ids.includes(user.id)) ids.push(user.id);
    }
    return ids;
  }

  function copyAttendees(org: EventRecord, forUser: SeedUser): AttendeeRecord[] {
    const list = org.hideAttendees ? org.attendees.filter((a) => sameAddress(a.emailAddress.address, forUser.userPrincipalName)) : org.attendees;
    return list.map((a) => ({ ...a, emailAddress: { ...a.emailAddress }, status: { response: 'none', time: never }, proposedNewTime: null }));
  }

  function createCopy(org: EventRecord, meeting: Meeting, userId: string): EventRecord {
    const user = userOf(userId);
    const at = stamp();
    const copy: EventRecord = {
      ...structuredClone(org),
      id: newItemId(),
      userId,
      createdDateTime: at,
      lastModifiedDateTime: at,
      changeKey: newChangeKey(),
      categories: [],
      transactionId: null,
      isOrganizer: false,
      isCancelled: false,
      // An unanswered request holds the time tentatively, as Exchange places it.
      showAs: 'tentative',
      isReminderOn: true,
      reminderMinutesBeforeStart: 15,
      responseStatus: { response: 'notResponded', time: never },
      attendees: copyAttendees(org, user),
    };
    storeOf(userId).set(copy.id, copy);
    meeting.copies.set(userId, copy.id);
    publish(copy, 'created');
    return copy;
  }

  function cancelCopy(meeting: Meeting, userId: string): void {
    const copyId = meeting.copies.get(userId);
    const copy = copyId === undefined ? undefined : stores.get(userId)?.get(copyId);
    if (!copy || copy.isCancelled) return;
    copy.isCancelled = true;
    copy.showAs = 'free';
    if (!copy.subject.startsWith('Canceled: ')) copy.subject = `Canceled: ${copy.subject}`;
    touch(copy);
    publish(copy, 'updated');
  }

  /** The organizer removes the meeting: attendees' copies are cancelled and they are told. */
  function cancelMeeting(org: EventRecord, comment: string | null): void {
    const meeting = meetings.get(org.iCalUId);
    const attendeeIds = meeting ? [...meeting.copies.keys()] : [];
    removeRecord(org);
    if (!meeting) return;
    for (const userId of attendeeIds) cancelCopy(meeting, userId);
    // Everyone still on the list is told, also those who had already removed their copy.
    if (org.attendees.length > 0) sendCancellations(org, meeting, tenantAttendeeIds(org), comment);
  }

  function removeRecord(rec: EventRecord): void {
    stores.get(rec.userId)?.delete(rec.id);
    let dead = tombstones.get(rec.userId);
    if (!dead) tombstones.set(rec.userId, (dead = new Map<string, EventRecord>()));
    dead.set(rec.id, rec);
    publish(rec, 'deleted');
    const meeting = meetings.get(rec.iCalUId);
    if (!meeting) return;
    if (rec.isOrganizer && meeting.organizerEventId === rec.id) meeting.organizerEventId = '';
    else if (meeting.copies.get(rec.userId) === rec.id) meeting.copies.delete(rec.userId);
    if (meeting.organizerEventId === '' && meeting.copies.size === 0) meetings.delete(rec.iCalUId);
  }

  function applyFields(rec: EventRecord, input: JsonObject, organizerId: string): void {
    if ('subject' in input) rec.subject = typeof input['subject'] === 'string' ? input['subject'] : '';
    if ('body' in input) rec.body = storedBody(input['body'] as JsonObject | null);
    if ('location' in input) {
      rec.location = storedLocation(input['location'] as JsonObject | null);
      if (!('locations' in input)) rec.locations = storedLocations(undefined, rec.location);
    }
    if ('locations' in input) {
      rec.locations = storedLocations(input['locations'] ?? [], rec.location);
      if (!('location' in input)) {
        const names = rec.locations.map((l) => l['displayName']).filter((n): n is string => typeof n === 'string' && n !== '');
        rec.location = storedLocation(names.length > 0 ? { displayName: names.join('; ') } : null);
      }
    }
    const flag = (name: 'isAllDay' | 'isReminderOn' | 'responseRequested' | 'isOnlineMeeting' | 'allowNewTimeProposals' | 'hideAttendees', fallback: boolean) => {
      if (name in input) rec[name] = typeof input[name] === 'boolean' ? input[name] : fallback;
    };
    flag('isAllDay', false);
    flag('isReminderOn', true);
    flag('responseRequested', true);
    flag('isOnlineMeeting', false);
    flag('allowNewTimeProposals', true);
    flag('hideAttendees', false);
    const text = (name: 'showAs' | 'sensitivity' | 'importance' | 'onlineMeetingProvider', fallback: string) => {
      if (name in input) rec[name] = typeof input[name] === 'string' ? input[name] : fallback;
    };
    text('showAs', 'busy');
    text('sensitivity', 'normal');
    text('importance', 'normal');
    text('onlineMeetingProvider', 'unknown');
    if ('isOnlineMeeting' in input && rec.isOnlineMeeting && !('onlineMeetingProvider' in input) && rec.onlineMeetingProvider === 'unknown') {
      // The tenant's default online meeting provider.
      rec.onlineMeetingProvider = 'teamsForBusiness';
    }
    if (!rec.isOnlineMeeting) rec.onlineMeetingProvider = 'unknown';
    rec.onlineMeeting = onlineMeetingOf(rec, organizerId, rec.onlineMeeting);
    if ('reminderMinutesBeforeStart' in input) rec.reminderMinutesBeforeStart = typeof input['reminderMinutesBeforeStart'] === 'number' ? input['reminderMinutesBeforeStart'] : 15;
    if ('categories' in input) rec.categories = Array.isArray(input['categories']) ? input['categories'].filter((c): c is string => typeof c === 'string') : [];
    if ('transactionId' in input) rec.transactionId = typeof input['transactionId'] === 'string' ? input['transactionId'] : null;
    if ('originalStartTimeZone' in input && typeof input['originalStartTimeZone'] === 'string') rec.originalStartTimeZone = input['originalStartTimeZone'];
    if ('originalEndTimeZone' in input && typeof input['originalEndTimeZone'] === 'string') rec.originalEndTimeZone = input['originalEndTimeZone'];
    if ('recurrence' in input) {
      const r = input['recurrence'];
      const startDate = renderDateTime(rec.startMs, zoneOfRecord(rec, 'start')).dateTime.slice(0, 10);
      rec.recurrence = r !== null && typeof r === 'object' && !Array.isArray(r) ? storedRecurrence(r, rec.startZone, startDate) : null;
    }
  }

  function checkAllDay(rec: EventRecord): void {
    if (!rec.isAllDay) return;
    const midnight = (ms: number, zone: string) => renderDateTime(ms, { label: zone, iana: resolveZone(zone) ?? 'UTC' }).dateTime.endsWith('T00:00:00.0000000');
    if (!midnight(rec.startMs, rec.startZone) || !midnight(rec.endMs, rec.endZone) || rec.endMs === rec.startMs) throw propertyValidationFailure();
  }

  function respondTo(rec: EventRecord, action: ResponseAction, opts: RespondOptions): void {
    if (rec.isOrganizer) throw invalidRequest("You can't respond to a meeting you organized.");
    if (rec.isCancelled) throw invalidRequest("You can't respond to a meeting that's been canceled.");
    const sendResponse = opts.sendResponse ?? true;
    const meeting = meetings.get(rec.iCalUId);
    let proposed: JsonObject | null = null;
    if (opts.proposedNewTime !== undefined && opts.proposedNewTime !== null) {
      if (action === 'accept') throw requestBodyRead("The parameter 'proposedNewTime' in the request payload is not a valid parameter for the operation 'accept'.");
      if (!sendResponse) throw invalidRequest('Your request can\'t be completed. A new time can only be proposed when sendResponse is true.');
      if (!rec.allowNewTimeProposals) throw invalidRequest("Your request can't be completed. The organizer doesn't allow new time proposals for this meeting.");
      proposed = readTimeSlot(opts.proposedNewTime);
    }
    const response = action === 'accept' ? 'accepted' : action === 'decline' ? 'declined' : 'tentativelyAccepted';
    const at = stamp();
    rec.responseStatus = { response, time: at };
    rec.showAs = action === 'accept' ? (meeting?.showAs ?? 'busy') : action === 'decline' ? 'free' : 'tentative';
    const user = userOf(rec.userId);
    for (const a of rec.attendees) if (sameAddress(a.emailAddress.address, user.userPrincipalName)) a.status = { response, time: at };
    touch(rec);
    publish(rec, 'updated');
    if (!sendResponse || !meeting) return;

    const org = meeting.organizerEventId === '' ? undefined : stores.get(meeting.organizerId)?.get(meeting.organizerEventId);
    if (org) {
      for (const a of org.attendees) {
        if (!sameAddress(a.emailAddress.address, user.userPrincipalName)) continue;
        a.status = { response, time: at };
        a.proposedNewTime = proposed;
      }
      touch(org);
      publish(org, 'updated');
    }
    const prefix = proposed ? 'New Time Proposed' : action === 'accept' ? 'Accepted' : action === 'decline' ? 'Declined' : 'Tentative';
    const comment = opts.comment ?? '';
    const body: EventRecord['body'] = { contentType: 'html', content: comment === '' ? '' : textToHtml(comment) };
    const source = org ?? rec;
    const message: JsonObject = {
      '@odata.type': '#microsoft.graph.eventMessageResponse',
      ...messageBase(source, meeting, `${prefix}: ${rec.subject}`, recipientOf(user), [rec.organizer], [], body),
      meetingMessageType: action === 'accept' ? 'meetingAccepted' : action === 'decline' ? 'meetingDeclined' : 'meetingTenativelyAccepted',
      responseType: response,
      proposedNewTime: proposed,
    };
    const organizer = directory.find(meeting.organizerId);
    if (organizer) deliverTo(organizer.id, 'inbox', structuredClone(message), org?.id ?? null);
    deliverTo(rec.userId, 'sentitems', message, rec.id);
  }

  function readTimeSlot(value: JsonObject): JsonObject {
    const slot = readObject(value, 'timeSlot');
    const start = slot['start'] as JsonObject | null | undefined;
    const end = slot['end'] as JsonObject | null | undefined;
    if (!start || !end || typeof start['dateTime'] !== 'string' || typeof end['dateTime'] !== 'string') throw propertyValidationFailure();
    const startTz = typeof start['timeZone'] === 'string' ? start['timeZone'] : 'UTC';
    const endTz = typeof end['timeZone'] === 'string' ? end['timeZone'] : 'UTC';
    const startMs = instantOf({ dateTime: start['dateTime'], timeZone: startTz });
    const endMs = instantOf({ dateTime: end['dateTime'], timeZone: endTz });
    if (endMs < startMs) throw propertyValidationFailure();
    return {
      start: renderDateTime(startMs, { label: startTz, iana: resolveZone(startTz) ?? 'UTC' }),
      end: renderDateTime(endMs, { label: endTz, iana: resolveZone(endTz) ?? 'UTC' }),
    };
  }

  // -- the API -------------------------------------------------------------------------------------------------

  const service: CalendarService = {
    createEvent(userId, event, opts = {}) {
      const user = userOf(userId);
      const input = readEventBody(event);
      const store = storeOf(user.id);
      const transactionId = input['transactionId'];
      if (typeof transactionId === 'string' && transactionId !== '') {
        // Graph's idempotency: the same transactionId from the same organizer gives back the event already made.
        for (const existing of store.values()) if (existing.isOrganizer && existing.transactionId === transactionId) return render(existing, opts, { startZone: true });
      }
      const t = times(input, null);
      const organizer = recipientOf(user);
      const at = stamp();
      const rec: EventRecord = {
        id: newItemId(),
        userId: user.id,
        iCalUId: newICalUId(),
        createdDateTime: at,
        lastModifiedDateTime: at,
        changeKey: newChangeKey(),
        ...t,
        subject: '',
        body: storedBody(null),
        categories: [],
        transactionId: null,
        originalStartTimeZone: t.startZone,
        originalEndTimeZone: t.endZone,
        reminderMinutesBeforeStart: 15,
        isReminderOn: true,
        importance: 'normal',
        sensitivity: 'normal',
        isAllDay: false,
        isCancelled: false,
        isOrganizer: true,
        responseRequested: true,
        showAs: 'busy',
        isOnlineMeeting: false,
        onlineMeetingProvider: 'unknown',
        onlineMeeting: null,
        allowNewTimeProposals: true,
        hideAttendees: false,
        responseStatus: { response: 'organizer', time: never },
        location: storedLocation(null),
        locations: [],
        recurrence: null,
        attendees: attendeesOf(input['attendees'], organizer),
        organizer,
      };
      applyFields(rec, input, user.id);
      checkAllDay(rec);
      store.set(rec.id, rec);
      publish(rec, 'created');
      const meeting: Meeting = { iCalUId: rec.iCalUId, organizerId: user.id, organizerEventId: rec.id, copies: new Map(), conversationId: newConversationId(), showAs: rec.showAs };
      meetings.set(rec.iCalUId, meeting);
      const attendeeIds = tenantAttendeeIds(rec);
      for (const attendeeId of attendeeIds) createCopy(rec, meeting, attendeeId);
      if (rec.attendees.length > 0) sendRequests(rec, meeting, attendeeIds, 'newMeetingRequest', null);
      return render(rec, opts, { startZone: true });
    },

    getEvent(userId, eventId, opts = {}) {
      const user = userOf(userId);
      const { rec, occurrence } = findForRead(user.id, eventId);
      if (!occurrence) return render(rec, opts);
      const hit = occurrenceOn(rec, occurrence.date);
      if (!hit) throw eventNotFound();
      return render(rec, opts, {}, { ...hit, id: eventId });
    },

    listEvents(userId, opts = {}) {
      const user = userOf(userId);
      return [...(stores.get(user.id)?.values() ?? [])].map((rec) => render(rec, opts));
    },

    updateEvent(userId, eventId, patch, opts = {}) {
      const user = userOf(userId);
      const occurrence = occurrenceFor(user.id, eventId);
      if (occurrence) {
        const input = readEventBody(patch);
        updateOccurrence(user, occurrence.master, occurrence.ref.date, input);
        const hit = occurrenceOn(occurrence.master, occurrence.ref.date);
        if (!hit) throw eventNotFound();
        return render(occurrence.master, opts, { startZone: true }, { ...hit, id: eventId });
      }
      const rec = findForWrite(user.id, eventId);
      const input = readEventBody(patch);
      const before = structuredClone(rec);
      const t = 'start' in input || 'end' in input ? times(input, rec) : null;
      const candidate = structuredClone(rec);
      if (t) Object.assign(candidate, t);
      if (t && 'start' in input) candidate.originalStartTimeZone = t.startZone;
      if (t && 'end' in input) candidate.originalEndTimeZone = t.endZone;
      applyFields(candidate, input, rec.isOrganizer ? user.id : (directory.byAddress(rec.organizer.address)?.id ?? user.id));
      if ('attendees' in input) {
        if (!rec.isOrganizer) throw invalidRequest("Your request can't be completed. Only the organizer can change the attendees of a meeting.");
        const next = attendeesOf(input['attendees'], rec.organizer);
        // Attendees who stay keep their response.
        candidate.attendees = next.map((a) => rec.attendees.find((old) => sameAddress(old.emailAddress.address, a.emailAddress.address)) ?? a);
      }
      checkAllDay(candidate);
      Object.assign(rec, candidate);
      const timeChanged = before.startMs !== rec.startMs || before.endMs !== rec.endMs || before.isAllDay !== rec.isAllDay || JSON.stringify(before.recurrence) !== JSON.stringify(rec.recurrence);
      if (timeChanged && rec.isOrganizer) for (const a of rec.attendees) a.status = { response: 'none', time: never };
      touch(rec);
      publish(rec, 'updated');
      if (rec.isOrganizer) propagate(before, rec, timeChanged);
      return render(rec, opts, { startZone: true });
    },

    deleteEvent(userId, eventId, opts = {}) {
      const user = userOf(userId);
      const rec = findForWrite(user.id, eventId);
      if (rec.isOrganizer) {
        cancelMeeting(rec, opts.comment ?? null);
        return;
      }
      if (opts.sendResponse && !rec.isCancelled) respondTo(rec, 'decline', { sendResponse: true, comment: opts.comment ?? null });
      removeRecord(rec);
    },

    cancelEvent(userId, eventId, comment) {
      const user = userOf(userId);
      const rec = findForWrite(user.id, eventId);
      if (!rec.isOrganizer) throw invalidRequest("Your request can't be completed. You need to be an organizer to cancel a meeting.");
      cancelMeeting(rec, comment ?? null);
    },

    respond(userId, eventId, action, opts = {}) {
      const user = userOf(userId);
      const rec = findForWrite(user.id, eventId);
      respondTo(rec, action, opts);
    },

    instances(userId, eventId, start, end, opts = {}) {
      const user = userOf(userId);
      const rec = find(user.id, eventId);
      if (!rec.recurrence) return [];
      return instances(rec, start.getTime(), end.getTime())
        .filter((o): o is NonNullable<typeof o> => o !== null)
        .sort((a, b) => a.startMs - b.startMs)
        .map((o) => render(rec, opts, {}, o));
    },

    calendarView(userId, start, end, opts = {}) {
      const user = userOf(userId);
      const fromMs = start.getTime();
      const toMs = end.getTime();
      const out: Array<{ startMs: number; item: JsonObject }> = [];
      for (const rec of stores.get(user.id)?.values() ?? []) {
        for (const o of instances(rec, fromMs, toMs)) out.push({ startMs: o?.startMs ?? rec.startMs, item: render(rec, opts, {}, o) });
      }
      return out.sort((a, b) => a.startMs - b.startMs).map((x) => x.item);
    },

    viewChanges(userId, start, end, sinceSeq, opts = {}) {
      const user = userOf(userId);
      const fromMs = start.getTime();
      const toMs = end.getTime();
      const touched = new Set<string>();
      for (const c of changes.since(sinceSeq)) if (c.userId === user.id && c.kind === 'event') touched.add(c.itemId);
      const changed: JsonObject[] = [];
      const removed: string[] = [];
      for (const id of touched) {
        const live = stores.get(user.id)?.get(id);
        if (live) {
          const items = renderInstances(live, fromMs, toMs, opts);
          if (items.length > 0) changed.push(...items);
          else removed.push(id);
          continue;
        }
        const dead = tombstones.get(user.id)?.get(id);
        if (dead?.recurrence) removed.push(...instances(dead, fromMs, toMs).map((o) => o?.id ?? dead.id));
        else removed.push(id);
      }
      return { changed, removed };
    },

    freeBusy(userId, fromMs, toMs) {
      const items: FreeBusyItem[] = [];
      for (const rec of stores.get(userId)?.values() ?? []) {
        if (rec.isCancelled || rec.responseStatus.response === 'declined') continue;
        if (rec.showAs === 'free' || rec.showAs === 'unknown') continue;
        for (const o of instances(rec, fromMs, toMs)) {
          items.push({
            startMs: o?.startMs ?? rec.startMs,
            endMs: o?.endMs ?? rec.endMs,
            status: rec.showAs as BusyStatus,
            subject: rec.subject,
            location: typeof rec.location['displayName'] === 'string' ? rec.location['displayName'] : '',
            isPrivate: rec.sensitivity === 'private',
          });
        }
      }
      return items.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
    },

    eventIdForMessage(userId, messageId) {
      const user = directory.find(userId);
      if (!user) return null;
      const eventId = messageEvents.get(`${user.id}|${messageId}`);
      return eventId !== undefined && stores.get(user.id)?.has(eventId) ? eventId : null;
    },
  };

  /** The organizer changed the meeting: attendees' copies follow; requests tell them; removed people are cancelled. */
  function propagate(before: EventRecord, org: EventRecord, timeChanged: boolean): void {
    let meeting = meetings.get(org.iCalUId);
    if (!meeting) {
      meeting = { iCalUId: org.iCalUId, organizerId: org.userId, organizerEventId: org.id, copies: new Map(), conversationId: newConversationId(), showAs: org.showAs };
      meetings.set(org.iCalUId, meeting);
    }
    meeting.showAs = org.showAs;
    const wanted = tenantAttendeeIds(org);
    const removedIds = [...meeting.copies.keys()].filter((id) => !wanted.includes(id));
    const addedIds = wanted.filter((id) => !meeting.copies.has(id));
    const keptIds = wanted.filter((id) => meeting.copies.has(id));
    const detailsChanged = before.subject !== org.subject || before.body.content !== org.body.content || JSON.stringify(before.location) !== JSON.stringify(org.location) || JSON.stringify(before.locations) !== JSON.stringify(org.locations);

    for (const userId of keptIds) {
      const copyId = meeting.copies.get(userId);
      const copy = copyId === undefined ? undefined : stores.get(userId)?.get(copyId);
      if (!copy) continue;
      const user = userOf(userId);
      for (const key of propagated) (copy as unknown as Record<string, unknown>)[key] = structuredClone(org[key]);
      copy.startMs = org.startMs;
      copy.endMs = org.endMs;
      copy.startZone = org.startZone;
      copy.endZone = org.endZone;
      copy.originalStartTimeZone = org.originalStartTimeZone;
      copy.originalEndTimeZone = org.originalEndTimeZone;
      const ownStatus = copy.attendees.find((a) => sameAddress(a.emailAddress.address, user.userPrincipalName))?.status;
      copy.attendees = copyAttendees(org, user);
      if (timeChanged) {
        // A new time needs a new answer.
        copy.responseStatus = { response: 'notResponded', time: never };
        copy.showAs = 'tentative';
      } else {
        for (const a of copy.attendees) if (ownStatus && sameAddress(a.emailAddress.address, user.userPrincipalName)) a.status = ownStatus;
        if (copy.responseStatus.response === 'accepted') copy.showAs = org.showAs;
      }
      touch(copy);
      publish(copy, 'updated');
    }
    for (const userId of addedIds) createCopy(org, meeting, userId);
    for (const userId of removedIds) cancelCopy(meeting, userId);
    const removedPeople = before.attendees.filter((a) => !org.attendees.some((b) => sameAddress(a.emailAddress.address, b.emailAddress.address)));
    if (removedPeople.length > 0) {
      sendCancellations(org, meeting, removedIds, null, removedPeople);
      for (const userId of removedIds) meeting.copies.delete(userId);
    }
    const previous = { startMs: before.startMs, endMs: before.endMs, location: before.location };
    if (addedIds.length > 0) sendRequests(org, meeting, addedIds, 'newMeetingRequest', null);
    if (org.attendees.length > 0 && (timeChanged || detailsChanged)) sendRequests(org, meeting, keptIds, timeChanged ? 'fullUpdate' : 'informationalUpdate', previous);
  }

  // `$expand=microsoft.graph.eventMessage/event` on a meeting message: the event in the message's mailbox.
  mail.setEventResolver((userId, message) => {
    const messageId = message['id'];
    const eventId = typeof messageId === 'string' ? service.eventIdForMessage(userId, messageId) : null;
    const user = directory.find(userId);
    const rec = eventId === null || !user ? undefined : stores.get(user.id)?.get(eventId);
    return rec ? render(rec) : null;
  });

  return service;
}
