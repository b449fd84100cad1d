/**
 * split_region: PD's `split-region` operator (`POST /operators {name, region_id, policy, keys?}`, pd-tikv.md §1.7).
 * `scan` and `approximate` let TiKV pick the middle key; `usekey` splits at the given keys, which are upper-case hex
 * of raw keys like the region's own `start_key`/`end_key`: a key on or outside the region's boundaries splits
 * nothing, so the preflight refuses it. PD sends the split to the region's leader, so a leaderless region cannot
 * split.
 */
import { executeAfterPreflight, findRegion, makePreflight, type Steps } from './run';
import type { ActionModule, Check } from './types';

/** Upper-case hex strings of whole bytes order exactly like the bytes (`""` end = +inf). */
function insideRange(key: string, start: string, end: string): boolean {
  return key > start && (end === '' || key < end);
}

function show(key: string): string {
  return key === '' ? '(unbounded)' : key.length > 40 ? `${key.slice(0, 40)}…` : key;
}

const steps: Steps<'split_region'> = {
  async preflight(pd, params) {
    const { region_id, policy } = params;
    const { region, at } = await findRegion(pd, region_id);
    const checks: Check[] = [
      {
        name: 'region_exists',
        ok: region !== undefined,
        detail: region ? `region ${region_id} exists` : `region ${region_id} not found in PD`,
      },
    ];
    if (!region) {
      return makePreflight(
        'split_region',
        params,
        at,
        `region ${region_id} cannot be split: it does not exist`,
        checks
      );
    }
    const start = region.start_key.toUpperCase();
    const end = region.end_key.toUpperCase();
    checks.push({
      name: 'region_has_leader',
      ok: region.leader.store_id !== 0,
      detail:
        region.leader.store_id !== 0
          ? `region ${region_id} has its leader on store ${region.leader.store_id}`
          : `region ${region_id} has no known leader; PD sends the split to the leader`,
    });
    const keys = (params.keys ?? []).map((k) => k.toUpperCase());
    if (policy === 'usekey') {
      const odd = keys.filter((k) => k.length % 2 !== 0);
      checks.push({
        name: 'keys_are_whole_bytes',
        ok: odd.length === 0,
        detail:
          odd.length === 0
            ? 'every key is whole bytes of hex'
            : `keys with an odd number of hex digits: ${odd.map(show).join(', ')}`,
      });
      const outside = keys.filter((k) => !insideRange(k, start, end));
      checks.push({
        name: 'keys_inside_region',
        ok: outside.length === 0,
        detail:
          outside.length === 0
            ? `every key lies strictly inside region ${region_id} [${show(start)}, ${show(end)})`
            : `keys not strictly inside region ${region_id} [${show(start)}, ${show(end)}): ${outside.map(show).join(', ')}`,
      });
    }
    const how =
      policy === 'usekey'
        ? `at ${keys.length} key${keys.length === 1 ? '' : 's'} into ${new Set(keys).size + 1} regions`
        : `in two at the middle key TiKV finds by ${policy === 'scan' ? 'scanning the region' : 'its approximate size'}`;
    const summary = `PD would create a split-region operator splitting region ${region_id} (${region.approximate_size} MiB, ${region.approximate_keys} keys) ${how}; the rightmost part keeps id ${region_id}`;
    const current = {
      start_key: region.start_key,
      end_key: region.end_key,
      version: region.epoch.version,
      approximate_size: region.approximate_size,
      approximate_keys: region.approximate_keys,
    };
    return makePreflight('split_region', params, at, summary, checks, current);
  },
  write: (pd, p, callerId) =>
    pd.createOperator(
      {
        name: 'split-region',
        region_id: p.region_id,
        policy: p.policy,
        ...(p.keys ? { keys: p.keys.map((k) => k.toUpperCase()) } : {}),
      },
      { callerId }
    ),
  async effect(pd, p) {
    const { region } = await findRegion(pd, p.region_id);
    return region
      ? { start_key: region.start_key, end_key: region.end_key, version: region.epoch.version }
      : { region: null };
  },
};

export const splitRegion: ActionModule<'split_region'> = {
  name: 'split_region',
  preflight: steps.preflight,
  execute: (pd, params, ctx) => executeAfterPreflight('split_region', steps, pd, params, ctx),
};
