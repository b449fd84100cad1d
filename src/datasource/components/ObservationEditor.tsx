import React from 'react';
import type { SelectableValue } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, Select } from '@grafana/ui';

import { OBSERVATIONS, type ObservationName } from '../../shared/names';
import { NumberInput } from './NumberInput';
import { selectors } from './selectors';
import type { KindEditorProps } from './kindEditor';

const s = selectors.queryEditor;

/** Observations whose answer is a ranked or truncated list, so a row limit applies (src/subject/tikv/config.ts). */
const LIMITED: ReadonlySet<ObservationName> = new Set([
  'get_hot_write_regions',
  'get_region_health',
  'get_operators',
]);

/** The observation with a trend window (`window`, default 6h). */
const FORECASTS: ObservationName = 'get_forecasts';

export function ObservationEditor({ query, subject, errorFor, onNotANumber, onChange, fixedFormat }: KindEditorProps) {
  const options: Array<SelectableValue<ObservationName>> = OBSERVATIONS.map((name) => ({
    label: name,
    value: name,
    description: subject?.observations.find((o) => o.name === name)?.description,
  }));
  const observation = query.observation;
  return (
    <InlineFieldRow>
      <InlineField
        label={s.observation.label}
        labelWidth={14}
        htmlFor={s.observation.id}
        invalid={Boolean(errorFor('observation'))}
        error={errorFor('observation')}
      >
        <Select
          inputId={s.observation.id}
          width={32}
          options={options}
          value={observation ?? null}
          placeholder={s.observation.placeholder}
          onChange={(v) =>
            onChange({
              ...query,
              observation: v.value,
              limit: v.value && LIMITED.has(v.value) ? query.limit : undefined,
              window: v.value === FORECASTS ? query.window : undefined,
              horizon: v.value === FORECASTS ? query.horizon : undefined,
            })
          }
        />
      </InlineField>
      {observation && LIMITED.has(observation) && (
        <InlineField
          label={s.limit.label}
          tooltip={s.limit.tooltip}
          htmlFor={s.limit.id}
          invalid={Boolean(errorFor('limit'))}
          error={errorFor('limit')}
        >
          <NumberInput
            id={s.limit.id}
            value={query.limit}
            placeholder={s.limit.placeholder}
            invalid={Boolean(errorFor('limit'))}
            onNotANumber={(text) => onNotANumber('limit', text)}
            onCommit={(limit) => onChange({ ...query, limit })}
          />
        </InlineField>
      )}
      {observation === FORECASTS && (
        <InlineField
          label={s.window.label}
          tooltip={s.window.tooltip}
          htmlFor={s.window.id}
          invalid={Boolean(errorFor('window'))}
          error={errorFor('window')}
        >
          <Input
            id={s.window.id}
            width={12}
            defaultValue={query.window ?? ''}
            placeholder={s.window.placeholder}
            onBlur={(e) => {
              const text = e.currentTarget.value.trim();
              const window = text === '' ? undefined : text;
              if (window !== query.window) {
                onChange({ ...query, window });
              }
            }}
          />
        </InlineField>
      )}
      {observation === FORECASTS && fixedFormat && (
        <InlineField
          label={s.horizon.label}
          tooltip={s.horizon.tooltip}
          htmlFor={s.horizon.id}
          invalid={Boolean(errorFor('horizon'))}
          error={errorFor('horizon')}
        >
          <Input
            id={s.horizon.id}
            width={12}
            defaultValue={query.horizon ?? ''}
            placeholder={s.horizon.placeholder}
            onBlur={(e) => {
              const text = e.currentTarget.value.trim();
              const horizon = text === '' ? undefined : text;
              if (horizon !== query.horizon) {
                onChange({ ...query, horizon });
              }
            }}
          />
        </InlineField>
      )}
    </InlineFieldRow>
  );
}
