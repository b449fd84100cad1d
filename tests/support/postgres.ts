/**
 * A real PostgreSQL (Debian's `postgresql` package, installed by scripts/ensure-test-deps.sh) for the audit store's
 * tests: a fresh data directory under the system temp dir, a free loopback port, password (scram) auth over TCP.
 * `initdb` and `pg_ctl` refuse to run as root, so as root they run as the `postgres` user (runuser), with the
 * directory owned by it. Start it once per test file (`beforeAll`), stop it after (`afterAll`).
 *
 *   const pg = await startPostgres();  pg.url('db') → postgres://postgres:<password>@127.0.0.1:<port>/db
 *   await pg.createDatabase('db');  await pg.stopServer(); await pg.startServer();  await pg.stop();
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import pg from 'pg';

import { freePort } from '../../src/embedded/prometheus';

import { selfSigned } from './selfSigned';

const run = promisify(execFile);

export interface TestPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  /** With `tls`: the CA file that verifies the server's certificate. */
  caFile?: string;
  /** Connection URL of `db` with the password in it. */
  url(db: string): string;
  /** The same without the password (for AUDIT_DB_PASSWORD_FILE / PGPASSWORD tests). */
  urlWithoutPassword(db: string): string;
  createDatabase(name: string): Promise<void>;
  /** A client for checks the test makes itself (close it). */
  client(db: string): Promise<pg.Client>;
  /** Stops the server, keeping its data (a database outage); `startServer` brings it back on the same port. */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL's binaries (/usr/lib/postgresql/<version>/bin). */
export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL is not installed (Debian package `postgresql`): run scripts/ensure-test-deps.sh as root'
    );
  }
  return join(root, versions[0], 'bin');
}

export interface StartPostgresOptions {
  /**
   * TLS only: a self-signed certificate for 127.0.0.1 (its own CA, returned as `caFile`), and pg_hba.conf accepting
   * TCP connections only over TLS (`hostssl`).
   */
  tls?: boolean;
}

export async function startPostgres(o: StartPostgresOptions = {}): Promise<TestPostgres> {
  const bin = postgresBin();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'tko-pg-'));
  const data = join(dir, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  // initdb and pg_ctl refuse root: as root they run as `postgres`, which must own the directory.
  const ids = asRoot
    ? { uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()), gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()) }
    : undefined;
  if (ids) {
    for (const p of [dir, pwfile]) {
      chownSync(p, ids.uid, ids.gid);
    }
  }
  const pgRun = (cmd: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args);

  await pgRun('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--pwfile',
    pwfile,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  let tlsOptions = '';
  let caFile: string | undefined;
  if (o.tls) {
    const { key, cert } = selfSigned(dir, 'pg-server');
    const keyFile = join(data, 'server.key');
    caFile = join(dir, 'ca.crt');
    writeFileSync(caFile, cert);
    writeFileSync(join(data, 'server.crt'), cert);
    writeFileSync(keyFile, key, { mode: 0o600 });
    if (ids) {
      for (const f of [keyFile, join(data, 'server.crt')]) {
        chownSync(f, ids.uid, ids.gid);
      }
    }
    const hba = join(data, 'pg_hba.conf');
    writeFileSync(hba, readFileSync(hba, 'utf8').replace(/^host(\s)/gm, 'hostssl$1'));
    tlsOptions = ' -c ssl=on';
  }
  const port = await freePort();
  const startServer = async () => {
    await pgRun('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200${tlsOptions}`,
      'start',
    ]);
  };
  const stopServer = async () => {
    await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  };
  await startServer();

  const host = '127.0.0.1';
  const url = (db: string) => `postgres://postgres:${encodeURIComponent(password)}@${host}:${port}/${db}`;
  const client = async (db: string) => {
    const c = new pg.Client({ connectionString: url(db), ssl: caFile ? { ca: readFileSync(caFile, 'utf8') } : undefined });
    await c.connect();
    return c;
  };
  return {
    host,
    port,
    caFile,
    user: 'postgres',
    password,
    url,
    urlWithoutPassword: (db) => `postgres://postgres@${host}:${port}/${db}`,
    createDatabase: async (name) => {
      const c = await client('postgres');
      try {
        await c.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await c.end();
      }
    },
    client,
    stopServer,
    startServer,
    stop: async () => {
      await stopServer().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
