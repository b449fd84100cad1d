/**
 * `npm start` (src/server/main.ts) as a user runs it: a bad variable stops it naming the variable, no token on a
 * non-loopback host is refused, and the embedded default serves a simulated cluster (with a real Prometheus) on
 * loopback, prints its URL and a curl example, and stops everything on Ctrl-C.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';

import { waitFor } from '../../../src/embedded/prometheus';

const ROOT = join(__dirname, '..', '..', '..');
// What `npm start` runs: the server bundle `npm run build:server` writes (the test command builds it first).
const SERVER = join(ROOT, 'build', 'server.js');

interface Run {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>, args: string[] = []): Run {
  return spawnIn([process.execPath, '--enable-source-maps', SERVER, ...args], env);
}

function spawnIn(command: string[], env: Record<string, string>): Run {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
  const child = spawn(command[0], command.slice(1), {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

const running: Run[] = [];
afterAll(async () => {
  for (const r of running) {
    if (r.child.exitCode === null) {
      // Ctrl-C first, so the backend stops the simulator and Prometheus it started; SIGKILL if it hangs.
      r.child.kill('SIGINT');
      const timer = setTimeout(() => r.child.kill('SIGKILL'), 5000);
      await r.exited;
      clearTimeout(timer);
    }
  }
});

test('a bad variable stops start-up with exit code 1 and a message naming it', async () => {
  const r = start({ PORT: 'abc' });
  expect(await r.exited).toBe(1);
  expect(r.out()).toContain('configuration error: PORT: must be a number');
});

test('without API_TOKEN it refuses to listen on a non-loopback address', async () => {
  const r = start({ HOST: '0.0.0.0', PD_URL: 'http://127.0.0.1:1' });
  expect(await r.exited).toBe(1);
  expect(r.out()).toMatch(/HOST: refusing to listen on 0\.0\.0\.0 without API_TOKEN/);
});

test('with no configuration it serves the simulator on loopback, prints a curl example, and Ctrl-C stops everything', async () => {
  const r = start({ PORT: '0' });
  running.push(r);
  const url = await waitFor(
    'the backend URL',
    async () => /TiKV operator backend: (http:\/\/127\.0\.0\.1:\d+)/.exec(r.out())?.[1],
    45_000
  );
  await waitFor('the curl example', async () =>
    r.out().includes(`curl -s -X POST ${url}/api/query`) ? true : undefined
  );
  expect(r.out()).toMatch(/API_TOKEN is not set/);
  const promUrl = /embedded Prometheus: (http:\/\/127\.0\.0\.1:\d+)/.exec(r.out())?.[1];
  const simPd = /embedded simulator: PD API at (http:\S+)/.exec(r.out())?.[1];
  expect(promUrl).toBeDefined();
  expect(simPd).toBeDefined();

  // The printed example works pasted into a shell: the last hour's invariant violations, as Grafana frames.
  const lines = r.out().split('\n');
  const first = lines.findIndex((l) => l.trim().startsWith('NOW='));
  const example = lines.slice(first, lines.findIndex((l, i) => i > first && l.includes(" -d '")) + 1).join('\n');
  expect(example).toMatch(/curl -s -X POST/);
  const answer = JSON.parse(execFileSync('bash', ['-c', example], { encoding: 'utf8' })) as any;
  const frame = answer.results.A.frames[0];
  expect(frame.schema.name).toBe('violations');
  expect(frame.schema.fields.map((f: any) => f.name)).toEqual(
    expect.arrayContaining(['store_id', 'invariant', 'active'])
  );
  const health = (await (await fetch(`${url}/api/health`)).json()) as any;
  expect(health).toMatchObject({ pd: { ok: true }, prometheus: { ok: true } });

  // Probes and scrapes log at debug: after the embedded Prometheus scraped /metrics and /api/health was asked, the
  // info-level output shows neither (the query above is logged).
  await waitFor(
    'the embedded Prometheus to scrape the backend',
    async () => {
      const q = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent('up{job="tikv-operator"} == 1')}`);
      return ((await q.json()) as any).data.result.length > 0 ? true : undefined;
    },
    30_000
  );
  const requestLines = r
    .out()
    .split('\n')
    .filter((l) => l.includes('"incoming request"'));
  expect(requestLines.some((l) => l.includes('"/api/query"'))).toBe(true);
  expect(requestLines.filter((l) => /"url":"\/(metrics|api\/health)/.test(l))).toEqual([]);

  r.child.kill('SIGINT');
  expect(await r.exited).toBe(0);
  for (const gone of [url, promUrl!, simPd!]) {
    await expect(fetch(gone)).rejects.toThrow();
  }
});

test('the start-up lines reach stdout whatever LOG_LEVEL says', async () => {
  const r = start({ PORT: '0', LOG_LEVEL: 'fatal' });
  running.push(r);
  await waitFor('the example', async () => (r.out().includes('NOW=$(date +%s000)') ? true : undefined), 45_000);
  expect(r.out()).toMatch(/embedded simulator: PD API at http:\/\/127\.0\.0\.1:\d+\/pd\/api\/v1/);
  expect(r.out()).toMatch(/TiKV operator backend: http:\/\/127\.0\.0\.1:\d+/);
  expect(r.out()).toMatch(/ {2}PD: http:\/\/127\.0\.0\.1:\d+\/pd\/api\/v1/);
  r.child.kill('SIGINT');
  expect(await r.exited).toBe(0);
});

test('on a terminal the logs are pretty-printed, not JSON', async () => {
  // `script` gives the backend a pseudo-terminal as stdout, as a user's shell does.
  const r = spawnIn(['script', '-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(SERVER)}`, '/dev/null'], {
    PORT: '0',
    PD_URL: 'http://127.0.0.1:1',
  });
  running.push(r);
  await waitFor('the listening line', async () => (/Server listening at/.test(r.out()) ? true : undefined), 30_000);
  const line = r
    .out()
    .split('\n')
    .find((l) => l.includes('Server listening at'))!;
  expect(line).toMatch(/INFO/);
  expect(line).not.toContain('"level"');
  r.child.kill('SIGTERM');
  await r.exited;
});

test('`--clusters 2` serves two simulated clusters, one Prometheus telling them apart by sim_cluster', async () => {
  const r = start({ PORT: '0' }, ['--clusters', '2']);
  running.push(r);
  const url = await waitFor('the backend URL', async () => /TiKV operator backend: (http:\/\/127\.0\.0\.1:\d+)/.exec(r.out())?.[1], 45_000);
  await waitFor('the curl example', async () => (r.out().includes(`curl -s -X POST ${url}/api/query`) ? true : undefined));
  const promUrl = /embedded Prometheus: (http:\/\/127\.0\.0\.1:\d+)/.exec(r.out())?.[1];
  expect(r.out()).toMatch(/embedded simulator cluster-1: PD API/);
  expect(r.out()).toMatch(/embedded simulator cluster-2: PD API/);

  // The printed example names a cluster: with two, a request without one is refused.
  expect(r.out()).toContain(`-d '{"cluster": "cluster-1", "from": `);
  const post = (b: unknown) => fetch(`${url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
  const unnamed = { from: Date.now() - 3_600_000, to: Date.now(), queries: [{ refId: 'A', kind: 'observation', observation: 'get_stores' }] };
  expect((await post({ cluster: 'cluster-1', ...unnamed })).status).toBe(200);
  const refused = await post(unnamed);
  expect(refused.status).toBe(400);
  expect(((await refused.json()) as any).message).toMatch(/cluster-1, cluster-2/);

  const health = (await (await fetch(`${url}/api/health`)).json()) as any;
  expect(health.clusters.map((c: any) => [c.name, c.pd.ok, c.prometheus.ok])).toEqual([
    ['cluster-1', true, true],
    ['cluster-2', true, true],
  ]);
  // Both clusters' TiKV targets are scraped, each with its own label.
  await waitFor('both clusters scraped', async () => {
    const q = encodeURIComponent('count by (sim_cluster) (up{job="tikv"} == 1)');
    const res = (await (await fetch(`${promUrl}/api/v1/query?query=${q}`)).json()) as any;
    const labels = res.data.result.map((x: any) => x.metric.sim_cluster).sort();
    return JSON.stringify(labels) === JSON.stringify(['cluster-1', 'cluster-2']) ? true : undefined;
  }, 30_000);

  r.child.kill('SIGINT');
  expect(await r.exited).toBe(0);
}, 90_000);
