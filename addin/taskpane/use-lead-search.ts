// The lead type-ahead's state: waits `debounceMs` after the last keystroke, then asks `search` for the term;
// a newer term aborts the older request, so only the latest answer is shown. Imports React and contract types.
import { useCallback, useEffect, useState } from 'react';
import type { LeadDto, LeadPage } from '../../server/http/contract';

/** Searches leads by prefix; should be stable (useCallback) and honour the signal. */
export type SearchLeads = (term: string, signal: AbortSignal) => Promise<LeadPage>;

export type LeadSearchState =
  | { status: 'idle'; items: readonly LeadDto[] }
  | { status: 'loading'; term: string; items: readonly LeadDto[] }
  | { status: 'done'; term: string; items: readonly LeadDto[]; hasMore: boolean }
  | { status: 'error'; term: string; items: readonly LeadDto[]; error: unknown };

export const SEARCH_DEBOUNCE_MS = 200;

export function useLeadSearch(search: SearchLeads, input: string, debounceMs = SEARCH_DEBOUNCE_MS): { state: LeadSearchState; retry: () => void } {
  const [state, setState] = useState<LeadSearchState>({ status: 'idle', items: [] });
  const [attempt, setAttempt] = useState(0);
  const term = input.trim();

  useEffect(() => {
    if (term === '') {
      setState({ status: 'idle', items: [] });
      return undefined;
    }
    // Keep the previous results on screen while the next ones load, so the list does not flicker.
    setState((previous) => ({ status: 'loading', term, items: previous.items }));
    const controller = new AbortController();
    const timer = setTimeout(() => {
      search(term, controller.signal).then(
        (page) => {
          if (!controller.signal.aborted) setState({ status: 'done', term, items: page.items, hasMore: page.hasMore });
        },
        (error: unknown) => {
          if (!controller.signal.aborted) setState({ status: 'error', term, items: [], error });
        },
      );
    }, debounceMs);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [search, term, debounceMs, attempt]);

  const retry = useCallback(() => {
    setAttempt((n) => n + 1);
  }, []);
  return { state, retry };
}
