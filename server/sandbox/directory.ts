// The sandbox tenant's directory: users from the seed file (server/sandbox/seed/demo-tenant.json) with their manager
// and mailbox settings (time zones as IANA or Windows names, working hours, automatic replies). People outside the
// tenant (the leads) have no mailbox here. Imports: zod, ./graph-error, ./odata.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { badRequest, userNotFound } from './graph-error';
import type { JsonObject } from './odata';

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
    server: z.strictObject({ displayName: z.string(), clientId: z.guid(), clientSecret: z.string().min(16), applicationPermissions: z.array(z.string()) }),
    api: z.strictObject({ displayName: z.string(), clientId: z.guid(), identifierUri: z.string(), scopes: z.array(z.string()) }),
    addin: z.strictObject({ displayName: z.string(), clientId: z.guid(), redirectUris: z.array(z.string()) }),
  }),
  users: z.array(seedUser).min(1),
});
export type TenantSeed = z.infer<typeof tenantSeedSchema>;
export type SeedUser = z.infer<typeof seedUser>;
export type MailboxSettings = z.infer<typeof mailboxSettings>;
export type AutomaticRepliesSetting = z.infer<typeof automaticReplies>;

export const defaultSeedPath = path.join(__dirname, 'seed', 'demo-tenant.json');

export function loadTenantSeed(file = defaultSeedPath): TenantSeed {
  const parsed = tenantSeedSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`sandbox seed ${file}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`);
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
  mailboxSettings(userId: string): MailboxSettings;
  updateMailboxSettings(userId: string, patch: Record<string, unknown>): MailboxSettings;
  /** The Graph `user` resource (v1.0 default properties). */
  toGraphUser(user: SeedUser): JsonObject;
}

export function createDirectory(seed: TenantSeed): Directory {
  const users = seed.users.map((u) => ({ ...u, mailboxSettings: structuredClone(u.mailboxSettings) }));
  const byId = new Map(users.map((u) => [u.id.toLowerCase(), u]));
  const byUpn = new Map(users.map((u) => [u.userPrincipalName.toLowerCase(), u]));
  const find = (key: string) => byId.get(key.toLowerCase()) ?? byUpn.get(key.toLowerCase());
  const get = (key: string) => {
    const u = find(key);
    if (!u) throw userNotFound(key);
    return u;
  };
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
    mailboxSettings: (userId) => get(userId).mailboxSettings,
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
      return u.mailboxSettings;
    },
    toGraphUser: (u) => ({
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
    }),
  };
}
