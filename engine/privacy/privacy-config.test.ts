/**
 * The `privacy` configuration through the real server (startServer): extra
 * patterns reach the phone channel's masking on storage, the retention job is
 * started and stopped with the server, bad patterns fail the start with the
 * position in the file.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectCode } from '../../test/helpers/expect-code.js';
import { packageRoot } from '../runtime/package-root.js';
import { startServer, type RunningServer } from '../server/start-server.js';
import { configurePrivacy, privacySettings } from './privacy-settings.js';

const DAY = 86_400_000;

describe('privacy configuration in the server', () => {
  let dir: string;
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    configurePrivacy();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(config: string): Promise<{ server: RunningServer; key: string }> {
    dir = await mkdtemp(join(tmpdir(), 'triage-privacy-'));
    const file = join(dir, 'triage.config.yaml');
    await writeFile(file, `rules:\n  watch: false\n${config}`);
    const key = `trg_${randomBytes(32).toString('base64url')}`;
    server = await startServer({
      configFile: file,
      env: { TRIAGE_SQLITE_PATH: join(dir, 'triage.db'), TRIAGE_RULES: join(packageRoot(), 'rules', 'default'), TRIAGE_BOOTSTRAP_KEY: key },
      listen: false,
      logger: false,
      notice: () => undefined,
    });
    return { server, key };
  }

  it('masks phone transcripts on storage with the built-in detectors and the configured extra patterns', async () => {
    const { server: s, key } = await start('privacy:\n  extraPatterns: ["KL-\\\\d{8}"]\n  maskOutbound: false\n');
    expect(s.config.privacy).toEqual({ extraPatterns: ['KL-\\d{8}'], maskOutbound: false, retention: { closedTicketDays: undefined, intervalMinutes: 60 } });
    expect(privacySettings().maskOutbound).toBe(false);
    expect(s.retention).toBeUndefined();
    const res = await s.app.inject({
      method: 'POST',
      url: '/v1/channels/phone',
      headers: { authorization: `Bearer ${key}` },
      payload: { callId: 'c-1', from: '+48 600 100 200', status: 'answered', startedAt: '2026-03-02T09:15:00Z', note: 'Klient KL-12345678', transcript: 'Karta 4111 1111 1111 1111, PESEL 44051401359, zamówienie 2026/01/12345' },
    });
    expect(res.statusCode).toBe(201);
    const details = await s.tickets.getTicket((res.json() as { ticket: { id: string } }).ticket.id);
    expect(details.messages[0]?.text).toBe('Klient **-****5678\n\nTranscript:\nKarta **** **** **** 1111, PESEL *******1359, zamówienie 2026/01/12345');
  });

  it('runs retention periodically when privacy.retention.closedTicketDays is set, and stops with the server', async () => {
    const { server: s } = await start('privacy:\n  retention:\n    closedTicketDays: 30\n    intervalMinutes: 720\n');
    expect(s.retention).toBeDefined();
    const t = await s.tickets.createTicket({ source: 'api', externalId: 'old', subject: 'Old' });
    await s.tickets.changeStatus(t.ticket.id, 'solved', { type: 'user', id: 'ola' });
    await s.tickets.changeStatus(t.ticket.id, 'closed', { type: 'user', id: 'ola' });
    // Seed the past: the ticket was closed 31 days ago.
    await s.db('tickets').where({ id: t.ticket.id }).update({ closed_at: new Date(Date.now() - 31 * DAY).toISOString() });
    await s.tickets.createTicket({ source: 'api', externalId: 'new', subject: 'New' });

    const result = await s.retention?.runNow();
    expect(result).toMatchObject({ status: 'done', closedOlderThanDays: 30, counts: { tickets: 1 } });
    expect(((await s.db('tickets').select('external_id')) as { external_id: string }[]).map((r) => r.external_id)).toEqual(['new']);
    expect(await s.db('retention_runs').select('actor', 'tickets')).toEqual([{ actor: 'schedule', tickets: 1 }]);
    // An empty scheduled run leaves no row behind.
    expect(await s.retention?.runNow()).toMatchObject({ status: 'done', runId: null, counts: { tickets: 0 } });
    expect(await s.db('retention_runs').count({ n: '*' }).first()).toEqual({ n: 1 });
  });

  it('refuses an unsafe extra pattern at start with file:line:col', async () => {
    const failure = start('privacy:\n  extraPatterns:\n    - "(\\\\w+\\\\s?)+"\n');
    await expect(failure).rejects.toThrow(/triage\.config\.yaml:5:5 privacy\.extraPatterns \[0\] .*can backtrack catastrophically/);
    await expectCode(failure, 'TRIAGE_CONFIG_INVALID');
  });
});
