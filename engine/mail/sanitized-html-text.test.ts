import { describe, expect, it } from 'vitest';
import { sanitizeMailHtml } from './sanitize-mail-html.js';
import { sanitizedHtmlText } from './sanitized-html-text.js';

describe('sanitizedHtmlText', () => {
  it('blocks become lines, cells tab-separated, links keep their target, entities decoded', () => {
    const html = sanitizeMailHtml('<h1>Zamówienie</h1><p>Ilość:&nbsp;2 &amp; cena &lt;100&gt; z&#322;</p><ul><li>toner</li><li>bęben</li></ul><table><tr><th>Nr</th><td>118</td></tr></table><p><a href="https://x.example/a?b=1&amp;c=2">panel</a> · <a href="mailto:a@b.pl">a@b.pl</a><br>koniec<img src="cid:x" alt="logo"></p>');
    expect(sanitizedHtmlText(html)).toBe('Zamówienie\n\nIlość: 2 & cena <100> zł\n\n- toner\n- bęben\n\nNr\t118\n\npanel [https://x.example/a?b=1&c=2] · a@b.pl\nkoniec[logo]');
  });
});
