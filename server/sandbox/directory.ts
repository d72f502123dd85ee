// The sandbox tenant's directory: users from the seed file (server/sandbox/seed/demo-tenant.json) with their manager
// and mailbox settings (time zones as IANA or Windows names, working hours, automatic replies; Graph's defaults for the
// rest). People outside the tenant (the leads) have no mailbox here. Imports: zod, ../clock, ./graph-error, ./odata,
// ./permissions.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import demoTenantJson from './seed/demo-tenant.json';
import { systemClock, type Clock } from '../clock';
import { badRequest, userNotFound } from './graph-error';
import type { Json, JsonObject } from './odata';
import { tableApplicationRoles } from './permissions';

const dateTimeTimeZone = z.strictObject({ dateTime: z.string(), timeZone: z.string() });
const automaticReplies = z.strictObject({
  status: z.enum(['disabled', 'alwaysEnabled', 'scheduled']),
  externalAudience: z.enum(['none', 'contactsOnly', 'all']).default('all'),
  scheduledStartDateTime: dateTimeTimeZone.optional(),
  scheduledEndDateTime: dateTimeTimeZone.optional(),
  internalReplyMessage: z.string().default(''),
  externalReplyMessage: z.string().default(''),
});
const workingHours = z.strictObject({
  daysOfWeek: z.array(z.enum(['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'])),
  startTime: z.string().regex(/^\d{2}:\d{2}:\d{2}(\.\d+)?$/),
  endTime: z.string().regex(/^\d{2}:\d{2}:\d{2}(\.\d+)?$/),
  timeZone: z.strictObject({ name: z.string() }),
});
const mailboxSettings = z.strictObject({
  timeZone: z.string(),
  workingHours,
  automaticRepliesSetting: automaticReplies.optional(),
  language: z.strictObject({ locale: z.string(), displayName: z.string() }).optional(),
  dateFormat: z.string().optional(),
  timeFormat: z.string().optional(),
  delegateMeetingMessageDeliveryOptions: z.enum(['sendToDelegateAndInformationToPrincipal', 'sendToDelegateAndPrincipal', 'sendToDelegateOnly']).optional(),
  userPurpose: z.enum(['user', 'linked', 'shared', 'room', 'equipment', 'others']).optional(),
  archiveFolder: z.string().nullable().optional(),
});

const seedUser = z.strictObject({
  id: z.guid(),
  userPrincipalName: z.string().includes('@'),
  displayName: z.string(),
  givenName: z.string(),
  surname: z.string(),
  jobTitle: z.string().nullable(),
  department: z.string().nullable(),
  officeLocation: z.string().nullable(),
  batonRole: z.enum(['sdr', 'ae', 'manager', 'admin']),
  team: z.string().nullable(),
  manager: z.guid().nullable(),
  mailboxSettings,
});

export const tenantSeedSchema = z.strictObject({
  tenantId: z.guid(),
  domain: z.string(),
  displayName: z.string(),
  apps: z.strictObject({
    server: z.strictObject({
      displayName: z.string(),
      clientId: z.guid(),
      clientSecret: z.string().min(16),
      // Application permissions on Graph, as named in the sandbox's permission table.
      applicationPermissions: z.array(z.string().refine((p) => tableApplicationRoles.includes(p), { error: (i) => `'${String(i.input)}' is not an application permission any sandbox route accepts (${tableApplicationRoles.join(', ')})` })),
    }),
    api: z.strictObject({ displayName: z.string(), clientId: z.guid(), identifierUri: z.string(), scopes: z.array(z.string()) }),
    addin: z.strictObject({ displayName: z.string(), clientId: z.guid(), redirectUris: z.array(z.string()) }),
  }),
  users: z.array(seedUser).min(1),
});
export type TenantSeed = z.infer<typeof tenantSeedSchema>;
export type SeedUser = z.infer<typeof seedUser>;
export type MailboxSettings = z.infer<typeof mailboxSettings>;
export type AutomaticRepliesSetting = z.infer<typeof automaticReplies>;

/** The whole CSDL `mailboxSettings`, as Graph always answers it: the seed's settings over Exchange's defaults. */
export interface GraphMailboxSettings {
  archiveFolder: string | null;
  automaticRepliesSetting: Required<AutomaticRepliesSetting>;
  dateFormat: string;
  delegateMeetingMessageDeliveryOptions: NonNullable<MailboxSettings['delegateMeetingMessageDeliveryOptions']>;
  language: { locale: string; displayName: string };
  timeFormat: string;
  timeZone: string;
  userPurpose: NonNullable<MailboxSettings['userPurpose']>;
  workingHours: MailboxSettings['workingHours'];
}
export const mailboxSettingsProperties: readonly (keyof GraphMailboxSettings)[] = [
  'archiveFolder', 'automaticRepliesSetting', 'dateFormat', 'delegateMeetingMessageDeliveryOptions', 'language', 'timeFormat', 'timeZone', 'userPurpose', 'workingHours',
];

/**
 * Properties of the CSDL `user` that Graph serves only for one user (GET /users/{id} or /me, on $select): on a list
 * Graph answers 501 NotImplemented (https://learn.microsoft.com/graph/api/resources/user, delta-query-overview.2).
 */
export const singleUserOnlyProperties: ReadonlySet<string> = new Set(
  ['aboutMe', 'birthday', 'hireDate', 'interests', 'mySite', 'pastProjects', 'preferredName', 'responsibilities', 'schools', 'skills', 'mailboxSettings'].map((s) => s.toLowerCase()),
);

export const defaultSeedPath = path.join(__dirname, 'seed', 'demo-tenant.json');

/** The demo tenant by default (imported, so a compiled build carries it), or a seed file of one's own. */
export function loadTenantSeed(file?: string): TenantSeed {
  const raw: unknown = file === undefined ? structuredClone(demoTenantJson) : JSON.parse(fs.readFileSync(file, 'utf8'));
  const parsed = tenantSeedSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`sandbox seed ${file ?? defaultSeedPath}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`);
  }
  return parsed.data;
}

export interface Directory {
  readonly tenantId: string;
  readonly domain: string;
  users(): readonly SeedUser[];
  /** By object id or userPrincipalName (case-insensitive), as Graph's /users/{id | userPrincipalName}. */
  find(idOrUpn: string): SeedUser | undefined;
  /** Like find, or a Graph 404. */
  get(idOrUpn: string): SeedUser;
  /** The tenant user with this SMTP address, if any. */
  byAddress(address: string): SeedUser | undefined;
  manager(userId: string): SeedUser | null;
  /** The whole mailboxSettings Graph answers: the seed's settings over Exchange's defaults. */
  mailboxSettings(userId: string): GraphMailboxSettings;
  updateMailboxSettings(userId: string, patch: Record<string, unknown>): GraphMailboxSettings;
  /** The Graph `user` resource (v1.0 default properties). */
  toGraphUser(user: SeedUser): JsonObject;
  /** Every property of the CSDL `user` the sandbox answers ($select): null or [] for those the seed lacks. */
  toFullGraphUser(user: SeedUser): JsonObject;
}

const never = '0001-01-01T00:00:00Z';

/** The user's security identifier as Entra ID derives it from the object id (S-1-12-1 and the GUID's four words). */
function securityIdentifier(id: string): string {
  const bytes = Buffer.from(id.replace(/-/g, ''), 'hex');
  // The GUID's first three fields are little-endian in its byte form.
  const guid = Buffer.concat([Buffer.from(bytes.subarray(0, 4)).reverse(), Buffer.from(bytes.subarray(4, 6)).reverse(), Buffer.from(bytes.subarray(6, 8)).reverse(), bytes.subarray(8)]);
  return `S-1-12-1-${[0, 4, 8, 12].map((o) => guid.readUInt32LE(o)).join('-')}`;
}

export function createDirectory(seed: TenantSeed, options: { clock?: Clock } = {}): Directory {
  const users = seed.users.map((u) => ({ ...u, mailboxSettings: structuredClone(u.mailboxSettings) }));
  // Exchange keeps a scheduled window on every automaticRepliesSetting, also when replies are off: the hour the
  // mailbox was first read, for a day.
  const clock = options.clock ?? systemClock;
  let defaultWindow: { start: string; end: string } | null = null;
  const window = () => {
    if (defaultWindow === null) {
      const start = Math.floor(clock.now().getTime() / 3_600_000) * 3_600_000;
      const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}.0000000`;
      defaultWindow = { start: iso(start + 3_600_000), end: iso(start + 25 * 3_600_000) };
    }
    return defaultWindow;
  };
  const fullSettings = (s: MailboxSettings): GraphMailboxSettings => {
    const w = window();
    const replies = s.automaticRepliesSetting;
    return {
      archiveFolder: s.archiveFolder ?? null,
      automaticRepliesSetting: {
        status: replies?.status ?? 'disabled',
        externalAudience: replies?.externalAudience ?? 'all',
        scheduledStartDateTime: replies?.scheduledStartDateTime ?? { dateTime: w.start, timeZone: 'UTC' },
        scheduledEndDateTime: replies?.scheduledEndDateTime ?? { dateTime: w.end, timeZone: 'UTC' },
        internalReplyMessage: replies?.internalReplyMessage ?? '',
        externalReplyMessage: replies?.externalReplyMessage ?? '',
      },
      dateFormat: s.dateFormat ?? 'M/d/yyyy',
      delegateMeetingMessageDeliveryOptions: s.delegateMeetingMessageDeliveryOptions ?? 'sendToDelegateOnly',
      language: s.language ?? { locale: 'en-US', displayName: 'English (United States)' },
      timeFormat: s.timeFormat ?? 'h:mm tt',
      timeZone: s.timeZone,
      userPurpose: s.userPurpose ?? 'user',
      workingHours: s.workingHours,
    };
  };
  const byId = new Map(users.map((u) => [u.id.toLowerCase(), u]));
  const byUpn = new Map(users.map((u) => [u.userPrincipalName.toLowerCase(), u]));
  const find = (key: string) => byId.get(key.toLowerCase()) ?? byUpn.get(key.toLowerCase());
  const get = (key: string) => {
    const u = find(key);
    if (!u) throw userNotFound(key);
    return u;
  };
  const toGraphUser = (u: SeedUser): JsonObject => ({
    businessPhones: [],
    displayName: u.displayName,
    givenName: u.givenName,
    jobTitle: u.jobTitle,
    mail: u.userPrincipalName,
    mobilePhone: null,
    officeLocation: u.officeLocation,
    preferredLanguage: 'en-US',
    surname: u.surname,
    userPrincipalName: u.userPrincipalName,
    id: u.id,
  });
  return {
    tenantId: seed.tenantId,
    domain: seed.domain,
    users: () => users,
    find,
    get,
    byAddress: (address) => byUpn.get(address.toLowerCase()),
    manager(userId) {
      const u = get(userId);
      return u.manager ? (find(u.manager) ?? null) : null;
    },
    mailboxSettings: (userId) => fullSettings(get(userId).mailboxSettings),
    updateMailboxSettings(userId, patch) {
      const u = get(userId);
      const merged: Record<string, unknown> = { ...u.mailboxSettings };
      for (const [k, v] of Object.entries(patch)) {
        if (k.startsWith('@odata.')) continue;
        merged[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && typeof merged[k] === 'object' ? { ...(merged[k] as object), ...v } : v;
      }
      const parsed = mailboxSettings.safeParse(merged);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw badRequest(`Invalid value for property '${issue?.path.join('.') ?? ''}': ${issue?.message ?? ''}`, 'ErrorInvalidRequest');
      }
      u.mailboxSettings = parsed.data;
      return fullSettings(u.mailboxSettings);
    },
    toGraphUser,
    toFullGraphUser(u) {
      const nullProps = [
        'aboutMe', 'ageGroup', 'city', 'companyName', 'consentProvidedForMinor', 'country', 'createdDateTime', 'creationType', 'customSecurityAttributes',
        'employeeHireDate', 'employeeId', 'employeeLeaveDateTime', 'employeeOrgData', 'employeeType', 'externalUserState', 'externalUserStateChangeDateTime',
        'faxNumber', 'identityParentId', 'isManagementRestricted', 'lastPasswordChangeDateTime', 'legalAgeGroupClassification', 'mobilePhone', 'mySite',
        'onPremisesDistinguishedName', 'onPremisesDomainName', 'onPremisesImmutableId', 'onPremisesLastSyncDateTime', 'onPremisesSamAccountName',
        'onPremisesSecurityIdentifier', 'onPremisesSyncEnabled', 'onPremisesUserPrincipalName', 'passwordPolicies', 'passwordProfile', 'postalCode',
        'preferredDataLocation', 'preferredName', 'print', 'showInAddressList', 'signInActivity', 'signInSessionsValidFromDateTime', 'state', 'streetAddress',
        'usageLocation', 'deletedDateTime', 'isResourceAccount',
      ];
      const emptyProps = [
        'assignedLicenses', 'assignedPlans', 'businessPhones', 'imAddresses', 'interests', 'licenseAssignmentStates', 'onPremisesProvisioningErrors',
        'otherMails', 'pastProjects', 'provisionedPlans', 'responsibilities', 'schools', 'serviceProvisioningErrors', 'skills',
      ];
      const out: JsonObject = {};
      for (const k of nullProps) out[k] = null;
      for (const k of emptyProps) out[k] = [];
      const extensionAttributes: JsonObject = {};
      for (let i = 1; i <= 15; i++) extensionAttributes[`extensionAttribute${i}`] = null;
      const known: JsonObject = {
        accountEnabled: true,
        authorizationInfo: { certificateUserIds: [] },
        birthday: never,
        department: u.department,
        deviceEnrollmentLimit: 5,
        hireDate: never,
        identities: [{ signInType: 'userPrincipalName', issuer: seed.domain, issuerAssignedId: u.userPrincipalName }],
        mailboxSettings: fullSettings(u.mailboxSettings) as unknown as Json,
        mailNickname: u.userPrincipalName.split('@')[0] ?? u.userPrincipalName,
        onPremisesExtensionAttributes: extensionAttributes,
        proxyAddresses: [`SMTP:${u.userPrincipalName}`],
        securityIdentifier: securityIdentifier(u.id),
        userType: 'Member',
      };
      return { ...out, ...known, ...toGraphUser(u) };
    },
  };
}
