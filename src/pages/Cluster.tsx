import React, { useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { LinkButton, Stack, Text } from '@grafana/ui';

import { PageToolbar } from '../components/PageToolbar/PageToolbar';
import { FrameTable } from '../components/FrameTable/FrameTable';
import { QueryStatus } from '../components/QueryErrors/QueryErrors';
import { copy, testIds } from '../components/testIds';
import { ROUTES } from '../constants';
import type { TikvQuery } from '../datasource/types';
import { activeViolationsByStore, filterRows, fieldValues, withViolationCounts } from '../utils/frames';
import { useQueries, useTikvDataSource } from '../utils/tikvDataSource';
import { canRunActions } from '../utils/permissions';
import { useDataSourceParam, withDataSource } from '../utils/dataSourceParam';
import { actionLink, prefixRoute } from '../utils/utils.routing';
import { storeLinks } from '../utils/storeLinks';

const QUERIES: TikvQuery[] = [
  { refId: 'stores', kind: 'observation', observation: 'get_stores' },
  { refId: 'regions', kind: 'observation', observation: 'get_region_health' },
  { refId: 'hot', kind: 'observation', observation: 'get_hot_write_regions', limit: 10 },
  { refId: 'violations', kind: 'invariant', invariants: [], format: 'violations' },
];
const TITLES = {
  stores: copy.cluster.stores,
  regions: copy.cluster.regionHealth,
  hot: copy.cluster.hotRegions,
  violations: copy.cluster.violations,
};
/** Live violations: an invariant query ending now reports what is active now (the grace window fits in it). */
const LIVE_WINDOW_MS = 5 * 60_000;

/** A row's link to the Actions page, prefilled (the page checks before anything runs). */
function RowActionLink({ href, label }: { href: string; label: string }) {
  return (
    <LinkButton size="sm" variant="secondary" fill="text" href={href}>
      {label}
    </LinkButton>
  );
}

function Cluster() {
  const [uid, setUid] = useDataSourceParam();
  const [tick, setTick] = useState(0);
  const { ds, error } = useTikvDataSource(uid);
  const result = useQueries(
    ds,
    QUERIES,
    () => ({ from: Date.now() - LIVE_WINDOW_MS, to: Date.now() }),
    `cluster-${uid}-${tick}`
  );

  const of = (refId: string) => result.frames.filter((f) => f.refId === refId);
  const violations = of('violations');
  const active = violations.map((f) => filterRows(f, (row) => fieldValues(f, 'active')?.[row] === true));
  const stores = of('stores')[0];
  const hot = of('hot')[0];
  const storeIds = fieldValues(stores, 'store_id') ?? [];
  const storeStates = fieldValues(stores, 'state_name') ?? [];
  // Only what the user can do is offered: actions need the Admin role, and a Tombstone store is gone for good.
  const actions = canRunActions();
  const hotRegionIds = fieldValues(hot, 'region_id') ?? [];

  return (
    <PluginPage>
      <div data-testid={testIds.cluster.container}>
        <Stack direction="column" gap={2}>
          <PageToolbar
            uid={uid}
            onUidChange={setUid}
            onRefresh={() => setTick((t) => t + 1)}
            canRefresh={Boolean(ds)}
          />
          <QueryStatus
            sourceError={error}
            loading={Boolean(ds) && result.loading && result.frames.length === 0}
            errors={result.errors}
            titles={TITLES}
          />
          <Text element="h3">{copy.cluster.stores}</Text>
          <FrameTable
            frame={stores && withViolationCounts(stores, activeViolationsByStore(violations))}
            empty={copy.noRows}
            testId={testIds.cluster.stores}
            cellLink={storeLinks(stores, ds?.uid ?? uid)}
            rowAction={
              actions
                ? (row) =>
                    storeStates[row] === 'Tombstone' ? null : (
                      <RowActionLink
                        href={withDataSource(actionLink('drain_store', { store_id: Number(storeIds[row]) }), uid)}
                        label={copy.cluster.drain}
                      />
                    )
                : undefined
            }
          />
          <Text element="h3">{copy.cluster.regionHealth}</Text>
          <div data-testid={testIds.cluster.regionHealth}>
            {of('regions').map((frame, i) => (
              <FrameTable key={frame.name ?? i} frame={frame} empty={copy.noRows} />
            ))}
          </div>
          <Text element="h3">{copy.cluster.hotRegions}</Text>
          <FrameTable
            frame={hot}
            empty={copy.noRows}
            testId={testIds.cluster.hotRegions}
            cellLink={storeLinks(hot, ds?.uid ?? uid)}
            rowAction={
              actions
                ? (row) => (
                    <RowActionLink
                      href={withDataSource(actionLink('transfer_leader', { region_id: Number(hotRegionIds[row]) }), uid)}
                      label={copy.cluster.transferLeader}
                    />
                  )
                : undefined
            }
          />
          <Text element="h3">{copy.cluster.violations}</Text>
          <FrameTable
            frame={active[0]}
            empty={copy.noViolations}
            testId={testIds.cluster.violations}
            cellLink={storeLinks(active[0], ds?.uid ?? uid)}
          />
          <div>
            <LinkButton
              variant="secondary"
              fill="text"
              icon="history"
              href={withDataSource(prefixRoute(ROUTES.Invariants), uid)}
            >
              {copy.cluster.history}
            </LinkButton>
          </div>
        </Stack>
      </div>
    </PluginPage>
  );
}

export default Cluster;
