/**
 * Call an external lookup with a hard time limit: after `timeoutMs` the call's
 * signal is aborted with the error `timeoutError()` makes, and the returned
 * promise rejects with it. Racing the call (not only aborting it) bounds the
 * wait even for a connector that ignores its signal. Ticket creation waits on
 * these calls (CRM, shop), so the bound is what keeps a slow service from
 * slowing ingest.
 */
export async function callWithTimeLimit<T>(call: (signal: AbortSignal) => Promise<T> | undefined, timeoutMs: number, timeoutError: () => Error): Promise<T | undefined> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = timeoutError();
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([call(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
