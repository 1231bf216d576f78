import { builtInConnectors } from './built-in-connectors.js';
import type { ConnectorDefinition } from './connector.js';

export type ConnectorRegistry = ReadonlyMap<string, ConnectorDefinition>;

const NAME = /^[a-z][a-z0-9-]*$/;
const OPERATION = /^[a-z][A-Za-z0-9]*$/;

/**
 * A registry from a list of definitions, checked once: unique names that can
 * form action types (`<connector>.<operation>`), unique operations, and
 * operation params that are object schemas (the `connection` param is added
 * to them). A mistake here is a programming error, so it throws at start-up.
 */
export function createConnectorRegistry(definitions: readonly ConnectorDefinition[]): ConnectorRegistry {
  const map = new Map<string, ConnectorDefinition>();
  for (const def of definitions) {
    if (!NAME.test(def.name)) throw new Error(`connector name "${def.name}" must match ${String(NAME)}`);
    if (map.has(def.name)) throw new Error(`connector "${def.name}" is registered twice`);
    const ops = new Set<string>();
    for (const op of def.operations) {
      if (!OPERATION.test(op.name)) throw new Error(`connector "${def.name}": operation name "${op.name}" must match ${String(OPERATION)}`);
      if (ops.has(op.name)) throw new Error(`connector "${def.name}": operation "${op.name}" is declared twice`);
      if (op.params.type !== 'object') throw new Error(`connector "${def.name}": params of "${op.name}" must be an object schema`);
      ops.add(op.name);
    }
    if (def.credentials.type !== 'object') throw new Error(`connector "${def.name}": credentials must be an object schema`);
    map.set(def.name, def);
  }
  return map;
}

/** The built-in connectors (connectors/lib/built-in-connectors.ts). */
export const connectorRegistry: ConnectorRegistry = createConnectorRegistry(builtInConnectors);
