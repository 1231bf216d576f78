import { useCallback, useEffect, useState } from 'preact/hooks';

export type Loaded<T> = { status: 'loading' } | { status: 'ok'; data: T } | { status: 'error'; error: unknown };

/**
 * Runs `load` when `key` changes (and on reload()); an answer that arrives
 * after the key moved on is dropped, so a slow page never overwrites a newer one.
 */
export function useApi<T>(load: () => Promise<T>, key: string): { state: Loaded<T>; reload: () => void } {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  useEffect(() => {
    let current = true;
    setState({ status: 'loading' });
    load().then(
      (data) => current && setState({ status: 'ok', data }),
      (error: unknown) => current && setState({ status: 'error', error }),
    );
    return () => {
      current = false;
    };
    // load is a fresh closure on every render; key says when it means something new.
  }, [key, round]);
  return { state, reload };
}
