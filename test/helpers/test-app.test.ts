import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './test-app.js';

describe('createTestApp', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('serves the real app with an admin key and scoped keys on a fresh database', async () => {
    t = await createTestApp();
    expect(t.deps.config.rules.watch).toBe(false);
    const body = { ticket: { subject: 'Faktura 03/2025' } };
    const ok = await t.app.inject({ method: 'POST', url: '/v1/evaluate', headers: { authorization: `Bearer ${t.adminKey}` }, payload: body });
    expect(ok.statusCode).toBe(200);
    const readOnly = await t.keyWith(['tickets:read']);
    const denied = await t.app.inject({ method: 'POST', url: '/v1/evaluate', headers: { 'x-api-key': readOnly }, payload: body });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: 'TRIAGE_AUTH_FORBIDDEN' });
  });
});
