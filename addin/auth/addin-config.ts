// Reads how the add-in signs in (GET /addin/config.json) from the Baton server, checked against the contract's
// AddinConfigDto; every failure is an Error whose message a user can act on.
// Imports only the server's contract (server/http/contract).
import { AddinConfigDto, ErrorBody } from '../../server/http/contract';
import type { FetchLike } from '../api/client';

export const addinConfigPath = '/addin/config.json';

export async function loadAddinConfig(options: { baseUrl: string; fetch?: FetchLike }): Promise<AddinConfigDto> {
  const doFetch: FetchLike = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const url = `${options.baseUrl.replace(/\/+$/, '')}${addinConfigPath}`;
  let status: number;
  let text: string;
  try {
    const response = await doFetch(url, { method: 'GET', headers: { Accept: 'application/json' } });
    status = response.status;
    text = await response.text();
  } catch (error) {
    throw new Error('Could not reach the Baton server to read its sign-in settings. Check your connection and reload the add-in.', { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = undefined;
  }
  if (status !== 200) {
    const failure = ErrorBody.safeParse(json);
    if (failure.success) throw new Error(failure.data.error.message);
    throw new Error(`The Baton server did not give its sign-in settings (HTTP ${status}). Reload the add-in, or ask your administrator.`);
  }
  const parsed = AddinConfigDto.safeParse(json);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.map(String).join('.') ?? '';
    throw new Error(`The Baton server's sign-in settings are incomplete${field === '' ? '' : ` (${field})`}. Ask your administrator to check ADDIN_CLIENT_ID and ADDIN_API_SCOPE.`);
  }
  return parsed.data;
}
