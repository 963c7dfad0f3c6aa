import {
  DependencyList,
  useCallback,
  useEffect,
  useRef,
  useState,
} from 'react';

/** @public */
export interface PollingOptions {
  /** Time between successful polls; `0` turns polling off (manual refresh only). Default 30 s. */
  intervalMs?: number;
  /** Upper bound of the backoff after consecutive errors. Default 5 min. */
  maxIntervalMs?: number;
}

/** @public */
export interface PollingState<T> {
  /** The last value loaded; kept while a later poll fails, so the card does not blank out. */
  value?: T;
  /** The last poll's error, cleared by the next success. */
  error?: Error;
  /** A request is in flight. */
  loading: boolean;
  /** When `value` was loaded. */
  lastUpdated?: Date;
  /** Consecutive failed polls. */
  failures: number;
  /** Load now, and restart the polling timer from here. */
  refresh: () => void;
}

export const DEFAULT_POLL_INTERVAL_MS = 30_000;
export const DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;

/**
 * Delay before the next poll: the interval after a success, doubled per
 * consecutive failure (so a down backend is not hammered), capped.
 */
export function nextPollDelay(
  intervalMs: number,
  failures: number,
  maxIntervalMs: number = DEFAULT_MAX_POLL_INTERVAL_MS,
): number {
  if (failures <= 0) return intervalMs;
  return Math.min(
    Math.max(maxIntervalMs, intervalMs),
    intervalMs * 2 ** Math.min(failures, 20),
  );
}

function isDocumentHidden(): boolean {
  return (
    typeof document !== 'undefined' && document.visibilityState === 'hidden'
  );
}

/** Whether the browser tab is hidden, following `visibilitychange`. */
export function useDocumentHidden(): boolean {
  const [hidden, setHidden] = useState(isDocumentHidden);
  useEffect(() => {
    const onChange = () => setHidden(isDocumentHidden());
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  return hidden;
}

interface InnerState<T> {
  value?: T;
  error?: Error;
  loading: boolean;
  lastUpdated?: Date;
  failures: number;
}

/**
 * Load `load` now and then every `intervalMs`, paused while the tab is hidden
 * (polling resumes at once on return when a poll is overdue), with exponential
 * backoff after errors. A change of `deps` starts over; a newer request aborts
 * the older one, so a slow answer never overwrites a fresher one.
 *
 * @public
 */
export function usePolling<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  options: PollingOptions = {},
): PollingState<T> {
  const intervalMs = options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const maxIntervalMs = options.maxIntervalMs ?? DEFAULT_MAX_POLL_INTERVAL_MS;
  const [state, setState] = useState<InnerState<T>>({
    loading: true,
    failures: 0,
  });
  const [tick, setTick] = useState(0);
  const lastAttemptAt = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const hidden = useDocumentHidden();

  // A new subject: forget the previous one's value.
  useEffect(() => {
    setState({ loading: true, failures: 0 });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  useEffect(() => {
    const controller = new AbortController();
    lastAttemptAt.current = Date.now();
    setState(s => (s.loading ? s : { ...s, loading: true }));
    loadRef.current(controller.signal).then(
      value => {
        if (controller.signal.aborted) return;
        setState({
          value,
          loading: false,
          lastUpdated: new Date(),
          failures: 0,
        });
      },
      error => {
        if (controller.signal.aborted) return;
        setState(s => ({
          ...s,
          error: error instanceof Error ? error : new Error(String(error)),
          loading: false,
          failures: s.failures + 1,
        }));
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tick, ...deps]);

  useEffect(() => {
    if (state.loading || hidden || intervalMs <= 0) return undefined;
    const delay = nextPollDelay(intervalMs, state.failures, maxIntervalMs);
    // Counted from the last attempt, so coming back to a tab polls at once when overdue.
    const remaining = Math.max(0, lastAttemptAt.current + delay - Date.now());
    const timer = setTimeout(() => setTick(n => n + 1), remaining);
    return () => clearTimeout(timer);
  }, [state.loading, state.failures, hidden, intervalMs, maxIntervalMs]);

  const refresh = useCallback(() => setTick(n => n + 1), []);

  return { ...state, refresh };
}
