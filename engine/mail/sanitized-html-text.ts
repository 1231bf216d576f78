/**
 * Plain text of HTML-only mail, made from the SANITIZED HTML
 * (sanitize-mail-html.ts), so scripts, styles and hidden head content never
 * reach the text rules match keywords in.
 *
 * Why not mailparser's html-to-text: it runs on the unsanitized HTML and
 * glues table cells together ("Imię i nazwiskoKarolina"), which breaks the
 * keyword matching of web-form mails, the commonest HTML-only mail. Input is
 * sanitize-html output: a closed, known set of tags with quoted attributes,
 * which is what makes this small converter sufficient.
 */
export function sanitizedHtmlText(html: string): string {
  const text = html
    .replace(/\s+/g, ' ')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<hr\s*\/?>/gi, '\n----\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/(td|th)>/gi, '\t')
    .replace(/<\/(p|h[1-6]|blockquote|pre|table|ul|ol|dl)>/gi, '\n\n')
    .replace(/<\/(div|tr|dt|dd|caption|section|article|header|footer|address|center)>/gi, '\n')
    .replace(/<(p|h[1-6]|div|table|blockquote|ul|ol|dl|center)\b[^>]*>/gi, '\n')
    .replace(/<img\b[^>]*>/gi, (tag) => {
      const alt = attribute(tag, 'alt');
      return alt === undefined || alt.trim() === '' ? '' : `[${alt.trim()}]`;
    })
    .replace(/<a\b([^>]*)>(.*?)<\/a>/gi, (_all, attrs: string, inner: string) => {
      const href = attribute(`<a${attrs}>`, 'href');
      const label = inner.replace(/<[^>]*>/g, '').trim();
      if (href === undefined || href === '' || decodeEntities(href) === decodeEntities(label) || href === `mailto:${label}`) return inner;
      return `${inner} [${href}]`;
    })
    .replace(/<[^>]*>/g, '');
  return decodeEntities(text)
    .split('\n')
    .map((line) => line.replace(/[ \u00a0]+/g, ' ').replace(/ ?\t ?/g, '\t').replace(/\t+$/, '').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return match?.[1];
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) return safeCodePoint(parseInt(body.slice(2), 16)) ?? entity;
    if (body.startsWith('#')) return safeCodePoint(parseInt(body.slice(1), 10)) ?? entity;
    return NAMED[body.toLowerCase()] ?? entity;
  });
}

function safeCodePoint(code: number): string | undefined {
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}
