/**
 * Issue 12 item 1: a sliding-range panel (a new cache key on every refresh) against a Prometheus that answers about
 * 1 MB per query once grew the heap by ~37 MB per refresh until the process died. The real backend runs in a child
 * process with --expose-gc (tests/support/cacheHeapProbe.ts), so the heap measured after a full GC is its own.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const PROBE = join(ROOT, 'tests', 'support', 'cacheHeapProbe.ts');
const MB = 1024 * 1024;

interface Probe {
  samples: number[];
  promRequests: number;
  bodyBytes: number;
}

function runProbe(env: Record<string, string>): Promise<Probe> {
  return new Promise((resolve, reject) => {
    // A 1 GB heap limit: a cache that grows without bound dies here (as it did in production) instead of swapping.
    const child = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=1024', '--import', 'tsx', PROBE], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`the backend probe exited with ${code}: ${err.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(out.trim().split('\n').pop()!) as Probe);
    });
  });
}

test('200 refreshes of a sliding-range panel over ~1 MB answers keep the heap under 200 MB (default cache settings)', async () => {
  const r = await runProbe({ QUERIES: '200' });
  expect(r.bodyBytes).toBeGreaterThan(0.8 * MB);
  // Every refresh asked Prometheus again (a new range is a new key), so 200 refreshes moved ~1 GB through the cache.
  expect(r.promRequests).toBeGreaterThanOrEqual(200);
  expect(r.samples).toHaveLength(9);
  expect(Math.max(...r.samples)).toBeLessThan(200 * MB);
}, 300_000);

test('with a long TTL, the byte budget alone bounds the cache', async () => {
  const r = await runProbe({ QUERIES: '50', CACHE_TTL_MS: '600000', CACHE_MAX_BYTES: String(16 * MB) });
  expect(r.promRequests).toBeGreaterThanOrEqual(50);
  expect(Math.max(...r.samples)).toBeLessThan(200 * MB);
}, 300_000);
