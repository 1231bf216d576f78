import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { createDiagnostic, type Diagnostic } from '../../engine/errors/diagnostic.js';

export type PathSegment = string | number;

/** Line and column (1-based) of a place in a source file. */
export interface Position {
  line: number;
  column: number;
}

/**
 * A parsed YAML or JSON file that still knows where each value came from, so
 * that every error can name file:line:col. JSON is parsed strictly with
 * JSON.parse first (YAML would accept trailing commas and comments in a .json
 * file), then through the YAML parser, whose AST carries the offsets.
 */
export interface SourceDocument {
  file: string;
  data: unknown;
  /** Position of the value at `path`, or of its key when `key` is set; falls back to the closest ancestor. */
  locate(path: readonly PathSegment[], options?: { key?: boolean }): Position;
}

export type ParseResult = { ok: true; document: SourceDocument } | { ok: false; diagnostics: Diagnostic[] };

export function parseSourceDocument(file: string, text: string): ParseResult {
  const isJson = file.toLowerCase().endsWith('.json');
  if (isJson) {
    try {
      JSON.parse(text);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const offset = /position (\d+)/.exec(message);
      const pos = offsetToPosition(text, offset ? Number(offset[1]) : 0);
      return { ok: false, diagnostics: [createDiagnostic('TRIAGE_RULE_SYNTAX', { file, ...pos }, `invalid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`)] };
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      diagnostics: doc.errors.map((err) => {
        const p = lineCounter.linePos(err.pos[0]);
        return createDiagnostic('TRIAGE_RULE_SYNTAX', { file, line: p.line, column: p.col }, `invalid ${isJson ? 'JSON' : 'YAML'}: ${firstLine(err.message)}`);
      }),
    };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  return {
    ok: true,
    document: {
      file,
      data,
      locate: (path, options) => locateInDocument(doc, lineCounter, path, options?.key === true),
    },
  };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

function offsetToPosition(text: string, offset: number): Position {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return { line, column };
}

function locateInDocument(doc: Document, lc: LineCounter, path: readonly PathSegment[], wantKey: boolean): Position {
  let node: unknown = doc.contents;
  let best: unknown = node;
  let keyNode: unknown;
  for (const seg of path) {
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else {
      break;
    }
    if (node === undefined || node === null) {
      best = keyNode ?? best;
      break;
    }
    best = node;
  }
  const target = (wantKey && keyNode) || best;
  const range = (target as YamlNode | undefined)?.range;
  if (!range) return { line: 1, column: 1 };
  const p = lc.linePos(range[0]);
  return { line: p.line, column: p.col };
}
