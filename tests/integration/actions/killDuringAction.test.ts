/**
 * The audit row survives kill -9 of the backend mid-action: a child process begins transfer_leader while PD holds
 * `/operators` (a PD-HTTP delay fault), is killed with SIGKILL after the row is written, and the next open finds
 * the row, turns it into "unknown outcome", and shows it in the annotations frame.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { openAuditLog, UNKNOWN_OUTCOME_ERROR } from '../../../src/server/audit/auditLog';
import { auditFrames } from '../../../src/shared/auditFrames';
import { type Harness, regionWithFollower, startHarness, until } from './harness';

const ROOT = resolve(__dirname, '../../..');
const CHILD = join(__dirname, 'fixtures', 'beginAction.ts');
/** Long enough that the kill surely lands while PD holds the request, short enough not to outlive the test. */
const HOLD_MS = 6000;

describe('kill -9 mid-action', () => {
  let h: Harness;
  let dir: string;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    h = await startHarness({ stores: 3 });
    dir = mkdtempSync(join(tmpdir(), 'audit-kill-'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('leaves an "unknown outcome" row, never a gap, and it shows as an annotation', async () => {
    const db = join(dir, 'audit.db');
    const r = await regionWithFollower(h.pd);
    h.sim.addPdFault({ path: '/operators', kind: 'delay', delay_ms: HOLD_MS });

    const started = Date.now();
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, db, h.sim.pdUrl, String(r.region_id), String(r.follower), 'dave'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      }
    );
    child = proc;
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<string | null>((done) => proc.on('exit', (_code, signal) => done(signal)));

    const id = await until(
      `the child to begin the action (stderr: ${err})`,
      () => {
        const m = /BEGUN (\d+)/.exec(out);
        return m ? Number(m[1]) : undefined;
      },
      20_000
    );
    // PD is still holding the request: the child has no answer yet.
    expect(out).not.toMatch(/DONE|FAILED/);
    proc.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(out).not.toMatch(/DONE|FAILED/);

    // The next backend on the same file (the lock died with the process).
    const audit = openAuditLog(db);
    try {
      expect(audit.list()).toEqual([expect.objectContaining({ id, outcome: 'running', who: 'dave' })]);
      const recovered = audit.recoverUnknown();
      expect(recovered).toEqual([
        expect.objectContaining({
          id,
          outcome: 'unknown',
          who: 'dave',
          action: 'transfer_leader',
          error: UNKNOWN_OUTCOME_ERROR,
        }),
      ]);
      const rows = audit.list({ from: started - 1000, to: Date.now() });
      expect(rows).toEqual([
        expect.objectContaining({
          id,
          outcome: 'unknown',
          params: { region_id: r.region_id, to_store_id: r.follower },
        }),
      ]);

      const [frame] = auditFrames(rows, 'annotations', { refId: 'Anno', to: Date.now() });
      const field = (name: string) => frame.data.values[frame.schema.fields.findIndex((f) => f.name === name)];
      expect(field('title')).toEqual(['transfer_leader by dave: unknown outcome']);
      expect(field('tags')).toEqual(['action,transfer_leader,unknown outcome,dave']);
      expect(String(field('text')[0])).toMatch(/Unknown outcome: the backend stopped before PD answered/);
    } finally {
      audit.close();
    }
  });
});
