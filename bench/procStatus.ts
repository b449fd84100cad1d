/**
 * One field of `/proc/<pid>/status` in kB: `VmHWM` (peak RSS since start or the last `clear_refs` reset) or
 * `VmRSS` (current RSS). NaN when the field is absent (a kernel thread, a zombie), unless `required`, which throws.
 */
import { readFileSync } from 'node:fs';

export function procStatusKb(pid: number, field: 'VmHWM' | 'VmRSS', opts: { required?: boolean } = {}): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) {
    if (opts.required) {
      throw new Error(`no ${field} in /proc/${pid}/status`);
    }
    return NaN;
  }
  return Number(m[1]);
}
