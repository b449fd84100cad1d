import React from 'react';
import type { SelectableValue } from '@grafana/data';
import { ControlledCollapse, InlineField, InlineFieldRow, MultiSelect, RadioButtonGroup, Text } from '@grafana/ui';

import { INVARIANT_FORMATS, INVARIANTS, type InvariantName } from '../../shared/names';
import type { InvariantOverrides } from '../../shared/schema/query';
import type { SubjectDescription } from '../../shared/schema/subject';
import type { KindEditorProps } from './kindEditor';
import { NumberInput } from './NumberInput';
import { selectors } from './selectors';

const s = selectors.queryEditor;

type OverrideKey = keyof typeof s.overrides.fields;
type Defaults = SubjectDescription['invariants'][number];

/** The subject's default for one override field, in that field's unit (the subject states its own unit). */
function defaultFor(key: OverrideKey, d: Defaults | undefined): string | undefined {
  if (!d) {
    return undefined;
  }
  const [, field] = key.split('.');
  if (field === 'graceSeconds') {
    return String(d.graceSeconds);
  }
  if (field === 'thresholdMs' && /^s(econds?)?$/.test(d.thresholdUnit)) {
    return String(Math.round(d.threshold * 1000 * 1000) / 1000);
  }
  return String(d.threshold);
}

function overrideValue(overrides: InvariantOverrides | undefined, key: OverrideKey): number | undefined {
  const [invariant, field] = key.split('.') as [keyof InvariantOverrides, string];
  return (overrides?.[invariant] as Record<string, number | undefined> | undefined)?.[field];
}

/** Sets or clears one override; empty objects are dropped so the saved query stays minimal. */
export function setOverride(
  overrides: InvariantOverrides | undefined,
  key: OverrideKey,
  value: number | undefined
): InvariantOverrides | undefined {
  const [invariant, field] = key.split('.') as [keyof InvariantOverrides, string];
  const section: Record<string, number> = { ...(overrides?.[invariant] as Record<string, number> | undefined) };
  if (value === undefined) {
    delete section[field];
  } else {
    section[field] = value;
  }
  const next: Record<string, unknown> = { ...overrides, [invariant]: section };
  if (Object.keys(section).length === 0) {
    delete next[invariant];
  }
  return Object.keys(next).length > 0 ? (next as InvariantOverrides) : undefined;
}

export function InvariantEditor({ query, subject, errorFor, onNotANumber, onChange, fixedFormat }: KindEditorProps) {
  const options: Array<SelectableValue<InvariantName>> = INVARIANTS.map((name) => {
    const d = subject?.invariants.find((i) => i.name === name);
    return {
      label: selectors.invariantNames[name],
      value: name,
      description: d ? `${d.severity}: ${d.description}` : name,
    };
  });
  const formats = INVARIANT_FORMATS.map((value) => ({ label: s.format.options[value], value }));
  const overrideKeys = Object.keys(s.overrides.fields) as OverrideKey[];
  return (
    <>
      <InlineFieldRow>
        <InlineField label={s.invariants.label} labelWidth={14} htmlFor={s.invariants.id}>
          <MultiSelect
            inputId={s.invariants.id}
            width={48}
            options={options}
            value={query.invariants ?? []}
            placeholder={s.invariants.placeholder}
            onChange={(picked) => onChange({ ...query, invariants: picked.map((p) => p.value!) })}
          />
        </InlineField>
        {!fixedFormat && (
          <InlineField label={s.format.label}>
            <RadioButtonGroup
              options={formats}
              value={query.format ?? 'violations'}
              onChange={(format) => onChange({ ...query, format })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      <ControlledCollapse label={s.overrides.label} isOpen={query.overrides !== undefined}>
        <Text color="secondary">{s.overrides.hint}</Text>
        <InlineFieldRow>
          {overrideKeys.map((key) => {
            const field = `overrides.${key}`;
            const error = errorFor(field);
            const d = subject?.invariants.find((i) => i.name === key.split('.')[0]);
            return (
              <InlineField
                key={key}
                label={s.overrides.fields[key].label}
                labelWidth={24}
                htmlFor={s.overrides.fields[key].id}
                invalid={Boolean(error)}
                error={error}
              >
                <NumberInput
                  id={s.overrides.fields[key].id}
                  value={overrideValue(query.overrides, key)}
                  placeholder={defaultFor(key, d)}
                  invalid={Boolean(error)}
                  onNotANumber={(text) => onNotANumber(field, text)}
                  onCommit={(value) => onChange({ ...query, overrides: setOverride(query.overrides, key, value) })}
                />
              </InlineField>
            );
          })}
        </InlineFieldRow>
      </ControlledCollapse>
    </>
  );
}
