// The preview's Microsoft Graph calls, as the signed-in sandbox user with a delegated token: send the message being
// written (/me/sendMail with its internet headers, or a reply), list and read the Inbox, save a meeting
// (/me/events). Failures are Errors that say what to do. Imports only ./item-store types.
import type { AppointmentItem, ComposeItem, Person, ReadItem } from './item-store';

/** The delegated permissions the preview asks for on Graph. */
export const graphScopes = ['Mail.Send', 'Mail.Read', 'Calendars.ReadWrite'];

export interface SandboxGraph {
  send(message: ComposeItem): Promise<void>;
  inbox(): Promise<ReadItem[]>;
  saveMeeting(meeting: AppointmentItem): Promise<void>;
}

export type GraphFetch = (url: string, init: RequestInit) => Promise<Pick<Response, 'ok' | 'status' | 'text'>>;

interface GraphRecipient {
  emailAddress?: { address?: string; name?: string };
}

interface GraphMessage {
  id: string;
  subject?: string | null;
  from?: GraphRecipient | null;
  toRecipients?: GraphRecipient[];
  ccRecipients?: GraphRecipient[];
  body?: { contentType?: string; content?: string };
  internetMessageHeaders?: { name: string; value: string }[];
  receivedDateTime?: string;
}

const recipients = (people: readonly Person[]) => people.map((p) => ({ emailAddress: { address: p.address, name: p.name } }));

function person(r: GraphRecipient | null | undefined): Person | null {
  const address = r?.emailAddress?.address;
  if (address === undefined || address === '') return null;
  return { address, name: r?.emailAddress?.name ?? address };
}

const people = (list: GraphRecipient[] | undefined): Person[] => (list ?? []).map(person).filter((p): p is Person => p !== null);

function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c);
}

/** Graph wants a wall-clock time and its zone; UTC keeps it exact. */
const utc = (date: Date) => ({ dateTime: date.toISOString().replace(/Z$/, ''), timeZone: 'UTC' });

/** What the preview refuses to send, naming the field; null when the message can go. */
export function messageProblem(message: ComposeItem): string | null {
  if (message.to.length === 0) return 'To is empty: add at least one recipient.';
  if (message.subject.trim() === '') return 'Subject is empty.';
  for (const name of Object.keys(message.headers)) {
    if (!/^x-[a-z0-9-]+$/i.test(name)) return `Internet header "${name}" must start with "x-" (Graph keeps only custom x- headers).`;
  }
  return null;
}

export function meetingProblem(meeting: AppointmentItem): string | null {
  if (meeting.subject.trim() === '') return 'Subject is empty.';
  if (meeting.attendees.length === 0) return 'Required attendees is empty: add at least one.';
  if (meeting.end.getTime() <= meeting.start.getTime()) return 'End is not after Start.';
  return null;
}

export function createSandboxGraph(options: { graphBaseUrl: string; getToken: () => Promise<string>; fetch?: GraphFetch }): SandboxGraph {
  const base = `${options.graphBaseUrl.replace(/\/+$/, '')}/v1.0`;
  const doFetch: GraphFetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));

  async function call<T>(method: string, path: string, body?: unknown): Promise<T | null> {
    const token = await options.getToken();
    let status: number;
    let ok: boolean;
    let text: string;
    try {
      const response = await doFetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      ({ status, ok } = response);
      text = await response.text();
    } catch (error) {
      throw new Error(
        `Could not reach the sandbox's Graph at ${base}. Is Baton still running? In your own browser, trust the sandbox's certificate authority (/sandbox/ca.pem) or open the sandbox once to accept its certificate.`,
        { cause: error },
      );
    }
    const json = text === '' ? null : (JSON.parse(text) as unknown);
    if (!ok) {
      const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
      throw new Error(`Graph answered ${status}${error?.code === undefined ? '' : ` ${error.code}`}: ${error?.message ?? 'no details'}`);
    }
    return json as T | null;
  }

  return {
    async send(message) {
      const problem = messageProblem(message);
      if (problem !== null) throw new Error(problem);
      const headers = Object.entries(message.headers).map(([name, value]) => ({ name, value }));
      if (message.inReplyTo !== null) {
        // A reply keeps the conversation and the In-Reply-To / References Outlook would set.
        await call('POST', `/me/messages/${encodeURIComponent(message.inReplyTo)}/reply`, {
          message: { toRecipients: recipients(message.to), ccRecipients: recipients(message.cc), ...(headers.length > 0 ? { internetMessageHeaders: headers } : {}) },
          comment: message.html,
        });
        return;
      }
      await call('POST', '/me/sendMail', {
        message: {
          subject: message.subject,
          body: { contentType: 'HTML', content: message.html },
          toRecipients: recipients(message.to),
          ccRecipients: recipients(message.cc),
          ...(headers.length > 0 ? { internetMessageHeaders: headers } : {}),
        },
        saveToSentItems: true,
      });
    },

    async inbox() {
      const select = 'subject,from,toRecipients,ccRecipients,body,internetMessageHeaders,receivedDateTime';
      const page = await call<{ value: GraphMessage[] }>('GET', `/me/mailFolders/inbox/messages?$select=${select}&$orderby=receivedDateTime desc&$top=25`);
      return (page?.value ?? []).map(
        (m): ReadItem => ({
          kind: 'message_read',
          id: m.id,
          subject: m.subject ?? '',
          from: person(m.from),
          to: people(m.toRecipients),
          cc: people(m.ccRecipients),
          html: m.body?.contentType?.toLowerCase() === 'html' ? (m.body.content ?? '') : `<pre>${escapeText(m.body?.content ?? '')}</pre>`,
          headers: m.internetMessageHeaders ?? [],
          receivedAt: m.receivedDateTime ?? '',
        }),
      );
    },

    async saveMeeting(meeting) {
      const problem = meetingProblem(meeting);
      if (problem !== null) throw new Error(problem);
      await call('POST', '/me/events', {
        subject: meeting.subject,
        body: { contentType: 'HTML', content: meeting.html },
        start: utc(meeting.start),
        end: utc(meeting.end),
        ...(meeting.location.trim() === '' ? {} : { location: { displayName: meeting.location } }),
        attendees: meeting.attendees.map((p) => ({ emailAddress: { address: p.address, name: p.name }, type: 'required' })),
      });
    },
  };
}
