import { describe, expect, it } from 'vitest';
import { runCli } from '../../index.js';
import { bufferIo } from '../../test-io.js';

describe('triage eval', () => {
  it('prints the decision for a ticket read from stdin', async () => {
    const io = bufferIo(JSON.stringify({ number: 'T-000001', subject: 'Faktura 3/2026', channel: 'web' }));
    expect(await runCli(['eval', '--rules', 'rules/default', '--ticket', '-'], io)).toBe(0);
    const d = JSON.parse(io.out());
    expect(d).toMatchObject({ event: 'ticket.created', changes: { category: 'invoice', team: 'finance', priority: 'P3' }, review: false });
    expect(d.trace).toBeUndefined();
  });

  it('--explain adds the trace; --event and --customer are honoured', async () => {
    const io = bufferIo(JSON.stringify({ number: 'T-9', subject: 'x', priority: 'P2' }));
    const code = await runCli(['eval', '--ticket', '-', '--event', 'sla.warning', '--customer', 'examples/evaluate/customer-vip.json', '--sla', 'examples/evaluate/sla-warning.json', '--explain'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const d = JSON.parse(io.out());
    expect(d.firedRules).toContain('vip-no-reaction-30-min');
    expect(d.trace.length).toBeGreaterThan(0);
  });

  it('reports unreadable input with a code and exit 2', async () => {
    const io = bufferIo();
    expect(await runCli(['eval', '--ticket', 'no-such-file.json'], io)).toBe(2);
    expect(io.err()).toMatch(/^TRIAGE_CLI_INPUT Cannot read input no-such-file.json/);
  });

  it('requires --ticket', async () => {
    const io = bufferIo();
    expect(await runCli(['eval'], io)).toBe(2);
    expect(io.err()).toMatch(/required option '--ticket <file>'/);
  });
});
