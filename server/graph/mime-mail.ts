// An outgoing mail with a plain-text part as the MIME message Graph's sendMail takes (Content-Type text/plain, the
// message base64-encoded: https://learn.microsoft.com/graph/api/user-sendmail, "send a message in MIME format"):
// multipart/alternative with the text first and the HTML last, the x- headers as MIME headers (Graph keeps them as
// internetMessageHeaders). The JSON form of sendMail carries one body only, so this is how the plain-text part gets
// out. Imports: nodemailer's MIME composer, node:crypto, the domain's OutgoingMail.
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { OutgoingMail } from '../domain/mailbox';

type Address = { address: string; name?: string | undefined };

const addressOf = (a: Address) => (a.name === undefined ? a.address : { name: a.name, address: a.address });

/** The mail as base64 MIME text. The Message-ID is random and names no host (Exchange keeps the one it is given). */
export async function mimeMessage(mail: OutgoingMail & { text: string }): Promise<string> {
  const composer = new MailComposer({
    to: mail.to.map(addressOf),
    ...(mail.cc === undefined || mail.cc.length === 0 ? {} : { cc: mail.cc.map(addressOf) }),
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    headers: { ...(mail.headers ?? {}) },
    messageId: `<${randomUUID()}@baton.local>`,
    textEncoding: 'base64',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const built = await composer.compile().build();
  return built.toString('base64');
}
