import { describe, expect, it } from 'vitest';
import { queryString } from './api-client.js';
import { ApiError, apiErrorOf, describeError } from './api-error.js';

describe('API errors as the dashboard shows them', () => {
  it('asks for another key on 401 and 403, with the code and hint', () => {
    const e401 = describeError(apiErrorOf(401, { code: 'TRIAGE_AUTH_INVALID_KEY', message: 'API key is not valid', hint: 'Create one' }));
    expect(e401).toEqual({ title: 'The API key was not accepted', detail: '401 TRIAGE_AUTH_INVALID_KEY: API key is not valid — Create one', askForKey: true });
    const e403 = describeError(apiErrorOf(403, { code: 'TRIAGE_AUTH_FORBIDDEN', message: 'Key x lacks scope admin' }));
    expect(e403).toMatchObject({ title: 'This API key may not do that', askForKey: true });
    expect(e403.detail).toBe('403 TRIAGE_AUTH_FORBIDDEN: Key x lacks scope admin');
  });

  it('reads bodies that are not our error shape, and network failures', () => {
    const e = apiErrorOf(502, '<html>Bad gateway</html>');
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code, e.message, e.hint]).toEqual([502, 'HTTP_502', 'HTTP 502', undefined]);
    expect(describeError(e)).toMatchObject({ title: 'The server refused the request', askForKey: false });
    expect(describeError(apiErrorOf(404, { code: 'TRIAGE_TICKET_NOT_FOUND', message: 'Ticket T-9 not found' })).title).toBe('Not found');
    expect(describeError(new TypeError('Failed to fetch'))).toEqual({ title: 'The server could not be reached', detail: 'Failed to fetch', askForKey: false });
  });

  it('builds query strings with repeated parameters and without undefined ones', () => {
    expect(queryString({ status: ['new', 'open'], limit: 200, team: undefined, tickets: true })).toBe('?status=new&status=open&limit=200&tickets=true');
    expect(queryString({})).toBe('');
  });
});
