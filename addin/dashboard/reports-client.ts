// The dashboard's client of the report routes: the figures (GET /api/reports), the hand-offs behind one number
// (GET /api/reports/handoffs), both checked with the contract's zod schemas, and the CSV export as a Blob, all with
// the bearer token; every failure an ApiError. Imports the server's report contract and the add-in's API client types.
import type { ZodType } from 'zod';
import { HandoffErrorBody } from '../../server/http/contract';
import { DrillDownDto, ReportDto, type DrillDownQuery, type ReportQuery } from '../../server/http/contract-reports';
import { ApiError, type GetToken } from '../api/client';

/** The part of a fetch Response this client reads. */
export interface ReportsResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  text(): Promise<string>;
  blob(): Promise<Blob>;
}
export type ReportsFetch = (url: string, init: RequestInit) => Promise<ReportsResponse>;

export interface ReportsClient {
  report(query: ReportQuery): Promise<ReportDto>;
  drillDown(query: DrillDownQuery): Promise<DrillDownDto>;
  /** The figures as CSV (the server neutralises cells that a spreadsheet would run as formulas). */
  exportCsv(query: ReportQuery): Promise<Blob>;
}

export function createReportsClient(options: { baseUrl: string; getToken: GetToken; fetch?: ReportsFetch }): ReportsClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch: ReportsFetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));

  async function send(path: string, params: Record<string, string | undefined>, accept: string): Promise<ReportsResponse> {
    let token: string;
    try {
      token = await options.getToken();
    } catch (error) {
      throw new ApiError(0, { code: 'token', message: error instanceof Error ? error.message : 'Could not sign you in to Baton.' }, { cause: error });
    }
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, value);
    let response: ReportsResponse;
    try {
      response = await doFetch(`${baseUrl}${path}?${search.toString()}`, { method: 'GET', headers: { Accept: accept, Authorization: `Bearer ${token}` } });
    } catch (error) {
      throw new ApiError(0, { code: 'network', message: 'Could not reach the Baton server. Check your connection and try again.' }, { cause: error });
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      const parsed = HandoffErrorBody.safeParse(parseJson(text));
      if (parsed.success) throw new ApiError(response.status, parsed.data.error);
      throw new ApiError(response.status, { code: `http_${String(response.status)}`, message: `The Baton server answered ${String(response.status)}. Try again in a moment.` });
    }
    return response;
  }

  async function json<T>(path: string, params: Record<string, string | undefined>, schema: ZodType<T>): Promise<T> {
    const response = await send(path, params, 'application/json');
    const parsed = schema.safeParse(parseJson(await response.text()));
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.map(String).join('.') ?? '';
      throw new ApiError(response.status, { code: 'invalid_response', message: `The Baton server sent a report this page does not understand (${where}). Reload the page.` });
    }
    return parsed.data;
  }

  return {
    report: (q) => json('/api/reports', { from: q.from, to: q.to, teamId: q.teamId }, ReportDto),
    drillDown: (q) => json('/api/reports/handoffs', { from: q.from, to: q.to, teamId: q.teamId, figure: q.figure, sdrId: q.sdrId, aeId: q.aeId }, DrillDownDto),
    exportCsv: async (q) => (await send('/api/reports/export.csv', { from: q.from, to: q.to, teamId: q.teamId }, 'text/csv')).blob(),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
