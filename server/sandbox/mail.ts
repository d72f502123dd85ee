// The sandbox's Exchange mailboxes: one per tenant user with the well-known folders (inbox, sentitems, drafts,
// deleteditems); drafts, sending and delivery to tenant recipients, replies, delta per folder, and every change
// published to the change feed. Message bodies follow Graph's `message` / `eventMessage` types (v1.0 CSDL).
// Imports: node:crypto, libmime (RFC 2047 encoded-words in MIME headers), ./change-feed, ./directory, ./graph-error, ./ids,
// ./odata, ./sandbox-clock.
import { randomBytes } from 'node:crypto';
import libmime from 'libmime';
import type { ChangeFeed, ChangeType } from './change-feed';
import type { Directory, SeedUser } from './directory';
import { GraphError, badRequest, itemNotFound, syncStateNotFound } from './graph-error';
import { newChangeKey, newConversationId, newInternetMessageId, newItemId } from './ids';
import type { Json, JsonObject } from './odata';
import type { SandboxClock } from './sandbox-clock';

export type WellKnownFolderName = 'inbox' | 'sentitems' | 'drafts' | 'deleteditems';
export const wellKnownFolders: readonly WellKnownFolderName[] = ['inbox', 'sentitems', 'drafts', 'deleteditems'];
const folderDisplayNames: Record<WellKnownFolderName, string> = { inbox: 'Inbox', sentitems: 'Sent Items', drafts: 'Drafts', deleteditems: 'Deleted Items' };

/** Properties of Graph's `message` (outlookItem + message, v1.0 CSDL), for $select and $filter checks. */
export const messageProperties: readonly string[] = [
  'id', 'categories', 'changeKey', 'createdDateTime', 'lastModifiedDateTime', 'bccRecipients', 'body', 'bodyPreview',
  'ccRecipients', 'conversationId', 'conversationIndex', 'flag', 'from', 'hasAttachments', 'importance',
  'inferenceClassification', 'internetMessageHeaders', 'internetMessageId', 'isDeliveryReceiptRequested', 'isDraft',
  'isRead', 'isReadReceiptRequested', 'parentFolderId', 'receivedDateTime', 'replyTo', 'sender', 'sentDateTime',
  'subject', 'toRecipients', 'uniqueBody', 'webLink',
];
export const messageCollections: readonly string[] = ['categories', 'bccRecipients', 'ccRecipients', 'toRecipients', 'replyTo', 'internetMessageHeaders'];
export const mailFolderProperties: readonly string[] = ['id', 'childFolderCount', 'displayName', 'isHidden', 'parentFolderId', 'totalItemCount', 'unreadItemCount'];

export interface SendResult {
  internetMessageId: string;
  conversationId: string;
  /** The sender's copy in Sent Items (null when saveToSentItems is false). */
  sentItem: JsonObject | null;
  /** The copies delivered to tenant recipients' inboxes. */
  delivered: Array<{ userId: string; message: JsonObject }>;
}

export interface ReplyOptions {
  comment?: string;
  /** Writable message properties that override the reply's defaults (recipients, body, x- headers...). */
  message?: JsonObject;
}

export type DeltaChangeType = 'created' | 'updated' | 'deleted';

export interface DeltaRequest {
  /** `$deltatoken` from an earlier deltaLink. */
  deltaToken?: string | null;
  /** `$skiptoken` from an earlier nextLink. */
  skipToken?: string | null;
  pageSize?: number | null;
  select?: string[] | null;
  changeType?: DeltaChangeType | null;
  /** Only messages received at or after (ge) / after (gt) this instant. */
  receivedSince?: { op: 'ge' | 'gt'; ms: number } | null;
}

export interface DeltaPage {
  /** Messages (full views) and `{ id, '@removed': { reason: 'deleted' } }` entries. */
  value: JsonObject[];
  select: string[] | null;
  pageSize: number;
  /** Exactly one of the two is set. */
  skipToken: string | null;
  deltaToken: string | null;
}

export interface MailService {
  /**
   * Stores a fully formed copy of `message` in a user's Inbox or Sent Items: ids, dates, changeKey, folder and the
   * other Graph defaults are filled in; `@odata.type` (eventMessage, eventMessageRequest, eventMessageResponse) and
   * properties such as `meetingMessageType` or `event@odata.navigationLink` are kept as given. Pass the same
   * `internetMessageId` / `conversationId` to copies of one message. Publishes the change and returns the copy.
   */
  deliver(userId: string, folder: 'inbox' | 'sentitems', message: JsonObject): JsonObject;
  /** One message (with `internetMessageHeaders`); 400 ErrorInvalidIdMalformed / 404 ErrorItemNotFound otherwise. */
  get(userId: string, messageId: string): JsonObject;
  /** Messages of a mailbox (all folders) or of one folder (well-known name or id), newest first. */
  list(userId: string, folder?: string): JsonObject[];
  /** Sends a message as the user (sendMail): delivered to tenant recipients, saved in Sent Items unless false. */
  send(userId: string, message: JsonObject, saveToSentItems?: boolean, plainText?: string | null): SendResult;
  /** reply / replyAll: the reply is delivered and saved in Sent Items. */
  reply(userId: string, messageId: string, options?: ReplyOptions, replyAll?: boolean): SendResult;

  /** The mailFolder resources of a mailbox. */
  folders(userId: string): JsonObject[];
  /** One mailFolder by id or well-known name. */
  folder(userId: string, idOrName: string): JsonObject;
  /** A folder's id from its id or well-known name (the change feed's `folderId`). */
  folderId(userId: string, idOrName: string): string;
  /** The well-known name of a folder id, if it is one of this mailbox's folders. */
  folderName(userId: string, folderId: string): WellKnownFolderName | null;

  createDraft(userId: string, message: JsonObject, folder?: string): JsonObject;
  update(userId: string, messageId: string, patch: JsonObject): JsonObject;
  sendDraft(userId: string, messageId: string): SendResult;
  createReply(userId: string, messageId: string, options?: ReplyOptions, replyAll?: boolean): JsonObject;
  move(userId: string, messageId: string, destination: string): JsonObject;
  remove(userId: string, messageId: string): void;
  /** The message's attachments as Graph's `fileAttachment` resources. */
  attachments(userId: string, messageId: string): JsonObject[];

  /** One page of `mailFolders/{folder}/messages/delta`. */
  delta(userId: string, folder: string, request: DeltaRequest): DeltaPage;

  /** The calendar service registers how to expand `eventMessage/event` (`$expand=microsoft.graph.eventMessage/event`). */
  setEventResolver(resolver: ((userId: string, message: JsonObject) => JsonObject | null) | null): void;
  resolveEvent(userId: string, message: JsonObject): JsonObject | null;
  /** The message as RFC 5322 MIME text (`GET /messages/{id}/$value`). */
  mime(userId: string, messageId: string): string;
}

export interface MailServiceOptions {
  directory: Directory;
  changes: ChangeFeed;
  clock: SandboxClock;
  /** The sandbox's origin, for `webLink` (an https URL to the sandbox's own page). */
  baseUrl?: () => string;
}

// ---------------------------------------------------------------------------------------------------------------
// Errors as Graph/Exchange answer them

export const requestBodyRead = (message: string): GraphError => new GraphError(400, 'RequestBodyRead', message);
export const unknownProperty = (name: string, type: string): GraphError =>
  requestBodyRead(`The property '${name}' does not exist on type '${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
export const invalidIdMalformed = (): GraphError => new GraphError(400, 'ErrorInvalidIdMalformed', 'Id is malformed.');
export const invalidUser = (idOrUpn: string): GraphError => new GraphError(404, 'ErrorInvalidUser', `The requested user '${idOrUpn}' is invalid.`);
const invalidRecipients = (detail: string): GraphError => new GraphError(400, 'ErrorInvalidRecipients', `At least one recipient isn't valid., ${detail}`);
const noRecipients = (): GraphError => invalidRecipients("A message can't be sent because it contains no recipients.");
const invalidSyncState = (): GraphError => new GraphError(400, 'ErrorInvalidSyncStateData', 'The sync state data is corrupt or otherwise invalid.');

/** Exchange item and folder ids are base64 of a binary structure whose first byte is small (`AAMk...`, `AQMk...`). */
export function isWellFormedItemId(id: string): boolean {
  return /^A[A-Za-z0-9+/_-]{7,}={0,2}$/.test(id);
}

// ---------------------------------------------------------------------------------------------------------------
// Stored items

interface StoredAttachment {
  name: string;
  contentType: string;
  contentBytes: string;
  isInline: boolean;
}

interface StoredMessage {
  id: string;
  folder: WellKnownFolderName;
  /** Change-feed sequence number of the change that put the item in its current folder. */
  seq: number;
  /** The Graph message without `@odata.etag` and `webLink` (derived when read); headers included. */
  data: JsonObject;
  attachments: StoredAttachment[];
  /** Threading of a draft reply, applied as In-Reply-To / References when it is sent. */
  inReplyTo: string | null;
  references: string | null;
  /** The sender's own plain-text alternative of an HTML body sent as MIME (`$value` serves it instead of a conversion). */
  plainText: string | null;
}

interface Mailbox {
  user: SeedUser;
  rootId: string;
  folderIds: Record<WellKnownFolderName, string>;
  messages: Map<string, StoredMessage>;
}

const graphDate = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function rfc2822(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

// ---------------------------------------------------------------------------------------------------------------
// Bodies

const htmlEntities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function htmlToText(html: string): string {
  return html
    .replace(/<head[\s\S]*?<\/head>/gi, '')
    .replace(/<(style|script)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\r\n')
    .replace(/<\/(p|div|tr|li|h[1-6])>/gi, '\r\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
      if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(parseInt(e.slice(2), 16));
      if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
      return htmlEntities[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t]+(\r?\n)/g, '$1')
    .replace(/(\r?\n){3,}/g, '\r\n\r\n')
    .trim();
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function textToHtml(text: string): string {
  return wrapHtml(escapeHtml(text).replace(/\r?\n/g, '<br>\r\n'));
}

function wrapHtml(inner: string): string {
  if (/<html[\s>]/i.test(inner)) return inner;
  return `<html>\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n</head>\r\n<body>\r\n${inner}\r\n</body>\r\n</html>\r\n`;
}

/** The inside of an HTML document's body (for quoting in replies). */
function htmlBodyInner(html: string): string {
  const m = /<body[^>]*>([\s\S]*)<\/body>/i.exec(html);
  return (m?.[1] ?? html).trim();
}

function bodyPreviewOf(body: JsonObject): string {
  const content = typeof body['content'] === 'string' ? body['content'] : '';
  const text = body['contentType'] === 'html' ? htmlToText(content) : content.trim();
  return text.length > 255 ? text.slice(0, 255) : text;
}

/** The body as the caller asked (`Prefer: outlook.body-content-type`). */
export function bodyAs(body: Json | undefined, contentType: 'html' | 'text'): Json | undefined {
  if (body === null || body === undefined || typeof body !== 'object' || Array.isArray(body)) return body;
  const content = typeof body['content'] === 'string' ? body['content'] : '';
  if (body['contentType'] === contentType) return body;
  return contentType === 'text' ? { contentType: 'text', content: htmlToText(content) } : { contentType: 'html', content: textToHtml(content) };
}

// ---------------------------------------------------------------------------------------------------------------
// Conversation index (MS-OXOMSG 2.2.1.3): 22-byte header (reserved byte, 5 bytes of FILETIME, GUID); each reply
// appends a 5-byte child block.

function fileTime(d: Date): bigint {
  return (BigInt(d.getTime()) + 11644473600000n) * 10000n;
}

function newConversationIndex(now: Date): string {
  const header = Buffer.alloc(22);
  header[0] = 0x01;
  const ft = Buffer.alloc(8);
  ft.writeBigUInt64BE(fileTime(now));
  ft.copy(header, 1, 0, 5);
  randomBytes(16).copy(header, 6);
  return header.toString('base64');
}

function childConversationIndex(parent: string | null, now: Date): string {
  const base = parent ? Buffer.from(parent, 'base64') : Buffer.alloc(0);
  if (base.length < 22) return newConversationIndex(now);
  const parentTime = Buffer.alloc(8);
  base.copy(parentTime, 0, 1, 6);
  const delta = (fileTime(now) - parentTime.readBigUInt64BE()) >> 18n;
  const block = Buffer.alloc(5);
  block.writeUInt32BE(Number(delta & 0x7fffffffn));
  block[4] = randomBytes(1)[0] ?? 0;
  return Buffer.concat([base, block]).toString('base64');
}

// ---------------------------------------------------------------------------------------------------------------
// Reading request bodies: Graph's `message` with its nested complex types

type Kind = 'string' | 'boolean' | 'recipient' | 'recipients' | 'body' | 'strings' | 'flag' | 'headers' | 'importance' | 'inference' | 'attachments' | 'readOnly' | 'unsupported';

const messageWritable: Record<string, Kind> = {
  bccRecipients: 'recipients',
  body: 'body',
  categories: 'strings',
  ccRecipients: 'recipients',
  flag: 'flag',
  from: 'recipient',
  importance: 'importance',
  inferenceClassification: 'inference',
  internetMessageHeaders: 'headers',
  isDeliveryReceiptRequested: 'boolean',
  isRead: 'boolean',
  isReadReceiptRequested: 'boolean',
  replyTo: 'recipients',
  sender: 'recipient',
  subject: 'string',
  toRecipients: 'recipients',
  attachments: 'attachments',
  // Read-only in the CSDL sense (Graph ignores them in a request body).
  id: 'readOnly',
  changeKey: 'readOnly',
  createdDateTime: 'readOnly',
  lastModifiedDateTime: 'readOnly',
  bodyPreview: 'readOnly',
  conversationId: 'readOnly',
  conversationIndex: 'readOnly',
  hasAttachments: 'readOnly',
  internetMessageId: 'readOnly',
  isDraft: 'readOnly',
  parentFolderId: 'readOnly',
  receivedDateTime: 'readOnly',
  sentDateTime: 'readOnly',
  uniqueBody: 'readOnly',
  webLink: 'readOnly',
  extensions: 'unsupported',
  singleValueExtendedProperties: 'unsupported',
  multiValueExtendedProperties: 'unsupported',
};
const messageWritableByLower = new Map(Object.keys(messageWritable).map((k) => [k.toLowerCase(), k]));

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], type: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('@odata.')) continue;
    const name = allowed.find((a) => a.toLowerCase() === k.toLowerCase());
    if (name === undefined) throw unknownProperty(k, type);
    out[name] = v;
  }
  return out;
}

function expectObject(v: unknown, type: string): Record<string, unknown> {
  if (!isObject(v)) throw requestBodyRead(`An unexpected '${Array.isArray(v) ? 'StartArray' : 'PrimitiveValue'}' node was found when reading a value of type '${type}'. A 'StartObject' node was expected.`);
  return v;
}

function expectArray(v: unknown, type: string): unknown[] {
  if (!Array.isArray(v)) throw requestBodyRead(`An unexpected '${isObject(v) ? 'StartObject' : 'PrimitiveValue'}' node was found when reading a value of type 'Collection(${type})'. A 'StartArray' node was expected.`);
  return v;
}

function expectString(v: unknown, name: string): string {
  if (typeof v !== 'string') throw requestBodyRead(`Cannot convert the value of property '${name}' to the expected type 'Edm.String'.`);
  return v;
}

function expectBoolean(v: unknown, name: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw requestBodyRead(`Cannot convert the value of property '${name}' to the expected type 'Edm.Boolean'.`);
}

function enumValue(v: unknown, members: readonly string[]): string {
  if (typeof v !== 'string') throw requestBodyRead(`Cannot convert a primitive value to the expected type '${members.join('|')}'.`);
  const m = members.find((x) => x.toLowerCase() === v.toLowerCase());
  if (m === undefined) throw requestBodyRead(`Requested value '${v}' was not found.`);
  return m;
}

function readRecipient(v: unknown): JsonObject {
  const r = checkKeys(expectObject(v, 'microsoft.graph.recipient'), ['emailAddress'], 'microsoft.graph.recipient');
  const e = checkKeys(expectObject(r['emailAddress'] ?? {}, 'microsoft.graph.emailAddress'), ['address', 'name'], 'microsoft.graph.emailAddress');
  const out: JsonObject = {};
  if (e['name'] !== undefined && e['name'] !== null) out['name'] = expectString(e['name'], 'name');
  if (e['address'] !== undefined && e['address'] !== null) out['address'] = expectString(e['address'], 'address');
  return { emailAddress: out };
}

function readDateTimeTimeZone(v: unknown, name: string): JsonObject | null {
  if (v === null) return null;
  const d = checkKeys(expectObject(v, 'microsoft.graph.dateTimeTimeZone'), ['dateTime', 'timeZone'], 'microsoft.graph.dateTimeTimeZone');
  return { dateTime: expectString(d['dateTime'], `${name}.dateTime`), timeZone: expectString(d['timeZone'] ?? 'UTC', `${name}.timeZone`) };
}

function readFlag(v: unknown): JsonObject {
  const f = checkKeys(expectObject(v, 'microsoft.graph.followupFlag'), ['flagStatus', 'startDateTime', 'dueDateTime', 'completedDateTime'], 'microsoft.graph.followupFlag');
  const out: JsonObject = { flagStatus: f['flagStatus'] === undefined ? 'notFlagged' : enumValue(f['flagStatus'], ['notFlagged', 'complete', 'flagged']) };
  for (const k of ['startDateTime', 'dueDateTime', 'completedDateTime'] as const) {
    if (f[k] !== undefined) out[k] = readDateTimeTimeZone(f[k], k);
  }
  return out;
}

function readBody(v: unknown): JsonObject {
  const b = checkKeys(expectObject(v, 'microsoft.graph.itemBody'), ['contentType', 'content'], 'microsoft.graph.itemBody');
  const contentType = b['contentType'] === undefined || b['contentType'] === null ? 'text' : enumValue(b['contentType'], ['text', 'html']);
  const content = b['content'] === undefined || b['content'] === null ? '' : expectString(b['content'], 'content');
  return { contentType, content: contentType === 'html' ? wrapHtml(content) : content };
}

function readHeaders(v: unknown): JsonObject[] {
  return expectArray(v, 'microsoft.graph.internetMessageHeader').map((h) => {
    const x = checkKeys(expectObject(h, 'microsoft.graph.internetMessageHeader'), ['name', 'value'], 'microsoft.graph.internetMessageHeader');
    const name = expectString(x['name'], 'name');
    if (!/^x-/i.test(name)) {
      // https://learn.microsoft.com/graph/api/resources/internetmessageheader: only custom (x-) headers may be set.
      throw new GraphError(400, 'InvalidInternetMessageHeader', `The internet message header name '${name}' should start with 'x-' or 'X-'.`);
    }
    return { name, value: x['value'] === undefined || x['value'] === null ? '' : expectString(x['value'], 'value') };
  });
}

function readAttachments(v: unknown): StoredAttachment[] {
  return expectArray(v, 'microsoft.graph.attachment').map((a) => {
    const raw = expectObject(a, 'microsoft.graph.attachment');
    const type = raw['@odata.type'];
    if (type !== '#microsoft.graph.fileAttachment' && type !== '#microsoft.graph.FileAttachment') {
      throw new GraphError(400, 'ErrorInvalidRequest', 'The sandbox accepts only #microsoft.graph.fileAttachment attachments.');
    }
    const x = checkKeys(raw, ['name', 'contentType', 'contentBytes', 'isInline', 'contentId', 'contentLocation', 'size', 'lastModifiedDateTime', 'id'], 'microsoft.graph.fileAttachment');
    const contentBytes = expectString(x['contentBytes'] ?? '', 'contentBytes');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(contentBytes.replace(/\s/g, ''))) throw new GraphError(400, 'ErrorInvalidRequest', 'Invalid base64 string for attachment content.');
    return {
      name: expectString(x['name'] ?? 'attachment', 'name'),
      contentType: expectString(x['contentType'] ?? 'application/octet-stream', 'contentType'),
      contentBytes,
      isInline: x['isInline'] === undefined ? false : expectBoolean(x['isInline'], 'isInline'),
    };
  });
}

interface MessageInput {
  fields: JsonObject;
  attachments: StoredAttachment[] | null;
}

/** Reads a `message` request body (POST, PATCH, sendMail's `message`, reply's `message`); 400 on unknown names. */
export function readMessageInput(raw: unknown): MessageInput {
  if (raw === undefined || raw === null) return { fields: {}, attachments: null };
  const obj = expectObject(raw, 'microsoft.graph.message');
  const type = obj['@odata.type'];
  if (type !== undefined && (typeof type !== 'string' || !/^#?microsoft\.graph\.message$/i.test(type))) {
    throw requestBodyRead(`A type named '${text(type).replace(/^#/, '')}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.`);
  }
  const fields: JsonObject = {};
  let attachments: StoredAttachment[] | null = null;
  for (const [key, value] of Object.entries(obj)) {
    if (key.startsWith('@odata.')) continue;
    const name = messageWritableByLower.get(key.toLowerCase());
    if (name === undefined) throw unknownProperty(key, 'microsoft.graph.message');
    const kind = messageWritable[name];
    switch (kind) {
      case 'string':
        fields[name] = value === null ? '' : expectString(value, name);
        break;
      case 'boolean':
        fields[name] = expectBoolean(value, name);
        break;
      case 'recipient':
        fields[name] = value === null ? null : readRecipient(value);
        break;
      case 'recipients':
        fields[name] = value === null ? [] : expectArray(value, 'microsoft.graph.recipient').map(readRecipient);
        break;
      case 'body':
        fields[name] = value === null ? { contentType: 'text', content: '' } : readBody(value);
        break;
      case 'strings':
        fields[name] = value === null ? [] : expectArray(value, 'Edm.String').map((s) => expectString(s, name));
        break;
      case 'flag':
        fields[name] = value === null ? { flagStatus: 'notFlagged' } : readFlag(value);
        break;
      case 'headers':
        fields[name] = value === null ? [] : readHeaders(value);
        break;
      case 'importance':
        fields[name] = enumValue(value, ['low', 'normal', 'high']);
        break;
      case 'inference':
        fields[name] = enumValue(value, ['focused', 'other']);
        break;
      case 'attachments':
        attachments = value === null ? [] : readAttachments(value);
        break;
      case 'unsupported':
        throw new GraphError(501, 'NotImplemented', `The sandbox does not support '${name}' on messages.`);
      case 'readOnly':
      case undefined:
        break;
    }
  }
  return { fields, attachments };
}

// ---------------------------------------------------------------------------------------------------------------
// MIME (text/plain, base64): sendMail, POST messages, reply and createReply accept a MIME message

const mimeInvalid = (): GraphError => new GraphError(400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.');

function parseAddressList(value: string): JsonObject[] {
  const out: JsonObject[] = [];
  for (const part of value.match(/(?:"[^"]*"|[^,])+/g) ?? []) {
    const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^>]+)>\s*$/.exec(part) ?? /^\s*()([^\s<>]+@[^\s<>]+)\s*$/.exec(part);
    if (!m) continue;
    const address = (m[2] ?? '').trim();
    // A name with other than ASCII comes as RFC 2047 encoded-words (=?UTF-8?Q?M=C3=BCller?=).
    const name = libmime.decodeWords((m[1] ?? '').trim());
    out.push({ emailAddress: name ? { name, address } : { address } });
  }
  return out;
}

function decodePart(body: string, encoding: string | undefined): string {
  const enc = (encoding ?? '').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') {
    const bytes = Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    return bytes.toString('utf8');
  }
  return body;
}

interface MimeEntity {
  headers: Array<{ name: string; value: string }>;
  body: string;
}

function splitEntity(text: string): MimeEntity {
  const sep = /\r?\n\r?\n/.exec(text);
  const head = sep ? text.slice(0, sep.index) : text;
  const body = sep ? text.slice(sep.index + sep[0].length) : '';
  const headers: Array<{ name: string; value: string }> = [];
  for (const line of head.split(/\r?\n/)) {
    const last = headers[headers.length - 1];
    if (/^[ \t]/.test(line) && last) {
      last.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return { headers, body };
}

const headerOf = (e: MimeEntity, name: string): string | undefined => e.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

/** A base64 MIME message as a `message` request body (subject, recipients, body, x- headers, attachments). */
export function parseMimeMessage(base64: string): JsonObject {
  return parseMime(base64).message;
}

/**
 * A base64 MIME message as a `message` request body, plus the plain-text alternative the sender wrote beside an HTML
 * body (multipart/alternative), which the message's MIME (`$value`) keeps.
 */
export function parseMime(base64: string): { message: JsonObject; plainText: string | null } {
  const compact = base64.replace(/\s/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) throw mimeInvalid();
  const text = Buffer.from(compact, 'base64').toString('utf8');
  const top = splitEntity(text);
  if (top.headers.length === 0) throw mimeInvalid();
  const message: JsonObject = {};
  const subject = headerOf(top, 'Subject');
  if (subject !== undefined) message['subject'] = libmime.decodeWords(subject);
  for (const [header, prop] of [['To', 'toRecipients'], ['Cc', 'ccRecipients'], ['Bcc', 'bccRecipients'], ['Reply-To', 'replyTo']] as const) {
    const v = headerOf(top, header);
    if (v !== undefined) message[prop] = parseAddressList(v);
  }
  // From (and Sender, else From) become the draft's from and sender, as Graph does with a MIME message.
  const from = parseAddressList(headerOf(top, 'From') ?? '')[0];
  const sender = parseAddressList(headerOf(top, 'Sender') ?? '')[0] ?? from;
  if (from !== undefined) message['from'] = from;
  if (sender !== undefined) message['sender'] = sender;
  const custom = top.headers.filter((h) => /^x-/i.test(h.name)).map((h) => ({ name: h.name, value: h.value }));
  if (custom.length > 0) message['internetMessageHeaders'] = custom;

  const attachments: JsonObject[] = [];
  const found: { body: JsonObject | null; plain: string | null } = { body: null, plain: null };
  const visit = (entity: MimeEntity) => {
    const contentType = headerOf(entity, 'Content-Type') ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (/^multipart\//i.test(contentType) && boundary) {
      const parts = entity.body.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?\\s*`));
      for (const part of parts) if (part.trim() !== '') visit(splitEntity(part));
      return;
    }
    const disposition = headerOf(entity, 'Content-Disposition') ?? '';
    if (/^attachment/i.test(disposition)) {
      const name = /filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? 'attachment';
      const raw = headerOf(entity, 'Content-Transfer-Encoding')?.toLowerCase() === 'base64' ? entity.body.replace(/\s/g, '') : Buffer.from(entity.body).toString('base64');
      attachments.push({ '@odata.type': '#microsoft.graph.fileAttachment', name, contentType: contentType.split(';')[0] ?? 'application/octet-stream', contentBytes: raw });
      return;
    }
    const content = decodePart(entity.body, headerOf(entity, 'Content-Transfer-Encoding'));
    if (/^text\/html/i.test(contentType)) found.body = { contentType: 'html', content };
    else if (/^text\/plain/i.test(contentType)) {
      found.plain ??= content.replace(/\s+$/, '');
      if (found.body === null) found.body = { contentType: 'text', content: found.plain };
    }
  };
  visit(top);
  if (found.body !== null) message['body'] = found.body;
  if (attachments.length > 0) message['attachments'] = attachments;
  return { message, plainText: found.body?.['contentType'] === 'html' ? found.plain : null };
}

// ---------------------------------------------------------------------------------------------------------------
// Delta tokens: base64url JSON naming the mailbox, the folder and a position in the change feed

interface DeltaState {
  k: 'd' | 's';
  u: string;
  f: string;
  /** Start of this round: the feed position the client has seen (null: initial round). */
  from: number | null;
  /** End of this round: the feed head when the round began; the next deltaToken's position. */
  upto: number;
  /** Cursor inside the round (item seq for the initial round, change seq otherwise). */
  after: number;
  sel: string[] | null;
  ct: DeltaChangeType | null;
  ps: number;
  rs: { op: 'ge' | 'gt'; ms: number } | null;
}

function encodeState(s: DeltaState): string {
  return Buffer.from(JSON.stringify(s)).toString('base64url');
}

function decodeState(token: string, kind: 'd' | 's'): DeltaState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidSyncState();
  }
  if (!isObject(parsed)) throw invalidSyncState();
  const p = parsed;
  const num = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const ok =
    p['k'] === kind &&
    typeof p['u'] === 'string' &&
    typeof p['f'] === 'string' &&
    (p['from'] === null || num(p['from'])) &&
    num(p['upto']) &&
    num(p['after']) &&
    num(p['ps']) &&
    (p['sel'] === null || (Array.isArray(p['sel']) && p['sel'].every((s) => typeof s === 'string'))) &&
    (p['ct'] === null || p['ct'] === 'created' || p['ct'] === 'updated' || p['ct'] === 'deleted') &&
    (p['rs'] === null || (isObject(p['rs']) && (p['rs']['op'] === 'ge' || p['rs']['op'] === 'gt') && typeof p['rs']['ms'] === 'number'));
  if (!ok) throw invalidSyncState();
  return p as unknown as DeltaState;
}

// ---------------------------------------------------------------------------------------------------------------
// The service

export function createMailService(options: MailServiceOptions): MailService {
  const { directory, changes, clock } = options;
  const baseUrl = options.baseUrl ?? (() => 'https://127.0.0.1:3100');
  const mailboxes = new Map<string, Mailbox>();
  let eventResolver: ((userId: string, message: JsonObject) => JsonObject | null) | null = null;

  const newFolderId = () => `AQMkA${randomBytes(40).toString('base64url')}AAAA`;

  function mailbox(idOrUpn: string): Mailbox {
    const user = directory.find(idOrUpn);
    if (!user) throw invalidUser(idOrUpn);
    let box = mailboxes.get(user.id);
    if (!box) {
      box = {
        user,
        rootId: newFolderId(),
        folderIds: { inbox: newFolderId(), sentitems: newFolderId(), drafts: newFolderId(), deleteditems: newFolderId() },
        messages: new Map(),
      };
      mailboxes.set(user.id, box);
    }
    return box;
  }

  function resolveFolder(box: Mailbox, idOrName: string): WellKnownFolderName {
    const lower = idOrName.toLowerCase();
    const byName = wellKnownFolders.find((f) => f === lower);
    if (byName) return byName;
    const byId = wellKnownFolders.find((f) => box.folderIds[f] === idOrName);
    if (byId) return byId;
    if (!isWellFormedItemId(idOrName)) throw invalidIdMalformed();
    throw itemNotFound();
  }

  function stored(box: Mailbox, messageId: string): StoredMessage {
    const m = box.messages.get(messageId);
    if (m) return m;
    if (!isWellFormedItemId(messageId)) throw invalidIdMalformed();
    throw itemNotFound();
  }

  function publish(box: Mailbox, m: StoredMessage, changeType: ChangeType, folder: WellKnownFolderName = m.folder): number {
    return changes.publish({ at: clock.now(), userId: box.user.id, kind: 'message', itemId: m.id, folderId: box.folderIds[folder], changeType }).seq;
  }

  function view(box: Mailbox, m: StoredMessage): JsonObject {
    const out: JsonObject = {};
    const changeKey = m.data['changeKey'];
    const type = m.data['@odata.type'];
    if (type !== undefined) out['@odata.type'] = type;
    out['@odata.etag'] = `W/"${typeof changeKey === 'string' ? changeKey : ''}"`;
    for (const [k, v] of Object.entries(m.data)) {
      if (k === '@odata.type') continue;
      if (k === 'internetMessageHeaders' && m.folder === 'drafts' && (m.inReplyTo !== null || m.references !== null)) {
        out[k] = [...threadHeaders(m), ...(Array.isArray(v) ? v : [])];
        continue;
      }
      out[k] = v;
      if (k === 'isDraft') out['webLink'] = `${baseUrl()}/sandbox/?ItemID=${encodeURIComponent(m.id)}&exvsurl=1&viewmodel=ReadMessageItem&mailbox=${encodeURIComponent(box.user.id)}`;
    }
    return out;
  }

  function threadHeaders(m: { inReplyTo: string | null; references: string | null }): JsonObject[] {
    const out: JsonObject[] = [];
    if (m.inReplyTo !== null) out.push({ name: 'In-Reply-To', value: m.inReplyTo });
    if (m.references !== null) out.push({ name: 'References', value: m.references });
    return out;
  }

  function recipientWithName(r: Json): Json {
    if (!isObject(r) || !isObject(r['emailAddress'])) return r;
    const e = r['emailAddress'];
    const address = typeof e['address'] === 'string' ? e['address'] : '';
    const user = address ? directory.byAddress(address) : undefined;
    const name = typeof e['name'] === 'string' && e['name'] !== '' ? e['name'] : (user?.displayName ?? address);
    return { emailAddress: { name, address } };
  }

  const userRecipient = (u: SeedUser): JsonObject => ({ emailAddress: { name: u.displayName, address: u.userPrincipalName } });
  const recipientsOf = (v: Json | undefined): JsonObject[] => (Array.isArray(v) ? v.filter((r): r is JsonObject => isObject(r)) : []);
  const addressOf = (r: JsonObject): string => {
    const e = r['emailAddress'];
    return isObject(e) && typeof e['address'] === 'string' ? e['address'] : '';
  };
  const formatAddress = (r: JsonObject): string => {
    const e = r['emailAddress'];
    const name = isObject(e) && typeof e['name'] === 'string' ? e['name'] : '';
    return name && name !== addressOf(r) ? `"${name}" <${addressOf(r)}>` : `<${addressOf(r)}>`;
  };

  /** A complete Graph message in canonical property order, from defaults overridden by `given`. */
  function compose(box: Mailbox, folder: WellKnownFolderName, id: string, given: JsonObject, now: Date): JsonObject {
    const g = (k: string): Json | undefined => given[k];
    const body = isObject(g('body')) ? (g('body') as JsonObject) : { contentType: 'text', content: '' };
    const data: JsonObject = {};
    if (typeof g('@odata.type') === 'string') data['@odata.type'] = g('@odata.type') as string;
    const changeKey = newChangeKey();
    Object.assign(data, {
      id,
      createdDateTime: graphDate(now),
      lastModifiedDateTime: graphDate(now),
      changeKey,
      categories: g('categories') ?? [],
      receivedDateTime: g('receivedDateTime') ?? graphDate(now),
      sentDateTime: g('sentDateTime') ?? graphDate(now),
      hasAttachments: g('hasAttachments') ?? false,
      internetMessageId: g('internetMessageId') ?? newInternetMessageId(directory.domain),
      subject: g('subject') ?? '',
      bodyPreview: bodyPreviewOf(body),
      importance: g('importance') ?? 'normal',
      parentFolderId: box.folderIds[folder],
      conversationId: g('conversationId') ?? newConversationId(),
      conversationIndex: g('conversationIndex') ?? newConversationIndex(now),
      isDeliveryReceiptRequested: g('isDeliveryReceiptRequested') ?? false,
      isReadReceiptRequested: g('isReadReceiptRequested') ?? false,
      isRead: g('isRead') ?? folder !== 'inbox',
      isDraft: g('isDraft') ?? folder === 'drafts',
      inferenceClassification: g('inferenceClassification') ?? 'focused',
    } satisfies JsonObject);
    // eventMessage (and other derived types) properties given by the caller, in their order.
    const placed = new Set([...Object.keys(data), 'body', 'sender', 'from', 'toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo', 'flag', 'internetMessageHeaders', 'webLink', '@odata.etag']);
    for (const [k, v] of Object.entries(given)) if (!placed.has(k)) data[k] = v;
    data['body'] = { contentType: body['contentType'] === 'html' ? 'html' : 'text', content: body['content'] ?? '' };
    if (g('sender') !== undefined && g('sender') !== null) data['sender'] = recipientWithName(g('sender') ?? null);
    if (g('from') !== undefined && g('from') !== null) data['from'] = recipientWithName(g('from') ?? null);
    data['toRecipients'] = recipientsOf(g('toRecipients')).map(recipientWithName);
    data['ccRecipients'] = recipientsOf(g('ccRecipients')).map(recipientWithName);
    data['bccRecipients'] = recipientsOf(g('bccRecipients')).map(recipientWithName);
    data['replyTo'] = recipientsOf(g('replyTo')).map(recipientWithName);
    data['flag'] = g('flag') ?? { flagStatus: 'notFlagged' };
    data['internetMessageHeaders'] = Array.isArray(g('internetMessageHeaders')) ? (g('internetMessageHeaders') as Json[]) : [];
    return data;
  }

  function store(box: Mailbox, folder: WellKnownFolderName, data: JsonObject, extra: Partial<Pick<StoredMessage, 'attachments' | 'inReplyTo' | 'references' | 'plainText'>> = {}): StoredMessage {
    const id = typeof data['id'] === 'string' ? data['id'] : newItemId();
    const m: StoredMessage = { id, folder, seq: 0, data, attachments: extra.attachments ?? [], inReplyTo: extra.inReplyTo ?? null, references: extra.references ?? null, plainText: extra.plainText ?? null };
    box.messages.set(id, m);
    m.seq = publish(box, m, 'created');
    return m;
  }

  function touch(m: StoredMessage, now: Date) {
    const changeKey = newChangeKey();
    m.data['changeKey'] = changeKey;
    m.data['lastModifiedDateTime'] = graphDate(now);
  }

  /** The transport headers a delivered copy carries (as Exchange shows them in internetMessageHeaders). */
  function transportHeaders(msg: JsonObject, thread: { inReplyTo: string | null; references: string | null }, custom: Json[], now: Date): JsonObject[] {
    const body = isObject(msg['body']) ? msg['body'] : {};
    const subject = typeof msg['subject'] === 'string' ? msg['subject'] : '';
    const from = isObject(msg['from']) ? msg['from'] : null;
    const headers: JsonObject[] = [];
    const add = (name: string, value: string) => headers.push({ name, value });
    if (from) add('From', formatAddress(from));
    const to = recipientsOf(msg['toRecipients']);
    const cc = recipientsOf(msg['ccRecipients']);
    if (to.length > 0) add('To', to.map(formatAddress).join(', '));
    if (cc.length > 0) add('CC', cc.map(formatAddress).join(', '));
    add('Subject', subject);
    add('Thread-Topic', subject.replace(/^((re|fw|fwd|aw|wg):\s*)+/i, ''));
    if (typeof msg['conversationIndex'] === 'string') add('Thread-Index', msg['conversationIndex']);
    add('Date', rfc2822(now));
    add('Message-ID', typeof msg['internetMessageId'] === 'string' ? msg['internetMessageId'] : '');
    if (thread.references !== null) add('References', thread.references);
    if (thread.inReplyTo !== null) add('In-Reply-To', thread.inReplyTo);
    add('Accept-Language', 'en-US');
    add('Content-Language', 'en-US');
    add('X-MS-Has-Attach', msg['hasAttachments'] === true ? 'yes' : '');
    add('MIME-Version', '1.0');
    add('Content-Type', body['contentType'] === 'html' ? 'text/html; charset="utf-8"' : 'text/plain; charset="utf-8"');
    for (const h of custom) if (isObject(h) && typeof h['name'] === 'string' && /^x-/i.test(h['name'])) headers.push(h);
    return headers;
  }

  /**
   * Submits a message: validates recipients, stamps sender and ids, saves the sender's copy (moving the draft when
   * there is one), delivers a copy to each tenant recipient's Inbox.
   */
  function submit(box: Mailbox, message: JsonObject, opts: { saveToSentItems: boolean; draft: StoredMessage | null; attachments: StoredAttachment[]; inReplyTo: string | null; references: string | null; plainText?: string | null }): SendResult {
    const to = recipientsOf(message['toRecipients']);
    const cc = recipientsOf(message['ccRecipients']);
    const bcc = recipientsOf(message['bccRecipients']);
    const all = [...to, ...cc, ...bcc];
    if (all.length === 0) throw noRecipients();
    for (const r of all) {
      const address = addressOf(r);
      if (!/^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/.test(address)) {
        throw invalidRecipients(`Recipient '${address}' isn't resolved. All recipients must be resolved before a message can be submitted.`);
      }
    }
    const owner = userRecipient(box.user);
    const from = isObject(message['from']) ? message['from'] : null;
    if (from && addressOf(from).toLowerCase() !== box.user.userPrincipalName.toLowerCase()) {
      throw new GraphError(403, 'ErrorSendAsDenied', 'The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.');
    }
    const now = clock.now();
    // A draft keeps the Message-ID it was given when created, so a client can match replies to what it stored.
    const internetMessageId = typeof message['internetMessageId'] === 'string' ? message['internetMessageId'] : newInternetMessageId(directory.domain);
    const conversationId = typeof message['conversationId'] === 'string' ? message['conversationId'] : newConversationId();
    const conversationIndex = typeof message['conversationIndex'] === 'string' ? message['conversationIndex'] : newConversationIndex(now);
    const hasAttachments = opts.attachments.some((a) => !a.isInline);
    const sent: JsonObject = {
      ...message,
      internetMessageId,
      conversationId,
      conversationIndex,
      sentDateTime: graphDate(now),
      receivedDateTime: graphDate(now),
      hasAttachments,
      sender: owner,
      from: owner,
      isDraft: false,
    };
    const custom = Array.isArray(message['internetMessageHeaders']) ? message['internetMessageHeaders'] : [];
    const headers = transportHeaders({ ...sent, toRecipients: to.map(recipientWithName), ccRecipients: cc.map(recipientWithName) }, opts, custom, now);

    let sentItem: JsonObject | null = null;
    if (opts.saveToSentItems) {
      if (opts.draft) {
        // Immutable ids (Prefer: IdType="ImmutableId") survive the move from Drafts to Sent Items.
        const d = opts.draft;
        publish(box, d, 'deleted', 'drafts');
        const data = compose(box, 'sentitems', d.id, { ...sent, createdDateTime: d.data['createdDateTime'] ?? graphDate(now), isRead: true, internetMessageHeaders: headers }, now);
        data['createdDateTime'] = d.data['createdDateTime'] ?? data['createdDateTime'] ?? null;
        d.folder = 'sentitems';
        d.data = data;
        d.inReplyTo = opts.inReplyTo;
        d.references = opts.references;
        d.seq = publish(box, d, 'created');
        sentItem = view(box, d);
      } else {
        const m = store(box, 'sentitems', compose(box, 'sentitems', newItemId(), { ...sent, isRead: true, internetMessageHeaders: headers }, now), { attachments: opts.attachments, inReplyTo: opts.inReplyTo, references: opts.references, plainText: opts.plainText ?? null });
        sentItem = view(box, m);
      }
    } else if (opts.draft) {
      box.messages.delete(opts.draft.id);
      publish(box, opts.draft, 'deleted', 'drafts');
    }

    const delivered: SendResult['delivered'] = [];
    const seen = new Set<string>();
    for (const r of all) {
      const user = directory.byAddress(addressOf(r));
      if (!user || seen.has(user.id)) continue;
      seen.add(user.id);
      const inbox = mailbox(user.id);
      const copy = compose(inbox, 'inbox', newItemId(), { ...sent, bccRecipients: [], isRead: false, internetMessageHeaders: headers }, now);
      const m = store(inbox, 'inbox', copy, { attachments: opts.attachments.map((a) => ({ ...a })), inReplyTo: opts.inReplyTo, references: opts.references, plainText: opts.plainText ?? null });
      delivered.push({ userId: user.id, message: view(inbox, m) });
    }
    return { internetMessageId, conversationId, sentItem, delivered };
  }

  function replyDraftFields(box: Mailbox, original: StoredMessage, options: ReplyOptions, replyAll: boolean, now: Date): { fields: JsonObject; attachments: StoredAttachment[] | null; inReplyTo: string | null; references: string | null } {
    const o = original.data;
    const me = box.user.userPrincipalName.toLowerCase();
    const notMe = (r: JsonObject) => addressOf(r).toLowerCase() !== me;
    const originalFrom = isObject(o['from']) ? o['from'] : null;
    const fromMe = original.folder === 'sentitems' || original.folder === 'drafts' || (originalFrom !== null && !notMe(originalFrom));
    let to: JsonObject[];
    let cc: JsonObject[] = [];
    if (fromMe) {
      to = recipientsOf(o['toRecipients']);
      if (replyAll) cc = recipientsOf(o['ccRecipients']);
    } else {
      const replyTo = recipientsOf(o['replyTo']);
      to = replyTo.length > 0 ? replyTo : originalFrom ? [originalFrom] : [];
      if (replyAll) {
        to = [...to, ...recipientsOf(o['toRecipients']).filter(notMe)];
        cc = recipientsOf(o['ccRecipients']).filter(notMe);
      }
    }
    const dedupe = (list: JsonObject[]) => list.filter((r, i) => list.findIndex((x) => addressOf(x).toLowerCase() === addressOf(r).toLowerCase()) === i);
    const subject = typeof o['subject'] === 'string' ? o['subject'] : '';
    const originalBody: JsonObject = isObject(o['body']) ? o['body'] : { contentType: 'text', content: '' };
    const originalHtml = originalBody['contentType'] === 'html' ? htmlBodyInner(text(originalBody['content'])) : escapeHtml(text(originalBody['content'])).replace(/\r?\n/g, '<br>\r\n');
    const comment = options.comment ?? '';
    const quoted =
      `<div>${escapeHtml(comment).replace(/\r?\n/g, '<br>\r\n')}</div>\r\n<hr style="display:inline-block;width:98%" tabindex="-1">\r\n` +
      `<div id="divRplyFwdMsg" dir="ltr"><b>From:</b> ${escapeHtml(originalFrom ? formatAddress(originalFrom) : '')}<br>\r\n` +
      `<b>Sent:</b> ${escapeHtml(typeof o['sentDateTime'] === 'string' ? new Date(o['sentDateTime']).toUTCString() : '')}<br>\r\n` +
      `<b>To:</b> ${escapeHtml(recipientsOf(o['toRecipients']).map(formatAddress).join('; '))}<br>\r\n` +
      `<b>Subject:</b> ${escapeHtml(subject)}</div>\r\n<div>${originalHtml}</div>`;
    const input = readMessageInput(options.message);
    const originalId = typeof o['internetMessageId'] === 'string' ? o['internetMessageId'] : null;
    const references = [original.references, originalId].filter((x): x is string => x !== null && x !== '').join(' ');
    const fields: JsonObject = {
      subject: /^re:/i.test(subject) ? subject : `RE: ${subject}`,
      body: { contentType: 'html', content: wrapHtml(quoted) },
      toRecipients: dedupe(to),
      ccRecipients: dedupe(cc),
      conversationId: o['conversationId'] ?? newConversationId(),
      conversationIndex: childConversationIndex(typeof o['conversationIndex'] === 'string' ? o['conversationIndex'] : null, now),
    };
    // `message.body` replaces the quoted body only when given; a comment is put above it either way (Graph).
    for (const [k, v] of Object.entries(input.fields)) {
      if (k === 'body' && isObject(v) && comment !== '') {
        const content = v['contentType'] === 'html' ? htmlBodyInner(text(v['content'])) : escapeHtml(text(v['content'])).replace(/\r?\n/g, '<br>\r\n');
        fields['body'] = { contentType: 'html', content: wrapHtml(`<div>${escapeHtml(comment)}</div>\r\n${content}`) };
        continue;
      }
      fields[k] = v;
    }
    return { fields, attachments: input.attachments, inReplyTo: originalId, references: references === '' ? null : references };
  }

  function newDraft(box: Mailbox, folder: WellKnownFolderName, fields: JsonObject, extra: Partial<Pick<StoredMessage, 'attachments' | 'inReplyTo' | 'references'>>): StoredMessage {
    const now = clock.now();
    const attachments = extra.attachments ?? [];
    const data = compose(box, folder, newItemId(), { ...fields, isDraft: true, isRead: true, hasAttachments: attachments.some((a) => !a.isInline) }, now);
    return store(box, folder, data, extra);
  }

  const service: MailService = {
    deliver(userId, folder, message) {
      const box = mailbox(userId);
      const now = clock.now();
      const given: JsonObject = { ...message };
      if (isObject(given['body'])) {
        const b = given['body'];
        const contentType = text(b['contentType']).toLowerCase() === 'html' ? 'html' : 'text';
        const content = typeof b['content'] === 'string' ? b['content'] : '';
        given['body'] = { contentType, content: contentType === 'html' ? wrapHtml(content) : content };
      }
      if (folder === 'sentitems' && given['from'] === undefined) given['from'] = userRecipient(box.user);
      if (given['from'] !== undefined && given['sender'] === undefined) given['sender'] = given['from'];
      const data = compose(box, folder, newItemId(), given, now);
      if (!Array.isArray(message['internetMessageHeaders'])) data['internetMessageHeaders'] = transportHeaders(data, { inReplyTo: null, references: null }, [], now);
      return view(box, store(box, folder, data));
    },

    get(userId, messageId) {
      const box = mailbox(userId);
      return view(box, stored(box, messageId));
    },

    list(userId, folder) {
      const box = mailbox(userId);
      const only = folder === undefined ? null : resolveFolder(box, folder);
      const items = [...box.messages.values()].filter((m) => only === null || m.folder === only);
      // Newest first; the feed position breaks ties between messages of the same second.
      items.sort((a, b) => text(b.data['receivedDateTime']).localeCompare(text(a.data['receivedDateTime'])) || b.seq - a.seq);
      return items.map((m) => view(box, m));
    },

    send(userId, message, saveToSentItems = true, plainText = null) {
      const box = mailbox(userId);
      const input = readMessageInput(message);
      return submit(box, input.fields, { saveToSentItems, draft: null, attachments: input.attachments ?? [], inReplyTo: null, references: null, plainText });
    },

    reply(userId, messageId, options = {}, replyAll = false) {
      const box = mailbox(userId);
      const original = stored(box, messageId);
      const draft = replyDraftFields(box, original, options, replyAll, clock.now());
      return submit(box, draft.fields, { saveToSentItems: true, draft: null, attachments: draft.attachments ?? [], inReplyTo: draft.inReplyTo, references: draft.references });
    },

    folders(userId) {
      const box = mailbox(userId);
      return wellKnownFolders.map((f) => service.folder(box.user.id, f));
    },

    folder(userId, idOrName) {
      const box = mailbox(userId);
      const f = resolveFolder(box, idOrName);
      const items = [...box.messages.values()].filter((m) => m.folder === f);
      return {
        id: box.folderIds[f],
        displayName: folderDisplayNames[f],
        parentFolderId: box.rootId,
        childFolderCount: 0,
        unreadItemCount: items.filter((m) => m.data['isRead'] !== true).length,
        totalItemCount: items.length,
        isHidden: false,
      };
    },

    folderId(userId, idOrName) {
      const box = mailbox(userId);
      return box.folderIds[resolveFolder(box, idOrName)];
    },

    folderName(userId, folderId) {
      const box = mailbox(userId);
      return wellKnownFolders.find((f) => box.folderIds[f] === folderId) ?? null;
    },

    createDraft(userId, message, folder = 'drafts') {
      const box = mailbox(userId);
      const f = resolveFolder(box, folder);
      const input = readMessageInput(message);
      return view(box, newDraft(box, f, input.fields, { attachments: input.attachments ?? [] }));
    },

    update(userId, messageId, patch) {
      const box = mailbox(userId);
      const m = stored(box, messageId);
      const input = readMessageInput(patch);
      const isDraft = m.data['isDraft'] === true;
      // https://learn.microsoft.com/graph/api/message-update: recipients, body, subject, from, sender,
      // internetMessageHeaders and attachments are updatable only while isDraft is true.
      const draftOnly = new Set(['bccRecipients', 'ccRecipients', 'toRecipients', 'replyTo', 'body', 'subject', 'from', 'sender', 'internetMessageHeaders', 'isDeliveryReceiptRequested']);
      if (!isDraft) {
        const refused = Object.keys(input.fields).find((k) => draftOnly.has(k));
        if (refused !== undefined || input.attachments !== null) {
          throw new GraphError(400, 'ErrorInvalidPropertyUpdateSentMessage', 'Update operation is not allowed on a sent message for the requested property.');
        }
      }
      const now = clock.now();
      for (const [k, v] of Object.entries(input.fields)) {
        if (k === 'body' && isObject(v)) {
          m.data['body'] = v;
          m.data['bodyPreview'] = bodyPreviewOf(v);
        } else if (k === 'toRecipients' || k === 'ccRecipients' || k === 'bccRecipients' || k === 'replyTo') {
          m.data[k] = recipientsOf(v).map(recipientWithName);
        } else if (k === 'from' || k === 'sender') {
          if (v === null) m.data = Object.fromEntries(Object.entries(m.data).filter(([key]) => key !== k));
          else if (m.data[k] !== undefined) m.data[k] = recipientWithName(v);
          else {
            // Keep Graph's property order: from/sender come after body.
            const rest = Object.entries(m.data);
            const at = rest.findIndex(([key]) => key === 'toRecipients');
            const entries: Array<[string, Json]> = [...rest.slice(0, at), [k, recipientWithName(v)], ...rest.slice(at)];
            m.data = Object.fromEntries(entries);
          }
        } else {
          m.data[k] = v;
        }
      }
      if (input.attachments !== null) {
        m.attachments = [...m.attachments, ...input.attachments];
        m.data['hasAttachments'] = m.attachments.some((a) => !a.isInline);
      }
      touch(m, now);
      publish(box, m, 'updated');
      return view(box, m);
    },

    sendDraft(userId, messageId) {
      const box = mailbox(userId);
      const m = stored(box, messageId);
      if (m.data['isDraft'] !== true) {
        throw new GraphError(400, 'ErrorInvalidOperation', 'Only draft messages can be sent.');
      }
      return submit(box, { ...m.data }, { saveToSentItems: true, draft: m, attachments: m.attachments, inReplyTo: m.inReplyTo, references: m.references });
    },

    createReply(userId, messageId, options = {}, replyAll = false) {
      const box = mailbox(userId);
      const original = stored(box, messageId);
      const draft = replyDraftFields(box, original, options, replyAll, clock.now());
      return view(box, newDraft(box, 'drafts', draft.fields, { attachments: draft.attachments ?? [], inReplyTo: draft.inReplyTo, references: draft.references }));
    },

    move(userId, messageId, destination) {
      const box = mailbox(userId);
      const m = stored(box, messageId);
      const to = resolveFolder(box, destination);
      if (to === m.folder) return view(box, m);
      publish(box, m, 'deleted');
      m.folder = to;
      m.data['parentFolderId'] = box.folderIds[to];
      touch(m, clock.now());
      m.seq = publish(box, m, 'created');
      return view(box, m);
    },

    remove(userId, messageId) {
      const box = mailbox(userId);
      const m = stored(box, messageId);
      box.messages.delete(m.id);
      publish(box, m, 'deleted');
    },

    attachments(userId, messageId) {
      const box = mailbox(userId);
      const m = stored(box, messageId);
      return m.attachments.map((a, i) => ({
        '@odata.type': '#microsoft.graph.fileAttachment',
        id: `${m.id.slice(0, 40)}BEgAQA${String(i).padStart(4, '0')}=`,
        lastModifiedDateTime: m.data['lastModifiedDateTime'] ?? null,
        name: a.name,
        contentType: a.contentType,
        size: Math.floor((a.contentBytes.replace(/=+$/, '').length * 3) / 4),
        isInline: a.isInline,
        contentId: null,
        contentLocation: null,
        contentBytes: a.contentBytes,
      }));
    },

    delta(userId, folder, request) {
      const box = mailbox(userId);
      const folderName = resolveFolder(box, folder);
      const folderId = box.folderIds[folderName];
      let state: DeltaState;
      if (request.skipToken) state = decodeState(request.skipToken, 's');
      else if (request.deltaToken) {
        const d = decodeState(request.deltaToken, 'd');
        state = { ...d, k: 's', from: d.upto, upto: changes.head(), after: 0 };
      } else {
        state = { k: 's', u: box.user.id, f: folderId, from: null, upto: changes.head(), after: 0, sel: null, ct: null, ps: 10, rs: null };
      }
      if (state.u !== box.user.id || state.f !== folderId) throw invalidSyncState();
      if (request.select) state.sel = request.select;
      if (request.changeType) state.ct = request.changeType;
      if (request.pageSize) state.ps = request.pageSize;
      if (request.receivedSince) state.rs = request.receivedSince;
      const received = (m: StoredMessage) => {
        if (state.rs === null) return true;
        const t = Date.parse(text(m.data['receivedDateTime']));
        return state.rs.op === 'ge' ? t >= state.rs.ms : t > state.rs.ms;
      };

      // Each entry: its cursor position and the JSON to answer.
      let entries: Array<{ pos: number; item: JsonObject }>;
      if (state.from === null) {
        entries =
          state.ct === null || state.ct === 'created'
            ? [...box.messages.values()]
                .filter((m) => m.folder === folderName && received(m))
                .sort((a, b) => a.seq - b.seq)
                .map((m) => ({ pos: m.seq, item: view(box, m) }))
            : [];
      } else {
        if (state.from < changes.horizon()) throw syncStateNotFound();
        const from = state.from;
        const last = new Map<string, number>();
        for (const c of changes.since(from)) {
          if (c.seq > state.upto) break;
          if (c.kind === 'message' && c.userId === box.user.id && c.folderId === folderId) last.set(c.itemId, c.seq);
        }
        entries = [];
        for (const [itemId, pos] of [...last.entries()].sort((a, b) => a[1] - b[1])) {
          const m = box.messages.get(itemId);
          const present = m !== undefined && m.folder === folderName;
          const type: DeltaChangeType = !present ? 'deleted' : m.seq > from ? 'created' : 'updated';
          if (state.ct !== null && state.ct !== type) continue;
          if (present) {
            if (received(m)) entries.push({ pos, item: view(box, m) });
          } else entries.push({ pos, item: { '@odata.type': '#microsoft.graph.message', id: itemId, '@removed': { reason: 'deleted' } } });
        }
      }
      const remaining = entries.filter((e) => e.pos > state.after);
      const page = remaining.slice(0, state.ps);
      const more = remaining.length > page.length;
      const lastPos = page[page.length - 1]?.pos ?? state.after;
      return {
        value: page.map((e) => e.item),
        select: state.sel,
        pageSize: state.ps,
        skipToken: more ? encodeState({ ...state, after: lastPos }) : null,
        deltaToken: more ? null : encodeState({ ...state, k: 'd', after: 0 }),
      };
    },

    setEventResolver(resolver) {
      eventResolver = resolver;
    },

    resolveEvent(userId, message) {
      return eventResolver ? eventResolver(userId, message) : null;
    },

    mime(userId, messageId) {
      const box = mailbox(userId);
      const m = stored(box, messageId);
      const d = m.data;
      const sent = typeof d['sentDateTime'] === 'string' ? new Date(d['sentDateTime']) : clock.now();
      const transport = Array.isArray(d['internetMessageHeaders']) ? d['internetMessageHeaders'].filter((x): x is JsonObject => isObject(x)) : [];
      const headers = transport.length > 0 ? transport : transportHeaders(d, m, [], sent);
      const lines = headers.map((x) => `${text(x['name'])}: ${text(x['value'])}`);
      if (!headers.some((x) => text(x['name']).toLowerCase() === 'from') && isObject(d['from'])) lines.unshift(`From: ${formatAddress(d['from'])}`);
      const body = isObject(d['body']) ? d['body'] : {};
      const boundary = `_000_${m.id.slice(5, 33).replace(/[^A-Za-z0-9]/g, '')}_`;
      const content = text(body['content']);
      const parts: string[] = [];
      if (body['contentType'] === 'html') {
        const lead = lines.filter((l) => !/^content-type:/i.test(l));
        parts.push(...lead, `Content-Type: multipart/alternative; boundary="${boundary}"`, '', `--${boundary}`, 'Content-Type: text/plain; charset="utf-8"', '', m.plainText ?? htmlToText(content), '', `--${boundary}`, 'Content-Type: text/html; charset="utf-8"', '', content, '', `--${boundary}--`, '');
      } else {
        parts.push(...lines.filter((l) => !/^content-type:/i.test(l)), 'Content-Type: text/plain; charset="utf-8"', '', content, '');
      }
      return parts.join('\r\n');
    },
  };
  return service;
}

/** `saveToSentItems` as sendMail takes it: a boolean, or the strings "true"/"false" (Graph's own example). */
export function readSaveToSentItems(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw badRequest(`Cannot convert the literal '${JSON.stringify(v)}' to the expected type 'Edm.Boolean'.`, 'RequestBodyRead');
}
