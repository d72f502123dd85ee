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
  DEMO_DATA: z.enum(['on', 'off']).default('off'),
  SANDBOX: z.enum(['on', 'off']).default('off'),
  SANDBOX_PORT: port.default(3100),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
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
  readonly demoData: boolean;
  /** Run the local Microsoft 365 sandbox in process and point sign-in at it (what `npm start` does). */
  readonly sandbox: { readonly enabled: boolean; readonly port: number };
  /** Serve HTTPS with these PEM files; in sandbox mode a certificate of the sandbox's local CA is used instead. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`Configuration error: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

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
    throw new ConfigError(variable, `is invalid: ${issue?.message ?? 'unknown error'} (got ${JSON.stringify(picked[variable])})`);
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
    demoData: v.DEMO_DATA === 'on',
    sandbox: Object.freeze({ enabled: v.SANDBOX === 'on', port: v.SANDBOX_PORT }),
    tls: v.TLS_CERT_FILE && v.TLS_KEY_FILE ? Object.freeze({ certFile: path.resolve(v.TLS_CERT_FILE), keyFile: path.resolve(v.TLS_KEY_FILE) }) : undefined,
  };
  if ((v.TLS_CERT_FILE === undefined) !== (v.TLS_KEY_FILE === undefined)) {
    throw new ConfigError(v.TLS_CERT_FILE === undefined ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE', 'must be set together with the other TLS file');
  }
  return Object.freeze(config);
}
