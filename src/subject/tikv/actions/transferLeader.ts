/**
 * transfer_leader: PD's `transfer-leader` operator (`POST /operators {name, region_id, to_store_id}`). PD only
 * accepts a target that already holds a voter of the region (else 500 "region has no voter in store N",
 * server/api/operator.go); a leader on a store that is not Up would not serve, so the preflight also wants the
 * target Up (state_name Up: not Disconnected, Down, Offline or Tombstone).
 */
import { StoreNotFoundError } from '../../../shared/errors';
import type { StoreInfo } from '../../pd/schema';
import { executeAfterPreflight, findRegion, makePreflight, type Steps } from './run';
import type { ActionModule, Check } from './types';

/** PD `GetStoreVoter`: any peer of the store that is not a learner; a witness holds no data and never leads. */
const LEARNER = 1;

const steps: Steps<'transfer_leader'> = {
  async preflight(pd, params) {
    const { region_id, to_store_id } = params;
    const { region, at } = await findRegion(pd, region_id);
    let target: StoreInfo | undefined;
    try {
      target = (await pd.getStore(to_store_id)).data;
    } catch (err) {
      if (!(err instanceof StoreNotFoundError)) {
        throw err;
      }
    }
    const checks: Check[] = [
      {
        name: 'region_exists',
        ok: region !== undefined,
        detail: region ? `region ${region_id} exists` : `region ${region_id} not found in PD`,
      },
    ];
    const peer = region?.peers.find((p) => p.store_id === to_store_id);
    const voter = peer !== undefined && peer.role !== LEARNER && !peer.is_learner && !peer.is_witness;
    if (region) {
      checks.push({
        name: 'target_holds_voter',
        ok: voter,
        detail: voter
          ? `store ${to_store_id} holds a voter peer of region ${region_id}`
          : `store ${to_store_id} holds no voter peer of region ${region_id} (its peers are on stores ${region.peers
              .map((p) => `${p.store_id}${p.role === LEARNER || p.is_learner ? ' (learner)' : ''}`)
              .join(', ')}); PD would refuse`,
      });
    }
    const state = target?.store.state_name;
    checks.push({
      name: 'target_is_up',
      ok: state === 'Up',
      detail: target ? `store ${to_store_id} is ${state}` : `store ${to_store_id} not found in PD`,
    });
    const leader = region?.leader.store_id || undefined;
    if (region) {
      checks.push({
        name: 'not_already_leader',
        ok: leader !== to_store_id,
        detail:
          leader === to_store_id
            ? `store ${to_store_id} already holds the leader of region ${region_id}`
            : `the leader of region ${region_id} is on ${leader ? `store ${leader}` : 'no known store'}`,
      });
    }
    const summary = region
      ? `PD would create a transfer-leader operator moving the leader of region ${region_id} from ${
          leader ? `store ${leader}` : 'no known store'
        } to store ${to_store_id}`
      : `the leader of region ${region_id} cannot move: the region does not exist`;
    const current = region
      ? { leader_store_id: leader ?? null, peer_store_ids: region.peers.map((p) => p.store_id) }
      : undefined;
    return makePreflight('transfer_leader', params, at, summary, checks, current);
  },
  write: (pd, p, callerId) =>
    pd.createOperator({ name: 'transfer-leader', region_id: p.region_id, to_store_id: p.to_store_id }, { callerId }),
  async effect(pd, p) {
    const { region } = await findRegion(pd, p.region_id);
    return { leader_store_id: region?.leader.store_id ?? null };
  },
};

export const transferLeader: ActionModule<'transfer_leader'> = {
  name: 'transfer_leader',
  preflight: steps.preflight,
  execute: (pd, params, ctx) => executeAfterPreflight('transfer_leader', steps, pd, params, ctx),
};
