/** An Atlassian Document Format document (the subset we produce). */
export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfParagraph[];
}

export interface AdfParagraph {
  type: 'paragraph';
  content: ({ type: 'text'; text: string } | { type: 'hardBreak' })[];
}

/**
 * Jira REST v3 takes descriptions and comment bodies as ADF only (a plain
 * string is refused with 400). Rule templates render plain text, so: blank
 * lines separate paragraphs, single newlines become hard breaks, and the
 * text is kept verbatim (no markup is interpreted, so nothing a customer
 * wrote can turn into links or mentions).
 */
export function adfFromText(text: string): AdfDocument {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n(?:[ \t]*\n)+/)
    .map((block) => block.replace(/^\n+|\n+$/g, ''))
    .filter((block) => block.trim() !== '');
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map((block) => ({
      type: 'paragraph',
      // ADF refuses empty text nodes, so empty lines inside a block only leave their break.
      content: block.split('\n').flatMap((line, i) => [...(i > 0 ? [{ type: 'hardBreak' as const }] : []), ...(line === '' ? [] : [{ type: 'text' as const, text: line }])]),
    })),
  };
}
