// What Baton needs from the SDRs' and AEs' Microsoft 365 mailboxes, in the domain's words: the ports the engine
// consumes (`MailboxGateway`, `SubscriptionGateway`) and the snapshots they return. No Graph or SDK type leaks here;
// the Graph adapter (server/graph/) maps to and from these. Pure types and one error class; imports nothing.

/** The closed set of ways a mailbox call can fail; each code maps to one action in one place (the engine). */
export type GatewayErrorCode =
  | 'temporary' // 5xx, network: try again later, the work is kept
  | 'throttled' // 429: try again after `retryAfterMs`
  | 'auth' // the app's token was refused or could not be had
  | 'forbidden' // the app may not touch this mailbox (Exchange RBAC for Applications, missing permission)
  | 'not_found' // the item, mailbox or subscription is gone
  | 'cursor_expired' // a delta token is no longer known: full resync
  | 'invalid' // Graph refused what was asked (a bug or bad data): do not retry
  | 'permanent'; // anything else that retrying cannot fix

export const gatewayErrorCodes: readonly GatewayErrorCode[] = [
  'temporary', 'throttled', 'auth', 'forbidden', 'not_found', 'cursor_expired', 'invalid', 'permanent',
];

/** A failed mailbox call. `cause` keeps the original error (Graph status, code, request id). */
export class GatewayError extends Error {
  readonly code: GatewayErrorCode;
  /** HTTP status Graph answered, when there was an answer. */
  readonly status: number | undefined;
  /** Graph's `request-id`, for support cases. */
  readonly requestId: string | undefined;
  /** Graph's own error code (`ErrorItemNotFound`, …). */
  readonly graphCode: string | undefined;
  /** For `throttled` and some `temporary` answers: how long Graph asked to wait. */
  readonly retryAfterMs: number | undefined;
  /** True when the request may have had its effect (a non-idempotent call that failed after being sent). */
  readonly maybeApplied: boolean;

  constructor(
    code: GatewayErrorCode,
    message: string,
    details: { status?: number; requestId?: string; graphCode?: string; retryAfterMs?: number; maybeApplied?: boolean; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = details.status;
    this.requestId = details.requestId;
    this.graphCode = details.graphCode;
    this.retryAfterMs = details.retryAfterMs;
    this.maybeApplied = details.maybeApplied ?? false;
  }
}

export interface EmailAddress {
  readonly address: string;
  readonly name?: string | undefined;
}

/** A mailbox is named by the user's Entra object id or user principal name. */
export type MailboxId = string;

export interface OutgoingMail {
  readonly to: readonly EmailAddress[];
  readonly cc?: readonly EmailAddress[];
  readonly subject: string;
  readonly html: string;
  /**
   * The same content as plain text: sent beside the HTML as multipart/alternative (Graph's MIME form of sendMail).
   * A mail that is not kept in Sent Items goes without it (the MIME form always keeps a copy).
   */
  readonly text?: string;
  /** Custom headers (names must start with `x-`), e.g. `x-baton-handoff`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Keep a copy in Sent Items (Graph's default: true). */
  readonly saveToSentItems?: boolean;
}

/** A message as Baton reads it. `headers` holds `internetMessageHeaders` when Graph returned them. */
export interface MailMessage {
  readonly id: string;
  readonly internetMessageId: string | null;
  readonly conversationId: string | null;
  readonly subject: string;
  readonly from: EmailAddress | null;
  readonly to: readonly EmailAddress[];
  readonly cc: readonly EmailAddress[];
  readonly sentAt: Date | null;
  readonly receivedAt: Date | null;
  readonly isDraft: boolean;
  /** Header name (lower-cased) → value. */
  readonly headers: ReadonlyMap<string, string>;
  readonly webLink: string | null;
  /** Well-known folder the item was read from, when known (`sentitems`, `inbox`). */
  readonly folder: string | null;
}

export type AttendeeResponse = 'none' | 'organizer' | 'tentativelyAccepted' | 'accepted' | 'declined' | 'notResponded';

export interface EventAttendee {
  readonly address: string;
  readonly name: string | null;
  readonly type: 'required' | 'optional' | 'resource';
  readonly response: AttendeeResponse;
  readonly respondedAt: Date | null;
  /** The new time this attendee proposed with their answer (the organizer's copy shows it); null or absent: none. */
  readonly proposedNewTime?: TimeWindow | null;
}

export type ShowAs = 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';

/** A calendar event as Baton reads it; times are instants (UTC). */
export interface CalendarEvent {
  readonly id: string;
  readonly iCalUId: string | null;
  readonly subject: string;
  readonly start: Date;
  readonly end: Date;
  readonly isAllDay: boolean;
  readonly isCancelled: boolean;
  readonly isOrganizer: boolean;
  readonly organizer: EmailAddress | null;
  readonly attendees: readonly EventAttendee[];
  /** This mailbox's own answer to the invite. */
  readonly response: AttendeeResponse;
  readonly respondedAt: Date | null;
  readonly showAs: ShowAs;
  readonly sensitivity: 'normal' | 'personal' | 'private' | 'confidential';
  readonly transactionId: string | null;
  readonly joinUrl: string | null;
  readonly webLink: string | null;
  readonly type: 'singleInstance' | 'occurrence' | 'exception' | 'seriesMaster';
  readonly lastModifiedAt: Date | null;
  /** For an occurrence or exception: its series master's id. */
  readonly seriesMasterId?: string | null;
}

/** A weekly series without end (Graph's patternedRecurrence: `weekly`, interval 1, range `noEnd`). */
export interface WeeklyRecurrence {
  readonly weekday: WorkingHours['daysOfWeek'][number];
  /** The first occurrence's local date `YYYY-MM-DD` (the range's startDate). */
  readonly startDate: string;
  /** IANA zone the series recurs in (the range's recurrenceTimeZone). */
  readonly timeZone: string;
}

export interface NewEvent {
  readonly subject: string;
  readonly html: string;
  readonly start: Date;
  readonly end: Date;
  /** IANA zone the times are shown in to the attendees. */
  readonly timeZone: string;
  readonly attendees: readonly (EmailAddress & { readonly type?: 'required' | 'optional' })[];
  readonly location?: string;
  readonly onlineMeeting?: boolean;
  readonly showAs?: ShowAs;
  readonly sensitivity?: 'normal' | 'private';
  readonly isReminderOn?: boolean;
  readonly categories?: readonly string[];
  /** Makes the event a weekly series; `start`/`end` are then its first occurrence. */
  readonly recurrence?: WeeklyRecurrence;
  /** Makes creation idempotent: Graph answers a repeated create with the same transactionId with the first event. */
  readonly transactionId: string;
}

export interface EventPatch {
  readonly subject?: string;
  readonly html?: string;
  readonly start?: Date;
  readonly end?: Date;
  readonly timeZone?: string;
  readonly attendees?: NewEvent['attendees'];
  /** A series master only: its new pattern (with a new start and end). */
  readonly recurrence?: WeeklyRecurrence;
}

export interface TimeWindow {
  readonly start: Date;
  readonly end: Date;
}

export type FreeBusy = 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';

export interface WorkingHours {
  readonly daysOfWeek: readonly ('sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday')[];
  /** Local wall-clock times `HH:mm:ss`. */
  readonly startTime: string;
  readonly endTime: string;
  /** IANA zone (Windows names are mapped). */
  readonly timeZone: string;
}

export interface Schedule {
  readonly scheduleId: string;
  /** Set when Graph could not read this schedule (unknown mailbox, no permission). */
  readonly error: string | null;
  readonly items: readonly { readonly start: Date; readonly end: Date; readonly status: FreeBusy; readonly subject: string | null }[];
  readonly workingHours: WorkingHours | null;
}

export interface AutomaticReplies {
  readonly status: 'disabled' | 'alwaysEnabled' | 'scheduled';
  readonly scheduledStart: Date | null;
  readonly scheduledEnd: Date | null;
}

export interface MailboxSettings {
  /** IANA zone (Windows names are mapped). */
  readonly timeZone: string;
  readonly workingHours: WorkingHours | null;
  readonly automaticReplies: AutomaticReplies;
}

export interface DirectoryPerson {
  readonly id: string;
  readonly displayName: string;
  readonly mail: string | null;
  readonly userPrincipalName: string | null;
}

/** One page run of a delta query: everything changed since the cursor, and the cursor to use next time. */
export interface DeltaResult<T> {
  readonly changed: readonly T[];
  readonly removed: readonly string[];
  /** The `@odata.deltaLink` to resume from. */
  readonly cursor: string;
}

/** The mail folders Baton watches. */
export type WatchedFolder = 'sentitems' | 'inbox';

export interface MailboxGateway {
  sendMail(mailbox: MailboxId, mail: OutgoingMail): Promise<void>;
  /** Creates a draft, then sends it: the draft's id and internetMessageId are known before sending. */
  draftAndSend(mailbox: MailboxId, mail: OutgoingMail): Promise<{ readonly messageId: string; readonly internetMessageId: string | null }>;
  createEvent(mailbox: MailboxId, event: NewEvent): Promise<CalendarEvent>;
  updateEvent(mailbox: MailboxId, eventId: string, patch: EventPatch): Promise<CalendarEvent>;
  cancelEvent(mailbox: MailboxId, eventId: string, comment: string): Promise<void>;
  /**
   * The occurrences and exceptions of a series master in `window` (`GET /events/{id}/instances`); null when the
   * series no longer exists.
   */
  eventInstances(mailbox: MailboxId, seriesMasterId: string, window: TimeWindow): Promise<readonly CalendarEvent[] | null>;
  /** Deletes an event the mailbox owns (an appointment without attendees, such as a prep block); gone already is fine. */
  deleteEvent(mailbox: MailboxId, eventId: string): Promise<void>;
  /** null when the event no longer exists. */
  getEvent(mailbox: MailboxId, eventId: string): Promise<CalendarEvent | null>;
  /** null when the message no longer exists. */
  getMessage(mailbox: MailboxId, messageId: string): Promise<MailMessage | null>;
  /** This mailbox's copy of a message, found by its internetMessageId (one request); null when it has none. */
  findMessage(mailbox: MailboxId, internetMessageId: string): Promise<MailMessage | null>;
  /** Several reads in `$batch` requests of at most 20; a missing item maps to null. */
  getEvents(mailbox: MailboxId, eventIds: readonly string[]): Promise<ReadonlyMap<string, CalendarEvent | null>>;
  getMessages(mailbox: MailboxId, messageIds: readonly string[]): Promise<ReadonlyMap<string, MailMessage | null>>;
  calendarView(mailbox: MailboxId, window: TimeWindow): Promise<readonly CalendarEvent[]>;
  /** Free/busy of up to any number of mailboxes, asked in chunks of 20, seen from `mailbox`'s calendar. */
  getSchedule(mailbox: MailboxId, schedules: readonly string[], window: TimeWindow, intervalMinutes: number): Promise<readonly Schedule[]>;
  mailboxSettings(mailbox: MailboxId): Promise<MailboxSettings>;
  /** null when the user has no manager. */
  manager(userId: string): Promise<DirectoryPerson | null>;
  /**
   * Messages of one folder changed since `cursor` (null: the initial round, limited to messages received since
   * `since` when given, so a first sync does not read years of mail). Throws `cursor_expired` on 410.
   */
  messagesDelta(mailbox: MailboxId, folder: WatchedFolder, cursor: string | null, since?: Date): Promise<DeltaResult<MailMessage>>;
  /** Events in `window` changed since `cursor` (null: the initial round). Throws `cursor_expired` on 410. */
  calendarDelta(mailbox: MailboxId, window: TimeWindow, cursor: string | null): Promise<DeltaResult<CalendarEvent>>;
}

export interface NewSubscription {
  readonly resource: string;
  readonly changeType: string;
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string;
  readonly clientState: string;
  readonly expiresAt: Date;
}

export interface SubscriptionGateway {
  createSubscription(input: NewSubscription): Promise<{ readonly id: string; readonly expiresAt: Date }>;
  /** Returns the expiration Graph granted (it may be earlier than asked). */
  renewSubscription(id: string, expiresAt: Date): Promise<{ readonly expiresAt: Date }>;
  reauthorizeSubscription(id: string): Promise<void>;
  /** Succeeds when the subscription is already gone. */
  deleteSubscription(id: string): Promise<void>;
}
