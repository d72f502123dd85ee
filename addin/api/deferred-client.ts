// The API client for the pane's first chunk: the same ApiClient, whose implementation (./client with the contract's
// zod schemas, a fifth of the pane's code) loads as a chunk of its own on the first call or on `preload()`, so the
// lead search can paint and take typing before it arrives. Imports ./api-error and ./client's types.
import { ApiError } from './api-error';
import type { ApiClient, ApiClientOptions } from './client';

export interface DeferredApiClient extends ApiClient {
  /** Starts loading the implementation now (idempotent); calls made meanwhile wait for it. */
  preload(): Promise<ApiClient>;
}

export interface DeferredApiClientOptions extends ApiClientOptions {
  /** What the load waits for first (e.g. a quiet moment after the page painted); default none. */
  notBefore?: () => Promise<void>;
}

export function createDeferredApiClient(options: DeferredApiClientOptions): DeferredApiClient {
  let loading: Promise<ApiClient> | null = null;
  const preload = (): Promise<ApiClient> => {
    loading ??= (async () => {
      await options.notBefore?.();
      // `as string`: TypeScript (nodenext) would resolve the specifier by ESM rules; webpack resolves it as written.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
      const module = await (import('./client' as string) as Promise<typeof import('./client')>).catch((error: unknown) => {
        throw new ApiError(0, { code: 'network', message: 'Could not load part of Baton. Check your connection and try again.' }, { cause: error });
      });
      return module.createApiClient(options);
    })();
    // A failed load (network) is tried again on the next call.
    loading.catch(() => {
      loading = null;
    });
    return loading;
  };
  function later<K extends keyof ApiClient>(name: K): ApiClient[K] {
    const call = async (...args: Parameters<ApiClient[K]>): Promise<Awaited<ReturnType<ApiClient[K]>>> => {
      const client = await preload();
      const method = client[name] as (...a: Parameters<ApiClient[K]>) => Promise<Awaited<ReturnType<ApiClient[K]>>>;
      return method(...args);
    };
    return call as unknown as ApiClient[K];
  }
  return {
    preload,
    me: later('me'),
    searchLeads: later('searchLeads'),
    getLead: later('getLead'),
    createLead: later('createLead'),
    updateLead: later('updateLead'),
    transitionLead: later('transitionLead'),
    leadAudit: later('leadAudit'),
    startHandoff: later('startHandoff'),
    getHandoff: later('getHandoff'),
    listHandoffs: later('listHandoffs'),
    bookInvite: later('bookInvite'),
    chooseSlot: later('chooseSlot'),
    handoffIntro: later('handoffIntro'),
    recordOutcome: later('recordOutcome'),
    inviteDraft: later('inviteDraft'),
    handBackReasons: later('handBackReasons'),
    listFollowups: later('listFollowups'),
    addFollowup: later('addFollowup'),
  };
}
