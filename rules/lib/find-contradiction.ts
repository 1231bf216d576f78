/**
 * Detects conditions that can never be true, so `triage validate` can say
 * "this rule can never fire" instead of the rule silently never firing.
 * Only the conjunction that must hold (the root and nested `all`s, not through
 * `any` or `not`) is analysed: there a contradiction between two leaves on the
 * same fact path is certain. Anything cleverer would risk false alarms.
 */
interface Leaf {
  key: string;
  operator: string;
  value: unknown;
}

export function findContradiction(condition: unknown): string | undefined {
  const leaves: Leaf[] = [];
  collect(condition, leaves);
  const byKey = new Map<string, Leaf[]>();
  for (const l of leaves) {
    const list = byKey.get(l.key) ?? [];
    list.push(l);
    byKey.set(l.key, list);
  }
  for (const [key, list] of byKey) {
    const problem = contradictionIn(list);
    if (problem) return `${key} ${problem}`;
  }
  return undefined;
}

// Note: json-rules-engine treats an empty `any: []` as true (like `all: []`), so it is no contradiction.
function collect(node: unknown, out: Leaf[]): void {
  if (!node || typeof node !== 'object') return;
  const c = node as Record<string, unknown>;
  if (Array.isArray(c.all)) {
    for (const child of c.all) collect(child, out);
    return;
  }
  if (Array.isArray(c.any)) return;
  if (typeof c.fact === 'string' && typeof c.operator === 'string') {
    const v = c.value;
    const isRef = v !== null && typeof v === 'object' && !Array.isArray(v) && 'fact' in v;
    if (!isRef) {
      const path = typeof c.path === 'string' ? c.path.replace(/^\$\./, '') : '';
      out.push({ key: path ? `${c.fact}.${path}` : c.fact, operator: c.operator, value: v });
    }
  }
}

function contradictionIn(leaves: Leaf[]): string | undefined {
  const equals = leaves.filter((l) => l.operator === 'equal').map((l) => l.value);
  const first = equals[0];
  if (equals.length > 0) {
    if (equals.some((v) => v !== first)) return `must equal both ${JSON.stringify(first)} and ${JSON.stringify(equals.find((v) => v !== first))}`;
    for (const l of leaves) {
      if (l.operator === 'notEqual' && l.value === first) return `must equal and not equal ${JSON.stringify(first)}`;
      if (l.operator === 'in' && Array.isArray(l.value) && !l.value.includes(first)) return `must equal ${JSON.stringify(first)}, which is not in ${JSON.stringify(l.value)}`;
      if (l.operator === 'notIn' && Array.isArray(l.value) && l.value.includes(first)) return `must equal ${JSON.stringify(first)}, which the notIn list excludes`;
    }
  }
  const ins = leaves.filter((l) => l.operator === 'in' && Array.isArray(l.value)).map((l) => l.value as unknown[]);
  if (ins.length > 1) {
    const common = ins.reduce((acc, list) => acc.filter((v) => list.includes(v)));
    if (common.length === 0) return 'must be in lists that have no value in common';
  }
  let lo = -Infinity;
  let loStrict = false;
  let hi = Infinity;
  let hiStrict = false;
  for (const l of leaves) {
    if (typeof l.value !== 'number') continue;
    if (l.operator === 'greaterThan' || l.operator === 'greaterThanInclusive') {
      const strict = l.operator === 'greaterThan';
      if (l.value > lo || (l.value === lo && strict)) {
        lo = l.value;
        loStrict = strict;
      }
    } else if (l.operator === 'lessThan' || l.operator === 'lessThanInclusive') {
      const strict = l.operator === 'lessThan';
      if (l.value < hi || (l.value === hi && strict)) {
        hi = l.value;
        hiStrict = strict;
      }
    }
  }
  if (lo > hi || (lo === hi && (loStrict || hiStrict))) return `must be ${loStrict ? '>' : '≥'} ${lo} and ${hiStrict ? '<' : '≤'} ${hi}`;
  if (typeof first === 'number' && (first < lo || first > hi || (first === lo && loStrict) || (first === hi && hiStrict))) {
    return `must equal ${first} but lie in ${loStrict ? '(' : '['}${lo}, ${hi}${hiStrict ? ')' : ']'}`;
  }
  const exists = leaves.filter((l) => l.operator === 'exists').map((l) => l.value);
  if (exists.includes(true) && exists.includes(false)) return 'must both exist and not exist';
  return undefined;
}
