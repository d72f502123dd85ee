// The preview's emulated Outlook item: a message being written, a message being read, or a meeting being organised.
// The preview's forms and the emulated Office.js (the pane's writes) edit it; React and the pane subscribe. Replacing
// the item is what Outlook calls selecting another item (ItemChanged). Imports nothing.

export interface Person {
  address: string;
  name: string;
}

export interface ComposeItem {
  kind: 'message_compose';
  to: Person[];
  cc: Person[];
  subject: string;
  html: string;
  /** Internet headers set on the message (custom `x-` headers). */
  headers: Record<string, string>;
  /** The Graph id of the message this one replies to, when it is a reply. */
  inReplyTo: string | null;
}

export interface ReadItem {
  kind: 'message_read';
  /** The Graph message id. */
  id: string;
  subject: string;
  from: Person | null;
  to: Person[];
  cc: Person[];
  html: string;
  headers: { name: string; value: string }[];
  receivedAt: string;
}

export interface AppointmentItem {
  kind: 'appointment_organizer';
  subject: string;
  attendees: Person[];
  start: Date;
  end: Date;
  location: string;
  html: string;
}

export type PreviewItem = ComposeItem | ReadItem | AppointmentItem;

export interface PreviewItemStore {
  item: () => PreviewItem | null;
  /** Another item is open (Outlook's ItemChanged). */
  replace(item: PreviewItem | null): void;
  /** The open item was edited (by a form or by the pane). */
  update(item: PreviewItem): void;
  /** Called on every change, replacement or edit; returns the unsubscribe function. */
  subscribe: (listener: () => void) => () => void;
  /** Called when another item is opened. */
  onReplaced(listener: () => void): () => void;
}

export function newMessage(): ComposeItem {
  return { kind: 'message_compose', to: [], cc: [], subject: '', html: '', headers: {}, inReplyTo: null };
}

/** A new meeting starting at the next half hour after `now`, 30 minutes long, as Outlook proposes. */
export function newAppointment(now: Date): AppointmentItem {
  const half = 30 * 60_000;
  const start = new Date(Math.ceil((now.getTime() + 1) / half) * half);
  return { kind: 'appointment_organizer', subject: '', attendees: [], start, end: new Date(start.getTime() + half), location: '', html: '' };
}

export function createItemStore(initial: PreviewItem | null): PreviewItemStore {
  let current = initial;
  const changed = new Set<() => void>();
  const replaced = new Set<() => void>();
  const notify = (listeners: Set<() => void>) => {
    for (const listener of [...listeners]) listener();
  };
  return {
    item: () => current,
    replace(item) {
      current = item;
      notify(replaced);
      notify(changed);
    },
    update(item) {
      current = item;
      notify(changed);
    },
    subscribe(listener) {
      changed.add(listener);
      return () => {
        changed.delete(listener);
      };
    },
    onReplaced(listener) {
      replaced.add(listener);
      return () => {
        replaced.delete(listener);
      };
    },
  };
}
