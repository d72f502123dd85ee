// The real app in process for HTTP tests: a test database, the local identity provider, a fixed clock, and a
// seeded organisation (two teams with an admin, managers, SDRs and AEs). Requests go through app.inject.
// Imports: the server's real modules (no mocks), ../helpers/*.
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import type { JWTPayload } from 'jose';
import { buildApp, type App, type AppDeps } from '../../../server/http/app';
import { createTokenVerifier } from '../../../server/http/auth';
import { loadConfig } from '../../../server/config';
import { fixedClock } from '../../../server/clock';
import { createLogger } from '../../../server/log';
import { createLeadStore, type LeadStore } from '../../../server/store/lead-store';
import { createPeopleStore, type PeopleStore } from '../../../server/store/people-store';
import type { User } from '../../../server/domain/people';
import { parseQualificationCriteria, type QualificationCriteria } from '../../../server/domain/qualification';
import { parseHandBackReasons, type HandBackReason } from '../../../server/domain/lifecycle';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { startTestIdentityProvider, type SignOptions, type TestIdentityProvider } from '../helpers/tokens';

export const startTime = new Date('2026-11-24T09:00:00Z');
export const bodyLimitBytes = 8_192;

function parsed<T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!result.ok) throw new Error(`bad test settings: ${JSON.stringify(result.error)}`);
  return result.value;
}

export const criteria: QualificationCriteria = parsed(
  parseQualificationCriteria({
    required: ['contactName', 'email', 'companyName', 'phone', 'needs'],
    rules: [{ id: 'decision_maker', label: 'Talking to a decision maker', field: 'decisionMaker', check: 'isTrue' }],
  }),
);

export const handBackReasons: HandBackReason[] = parsed(
  parseHandBackReasons([
    { code: 'no_budget', label: 'No budget' },
    { code: 'other', label: 'Other' },
  ]),
);

export interface Org {
  admin: User;
  emeaManager: User;
  emeaSdr: User;
  emeaSdr2: User;
  emeaAe: User;
  emeaAe2: User;
  amerSdr: User;
  amerAe: User;
  amerManager: User;
}

export interface Harness {
  app: App;
  db: TestDatabase;
  idp: TestIdentityProvider;
  clock: ReturnType<typeof fixedClock>;
  leads: LeadStore;
  people: PeopleStore;
  /** Every log line the app wrote, as text (for "never log the token"). */
  logLines: string[];
  /** Empties the database and seeds the organisation again. */
  reset(): Promise<Org>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Replace parts of the app's dependencies (e.g. a store that fails, for the 500 path). */
  override?: (deps: AppDeps) => AppDeps;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const db = await openTestDatabase();
  const clock = fixedClock(startTime);
  const idp = await startTestIdentityProvider(() => clock.now());
  const config = loadConfig({
    NODE_ENV: 'test',
    BODY_LIMIT_BYTES: String(bodyLimitBytes),
    AUTH_ISSUER: idp.issuer,
    AUTH_AUDIENCE: idp.authConfig.audiences.join(','),
    AUTH_JWKS_URL: idp.jwksUrl,
    AUTH_ALLOWED_TENANTS: idp.tenantId,
  });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  const leads = createLeadStore(db.db);
  const people = createPeopleStore(db.db);
  const deps: AppDeps = {
    config,
    logger: createLogger('info', sink),
    clock,
    db: db.db,
    leadStore: leads,
    peopleStore: people,
    tokenVerifier: createTokenVerifier(config.auth, { clock }),
    qualificationCriteria: criteria,
    handBackReasons,
  };
  const app = await buildApp(options.override ? options.override(deps) : deps);
  await app.ready();

  return {
    app,
    db,
    idp,
    clock,
    leads,
    people,
    logLines,
    reset: async () => {
      await db.reset();
      clock.set(startTime);
      logLines.length = 0;
      return seedOrg(people);
    },
    close: async () => {
      await app.close();
      await idp.close();
      await db.close();
    },
  };
}

export async function seedOrg(people: PeopleStore): Promise<Org> {
  const now = startTime;
  await people.upsertTeam({ id: 'emea', name: 'EMEA', timeZone: 'Europe/Berlin', pairingMode: 'one_to_one' });
  await people.upsertTeam({ id: 'amer', name: 'Americas', timeZone: 'America/New_York', pairingMode: 'one_to_one' });
  let n = 0;
  const user = (displayName: string, role: User['role'], teamId: string | null) => {
    n += 1;
    return people.createUser(
      {
        entraOid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
        tenantId: null,
        email: `${displayName.toLowerCase().replace(/\W+/g, '.')}@baton.example.com`,
        displayName,
        role,
        teamId,
        managerId: null,
        backupId: null,
        timeZone: teamId === 'amer' ? 'America/New_York' : 'Europe/Berlin',
      },
      now,
    );
  };
  const org: Org = {
    admin: await user('Ada Admin', 'admin', null),
    emeaManager: await user('Mia Manager', 'manager', 'emea'),
    emeaSdr: await user('Sam Sdr', 'sdr', 'emea'),
    emeaSdr2: await user('Sue Sdr', 'sdr', 'emea'),
    emeaAe: await user('Alex Ae', 'ae', 'emea'),
    emeaAe2: await user('Avery Ae', 'ae', 'emea'),
    amerSdr: await user('Tom Sdr', 'sdr', 'amer'),
    amerAe: await user('Tia Ae', 'ae', 'amer'),
    amerManager: await user('Max Manager', 'manager', 'amer'),
  };
  await people.pair({ sdrId: org.emeaSdr.id, aeId: org.emeaAe.id, isPrimary: true }, true);
  await people.pair({ sdrId: org.emeaSdr2.id, aeId: org.emeaAe2.id, isPrimary: true }, true);
  await people.pair({ sdrId: org.amerSdr.id, aeId: org.amerAe.id, isPrimary: true }, true);
  return org;
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface ApiResponse extends LightMyRequestResponse {
  /** The parsed JSON body (undefined when empty). */
  data: unknown;
}

/** Calls the API as `user` (a fresh token each time), or with the raw `authorization` header given. */
export async function call(
  h: Harness,
  as: User | { authorization?: string },
  method: Method,
  url: string,
  body?: unknown,
  token?: { claims?: JWTPayload; options?: SignOptions },
): Promise<ApiResponse> {
  const authorization =
    'entraOid' in as ? `Bearer ${await h.idp.sign(as.entraOid, token?.claims, token?.options)}` : as.authorization;
  const res = await h.app.inject({
    method,
    url,
    headers: authorization === undefined ? {} : { authorization },
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
  return Object.assign(res, { data: res.body === '' ? undefined : (JSON.parse(res.body) as unknown) });
}

/** A lead body that qualifies under the test criteria. */
export function qualifiedLead(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    contactName: 'Grace Hopper',
    title: 'CTO',
    email: 'grace@acme-widgets.com',
    phone: '+14155550123',
    companyName: 'Acme Widgets',
    website: 'https://www.acme-widgets.com',
    employeeCount: 250,
    country: 'US',
    needs: 'Their hand-offs get lost in email.',
    decisionMaker: true,
    ...overrides,
  };
}

/** The error part of an error body, for assertions. */
export function errorOf(res: ApiResponse): { code: string; message: string; field?: string } & Record<string, unknown> {
  const data = res.data as { error?: { code: string; message: string; field?: string } };
  if (data.error === undefined) throw new Error(`not an error body: ${res.body}`);
  return data.error;
}
