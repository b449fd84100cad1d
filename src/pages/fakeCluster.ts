/** A backend answer for the app pages' queries, and Grafana's DataSourceSrv holding one TiKV Operator data source. */
import type { FakeAnswer } from '../datasource/testing/fakeGrafana';
import { installDataSource } from '../datasource/testing/installDataSource';

export const NOW = Date.now();

export const FRAMES: Record<string, object> = {
  get_stores: {
    schema: {
      fields: [
        { name: 'store_id', type: 'number' },
        { name: 'address', type: 'string' },
        { name: 'state_name', type: 'string' },
        { name: 'heartbeat_age', type: 'number', config: { unit: 's' } },
        { name: 'used_size', type: 'number', config: { unit: 'bytes' } },
        { name: 'leader_count', type: 'number' },
        { name: 'region_count', type: 'number' },
      ],
    },
    data: {
      values: [
        [1, 4],
        ['tikv-1:20160', 'tikv-4:20160'],
        ['Up', 'Disconnected'],
        [2, 45],
        [1073741824, 2147483648],
        [340, 0],
        [1000, 998],
      ],
    },
  },
  get_region_health: {
    schema: {
      name: 'region health',
      fields: [
        { name: 'kind', type: 'string' },
        { name: 'count', type: 'number' },
      ],
    },
    data: {
      values: [
        ['miss-peer', 'down-peer'],
        [0, 12],
      ],
    },
  },
  get_hot_write_regions: {
    schema: {
      name: 'hot_write_regions',
      fields: [
        { name: 'region_id', type: 'number', config: { displayName: 'Region' } },
        { name: 'leader_store_id', type: 'number', config: { displayName: 'Leader store' } },
        { name: 'peer_store_ids', type: 'string', config: { displayName: 'Peer stores' } },
      ],
    },
    data: {
      values: [
        [12, 30],
        [1, 4],
        ['1, 4, 5', '4, 1, 5'],
      ],
    },
  },
  invariant: {
    schema: {
      fields: [
        { name: 'store_id', type: 'number' },
        { name: 'address', type: 'string' },
        { name: 'invariant', type: 'string' },
        { name: 'severity', type: 'string' },
        { name: 'first_seen', type: 'time' },
        { name: 'last_seen', type: 'time' },
        { name: 'active', type: 'boolean' },
        { name: 'value', type: 'number' },
        { name: 'threshold', type: 'number' },
      ],
    },
    data: {
      values: [
        [4, 1],
        ['tikv-4:20160', 'tikv-1:20160'],
        ['store_down', 'high_latency'],
        ['critical', 'warning'],
        [NOW - 60_000, NOW - 3_000_000],
        [NOW, NOW - 2_000_000],
        [true, false],
        [45, 0.25],
        [20, 0.1],
      ],
    },
  },
};

interface Query {
  refId: string;
  kind: string;
  observation?: string;
}

/** Answers each query of `POST /api/query` with its frame; `fail` gives chosen refIds an error instead. */
export function installCluster(fail: Record<string, string> = {}, answer?: FakeAnswer) {
  const fake = installDataSource((req) => {
    if (answer) {
      return answer;
    }
    const results = Object.fromEntries(
      (req.data.queries as Query[]).map((q) => [
        q.refId,
        fail[q.refId]
          ? { frames: [], error: fail[q.refId], status: 502 }
          : { frames: [JSON.parse(JSON.stringify(FRAMES[q.observation ?? q.kind]))] },
      ])
    );
    return { status: 200, data: { results } };
  });
  return fake.calls;
}
