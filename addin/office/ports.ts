// What the pane asks of the Outlook item it sits on, as plain promises and data: the components get an OfficeMailbox
// through props, the Office.js implementation lives beside this file (addin/office/), and tests pass fakes.
// Imports nothing: no Office type leaks past this folder.

/** Which Outlook surface the pane is open on. */
export type ItemKind = 'message_compose' | 'message_read' | 'appointment_organizer' | 'appointment_attendee' | 'none';

export interface MailRecipient {
  address: string;
  name: string;
}

/** The read item's facts the pane shows or looks up a hand-off by. */
export interface ReadItemFacts {
  subject: string;
  from: MailRecipient | null;
  to: MailRecipient[];
  cc: MailRecipient[];
  /** The `x-baton-handoff` header of the message (an intro), or null. */
  handoffId: string | null;
}

/** What "Fill intro" writes into the message being composed. */
export interface IntroFill {
  to: MailRecipient[];
  cc: MailRecipient[];
  subject: string;
  html: string;
  /** Set as an internet header on the message (Mailbox 1.8). */
  header: { name: string; value: string };
}

/** What "Fill invite" writes into the appointment being organised. */
export interface InviteFill {
  requiredAttendees: MailRecipient[];
  start: Date;
  end: Date;
  subject: string;
  html: string;
  location?: string;
}

export interface OfficeMailbox {
  /** The surface the pane is open on now. */
  itemKind(): ItemKind;
  /** The signed-in Outlook user, when Office says. */
  user(): MailRecipient | null;
  /** Null when the client supports what Baton needs; else a sentence naming the missing requirement set. */
  unsupportedReason(): string | null;
  fillIntro(intro: IntroFill): Promise<void>;
  readItem(): Promise<ReadItemFacts>;
  fillInvite(invite: InviteFill): Promise<void>;
  /**
   * Opens Outlook's own reply form on the message being read (reply all when `replyAll`), with `html` above the
   * quoted message (Office `displayReplyForm` / `displayReplyAllForm`). Optional: a host without it leaves it out,
   * and the pane then tells the user to reply from Outlook.
   */
  displayReplyForm?(reply: { replyAll: boolean; html?: string }): Promise<void>;
  /** Called when the user selects another item while the pane is pinned; returns the unsubscribe function. */
  onItemChanged(listener: () => void): () => void;
}
