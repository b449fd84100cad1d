/**
 * The backend image, without Docker: statically, a supported Node LTS pinned in every stage, production
 * dependencies only in the runtime stage, and a command that runs the prebuilt bundle (no esbuild, npm or tsx at
 * start); then only what the Dockerfile COPYs (and .dockerignore lets through) goes into a fresh folder, this repo's
 * node_modules stands in for `npm ci` (same package-lock.json), the build stage's command builds the bundle, and the
 * image's CMD must serve /api/health and /api/subject against the simulator, needing no devDependency.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
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

/** The Dockerfile's stages: the image each starts FROM and its instruction lines. */
const stages = dockerfile
  .split(/^(?=FROM\s)/m)
  .filter((part) => part.startsWith('FROM'))
  .map((part) => ({
    from: /^FROM\s+(\S+)/.exec(part)![1],
    lines: part.split('\n').filter((l) => /^[A-Z]+\s/.test(l)),
  }));
const runtime = stages[stages.length - 1];
/** The runtime command, from CMD's exec (JSON) form. */
const cmd = JSON.parse(/^CMD\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1] ?? '[]') as string[];

/** Node release lines that are LTS, with their end of life (https://github.com/nodejs/Release). */
const NODE_LTS_END: Record<number, string> = { 22: '2027-04-30', 24: '2028-04-30' };

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
    // The backend runs in the process group started below.
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

  it('runs a supported Node LTS, pinned to a release, in every stage', () => {
    expect(stages.length).toBeGreaterThan(0);
    for (const { from } of stages) {
      const m = /^node:(\d+)\.\d+\.\d+(-[a-z]+)*$/.exec(from);
      expect({ from, pinned: m !== null }).toEqual({ from, pinned: true });
      const end = NODE_LTS_END[Number(m![1])];
      expect({ from, supported: end !== undefined && Date.now() < Date.parse(end) }).toEqual({ from, supported: true });
    }
  });

  it('ships production dependencies only and starts the prebuilt bundle with node (no esbuild, npm or tsx)', () => {
    expect(cmd[0]).toBe('node');
    expect(cmd.join(' ')).not.toMatch(/npm|esbuild|tsx/);
    expect(cmd[cmd.length - 1]).toBe('build/server.js');
    // The runtime stage installs nothing itself; its node_modules come from a stage that omits devDependencies.
    expect(runtime.lines.filter((l) => /^RUN\s.*npm\s/.test(l))).toEqual([]);
    const modules = runtime.lines.find((l) => /^COPY\s+--from=\S+\s+\S*node_modules/.test(l));
    const depsStage = /--from=(\S+)/.exec(modules ?? '')?.[1];
    const deps = dockerfile
      .split(/^(?=FROM\s)/m)
      .find((part) => new RegExp(`^FROM\\s+\\S+\\s+AS\\s+${depsStage}\\b`, 'i').test(part));
    expect(deps).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(runtime.lines.find((l) => /^COPY\s+--from=\S+\s+\S*build\s/.test(l))).toBeDefined();
  });

  it('runs the prebuilt bundle from exactly the copied files and answers /api/health and /api/subject', async () => {
    for (const { sources, dest } of copies) {
      for (const s of sources) {
        const target = dest.endsWith('/') ? join(work, dest, basename(s)) : join(work, dest);
        mkdirSync(dirname(target), { recursive: true });
        cpSync(join(ROOT, s), target, { recursive: true });
      }
    }
    symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
    // The build stage's bundle command, as the Dockerfile runs it.
    const buildRun = /^RUN (npm run build:server)$/m.exec(dockerfile)?.[1];
    expect(buildRun).toBeDefined();
    execSync(buildRun!, { cwd: work, stdio: 'pipe' });
    // Every package the bundle loads at run time is a production dependency (what `npm ci --omit=dev` installs).
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const bundle = readFileSync(join(work, 'build', 'server.js'), 'utf8');
    const builtins = new Set(builtinModules);
    const required = [...bundle.matchAll(/require\("([^"./][^"]*)"\)/g)]
      .map((m) => m[1])
      .filter((id) => !id.startsWith('node:') && !builtins.has(id))
      .map((id) =>
        id
          .split('/')
          .slice(0, id.startsWith('@') ? 2 : 1)
          .join('/')
      );
    expect(required.length).toBeGreaterThan(0);
    expect([...new Set(required)].filter((name) => !(name in pkg.dependencies))).toEqual([]);
    const port = await freePort();
    const env = /ENV HOST=\S+ PORT=(\d+)/.exec(dockerfile);
    expect(env?.[1]).toBe('3100');
    backend = spawn(cmd[0], cmd.slice(1), {
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
      "the backend started by the image's command to answer /api/health",
      async () => {
        if (backend!.exitCode !== null) {
          throw new Error(`the backend exited with ${backend!.exitCode}: ${output}`);
        }
        const res = await fetch(`http://127.0.0.1:${port}/api/health`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        }).catch(() => undefined);
        return res?.status === 200 ? ((await res.json()) as { pd: { ok: boolean } }) : undefined;
      },
      45_000
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nthe backend printed: ${output}`);
    });
    expect(health.pd.ok).toBe(true);
    const subject = await fetch(`http://127.0.0.1:${port}/api/subject`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(subject.status).toBe(200);
  }, 120_000);
});
