/**
 * PD's refusals, in words. PD answers a refused write with a JSON string such as
 * `"[PD:core:ErrStoresNotEnough]can not remove store 4 since the number of up stores would be 2 while need 3"`
 * (pd-tikv.md §1.0, §1.7, §1.8); the client turns it into an UpstreamStatusError carrying that string. Known
 * refusals become an ActionRefusedError that says what it means for the cluster and keeps PD's text; transport
 * failures (unreachable, timeout) pass through unchanged, since PD may not have seen the request at all.
 */
import {
  ActionRefusedError,
  UpstreamStatusError,
  UpstreamTimeoutError,
  UpstreamUnreachableError,
} from '../../../shared/errors';
import { neverSent } from '../../http/upstream';

interface Rule {
  pattern: RegExp;
  words: (m: RegExpExecArray) => string;
}

/** PD's error strings (server/api/operator.go, pkg/errs/errno.go, pkg/schedule/config/config.go Validate). */
const RULES: Rule[] = [
  {
    pattern: /region has no voter in store (\d+)/,
    words: (m) =>
      `store ${m[1]} holds no voter peer of the region; PD only transfers a leader to a store that already has a voter (add a peer there first)`,
  },
  {
    pattern: /ErrStoresNotEnough\].*?store (\d+) since the number of up stores would be (\d+) while need (\d+)/,
    words: (m) =>
      `removing store ${m[1]} would leave ${m[2]} Up stores: the number of Up stores would drop below max-replicas ${m[3]}, so regions would be under-replicated`,
  },
  {
    pattern: /ErrStoresNotEnough/,
    words: () => 'the number of Up stores would drop below max-replicas: regions would be under-replicated',
  },
  {
    pattern: /ErrRegionNotFound|region (\d+) not found/,
    words: () => 'the region does not exist (it may have been merged or split away)',
  },
  {
    pattern: /ErrStoreRemoved|has been removed|physically destroyed/,
    words: () => 'the store is already removed (Tombstone) and cannot change state',
  },
  { pattern: /ErrStoreTombstone|tombstone/i, words: () => 'the store is a Tombstone' },
  { pattern: /ErrSchedulerNotFound|scheduler not found/, words: () => 'no such scheduler is running in PD' },
  { pattern: /ErrSchedulerExisted|scheduler existed/, words: () => 'that scheduler already runs in PD' },
  {
    pattern: /low-space-ratio should be larger than high-space-ratio/,
    words: () => 'low-space-ratio must be strictly greater than high-space-ratio (PD rejects equal values)',
  },
  {
    pattern: /(low|high)-space-ratio should between 0 and 1/,
    words: (m) => `${m[1]}-space-ratio must be between 0 and 1`,
  },
  {
    pattern: /config item (\S+) not found/,
    words: (m) => `PD has no config item ${m[1]} (an older or newer PD version?)`,
  },
  {
    pattern: /ErrScheduleConfigNotExist|config item not found/,
    words: () => 'the store is not in the evict-leader-scheduler list (its leaders are not being evicted)',
  },
];

/** Maps a failed PD write onto an error a user can act on; anything unknown is returned unchanged. */
export function explainPdError(action: string, err: unknown): unknown {
  if (!(err instanceof UpstreamStatusError) || err.status === undefined || err.status >= 502) {
    return err;
  }
  const pdMessage = err.upstreamMessage ?? `HTTP ${err.status}`;
  for (const rule of RULES) {
    const m = rule.pattern.exec(pdMessage);
    if (m) {
      return new ActionRefusedError(action, rule.words(m), pdMessage);
    }
  }
  return new ActionRefusedError(action, `PD answered HTTP ${err.status}`, pdMessage);
}

/**
 * Statuses a gateway in front of PD answers (bad gateway, gateway timeout) after forwarding the request: PD may
 * have applied it.
 */
const GATEWAY_STATUSES = new Set([502, 504]);

/**
 * Whether a failed write may still have been applied: PD did not answer in time, the connection broke after the
 * request went out, or a gateway in front of PD answered 502/504. Such an outcome is unknown, not failed (PD
 * applies a request it received whether or not the caller waits for the answer). "Never sent" is the upstream
 * client's own list (upstream.ts `neverSent`), the one failover also trusts.
 */
export function mayHaveApplied(err: unknown): boolean {
  if (err instanceof UpstreamTimeoutError) {
    return true;
  }
  if (err instanceof UpstreamStatusError) {
    return err.status !== undefined && GATEWAY_STATUSES.has(err.status);
  }
  if (err instanceof UpstreamUnreachableError) {
    return !neverSent(err);
  }
  return false;
}
