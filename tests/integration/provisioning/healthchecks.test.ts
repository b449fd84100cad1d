/**
 * The compose health checks, run for real against a loopback HTTP server that stands in for each service's health
 * endpoint (its port substituted): each command passes on a 200 and fails on a 503, so `depends_on: service_healthy`
 * waits for the right thing. PD and TiKV checks have two alternatives (curl, else bash's /dev/tcp), each run alone.
 * Grafana's and Prometheus' images ship busybox wget; here GNU wget runs the same arguments.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { startBackend } from '../../support/backend';
import { postgresBin, startPostgres } from '../../support/postgres';
import { compose } from '../../unit/provisioning/deployFiles';

let server: Server;
let port: number;
let status = 200;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'not ready');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** A check's commands (argv lists), with every 127.0.0.1 port pointed at the stand-in server. */
function commands(test: string[] | string): string[][] {
  const local = (s: string) =>
    s
      .replace(/127\.0\.0\.1:\d+/g, `127.0.0.1:${port}`)
      .replace(/\/dev\/tcp\/127\.0\.0\.1\/\d+/g, `/dev/tcp/127.0.0.1/${port}`);
  const [kind, ...rest] = Array.isArray(test) ? test : ['CMD-SHELL', test];
  if (kind === 'CMD') {
    return [rest.map(local).map((a, i) => (i === 0 && a === 'node' ? process.execPath : a))];
  }
  // CMD-SHELL: each `||` alternative on its own, so a broken fallback cannot hide behind a working first try.
  return rest
    .join(' ')
    .split(' || ')
    .map((alt) => ['sh', '-c', local(alt)]);
}

function exitCode(argv: string[], env: Record<string, string> = {}): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore', timeout: 10_000, env: { ...process.env, ...env } });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

const services = Object.entries(compose().services).filter(([, s]) => s.healthcheck);
/** Checks that speak HTTP (the stand-in server answers them); PostgreSQL's is tested against a real one below. */
const httpChecks = services.filter(([name]) => name !== 'audit-db');

describe('docker compose health checks', () => {
  it('exist for every service', () => {
    expect(services.map(([name]) => name).sort()).toEqual(Object.keys(compose().services).sort());
  });

  it.each(httpChecks.map(([name, s]) => [name, s.healthcheck!.test]))(
    '%s: passes when its health endpoint answers 200 and fails on 503',
    async (_name, test) => {
      const cmds = commands(test);
      expect(cmds.length).toBeGreaterThan(0);
      for (const argv of cmds) {
        seen.length = 0;
        status = 200;
        expect({ argv, code: await exitCode(argv) }).toEqual({ argv, code: 0 });
        // It asked the server (not something else that happened to succeed).
        expect(seen.length).toBeGreaterThan(0);
        status = 503;
        expect({ argv, failed: (await exitCode(argv)) !== 0 }).toEqual({ argv, failed: true });
      }
    }
  );

  it('audit-db: pg_isready passes against a running PostgreSQL and fails when nothing listens', async () => {
    const pg = await startPostgres();
    try {
      const [argv] = commands(compose().services['audit-db'].healthcheck!.test);
      const at = (p: number) => argv.map((a, i) => (argv[i - 1] === '-p' ? String(p) : a)).map((a, i) => (i === 0 ? join(postgresBin(), a) : a));
      expect(argv.slice(0, 5)).toEqual(['pg_isready', '-h', '127.0.0.1', '-p', '5432']);
      // pg_isready reports whether the server accepts connections (the role and database need not exist yet).
      expect(await exitCode(at(pg.port))).toBe(0);
      await pg.stopServer();
      expect(await exitCode(at(pg.port))).not.toBe(0);
    } finally {
      await pg.stop();
    }
  });

  it('backend: passes against the real backend with the container’s API_TOKEN, fails with another token', async () => {
    const b = await startBackend({ env: { API_TOKEN: 'healthcheck-token' } });
    try {
      const [argv] = commands(compose().services.backend.healthcheck!.test).map((a) =>
        a.map((x) => x.replace(/127\.0\.0\.1:\d+/g, b.url.replace('http://', '')))
      );
      expect(await exitCode(argv, { API_TOKEN: 'healthcheck-token' })).toBe(0);
      expect(await exitCode(argv, { API_TOKEN: 'not-the-token' })).not.toBe(0);
    } finally {
      await b.close();
    }
  });
});
