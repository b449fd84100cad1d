/**
 * A real PD stand-in for tests: node:http (or https) on 127.0.0.1 port 0 serving the recorded fixtures of
 * tests/fixtures/pd/ under `/pd/api/v1` byte for byte (so uint64 values stay exact), a paginated `/regions/key`
 * over a synthetic key space, PD's error bodies, and per-test overrides. Every request is recorded.
 */
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const PD_FIXTURE_DIR = path.join(__dirname, '..', 'fixtures', 'pd');
export const API = '/pd/api/v1';
/** The fixtures' "now" (pd-tikv.md §2): sent as PD's Date header unless a test says otherwise. */
export const FIXTURE_NOW = Date.parse('2025-06-10T08:30:00Z');

/** A fixture's exact text (numbers beyond 2^53 intact). */
export function fixtureText(name: string): string {
  return readFileSync(path.join(PD_FIXTURE_DIR, `${name}.json`), 'utf8');
}

export interface RecordedRequest {
  method: string;
  /** Path below the API prefix, e.g. `/stores`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/** Answers `status` with `body` as JSON text (already serialized). */
export function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(body);
}

/** A handler answering a fixture file. */
export function fixture(name: string, status = 200): Handler {
  const text = fixtureText(name);
  return (_req, res) => sendJson(res, status, text);
}

/** A synthetic region for the scan: hex keys `""`, `"0001"`, … `""`, one peer per store 1/4/5. */
export function syntheticRegion(i: number, n: number): Record<string, unknown> {
  const key = (k: number) => (k <= 0 || k >= n ? '' : k.toString(16).toUpperCase().padStart(4, '0'));
  return {
    id: 100 + i,
    start_key: key(i),
    end_key: key(i + 1),
    epoch: { conf_ver: 5, version: 10 + i },
    peers: [1, 4, 5].map((s, j) => ({ role_name: 'Voter', id: 1000 + i * 3 + j, store_id: s })),
    leader: { role_name: 'Voter', id: 1000 + i * 3, store_id: 1 },
    approximate_size: 1,
    approximate_keys: i,
  };
}

/**
 * PD's `/regions/key` over `count` synthetic regions: the region containing `key` first, then following ones,
 * `[key, end_key)`, at most `limit` (default 16, PD's), keys hex-decoded when `format=hex`.
 */
export function regionScanHandler(count: number): Handler {
  const regions = Array.from({ length: count }, (_, i) => syntheticRegion(i, count));
  return (req, res) => {
    if (req.query.get('format') !== 'hex') {
      sendJson(res, 400, JSON.stringify('this fixture server only scans with format=hex'));
      return;
    }
    const key = (req.query.get('key') ?? '').toUpperCase();
    const endKey = (req.query.get('end_key') ?? '').toUpperCase();
    const limit = Number(req.query.get('limit') ?? 16);
    const first = regions.findIndex((r) => (r.end_key as string) === '' || (r.end_key as string) > key);
    const page: Array<Record<string, unknown>> = [];
    for (let i = first; i >= 0 && i < regions.length && (limit <= 0 || page.length < limit); i++) {
      if (endKey !== '' && (regions[i].start_key as string) >= endKey) {
        break;
      }
      page.push(regions[i]);
    }
    sendJson(res, 200, JSON.stringify({ count: page.length, regions: page }));
  };
}

/** The default routes: every fixture at the endpoint it was recorded from. */
function defaultRoutes(): Map<string, Handler> {
  const routes = new Map<string, Handler>([
    ['GET /stores', fixture('stores')],
    ['GET /store/5', fixture('store_5')],
    ['GET /stores/check', fixture('stores_check_down')],
    ['GET /stores/limit', fixture('stores_limit')],
    ['GET /region/id/1009', fixture('region_1009')],
    ['GET /regions/count', fixture('regions_count')],
    ['GET /regions/key', fixture('regions_key_limit4')],
    ['GET /stats/region', fixture('stats_region')],
    ['GET /hotspot/regions/write', fixture('hotspot_regions_write')],
    ['GET /hotspot/stores', fixture('hotspot_stores')],
    ['GET /config/schedule', fixture('config_schedule')],
    ['GET /schedulers', fixture('schedulers')],
    ['GET /cluster', fixture('cluster')],
    ['GET /cluster/status', fixture('cluster_status')],
    ['GET /members', fixture('members')],
    ['GET /health', fixture('health')],
    ['GET /version', fixture('version')],
    ['GET /status', fixture('status')],
    ['DELETE /store/4', fixture('error_delete_store_not_enough', 400)],
    [
      'GET /ping',
      (_req, res) => {
        res.writeHead(200);
        res.end();
      },
    ],
  ]);
  return routes;
}

export interface PdFixtureServerOptions {
  /** Serve HTTPS with this PEM key and certificate; with `clientCa`, require a client certificate it signed. */
  tls?: { key: string; cert: string; clientCa?: string };
  /** PD's clock as sent in the Date header; `null` sends no Date header. Default: the fixtures' now. */
  now?: number | null;
}

export interface PdFixtureServer {
  /** Origin, e.g. `http://127.0.0.1:40123` (the client adds `/pd/api/v1`). */
  url: string;
  requests: RecordedRequest[];
  /** Replace or add the handler for `METHOD /path` (path below the API prefix, no query string). */
  route(method: string, path: string, handler: Handler): void;
  /** Requests to one path, in arrival order. */
  requestsTo(path: string): RecordedRequest[];
  close(): Promise<void>;
}

export async function startPdFixtureServer(opts: PdFixtureServerOptions = {}): Promise<PdFixtureServer> {
  const routes = defaultRoutes();
  const requests: RecordedRequest[] = [];
  const now = opts.now === undefined ? FIXTURE_NOW : opts.now;

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fixture');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname.startsWith(API) ? url.pathname.slice(API.length) : url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      if (now === null) {
        res.sendDate = false;
      } else {
        res.setHeader('Date', new Date(now).toUTCString());
      }
      const handler = url.pathname.startsWith(API) ? routes.get(`${recorded.method} ${recorded.path}`) : undefined;
      if (!handler) {
        // Go's mux answer for an unknown path.
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('404 page not found\n');
        return;
      }
      Promise.resolve(handler(recorded, res)).catch((err: unknown) => {
        sendJson(res, 500, JSON.stringify(String(err)));
      });
    });
  };

  const server = opts.tls
    ? https.createServer(
        {
          key: opts.tls.key,
          cert: opts.tls.cert,
          ca: opts.tls.clientCa,
          requestCert: opts.tls.clientCa !== undefined,
          rejectUnauthorized: opts.tls.clientCa !== undefined,
        },
        listener
      )
    : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    route: (method, p, handler) => routes.set(`${method} ${p}`, handler),
    requestsTo: (p) => requests.filter((r) => r.path === p),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback URL where nothing listens (a port that was just free): connections are refused. */
export async function refusedUrl(): Promise<string> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
