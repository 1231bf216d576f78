/**
 * The customer's SLA contract level from the `customer` fact: the CRM
 * mapping of docs/enrichment.md gives `contract: { active, level }`; a flat
 * `slaContract` or a string `contract` is accepted too. An inactive contract
 * counts as none (null), so the policy's per-priority targets apply.
 * undefined: the fact says nothing about a contract (no CRM facts were loaded
 * for this change), so a clock keeps the level it has.
 */
export function contractLevel(customer: Record<string, unknown> | undefined): string | null | undefined {
  if (customer === undefined || (!('slaContract' in customer) && !('contract' in customer))) return undefined;
  const flat = customer.slaContract;
  if (typeof flat === 'string' && flat !== '') return flat;
  const contract = customer.contract;
  if (typeof contract === 'string' && contract !== '') return contract;
  if (typeof contract === 'object' && contract !== null && !Array.isArray(contract)) {
    const c = contract as Record<string, unknown>;
    if (c.active === false) return null;
    if (typeof c.level === 'string' && c.level !== '') return c.level;
  }
  return null;
}
