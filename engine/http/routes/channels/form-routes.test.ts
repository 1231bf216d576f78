import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_SECRETS, createChannelsTestApp, type ChannelsTestApp } from '../../../../test/helpers/channels-test-app.js';
import { rowCounts } from '../../../../test/helpers/row-counts.js';
import { createTestApp } from '../../../../test/helpers/test-app.js';

let t: ChannelsTestApp;
beforeAll(async () => {
  t = await createChannelsTestApp();
});
afterAll(() => t.close());

const URL = '/v1/channels/forms/contact';
let seq = 0;
/** A complete complaint of the example contact form, with a fresh submission id. */
const complaint = (extra: Record<string, unknown> = {}) => ({
  submissionId: `sub-${++seq}`,
  name: 'Jan Kowalski',
  email: `jan.${seq}@acme-${seq}.pl`,
  type: 'complaint',
  description: 'The kettle I bought stopped heating after a week.',
  orderNumber: 'ZAM-2026-0042',
  proofOfPurchase: 'https://shop.example.com/receipts/0042.pdf',
  ...extra,
});

describe('POST /v1/channels/forms/:formId', () => {
  it('creates a complaint ticket: category from the form type, customer from the e-mail, rules applied', async () => {
    const body = complaint();
    const res = await t.post(URL, body);
    expect(res.statusCode).toBe(201);
    const out = res.json();
    expect(out).toMatchObject({
      created: true,
      duplicate: false,
      missingFields: [],
      actions: [],
      ticket: { number: expect.stringMatching(/^T-\d{6}$/), status: 'new', channel: 'form', category: 'complaint', team: 'complaints', tags: ['form'] },
      decision: { event: 'ticket.created', firedRules: expect.arrayContaining(['route-complaint']) },
    });
    const details = await t.deps.tickets.getTicket(out.ticket.id);
    expect(details.ticket).toMatchObject({ source: 'form:contact', externalId: body.submissionId, subject: 'Contact form: complaint' });
    expect(details.ticket.data).toMatchObject({ form: { id: 'contact', type: 'complaint', complete: true, fields: { orderNumber: 'ZAM-2026-0042' } } });
    expect(details.ticket.data.form).not.toHaveProperty('fields.submissionId');
    expect(details.messages).toHaveLength(1);
    expect(details.messages[0]).toMatchObject({ direction: 'inbound', text: body.description, from: { address: body.email, name: 'Jan Kowalski' } });
    expect(details.customer?.identities).toContainEqual({ kind: 'email', value: body.email });
    expect(details.audit[0]).toMatchObject({ action: 'ticket.create', actorType: 'user', actorId: expect.stringContaining('channels') });
  });

  it('keeps an incomplete complaint as a pending ticket tagged incomplete and asks the customer for the missing fields', async () => {
    const body = complaint({ orderNumber: '', proofOfPurchase: undefined });
    const res = await t.post(URL, body);
    expect(res.statusCode).toBe(201);
    const out = res.json();
    expect(out).toMatchObject({ created: true, missingFields: ['orderNumber', 'proofOfPurchase'], ticket: { status: 'pending', category: 'complaint', tags: expect.arrayContaining(['form', 'incomplete']) } });
    expect(out.actions).toEqual([
      { type: 'requestInformation', params: { missingFields: ['orderNumber', 'proofOfPurchase'], text: expect.stringContaining('Order number, Proof of purchase (link to the receipt or invoice)') } },
    ]);
    expect(out.actions[0].params.text).toContain(out.ticket.number);
    const details = await t.deps.tickets.getTicket(out.ticket.id);
    expect(details.ticket.data).toMatchObject({ missingFields: ['orderNumber', 'proofOfPurchase'], form: { complete: false } });
    // The move to pending is an ordinary, audited status change, so pending's rules (reminder) run.
    expect(details.audit).toContainEqual(expect.objectContaining({ action: 'status.change', oldValue: 'new', newValue: 'pending', actorType: 'user' }));
    expect(details.decisions.map((d) => d.event)).toEqual(['ticket.created', 'status.changed']);
    expect(details.decisions[1]?.decision.firedRules).toContain('pending-schedule-reminder');

    // Re-delivery answers the same, and asks again.
    const again = await t.post(URL, body);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: false, duplicate: true, missingFields: ['orderNumber', 'proofOfPurchase'], ticket: { id: out.ticket.id, status: 'pending' } });
  });

  it('does not require order details for other request types', async () => {
    const res = await t.post(URL, { name: 'Ola', email: 'ola@firma-x.pl', type: 'question', description: 'Do you ship to Czechia?' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ missingFields: [], ticket: { status: 'new', category: 'inquiry', tags: ['form'] } });
  });

  it('never creates a second ticket for a re-delivered submission (submissionId, Idempotency-Key, or the same body)', async () => {
    const body = complaint();
    const first = (await t.post(URL, body)).json();
    const before = await rowCounts(t.deps.db);
    const again = await t.post(URL, { ...body, description: 'changed on retry' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: false, duplicate: true, ticket: { id: first.ticket.id, number: first.ticket.number } });
    expect(await rowCounts(t.deps.db)).toEqual(before);

    const { submissionId: _omit, ...withoutId } = complaint();
    const headers = { authorization: `Bearer ${t.channelKey}`, 'idempotency-key': 'retry-key-1' };
    const byKey = await t.post(URL, withoutId, headers);
    expect(byKey.statusCode).toBe(201);
    expect((await t.post(URL, { ...withoutId, description: 'other' }, headers)).json()).toMatchObject({ duplicate: true, ticket: { id: byKey.json().ticket.id } });

    const { submissionId: _omit2, ...anonymous } = complaint();
    const a = await t.post(URL, anonymous);
    const b = await t.post(URL, anonymous);
    expect([a.statusCode, b.statusCode]).toEqual([201, 200]);
    expect(b.json().ticket.id).toBe(a.json().ticket.id);
  });

  it('answers 404 TRIAGE_CHANNEL_UNKNOWN_FORM for a form that is not configured, and stores nothing', async () => {
    const before = await rowCounts(t.deps.db);
    for (const headers of [{ authorization: `Bearer ${t.channelKey}` }, {}] as Record<string, string>[]) {
      const res = await t.post('/v1/channels/forms/no-such-form', complaint(), headers);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'TRIAGE_CHANNEL_UNKNOWN_FORM', message: 'Form "no-such-form" is not configured' });
    }
    expect(await rowCounts(t.deps.db)).toEqual(before);
  });

  it('refuses a submission that breaks the form schema with 400 naming each field, storing nothing', async () => {
    const before = await rowCounts(t.deps.db);
    const res = await t.post(URL, { submissionId: 'bad-1', email: 'not-an-address', type: 'complaint', description: 7, colour: 'red' });
    expect(res.statusCode).toBe(400);
    const error = res.json();
    expect(error.code).toBe('TRIAGE_HTTP_VALIDATION');
    const fields = (error.details as { field: string }[]).map((d) => d.field).sort();
    expect(fields).toEqual(['colour', 'description', 'email', 'name']);
    expect(error.details).toContainEqual({ path: 'body/colour', field: 'colour', message: 'is not a field of this form' });
    expect(error.details).toContainEqual({ path: 'body/name', field: 'name', message: "must have required property 'name'" });
    expect(error.message).toContain('body/email must match format "email"');

    const wrongType = await t.post(URL, complaint({ type: 'praise' }));
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().details).toEqual([expect.objectContaining({ field: 'type', message: 'must be equal to one of the allowed values' })]);
    expect((await t.post(URL, complaint({ submissionId: 42 }))).json()).toMatchObject({ code: 'TRIAGE_HTTP_VALIDATION', details: [{ path: 'body/submissionId' }] });
    expect((await t.post(URL, [complaint()])).statusCode).toBe(400);
    expect(await rowCounts(t.deps.db)).toEqual(before);
  });

  it('refuses invalid JSON, oversized and non-JSON bodies with coded 4xx, storing nothing', async () => {
    const before = await rowCounts(t.deps.db);
    const invalid = await t.post(URL, '{"name": "Jan",');
    expect([invalid.statusCode, invalid.json().code]).toEqual([400, 'TRIAGE_HTTP_INVALID_JSON']);
    const empty = await t.post(URL, '');
    expect([empty.statusCode, empty.json().code]).toEqual([400, 'TRIAGE_HTTP_INVALID_JSON']);
    const huge = await t.post(URL, complaint({ description: 'x'.repeat(1_100_000) }));
    expect([huge.statusCode, huge.json().code]).toEqual([413, 'TRIAGE_HTTP_BODY_TOO_LARGE']);
    const form = await t.app.inject({ method: 'POST', url: URL, payload: 'name=Jan', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${t.channelKey}` } });
    expect([form.statusCode, form.json().code]).toEqual([415, 'TRIAGE_HTTP_UNSUPPORTED_MEDIA_TYPE']);
    expect(await rowCounts(t.deps.db)).toEqual(before);
  });

  it('needs a key with scope channels', async () => {
    const before = await rowCounts(t.deps.db);
    const none = await t.post(URL, complaint(), {});
    expect([none.statusCode, none.json().code]).toEqual([401, 'TRIAGE_AUTH_MISSING_KEY']);
    const readOnly = await t.keyWith(['tickets:read']);
    const denied = await t.post(URL, complaint(), { authorization: `Bearer ${readOnly}` });
    expect([denied.statusCode, denied.json().code]).toEqual([403, 'TRIAGE_AUTH_FORBIDDEN']);
    expect(await rowCounts(t.deps.db)).toEqual(before);
  });

  it('accepts a submission signed with the form secret, and only that secret', async () => {
    const signed = await t.postSigned(URL, complaint(), CHANNEL_SECRETS.FORM_CONTACT_SECRET);
    expect(signed.statusCode).toBe(201);
    const details = await t.deps.tickets.getTicket(signed.json().ticket.id);
    expect(details.audit[0]).toMatchObject({ action: 'ticket.create', actorId: 'signature:form:contact' });

    const before = await rowCounts(t.deps.db);
    for (const res of [
      await t.postSigned(URL, complaint(), CHANNEL_SECRETS.PBX_WEBHOOK_SECRET),
      await t.postSigned(URL, complaint(), 'wrong-secret'),
      await t.postSigned(URL, complaint(), CHANNEL_SECRETS.FORM_CONTACT_SECRET, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
    ]) {
      expect([res.statusCode, res.json().code]).toEqual([401, 'TRIAGE_AUTH_BAD_SIGNATURE']);
    }
    expect(await rowCounts(t.deps.db)).toEqual(before);
  });

  it('lists each configured form in /openapi.json', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(spec.paths['/v1/channels/forms/contact'].post.summary).toBe('Submit the form "Contact form"');
    expect(spec.paths['/v1/channels/forms/contact'].post.description).toContain('type "complaint" → category complaint, complete with orderNumber, proofOfPurchase');
    expect(spec.paths['/v1/channels/forms/{formId}']).toBeUndefined();
  });
});

describe('form configuration', () => {
  it('stops the start-up on a form schema that does not compile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-forms-'));
    try {
      const configFile = join(dir, 'triage.config.yaml');
      await writeFile(configFile, 'rules: { watch: false }\nchannels:\n  forms:\n    broken:\n      schema: { type: object, properties: { a: { type: nonsense } } }\n');
      await expect(createTestApp({ configFile })).rejects.toMatchObject({ code: 'TRIAGE_CHANNEL_FORM_SCHEMA', message: expect.stringContaining('Form "broken"') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
