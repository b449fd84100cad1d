/**
 * set_low_space_threshold: `POST /config {"low-space-ratio": r}`. PD validates every config update with
 * `0 ≤ high-space-ratio < low-space-ratio ≤ 1` (pkg/schedule/config/config.go `Validate`): equal is rejected, so
 * the preflight wants the new ratio strictly above the current high-space-ratio. It also names the stores that
 * would be low-space at once (used ratio above the new value): PD stops moving data onto those.
 */
import { isTiFlash } from '../../pd/storeState';
import { diskUsedRatio } from '../observations/stores';
import { executeAfterPreflight, makePreflight, type Steps } from './run';
import type { ActionModule, Check } from './types';

const KEY = 'low-space-ratio';

function pct(r: number): string {
  return `${+(r * 100).toFixed(2)} %`;
}

const steps: Steps<'set_low_space_threshold'> = {
  async preflight(pd, params) {
    const next = params[KEY];
    const [cfg, stores] = await Promise.all([pd.getScheduleConfig(), pd.getStores()]);
    const low = cfg.data[KEY];
    const high = cfg.data['high-space-ratio'];
    const checks: Check[] = [
      {
        name: 'above_high_space_ratio',
        ok: next > high,
        detail:
          next > high
            ? `${next} is above high-space-ratio ${high}`
            : `${next} is not above high-space-ratio ${high}; PD requires high-space-ratio < low-space-ratio (equal is rejected)`,
      },
      { name: 'at_most_one', ok: next <= 1, detail: next <= 1 ? `${next} ≤ 1` : `${next} is above 1` },
    ];
    // A store without statistics (no capacity yet) cannot be judged and is left out, as PD's own check does.
    const lowSpace = stores.data.stores
      .filter((s) => !isTiFlash(s.store) && s.store.state_name !== 'Tombstone')
      .map((s) => ({ id: s.store.id, used: diskUsedRatio(s.status.capacity, s.status.available) }))
      .filter((s) => s.used !== null && s.used > next)
      .map((s) => `store ${s.id} (${pct(s.used!)} used)`);
    checks.push({
      name: 'stores_low_space_after',
      ok: true,
      detail:
        lowSpace.length === 0
          ? `no store is above ${pct(next)} used`
          : `low-space at once (PD moves no data onto them): ${lowSpace.join(', ')}`,
    });
    const summary = `low-space-ratio would change from ${low} to ${next}: a store counts as low on space above ${pct(next)} used (high-space-ratio stays ${high})`;
    return makePreflight('set_low_space_threshold', params, cfg.pdNow, summary, checks, {
      [KEY]: low,
      'high-space-ratio': high,
    });
  },
  write: (pd, p, callerId) => pd.updateConfig({ [KEY]: p[KEY] }, { callerId }),
  async effect(pd) {
    return { [KEY]: (await pd.getScheduleConfig()).data[KEY] };
  },
};

export const setLowSpaceThreshold: ActionModule<'set_low_space_threshold'> = {
  name: 'set_low_space_threshold',
  preflight: steps.preflight,
  execute: (pd, params, ctx) => executeAfterPreflight('set_low_space_threshold', steps, pd, params, ctx),
};
