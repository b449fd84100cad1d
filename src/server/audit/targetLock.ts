/**
 * An in-process lock per key with a bounded wait: two actions on one target within one backend run one after the
 * other. (Across replicas PostgreSQL's advisory locks do this: ./pgStore.ts.)
 */
import { ActionBusyError } from '../../shared/errors';

export class TargetLocks {
  private readonly held = new Map<string, Promise<void>>();

  constructor(private readonly waitMs: number) {}

  async acquire(key: string, action: string, target: string): Promise<() => Promise<void>> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const current = this.held.get(key);
      if (!current) {
        break;
      }
      const left = deadline - Date.now();
      if (left <= 0 || !(await settlesWithin(current, left))) {
        throw new ActionBusyError(action, target, this.waitMs);
      }
    }
    let release!: () => void;
    this.held.set(key, new Promise<void>((r) => (release = r)));
    return async () => {
      this.held.delete(key);
      release();
    };
  }
}

function settlesWithin(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
  ]).finally(() => clearTimeout(timer));
}
