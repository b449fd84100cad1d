import React, { useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { InlineField, RadioButtonGroup, Stack, Text } from '@grafana/ui';

import { PageToolbar } from '../components/PageToolbar/PageToolbar';
import { FrameTable } from '../components/FrameTable/FrameTable';
import { QueryStatus } from '../components/QueryErrors/QueryErrors';
import { copy, testIds } from '../components/testIds';
import type { TikvQuery } from '../datasource/types';
import { fieldValues, filterRows } from '../utils/frames';
import { useQueries, useTikvDataSource } from '../utils/tikvDataSource';
import { useDataSourceParam } from '../utils/dataSourceParam';
import { storeLinks } from '../utils/storeLinks';

const QUERIES: TikvQuery[] = [{ refId: 'violations', kind: 'invariant', invariants: [], format: 'violations' }];
const TITLES = { violations: copy.invariants.history };
const RANGES = copy.invariants.ranges;

/** Active violations and every violation in a picked range ending now (live and past use the same engine). */
function Invariants() {
  const [uid, setUid] = useDataSourceParam();
  const [rangeMs, setRangeMs] = useState<number>(RANGES[0].value);
  const [tick, setTick] = useState(0);
  const { ds, error } = useTikvDataSource(uid);
  const result = useQueries(
    ds,
    QUERIES,
    () => ({ from: Date.now() - rangeMs, to: Date.now() }),
    `invariants-${uid}-${rangeMs}-${tick}`
  );

  const history = result.frames.find((f) => f.refId === 'violations');
  const active = history && filterRows(history, (row) => fieldValues(history, 'active')?.[row] === true);

  return (
    <PluginPage>
      <div data-testid={testIds.invariants.container}>
        <Stack direction="column" gap={2}>
          <PageToolbar uid={uid} onUidChange={setUid} onRefresh={() => setTick((t) => t + 1)} canRefresh={Boolean(ds)}>
            <InlineField label={copy.invariants.range}>
              <RadioButtonGroup options={[...RANGES]} value={rangeMs} onChange={setRangeMs} />
            </InlineField>
          </PageToolbar>
          <QueryStatus
            sourceError={error}
            loading={Boolean(ds) && result.loading && result.frames.length === 0}
            errors={result.errors}
            titles={TITLES}
          />
          <Text element="h3">{copy.invariants.active}</Text>
          <FrameTable
            frame={active}
            empty={copy.noViolations}
            testId={testIds.invariants.active}
            cellLink={storeLinks(active, ds?.uid ?? uid)}
          />
          <Text element="h3">{copy.invariants.history}</Text>
          <FrameTable
            frame={history}
            empty={copy.noViolations}
            testId={testIds.invariants.history}
            cellLink={storeLinks(history, ds?.uid ?? uid)}
          />
        </Stack>
      </div>
    </PluginPage>
  );
}

export default Invariants;
