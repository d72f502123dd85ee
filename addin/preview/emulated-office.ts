// An emulated Office.js for the preview page: the `Office` global the task pane sees outside Outlook, typed against
// @types/office-js and holding exactly the members addin/office/*.ts use (listed at the top of mailbox.ts), over a
// PreviewItemStore that the preview's forms edit too. Callback APIs answer asynchronously with an Office.AsyncResult
// as Outlook does. Imports only ./item-store; Office types come from @types/office-js.
import type { PreviewItem, PreviewItemStore, Person } from './item-store';

/** Office.js's run-time values for the enums the pane reads (the typings declare them without values). */
const AsyncResultStatus = { Succeeded: 'succeeded', Failed: 'failed' } as unknown as typeof Office.AsyncResultStatus;
const CoercionType = { Html: 'html', Text: 'text' } as unknown as typeof Office.CoercionType;
const EventType = { ItemChanged: 'olkItemSelectedChanged' } as unknown as typeof Office.EventType;
const ItemType = { Message: 'message', Appointment: 'appointment' } as unknown as typeof Office.MailboxEnums.ItemType;
const HostType = { Outlook: 'Outlook' } as unknown as typeof Office.HostType;
const PlatformType = { OfficeOnline: 'OfficeOnline' } as unknown as typeof Office.PlatformType;

type Callback<T> = (result: Office.AsyncResult<T>) => void;

/** The mailbox members the pane uses. */
export type EmulatedMailbox = Pick<Office.Mailbox, 'addHandlerAsync' | 'removeHandlerAsync'> & {
  readonly item: EmulatedItem | null;
  readonly userProfile: Pick<Office.UserProfile, 'emailAddress' | 'displayName' | 'timeZone' | 'accountType'>;
};

/** An Office.js member narrowed to the methods the pane calls on it. */
type Only<T, K extends keyof T> = Pick<T, K>;

export interface EmulatedMessageCompose {
  itemType: Office.MessageCompose['itemType'];
  subject: Only<Office.Subject, 'setAsync'>;
  to: Only<Office.Recipients, 'setAsync'>;
  cc: Only<Office.Recipients, 'setAsync'>;
  body: Only<Office.Body, 'setAsync'>;
  internetHeaders: Only<Office.InternetHeaders, 'setAsync'>;
}
export type EmulatedMessageRead = Pick<Office.MessageRead, 'itemType' | 'itemId' | 'subject' | 'from' | 'to' | 'cc' | 'getAllInternetHeadersAsync' | 'displayReplyForm'>;
export interface EmulatedAppointmentCompose {
  itemType: Office.AppointmentCompose['itemType'];
  subject: Only<Office.Subject, 'setAsync'>;
  requiredAttendees: Only<Office.Recipients, 'setAsync'>;
  start: Only<Office.Time, 'setAsync'>;
  end: Only<Office.Time, 'setAsync'>;
  location: Only<Office.Location, 'setAsync'>;
  body: Only<Office.Body, 'setAsync'>;
}
export type EmulatedItem = EmulatedMessageCompose | EmulatedMessageRead | EmulatedAppointmentCompose;

export interface EmulatedOffice {
  onReady: (callback?: (info: { host: Office.HostType; platform: Office.PlatformType }) => unknown) => Promise<{ host: Office.HostType; platform: Office.PlatformType }>;
  context: {
    host: Office.HostType;
    platform: Office.PlatformType;
    officeTheme: Pick<Office.OfficeTheme, 'bodyBackgroundColor' | 'bodyForegroundColor' | 'controlBackgroundColor' | 'controlForegroundColor'>;
    requirements: Pick<Office.RequirementSetSupport, 'isSetSupported'>;
    mailbox: EmulatedMailbox;
  };
  AsyncResultStatus: typeof Office.AsyncResultStatus;
  CoercionType: typeof Office.CoercionType;
  EventType: typeof Office.EventType;
  HostType: typeof Office.HostType;
  PlatformType: typeof Office.PlatformType;
  MailboxEnums: { ItemType: typeof Office.MailboxEnums.ItemType };
}

export type ThemeName = 'light' | 'dark';

const themes: Record<ThemeName, EmulatedOffice['context']['officeTheme']> = {
  light: { bodyBackgroundColor: '#ffffff', bodyForegroundColor: '#242424', controlBackgroundColor: '#ffffff', controlForegroundColor: '#242424' },
  dark: { bodyBackgroundColor: '#292929', bodyForegroundColor: '#ffffff', controlBackgroundColor: '#1f1f1f', controlForegroundColor: '#ffffff' },
};

/** Outlook on the web's Mailbox requirement set at the time of writing. */
const mailboxVersion = '1.14';

function versionAtMost(wanted: string, supported: string): boolean {
  const a = wanted.split('.').map(Number);
  const b = supported.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (Number.isNaN(x)) return false;
    if (x !== y) return x < y;
  }
  return true;
}

function succeeded<T>(value: T, asyncContext: unknown): Office.AsyncResult<T> {
  return { status: AsyncResultStatus.Succeeded, value, asyncContext, error: undefined as unknown as Office.Error, diagnostics: undefined };
}

function failed<T>(name: string, message: string, code: number, asyncContext: unknown): Office.AsyncResult<T> {
  return { status: AsyncResultStatus.Failed, value: undefined as unknown as T, asyncContext, error: { name, message, code }, diagnostics: undefined };
}

/** Splits Office's `(…, options?, callback?)` overloads. */
function optionsAndCallback<T>(a: unknown, b: unknown): { context: unknown; callback: Callback<T> | undefined } {
  if (typeof a === 'function') return { context: undefined, callback: a as Callback<T> };
  const options = (typeof a === 'object' && a !== null ? a : {}) as Office.AsyncContextOptions;
  return { context: options.asyncContext, callback: typeof b === 'function' ? (b as Callback<T>) : undefined };
}

/** Outlook calls back after the call returns, never inside it. */
function answer<T>(callback: Callback<T> | undefined, result: Office.AsyncResult<T>): void {
  if (callback !== undefined) setTimeout(() => { callback(result); }, 0);
}

function toDetails(people: readonly Person[], recipientType: Office.MailboxEnums.RecipientType): Office.EmailAddressDetails[] {
  return people.map((p) => ({
    emailAddress: p.address,
    displayName: p.name,
    recipientType,
    appointmentResponse: 'none' as unknown as Office.MailboxEnums.ResponseType,
  }));
}

const emailPattern = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

/** Office's recipient forms (a string, EmailUser or EmailAddressDetails) as people; null when one is not an address. */
function toPeople(recipients: readonly unknown[]): Person[] | null {
  const people: Person[] = [];
  for (const r of recipients) {
    if (typeof r === 'string') {
      if (!emailPattern.test(r)) return null;
      people.push({ address: r, name: r });
      continue;
    }
    if (typeof r !== 'object' || r === null) return null;
    const { emailAddress, displayName } = r as { emailAddress?: unknown; displayName?: unknown };
    if (typeof emailAddress !== 'string' || !emailPattern.test(emailAddress)) return null;
    people.push({ address: emailAddress, name: typeof displayName === 'string' && displayName !== '' ? displayName : emailAddress });
  }
  return people;
}

/** A Date from this window or another (the pane runs in an iframe: `instanceof Date` fails across windows). */
function asDate(value: unknown): Date | null {
  if (Object.prototype.toString.call(value) !== '[object Date]') return null;
  const time = (value as Date).getTime();
  return Number.isNaN(time) ? null : new Date(time);
}

const maxRecipientsPerCall = 100;
const maxSubjectLength = 255;

export interface EmulatedOfficeOptions {
  store: PreviewItemStore;
  user: { address: string; name: string; timeZone: string };
  theme?: ThemeName;
}

export function createEmulatedOffice(options: EmulatedOfficeOptions): EmulatedOffice {
  const { store } = options;
  const handlers = new Set<(event: { type: Office.EventType }) => void>();

  /** Applies an edit to the current item when it is still `kind`; Outlook fails calls on an item no longer open. */
  function edit<K extends PreviewItem['kind']>(
    kind: K,
    callback: Callback<undefined> | undefined,
    context: unknown,
    change: (item: Extract<PreviewItem, { kind: K }>) => Extract<PreviewItem, { kind: K }> | string,
  ): void {
    const current = store.item();
    if (current?.kind !== kind) {
      answer(callback, failed<undefined>('InvalidItem', 'The item is no longer open.', 9030, context));
      return;
    }
    const next = change(current as Extract<PreviewItem, { kind: K }>);
    if (typeof next === 'string') {
      answer(callback, failed<undefined>('InvalidArgument', next, 9000, context));
      return;
    }
    store.update(next);
    answer(callback, succeeded<undefined>(undefined, context));
  }

  function read<K extends PreviewItem['kind'], T>(kind: K, callback: Callback<T> | undefined, context: unknown, pick: (item: Extract<PreviewItem, { kind: K }>) => T): void {
    const current = store.item();
    if (current?.kind !== kind) {
      answer(callback, failed<T>('InvalidItem', 'The item is no longer open.', 9030, context));
      return;
    }
    answer(callback, succeeded(pick(current as Extract<PreviewItem, { kind: K }>), context));
  }

  type RecipientField = 'to' | 'cc' | 'attendees';
  function recipients(kind: 'message_compose' | 'appointment_organizer', field: RecipientField): Pick<Office.Recipients, 'setAsync'> {
    return {
      setAsync: ((list: unknown[], a?: unknown, b?: unknown): void => {
        const { context, callback } = optionsAndCallback<undefined>(a, b);
        edit(kind, callback, context, (item) => {
          if (list.length > maxRecipientsPerCall) return `At most ${maxRecipientsPerCall} recipients can be set at once.`;
          const people = toPeople(list);
          if (people === null) return 'A recipient is not a valid email address.';
          return { ...item, [field]: people };
        });
      }),
    };
  }

  function subject(kind: 'message_compose' | 'appointment_organizer'): Pick<Office.Subject, 'setAsync'> {
    return {
      setAsync: ((value: string, a?: unknown, b?: unknown): void => {
        const { context, callback } = optionsAndCallback<undefined>(a, b);
        edit(kind, callback, context, (item) => (value.length > maxSubjectLength ? `The subject is longer than ${maxSubjectLength} characters.` : { ...item, subject: value }));
      }),
    };
  }

  function body(kind: 'message_compose' | 'appointment_organizer'): Pick<Office.Body, 'setAsync'> {
    return {
      setAsync: ((data: string, a?: unknown, b?: unknown): void => {
        const { context, callback } = optionsAndCallback<undefined>(a, b);
        const asked = typeof a === 'object' && a !== null ? (a as { coercionType?: unknown }).coercionType : undefined;
        const coercion = typeof asked === 'string' ? asked : 'text';
        edit(kind, callback, context, (item) => ({ ...item, html: coercion === 'html' ? data : escapeText(data).replace(/\n/g, '<br>') }));
      }),
    };
  }

  function time(field: 'start' | 'end'): Pick<Office.Time, 'setAsync'> {
    return {
      setAsync: ((value: Date, a?: unknown, b?: unknown): void => {
        const { context, callback } = optionsAndCallback<undefined>(a, b);
        edit('appointment_organizer', callback, context, (item) => {
          const date = asDate(value);
          if (date === null) return `The ${field} time is not a valid date.`;
          if (field === 'end') return { ...item, end: date };
          // Outlook keeps the meeting's length when its start moves.
          const length = item.end.getTime() - item.start.getTime();
          return { ...item, start: date, end: new Date(date.getTime() + length) };
        });
      }),
    };
  }

  const location: Pick<Office.Location, 'setAsync'> = {
    setAsync: ((value: string, a?: unknown, b?: unknown): void => {
      const { context, callback } = optionsAndCallback<undefined>(a, b);
      edit('appointment_organizer', callback, context, (item) => ({ ...item, location: value }));
    }),
  };

  const internetHeaders: Pick<Office.InternetHeaders, 'setAsync'> = {
    setAsync: ((headers: Record<string, string>, a?: unknown, b?: unknown): void => {
      const { context, callback } = optionsAndCallback<undefined>(a, b);
      edit('message_compose', callback, context, (item) => ({ ...item, headers: { ...item.headers, ...headers } }));
    }),
  };

  // What kind of recipient each is (a user of the tenant, for the preview's sandbox people).
  const RecipientType = { User: 'user' } as unknown as typeof Office.MailboxEnums.RecipientType;

  function composeMessage(): EmulatedMessageCompose {
    return {
      itemType: ItemType.Message,
      subject: subject('message_compose'),
      to: recipients('message_compose', 'to'),
      cc: recipients('message_compose', 'cc'),
      body: body('message_compose'),
      internetHeaders,
    };
  }

  function readMessage(item: Extract<PreviewItem, { kind: 'message_read' }>): EmulatedMessageRead {
    const headerBlock = item.headers.map((h) => `${h.name}: ${h.value}`).join('\r\n');
    return {
      itemType: ItemType.Message,
      itemId: item.id,
      subject: item.subject,
      from: toDetails(item.from === null ? [] : [item.from], RecipientType.User)[0] ?? (null as unknown as Office.EmailAddressDetails),
      to: toDetails(item.to, RecipientType.User),
      cc: toDetails(item.cc, RecipientType.User),
      getAllInternetHeadersAsync: ((a?: unknown, b?: unknown): void => {
        const { context, callback } = optionsAndCallback<string>(a, b);
        read('message_read', callback, context, () => headerBlock);
      }),
      displayReplyForm: (formData: string | Office.ReplyFormData): void => {
        const html = typeof formData === 'string' ? formData : (formData.htmlBody ?? '');
        const subjectLine = /^re:/i.test(item.subject) ? item.subject : `RE: ${item.subject}`;
        store.replace({
          kind: 'message_compose',
          to: item.from === null ? [] : [item.from],
          cc: [],
          subject: subjectLine,
          html: `${html}<hr><p>From: ${escapeText(item.from?.name ?? '')}<br>Subject: ${escapeText(item.subject)}</p>${item.html}`,
          headers: {},
          inReplyTo: item.id,
        });
      },
    };
  }

  function appointment(): EmulatedAppointmentCompose {
    return {
      itemType: ItemType.Appointment,
      subject: subject('appointment_organizer'),
      requiredAttendees: recipients('appointment_organizer', 'attendees'),
      start: time('start'),
      end: time('end'),
      location,
      body: body('appointment_organizer'),
    };
  }

  const mailbox: EmulatedMailbox = {
    get item(): EmulatedItem | null {
      const item = store.item();
      if (item === null) return null;
      if (item.kind === 'message_compose') return composeMessage();
      if (item.kind === 'message_read') return readMessage(item);
      return appointment();
    },
    userProfile: { emailAddress: options.user.address, displayName: options.user.name, timeZone: options.user.timeZone, accountType: 'enterprise' },
    addHandlerAsync: ((eventType: Office.EventType | string, handler: (event: { type: Office.EventType }) => void, a?: unknown, b?: unknown): void => {
      const { context, callback } = optionsAndCallback<undefined>(a, b);
      if (String(eventType) !== String(EventType.ItemChanged)) {
        answer(callback, failed<undefined>('InvalidEventType', `The event type ${String(eventType)} is not supported here.`, 5001, context));
        return;
      }
      handlers.add(handler);
      answer(callback, succeeded<undefined>(undefined, context));
    }) as Office.Mailbox['addHandlerAsync'],
    removeHandlerAsync: ((eventType: Office.EventType | string, a?: unknown, b?: unknown): void => {
      const { context, callback } = optionsAndCallback<undefined>(a, b);
      // Office removes every handler of the event type at once.
      if (String(eventType) === String(EventType.ItemChanged)) handlers.clear();
      answer(callback, succeeded<undefined>(undefined, context));
    }),
  };

  store.onReplaced(() => {
    for (const handler of [...handlers]) setTimeout(() => { handler({ type: EventType.ItemChanged }); }, 0);
  });

  const info = { host: HostType.Outlook, platform: PlatformType.OfficeOnline };
  return {
    onReady: (callback) => {
      const ready = Promise.resolve(info);
      if (callback !== undefined) void ready.then(callback);
      return ready;
    },
    context: {
      host: HostType.Outlook,
      platform: PlatformType.OfficeOnline,
      officeTheme: themes[options.theme ?? 'light'],
      requirements: {
        // The one signature Office keeps (the numeric overload is deprecated).
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        isSetSupported: ((name: string, minVersion?: string) =>
          name.toLowerCase() === 'mailbox' && versionAtMost(minVersion ?? '1.1', mailboxVersion)) as Office.RequirementSetSupport['isSetSupported'],
      },
      mailbox,
    },
    AsyncResultStatus,
    CoercionType,
    EventType,
    HostType,
    PlatformType,
    MailboxEnums: { ItemType },
  };
}

function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Where the preview page puts its emulated Office for the pane's iframe to take (same origin). */
export const sharedOfficeKey = 'batonPreviewOffice';
