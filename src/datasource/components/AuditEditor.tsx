import React from 'react';
import { InlineField, InlineFieldRow, MultiSelect, RadioButtonGroup } from '@grafana/ui';

import {
  ACTIONS,
  AUDIT_FORMATS,
  AUDIT_OUTCOMES,
  type ActionName,
  type AuditFormat,
  type AuditOutcome,
} from '../../shared/names';
import type { KindEditorProps } from './kindEditor';
import { selectors } from './selectors';

const s = selectors.queryEditor.audit;

/** The action audit trail: which actions and outcomes, as a table or as annotations. */
export function AuditEditor({ query, subject, errorFor, onChange, fixedFormat }: KindEditorProps) {
  const actionOptions = ACTIONS.map((value) => ({
    label: selectors.actionNames[value],
    value,
    description: subject?.actions.find((a) => a.name === value)?.description ?? value,
  }));
  const outcomeOptions = AUDIT_OUTCOMES.map((value) => ({ label: selectors.outcomeNames[value], value }));
  const formats = AUDIT_FORMATS.map((value) => ({ label: s.format.options[value], value }));
  return (
    <InlineFieldRow>
      <InlineField
        label={s.actions.label}
        labelWidth={14}
        htmlFor={s.actions.id}
        invalid={Boolean(errorFor('actions'))}
        error={errorFor('actions')}
      >
        <MultiSelect<ActionName>
          inputId={s.actions.id}
          width={40}
          options={actionOptions}
          value={query.actions ?? []}
          placeholder={s.actions.placeholder}
          onChange={(picked) => onChange({ ...query, actions: picked.map((p) => p.value!) })}
        />
      </InlineField>
      <InlineField label={s.outcomes.label} htmlFor={s.outcomes.id}>
        <MultiSelect<AuditOutcome>
          inputId={s.outcomes.id}
          width={32}
          options={outcomeOptions}
          value={query.outcomes ?? []}
          placeholder={s.outcomes.placeholder}
          onChange={(picked) => onChange({ ...query, outcomes: picked.map((p) => p.value!) })}
        />
      </InlineField>
      {!fixedFormat && (
        <InlineField label={s.format.label} invalid={Boolean(errorFor('format'))} error={errorFor('format')}>
          <RadioButtonGroup<AuditFormat>
            options={formats}
            value={(query.format as AuditFormat | undefined) ?? 'table'}
            onChange={(format) => onChange({ ...query, format })}
          />
        </InlineField>
      )}
    </InlineFieldRow>
  );
}
