/**
 * An in-process lock per key with a bounded wait: two actions on one target within one backend run one after the
 * other. (Across replicas PostgreSQL's advisory locks do this: ./pgStore.ts.)
 */
import { ActionBusyError } from '../../shared/errors';
import { deadline } from '../deadline';

export class TargetLocks {
  private readonly held = new Map<string, Promise<void>>();

  constructor(private readonly waitMs: number) {}

  async acquire(key: string, action: string, target: string): Promise<() => Promise<void>> {
    const until = Date.now() + this.waitMs;
    const busy = () => new ActionBusyError(action, target, this.waitMs);
    for (let current = this.held.get(key); current; current = this.held.get(key)) {
      const left = until - Date.now();
      if (left <= 0) {
        throw busy();
      }
      await deadline(current, left, busy);
    }
    let release!: () => void;
    this.held.set(key, new Promise<void>((r) => (release = r)));
    return async () => {
      this.held.delete(key);
      release();
    };
  }
}
