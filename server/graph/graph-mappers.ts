// Pure functions from Graph's JSON to the domain's snapshots (MailMessage, CalendarEvent, Schedule, MailboxSettings,
// DirectoryPerson) and delta pages. Parsing is lenient (zod strips unknown fields; unknown enum values fall back),
// but a missing required field is a GatewayError 'invalid' naming it. Event times come as `dateTime` without offset
// plus a `timeZone` (Windows or IANA name). Imports: server/domain/mailbox, zod, luxon, windows-iana.
import { DateTime, IANAZone } from 'luxon';
import { findIana } from 'windows-iana';
import { z } from 'zod';
import {
  GatewayError,
  type AttendeeResponse,
  type CalendarEvent,
  type DirectoryPerson,
  type EmailAddress,
  type EventAttendee,
  type FreeBusy,
  type MailboxSettings,
  type MailMessage,
  type Schedule,
  type ShowAs,
  type WorkingHours,
} from '../domain/mailbox';

// ---- shared pieces -------------------------------------------------------------------------------------------

const optionalString = z.string().nullish();
const emailAddressSchema = z.object({ address: optionalString, name: optionalString }).nullish();
const recipientSchema = z.object({ emailAddress: emailAddressSchema }).nullish();
const dateTimeTimeZoneSchema = z.object({ dateTime: z.string(), timeZone: optionalString });
const customZoneSchema = z.object({ name: optionalString, bias: z.number().nullish() }).nullish();

function parse<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
  throw new GatewayError('invalid', `Graph ${what}: field '${field}' ${issue?.message ?? 'is invalid'}`, { cause: result.error });
}

/** An instant from an ISO string; null when absent, unparseable, or Graph's "no time" (year 1). */
export function instant(value: string | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const dt = DateTime.fromISO(value, { zone: 'utc' });
  if (!dt.isValid || dt.year <= 1) return null;
  return dt.toJSDate();
}

/** A Windows zone name (`Pacific Standard Time`), an IANA name or `UTC` → an IANA name; null when unknown. */
export function ianaZone(name: string | null | undefined): string | null {
  if (name === null || name === undefined || name.trim() === '') return null;
  const trimmed = name.trim();
  if (/^(utc|gmt|z)$/i.test(trimmed)) return 'UTC';
  if (IANAZone.isValidZone(trimmed) && trimmed.includes('/')) return trimmed;
  const zone = findIana(trimmed).find((z) => IANAZone.isValidZone(z));
  return zone ?? null;
}

/**
 * A customTimeZone (`bias` in minutes, UTC = local + bias) → a fixed-offset zone: `Etc/GMT+8` for whole hours,
 * otherwise luxon's `UTC+3:20`. Daylight rules of a custom zone are not kept.
 */
function zoneOfBias(bias: number): string {
  if (bias === 0) return 'UTC';
  if (bias % 60 === 0 && Math.abs(bias) <= 12 * 60) return `Etc/GMT${bias > 0 ? '+' : '-'}${Math.abs(bias) / 60}`;
  const offset = -bias;
  const h = Math.floor(Math.abs(offset) / 60);
  const m = Math.abs(offset) % 60;
  return `UTC${offset >= 0 ? '+' : '-'}${h}:${String(m).padStart(2, '0')}`;
}

function zoneOf(tz: z.infer<typeof customZoneSchema>, what: string): string {
  const named = ianaZone(tz?.name);
  if (named !== null) return named;
  if (typeof tz?.bias === 'number') return zoneOfBias(tz.bias);
  throw new GatewayError('invalid', `Graph ${what}: unknown time zone '${tz?.name ?? ''}'`);
}

/** `{ dateTime: '2016-12-09T20:30:00.0000000', timeZone: 'UTC' }` → the instant. */
export function zonedInstant(value: z.infer<typeof dateTimeTimeZoneSchema>, what: string): Date {
  const zone = ianaZone(value.timeZone ?? 'UTC');
  if (zone === null) throw new GatewayError('invalid', `Graph ${what}: unknown time zone '${value.timeZone ?? ''}'`);
  const dt = DateTime.fromISO(value.dateTime, { zone });
  if (!dt.isValid) throw new GatewayError('invalid', `Graph ${what}: '${value.dateTime}' is not a date-time`);
  return dt.toJSDate();
}

function emailOf(value: z.infer<typeof emailAddressSchema>): EmailAddress | null {
  const address = value?.address;
  if (address === null || address === undefined || address === '') return null;
  return value?.name === null || value?.name === undefined ? { address } : { address, name: value.name };
}

function recipients(list: readonly z.infer<typeof recipientSchema>[] | null | undefined): EmailAddress[] {
  return (list ?? []).map((r) => emailOf(r?.emailAddress)).filter((e): e is EmailAddress => e !== null);
}

function oneOf<T extends string>(values: readonly T[], value: string | null | undefined, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  return values.find((v) => v.toLowerCase() === value.toLowerCase()) ?? fallback;
}

// ---- messages ------------------------------------------------------------------------------------------------

const messageSchema = z.object({
  id: z.string().min(1),
  internetMessageId: optionalString,
  conversationId: optionalString,
  subject: optionalString,
  from: recipientSchema,
  toRecipients: z.array(recipientSchema).nullish(),
  ccRecipients: z.array(recipientSchema).nullish(),
  sentDateTime: optionalString,
  receivedDateTime: optionalString,
  isDraft: z.boolean().nullish(),
  internetMessageHeaders: z.array(z.object({ name: z.string(), value: z.string().nullish() })).nullish(),
  webLink: optionalString,
});

/** The fields the mapper reads: the gateway's `$select` for messages. */
export const messageSelect = [
  'id', 'internetMessageId', 'conversationId', 'subject', 'from', 'toRecipients', 'ccRecipients', 'sentDateTime', 'receivedDateTime',
  'isDraft', 'internetMessageHeaders', 'webLink',
] as const;

export function toMailMessage(json: unknown, folder: string | null = null): MailMessage {
  const m = parse(messageSchema, json, 'message');
  const headers = new Map<string, string>();
  for (const h of m.internetMessageHeaders ?? []) headers.set(h.name.toLowerCase(), h.value ?? '');
  return {
    id: m.id,
    internetMessageId: m.internetMessageId ?? null,
    conversationId: m.conversationId ?? null,
    subject: m.subject ?? '',
    from: emailOf(m.from?.emailAddress),
    to: recipients(m.toRecipients),
    cc: recipients(m.ccRecipients),
    sentAt: instant(m.sentDateTime),
    receivedAt: instant(m.receivedDateTime),
    isDraft: m.isDraft ?? false,
    headers,
    webLink: m.webLink ?? null,
    folder,
  };
}

// ---- events --------------------------------------------------------------------------------------------------

const responses: readonly AttendeeResponse[] = ['none', 'organizer', 'tentativelyAccepted', 'accepted', 'declined', 'notResponded'];
const showAsValues: readonly ShowAs[] = ['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown'];
const responseStatusSchema = z.object({ response: optionalString, time: optionalString }).nullish();

const eventSchema = z.object({
  id: z.string().min(1),
  iCalUId: optionalString,
  subject: optionalString,
  start: dateTimeTimeZoneSchema,
  end: dateTimeTimeZoneSchema,
  isAllDay: z.boolean().nullish(),
  isCancelled: z.boolean().nullish(),
  isOrganizer: z.boolean().nullish(),
  organizer: recipientSchema,
  attendees: z
    .array(
      z
        .object({
          type: optionalString,
          status: responseStatusSchema,
          emailAddress: emailAddressSchema,
          proposedNewTime: z.object({ start: dateTimeTimeZoneSchema, end: dateTimeTimeZoneSchema }).nullish(),
        })
        .nullish(),
    )
    .nullish(),
  responseStatus: responseStatusSchema,
  showAs: optionalString,
  sensitivity: optionalString,
  transactionId: optionalString,
  onlineMeeting: z.object({ joinUrl: optionalString }).nullish(),
  onlineMeetingUrl: optionalString,
  webLink: optionalString,
  type: optionalString,
  lastModifiedDateTime: optionalString,
  seriesMasterId: optionalString,
});

/** The fields the mapper reads: the gateway's `$select` for events. */
export const eventSelect = [
  'id', 'iCalUId', 'subject', 'start', 'end', 'isAllDay', 'isCancelled', 'isOrganizer', 'organizer', 'attendees', 'responseStatus',
  'showAs', 'sensitivity', 'transactionId', 'onlineMeeting', 'webLink', 'type', 'lastModifiedDateTime', 'seriesMasterId',
] as const;

export function toCalendarEvent(json: unknown): CalendarEvent {
  const e = parse(eventSchema, json, 'event');
  const attendees: EventAttendee[] = [];
  for (const a of e.attendees ?? []) {
    const email = emailOf(a?.emailAddress);
    if (!a || !email) continue;
    attendees.push({
      address: email.address,
      name: email.name ?? null,
      type: oneOf(['required', 'optional', 'resource'] as const, a.type, 'required'),
      response: oneOf(responses, a.status?.response, 'none'),
      respondedAt: instant(a.status?.time),
      ...(a.proposedNewTime ? { proposedNewTime: { start: zonedInstant(a.proposedNewTime.start, 'proposed start'), end: zonedInstant(a.proposedNewTime.end, 'proposed end') } } : {}),
    });
  }
  return {
    id: e.id,
    iCalUId: e.iCalUId ?? null,
    subject: e.subject ?? '',
    start: zonedInstant(e.start, 'event start'),
    end: zonedInstant(e.end, 'event end'),
    isAllDay: e.isAllDay ?? false,
    isCancelled: e.isCancelled ?? false,
    isOrganizer: e.isOrganizer ?? false,
    organizer: emailOf(e.organizer?.emailAddress),
    attendees,
    response: oneOf(responses, e.responseStatus?.response, 'none'),
    respondedAt: instant(e.responseStatus?.time),
    showAs: oneOf(showAsValues, e.showAs, 'unknown'),
    sensitivity: oneOf(['normal', 'personal', 'private', 'confidential'] as const, e.sensitivity, 'normal'),
    transactionId: e.transactionId ?? null,
    joinUrl: e.onlineMeeting?.joinUrl ?? e.onlineMeetingUrl ?? null,
    webLink: e.webLink ?? null,
    type: oneOf(['singleInstance', 'occurrence', 'exception', 'seriesMaster'] as const, e.type, 'singleInstance'),
    lastModifiedAt: instant(e.lastModifiedDateTime),
    seriesMasterId: e.seriesMasterId ?? null,
  };
}

// ---- working hours, schedules, mailbox settings -------------------------------------------------------------

const days = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const workingHoursSchema = z.object({
  daysOfWeek: z.array(z.string()),
  startTime: z.string(),
  endTime: z.string(),
  timeZone: customZoneSchema,
});

/** `08:00:00.0000000` → `08:00:00`. */
function wallClock(t: string): string {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?/.exec(t);
  return m ? `${m[1] ?? '00'}:${m[2] ?? '00'}:${m[3] ?? '00'}` : t;
}

function toWorkingHours(w: z.infer<typeof workingHoursSchema> | null | undefined, what: string): WorkingHours | null {
  if (!w) return null;
  return {
    daysOfWeek: w.daysOfWeek.map((d) => d.toLowerCase()).filter((d): d is (typeof days)[number] => (days as readonly string[]).includes(d)),
    startTime: wallClock(w.startTime),
    endTime: wallClock(w.endTime),
    timeZone: zoneOf(w.timeZone, `${what} working hours`),
  };
}

const freeBusy: readonly FreeBusy[] = ['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown'];
const scheduleSchema = z.object({
  scheduleId: z.string(),
  error: z.object({ message: optionalString, responseCode: optionalString }).nullish(),
  scheduleItems: z.array(z.object({ status: optionalString, subject: optionalString, start: dateTimeTimeZoneSchema, end: dateTimeTimeZoneSchema })).nullish(),
  workingHours: workingHoursSchema.nullish(),
});

export function toSchedule(json: unknown): Schedule {
  const s = parse(scheduleSchema, json, 'scheduleInformation');
  return {
    scheduleId: s.scheduleId,
    error: s.error ? (s.error.message ?? s.error.responseCode ?? 'error') : null,
    items: (s.scheduleItems ?? []).map((i) => ({
      start: zonedInstant(i.start, 'schedule item start'),
      end: zonedInstant(i.end, 'schedule item end'),
      status: oneOf(freeBusy, i.status, 'unknown'),
      subject: i.subject ?? null,
    })),
    workingHours: toWorkingHours(s.workingHours, `schedule ${s.scheduleId}`),
  };
}

const mailboxSettingsSchema = z.object({
  timeZone: z.string(),
  workingHours: workingHoursSchema.nullish(),
  automaticRepliesSetting: z
    .object({ status: optionalString, scheduledStartDateTime: dateTimeTimeZoneSchema.nullish(), scheduledEndDateTime: dateTimeTimeZoneSchema.nullish() })
    .nullish(),
});

export function toMailboxSettings(json: unknown): MailboxSettings {
  const s = parse(mailboxSettingsSchema, json, 'mailboxSettings');
  const timeZone = ianaZone(s.timeZone);
  if (timeZone === null) throw new GatewayError('invalid', `Graph mailboxSettings: unknown time zone '${s.timeZone}'`);
  const replies = s.automaticRepliesSetting;
  return {
    timeZone,
    workingHours: toWorkingHours(s.workingHours, 'mailbox'),
    automaticReplies: {
      status: oneOf(['disabled', 'alwaysEnabled', 'scheduled'] as const, replies?.status, 'disabled'),
      scheduledStart: replies?.scheduledStartDateTime ? zonedInstant(replies.scheduledStartDateTime, 'automatic replies start') : null,
      scheduledEnd: replies?.scheduledEndDateTime ? zonedInstant(replies.scheduledEndDateTime, 'automatic replies end') : null,
    },
  };
}

// ---- directory -----------------------------------------------------------------------------------------------

const personSchema = z.object({ id: z.string().min(1), displayName: optionalString, mail: optionalString, userPrincipalName: optionalString });
export const personSelect = ['id', 'displayName', 'mail', 'userPrincipalName'] as const;

export function toDirectoryPerson(json: unknown): DirectoryPerson {
  const p = parse(personSchema, json, 'user');
  return { id: p.id, displayName: p.displayName ?? '', mail: p.mail ?? null, userPrincipalName: p.userPrincipalName ?? null };
}

// ---- collections and delta pages -----------------------------------------------------------------------------

const pageSchema = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.string().nullish(),
  '@odata.deltaLink': z.string().nullish(),
});

export interface GraphPage<T> {
  readonly items: readonly T[];
  /** Ids of `@removed` items (delta pages). */
  readonly removed: readonly string[];
  readonly nextLink: string | null;
  readonly deltaLink: string | null;
}

/** One collection or delta page: `@removed` entries go to `removed`, the rest through `map`. */
export function toPage<T>(json: unknown, map: (item: unknown) => T): GraphPage<T> {
  const page = parse(pageSchema, json, 'collection');
  const items: T[] = [];
  const removed: string[] = [];
  for (const raw of page.value) {
    const rec = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : null;
    if (rec && rec['@removed'] !== undefined) {
      if (typeof rec['id'] !== 'string') throw new GatewayError('invalid', "Graph collection: field 'id' of a @removed item is missing");
      removed.push(rec['id']);
    } else {
      items.push(map(raw));
    }
  }
  return { items, removed, nextLink: page['@odata.nextLink'] ?? null, deltaLink: page['@odata.deltaLink'] ?? null };
}
