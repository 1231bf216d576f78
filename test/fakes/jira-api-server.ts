import type { IncomingHttpHeaders } from 'node:http';
import { parseJsonBody, startFaultServer, type FaultPolicy, type ReceiverFault } from './fault-server.js';

/**
 * A real HTTP server on 127.0.0.1 speaking the part of Jira Cloud REST v3 the
 * jira connector uses: create issue, add comment, JQL search by label
 * (`/rest/api/3/search/jql`) and `myself`, with the webhook receiver's fault
 * vocabulary (429 + Retry-After, status codes, delays, hangs, resets).
 *
 * It checks what Jira checks: Basic auth (e-mail:API token), that the project,
 * issue type and priority exist, that descriptions and comment bodies are
 * Atlassian Document Format (v3 refuses plain strings), that labels have no
 * spaces, and that a commented issue exists. Error bodies have Jira's shape
 * `{ errorMessages: [], errors: {} }`.
 */
export interface JiraApiRequest {
  seq: number;
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  json: unknown;
  authorized: boolean;
  outcome: 'accepted' | 'rejected' | 'status' | 'rateLimit' | 'hang' | 'reset' | 'acceptThenReset';
  /** Status of a rejected request (Jira's own validation, not a fault). */
  status?: number;
}

export interface JiraFakeIssue {
  id: string;
  key: string;
  project: string;
  issueType: string;
  summary: string;
  description: unknown;
  priority: string | undefined;
  labels: string[];
  comments: { id: string; body: unknown }[];
}

export interface JiraApiServerOptions {
  email: string;
  apiToken: string;
  /** Project keys that exist (default OPS, DEV). */
  projects?: readonly string[];
  issueTypes?: readonly string[];
  priorities?: readonly string[];
  faults?: FaultPolicy<JiraApiRequest>;
}

export interface JiraApiServer {
  /** `http://127.0.0.1:<port>`: the connector's host setting. */
  url: string;
  readonly requests: readonly JiraApiRequest[];
  /** Issues created (accepted, including acceptThenReset), in order. */
  readonly issues: readonly JiraFakeIssue[];
  issue(key: string): JiraFakeIssue | undefined;
  /** Create an issue directly (as if someone made it in Jira). */
  seedIssue(fields: { project: string; summary: string; labels?: string[] }): JiraFakeIssue;
  enqueue(...faults: ReceiverFault[]): void;
  setFaults(policy: JiraApiServerOptions['faults']): void;
  reset(): void;
  close(): Promise<void>;
}

export const JIRA_ACCOUNT_ID = '5b10ac8d82e05b22cc7d4ef5';

type Answer = { status: number; body: unknown; issue?: JiraFakeIssue; comment?: { issue: JiraFakeIssue; comment: { id: string; body: unknown } } };

const jiraError = (status: number, errorMessages: string[], errors: Record<string, string> = {}): Answer => ({ status, body: { errorMessages, errors } });

function isAdf(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const doc = value as Record<string, unknown>;
  return doc.type === 'doc' && doc.version === 1 && Array.isArray(doc.content);
}

export async function startJiraApiServer(options: JiraApiServerOptions): Promise<JiraApiServer> {
  const projects = options.projects ?? ['OPS', 'DEV'];
  const issueTypes = options.issueTypes ?? ['Task', 'Bug', 'Incident'];
  const priorities = options.priorities ?? ['Highest', 'High', 'Medium', 'Low', 'Lowest'];
  const expectedAuth = `Basic ${Buffer.from(`${options.email}:${options.apiToken}`).toString('base64')}`;
  const issues: JiraFakeIssue[] = [];
  let nextId = 10000;
  const counters = new Map<string, number>();
  let url = '';

  const newIssue = (project: string, fields: Omit<JiraFakeIssue, 'id' | 'key' | 'project' | 'comments'>): JiraFakeIssue => {
    const n = (counters.get(project) ?? 0) + 1;
    counters.set(project, n);
    nextId += 1;
    return { id: String(nextId), key: `${project}-${n}`, project, comments: [], ...fields };
  };
  const findIssue = (idOrKey: string) => issues.find((i) => i.key === idOrKey || i.id === idOrKey);

  const createIssue = (json: unknown): Answer => {
    const fields = (json as { fields?: Record<string, unknown> } | undefined)?.fields;
    if (!fields) return jiraError(400, ['Request body is missing fields.']);
    const errors: Record<string, string> = {};
    const project = (fields.project as { key?: unknown } | undefined)?.key;
    if (typeof project !== 'string' || !projects.includes(project)) errors.project = 'valid project is required';
    const type = (fields.issuetype as { name?: unknown } | undefined)?.name;
    if (typeof type !== 'string' || !issueTypes.includes(type)) errors.issuetype = 'The issue type selected is invalid.';
    if (typeof fields.summary !== 'string' || fields.summary.trim() === '') errors.summary = 'You must specify a summary of the issue.';
    else if (fields.summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
    if (fields.description !== undefined && !isAdf(fields.description)) errors.description = 'Operation value must be an Atlassian Document (see the Atlassian Document Format).';
    const priority = (fields.priority as { name?: unknown } | undefined)?.name;
    if (fields.priority !== undefined && (typeof priority !== 'string' || !priorities.includes(priority))) errors.priority = `Specify a valid value for priority`;
    const labels = fields.labels ?? [];
    if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string' || /\s/.test(l) || l === '')) errors.labels = 'The label must not contain spaces.';
    if (Object.keys(errors).length > 0) return jiraError(400, [], errors);
    const issue = newIssue(project as string, {
      issueType: type as string,
      summary: fields.summary as string,
      description: fields.description,
      priority: priority as string | undefined,
      labels: labels as string[],
    });
    return { status: 201, body: { id: issue.id, key: issue.key, self: `${url}/rest/api/3/issue/${issue.id}` }, issue };
  };

  const search = (query: URLSearchParams): Answer => {
    const jql = query.get('jql') ?? '';
    // The connector's dedupe query; anything else is outside what this fake speaks.
    const m = /^labels\s*=\s*"?([^"\s]+)"?$/.exec(jql.trim());
    if (!m) return jiraError(400, [`Error in the JQL Query: the fake only supports labels = "<label>", got: ${jql}`]);
    const label = m[1];
    const max = Number(query.get('maxResults') ?? '50');
    const found = issues.filter((i) => label !== undefined && i.labels.includes(label)).slice(0, max);
    return { status: 200, body: { issues: found.map((i) => ({ id: i.id, key: i.key, self: `${url}/rest/api/3/issue/${i.id}`, fields: { summary: i.summary, labels: i.labels } })), isLast: true } };
  };

  const addComment = (idOrKey: string, json: unknown): Answer => {
    const issue = findIssue(idOrKey);
    if (!issue) return jiraError(404, ['Issue does not exist or you do not have permission to see it.']);
    const body = (json as { body?: unknown } | undefined)?.body;
    if (!isAdf(body)) return jiraError(400, [], { comment: 'Comment body must be an Atlassian Document.' });
    nextId += 1;
    const comment = { id: String(nextId), body };
    return { status: 201, body: { id: comment.id, self: `${url}/rest/api/3/issue/${issue.id}/comment/${comment.id}`, body }, comment: { issue, comment } };
  };

  /** What Jira itself would answer for a request that passed the fault layer. */
  const answer = (rec: JiraApiRequest): Answer => {
    if (!rec.authorized) return jiraError(401, ['Client must be authenticated to access this resource.']);
    if (rec.method === 'GET' && rec.path === '/rest/api/3/myself') {
      return { status: 200, body: { accountId: JIRA_ACCOUNT_ID, accountType: 'atlassian', emailAddress: options.email, displayName: 'triage bot', active: true } };
    }
    if (rec.method === 'POST' && rec.path === '/rest/api/3/issue') return createIssue(rec.json);
    if (rec.method === 'GET' && rec.path === '/rest/api/3/search/jql') return search(rec.query);
    const comment = /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/.exec(rec.path);
    if (rec.method === 'POST' && comment?.[1] !== undefined) return addComment(decodeURIComponent(comment[1]), rec.json);
    return jiraError(404, [`No fake route for ${rec.method} ${rec.path}`]);
  };

  const commit = (a: Answer): void => {
    if (a.issue) issues.push(a.issue);
    if (a.comment) a.comment.issue.comments.push(a.comment.comment);
  };

  const server = await startFaultServer<JiraApiRequest>({
    faults: options.faults,
    contentType: 'application/json;charset=UTF-8',
    statusBody: (status) => JSON.stringify({ errorMessages: [`fault ${status}`], errors: {} }),
    rateLimitBody: JSON.stringify({ errorMessages: ['Rate limit exceeded.'], errors: {} }),
    record: (req, raw, seq) => {
      const parsed = new URL(req.url ?? '/', 'http://fake');
      return {
        seq,
        method: req.method ?? 'GET',
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: req.headers,
        json: parseJsonBody(raw),
        authorized: req.headers.authorization === expectedAuth,
        outcome: 'hang',
      };
    },
    accept: (rec) => {
      const a = answer(rec);
      commit(a);
      return (res) => {
        rec.outcome = a.status < 300 ? 'accepted' : 'rejected';
        if (a.status >= 300) rec.status = a.status;
        res.writeHead(a.status, { 'content-type': 'application/json;charset=UTF-8' });
        res.end(JSON.stringify(a.body));
      };
    },
    onStatusFault: (rec, status) => {
      rec.status = status;
    },
  });
  url = server.url;
  return {
    url,
    requests: server.requests,
    issues,
    issue: findIssue,
    seedIssue: (fields) => {
      const issue = newIssue(fields.project, { issueType: 'Task', summary: fields.summary, description: undefined, priority: undefined, labels: fields.labels ?? [] });
      issues.push(issue);
      return issue;
    },
    enqueue: server.enqueue,
    setFaults: server.setFaults,
    reset: () => {
      server.reset();
      issues.length = 0;
      counters.clear();
    },
    close: server.close,
  };
}
