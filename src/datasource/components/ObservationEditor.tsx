import React from 'react';
import type { SelectableValue } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, Select } from '@grafana/ui';

import { OBSERVATIONS, type ObservationName } from '../../shared/names';
import { NumberInput } from './NumberInput';
import { selectors } from './selectors';
import type { KindEditorProps } from './kindEditor';

const s = selectors.queryEditor;

/** Observations whose answer is a ranked or truncated list, so a row limit applies (src/subject/tikv/config.ts). */
const LIMITED: ReadonlySet<ObservationName> = new Set(['get_hot_write_regions', 'get_region_health', 'get_operators']);

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
        <DurationField field="window" query={query} errorFor={errorFor} onChange={onChange} />
      )}
      {observation === FORECASTS && fixedFormat && (
        <DurationField field="horizon" query={query} errorFor={errorFor} onChange={onChange} />
      )}
    </InlineFieldRow>
  );
}

/**
 * A Prometheus duration typed as text (get_forecasts' trend `window`, forecast warnings' `horizon`), committed on
 * blur; empty = the backend's default. The backend names a bad duration, shown under the field.
 */
function DurationField({
  field,
  query,
  errorFor,
  onChange,
}: Pick<KindEditorProps, 'query' | 'errorFor' | 'onChange'> & { field: 'window' | 'horizon' }) {
  const text = s[field];
  return (
    <InlineField
      label={text.label}
      tooltip={text.tooltip}
      htmlFor={text.id}
      invalid={Boolean(errorFor(field))}
      error={errorFor(field)}
    >
      <Input
        id={text.id}
        width={12}
        defaultValue={query[field] ?? ''}
        placeholder={text.placeholder}
        onBlur={(e) => {
          const typed = e.currentTarget.value.trim();
          const value = typed === '' ? undefined : typed;
          if (value !== query[field]) {
            onChange({ ...query, [field]: value });
          }
        }}
      />
    </InlineField>
  );
}
