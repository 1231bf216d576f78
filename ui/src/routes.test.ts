import { describe, expect, it } from 'vitest';
import { hrefOf, parseRoute } from './routes.js';

describe('dashboard routes', () => {
  it('parses every page and deep link under /ui', () => {
    expect(parseRoute('/ui')).toEqual({ page: 'queue' });
    expect(parseRoute('/ui/')).toEqual({ page: 'queue' });
    expect(parseRoute('/ui/queue')).toEqual({ page: 'queue' });
    expect(parseRoute('/ui/tickets/T-000042')).toEqual({ page: 'ticket', ref: 'T-000042' });
    expect(parseRoute('/ui/heatmap')).toEqual({ page: 'heatmap' });
    expect(parseRoute('/ui/rules')).toEqual({ page: 'rules' });
    expect(parseRoute('/ui/outbox/')).toEqual({ page: 'outbox' });
    expect(parseRoute('/ui/nope')).toEqual({ page: 'not-found', path: '/ui/nope' });
    expect(parseRoute('/ui/tickets/a/b')).toEqual({ page: 'not-found', path: '/ui/tickets/a/b' });
  });

  it('round-trips hrefs, escaping ticket references', () => {
    for (const r of [{ page: 'queue' }, { page: 'ticket', ref: 'a b/c' }, { page: 'heatmap' }, { page: 'rules' }, { page: 'outbox' }] as const) {
      expect(parseRoute(hrefOf(r))).toEqual(r);
    }
    expect(hrefOf({ page: 'ticket', ref: 'a b/c' })).toBe('/ui/tickets/a%20b%2Fc');
  });
});
