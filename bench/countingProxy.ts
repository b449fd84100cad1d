/**
 * A loopback HTTP proxy in front of an upstream that counts (and records) the requests passing through it: how the
 * benchmarks see how many upstream calls the backend made, since the simulator and Prometheus keep no counters.
 *
 *   const p = await startCountingProxy('http://127.0.0.1:4000');
 *   p.url; p.count('/pd/api/v1/stores'); p.requests; p.reset(); await p.close();
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** Path with its query string, as received. */
  url: string;
}

export interface CountingProxy {
  url: string;
  requests: ProxiedRequest[];
  /** Requests whose path (without query) starts with `prefix` (all of them without one). */
  count(prefix?: string): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const requests: ProxiedRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/' });
    const out = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        agent,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      }
    );
    out.on('error', (err) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${err.message}`);
    });
    req.pipe(out);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (prefix = '') => requests.filter((r) => r.url.split('?')[0].startsWith(prefix)).length,
    reset: () => {
      requests.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
