import sanitizeHtml from 'sanitize-html';

/**
 * The HTML of an inbound mail, made safe to show in an agent's browser:
 * no scripts, event handlers, forms, frames, `javascript:` URLs or style
 * sheets (CSS can exfiltrate and overlay); layout tags, tables, links and
 * images stay, and a small set of inline styles mail layouts depend on.
 *
 * Images keep `cid:` sources (the inline parts are stored as attachments with
 * their Content-ID), `data:` and http(s) sources. Remote images are kept
 * because dropping them loses content; a viewer that wants to block tracking
 * pixels can do so when it renders. The raw message keeps the original.
 */
const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'font', 'center'],
  allowedAttributes: {
    '*': ['style', 'align', 'valign', 'dir', 'lang', 'title', 'width', 'height', 'bgcolor'],
    a: ['href', 'name', 'target', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    font: ['color', 'face', 'size'],
    table: ['border', 'cellpadding', 'cellspacing'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan', 'scope'],
    ol: ['start', 'type'],
    blockquote: ['cite', 'type'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['cid', 'data', 'http', 'https'] },
  allowProtocolRelative: false,
  allowedStyles: {
    '*': {
      color: [/^#[0-9a-f]{3,8}$/i, /^[a-z]+$/i, /^rgba?\([\d\s.,%]+\)$/i],
      'background-color': [/^#[0-9a-f]{3,8}$/i, /^[a-z]+$/i, /^rgba?\([\d\s.,%]+\)$/i],
      'text-align': [/^(left|right|center|justify)$/i],
      'font-weight': [/^(normal|bold|bolder|lighter|\d{3})$/i],
      'font-style': [/^(normal|italic|oblique)$/i],
      'text-decoration': [/^(none|underline|line-through|overline)$/i],
      'font-size': [/^\d+(\.\d+)?(px|pt|em|rem|%)$/i],
      'font-family': [/^[\w\s,'"-]+$/],
      'white-space': [/^(normal|pre|pre-wrap|pre-line|nowrap)$/i],
    },
  },
  // Contents of these never show up as text (sanitize-html's default list plus what mail adds).
  nonTextTags: ['style', 'script', 'textarea', 'option', 'noscript', 'title', 'head', 'xml'],
  transformTags: {
    // Links open outside the agent UI and do not tell the target where they came from.
    a: sanitizeHtml.simpleTransform('a', { target: '_blank', rel: 'noopener noreferrer nofollow' }),
  },
};

export function sanitizeMailHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS).trim();
}
