/**
 * A small HTTP (or HTTPS) server on 127.0.0.1 that answers like Prometheus' HTTP API (`/api/v1/*`) with answers a test chooses,
 * and records every request (path, parameters, headers) so a test can check what the client sent.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  params: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export interface FakeAnswer {
  status?: number;
  /** JSON-encoded unless a string. */
  body: unknown;
  headers?: Record<string, string>;
}

export type PromHandler = (req: RecordedRequest) => FakeAnswer | undefined;

export interface PromFakeServer {
  url: string;
  requests: RecordedRequest[];
  /** Replaces the answering function (undefined from it = the defaults below). */
  setHandler(h: PromHandler | undefined): void;
  close(): Promise<void>;
}

export const success = (data: unknown, extra: Record<string, unknown> = {}): FakeAnswer => ({
  body: { status: 'success', data, ...extra },
});

/** An instant vector answer: `[{labels, value}]`, values given as Prometheus writes them (strings) or numbers. */
export const vector = (
  rows: Array<{ labels: Record<string, string>; value: string | number }>,
  t = 1749544200
): FakeAnswer =>
  success({ resultType: 'vector', result: rows.map((r) => ({ metric: r.labels, value: [t, String(r.value)] })) });

export const matrix = (
  rows: Array<{ labels: Record<string, string>; values: Array<[number, string | number]> }>
): FakeAnswer =>
  success({
    resultType: 'matrix',
    result: rows.map((r) => ({ metric: r.labels, values: r.values.map(([t, v]) => [t, String(v)]) })),
  });

function defaults(req: RecordedRequest): FakeAnswer {
  if (req.path === '/api/v1/status/buildinfo') {
    return success({ version: '2.53.0', revision: 'fake', branch: 'HEAD' });
  }
  if (req.path === '/api/v1/query') {
    return success({ resultType: 'vector', result: [] });
  }
  if (req.path === '/api/v1/query_range') {
    return success({ resultType: 'matrix', result: [] });
  }
  if (req.path === '/api/v1/series' || req.path === '/api/v1/labels' || req.path.startsWith('/api/v1/label/')) {
    return success([]);
  }
  return { status: 404, body: '404 page not found\n' };
}

export async function startPromFakeServer(
  handler?: PromHandler,
  opts: { tls?: { key: string; cert: string } } = {}
): Promise<PromFakeServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = new URLSearchParams(u.search);
      // Prometheus accepts the same parameters form-encoded in a POST body.
      if (req.method === 'POST' && chunks.length > 0) {
        new URLSearchParams(Buffer.concat(chunks).toString('utf8')).forEach((v, k) => params.append(k, v));
      }
      const rec: RecordedRequest = { method: req.method ?? 'GET', path: u.pathname, params, headers: req.headers };
      requests.push(rec);
      const answer = current?.(rec) ?? defaults(rec);
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status ?? 200, {
        'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json',
        ...answer.headers,
      });
      res.end(text);
    });
  };
  const server = opts.tls ? createHttpsServer(opts.tls, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    setHandler: (h) => {
      current = h;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
