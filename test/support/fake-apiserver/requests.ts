import type { IncomingMessage } from 'node:http';
import type { Route, ResourceName } from './resources.js';

export type Verb = 'list' | 'watch' | 'get' | 'create' | 'update' | 'delete' | 'unsupported';

/** One request the fake server received, for tests that count or inspect them. */
export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly verb: Verb;
  /** Undefined when the path is not one the server serves. */
  readonly resource: ResourceName | undefined;
}

export interface RequestMatch {
  readonly verb?: Verb;
  readonly resource?: ResourceName;
  /** true: only requests with a `continue` token (a list's later pages); false: only without. */
  readonly continued?: boolean;
}

export function matchesRequest(record: RequestRecord, match: RequestMatch | undefined): boolean {
  return (
    (match?.verb === undefined || match.verb === record.verb) &&
    (match?.resource === undefined || match.resource === record.resource) &&
    (match?.continued === undefined || match.continued === (record.query.continue !== undefined))
  );
}

export function verbOf(method: string, route: Route | undefined, query: URLSearchParams): Verb {
  if (route === undefined) return 'unsupported';
  const watch = query.get('watch');
  const named = route.name !== undefined;
  if (method === 'GET') {
    if (named) return 'get';
    return watch === 'true' || watch === '1' ? 'watch' : 'list';
  }
  if (method === 'POST' && !named) return 'create';
  if (method === 'PUT' && named) return 'update';
  if (method === 'DELETE' && named) return 'delete';
  return 'unsupported';
}

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}
