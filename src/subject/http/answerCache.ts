/**
 * The short TTL cache of upstream GET answers, bounded by bytes: an LRU (lru-cache) whose entries weigh the size of
 * the answer's body as received, so keys that change on every refresh (a sliding `query_range`) push out the oldest
 * answers instead of piling up, and an expired entry is dropped by its own timer (`ttlAutopurge`), not when some
 * count is reached. An answer larger than the whole budget is not cached at all.
 *
 * The zod-checked copies of an answer live in its entry: evicting the entry frees both.
 */
import { LRUCache } from 'lru-cache';
import type { z } from 'zod';

/** What the cache needs of an answer: its size as received. */
export interface Sized {
  /** Bytes of the body as received. */
  bytes?: number;
}

export interface CacheEntry<A extends Sized> {
  answer: A;
  /** Checked copies of `answer`, per schema (one zod parse shared by every caller of this entry). */
  checked: Map<z.ZodType, A>;
}

/**
 * 16 MiB of answers as received: PD's `/stores` for 1,000 stores is about 1 MB, so this holds a dashboard's reads many
 * times over. In memory an answer weighs several times its text (the parsed JSON and its checked copy): about 7×.
 */
export const DEFAULT_CACHE_MAX_BYTES = 16 * 1024 * 1024;

export class AnswerCache<A extends Sized> {
  private readonly lru: LRUCache<string, CacheEntry<A>> | undefined;

  /** `ttlMs` 0 = nothing is cached. */
  constructor(ttlMs: number, maxBytes: number = DEFAULT_CACHE_MAX_BYTES) {
    this.lru =
      ttlMs > 0 && maxBytes > 0
        ? new LRUCache<string, CacheEntry<A>>({
            ttl: ttlMs,
            ttlAutopurge: true,
            maxSize: maxBytes,
            // An empty body (PD's `/ping`) still counts, so a flood of tiny answers is bounded too.
            sizeCalculation: (e) => Math.max(1, e.answer.bytes ?? 1),
            // A hit does not extend the life of an answer: it is at most `ttlMs` old.
            updateAgeOnGet: false,
            allowStale: false,
          })
        : undefined;
  }

  get(key: string): CacheEntry<A> | undefined {
    return this.lru?.get(key);
  }

  set(key: string, answer: A): CacheEntry<A> {
    const entry: CacheEntry<A> = { answer, checked: new Map() };
    this.lru?.set(key, entry);
    return entry;
  }

  /** Forgets every entry, or those whose key starts with `prefix` (one client's, in a shared cache). */
  clear(prefix?: string): void {
    if (prefix === undefined) {
      this.lru?.clear();
      return;
    }
    for (const key of [...(this.lru?.keys() ?? [])]) {
      if (key.startsWith(prefix)) {
        this.lru?.delete(key);
      }
    }
  }

  /** Entries held now (tests). */
  get size(): number {
    return this.lru?.size ?? 0;
  }

  /** Bytes held now, as weighed (tests). */
  get bytes(): number {
    return this.lru?.calculatedSize ?? 0;
  }
}
