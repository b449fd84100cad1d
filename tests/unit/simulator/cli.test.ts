/** The command line: --help describes every flag; bad input exits non-zero with a message naming it. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/simulator/cli.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });

describe('simulator CLI', () => {
  it('describes every flag in --help', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    for (const flag of [
      '--port',
      '--host',
      '--stores',
      '--regions',
      '--seed',
      '--drain',
      '--hours',
      '--step',
      '--end',
      '--out',
      '--faults',
      '--schedule-out',
      '--help',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('names the bad flag and exits 2', () => {
    const r = run('--stores', 'many');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--stores');
    const h = run('history', '--hours', '1', '--out', '/dev/null', '--faults', 'down:1@later+1m');
    expect(h.status).toBe(2);
    expect(h.stderr).toMatch(/offset/);
  });
});
