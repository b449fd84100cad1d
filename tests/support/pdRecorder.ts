/**
 * A loopback proxy in front of PD (the simulator) that remembers PD's writes — every request that is not a GET — with
 * the headers PD received (X-Caller-ID), so tests can count and inspect what reached PD.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PdWrite {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface PdRecorder {
  /** The proxy's base URL: PD's paths go below it unchanged (`${url}/pd/api/v1`). */
  url: string;
  /** PD's writes in the order they arrived. */
  writes: PdWrite[];
  server: Server;
}

/** Forwards everything to `target` (an http URL) and remembers PD's writes. */
export async function startPdRecorder(target: string): Promise<PdRecorder> {
  const writes: PdWrite[] = [];
  const t = new URL(target);
  const server = createServer((req, res) => {
    if (req.method !== 'GET') {
      writes.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    }
    const up = httpRequest(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      }
    );
    // PD gone (a test stopping it first) ends the client's request instead of crashing the test process.
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, writes, server };
}
