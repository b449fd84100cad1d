/**
 * PD's stores for the queries Prometheus answers by instance (invariant history, SLOs): PD names the stores behind
 * the instances and lists the stores that should serve. Without PD those queries still answer, by instance, with a
 * warning. And the notices a history report brings, as the frames' notices.
 *
 *   historyStores(c, {signal, onPdError}, notices): {directory?, entities, stores?}
 *   reportNotices(notices, {notices, warnings})
 */
import { describeError } from '../../shared/errors';
import type { StoreInfo } from '../../subject/pd/schema';
import { expectedToServe, isTiFlash } from '../../subject/pd/storeState';
import type { Notice } from '../../subject/tikv/frames/build';
import { InstanceDirectory } from '../../subject/tikv/instances';
import type { ClusterParts } from '../clusters';

export async function historyStores(
  c: Pick<ClusterParts, 'pd' | 'config'>,
  o: { signal?: AbortSignal; onPdError: () => void },
  notices: Notice[]
): Promise<{
  directory?: InstanceDirectory;
  entities: Array<{ store_id: number; address: string }>;
  stores?: StoreInfo[];
}> {
  try {
    const stores = (await c.pd.getStores({ states: ['Up', 'Offline', 'Tombstone'] }, { signal: o.signal })).data.stores;
    return {
      directory: new InstanceDirectory(stores, c.config.instanceMapping),
      entities: stores
        .filter((s) => expectedToServe(s.store, isTiFlash(s.store), c.config.includeTiFlash))
        .map((s) => ({ store_id: s.store.id, address: s.store.address })),
      stores,
    };
  } catch (err) {
    o.onPdError();
    notices.push({ severity: 'warning', text: `store ids unknown, shown by instance: ${describeError(err)}` });
    return { entities: [] };
  }
}

/** A report's notices (what the data could not answer) as warnings, Prometheus' own warnings as information. */
export function reportNotices(notices: Notice[], r: { notices: string[]; warnings: string[] }): void {
  notices.push(...r.notices.map((text): Notice => ({ severity: 'warning', text })));
  notices.push(...r.warnings.map((text): Notice => ({ severity: 'info', text: `Prometheus: ${text}` })));
}
