// Graph mail routes of the sandbox, under /users/{id | userPrincipalName} and /me: messages (list, get, create,
// update, delete, send, reply, replyAll, createReply, createReplyAll, move), sendMail, mailFolders and
// mailFolders/{id}/messages/delta, with $select, $filter, $orderby, $top, $skip, $count and Graph's errors.
// Imports: fastify types, ../mail, ../odata, ../odata-filter, ../graph-error, ./directory.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphError, badRequest, itemNotFound } from '../graph-error';
import {
  bodyAs,
  invalidUser,
  mailFolderProperties,
  messageCollections,
  messageProperties,
  parseMime,
  parseMimeMessage,
  readSaveToSentItems,
  requestBodyRead,
  type DeltaChangeType,
  type ReplyOptions,
} from '../mail';
import { nextLink, orderItems, pageOf, parseQueryOptions, project, type Json, type JsonObject, type QueryOptions } from '../odata';
import { compileFilter, parseFilter, type FilterTypeInfo } from '../odata-filter';
import type { Sandbox } from '../sandbox';
import { requestUrl } from './directory';

type UserParams = { user?: string };
type MessageParams = UserParams & { id: string };
type FolderParams = UserParams & { folder: string };
type FolderMessageParams = FolderParams & { id: string };

const messageType: FilterTypeInfo = { name: 'microsoft.graph.message', properties: messageProperties, collections: messageCollections };
const messageNames = new Set(messageProperties.map((p) => p.toLowerCase()));
const folderNames = new Set(mailFolderProperties.map((p) => p.toLowerCase()));
const defaultPageSize = 10;
const maxPageSize = 1000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function checkNames(names: readonly string[], valid: ReadonlySet<string>, type: string): void {
  for (const name of names) {
    if (!valid.has(name.toLowerCase())) throw badRequest(`Could not find a property named '${name}' on type '${type}'.`);
  }
}

/** Graph's `Prefer` preferences that the mail routes honour (several headers or comma-separated values). */
function preferences(request: FastifyRequest): { bodyType: 'html' | 'text' | null; maxPageSize: number | null } {
  const raw = request.headers['prefer'];
  const all = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((h) => h.split(','));
  let bodyType: 'html' | 'text' | null = null;
  let maxPage: number | null = null;
  for (const p of all) {
    const body = /^\s*outlook\.body-content-type\s*=\s*"?(text|html)"?\s*$/i.exec(p);
    if (body) bodyType = (body[1] ?? '').toLowerCase() === 'text' ? 'text' : 'html';
    const size = /^\s*odata\.maxpagesize\s*=\s*(\d+)\s*$/i.exec(p);
    if (size) maxPage = Number(size[1]);
  }
  return { bodyType, maxPageSize: maxPage };
}

/** `$expand` items at top level (options in parentheses kept with their item). */
function expandList(query: Record<string, unknown>): string[] {
  const raw = Object.entries(query).find(([k]) => k.toLowerCase() === '$expand' || k.toLowerCase() === 'expand')?.[1];
  if (typeof raw !== 'string') return [];
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of raw) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      items.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') items.push(current.trim());
  return items;
}

/** The body without the quoted thread of a reply (Graph's `uniqueBody`, approximated). */
function uniqueBodyOf(body: Json | undefined): Json {
  if (!isObject(body)) return null;
  const content = typeof body['content'] === 'string' ? body['content'] : '';
  const cut = content.search(/<hr[^>]*>\s*<div id="divRplyFwdMsg"/i);
  if (cut === -1) return body;
  return { contentType: 'html', content: `${content.slice(0, cut)}</body>\r\n</html>\r\n` };
}

export function registerMailRoutes(app: FastifyInstance, sb: Sandbox): void {
  const base = () => sb.baseUrl();

  /** The mailbox a request targets (its permissions were checked by the app, ../permissions). */
  const mailboxOwner = (request: FastifyRequest<{ Params: UserParams }>): string => {
    const key = request.params.user ?? request.graphCaller?.userId ?? '';
    const user = sb.directory.find(key);
    if (!user) throw invalidUser(key);
    return user.id;
  };

  const context = (userId: string, path: string, select: string[] | null, entity: boolean): string =>
    `${base()}/v1.0/$metadata#users('${userId}')/${path}${select ? `(${select.join(',')})` : ''}${entity ? '/$entity' : ''}`;

  function render(request: FastifyRequest, reply: FastifyReply, userId: string, item: JsonObject, select: string[] | null, expand: string[] = []): JsonObject {
    const out: JsonObject = { ...item };
    const wantsHeaders = select?.some((s) => s.toLowerCase() === 'internetmessageheaders') ?? false;
    if (!wantsHeaders) delete out['internetMessageHeaders'];
    if (select?.some((s) => s.toLowerCase() === 'uniquebody')) out['uniqueBody'] = uniqueBodyOf(out['body']);
    const { bodyType } = preferences(request);
    if (bodyType !== null) {
      void reply.header('Preference-Applied', `outlook.body-content-type="${bodyType}"`);
      for (const k of ['body', 'uniqueBody']) if (out[k] !== undefined) out[k] = bodyAs(out[k], bodyType) ?? null;
    }
    // Graph answers selected properties in the type's order, not in the order of $select.
    const picked = project(out, select);
    const projected: JsonObject = {};
    for (const k of Object.keys(out)) if (picked[k] !== undefined) projected[k] = picked[k];
    for (const e of expand) {
      const name = (e.split('(')[0] ?? '').trim().toLowerCase().replace(/^microsoft\.graph\.eventmessage\//, '');
      if (name === 'event') {
        if (item['@odata.type'] === undefined || !text(item['@odata.type']).startsWith('#microsoft.graph.eventMessage')) continue;
        const event = sb.mail.resolveEvent(userId, item);
        if (event) {
          projected['event@odata.context'] = `${base()}/v1.0/$metadata#users('${userId}')/messages('${encodeURIComponent(text(item['id']))}')/microsoft.graph.eventMessage/event/$entity`;
          projected['event'] = event;
        }
      } else if (name === 'attachments') {
        projected['attachments'] = sb.mail.attachments(userId, text(item['id']));
      } else if (name === 'extensions' || name === 'singlevalueextendedproperties' || name === 'multivalueextendedproperties') {
        projected[name === 'extensions' ? 'extensions' : name === 'singlevalueextendedproperties' ? 'singleValueExtendedProperties' : 'multiValueExtendedProperties'] = [];
      } else {
        throw badRequest(`Could not find a property named '${e}' on type 'microsoft.graph.message'.`);
      }
    }
    return projected;
  }

  function listMessages(request: FastifyRequest<{ Params: UserParams }>, reply: FastifyReply, folder: string | undefined): JsonObject {
    const userId = mailboxOwner(request);
    const query = request.query as Record<string, unknown>;
    const q = parseQueryOptions(query);
    if (q.select) checkNames(q.select, messageNames, 'microsoft.graph.message');
    checkNames(q.orderBy.map((o) => o.path[0] ?? ''), messageNames, 'microsoft.graph.message');
    const expand = expandList(query);
    let items = sb.mail.list(userId, folder);
    if (q.filter !== null) {
      const predicate = compileFilter(q.filter, messageType);
      items = items.filter((m) => predicate(m));
    }
    // Graph's default order for messages is receivedDateTime desc (list() gives it; ties stay newest first).
    items = orderItems(items, q.orderBy);
    const { maxPageSize: preferred } = preferences(request);
    if (preferred !== null && q.top === null) void reply.header('Preference-Applied', `odata.maxpagesize=${preferred}`);
    const page = pageOf(items, q, Math.max(1, preferred ?? defaultPageSize), maxPageSize);
    const path = folder === undefined ? 'messages' : `mailFolders('${folder}')/messages`;
    const body: JsonObject = { '@odata.context': context(userId, path, q.select, false) };
    if (q.count) body['@odata.count'] = items.length;
    body['value'] = page.value.map((m) => render(request, reply, userId, m, q.select, expand));
    if (page.nextSkip !== null) body['@odata.nextLink'] = nextLink(requestUrl(sb, request), page.nextSkip);
    return body;
  }

  function getMessage(request: FastifyRequest<{ Params: MessageParams }>, reply: FastifyReply, folder: string | undefined): JsonObject {
    const userId = mailboxOwner(request);
    const query = request.query as Record<string, unknown>;
    const q = parseQueryOptions(query);
    if (q.select) checkNames(q.select, messageNames, 'microsoft.graph.message');
    const item = sb.mail.get(userId, request.params.id);
    if (folder !== undefined && item['parentFolderId'] !== sb.mail.folderId(userId, folder)) throw itemNotFound();
    return { '@odata.context': context(userId, 'messages', q.select, true), ...render(request, reply, userId, item, q.select, expandList(query)) };
  }

  /** An action's JSON parameters, matched case-insensitively (Graph's CSDL spells them `Message`, `Comment`...). */
  function actionParameters(body: unknown, action: string, names: readonly string[]): Record<string, unknown> {
    if (body === undefined || body === null) return {};
    if (!isObject(body)) throw requestBodyRead(`An unexpected '${Array.isArray(body) ? 'StartArray' : 'PrimitiveValue'}' node was found when reading the parameters of '${action}'. A 'StartObject' node was expected.`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body)) {
      const name = names.find((n) => n.toLowerCase() === k.toLowerCase());
      if (name === undefined) throw requestBodyRead(`The parameter '${k}' in the request payload is not a valid parameter for the operation '${action}'.`);
      out[name] = v;
    }
    return out;
  }

  function replyOptions(body: unknown, action: string): ReplyOptions {
    // MIME (text/plain, base64) carries the whole reply message.
    if (typeof body === 'string') return { message: parseMimeMessage(body) };
    const p = actionParameters(body, action, ['comment', 'message']);
    const options: ReplyOptions = {};
    if (p['comment'] !== undefined && p['comment'] !== null) {
      if (typeof p['comment'] !== 'string') throw requestBodyRead("Cannot convert the value of parameter 'Comment' to the expected type 'Edm.String'.");
      options.comment = p['comment'];
    }
    if (p['message'] !== undefined && p['message'] !== null) {
      if (!isObject(p['message'])) throw requestBodyRead("An unexpected 'PrimitiveValue' node was found when reading the parameter 'Message'. A 'StartObject' node was expected.");
      options.message = p['message'] as JsonObject;
    }
    return options;
  }

  function messageBody(body: unknown): JsonObject {
    if (typeof body === 'string') return parseMimeMessage(body);
    if (body === undefined) throw badRequest('Empty Payload. JSON content expected.');
    if (!isObject(body)) throw requestBodyRead("An unexpected 'StartArray' node was found when reading a value of type 'microsoft.graph.message'. A 'StartObject' node was expected.");
    return body as JsonObject;
  }

  for (const prefix of ['/v1.0/users/:user', '/v1.0/me']) {
    // ----- sendMail
    app.post<{ Params: UserParams }>(`${prefix}/sendMail`, async (request, reply) => {
      const userId = mailboxOwner(request);
      let message: JsonObject;
      let saveToSentItems = true;
      let plainText: string | null = null;
      if (typeof request.body === 'string') {
        ({ message, plainText } = parseMime(request.body));
      } else {
        if (request.body === undefined) throw badRequest('Empty Payload. JSON content expected.');
        const p = actionParameters(request.body, 'sendMail', ['message', 'saveToSentItems']);
        if (p['message'] === undefined || p['message'] === null) throw badRequest("Value cannot be null. Parameter name: Message");
        if (!isObject(p['message'])) throw requestBodyRead("An unexpected 'PrimitiveValue' node was found when reading the parameter 'Message'. A 'StartObject' node was expected.");
        message = p['message'] as JsonObject;
        saveToSentItems = readSaveToSentItems(p['saveToSentItems']);
      }
      sb.mail.send(userId, message, saveToSentItems, plainText);
      return reply.status(202).send();
    });

    // ----- messages
    app.get<{ Params: UserParams }>(`${prefix}/messages`, async (request, reply) => listMessages(request, reply, undefined));

    app.post<{ Params: UserParams }>(`${prefix}/messages`, async (request, reply) => {
      const userId = mailboxOwner(request);
      const created = sb.mail.createDraft(userId, messageBody(request.body));
      void reply.header('Location', `${base()}/v1.0/users('${userId}')/messages('${encodeURIComponent(text(created['id']))}')`);
      return reply.status(201).send({ '@odata.context': context(userId, 'messages', null, true), ...render(request, reply, userId, created, null) });
    });

    app.get<{ Params: MessageParams }>(`${prefix}/messages/:id`, async (request, reply) => getMessage(request, reply, undefined));

    app.patch<{ Params: MessageParams }>(`${prefix}/messages/:id`, async (request, reply) => {
      const userId = mailboxOwner(request);
      if (!isObject(request.body)) throw badRequest('Empty Payload. JSON content expected.');
      const updated = sb.mail.update(userId, request.params.id, request.body as JsonObject);
      return { '@odata.context': context(userId, 'messages', null, true), ...render(request, reply, userId, updated, null) };
    });

    app.delete<{ Params: MessageParams }>(`${prefix}/messages/:id`, async (request, reply) => {
      sb.mail.remove(mailboxOwner(request), request.params.id);
      return reply.status(204).send();
    });

    app.post<{ Params: MessageParams }>(`${prefix}/messages/:id/send`, async (request, reply) => {
      sb.mail.sendDraft(mailboxOwner(request), request.params.id);
      return reply.status(202).send();
    });

    for (const [action, all] of [['reply', false], ['replyAll', true]] as const) {
      app.post<{ Params: MessageParams }>(`${prefix}/messages/:id/${action}`, async (request, reply) => {
        const userId = mailboxOwner(request);
        sb.mail.reply(userId, request.params.id, replyOptions(request.body, action), all);
        return reply.status(202).send();
      });
    }

    for (const [action, all] of [['createReply', false], ['createReplyAll', true]] as const) {
      app.post<{ Params: MessageParams }>(`${prefix}/messages/:id/${action}`, async (request, reply) => {
        const userId = mailboxOwner(request);
        const draft = sb.mail.createReply(userId, request.params.id, replyOptions(request.body, action), all);
        return reply.status(201).send({ '@odata.context': context(userId, 'messages', null, true), ...render(request, reply, userId, draft, null) });
      });
    }

    app.post<{ Params: MessageParams }>(`${prefix}/messages/:id/move`, async (request, reply) => {
      const userId = mailboxOwner(request);
      const p = actionParameters(request.body, 'move', ['destinationId']);
      if (typeof p['destinationId'] !== 'string' || p['destinationId'] === '') throw new GraphError(400, 'ErrorInvalidRequest', "The 'DestinationId' parameter is required.");
      const moved = sb.mail.move(userId, request.params.id, p['destinationId']);
      return reply.status(201).send({ '@odata.context': context(userId, 'messages', null, true), ...render(request, reply, userId, moved, null) });
    });

    app.get<{ Params: MessageParams }>(`${prefix}/messages/:id/$value`, (request, reply) => {
      const mime = sb.mail.mime(mailboxOwner(request), request.params.id);
      return reply.type('text/plain').send(mime);
    });

    app.get<{ Params: MessageParams }>(`${prefix}/messages/:id/attachments`, (request) => {
      const userId = mailboxOwner(request);
      return { '@odata.context': context(userId, `messages('${request.params.id}')/attachments`, null, false), value: sb.mail.attachments(userId, request.params.id) };
    });

    // ----- mailFolders
    app.get<{ Params: UserParams }>(`${prefix}/mailFolders`, (request) => {
      const userId = mailboxOwner(request);
      const q = parseQueryOptions(request.query as Record<string, unknown>);
      if (q.select) checkNames(q.select, folderNames, 'microsoft.graph.mailFolder');
      let folders = sb.mail.folders(userId);
      if (q.filter !== null) {
        const predicate = compileFilter(q.filter, { name: 'microsoft.graph.mailFolder', properties: mailFolderProperties });
        folders = folders.filter((f) => predicate(f));
      }
      folders = orderItems(folders, q.orderBy);
      const page = pageOf(folders, q, defaultPageSize, maxPageSize);
      const body: JsonObject = { '@odata.context': context(userId, 'mailFolders', q.select, false) };
      if (q.count) body['@odata.count'] = folders.length;
      body['value'] = page.value.map((f) => project(f, q.select));
      if (page.nextSkip !== null) body['@odata.nextLink'] = nextLink(requestUrl(sb, request), page.nextSkip);
      return body;
    });

    app.get<{ Params: FolderParams }>(`${prefix}/mailFolders/:folder`, (request) => {
      const userId = mailboxOwner(request);
      const q = parseQueryOptions(request.query as Record<string, unknown>);
      if (q.select) checkNames(q.select, folderNames, 'microsoft.graph.mailFolder');
      return { '@odata.context': context(userId, 'mailFolders', q.select, true), ...project(sb.mail.folder(userId, request.params.folder), q.select) };
    });

    app.get<{ Params: FolderParams }>(`${prefix}/mailFolders/:folder/messages`, async (request, reply) => {
      sb.mail.folderId(mailboxOwner(request), request.params.folder);
      return listMessages(request, reply, request.params.folder);
    });

    app.post<{ Params: FolderParams }>(`${prefix}/mailFolders/:folder/messages`, async (request, reply) => {
      const userId = mailboxOwner(request);
      const created = sb.mail.createDraft(userId, messageBody(request.body), request.params.folder);
      return reply.status(201).send({ '@odata.context': context(userId, `mailFolders('${request.params.folder}')/messages`, null, true), ...render(request, reply, userId, created, null) });
    });

    app.get<{ Params: FolderMessageParams }>(`${prefix}/mailFolders/:folder/messages/:id`, async (request, reply) => getMessage(request, reply, request.params.folder));

    app.get<{ Params: FolderParams }>(`${prefix}/mailFolders/:folder/messages/delta`, async (request, reply) => {
      const userId = mailboxOwner(request);
      const query = request.query as Record<string, unknown>;
      const q = parseQueryOptions(query);
      const raw = (name: string): string | null => {
        const v = Object.entries(query).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
        return typeof v === 'string' ? v : null;
      };
      if (q.select) checkNames(q.select, messageNames, 'microsoft.graph.message');
      checkDeltaOrder(q);
      const changeType = raw('changeType');
      if (changeType !== null && !['created', 'updated', 'deleted'].includes(changeType.toLowerCase())) {
        throw badRequest(`The value '${changeType}' of the changeType query option is not valid. Supported values are created, updated and deleted.`, 'ErrorInvalidUrlQuery');
      }
      const prefs = preferences(request);
      const pageSize = q.top ?? prefs.maxPageSize;
      if (prefs.maxPageSize !== null) void reply.header('Preference-Applied', `odata.maxpagesize=${prefs.maxPageSize}`);
      const page = sb.mail.delta(userId, request.params.folder, {
        deltaToken: raw('$deltatoken'),
        skipToken: raw('$skiptoken'),
        pageSize: pageSize === null ? null : Math.max(1, Math.min(pageSize, maxPageSize)),
        select: q.select,
        changeType: changeType === null ? null : (changeType.toLowerCase() as DeltaChangeType),
        receivedSince: q.filter === null ? null : deltaFilter(q.filter),
      });
      const link = `${base()}${request.url.split('?')[0] ?? ''}`;
      const body: JsonObject = { '@odata.context': `${base()}/v1.0/$metadata#Collection(message)` };
      if (page.skipToken !== null) body['@odata.nextLink'] = `${link}?$skiptoken=${page.skipToken}`;
      if (page.deltaToken !== null) body['@odata.deltaLink'] = `${link}?$deltatoken=${page.deltaToken}`;
      body['value'] = page.value.map((m) => (m['@removed'] !== undefined ? m : render(request, reply, userId, m, page.select)));
      return body;
    });
  }
}

/** Message delta takes only `$orderby=receivedDateTime desc` (https://learn.microsoft.com/graph/api/message-delta). */
function checkDeltaOrder(q: QueryOptions): void {
  const ok = q.orderBy.every((o) => o.path.length === 1 && (o.path[0] ?? '').toLowerCase() === 'receiveddatetime' && o.desc);
  if (!ok) throw badRequest("The '$orderby' parameter value is not supported for 'Messages' resource; only a value of 'receivedDateTime desc' is supported.", 'ErrorInvalidUrlQuery');
}

/** Message delta takes only `$filter=receivedDateTime ge|gt {value}`. */
function deltaFilter(text: string): { op: 'ge' | 'gt'; ms: number } {
  const ast = parseFilter(text);
  if (
    ast.kind === 'compare' &&
    (ast.op === 'ge' || ast.op === 'gt') &&
    ast.left.kind === 'path' &&
    ast.left.variable === null &&
    ast.left.segments.length === 1 &&
    (ast.left.segments[0] ?? '').toLowerCase() === 'receiveddatetime' &&
    ast.right.kind === 'literal' &&
    ast.right.literal.type === 'datetime'
  ) {
    return { op: ast.op, ms: ast.right.literal.value };
  }
  throw badRequest("The '$filter' parameter value is not supported for 'Messages' resource; only a value of 'receivedDateTime ge value' is supported.", 'ErrorInvalidUrlQuery');
}
