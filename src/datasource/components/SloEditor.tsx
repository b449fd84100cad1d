import React from 'react';
import { InlineField, InlineFieldRow, MultiSelect, RadioButtonGroup } from '@grafana/ui';

import { SLO_FORMATS, SLOS, type SloFormat, type SloName } from '../../shared/names';
import type { KindEditorProps } from './kindEditor';
import { selectors } from './selectors';

const s = selectors.queryEditor.slo;

/** SLO error budgets: which SLOs (each described with its objective and window), as a table or over time. */
export function SloEditor({ query, subject, errorFor, onChange }: KindEditorProps) {
  const options = SLOS.map((value) => {
    const d = subject?.slos.find((x) => x.name === value);
    return {
      label: s.names[value],
      value,
      description: d
        ? `${d.description} — objective ${Number((d.objective * 100).toPrecision(10))} % over ${d.window}`
        : value,
    };
  });
  const formats = SLO_FORMATS.map((value) => ({ label: s.format.options[value], value }));
  return (
    <InlineFieldRow>
      <InlineField
        label={s.slos.label}
        labelWidth={14}
        htmlFor={s.slos.id}
        invalid={Boolean(errorFor('slos'))}
        error={errorFor('slos')}
      >
        <MultiSelect<SloName>
          inputId={s.slos.id}
          width={48}
          options={options}
          value={query.slos ?? []}
          placeholder={s.slos.placeholder}
          onChange={(picked) => onChange({ ...query, slos: picked.map((p) => p.value!) })}
        />
      </InlineField>
      <InlineField
        label={s.format.label}
        tooltip={s.format.tooltip}
        invalid={Boolean(errorFor('format'))}
        error={errorFor('format')}
      >
        <RadioButtonGroup<SloFormat>
          options={formats}
          value={(query.format as SloFormat | undefined) ?? 'budget'}
          onChange={(format) => onChange({ ...query, format })}
        />
      </InlineField>
    </InlineFieldRow>
  );
}
