/**
 * drain_store (pd-tikv.md §1.8, "Drain semantics"):
 * - `leaders`: `POST /schedulers {name: "evict-leader-scheduler", store_id}` — reversible and fast; leaders move
 *   to the other voters, `leader_count` goes to 0. Undo (`undo_leaders`): `DELETE /schedulers/evict-leader-scheduler-<id>`,
 *   which removes only that store from the scheduler (the scheduler goes when its list is empty).
 * - `store`: `DELETE /store/{id}` — Offline (node_state Removing), PD moves every replica away, then Tombstone.
 *   PD refuses when the Up stores left would be fewer than `max-replicas` (ErrStoresNotEnough,
 *   server/cluster/cluster.go `checkReplicaBeforeOfflineStore`); the preflight counts the same, but only stores
 *   whose state_name is Up (a Disconnected or Down store holds replicas nobody can read). Undo (`undo_store`):
 *   `POST /store/{id}/state?state=Up`, possible while the store is Offline, not once it is Tombstone.
 */
import { StoreNotFoundError } from '../../../shared/errors';
import type { StoreInfo } from '../../pd/schema';
import { isTiFlash } from '../../pd/storeState';
import { executeAfterPreflight, makePreflight, type Steps } from './run';
import type { ActionModule, ActionPd, Check, ParamsOf } from './types';
import { EVICT_LEADER_SCHEDULER } from '../observations/scheduling';

async function findStore(pd: ActionPd, id: number): Promise<{ info?: StoreInfo; at: number }> {
  try {
    const a = await pd.getStore(id);
    return { info: a.data, at: a.pdNow };
  } catch (err) {
    if (err instanceof StoreNotFoundError) {
      return { at: Date.now() };
    }
    throw err;
  }
}

function storeCheck(id: number, info: StoreInfo | undefined): Check {
  return {
    name: 'store_exists',
    ok: info !== undefined,
    detail: info ? `store ${id} (${info.store.address}) is ${info.store.state_name}` : `store ${id} not found in PD`,
  };
}

type Params = ParamsOf<'drain_store'>;

async function preflight(pd: ActionPd, params: Params) {
  const { store_id, mode } = params;
  const { info, at } = await findStore(pd, store_id);
  const checks: Check[] = [storeCheck(store_id, info)];
  const state = info?.store.state_name;
  const done = (summary: string, current?: Record<string, unknown>) =>
    makePreflight('drain_store', params, at, summary, checks, current);
  if (!info) {
    return done(`store ${store_id} cannot be drained: it does not exist`);
  }
  const counts = {
    state_name: state,
    leader_count: info.status.leader_count ?? null,
    region_count: info.status.region_count ?? null,
  };

  if (mode === 'leaders' || mode === 'undo_leaders') {
    const [schedulers, stores] = await Promise.all([pd.getSchedulers(), pd.getStores()]);
    const running = schedulers.data.includes(EVICT_LEADER_SCHEDULER);
    if (mode === 'leaders') {
      const others = stores.data.stores.filter(
        (s) => s.store.id !== store_id && !isTiFlash(s.store) && s.store.state_name === 'Up'
      );
      checks.push(
        {
          name: 'store_not_removed',
          ok: state !== 'Tombstone',
          detail: state === 'Tombstone' ? `store ${store_id} is a Tombstone` : `store ${store_id} still holds data`,
        },
        {
          name: 'other_up_stores',
          ok: others.length > 0,
          detail:
            others.length > 0
              ? `${others.length} other Up store${others.length === 1 ? '' : 's'} can take its leaders (${others.map((s) => s.store.id).join(', ')})`
              : 'no other Up store could take its leaders',
        }
      );
      return done(
        `PD would add store ${store_id} to ${EVICT_LEADER_SCHEDULER}: its ${info.status.leader_count ?? '(unknown number of)'} leaders move to other voters (watch leader_count fall to 0); regions stay where they are. Undo with mode undo_leaders`,
        { ...counts, evict_leader_scheduler: running }
      );
    }
    // Only the scheduler's own list tells which stores it evicts from: undoing another store's eviction would
    // fail in PD, and a running scheduler alone does not say this store is in it.
    checks.push({
      name: 'evict_leader_running',
      ok: running,
      detail: running
        ? `${EVICT_LEADER_SCHEDULER} is running`
        : `${EVICT_LEADER_SCHEDULER} is not running: there is nothing to undo`,
    });
    const evicted = running ? (await pd.getEvictLeaderStores()).data : [];
    if (running) {
      const listed = evicted.includes(store_id);
      checks.push({
        name: 'store_in_evict_list',
        ok: listed,
        detail: listed
          ? `${EVICT_LEADER_SCHEDULER} evicts the leaders of store ${store_id}`
          : `store ${store_id} is not in the ${EVICT_LEADER_SCHEDULER} list (${evicted.length > 0 ? `it evicts from store ${evicted.join(', ')}` : 'no store'}): there is nothing to undo for it`,
      });
    }
    return done(
      `PD would remove store ${store_id} from ${EVICT_LEADER_SCHEDULER} (the scheduler goes once no store is left in it); the balance-leader scheduler may then move leaders back`,
      { ...counts, evict_leader_scheduler: running, evict_leader_stores: evicted }
    );
  }

  if (mode === 'store') {
    const [stores, replication] = await Promise.all([pd.getStores(), pd.getReplicationConfig()]);
    const maxReplicas = replication.data['max-replicas'];
    const upLeft = stores.data.stores.filter(
      (s) => s.store.id !== store_id && !isTiFlash(s.store) && s.store.state_name === 'Up'
    ).length;
    checks.push(
      {
        name: 'store_is_serving',
        ok: state !== 'Offline' && state !== 'Tombstone',
        detail:
          state === 'Offline'
            ? `store ${store_id} is already Offline (being drained)`
            : state === 'Tombstone'
              ? `store ${store_id} is already a Tombstone`
              : `store ${store_id} is ${state}`,
      },
      {
        name: 'replicas_stay_complete',
        ok: upLeft >= maxReplicas,
        detail:
          upLeft >= maxReplicas
            ? `${upLeft} Up stores would remain for max-replicas ${maxReplicas}`
            : `the number of Up stores would drop below max-replicas ${maxReplicas} (${upLeft} would remain): regions would be under-replicated, and PD refuses (ErrStoresNotEnough)`,
      }
    );
    return done(
      `PD would mark store ${store_id} Offline and move its ${info.status.region_count ?? '(unknown number of)'} region replicas (${info.status.leader_count ?? '?'} leaders) to other stores; with none left it becomes Tombstone. Undo with mode undo_store while it is Offline`,
      { ...counts, up_stores_after: upLeft, 'max-replicas': maxReplicas }
    );
  }

  checks.push({
    name: 'store_is_offline',
    ok: state === 'Offline',
    detail:
      state === 'Offline'
        ? `store ${store_id} is Offline (being drained)`
        : state === 'Tombstone'
          ? `store ${store_id} is already a Tombstone: a finished drain cannot be undone`
          : `store ${store_id} is ${state}, not being drained: there is nothing to undo`,
  });
  return done(
    `PD would set store ${store_id} back to Up: the drain stops, replicas already moved stay where they are`,
    counts
  );
}

function write(pd: ActionPd, p: Params, callerId: string): Promise<string> {
  switch (p.mode) {
    case 'leaders':
      return pd.addScheduler({ name: EVICT_LEADER_SCHEDULER, store_id: p.store_id }, { callerId });
    case 'undo_leaders':
      return pd.removeScheduler(`${EVICT_LEADER_SCHEDULER}-${p.store_id}`, { callerId });
    case 'store':
      return pd.deleteStore(p.store_id, { callerId });
    case 'undo_store':
      return pd.setStoreState(p.store_id, 'Up', { callerId });
  }
}

async function effect(pd: ActionPd, p: Params): Promise<Record<string, unknown>> {
  if (p.mode === 'leaders' || p.mode === 'undo_leaders') {
    const schedulers = (await pd.getSchedulers()).data;
    return { schedulers, evict_leader_scheduler: schedulers.includes(EVICT_LEADER_SCHEDULER) };
  }
  const { info } = await findStore(pd, p.store_id);
  return { state_name: info?.store.state_name ?? null, node_state: info?.store.node_state ?? null };
}

const steps: Steps<'drain_store'> = { preflight, write, effect };

export const drainStore: ActionModule<'drain_store'> = {
  name: 'drain_store',
  preflight,
  execute: (pd, params, ctx) => executeAfterPreflight('drain_store', steps, pd, params, ctx),
};
