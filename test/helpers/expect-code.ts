import { expect } from 'vitest';
import { isTriageError } from '../../engine/errors/triage-error.js';

/** Await `promise` and expect it to fail with the TriageError `code` (any other outcome fails the test). */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(isTriageError(error) ? error.code : error).toBe(code);
    return;
  }
  expect.unreachable(`expected ${code}`);
}
