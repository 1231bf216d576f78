import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../engine/store/create-database.js';
import { TicketService } from '../../../engine/tickets/ticket-service.js';
import { createFakeDecide } from '../../../test/helpers/fake-decide.js';
import { runCliCommand, seededCliSqlite } from '../../../test/helpers/cli-sqlite.js';
import type { TempSqliteFile } from '../../../test/helpers/sqlite.js';

const DAY = 86_400_000;

describe('triage gdpr', () => {
  let file: TempSqliteFile;
  let env: Record<string, string>;
  let customerId: string;

  beforeEach(async () => {
    ({ file, env } = await seededCliSqlite('dpo', async (db) => {
      let clock = Date.now() - 100 * DAY;
      const service = new TicketService({ db, decide: createFakeDecide(), now: () => new Date(clock) });
      const t = await service.createTicket({ source: 'api', externalId: 'a', subject: 'Jan Kowalski: reklamacja', message: { from: 'Jan Kowalski <jan@acme.pl>', text: 'PESEL 44051401359' } });
      customerId = t.ticket.customerId ?? '';
      await service.changeStatus(t.ticket.id, 'solved', { type: 'user', id: 'ola' });
      clock = Date.now() - 90 * DAY;
      await service.changeStatus(t.ticket.id, 'closed', { type: 'user', id: 'ola' });
      clock = Date.now();
      await service.createTicket({ source: 'api', externalId: 'b', subject: 'Recent', message: { from: 'anna@other.pl', text: 'hi' } });
    }));
  });
  afterEach(async () => {
    await file.cleanup();
  });

  const run = (...argv: string[]): ReturnType<typeof runCliCommand> => runCliCommand(env, ['gdpr', ...argv]);

  it('erase --dry-run counts, erase does it and records who', async () => {
    const dry = await run('erase', '--customer', customerId, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(new RegExp(`^Dry run: would erase customer ${customerId} \\(1 ticket\\(s\\): T-000001\\)\\n`));
    expect(dry.out).toMatch(/^ {2}messages +1$/m);
    expect(dry.out).toMatch(/^ {2}identities +2$/m);
    expect(dry.out).toMatch(/Nothing was changed\.\n$/);

    const real = await run('erase', '--customer', customerId, '--json');
    expect(real.code).toBe(0);
    const result = JSON.parse(real.out) as { dryRun: boolean; actor: string; erasureId: string; counts: { messages: number; identities: number } };
    expect(result).toMatchObject({ dryRun: false, actor: 'cli:dpo', erasureId: expect.any(String), counts: { messages: 1, identities: 2 } });

    const db = await createDatabase({ sqlitePath: file.path });
    try {
      expect(await db('customers').where({ id: customerId }).first()).toMatchObject({ name: '[erased]' });
      expect(await db('tickets').where({ number: 'T-000001' }).first()).toMatchObject({ subject: '[erased]', status: 'closed' });
      expect(await db('gdpr_erasures').select('actor', 'tickets')).toEqual([{ actor: 'cli:dpo', tickets: 1 }]);
    } finally {
      await db.destroy();
    }
  });

  it('erase finds the customer by the e-mail address or phone number they wrote from', async () => {
    const byMail = await run('erase', '--customer', 'Jan.Kowalski <JAN@acme.pl>', '--dry-run', '--json');
    expect(JSON.parse(byMail.out)).toMatchObject({ customerId, dryRun: true });
    const byDomain = await run('erase', '--customer', 'acme.pl', '--dry-run');
    expect(byDomain.code).toBe(1); // a domain is a company, never a person
  });

  it('erase of an unknown customer fails with a code (exit 1); a missing --customer is a usage error (exit 2)', async () => {
    const unknown = await run('erase', '--customer', 'nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^TRIAGE_CUSTOMER_NOT_FOUND Customer nobody not found\n {2}hint: /);
    const missing = await run('erase');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/required option '--customer <ref>'/);
  });

  it('retention deletes old closed tickets and prints the counts; --dry-run deletes nothing', async () => {
    const dry = await run('retention', '--closed-older-than', '30', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/^Dry run: would delete 1 ticket\(s\) closed before \S+Z \(more than 30 days ago\)\n/);
    const real = await run('retention', '--closed-older-than', '30');
    expect(real.code).toBe(0);
    expect(real.out).toMatch(/^Deleted 1 ticket\(s\) closed before/);
    expect(real.out).toMatch(/^ {2}messages +1$/m);
    expect(real.out).toMatch(/^Recorded as retention run [0-9a-f-]{36}\.$/m);
    const json = JSON.parse((await run('retention', '--closed-older-than', '30', '--json')).out) as { status: string; counts: { tickets: number } };
    expect(json).toMatchObject({ status: 'done', counts: { tickets: 0 } });

    const db = await createDatabase({ sqlitePath: file.path });
    try {
      expect(((await db('tickets').select('number')) as { number: string }[]).map((t) => t.number)).toEqual(['T-000002']);
      expect(((await db('retention_runs').select('actor', 'tickets').orderBy('tickets', 'desc')) as unknown[])).toEqual([
        { actor: 'cli:dpo', tickets: 1 },
        { actor: 'cli:dpo', tickets: 0 },
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('retention refuses a threshold that is not a whole number of days (exit 2)', async () => {
    for (const bad of ['0', '-3', '1.5', 'ten']) {
      const r = await run('retention', '--closed-older-than', bad);
      expect(r.code, bad).toBe(2);
      expect(r.err).toMatch(/^TRIAGE_CLI_USAGE --closed-older-than must be a whole number of days ≥ 1/);
    }
  });
});
