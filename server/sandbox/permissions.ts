// Which Microsoft Graph permissions each sandbox route accepts, as Graph's API reference gives them ("Permissions"
// table of each operation: the least privileged permission first, then the higher privileged ones). One table, checked
// in the request pipeline (./app) for every /v1.0 route, and rendered into README's app registration section.
// Delegated tokens (`scp`) act as the signed-in user: another user's mailbox needs a `.Shared` scope, another user's
// profile `User.ReadBasic.All`. App-only tokens (`roles`) reach every mailbox. Imports: ./graph-error, ./sandbox types.
import { GraphError, accessDenied } from './graph-error';
import type { GraphCaller } from './sandbox';

export type PermissionResource = 'mail' | 'events' | 'calendarView' | 'getSchedule' | 'subscriptions' | 'users' | 'mailboxSettings';

export interface RoutePermission {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The path as Graph's reference writes it; every `/users/{id}/…` row also covers `/me/…`. */
  path: string;
  resource: PermissionResource;
  /** Delegated scopes accepted on the signed-in user's own mailbox or profile (least privileged first). */
  delegated: readonly string[];
  /** Delegated scopes accepted on another user's mailbox or profile; empty: never. */
  delegatedOtherUser: readonly string[];
  /** Application roles accepted (least privileged first). */
  application: readonly string[];
  /** The subscription routes: the permission depends on the subscribed resource (`subscriptionPermissions`). */
  bySubscribedResource?: true;
}

const mailReadBasic = {
  delegated: ['Mail.ReadBasic', 'Mail.Read', 'Mail.ReadWrite'],
  delegatedOtherUser: ['Mail.Read.Shared', 'Mail.ReadWrite.Shared'],
  application: ['Mail.ReadBasic.All', 'Mail.Read', 'Mail.ReadWrite'],
} as const;
const mailRead = {
  delegated: ['Mail.Read', 'Mail.ReadWrite'],
  delegatedOtherUser: ['Mail.Read.Shared', 'Mail.ReadWrite.Shared'],
  application: ['Mail.Read', 'Mail.ReadWrite'],
} as const;
const mailWrite = { delegated: ['Mail.ReadWrite'], delegatedOtherUser: ['Mail.ReadWrite.Shared'], application: ['Mail.ReadWrite'] } as const;
const mailSend = { delegated: ['Mail.Send'], delegatedOtherUser: ['Mail.Send.Shared'], application: ['Mail.Send'] } as const;
const calendarsReadBasic = {
  delegated: ['Calendars.ReadBasic', 'Calendars.Read', 'Calendars.ReadWrite'],
  delegatedOtherUser: ['Calendars.Read.Shared', 'Calendars.ReadWrite.Shared'],
  application: ['Calendars.ReadBasic', 'Calendars.Read', 'Calendars.ReadWrite'],
} as const;
/** event-delta's table names Calendars.Read as least privileged, and Calendars.ReadBasic among the higher ones. */
const calendarsRead = {
  delegated: ['Calendars.Read', 'Calendars.ReadBasic', 'Calendars.ReadWrite'],
  delegatedOtherUser: ['Calendars.Read.Shared', 'Calendars.ReadWrite.Shared'],
  application: ['Calendars.Read', 'Calendars.ReadBasic', 'Calendars.ReadWrite'],
} as const;
const calendarsWrite = { delegated: ['Calendars.ReadWrite'], delegatedOtherUser: ['Calendars.ReadWrite.Shared'], application: ['Calendars.ReadWrite'] } as const;
const userRead = { delegated: ['User.Read', 'User.ReadBasic.All', 'User.Read.All'], delegatedOtherUser: ['User.ReadBasic.All', 'User.Read.All'], application: ['User.Read.All'] } as const;
const settingsRead = { delegated: ['MailboxSettings.Read', 'MailboxSettings.ReadWrite'], delegatedOtherUser: [], application: ['MailboxSettings.Read', 'MailboxSettings.ReadWrite'] } as const;
const settingsWrite = { delegated: ['MailboxSettings.ReadWrite'], delegatedOtherUser: [], application: ['MailboxSettings.ReadWrite'] } as const;
const bySubscription = { delegated: [], delegatedOtherUser: [], application: [], bySubscribedResource: true } as const;

type Grant = Pick<RoutePermission, 'delegated' | 'delegatedOtherUser' | 'application'> & { bySubscribedResource?: true };
const row = (method: RoutePermission['method'], path: string, resource: PermissionResource, grant: Grant): RoutePermission => ({ method, path, resource, ...grant });

/** Every Graph route the sandbox serves, but `$batch` (each of its requests is checked on its own). */
export const routePermissions: readonly RoutePermission[] = [
  // https://learn.microsoft.com/graph/api/user-list, user-get, user-list-manager
  row('GET', '/users', 'users', { delegated: ['User.ReadBasic.All', 'User.Read.All'], delegatedOtherUser: ['User.ReadBasic.All', 'User.Read.All'], application: ['User.Read.All'] }),
  row('GET', '/users/{id}', 'users', userRead),
  row('GET', '/users/{id}/manager', 'users', userRead),
  // user-get-mailboxsettings, user-update-mailboxsettings
  row('GET', '/users/{id}/mailboxSettings', 'mailboxSettings', settingsRead),
  row('GET', '/users/{id}/mailboxSettings/{property}', 'mailboxSettings', settingsRead),
  row('PATCH', '/users/{id}/mailboxSettings', 'mailboxSettings', settingsWrite),
  // user-sendmail, user-list-messages, message-get, user-post-messages, message-update, message-delete, message-send,
  // message-reply, message-replyall, message-createreply, message-createreplyall, message-move, message-list-attachments,
  // user-list-mailfolders, mailfolder-get, mailfolder-list-messages, mailfolder-post-messages, message-delta
  row('POST', '/users/{id}/sendMail', 'mail', mailSend),
  row('GET', '/users/{id}/messages', 'mail', mailReadBasic),
  row('POST', '/users/{id}/messages', 'mail', mailWrite),
  row('GET', '/users/{id}/messages/{id}', 'mail', mailReadBasic),
  row('PATCH', '/users/{id}/messages/{id}', 'mail', mailWrite),
  row('DELETE', '/users/{id}/messages/{id}', 'mail', mailWrite),
  row('GET', '/users/{id}/messages/{id}/$value', 'mail', mailRead),
  row('GET', '/users/{id}/messages/{id}/attachments', 'mail', mailRead),
  row('POST', '/users/{id}/messages/{id}/send', 'mail', mailSend),
  row('POST', '/users/{id}/messages/{id}/reply', 'mail', mailSend),
  row('POST', '/users/{id}/messages/{id}/replyAll', 'mail', mailSend),
  row('POST', '/users/{id}/messages/{id}/createReply', 'mail', mailWrite),
  row('POST', '/users/{id}/messages/{id}/createReplyAll', 'mail', mailWrite),
  row('POST', '/users/{id}/messages/{id}/move', 'mail', mailWrite),
  row('GET', '/users/{id}/mailFolders', 'mail', mailReadBasic),
  row('GET', '/users/{id}/mailFolders/{id}', 'mail', mailReadBasic),
  row('GET', '/users/{id}/mailFolders/{id}/messages', 'mail', mailReadBasic),
  row('POST', '/users/{id}/mailFolders/{id}/messages', 'mail', mailWrite),
  row('GET', '/users/{id}/mailFolders/{id}/messages/{id}', 'mail', mailReadBasic),
  row('GET', '/users/{id}/mailFolders/{id}/messages/delta', 'mail', mailReadBasic),
  // calendar-get, user-list-calendars, user-list-events, event-get, user-post-events, event-update, event-delete,
  // event-accept, event-decline, event-tentativelyaccept, event-cancel, event-list-instances
  row('GET', '/users/{id}/calendar', 'events', calendarsReadBasic),
  row('GET', '/users/{id}/calendars', 'events', calendarsReadBasic),
  row('GET', '/users/{id}/calendars/{id}', 'events', calendarsReadBasic),
  row('GET', '/users/{id}/events', 'events', calendarsReadBasic),
  row('POST', '/users/{id}/events', 'events', calendarsWrite),
  row('GET', '/users/{id}/events/{id}', 'events', calendarsReadBasic),
  row('PATCH', '/users/{id}/events/{id}', 'events', calendarsWrite),
  row('DELETE', '/users/{id}/events/{id}', 'events', calendarsWrite),
  row('GET', '/users/{id}/events/{id}/instances', 'events', calendarsReadBasic),
  row('POST', '/users/{id}/events/{id}/accept', 'events', calendarsWrite),
  row('POST', '/users/{id}/events/{id}/decline', 'events', calendarsWrite),
  row('POST', '/users/{id}/events/{id}/tentativelyAccept', 'events', calendarsWrite),
  row('POST', '/users/{id}/events/{id}/cancel', 'events', calendarsWrite),
  // user-list-calendarview, event-delta
  row('GET', '/users/{id}/calendarView', 'calendarView', calendarsReadBasic),
  row('GET', '/users/{id}/calendarView/{id}', 'calendarView', calendarsReadBasic),
  row('GET', '/users/{id}/calendarView/delta', 'calendarView', calendarsRead),
  // calendar-getschedule: free/busy of the listed schedules, asked as the signed-in user (no .Shared scope applies)
  row('POST', '/users/{id}/calendar/getSchedule', 'getSchedule', { delegated: ['Calendars.ReadBasic', 'Calendars.Read', 'Calendars.ReadWrite'], delegatedOtherUser: [], application: ['Calendars.ReadBasic', 'Calendars.Read', 'Calendars.ReadWrite'] }),
  // subscription-post-subscriptions, subscription-get, subscription-update, subscription-delete, subscription-reauthorize, subscription-list
  row('POST', '/subscriptions', 'subscriptions', bySubscription),
  row('GET', '/subscriptions', 'subscriptions', bySubscription),
  row('GET', '/subscriptions/{id}', 'subscriptions', bySubscription),
  row('PATCH', '/subscriptions/{id}', 'subscriptions', bySubscription),
  row('DELETE', '/subscriptions/{id}', 'subscriptions', bySubscription),
  row('POST', '/subscriptions/{id}/reauthorize', 'subscriptions', bySubscription),
];

/**
 * The permissions of a subscription, by the resource it watches (subscription-post-subscriptions): "Creating a
 * subscription requires read scope to the resource", and Graph's subscriptions do not take a write permission where a
 * read one is needed, so `Calendars.ReadWrite` alone cannot watch events. The Outlook `.Shared` scopes do not reach
 * change notifications either: a user subscribes to their own mailbox only.
 */
export const subscriptionPermissions: Readonly<Record<'message' | 'event', Pick<RoutePermission, 'delegated' | 'application'>>> = {
  message: { delegated: ['Mail.ReadBasic', 'Mail.Read'], application: ['Mail.ReadBasic', 'Mail.ReadBasic.All', 'Mail.Read'] },
  event: { delegated: ['Calendars.Read'], application: ['Calendars.Read'] },
};

/** Every delegated scope the table names: what the sandbox's identity can grant on Graph. */
export const tableDelegatedScopes: readonly string[] = [
  ...new Set([...routePermissions.flatMap((r) => [...r.delegated, ...r.delegatedOtherUser]), ...Object.values(subscriptionPermissions).flatMap((p) => p.delegated)]),
];

/** Every application permission the table names: what the sandbox's server app may be granted in its seed. */
export const tableApplicationRoles: readonly string[] = [
  ...new Set([...routePermissions.flatMap((r) => r.application), ...Object.values(subscriptionPermissions).flatMap((p) => p.application)]),
];

// ---- Graph's refusals -----------------------------------------------------------------------------------------------

/** Exchange (mail, calendar, mailbox settings) refuses with ErrorAccessDenied. */
const exchangeDenied = (): GraphError => accessDenied();
/** The directory (users, manager) refuses with Authorization_RequestDenied. */
const directoryDenied = (): GraphError => new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
/** The subscription service wraps the workload's refusal in ExtensionError. */
export const subscriptionDenied = (operation: 'Create' | 'Get' | 'Update' | 'Delete' | 'Reauthorize'): GraphError =>
  new GraphError(403, 'ExtensionError', `Operation: ${operation}; Exception: [Status Code: Forbidden; Reason: Access denied]`);

export function permissionDenied(resource: PermissionResource): GraphError {
  return resource === 'users' ? directoryDenied() : resource === 'subscriptions' ? subscriptionDenied('Create') : exchangeDenied();
}

// ---- the check --------------------------------------------------------------------------------------------------------

// A route's shape with its parameters blanked: `/v1.0/users/:user/messages/:id` and `/me/messages/{id}` both give
// `/users/*/messages/*` (lower case).
function shapeOf(path: string): string {
  let p = path.replace(/^\/v1\.0/i, '');
  p = p.replace(/^\/me(?=\/|$)/i, '/users/*');
  p = p.replace(/\/(:[^/]+|\{[^}]+\})/g, '/*');
  // GET /mailboxSettings/{property} is one route per property name.
  p = p.replace(/^(\/users\/\*\/mailboxSettings)\/[^/*]+$/i, '$1/*');
  return p.toLowerCase();
}

const byShape = new Map<string, RoutePermission>(routePermissions.map((r) => [`${r.method} ${shapeOf(r.path)}`, r]));

/** The permission row of a registered route (`GET`, `/v1.0/users/:user/messages/:id`); HEAD is GET. */
export function permissionOf(method: string, routeUrl: string): RoutePermission | undefined {
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  return byShape.get(`${m} ${shapeOf(routeUrl)}`);
}

/** Whether `granted` holds one of `accepted` (Graph's permission names are compared as issued). */
export function holdsOneOf(granted: readonly string[], accepted: readonly string[]): boolean {
  for (const p of accepted) if (granted.includes(p)) return true;
  return false;
}

/**
 * Throws Graph's 403 when the caller's token lacks the route's permission. `targetUser` is the user id the URL names
 * (null for collections such as `/users`); a delegated caller on anyone else needs `delegatedOtherUser`.
 */
export function checkRoutePermission(rule: RoutePermission, caller: GraphCaller, targetUser: string | null): void {
  if (rule.bySubscribedResource) return; // checked by the subscription service, which knows the resource
  let accepted: readonly string[];
  let granted: readonly string[];
  if (caller.userId === null) {
    accepted = rule.application;
    granted = caller.roles;
  } else {
    const own = targetUser !== null && targetUser.toLowerCase() === caller.userId.toLowerCase();
    accepted = own ? rule.delegated : rule.delegatedOtherUser;
    granted = caller.scopes;
  }
  if (!holdsOneOf(granted, accepted)) throw permissionDenied(rule.resource);
}

/** Throws ExtensionError 403 when the caller may not hold a subscription on this kind of resource of `userId`. */
export function checkSubscriptionPermission(caller: GraphCaller, kind: 'message' | 'event', userId: string, operation: Parameters<typeof subscriptionDenied>[0]): void {
  const p = subscriptionPermissions[kind];
  const ok =
    caller.userId === null
      ? holdsOneOf(caller.roles, p.application)
      : caller.userId.toLowerCase() === userId.toLowerCase() && holdsOneOf(caller.scopes, p.delegated);
  if (!ok) throw subscriptionDenied(operation);
}

// ---- README ------------------------------------------------------------------------------------------------------

/** The table as README's app registration section shows it (a test keeps the two equal). */
export function permissionTableMarkdown(): string {
  const list = (names: readonly string[]) => (names.length === 0 ? 'not allowed' : names.map((n) => `\`${n}\``).join(', '));
  const lines = [
    '| method | route (`/users/{id}/…` also as `/me/…`) | delegated, own | delegated, another user | application |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of routePermissions) {
    const cells = r.bySubscribedResource
      ? ['as the subscribed resource', 'not allowed', 'as the subscribed resource']
      : [list(r.delegated), list(r.delegatedOtherUser), list(r.application)];
    lines.push(`| ${r.method} | \`${r.path}\` | ${cells.join(' | ')} |`);
  }
  for (const [kind, p] of Object.entries(subscriptionPermissions)) {
    lines.push(`| subscription | \`${kind === 'message' ? '/users/{id}/messages' : '/users/{id}/events'}\` (resource) | ${list(p.delegated)} | not allowed | ${list(p.application)} |`);
  }
  return lines.join('\n');
}
