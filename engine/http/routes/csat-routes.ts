import type { FastifyInstance, FastifyReply } from 'fastify';
import { CsatService, CSAT_COMMENT_MAX, resolveCsatSecret, type CsatResult } from '../../automations/csat-service.js';
import { isTriageError, type TriageError } from '../../errors/triage-error.js';
import { toIsoUtc } from '../../store/iso-time.js';
import type { AppDeps } from '../app-deps.js';

/**
 * Customer satisfaction survey links (R18, docs/automations.md):
 * `GET /csat/{token}?score=1..5[&comment=…]` records the answer with one
 * click; `GET /csat/{token}` shows a small form; `POST /csat/{token}` (an
 * HTML form) records a score and/or a comment. Public (the signed one-time
 * token is the credential), and answered in HTML, not JSON: a customer
 * clicks it in a mail client. Errors keep their catalogue code, in the page.
 */
export function registerCsatRoutes(app: FastifyInstance, deps: AppDeps): void {
  let service: Promise<CsatService> | undefined;
  // The key lives in the database unless configured; resolved on first use, then kept.
  const csat = (): Promise<CsatService> => {
    service ??= resolveCsatSecret(deps.db, deps.config.automations.csat.secret, toIsoUtc(new Date()) ?? new Date().toISOString()).then((secret) => new CsatService(deps.db, secret));
    return service;
  };

  // Encapsulated: form bodies are accepted on these routes only.
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
    });

    const params = { type: 'object', required: ['token'], properties: { token: { type: 'string', minLength: 1, maxLength: 512 } } } as const;
    const schema = { tags: ['csat'], params, produces: ['text/html'] };

    scope.get<{ Params: { token: string }; Querystring: Record<string, string | undefined> }>(
      '/csat/:token',
      { schema: { ...schema, summary: 'Answer a satisfaction survey (one click with ?score=1..5, else a form)' } },
      async (request, reply) => {
        const { token } = request.params;
        const { score, comment } = request.query;
        try {
          const service = await csat();
          if (score === undefined) {
            // Only checks the link; nothing is recorded until the customer picks a score.
            service.verify(token);
            return await page(reply, 200, 'How did we do?', surveyForm(token));
          }
          return await thanks(reply, await service.answer(token, { score, comment }), token);
        } catch (error) {
          return refused(reply, error);
        }
      },
    );

    scope.post<{ Params: { token: string }; Body: Record<string, unknown> | undefined }>(
      '/csat/:token',
      { schema: { ...schema, summary: 'Answer a satisfaction survey from the HTML form (score and/or comment)' } },
      async (request, reply) => {
        const body = request.body ?? {};
        try {
          const service = await csat();
          return await thanks(reply, await service.answer(request.params.token, { score: body.score, comment: body.comment }), request.params.token);
        } catch (error) {
          return refused(reply, error);
        }
      },
    );
  });
}

async function thanks(reply: FastifyReply, result: CsatResult, token: string): Promise<FastifyReply> {
  const body =
    `<p>Your rating of request <strong>${escapeHtml(result.ticketNumber)}</strong>: <strong>${result.score}/5</strong>. Thank you!</p>` +
    (result.comment === null
      ? `<form method="post" action="${escapeHtml(token)}"><p><label for="comment">Anything you want to add?</label></p>` +
        `<textarea id="comment" name="comment" rows="4" cols="50" maxlength="${CSAT_COMMENT_MAX}"></textarea><p><button type="submit">Send comment</button></p></form>`
      : '<p>We have your comment too.</p>');
  return page(reply, result.created ? 201 : 200, 'Thank you', body);
}

function surveyForm(token: string): string {
  const options = [1, 2, 3, 4, 5].map((n) => `<label><input type="radio" name="score" value="${n}" required> ${n}</label>`).join(' ');
  return (
    `<form method="post" action="${escapeHtml(token)}"><p>1 = bad, 5 = very good</p><p>${options}</p>` +
    `<p><label for="comment">Comment (optional)</label></p><textarea id="comment" name="comment" rows="4" cols="50" maxlength="${CSAT_COMMENT_MAX}"></textarea>` +
    '<p><button type="submit">Send</button></p></form>'
  );
}

/** A refused link: the coded error as a small page, with the status of its catalogue entry. */
async function refused(reply: FastifyReply, error: unknown): Promise<FastifyReply> {
  if (!isTriageError(error)) throw error;
  const e: TriageError = error;
  const title = e.code === 'TRIAGE_CSAT_USED' ? 'Already answered' : e.code === 'TRIAGE_CSAT_EXPIRED' ? 'This link has expired' : 'This link does not work';
  return page(reply, e.status, title, `<p>${escapeHtml(e.message)}.</p><p>${escapeHtml(e.hint)}</p><p><small>${escapeHtml(e.code)}</small></p>`);
}

async function page(reply: FastifyReply, status: number, title: string, body: string): Promise<FastifyReply> {
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    // The token is in the URL: no caching, no Referer to other sites, no search index.
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-robots-tag', 'noindex')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<title>${escapeHtml(title)}</title><style>body{font-family:sans-serif;max-width:36em;margin:3em auto;padding:0 1em;line-height:1.5}</style></head>` +
        `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>\n`,
    );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
