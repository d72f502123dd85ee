// The one reader of process.env: parses it once (zod) into a frozen, typed object.
// A wrong value stops the boot with a message naming the variable. Imports: zod, node:path only.
import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));
const optionalUrl = z.url().optional();

const schema = z.strictObject({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  IMPORT_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(100 * 1_048_576),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: csv.optional(),
  AUTH_JWKS_URL: optionalUrl,
  AUTH_ALLOWED_TENANTS: csv.optional(),
  QUALIFICATION_FILE: z.string().min(1).default('server/settings/qualification.json'),
  HAND_BACK_REASONS_FILE: z.string().min(1).default('server/settings/hand-back-reasons.json'),
  HANDOFF_POLICY_FILE: z.string().min(1).default('server/settings/handoff-policy.json'),
  DEMO_DATA: z.enum(['on', 'off']).default('off'),
  SANDBOX: z.enum(['on', 'off']).default('off'),
  SANDBOX_PORT: port.default(3100),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  GRAPH_TENANT_ID: z.string().min(1).optional(),
  GRAPH_CLIENT_ID: z.string().min(1).optional(),
  GRAPH_CLIENT_SECRET: z.string().min(1).optional(),
  GRAPH_CLIENT_CERTIFICATE_FILE: z.string().min(1).optional(),
  GRAPH_AUTHORITY_HOST: z.url({ protocol: /^https$/ }).default('https://login.microsoftonline.com'),
  GRAPH_BASE_URL: z.url({ protocol: /^https$/ }).default('https://graph.microsoft.com'),
  GRAPH_CONCURRENCY_SCOPE: z.enum(['app', 'mailbox']).default('app'),
  GRAPH_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(4).default(4),
  GRAPH_SUBSCRIPTION_MINUTES: z.coerce.number().int().min(45).max(10_080).default(4_320),
  DELTA_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1_440).default(30),
  AWAY_CHECK_MINUTES: z.coerce.number().int().min(1).max(1_440).default(15),
  PUBLIC_URL: z.url({ protocol: /^https$/ }).optional(),
  TLS_EXTRA_CA_FILE: z.string().min(1).optional(),
  ADDIN_CLIENT_ID: z.guid().optional(),
  ADDIN_API_SCOPE: z.string().regex(/^\S+\/\S+$/, 'must be a scope of the API, e.g. api://<client id>/access_as_user').optional(),
  ADDIN_AUTHORITY: z.url({ protocol: /^https$/ }).optional(),
  ADDIN_DIR: z.string().min(1).default('dist/addin'),
  ACTION_LINK_TTL_HOURS: z.coerce.number().int().min(1).max(168).default(48),
  ACTION_LINK_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 48`)').optional(),
});

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly logLevel: string;
  readonly bodyLimitBytes: number;
  readonly importBodyLimitBytes: number;
  readonly auth: {
    readonly issuer: string | undefined;
    readonly audiences: readonly string[];
    readonly jwksUrl: string | undefined;
    readonly allowedTenants: readonly string[];
  };
  readonly qualificationFile: string;
  readonly handBackReasonsFile: string;
  /** Per-team SLA, holiday country and meeting rules (server/settings/handoff-policy.json). */
  readonly handoffPolicyFile: string;
  readonly demoData: boolean;
  /** Run the local Microsoft 365 sandbox in process and point sign-in at it (what `npm start` does). */
  readonly sandbox: { readonly enabled: boolean; readonly port: number };
  /** Serve HTTPS with these PEM files; in sandbox mode a certificate of the sandbox's local CA is used instead. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /**
   * The Microsoft 365 tenant Baton watches (app-only, client credentials), or undefined when GRAPH_TENANT_ID and
   * GRAPH_CLIENT_ID are not set (then `npm start` uses the sandbox's tenant, and a plain server watches nothing).
   */
  readonly graph: GraphConfig | undefined;
  /** Limits and rhythm of the Graph seam and of the mailbox watch; they apply to the sandbox as to a real tenant. */
  readonly graphLimits: {
    /** `app`: at most N concurrent requests for the whole app (the newest text of Outlook's limits); `mailbox`: per mailbox. */
    readonly concurrencyScope: 'app' | 'mailbox';
    readonly maxConcurrency: number;
    readonly subscriptionMinutes: number;
    readonly deltaIntervalMinutes: number;
    /** How often the automatic replies of each AE with running obligations are read (mailbox settings have no notifications). */
    readonly awayCheckMinutes: number;
  };
  /** Baton's public https URL, where Graph posts change notifications (`{PUBLIC_URL}/graph/notifications`). */
  readonly publicUrl: string | undefined;
  /** A PEM file of extra CA certificates Baton's outgoing HTTPS trusts (a TLS-inspecting proxy, a private CA). */
  readonly extraCaFile: string | undefined;
  /** How the add-in signs in (served at GET /addin/config.json), or undefined when ADDIN_CLIENT_ID is not set. */
  readonly addin: AddinSignInConfig | undefined;
  /** The built add-in (`npm run build`), served at /addin/ when the folder exists. */
  readonly addinDir: string;
  /**
   * Signed one-click links in Baton's mails (reassign, more time, nudge, hand back): how long a link lives, and the
   * HMAC secret (undefined: main keeps a generated one in DATA_DIR; several instances must share one, so set it then).
   */
  readonly actionLinks: { readonly ttlHours: number; readonly secret: string | undefined };
}

export interface AddinSignInConfig {
  /** The add-in's app registration (a single-page app with Nested App Authentication). */
  readonly clientId: string;
  /** `https://login.microsoftonline.com/{tenant}` (ADDIN_AUTHORITY, else AUTH_ISSUER without `/v2.0`). */
  readonly authority: string;
  /** The API's delegated scope the add-in asks for, e.g. `api://{api client id}/access_as_user`. */
  readonly apiScope: string;
}

export interface GraphConfig {
  readonly tenantId: string;
  readonly clientId: string;
  /** Exactly one of the secret and the certificate file (a PEM with the private key and the certificate). */
  readonly clientSecret: string | undefined;
  readonly certificateFile: string | undefined;
  /** `https://login.microsoftonline.com` (or a national cloud's, or the sandbox's). */
  readonly authorityHost: string;
  /** `https://graph.microsoft.com` (without `/v1.0`). */
  readonly baseUrl: string;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`Configuration error: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

/** The add-in's sign-in settings: all of ADDIN_CLIENT_ID and ADDIN_API_SCOPE, with an authority, or none. */
function addinSignIn(v: z.infer<typeof schema>): AddinSignInConfig | undefined {
  if (v.ADDIN_CLIENT_ID === undefined) {
    if (v.ADDIN_API_SCOPE !== undefined || v.ADDIN_AUTHORITY !== undefined) {
      throw new ConfigError('ADDIN_CLIENT_ID', 'must be set when ADDIN_API_SCOPE or ADDIN_AUTHORITY is (the add-in app registration)');
    }
    return undefined;
  }
  if (v.ADDIN_API_SCOPE === undefined) throw new ConfigError('ADDIN_API_SCOPE', 'must be set when ADDIN_CLIENT_ID is, e.g. api://<API client id>/access_as_user');
  // Entra's v2 issuer is `{authority}/v2.0`: the add-in signs in against the issuer the API trusts.
  const authority = v.ADDIN_AUTHORITY ?? v.AUTH_ISSUER?.replace(/\/v2\.0\/?$/, '');
  if (authority === undefined || !/^https:\/\//.test(authority)) {
    throw new ConfigError('ADDIN_AUTHORITY', 'must be set (an https URL such as https://login.microsoftonline.com/<tenant id>) when AUTH_ISSUER gives no https authority');
  }
  return Object.freeze({ clientId: v.ADDIN_CLIENT_ID, authority: authority.replace(/\/+$/, ''), apiScope: v.ADDIN_API_SCOPE });
}

const secretVariables: ReadonlySet<string> = new Set(['GRAPH_CLIENT_SECRET', 'ACTION_LINK_SECRET']);

/** Parses an environment (process.env by default) into the frozen config, or throws ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.keys(schema.shape);
  const picked: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    // A secret's value never reaches the message (it is printed at boot).
    const got = secretVariables.has(variable) ? 'value hidden' : `got ${JSON.stringify(picked[variable])}`;
    throw new ConfigError(variable, `is invalid: ${issue?.message ?? 'unknown error'} (${got})`);
  }
  const v = parsed.data;
  const config: Config = {
    env: v.NODE_ENV,
    port: v.PORT,
    host: v.HOST,
    dataDir: path.resolve(v.DATA_DIR),
    databaseUrl: v.DATABASE_URL,
    logLevel: v.LOG_LEVEL,
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    importBodyLimitBytes: v.IMPORT_BODY_LIMIT_BYTES,
    auth: Object.freeze({
      issuer: v.AUTH_ISSUER,
      audiences: Object.freeze(v.AUTH_AUDIENCE ?? []),
      jwksUrl: v.AUTH_JWKS_URL,
      allowedTenants: Object.freeze(v.AUTH_ALLOWED_TENANTS ?? []),
    }),
    qualificationFile: path.resolve(v.QUALIFICATION_FILE),
    handBackReasonsFile: path.resolve(v.HAND_BACK_REASONS_FILE),
    handoffPolicyFile: path.resolve(v.HANDOFF_POLICY_FILE),
    demoData: v.DEMO_DATA === 'on',
    sandbox: Object.freeze({ enabled: v.SANDBOX === 'on', port: v.SANDBOX_PORT }),
    tls: v.TLS_CERT_FILE && v.TLS_KEY_FILE ? Object.freeze({ certFile: path.resolve(v.TLS_CERT_FILE), keyFile: path.resolve(v.TLS_KEY_FILE) }) : undefined,
    graph:
      v.GRAPH_TENANT_ID !== undefined && v.GRAPH_CLIENT_ID !== undefined
        ? Object.freeze({
            tenantId: v.GRAPH_TENANT_ID,
            clientId: v.GRAPH_CLIENT_ID,
            clientSecret: v.GRAPH_CLIENT_SECRET,
            certificateFile: v.GRAPH_CLIENT_CERTIFICATE_FILE === undefined ? undefined : path.resolve(v.GRAPH_CLIENT_CERTIFICATE_FILE),
            authorityHost: v.GRAPH_AUTHORITY_HOST.replace(/\/+$/, ''),
            baseUrl: v.GRAPH_BASE_URL.replace(/\/+$/, ''),
          })
        : undefined,
    graphLimits: Object.freeze({
      concurrencyScope: v.GRAPH_CONCURRENCY_SCOPE,
      maxConcurrency: v.GRAPH_MAX_CONCURRENCY,
      subscriptionMinutes: v.GRAPH_SUBSCRIPTION_MINUTES,
      deltaIntervalMinutes: v.DELTA_INTERVAL_MINUTES,
      awayCheckMinutes: v.AWAY_CHECK_MINUTES,
    }),
    publicUrl: v.PUBLIC_URL?.replace(/\/+$/, ''),
    extraCaFile: v.TLS_EXTRA_CA_FILE === undefined ? undefined : path.resolve(v.TLS_EXTRA_CA_FILE),
    addin: addinSignIn(v),
    addinDir: path.resolve(v.ADDIN_DIR),
    actionLinks: Object.freeze({ ttlHours: v.ACTION_LINK_TTL_HOURS, secret: v.ACTION_LINK_SECRET }),
  };
  if ((v.GRAPH_TENANT_ID === undefined) !== (v.GRAPH_CLIENT_ID === undefined)) {
    throw new ConfigError(v.GRAPH_TENANT_ID === undefined ? 'GRAPH_TENANT_ID' : 'GRAPH_CLIENT_ID', 'must be set together with the other GRAPH_ variables');
  }
  if (v.GRAPH_CLIENT_ID !== undefined && (v.GRAPH_CLIENT_SECRET === undefined) === (v.GRAPH_CLIENT_CERTIFICATE_FILE === undefined)) {
    throw new ConfigError('GRAPH_CLIENT_SECRET', 'or GRAPH_CLIENT_CERTIFICATE_FILE must be set (exactly one of them) when GRAPH_CLIENT_ID is');
  }
  if ((v.TLS_CERT_FILE === undefined) !== (v.TLS_KEY_FILE === undefined)) {
    throw new ConfigError(v.TLS_CERT_FILE === undefined ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE', 'must be set together with the other TLS file');
  }
  return Object.freeze(config);
}
