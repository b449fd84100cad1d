/**
 * The harness host: serves a page that boots Grafana's shared modules and services, the built `dist/` as
 * `public/plugins/<app id>/`, and a data source proxy that applies the routes of the built `datasource/plugin.json`
 * exactly as Grafana's `pkg/api/pluginproxy/ds_proxy.go` does: first route whose path is a prefix wins, `reqRole` is
 * enforced (403, no fall-through), `{{ .JsonData.x }}` / `{{ .SecureJsonData.x }}` are rendered into the URL and
 * headers, an upstream 401 becomes 400 "Authentication to data source failed", and `X-Grafana-User` is sent only
 * when send_user_header is on. So the browser test proves the routes and token injection of the real build.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, normalize, resolve } from 'node:path';

import { bundleHarness } from './bundle';

export type Role = 'Viewer' | 'Editor' | 'Admin';
const ROLE_RANK: Record<Role, number> = { Viewer: 1, Editor: 2, Admin: 3 };

interface Route {
  path: string;
  url: string;
  method?: string;
  reqRole?: Role;
  headers?: Array<{ name: string; content: string }>;
}

export interface HarnessOptions {
  distDir: string;
  appId: string;
  datasource: { uid: string; name: string; jsonData: Record<string, unknown>; secureJsonData: Record<string, string> };
  user: { login: string; role: Role };
  sendUserHeader?: boolean;
  variables?: Record<string, string[]>;
}

export interface ProxyLogEntry {
  path: string;
  route?: string;
  status: number;
}

export interface Harness {
  url: string;
  proxyLog: ProxyLogEntry[];
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.js': 'application/javascript',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.css': 'text/css',
  '.md': 'text/markdown',
};

function renderTemplate(text: string, jsonData: Record<string, unknown>, secure: Record<string, string>): string {
  return text.replace(/\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g, (_m, kind, key) =>
    String((kind === 'JsonData' ? jsonData[key] : secure[key]) ?? '')
  );
}

export async function startHarnessServer(o: HarnessOptions): Promise<Harness> {
  const bundle = await bundleHarness();
  const dsPlugin = JSON.parse(readFileSync(join(o.distDir, 'datasource', 'plugin.json'), 'utf8'));
  const routes: Route[] = dsPlugin.routes ?? [];
  const proxyLog: ProxyLogEntry[] = [];
  const proxyPrefix = `/api/datasources/proxy/uid/${o.datasource.uid}/`;
  const secureJsonFields = Object.fromEntries(Object.keys(o.datasource.secureJsonData).map((k) => [k, true]));
  const settings = {
    pluginBase: `/public/plugins/${o.appId}`,
    datasource: { uid: o.datasource.uid, name: o.datasource.name, type: dsPlugin.id, jsonData: o.datasource.jsonData, secureJsonFields },
    variables: o.variables ?? {},
  };
  const bootData = {
    settings: { appSubUrl: '', buildInfo: { version: '12.4.10' }, featureToggles: {}, datasources: {}, theme2: {} },
    user: { login: o.user.login, orgRole: o.user.role, isSignedIn: true, timezone: 'utc', theme: 'dark' },
    navTree: [],
  };
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>TiKV Operator harness</title>
<script>window.grafanaBootData = ${JSON.stringify(bootData)}; window.harnessSettings = ${JSON.stringify(settings)};</script>
<script type="systemjs-importmap">${JSON.stringify({ imports: Object.fromEntries(bundle.sharedNames.map((n) => [n, `app:${n}`])) })}</script>
<script src="/harness/system.js"></script><script src="/harness/amd.js"></script>
</head><body><div id="root"></div><script src="/harness/shared.js"></script></body></html>`;

  async function proxy(req: IncomingMessage, res: ServerResponse, proxyPath: string) {
    const route = routes.find((r) => proxyPath.startsWith(r.path));
    if (!route) {
      proxyLog.push({ path: proxyPath, status: 404 });
      res.writeHead(404).end('no route');
      return;
    }
    if (route.reqRole && ROLE_RANK[o.user.role] < ROLE_RANK[route.reqRole]) {
      proxyLog.push({ path: proxyPath, route: route.path, status: 403 });
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'plugin proxy route access denied' }));
      return;
    }
    const target = renderTemplate(route.url, o.datasource.jsonData, o.datasource.secureJsonData) + proxyPath.slice(route.path.length);
    const headers: Record<string, string> = { 'content-type': req.headers['content-type'] ?? 'application/json' };
    for (const h of route.headers ?? []) {
      headers[h.name] = renderTemplate(h.content, o.datasource.jsonData, o.datasource.secureJsonData);
    }
    if (o.sendUserHeader) {
      headers['X-Grafana-User'] = o.user.login;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) {
      chunks.push(c as Buffer);
    }
    try {
      const upstream = await fetch(target, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
      const body = Buffer.from(await upstream.arrayBuffer());
      proxyLog.push({ path: proxyPath, route: route.path, status: upstream.status });
      if (upstream.status === 401) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('Authentication to data source failed');
        return;
      }
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(body);
    } catch (err) {
      proxyLog.push({ path: proxyPath, route: route.path, status: 502 });
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`Bad Gateway: ${String(err)}`);
    }
  }

  const distRoot = resolve(o.distDir);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = url.pathname;
    if (p === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    } else if (p.startsWith('/harness/')) {
      const file = bundle.files[p.slice('/harness/'.length)];
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/javascript' }).end(readFileSync(file));
    } else if (p.startsWith(`${settings.pluginBase}/`)) {
      const file = normalize(join(distRoot, p.slice(settings.pluginBase.length + 1)));
      if (!file.startsWith(distRoot)) {
        res.writeHead(403).end();
        return;
      }
      try {
        const ext = file.slice(file.lastIndexOf('.'));
        res.writeHead(200, { 'content-type': MIME[ext] ?? 'application/octet-stream' }).end(readFileSync(file));
      } catch {
        res.writeHead(404).end();
      }
    } else if (p.startsWith(proxyPrefix)) {
      void proxy(req, res, p.slice(proxyPrefix.length) + url.search);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    proxyLog,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
