export interface ConnectorTarget {
  /** `webhook` in `webhook.post`. */
  connector: string;
  /** `post` in `webhook.post`: the ConnectorOperation name. */
  operation: string;
  /** The `connection` param, when the rule names one. */
  requested: string | undefined;
}

/**
 * The connector operation an action type names, or undefined for a built-in
 * action (no dot). Which connection it uses is decided by
 * Connections.connectionFor: the one named by the `connection` param, else the
 * one named like the connector, else the only one of that connector.
 */
export function connectorTarget(actionType: string, params: Record<string, unknown>): ConnectorTarget | undefined {
  const dot = actionType.indexOf('.');
  if (dot <= 0 || dot === actionType.length - 1) return undefined;
  const requested = typeof params.connection === 'string' && params.connection !== '' ? params.connection : undefined;
  return { connector: actionType.slice(0, dot), operation: actionType.slice(dot + 1), requested };
}
