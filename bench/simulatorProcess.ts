/**
 * The simulator in its own process (`src/simulator/cli.ts` under tsx's loader), so its work — serializing 1,000
 * stores, holding a million regions — neither shares the backend's event loop nor counts in the backend's memory.
 * Faults are set over its HTTP API (`/sim/pd-faults`).
 *
 *   const sim = await startSimulatorProcess({ stores: 1000, regions: 10_000 });
 *   sim.pdUrl; await sim.setPdDelay('/stores', 20); await sim.close();
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export interface SimulatorProcess {
  url: string;
  pdUrl: string;
  pid: number;
  /** Replaces every PD-HTTP fault by a delay of `ms` on `path` (none when `ms` is 0). */
  setPdDelay(path: string, ms: number): Promise<void>;
  close(): Promise<void>;
}

const ROOT = join(__dirname, '..');
const START_TIMEOUT_MS = 120_000;

export async function startSimulatorProcess(o: { stores: number; regions: number; seed?: number }): Promise<SimulatorProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/simulator/cli.ts'), '--stores', String(o.stores), '--regions', String(o.regions), '--seed', String(o.seed ?? 1)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-2000);
  });
  const pdUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start within ${START_TIMEOUT_MS / 1000} s: ${err}`)), START_TIMEOUT_MS);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PD API (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited with ${code}: ${err}`));
    });
  }).catch(async (e: unknown) => {
    await stop(child, exited);
    throw e;
  });
  const url = new URL(pdUrl).origin;
  return {
    url,
    pdUrl,
    pid: child.pid!,
    setPdDelay: async (path, ms) => {
      const cleared = await fetch(`${url}/sim/pd-faults`, { method: 'DELETE' });
      await cleared.text();
      if (ms > 0) {
        const res = await fetch(`${url}/sim/pd-faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ path, kind: 'delay', delay_ms: ms }),
        });
        if (!res.ok) {
          throw new Error(`POST /sim/pd-faults answered ${res.status}: ${await res.text()}`);
        }
        await res.text();
      }
    },
    close: () => stop(child, exited),
  };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
