import React from 'react';
import { InlineField, Select } from '@grafana/ui';

import { tikvDataSources } from '../../utils/tikvDataSource';
import { copy } from '../testIds';

interface Props {
  uid?: string;
  onChange: (uid: string) => void;
}

/** Lets the user pick among several TiKV Operator data sources (one per cluster); hidden when there is one. */
export function DataSourceChooser({ uid, onChange }: Props) {
  const list = tikvDataSources();
  if (list.length < 2) {
    return null;
  }
  const current = uid ?? (list.find((s) => s.isDefault) ?? list[0]).uid;
  return (
    <InlineField label={copy.dataSource} htmlFor="tikv-app-datasource">
      <Select
        inputId="tikv-app-datasource"
        width={32}
        options={list.map((s) => ({ label: s.name, value: s.uid }))}
        value={current}
        onChange={(v) => v.value && onChange(v.value)}
      />
    </InlineField>
  );
}
