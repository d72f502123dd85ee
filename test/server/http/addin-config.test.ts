// GET /addin/config.json through the real app: public (the pane reads it before it has a token), exactly the
// configured sign-in settings, a 503 naming the variables when sign-in is not configured; and the ADDIN_* variables.
import { loadConfig, ConfigError } from '../../../server/config';
import type { AddinConfigDto } from '../../../server/http/contract';
import { startHarness, type Harness } from './harness';

const configured: AddinConfigDto = {
  clientId: '3c4d5e6f-7a8b-4c9d-8e0f-a1b2c3d4e5f6',
  authority: 'https://login.microsoftonline.com/6f1c3d2e-0b7a-4c59-9e1d-2a8b5c4d7e10',
  apiScope: 'api://9b8e7d6c-5a4b-4c3d-8e2f-1a0b9c8d7e6f/access_as_user',
  knownAuthorities: ['login.microsoftonline.com'],
  sandboxUrl: null,
};

describe('GET /addin/config.json', () => {
  let withConfig: Harness;
  let without: Harness;
  beforeAll(async () => {
    withConfig = await startHarness({ override: (deps) => ({ ...deps, addinConfig: configured }) });
    without = await startHarness();
  });
  afterAll(async () => {
    await withConfig.close();
    await without.close();
  });

  it('answers without a token with the add-in sign-in settings, never cached for long', async () => {
    const res = await withConfig.app.inject({ method: 'GET', url: '/addin/config.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(configured);
    expect(res.headers['cache-control']).toBe('no-cache');
    // The public flag is this route's only: the API next to it still wants a token.
    expect((await withConfig.app.inject({ method: 'GET', url: '/api/me' })).statusCode).toBe(401);
  });

  it('says which variables to set when add-in sign-in is not configured', async () => {
    const res = await without.app.inject({ method: 'GET', url: '/addin/config.json' });
    expect(res.statusCode).toBe(503);
    const body = res.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe('addin_not_configured');
    expect(body.error.message).toContain('ADDIN_CLIENT_ID');
  });
});

describe('ADDIN_* configuration', () => {
  const base = { ADDIN_CLIENT_ID: configured.clientId, ADDIN_API_SCOPE: configured.apiScope };

  it('takes the authority from AUTH_ISSUER (Entra v2 issuer without /v2.0), or from ADDIN_AUTHORITY', () => {
    const fromIssuer = loadConfig({ ...base, AUTH_ISSUER: `${configured.authority}/v2.0` });
    expect(fromIssuer.addin).toEqual({ clientId: configured.clientId, apiScope: configured.apiScope, authority: configured.authority });
    const explicit = loadConfig({ ...base, AUTH_ISSUER: `${configured.authority}/v2.0`, ADDIN_AUTHORITY: 'https://login.microsoftonline.us/contoso.onmicrosoft.us/' });
    expect(explicit.addin?.authority).toBe('https://login.microsoftonline.us/contoso.onmicrosoft.us');
    expect(loadConfig({}).addin).toBeUndefined();
  });

  it.each([
    [{ ADDIN_CLIENT_ID: 'not-a-guid', ADDIN_API_SCOPE: configured.apiScope }, 'ADDIN_CLIENT_ID'],
    [{ ADDIN_CLIENT_ID: configured.clientId, AUTH_ISSUER: 'https://login.microsoftonline.com/t/v2.0' }, 'ADDIN_API_SCOPE'],
    [{ ...base, ADDIN_API_SCOPE: 'access_as_user' }, 'ADDIN_API_SCOPE'],
    [{ ADDIN_API_SCOPE: configured.apiScope }, 'ADDIN_CLIENT_ID'],
    [base, 'ADDIN_AUTHORITY'],
    [{ ...base, ADDIN_AUTHORITY: 'http://login.example.com/t' }, 'ADDIN_AUTHORITY'],
  ])('refuses %j, naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
  });
});
