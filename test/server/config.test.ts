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
  ])('stops on a wrong %s (%s) with a message naming it', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^Configuration error: ${variable} `));
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
  });
});
