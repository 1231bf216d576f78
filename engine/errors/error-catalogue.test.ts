import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../runtime/package-root.js';
import { errorCatalogue } from './error-catalogue.js';
import { TriageError, formatMessage } from './triage-error.js';

const docs = readFileSync(join(packageRoot(), 'docs', 'errors.md'), 'utf8');

describe('error catalogue', () => {
  it('documents every code in docs/errors.md', () => {
    const missing = Object.keys(errorCatalogue).filter((code) => !docs.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it('documents no code that does not exist', () => {
    const documented = [...docs.matchAll(/`(TRIAGE_[A-Z_]+)`/g)].map((m) => m[1]);
    const unknown = documented.filter((code) => code !== undefined && !(code in errorCatalogue));
    expect(unknown).toEqual([]);
  });

  it('gives every code a message, an HTTP status and an actionable hint', () => {
    for (const [code, def] of Object.entries(errorCatalogue)) {
      expect(code).toMatch(/^TRIAGE_[A-Z]+(_[A-Z]+)+$/);
      expect(def.message.length).toBeGreaterThan(1);
      expect(def.hint.length).toBeGreaterThan(10);
      expect(def.status).toBeGreaterThanOrEqual(400);
    }
  });

  it('fills placeholders in order and serializes to JSON with code and hint', () => {
    expect(formatMessage('a %s b %s', [1, 'x'])).toBe('a 1 b x');
    const e = new TriageError('TRIAGE_TICKET_NOT_FOUND', ['T-000001']);
    expect(e.message).toBe('Ticket T-000001 not found');
    expect(e.status).toBe(404);
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ code: 'TRIAGE_TICKET_NOT_FOUND', hint: expect.any(String) });
  });
});
