import { useCallback, useEffect, useState } from 'preact/hooks';

export type Loaded<T> = { status: 'loading' } | { status: 'ok'; data: T } | { status: 'error'; error: unknown };

/**
 * Runs `load` when `key` changes (and on reload()). What is returned always
 * belongs to the current key: between a key change and its answer the state
 * is loading (never the previous key's data), and an answer that arrives
 * after the key moved on is dropped.
 */
export function useApi<T>(load: () => Promise<T>, key: string): { state: Loaded<T>; reload: () => void } {
  const [held, setHeld] = useState<{ key: string; state: Loaded<T> }>({ key, state: { status: 'loading' } });
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  useEffect(() => {
    let current = true;
    setHeld({ key, state: { status: 'loading' } });
    load().then(
      (data) => current && setHeld({ key, state: { status: 'ok', data } }),
      (error: unknown) => current && setHeld({ key, state: { status: 'error', error } }),
    );
    return () => {
      current = false;
    };
    // load is a fresh closure on every render; key says when it means something new.
  }, [key, round]);
  return { state: held.key === key ? held.state : { status: 'loading' }, reload };
}
