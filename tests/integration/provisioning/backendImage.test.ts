/**
 * The backend image's file set, without Docker: only what the Dockerfile COPYs (and .dockerignore lets through) goes
 * into a fresh folder, this repo's node_modules stands in for `npm ci` (same package-lock.json), and the image's
 * command, `npm start`, must serve /api/health and /api/subject against the simulator.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

import { freePort, waitFor } from '../../../src/embedded/prometheus';
import { createSimulator, type Simulator } from '../../../src/simulator/server';
import { ROOT } from '../../unit/provisioning/deployFiles';

const TOKEN = 'image-test-token';
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

/** `COPY src... dest` lines of the Dockerfile (no multi-stage `--from` copies). */
const copies = dockerfile
  .split('\n')
  .filter((l) => /^COPY\s/.test(l) && !l.includes('--from'))
  .map((l) => {
    const parts = l.split(/\s+/).slice(1);
    return { sources: parts.slice(0, -1), dest: parts[parts.length - 1] };
  });

let work: string;
let sim: Simulator;
let backend: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tikv-operator-image-'));
  sim = await createSimulator({ stores: 3, regions: 100, seed: 3 });
});

afterAll(async () => {
  if (backend?.pid && backend.exitCode === null) {
    const exited = new Promise((resolve) => backend!.once('exit', resolve));
    // npm, its shell and tsx's node run in the process group started below.
    process.kill(-backend.pid, 'SIGTERM');
    await exited;
  }
  await sim?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the backend image (Dockerfile)', () => {
  it('copies only files the build context keeps', () => {
    const sources = copies.flatMap((c) => c.sources);
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src']));
    for (const s of sources) {
      expect({ source: s, ignoredBy: ignored.filter((i) => s === i || s.startsWith(`${i}/`)) }).toEqual({
        source: s,
        ignoredBy: [],
      });
    }
  });

  it('starts with `npm start` from exactly the copied files and answers /api/health and /api/subject', async () => {
    for (const { sources, dest } of copies) {
      for (const s of sources) {
        const target = dest.endsWith('/') ? join(work, dest, basename(s)) : join(work, dest);
        mkdirSync(dirname(target), { recursive: true });
        cpSync(join(ROOT, s), target, { recursive: true });
      }
    }
    symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
    const port = await freePort();
    const env = /ENV HOST=\S+ PORT=(\d+)/.exec(dockerfile);
    expect(env?.[1]).toBe('3100');
    backend = spawn('npm', ['start'], {
      cwd: work,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        PD_URL: sim.url,
        HOST: '127.0.0.1',
        PORT: String(port),
        API_TOKEN: TOKEN,
        AUDIT_DB_PATH: join(work, 'audit.db'),
      },
    });
    const collect = (d: Buffer) => {
      output = (output + d.toString()).slice(-4000);
    };
    backend.stdout?.on('data', collect);
    backend.stderr?.on('data', collect);

    const health = await waitFor(
      'the backend started by npm start to answer /api/health',
      async () => {
        if (backend!.exitCode !== null) {
          throw new Error(`npm start exited with ${backend!.exitCode}: ${output}`);
        }
        const res = await fetch(`http://127.0.0.1:${port}/api/health`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        }).catch(() => undefined);
        return res?.status === 200 ? ((await res.json()) as { pd: { ok: boolean } }) : undefined;
      },
      45_000
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nnpm start printed: ${output}`);
    });
    expect(health.pd.ok).toBe(true);
    const subject = await fetch(`http://127.0.0.1:${port}/api/subject`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(subject.status).toBe(200);
  }, 120_000);
});
