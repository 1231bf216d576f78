import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectorContext } from '../lib/connector.js';
import { expectCode } from '../../test/helpers/expect-code.js';
import type { FileCrm, ReloadOutcome } from './file-crm.js';
import { fileCrmConnector } from './file-crm-connector.js';

const HEADER = 'name,segment,email,domain,contract.active:boolean';

interface LogLine {
  level: string;
  message: string;
  data?: Record<string, unknown>;
}

describe('file-crm connector', () => {
  let dir: string;
  let file: string;
  let logs: LogLine[];
  let context: ConnectorContext;
  const open: FileCrm[] = [];

  const create = (settings: Record<string, unknown> = {}): FileCrm => {
    const crm = fileCrmConnector.create({ path: file, debounceMs: 20, ...settings }, context) as FileCrm;
    open.push(crm);
    return crm;
  };
  const lookup = (crm: FileCrm, domain: string): Promise<unknown> => crm.lookupCustomer({ domain }, new AbortController().signal);
  /** Resolves with the first reload outcome that `accept`s (a save may fire more than one change event). */
  const reloaded = (crm: FileCrm, accept: (o: ReloadOutcome) => boolean): Promise<ReloadOutcome> =>
    new Promise((resolve) => {
      const off = crm.onReload((outcome) => {
        if (!accept(outcome)) return;
        off();
        resolve(outcome);
      });
    });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-file-crm-'));
    file = join(dir, 'customers.csv');
    await writeFile(file, `${HEADER}\nAcme,enterprise,,acme.pl,true\n`);
    logs = [];
    context = { connection: 'crm', log: (level, message, data) => logs.push({ level, message, ...(data === undefined ? {} : { data }) }) };
  });
  afterEach(async () => {
    for (const crm of open.splice(0)) await crm.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('declares itself as a facts connector with a settings schema', () => {
    expect(fileCrmConnector).toMatchObject({ name: 'file-crm', kind: 'facts', operations: [] });
    expect(fileCrmConnector.credentials).toMatchObject({ required: ['path'] });
  });

  it('serves the customers of the file and says so in test()', async () => {
    const crm = create();
    expect(await lookup(crm, 'acme.pl')).toEqual({ name: 'Acme', segment: 'enterprise', domain: 'acme.pl', contract: { active: true } });
    expect(await lookup(crm, 'unknown.pl')).toBeUndefined();
    expect(await crm.test()).toMatchObject({ ok: true, detail: expect.stringContaining('1 customer(s) from') as unknown });
  });

  it('reloads when the file is changed in place or replaced by a rename', async () => {
    const crm = create();
    let next = reloaded(crm, (o) => o.ok && o.customers === 2);
    await writeFile(file, `${HEADER}\nAcme,standard,,acme.pl,false\nBeta,enterprise,,beta.pl,true\n`);
    await next;
    expect(await lookup(crm, 'acme.pl')).toMatchObject({ segment: 'standard', contract: { active: false } });
    expect(await lookup(crm, 'beta.pl')).toMatchObject({ name: 'Beta' });

    // Editors and deploy tools write a temp file and rename it over the old one.
    next = reloaded(crm, (o) => o.ok && o.customers === 1);
    await writeFile(join(dir, 'customers.csv.tmp'), `${HEADER}\nGamma,enterprise,,gamma.pl,true\n`);
    await rename(join(dir, 'customers.csv.tmp'), file);
    await next;
    expect(await lookup(crm, 'gamma.pl')).toMatchObject({ name: 'Gamma' });
    expect(await lookup(crm, 'acme.pl')).toBeUndefined();
    expect(logs.some((l) => l.level === 'info' && l.message === 'customer file reloaded')).toBe(true);
  });

  it('keeps serving the previous version when a reload finds a bad file, and reports it until the file is fixed', async () => {
    const crm = create();
    const failed = reloaded(crm, (o) => !o.ok);
    await writeFile(file, `${HEADER}\nAcme,enterprise,,acme.pl,maybe\n`);
    expect(await failed).toEqual({ ok: false, customers: 1, error: expect.stringMatching(/line 2, column contract\.active: "maybe" is not a boolean/) as unknown });
    expect(await lookup(crm, 'acme.pl')).toMatchObject({ name: 'Acme', contract: { active: true } });
    const report = await crm.test();
    expect(report.ok).toBe(false);
    expect(report.detail).toMatch(/the last reload failed .*"maybe" is not a boolean.*; still serving 1 customer\(s\)/);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'customer file reload failed; the previous version keeps serving' }));

    const fixed = reloaded(crm, (o) => o.ok);
    await writeFile(file, `${HEADER}\nAcme,enterprise,,acme.pl,false\n`);
    await fixed;
    expect(await lookup(crm, 'acme.pl')).toMatchObject({ contract: { active: false } });
    expect((await crm.test()).ok).toBe(true);
  });

  it('keeps the previous version when the file disappears, and reload() can be called directly', async () => {
    const crm = create({ watch: false });
    await rm(file);
    expect(await crm.reload()).toMatchObject({ ok: false, customers: 1, error: expect.stringMatching(/ENOENT/) as unknown });
    expect(await lookup(crm, 'acme.pl')).toMatchObject({ name: 'Acme' });
  });

  it('refuses to start with a bad or missing file, or bad settings', async () => {
    const creating = (settings: Record<string, unknown>): Promise<unknown> => Promise.resolve().then(() => create(settings));
    await expectCode(creating({ path: join(dir, 'missing.csv') }), 'TRIAGE_CRM_FILE_INVALID');
    await expectCode(creating({ format: 'json' }), 'TRIAGE_CRM_FILE_INVALID');
    await expectCode(creating({ mapping: { enrichment: 'x' } }), 'TRIAGE_CRM_SETTINGS_INVALID');
    await expectCode(creating({ path: '' }), 'TRIAGE_CRM_SETTINGS_INVALID');
    await expectCode(creating({ keys: { email: 3 } }), 'TRIAGE_CRM_SETTINGS_INVALID');
  });

  it('reads `;`-separated CSV (Polish Excel exports) and logs the warnings of a file that loads', async () => {
    await writeFile(file, 'name;email;phone\nAcme;biuro@acme.pl;\nNobody;;\n');
    const crm = create({ delimiter: ';', watch: false });
    expect(await crm.lookupCustomer({ email: 'biuro@acme.pl' }, new AbortController().signal)).toEqual({ name: 'Acme', email: 'biuro@acme.pl' });
    expect(logs).toEqual([{ level: 'warn', message: 'customer file: line 3: no email, phone or domain; the customer cannot be found', data: { connection: 'crm' } }]);
  });

  it('honours an aborted signal', async () => {
    const crm = create({ watch: false });
    const controller = new AbortController();
    controller.abort(new Error('gave up'));
    await expect(crm.lookupCustomer({ domain: 'acme.pl' }, controller.signal)).rejects.toThrow('gave up');
  });
});
