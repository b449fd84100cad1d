import React from 'react';
import { Button, Stack } from '@grafana/ui';

import { DataSourceChooser } from '../DataSourceChooser/DataSourceChooser';
import { copy } from '../testIds';

interface Props {
  uid?: string;
  onUidChange: (uid: string) => void;
  onRefresh: () => void;
  /** Refresh needs a data source to ask. */
  canRefresh: boolean;
  /** Page-specific controls shown after the data source picker (e.g. a time range). */
  children?: React.ReactNode;
}

/** The top row of the app pages: which TiKV Operator data source to ask, page controls, and Refresh. */
export function PageToolbar({ uid, onUidChange, onRefresh, canRefresh, children }: Props) {
  return (
    <Stack direction="row" justifyContent="space-between">
      <Stack direction="row">
        <DataSourceChooser uid={uid} onChange={onUidChange} />
        {children}
      </Stack>
      <Button icon="sync" variant="secondary" onClick={onRefresh} disabled={!canRefresh}>
        {copy.cluster.refresh}
      </Button>
    </Stack>
  );
}
