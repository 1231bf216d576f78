import { describe, expect, it } from 'vitest';
import { parseSourceDocument } from './source-document.js';

describe('parseSourceDocument', () => {
  it('locates values and keys in YAML', () => {
    const text = 'rules:\n  - id: a\n    on: [ticket.created]\n    then:\n      - tag: x\n';
    const r = parseSourceDocument('r.yaml', text);
    if (!r.ok) throw new Error('expected ok');
    expect(r.document.locate(['rules', 0, 'on', 0])).toEqual({ line: 3, column: 10 });
    expect(r.document.locate(['rules', 0, 'then'], { key: true })).toEqual({ line: 4, column: 5 });
    expect(r.document.locate(['rules', 0, 'then', 0, 'tag'])).toEqual({ line: 5, column: 14 });
    // a missing path falls back to the closest ancestor
    expect(r.document.locate(['rules', 0, 'nope'])).toEqual({ line: 2, column: 5 });
  });

  it('reports YAML syntax errors with line and column', () => {
    const r = parseSourceDocument('bad.yaml', 'rules:\n  - id: a\n  id: b\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics[0]?.code).toBe('TRIAGE_RULE_SYNTAX');
    expect(r.diagnostics[0]?.line).toBe(3);
  });

  it('refuses duplicate keys', () => {
    const r = parseSourceDocument('dup.yaml', 'a: 1\na: 2\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics[0]).toMatchObject({ line: 2, column: 1, code: 'TRIAGE_RULE_SYNTAX' });
  });

  it('parses JSON strictly and reports the position', () => {
    const r = parseSourceDocument('x.json', '{\n  "rules": [],\n}\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics[0]).toMatchObject({ line: 3, column: 1, code: 'TRIAGE_RULE_SYNTAX' });
    const ok = parseSourceDocument('y.json', '{\n  "rules": [\n    {"id": "a"}\n  ]\n}');
    if (!ok.ok) throw new Error('expected ok');
    expect(ok.document.locate(['rules', 0, 'id'])).toEqual({ line: 3, column: 12 });
  });
});
