/**
 * The stand-in Prometheus (standInPrometheus.ts) over HTTP on 127.0.0.1: `/api/v1/query_range` and `/api/v1/query`
 * (GET or form POST) answered as Prometheus answers them — a `matrix` of `[seconds, "value"]` pairs with Go's float
 * text ("NaN", "+Inf"), a `vector` for instant queries, `{status: "error", errorType, error}` with 400/422 on a
 * limit — so the backend parses answers of real size per point. Counts requests, the bytes it sent and the time it
 * spent answering (evaluating and writing each answer: the upstream's work).
 *
 *   const s = await startStandInServer(evaluator); s.url; s.bytesSent; s.requests; s.busyMs; await s.close();
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { StandInError, type StandInEvaluator } from './standInPrometheus';

export interface StandInServer {
  url: string;
  bytesSent: number;
  requests: number;
  busyMs: number;
  reset(): void;
  close(): Promise<void>;
}

const num = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

export async function startStandInServer(evaluator: StandInEvaluator): Promise<StandInServer> {
  const state = { bytesSent: 0, requests: 0, busyMs: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const began = performance.now();
      state.requests++;
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const params = new URLSearchParams(url.search);
      if (req.method === 'POST') {
        for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString())) {
          params.set(k, v);
        }
      }
      let status = 200;
      let body: string;
      try {
        const expr = params.get('query') ?? '';
        if (url.pathname === '/api/v1/query_range') {
          const [start, end, step] = ['start', 'end', 'step'].map((k) => Math.round(Number(params.get(k)) * 1000));
          const series = evaluator.range(expr, start, end, step);
          const result = series.map(
            (s) =>
              `{"metric":${JSON.stringify(s.labels)},"values":[${s.samples.map(([t, v]) => `[${t / 1000},"${num(v)}"]`).join(',')}]}`
          );
          body = `{"status":"success","data":{"resultType":"matrix","result":[${result.join(',')}]}}`;
        } else if (url.pathname === '/api/v1/query') {
          const t = Math.round(Number(params.get('time') ?? Date.now() / 1000) * 1000);
          const rows = evaluator.instant(expr, t);
          const result = rows.map((r) => `{"metric":${JSON.stringify(r.labels)},"value":[${t / 1000},"${num(r.v)}"]}`);
          body = `{"status":"success","data":{"resultType":"vector","result":[${result.join(',')}]}}`;
        } else if (url.pathname === '/api/v1/status/buildinfo') {
          body = '{"status":"success","data":{"version":"2.42.0-stand-in"}}';
        } else {
          status = 404;
          body = '{"status":"error","errorType":"not_found","error":"not found"}';
        }
      } catch (err) {
        const e = err instanceof StandInError ? err : new StandInError(400, 'bad_data', String(err));
        status = e.status;
        body = JSON.stringify({ status: 'error', errorType: e.errorType, error: e.message });
      }
      const bytes = Buffer.from(body);
      state.bytesSent += bytes.length;
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length });
      res.end(bytes);
      state.busyMs += performance.now() - began;
    });
  });
  // Longer than the client's keep-alive: a connection closed by the server just as the client reuses it is an
  // ECONNRESET (Node's default keepAliveTimeout is 5 s; Prometheus' Go server keeps idle connections far longer).
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  // Node closes an idle keep-alive connection after 5 s; a client reusing it at that moment gets ECONNRESET (bench
  // (f) met it after hundreds of requests). Prometheus keeps idle connections far longer.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get bytesSent() {
      return state.bytesSent;
    },
    get requests() {
      return state.requests;
    },
    get busyMs() {
      return state.busyMs;
    },
    reset: () => {
      state.bytesSent = 0;
      state.requests = 0;
      state.busyMs = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
