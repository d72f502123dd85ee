// Identifiers shaped like Microsoft 365's: GUIDs for directory objects, long base64 item ids for Outlook items
// (immutable ids), change keys, iCalUIds and RFC 5322 internet message ids.
import { randomBytes, randomUUID } from 'node:crypto';

export const newGuid = (): string => randomUUID();

/** An Outlook item id (immutable-id style): base64url, ~150 characters, starting with AAMk like Graph's. */
export function newItemId(): string {
  return `AAMkA${randomBytes(105).toString('base64url')}=`;
}

export const newChangeKey = (): string => randomBytes(18).toString('base64');

export function newICalUId(): string {
  return `040000008200E00074C5B7101A82E008${randomBytes(28).toString('hex').toUpperCase()}`;
}

export function newInternetMessageId(domain: string): string {
  return `<${randomBytes(12).toString('hex').toUpperCase()}@${domain}>`;
}

export const newConversationId = (): string => `AAQkA${randomBytes(40).toString('base64url')}=`;
