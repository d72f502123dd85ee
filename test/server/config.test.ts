// The boot configuration: defaults, parsing, and a wrong value named in the error.
import path from 'node:path';
import { loadConfig, ConfigError } from '../../server/config';

describe('config', () => {
  it('starts with defaults on an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe(path.resolve('./data'));
    expect(c.databaseUrl).toBeUndefined();
    expect(c.auth.audiences).toEqual([]);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.auth)).toBe(true);
  });

  it('reads the variables it knows, lists split on commas', () => {
    const c = loadConfig({
      PORT: '8080',
      DATA_DIR: '/tmp/baton-data',
      DATABASE_URL: 'postgresql://u@127.0.0.1:5432/baton',
      AUTH_AUDIENCE: 'api://baton, 11111111-2222-3333-4444-555555555555',
      AUTH_ALLOWED_TENANTS: 't1,t2',
      AUTH_JWKS_URL: 'https://login.example/keys',
      UNRELATED: 'ignored',
    });
    expect(c).toMatchObject({ port: 8080, dataDir: '/tmp/baton-data', databaseUrl: 'postgresql://u@127.0.0.1:5432/baton' });
    expect(c.auth.audiences).toEqual(['api://baton', '11111111-2222-3333-4444-555555555555']);
    expect(c.auth.allowedTenants).toEqual(['t1', 't2']);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x@y/z'],
    ['LOG_LEVEL', 'loud'],
    ['AUTH_JWKS_URL', 'not a url'],
    ['BODY_LIMIT_BYTES', '-1'],
    ['PUBLIC_URL', 'http://baton.example.com'],
    ['GRAPH_BASE_URL', 'http://graph.example'],
    ['GRAPH_CONCURRENCY_SCOPE', 'tenant'],
    ['GRAPH_MAX_CONCURRENCY', '5'],
    ['GRAPH_SUBSCRIPTION_MINUTES', '20000'],
    ['AWAY_CHECK_MINUTES', '0'],
    ['AWAY_CHECK_MINUTES', 'often'],
  ])('stops on a wrong %s (%s) with a message naming it', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^Configuration error: ${variable} `));
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
  });

  it('reads a Graph tenant with a secret, trimming trailing slashes, and defaults to the stricter per-app concurrency', () => {
    const c = loadConfig({ GRAPH_TENANT_ID: 't-1', GRAPH_CLIENT_ID: 'c-1', GRAPH_CLIENT_SECRET: 's', GRAPH_BASE_URL: 'https://graph.microsoft.us/', PUBLIC_URL: 'https://baton.example.com/' });
    expect(c.graph).toEqual({ tenantId: 't-1', clientId: 'c-1', clientSecret: 's', certificateFile: undefined, authorityHost: 'https://login.microsoftonline.com', baseUrl: 'https://graph.microsoft.us' });
    expect(c.publicUrl).toBe('https://baton.example.com');
    expect(c.graphLimits).toEqual({ concurrencyScope: 'app', maxConcurrency: 4, subscriptionMinutes: 4320, deltaIntervalMinutes: 30, awayCheckMinutes: 15 });
    expect(loadConfig({}).graph).toBeUndefined();
  });

  it.each([
    [{ GRAPH_TENANT_ID: 't' }, 'GRAPH_CLIENT_ID'],
    [{ GRAPH_CLIENT_ID: 'c', GRAPH_CLIENT_SECRET: 's' }, 'GRAPH_TENANT_ID'],
    [{ GRAPH_TENANT_ID: 't', GRAPH_CLIENT_ID: 'c' }, 'GRAPH_CLIENT_SECRET'],
    [{ GRAPH_TENANT_ID: 't', GRAPH_CLIENT_ID: 'c', GRAPH_CLIENT_SECRET: 's', GRAPH_CLIENT_CERTIFICATE_FILE: 'cert.pem' }, 'GRAPH_CLIENT_SECRET'],
  ])('refuses an incomplete or doubled Graph credential (%o), naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Configuration error: ${variable} `));
  });
});
