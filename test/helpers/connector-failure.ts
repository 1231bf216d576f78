import { expect } from 'vitest';
import { isConnectorError, type ConnectorError } from '../../connectors/lib/connector-error.js';

/**
 * The ConnectorError a connector call rejects with. Fails the test when the
 * call succeeds or rejects with anything else, or when one of `secrets` shows
 * in what an operator or a log could see (code, message, hint, cause).
 */
export async function connectorFailure(promise: Promise<unknown> | undefined, ...secrets: readonly string[]): Promise<ConnectorError> {
  const e = await Promise.resolve(promise).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!isConnectorError(e)) throw new Error(`expected a ConnectorError, got ${String(e)}`);
  const visible = JSON.stringify({ code: e.code, message: e.message, hint: e.hint, cause: String(e.cause ?? '') });
  for (const secret of secrets) expect(visible).not.toContain(secret);
  return e;
}
