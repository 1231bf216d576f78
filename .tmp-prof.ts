import { compileCondition } from './rules/lib/compile-condition.js';
import { generateWorkload } from './bench/generate-workload.js';
const w = generateWorkload({ tickets: 5000 });
const ctx = { lists: w.lists };
const rules = w.rules.map((r) => ({ id: r.id, c: compileCondition(r.when, ctx) }));
let sink = 0;
for (let k = 0; k < 6; k++) {
  const fresh = w.tickets.map((f) => ({ ...f }));
  const t0 = performance.now();
  for (const f of fresh) for (const r of rules) if (r.c.test(f)) sink++;
  console.log(((fresh.length / (performance.now() - t0)) * 1000).toFixed(0), 't/s');
}
console.log(sink);
