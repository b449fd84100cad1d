/**
 * Starts the backend alone in a child process, so its CPU and memory are its own: the load generator's fetches and
 * parsing stay in the bench process. The child runs as `npm start` runs the backend: plain node on an esbuild
 * bundle of our code (packages stay external) with its node flags, not under tsx's loader.
 *
 *   const b = await startBackendProcess({ PD_URL: … });  b.url; b.pid; await b.usage(); await b.close();
 */
import { type ChildProcess, fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

import { build } from 'esbuild';

import type { ChildMessage } from './backendChild';

export interface BackendProcess {
  url: string;
  pid: number;
  /** The child's own report: peak RSS (getrusage) and current RSS. */
  usage(): Promise<{ maxRssKb: number; rssBytes: number }>;
  /** The last 2,000 characters the child wrote to stderr (why it died, if it did). */
  stderr(): string;
  close(): Promise<void>;
}

/** Bundles backendChild.ts next to node_modules (so its packages resolve), once per bench run. */
let bundled: Promise<string> | undefined;
function bundleChild(): Promise<string> {
  bundled ??= (async () => {
    // One file per bench run: node_modules may be shared by several checkouts benchmarking at once.
    const outfile = join(__dirname, '..', 'node_modules', '.cache', 'tikv-operator-bench', `backendChild-${process.pid}.js`);
    await build({
      entryPoints: [join(__dirname, 'backendChild.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      packages: 'external',
      outfile,
      logLevel: 'warning',
    });
    process.once('exit', () => rmSync(outfile, { force: true }));
    return outfile;
  })();
  return bundled;
}

export async function startBackendProcess(env: Record<string, string>): Promise<BackendProcess> {
  const child: ChildProcess = fork(await bundleChild(), [], {
    cwd: join(__dirname, '..'),
    // The node flags of `npm start` (package.json); BENCH_NODE_FLAGS replaces them for an A/B of V8 settings.
    execArgv:
      process.env.BENCH_NODE_FLAGS !== undefined
        ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean)
        : ['--enable-source-maps', '--heap-growing-percent=100'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  const next = <T extends ChildMessage['type']>(type: T, timeoutMs: number) =>
    new Promise<Extract<ChildMessage, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`backend child sent no ${type} within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
      const onMessage = (m: ChildMessage) => {
        if (m.type === type || m.type === 'error') {
          clearTimeout(timer);
          child.off('message', onMessage);
          if (m.type === 'error') {
            reject(new Error(`backend child: ${m.message}`));
          } else {
            resolve(m as Extract<ChildMessage, { type: T }>);
          }
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`backend child exited with ${code}: ${stderr}`));
      });
    });
  try {
    const ready = await next('ready', 60_000);
    return {
      url: ready.url,
      pid: child.pid!,
      usage: async () => {
        const answer = next('usage', 10_000);
        child.send({ type: 'usage' });
        return answer;
      },
      stderr: () => stderr,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
