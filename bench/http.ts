/**
 * The benchmarks' one HTTP client, for the baselines and for the backend alike: undici's `request`, uncompressed
 * like the backend's upstream layer (global fetch would ask for gzip, and Prometheus would spend the baseline's
 * time compressing), on undici's keep-alive global agent. Both sides of a ratio pay the same client costs.
 */
import { request } from 'undici';

/** GET → parsed JSON; throws unless the status is 200. */
export async function getJson(url: string): Promise<unknown> {
  return sendJson('GET', url);
}

/** How a request is sent: `reset` asks for a connection of its own, closed after the answer (not kept alive). */
export interface SendOptions {
  reset?: boolean;
}

/** POST a JSON body → parsed JSON; throws unless the status is 200. */
export async function postJson(url: string, body: unknown, opts: SendOptions = {}): Promise<unknown> {
  return sendJson('POST', url, body, opts);
}

async function sendJson(method: 'GET' | 'POST', url: string, body?: unknown, opts: SendOptions = {}): Promise<unknown> {
  const res = await request(url, {
    method,
    ...(opts.reset ? { reset: true } : {}),
    headers:
      body === undefined
        ? { accept: 'application/json' }
        : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) {
    throw new Error(`${method} ${url} answered ${res.statusCode}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text);
}
