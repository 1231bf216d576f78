import { describe, expect, it } from 'vitest';
import { sanitizeMailHtml } from './sanitize-mail-html.js';

describe('sanitizeMailHtml', () => {
  it.each([
    ['script', '<p>a</p><script>alert(1)</script>', '<p>a</p>'],
    ['event handler', '<p onclick="x()">a</p>', '<p>a</p>'],
    ['javascript: link', '<a href="javascript:alert(1)">a</a>', '<a target="_blank" rel="noopener noreferrer nofollow">a</a>'],
    ['data: link', '<a href="data:text/html;base64,PHNjcmlwdD4=">a</a>', '<a target="_blank" rel="noopener noreferrer nofollow">a</a>'],
    ['style sheet and head', '<html><head><title>t</title><style>p{}</style></head><body><p>a</p></body></html>', '<p>a</p>'],
    ['iframe, form, object', '<iframe src="https://x"></iframe><form action="https://x"><input name="q"></form><object data="x"></object>b', 'b'],
    ['cid and data images stay, svg/js image sources do not', '<img src="cid:a@b"><img src="data:image/png;base64,AAAA"><img src="javascript:x">', '<img src="cid:a@b" /><img src="data:image/png;base64,AAAA" /><img />'],
    ['safe inline styles stay, dangerous ones go', '<p style="color:red;position:absolute;background-image:url(https://x)">a</p>', '<p style="color:red">a</p>'],
    ['tables keep their layout attributes', '<table border="0" cellpadding="2"><tr><td colspan="2" align="center">a</td></tr></table>', '<table border="0" cellpadding="2"><tr><td colspan="2" align="center">a</td></tr></table>'],
    ['protocol-relative link', '<a href="//evil.example/x">a</a>', '<a target="_blank" rel="noopener noreferrer nofollow">a</a>'],
  ])('%s', (_name, html, expected) => {
    expect(sanitizeMailHtml(html)).toBe(expected);
  });
});
