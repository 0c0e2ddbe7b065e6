/** Loading data and running actions against the API from components, with loading and error state. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, gql } from './api';

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload(): void;
}

/**
 * Runs `query` with `variables` whenever they change (compared as JSON); `skip` holds it back (no
 * variables yet). An answer to an older request never overwrites a newer one.
 */
export function useQuery<T>(query: string, variables: Record<string, unknown> = {}, options: { skip?: boolean } = {}): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: !options.skip,
  });
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(variables);
  const latest = useRef(0);
  useEffect(() => {
    if (options.skip) return;
    const ticket = ++latest.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    gql<T>(query, JSON.parse(key) as Record<string, unknown>).then(
      (data) => ticket === latest.current && setState({ data, error: null, loading: false }),
      (error: unknown) => ticket === latest.current && setState({ data: null, error: asApiError(error), loading: false }),
    );
  }, [query, key, options.skip, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}

export interface Action<A extends unknown[], R> {
  run(...args: A): Promise<R | null>;
  running: boolean;
  error: ApiError | null;
  result: R | null;
  reset(): void;
}

/** Wraps a call that changes something: one at a time, its error kept for display (and `null` returned). */
export function useAction<A extends unknown[], R>(call: (...args: A) => Promise<R>): Action<A, R> {
  const [state, setState] = useState<{ running: boolean; error: ApiError | null; result: R | null }>({
    running: false,
    error: null,
    result: null,
  });
  const busy = useRef(false);
  const run = async (...args: A): Promise<R | null> => {
    if (busy.current) return null;
    busy.current = true;
    setState({ running: true, error: null, result: null });
    try {
      const result = await call(...args);
      setState({ running: false, error: null, result });
      return result;
    } catch (error) {
      setState({ running: false, error: asApiError(error), result: null });
      return null;
    } finally {
      busy.current = false;
    }
  };
  return { ...state, run, reset: () => setState({ running: false, error: null, result: null }) };
}

export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError
    ? error
    : new ApiError([{ message: String((error as Error)?.message ?? error), code: 'INTERNAL_SERVER_ERROR', field: null }]);
}
