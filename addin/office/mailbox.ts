// The OfficeMailbox port (./ports.ts) on Office.js: reads and fills the Outlook item the pane sits on. Every
// callback API goes through `officeCall` once, so each failure is a rejected Error a user can act on. Touches only
// the global `Office`; imports only ./ports. Docs: https://learn.microsoft.com/javascript/api/outlook
//
// The Office.js members used here, and nothing else (an emulated `Office` must provide exactly these):
//   Office.AsyncResultStatus.Failed                    (compared with result.status; result.error: code, name, message)
//   Office.CoercionType.Html                           (body.setAsync option)
//   Office.EventType.ItemChanged                       (mailbox.addHandlerAsync / removeHandlerAsync)
//   Office.context.requirements.isSetSupported('Mailbox', '1.8')
//   Office.context.mailbox.userProfile.emailAddress, .displayName
//   Office.context.mailbox.addHandlerAsync(type, handler, callback), .removeHandlerAsync(type, callback)
//   Office.context.mailbox.item (null or absent: no item), item.itemType ('message' | 'appointment' at run time)
//   compose message:       item.to.setAsync, item.cc.setAsync (recipients as { displayName, emailAddress }),
//                          item.subject.setAsync, item.body.setAsync(html, { coercionType }, cb),
//                          item.internetHeaders.setAsync({ name: value }, cb)
//   read message:          item.subject (string), item.from, item.to, item.cc (EmailAddressDetails),
//                          item.getAllInternetHeadersAsync(cb) (Mailbox 1.8; when absent the hand-off id is null)
//   appointment organizer: item.requiredAttendees.setAsync, item.start.setAsync(Date), item.end.setAsync(Date),
//                          item.subject.setAsync, item.body.setAsync(html, { coercionType }, cb), item.location.setAsync
//   appointment attendee:  item.subject (string), item.organizer, item.requiredAttendees, item.optionalAttendees
// Compose and read are told apart by `typeof item.subject`: a string when reading, an object with setAsync when
// composing (https://learn.microsoft.com/office/dev/add-ins/outlook/compose-scenario).
import type { IntroFill, InviteFill, ItemKind, MailRecipient, OfficeMailbox, ReadItemFacts } from './ports';

/** The requirement set Baton's features need: internetHeaders (compose) and getAllInternetHeadersAsync (read). */
export const requiredMailboxVersion = '1.8';

/** Outlook accepts at most 100 recipients in one Recipients.setAsync call. */
const maxRecipientsPerCall = 100;

/** A failed Office call: `code` is Office's numeric error code (0 when Office gave none). */
export class OfficeCallError extends Error {
  constructor(
    readonly code: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OfficeCallError';
  }
}

type Callback<T> = (result: Office.AsyncResult<T>) => void;

/**
 * Runs one Office callback API as a promise. `what` completes "Outlook could not …" in the error message. A host that
 * throws synchronously instead of calling back rejects the same way.
 */
export function officeCall<T = void>(what: string, start: (callback: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (code: number, detail: string, cause: unknown): void => {
      const officeText = detail === '' ? '' : ` (${code === 0 ? '' : `Office error ${code}: `}${detail})`;
      reject(new OfficeCallError(code, `Outlook could not ${what}${officeText}. Try again; if it keeps failing, close and reopen the item.`, { cause }));
    };
    try {
      start((result) => {
        if (result.status === Office.AsyncResultStatus.Failed) {
          const error = result.error as Office.Error | undefined;
          fail(typeof error?.code === 'number' ? error.code : 0, error?.message ?? error?.name ?? '', error);
        } else {
          resolve(result.value);
        }
      });
    } catch (error) {
      fail(0, error instanceof Error ? error.message : String(error), error);
    }
  });
}

export interface OfficeMailboxOptions {
  /** Told about failures no promise can carry (registering the ItemChanged handler). */
  onError?: (error: Error) => void;
}

type AnyItem = NonNullable<typeof Office.context.mailbox.item>;

/** Office.context, or undefined outside Office; its members are undefined before Office is ready, whatever the typings say. */
function officeContext(): Partial<Office.Context> | undefined {
  return typeof Office === 'undefined' ? undefined : Office.context;
}

function currentItem(): AnyItem | null {
  return officeContext()?.mailbox?.item ?? null;
}

function kindOf(item: AnyItem | null): ItemKind {
  if (item === null) return 'none';
  const reading = typeof (item as { subject?: unknown }).subject === 'string';
  // ItemType is an enum without values in the typings; at run time it is the string 'message' or 'appointment'.
  switch (item.itemType) {
    case 'message':
      return reading ? 'message_read' : 'message_compose';
    case 'appointment':
      return reading ? 'appointment_attendee' : 'appointment_organizer';
    default:
      return 'none';
  }
}

const surfaceNames: Record<ItemKind, string> = {
  message_compose: 'a message you are writing',
  message_read: 'a message you are reading',
  appointment_organizer: 'a meeting you are organising',
  appointment_attendee: 'a meeting you were invited to',
  none: 'no item',
};

function wrongSurface(action: string, wanted: string, kind: ItemKind): OfficeCallError {
  return new OfficeCallError(0, `Baton can ${action} only on ${wanted}; the pane is open on ${surfaceNames[kind]}. Open ${wanted} and try again.`);
}

const emailPattern = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

/** Refuses an empty or malformed recipient list with a message naming the field. */
function checkRecipients(field: string, role: string, recipients: readonly MailRecipient[]): void {
  if (recipients.length === 0) throw new OfficeCallError(0, `${field} is empty: the ${role} is missing.`);
  if (recipients.length > maxRecipientsPerCall) throw new OfficeCallError(0, `${field} has ${recipients.length} recipients; Outlook takes at most ${maxRecipientsPerCall}.`);
  for (const recipient of recipients) {
    if (!emailPattern.test(recipient.address.trim())) throw new OfficeCallError(0, `${field} holds "${recipient.address}", which is not an email address.`);
  }
}

function checkIntro(intro: IntroFill): void {
  checkRecipients('To', 'lead (the intro goes to the lead)', intro.to);
  checkRecipients('Cc', 'account executive (copied on the intro)', intro.cc);
  if (intro.subject.trim() === '') throw new OfficeCallError(0, 'The intro has no subject.');
  if (intro.html.trim() === '') throw new OfficeCallError(0, 'The intro has no body.');
  if (!/^x-[a-z0-9-]+$/i.test(intro.header.name)) throw new OfficeCallError(0, `The intro header name "${intro.header.name}" must start with "x-" and hold only letters, digits and dashes.`);
  if (intro.header.value.trim() === '' || /[\r\n]/.test(intro.header.value)) throw new OfficeCallError(0, `The intro header ${intro.header.name} needs a one-line value.`);
}

function checkInvite(invite: InviteFill): void {
  checkRecipients('Required attendees', 'lead and account executive', invite.requiredAttendees);
  if (Number.isNaN(invite.start.getTime())) throw new OfficeCallError(0, 'The invite has no valid start time.');
  if (Number.isNaN(invite.end.getTime())) throw new OfficeCallError(0, 'The invite has no valid end time.');
  if (invite.end.getTime() <= invite.start.getTime()) throw new OfficeCallError(0, 'The invite ends before it starts: pick another slot.');
  if (invite.subject.trim() === '') throw new OfficeCallError(0, 'The invite has no subject.');
}

const toOfficeRecipients = (recipients: readonly MailRecipient[]): Office.EmailUser[] =>
  recipients.map((r) => ({ displayName: r.name, emailAddress: r.address.trim() }));

function fromOffice(details: Office.EmailAddressDetails | null | undefined): MailRecipient | null {
  if (details == null || typeof details.emailAddress !== 'string' || details.emailAddress === '') return null;
  return { address: details.emailAddress, name: details.displayName || details.emailAddress };
}

const listFromOffice = (list: readonly Office.EmailAddressDetails[] | null | undefined): MailRecipient[] =>
  (list ?? []).map(fromOffice).filter((r): r is MailRecipient => r !== null);

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The value of `name` in a raw RFC 5322 header block (folded lines joined), or null. Only a UUID counts as a
 * hand-off id: anyone can send a message carrying the header, and the server checks access anyway.
 */
export function handoffIdFromHeaders(rawHeaders: string, name: string): string | null {
  const unfolded = rawHeaders.replace(/\r?\n[ \t]+/g, ' ');
  const wanted = name.toLowerCase();
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || line.slice(0, colon).trim().toLowerCase() !== wanted) continue;
    const value = line.slice(colon + 1).trim();
    return uuidPattern.test(value) ? value.toLowerCase() : null;
  }
  return null;
}

const handoffHeaderName = 'x-baton-handoff';

export function createOfficeMailbox(options: OfficeMailboxOptions = {}): OfficeMailbox {
  const onError =
    options.onError ??
    ((error: Error) => {
      console.error(error.message);
    });
  const listeners = new Set<() => void>();
  // One Office handler for all listeners: removeHandlerAsync drops every handler of the event type at once.
  let registration: 'none' | 'adding' | 'added' = 'none';

  const officeItemChanged = (): void => {
    for (const listener of [...listeners]) listener();
  };

  function removeOfficeHandler(): void {
    registration = 'none';
    officeCall('stop following the selected item', (cb) => {
      Office.context.mailbox.removeHandlerAsync(Office.EventType.ItemChanged, cb);
    }).catch(onError);
  }

  function addOfficeHandler(): void {
    registration = 'adding';
    officeCall('follow the item you select while the pane is pinned', (cb) => {
      Office.context.mailbox.addHandlerAsync(Office.EventType.ItemChanged, officeItemChanged, cb);
    }).then(
      () => {
        registration = 'added';
        if (listeners.size === 0) removeOfficeHandler();
      },
      (error: unknown) => {
        registration = 'none';
        onError(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  return {
    itemKind: () => kindOf(currentItem()),

    user() {
      const profile = officeContext()?.mailbox?.userProfile;
      if (profile === undefined || profile.emailAddress === '') return null;
      return { address: profile.emailAddress, name: profile.displayName || profile.emailAddress };
    },

    unsupportedReason() {
      const requirements = officeContext()?.requirements;
      let supported: boolean;
      try {
        supported = requirements?.isSetSupported('Mailbox', requiredMailboxVersion) === true;
      } catch {
        supported = false;
      }
      if (supported) return null;
      return (
        `This version of Outlook does not support Mailbox requirement set ${requiredMailboxVersion}, which Baton needs to tag ` +
        'the intro and recognise it (internet headers). Update Outlook, or use the new Outlook or Outlook on the web.'
      );
    },

    async fillIntro(intro) {
      const item = currentItem();
      const kind = kindOf(item);
      if (item === null || kind !== 'message_compose') throw wrongSurface('fill the intro', 'a new message', kind);
      checkIntro(intro);
      const message: Office.MessageCompose = item;
      // Checked before writing anything, so a client without Mailbox 1.8 never keeps a half-filled intro.
      if (typeof (message.internetHeaders as Office.InternetHeaders | undefined)?.setAsync !== 'function') {
        throw new OfficeCallError(0, `This version of Outlook cannot add the ${intro.header.name} header (Mailbox ${requiredMailboxVersion}), so Baton would not recognise the intro once sent. Update Outlook, or use Outlook on the web.`);
      }
      await officeCall(`add the ${intro.header.name} header to the message`, (cb) => {
        message.internetHeaders.setAsync({ [intro.header.name]: intro.header.value }, cb);
      });
      await officeCall('set the To line', (cb) => {
        message.to.setAsync(toOfficeRecipients(intro.to), cb);
      });
      await officeCall('set the Cc line', (cb) => {
        message.cc.setAsync(toOfficeRecipients(intro.cc), cb);
      });
      await officeCall('set the subject', (cb) => {
        message.subject.setAsync(intro.subject, cb);
      });
      await officeCall('write the message body', (cb) => {
        message.body.setAsync(intro.html, { coercionType: Office.CoercionType.Html }, cb);
      });
    },

    async readItem() {
      const item = currentItem();
      const kind = kindOf(item);
      if (item === null) throw wrongSurface('read the item', 'a message or meeting', kind);
      if (kind === 'message_read') {
        const message: Office.MessageRead = item;
        let handoffId: string | null = null;
        // getAllInternetHeadersAsync is Mailbox 1.8; an older client reads the item without the hand-off id and
        // the pane looks the hand-off up by the people and subject instead.
        if (typeof (message as { getAllInternetHeadersAsync?: unknown }).getAllInternetHeadersAsync === 'function') {
          const raw = await officeCall<string>("read the message's headers", (cb) => {
            message.getAllInternetHeadersAsync(cb);
          });
          handoffId = handoffIdFromHeaders(typeof raw === 'string' ? raw : '', handoffHeaderName);
        }
        return { subject: message.subject, from: fromOffice(message.from), to: listFromOffice(message.to), cc: listFromOffice(message.cc), handoffId };
      }
      if (kind === 'appointment_attendee') {
        // Internet headers are not readable on calendar items: the pane matches the meeting by its people.
        const meeting: Pick<Office.AppointmentRead, 'subject' | 'organizer' | 'requiredAttendees' | 'optionalAttendees'> = item;
        const facts: ReadItemFacts = {
          subject: meeting.subject,
          from: fromOffice(meeting.organizer),
          to: listFromOffice(meeting.requiredAttendees),
          cc: listFromOffice(meeting.optionalAttendees),
          handoffId: null,
        };
        return facts;
      }
      throw wrongSurface('read the item', 'a message or meeting you received', kind);
    },

    async fillInvite(invite) {
      const item = currentItem();
      const kind = kindOf(item);
      if (item === null || kind !== 'appointment_organizer') throw wrongSurface('fill the invite', 'a new meeting', kind);
      checkInvite(invite);
      const meeting: Office.AppointmentCompose = item;
      await officeCall('set the required attendees', (cb) => {
        meeting.requiredAttendees.setAsync(toOfficeRecipients(invite.requiredAttendees), cb);
      });
      // Start first: Outlook moves the end when the start changes, so the end is set after it.
      await officeCall('set the start time', (cb) => {
        meeting.start.setAsync(invite.start, cb);
      });
      await officeCall('set the end time', (cb) => {
        meeting.end.setAsync(invite.end, cb);
      });
      await officeCall('set the subject', (cb) => {
        meeting.subject.setAsync(invite.subject, cb);
      });
      await officeCall('write the invite body', (cb) => {
        meeting.body.setAsync(invite.html, { coercionType: Office.CoercionType.Html }, cb);
      });
      const location = invite.location;
      if (location !== undefined && location.trim() !== '') {
        await officeCall('set the location', (cb) => {
          meeting.location.setAsync(location, cb);
        });
      }
    },

    // Outlook's own reply form (Mailbox 1.1: displayReplyForm / displayReplyAllForm take the HTML above the quote).
    displayReplyForm(reply) {
      const item = currentItem();
      const kind = kindOf(item);
      if (item === null || kind !== 'message_read') return Promise.reject(wrongSurface('open a reply', 'a message you are reading', kind));
      const message = item as Office.MessageRead;
      try {
        if (reply.replyAll) message.displayReplyAllForm(reply.html ?? '');
        else message.displayReplyForm(reply.html ?? '');
        return Promise.resolve();
      } catch (error) {
        const detail = error instanceof Error ? ` (${error.message})` : '';
        return Promise.reject(new OfficeCallError(0, `Outlook could not open the reply form${detail}. Reply from Outlook instead.`, { cause: error }));
      }
    },

    onItemChanged(listener) {
      // A private wrapper, so the same function subscribed twice is two subscriptions.
      const entry = (): void => {
        listener();
      };
      listeners.add(entry);
      if (registration === 'none') addOfficeHandler();
      return () => {
        if (!listeners.delete(entry)) return;
        if (listeners.size === 0 && registration === 'added') removeOfficeHandler();
      };
    },
  };
}
