// Plain HTTP for the OpenStack APIs: fetch with a per-call timeout, JSON in and out. Transport
// failures become Transient CloudErrors here; HTTP error statuses are classified in classify.ts.
import { CloudError } from '../../errors';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  /** Names the call in error messages ("create server"); never a URL with a query or a secret. */
  what: string;
  token?: string;
  body?: unknown;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the server said JSON (and it parsed), the raw text otherwise. */
  body: unknown;
}

export async function send(req: HttpRequest): Promise<HttpResponse> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (req.token) headers['X-Auth-Token'] = req.token;
  if (req.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  let text: string;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal: AbortSignal.timeout(req.timeoutMs),
      // Never follow a redirect: it would carry X-Auth-Token to wherever it points. A 3xx reaches
      // classify.ts as Unknown (an endpoint misconfigured in the catalog).
      redirect: 'manual',
    });
    text = await res.text();
  } catch (err) {
    throw transportError(req, err);
  }
  return { status: res.status, headers: res.headers, body: parseBody(res.headers, text) };
}

function parseBody(headers: Headers, text: string): unknown {
  if (!/json/i.test(headers.get('content-type') ?? '') || text === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

// The cause's own message is kept (ECONNREFUSED and the like help the operator) but the URL is not
// repeated: the endpoint is configuration, and undici messages never carry headers or bodies.
function transportError(req: HttpRequest, err: unknown): CloudError {
  const e = err instanceof Error ? err : new Error(String(err));
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return new CloudError('Transient', `openstack ${req.what}: no answer within ${req.timeoutMs / 1000}s`);
  }
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return new CloudError('Transient', `openstack ${req.what}: ${e.message}${cause}`);
}
