// The add-in's typed client of the Baton API: one method per route, every answer checked with the contract's zod
// schemas, every failure an ApiError with a stable code. Imports only the server's contract (server/http/contract)
// and zod's types. The token comes from a `getToken` function, so its source (Office SSO today, Nested App
// Authentication later) swaps without touching this file.
import type { ZodType } from 'zod';
import {
  AuditTrailDto,
  FollowupDto,
  FollowupList,
  HandBackReasonList,
  HandoffDetailDto,
  HandoffErrorBody,
  HandoffIntroDto,
  HandoffList,
  HandoffStartedDto,
  InviteDraftDto,
  LeadDto,
  LeadPage,
  MeDto,
  type FollowupCreateBody,
  type HandoffInviteBody,
  type HandoffOutcomeBody,
  type HandoffSlotBody,
  type HandoffStartBody,
  type LeadCreateBody,
  type LeadPatchBody,
  type TransitionBody,
} from '../../server/http/contract';
import { ApiError, type ClientErrorCode } from './api-error';

export { ApiError, type ClientErrorCode } from './api-error';

/** Where the bearer token comes from. Rejects with an Error whose message can be shown to the user. */
export type GetToken = () => Promise<string>;

/** The part of a fetch Response the client reads; the global `fetch` satisfies it, and so do small test fakes. */
export interface FetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  text(): Promise<string>;
}
export type FetchLike = (url: string, init: RequestInit) => Promise<FetchResponse>;

export interface ApiClientOptions {
  /** The server's origin (and path prefix, if any), e.g. `https://baton.example.com`. */
  baseUrl: string;
  getToken: GetToken;
  /** Defaults to the global fetch. */
  fetch?: FetchLike;
}

export interface RequestOptions {
  /** Aborting rejects the call with ApiError code `aborted`. */
  signal?: AbortSignal;
}

export interface ApiClient {
  /** GET /api/me: the signed-in user, their team and pairings. */
  me(options?: RequestOptions): Promise<MeDto>;
  /** GET /api/leads: leads whose contact, company or email starts with `q`, a page at a time. */
  searchLeads(query: SearchLeadsQuery, options?: RequestOptions): Promise<LeadPage>;
  /** GET /api/leads/:id */
  getLead(id: string, options?: RequestOptions): Promise<LeadDto>;
  /** POST /api/leads */
  createLead(body: LeadCreateBody, options?: RequestOptions): Promise<LeadDto>;
  /** PATCH /api/leads/:id (body.version: the version read; a stale one fails with `version_conflict`). */
  updateLead(id: string, body: LeadPatchBody, options?: RequestOptions): Promise<LeadDto>;
  /** POST /api/leads/:id/transitions: move the lead to another status. */
  transitionLead(id: string, body: TransitionBody, options?: RequestOptions): Promise<LeadDto>;
  /** GET /api/leads/:id/audit: the lead's and its hand-offs' history. */
  leadAudit(id: string, options?: RequestOptions): Promise<AuditTrailDto>;
  /** POST /api/handoffs: starts a hand-off; answers the intro to compose and proposed slots. */
  startHandoff(body: HandoffStartBody, options?: RequestOptions): Promise<HandoffStartedDto>;
  /** GET /api/handoffs/:id: the hand-off with its lead, people, obligations, follow-ups (and the prep brief, for those it is meant for). */
  getHandoff(id: string, options?: RequestOptions): Promise<HandoffDetailDto>;
  /** GET /api/handoffs?mine=true: the actor's open hand-offs. */
  listHandoffs(options?: RequestOptions): Promise<HandoffList>;
  /** POST /api/handoffs/:id/invite: books the invite at the chosen time. */
  bookInvite(id: string, body: HandoffInviteBody, options?: RequestOptions): Promise<HandoffDetailDto>;
  /** PUT /api/handoffs/:id/slot: the meeting time chosen among the proposals (booked when the intro is seen sent). */
  chooseSlot(id: string, body: HandoffSlotBody, options?: RequestOptions): Promise<HandoffDetailDto>;
  /** GET /api/handoffs/:id/intro: the intro to fill again, until it is seen sent. */
  handoffIntro(id: string, options?: RequestOptions): Promise<HandoffIntroDto>;
  /** POST /api/handoffs/:id/outcome: the AE's outcome. */
  recordOutcome(id: string, body: HandoffOutcomeBody, options?: RequestOptions): Promise<HandoffDetailDto>;
  /** GET /api/handoffs/:id/invite-draft: what "Fill invite" writes into an appointment. */
  inviteDraft(id: string, options?: RequestOptions): Promise<InviteDraftDto>;
  /** GET /api/hand-back-reasons */
  handBackReasons(options?: RequestOptions): Promise<HandBackReasonList>;
  /** GET /api/leads/:id/followups */
  listFollowups(leadId: string, options?: RequestOptions): Promise<FollowupList>;
  /** POST /api/leads/:id/followups */
  addFollowup(leadId: string, body: FollowupCreateBody, options?: RequestOptions): Promise<FollowupDto>;
}

/** The query of GET /api/leads (the contract's LeadSearchQuery, as the client sends it). */
export interface SearchLeadsQuery {
  /** Prefix of the contact name, company name or email; empty lists every lead the user may see. */
  q?: string;
  /** 1–100; the server's default is 20. */
  limit?: number;
  offset?: number;
}

function clientError(code: ClientErrorCode, message: string, cause?: unknown, status = 0): ApiError {
  return new ApiError(status, { code, message }, { cause });
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error instanceof Error && error.name === 'AbortError');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const first = error.issues[0];
  if (first === undefined) return 'unexpected shape';
  const path = first.path.map(String).join('.');
  return path === '' ? first.message : `${path}: ${first.message}`;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  // Bound lazily: a bare reference to the global fetch throws "Illegal invocation" when called unbound.
  const doFetch: FetchLike = options.fetch ?? ((url, init) => globalThis.fetch(url, init));

  async function call<T>(method: string, path: string, schema: ZodType<T>, body: unknown, request: RequestOptions | undefined): Promise<T> {
    const signal = request?.signal;
    let token: string;
    try {
      token = await options.getToken();
    } catch (error) {
      throw clientError('token', error instanceof Error ? error.message : 'Could not sign you in to Baton.', error);
    }
    if (signal?.aborted === true) throw clientError('aborted', 'The request was cancelled.');

    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${token}` };
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (signal !== undefined) init.signal = signal;

    let response: FetchResponse;
    let text: string;
    try {
      response = await doFetch(`${baseUrl}${path}`, init);
      text = await response.text();
    } catch (error) {
      if (isAbort(error, signal)) throw clientError('aborted', 'The request was cancelled.', error);
      throw clientError('network', 'Could not reach the Baton server. Check your connection and try again.', error);
    }

    const json = parseJson(text);
    if (!response.ok) {
      const parsed = HandoffErrorBody.safeParse(json);
      if (parsed.success) throw new ApiError(response.status, parsed.data.error);
      const statusText = response.statusText === '' ? '' : ` ${response.statusText}`;
      throw new ApiError(response.status, {
        code: `http_${response.status}`,
        message: `The Baton server answered ${response.status}${statusText}. Try again in a moment.`,
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw clientError(
        'invalid_response',
        `The Baton server sent an answer this add-in does not understand (${describeIssues(parsed.error)}). Reload the add-in.`,
        parsed.error,
        response.status,
      );
    }
    return parsed.data;
  }

  const leadPath = (id: string): string => `/api/leads/${encodeURIComponent(id)}`;
  const handoffPath = (id: string): string => `/api/handoffs/${encodeURIComponent(id)}`;

  return {
    me: (request) => call('GET', '/api/me', MeDto, undefined, request),
    searchLeads: (query, request) => {
      const params = new URLSearchParams();
      if (query.q !== undefined) params.set('q', query.q);
      if (query.limit !== undefined) params.set('limit', String(query.limit));
      if (query.offset !== undefined) params.set('offset', String(query.offset));
      const search = params.toString();
      return call('GET', search === '' ? '/api/leads' : `/api/leads?${search}`, LeadPage, undefined, request);
    },
    getLead: (id, request) => call('GET', leadPath(id), LeadDto, undefined, request),
    createLead: (body, request) => call('POST', '/api/leads', LeadDto, body, request),
    updateLead: (id, body, request) => call('PATCH', leadPath(id), LeadDto, body, request),
    transitionLead: (id, body, request) => call('POST', `${leadPath(id)}/transitions`, LeadDto, body, request),
    leadAudit: (id, request) => call('GET', `${leadPath(id)}/audit`, AuditTrailDto, undefined, request),
    startHandoff: (body, request) => call('POST', '/api/handoffs', HandoffStartedDto, body, request),
    getHandoff: (id, request) => call('GET', handoffPath(id), HandoffDetailDto, undefined, request),
    listHandoffs: (request) => call('GET', '/api/handoffs?mine=true', HandoffList, undefined, request),
    bookInvite: (id, body, request) => call('POST', `${handoffPath(id)}/invite`, HandoffDetailDto, body, request),
    chooseSlot: (id, body, request) => call('PUT', `${handoffPath(id)}/slot`, HandoffDetailDto, body, request),
    handoffIntro: (id, request) => call('GET', `${handoffPath(id)}/intro`, HandoffIntroDto, undefined, request),
    recordOutcome: (id, body, request) => call('POST', `${handoffPath(id)}/outcome`, HandoffDetailDto, body, request),
    inviteDraft: (id, request) => call('GET', `${handoffPath(id)}/invite-draft`, InviteDraftDto, undefined, request),
    handBackReasons: (request) => call('GET', '/api/hand-back-reasons', HandBackReasonList, undefined, request),
    listFollowups: (leadId, request) => call('GET', `${leadPath(leadId)}/followups`, FollowupList, undefined, request),
    addFollowup: (leadId, body, request) => call('POST', `${leadPath(leadId)}/followups`, FollowupDto, body, request),
  };
}
