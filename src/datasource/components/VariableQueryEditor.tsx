import React from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { InlineField, RadioButtonGroup } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { type TikvOptions, type TikvQuery, type TikvVariableQuery, VARIABLE_VALUES } from '../types';
import { selectors } from './selectors';

const s = selectors.variableEditor.values;
const OPTIONS = VARIABLE_VALUES.map((value) => ({ label: s.options[value], value }));

type Props = QueryEditorProps<DataSource, TikvQuery, TikvOptions, TikvVariableQuery>;

export function VariableQueryEditor({ query, onChange }: Props) {
  return (
    <InlineField label={s.label} labelWidth={14}>
      <RadioButtonGroup
        options={OPTIONS}
        value={query.values ?? 'stores'}
        onChange={(values) => onChange({ ...query, values })}
      />
    </InlineField>
  );
}
