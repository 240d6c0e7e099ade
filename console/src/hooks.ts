// Loading data: once, or again every `intervalMs` while `active` (an execution that has not ended).
import { useCallback, useEffect, useRef, useState } from "react";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
  poll?: { intervalMs: number; active: (data: T) => boolean },
): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const pollRef = useRef(poll);
  pollRef.current = poll;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to reload
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState((s) => ({ ...s, loading: true }));
    const run = async () => {
      try {
        const data = await loadRef.current();
        if (cancelled) return;
        setState({ data, error: undefined, loading: false });
        const p = pollRef.current;
        if (p?.active(data)) timer = setTimeout(run, p.intervalMs);
      } catch (error) {
        if (cancelled) return;
        setState((s) => ({ ...s, error, loading: false }));
        // A transient failure while watching a running execution: keep trying, more slowly.
        if (pollRef.current) timer = setTimeout(run, pollRef.current.intervalMs * 3);
      }
    };
    run();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Now, updated every second while `active`: running durations tick without refetching. */
export function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}
