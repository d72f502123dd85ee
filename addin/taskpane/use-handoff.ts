// A hand-off kept fresh: loads GET /api/handoffs/:id, then polls it every `pollMs` until it is closed, keeping the last
// answer on screen when a poll fails (the failure is returned, for a MessageBar). `replace` takes an answer a write
// returned. Imports React and contract types.
import { useCallback, useEffect, useState } from 'react';
import type { HandoffDetailDto } from '../../server/http/contract';

export type LoadHandoff = (id: string, signal: AbortSignal) => Promise<HandoffDetailDto>;

export const HANDOFF_POLL_MS = 30_000;

export interface HandoffState {
  detail: HandoffDetailDto | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
  replace: (detail: HandoffDetailDto) => void;
}

export function useHandoff(load: LoadHandoff, id: string | null, pollMs = HANDOFF_POLL_MS): HandoffState {
  const [detail, setDetail] = useState<HandoffDetailDto | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    setDetail(null);
    setError(null);
  }, [id]);

  useEffect(() => {
    if (id === null) return undefined;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fetchOnce = (): void => {
      setLoading(true);
      load(id, controller.signal).then(
        (answer) => {
          if (controller.signal.aborted) return;
          setDetail(answer);
          setError(null);
          setLoading(false);
          if (answer.handoff.stage !== 'closed') timer = setTimeout(fetchOnce, pollMs);
        },
        (failure: unknown) => {
          if (controller.signal.aborted) return;
          setError(failure);
          setLoading(false);
          timer = setTimeout(fetchOnce, pollMs);
        },
      );
    };
    fetchOnce();
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [load, id, pollMs, attempt]);

  const reload = useCallback(() => {
    setAttempt((n) => n + 1);
  }, []);
  const replace = useCallback((next: HandoffDetailDto) => {
    setDetail(next);
    setError(null);
  }, []);
  return { detail, error, loading, reload, replace };
}
