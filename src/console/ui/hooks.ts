// Loading data for a screen: one request's state, and polling while the screen is open.

import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Async<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload(): void;
}

/** Runs `load` when `deps` change (aborting the previous run) and on reload(). */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(ctl.signal).then(
      (data) => !ctl.signal.aborted && setState({ data, loading: false }),
      (error) => !ctl.signal.aborted && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => ctl.abort();
    // The caller names the dependencies, as with useEffect.
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Calls `fn` now and then every `ms` while mounted, never two at once. */
export function usePoll(fn: (signal: AbortSignal) => Promise<void>, ms: number, deps: unknown[]): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        await saved.current(ctl.signal);
      } catch {
        /* the screen shows its own errors; polling goes on */
      }
      if (!ctl.signal.aborted) timer = setTimeout(run, ms);
    };
    void run();
    return () => {
      ctl.abort();
      clearTimeout(timer);
    };
    // The caller names the dependencies, as with useEffect.
  }, [ms, ...deps]);
}
