import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../engine/runtime/package-root.js';
import type { ConnectorDefinition, ConnectorOperation } from './connector.js';
import { connectorRegistry, createConnectorRegistry } from './registry.js';

function connector(name: string, operations: ConnectorOperation[], credentials: Record<string, unknown> = { type: 'object' }): ConnectorDefinition {
  return { name, kind: 'action', summary: name, credentials, operations, create: () => ({ test: () => Promise.resolve({ ok: true, detail: '' }) }) };
}

describe('connector registry', () => {
  const op: ConnectorOperation = { name: 'go', summary: 'x', params: { type: 'object' }, templates: [], idempotency: 'none' };

  it('holds the built-in connectors by name', () => {
    expect(connectorRegistry.get('webhook')?.kind).toBe('action');
    for (const [name, def] of connectorRegistry) expect(def.name).toBe(name);
  });

  it.each([
    [[connector('Bad', [])], /must match/],
    [[connector('a', []), connector('a', [])], /registered twice/],
    [[connector('a', [op, op])], /declared twice/],
    [[connector('a', [{ ...op, name: 'do.it' }])], /operation name/],
    [[connector('a', [{ ...op, params: { type: 'string' } }])], /params of "go" must be an object schema/],
    [[connector('a', [], { type: 'string' })], /credentials must be an object schema/],
  ])('refuses an invalid definition list (%#)', (defs, message) => {
    expect(() => createConnectorRegistry(defs)).toThrow(message);
  });

  it('docs/connectors.md states the idempotency of every registered connector action', () => {
    const docs = readFileSync(join(packageRoot(), 'docs', 'connectors.md'), 'utf8');
    const missing = [...connectorRegistry.values()]
      .filter((c) => c.kind === 'action')
      .flatMap((c) => c.operations.map((o) => `| \`${c.name}.${o.name}\` | ${o.idempotency} |`))
      .filter((row) => !docs.includes(row));
    expect(missing, 'add (or correct) these rows in "Delivery guarantee per connector"').toEqual([]);
  });
});
