import React, { useState } from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { Alert, InlineField, InlineFieldRow, RadioButtonGroup, Stack } from '@grafana/ui';

import { AUDIT_FORMATS, INVARIANT_FORMATS, SLO_FORMATS } from '../../shared/names';
import type { DataSource } from '../datasource';
import type { QueryKind, TikvOptions, TikvQuery } from '../types';
import { AuditEditor } from './AuditEditor';
import { InvariantEditor } from './InvariantEditor';
import type { KindEditorProps } from './kindEditor';
import { ObservationEditor } from './ObservationEditor';
import { selectors } from './selectors';
import { annotationKind } from '../annotationKind';
import { SloEditor } from './SloEditor';
import { StoreFilterField } from './StoreFilterField';
import { useSubject } from './useSubject';

const s = selectors.queryEditor;

/** One editor per kind; the Record makes the compiler ask for an editor when a kind is added. */
const KIND_EDITORS: Record<QueryKind, React.ComponentType<KindEditorProps>> = {
  observation: ObservationEditor,
  invariant: InvariantEditor,
  audit: AuditEditor,
  slo: SloEditor,
};

const kindOption = (value: QueryKind) => ({ label: s.kind.options[value], value });
const KIND_OPTIONS = (Object.keys(KIND_EDITORS) as QueryKind[]).map(kindOption);
/**
 * Annotations come from invariant checks (violations), the audit trail (actions run from Grafana), or the forecasts
 * (get_forecasts' warnings within a horizon).
 */
const ANNOTATION_KIND_OPTIONS = [
  kindOption('invariant'),
  kindOption('audit'),
  { label: s.kind.forecastWarnings, value: 'observation' as const },
];
const FORMATS: Record<QueryKind, readonly string[]> = {
  observation: [],
  invariant: INVARIANT_FORMATS,
  audit: AUDIT_FORMATS,
  slo: SLO_FORMATS,
};

/** Another kind keeps the fields both share; a format the new kind does not have is dropped (its default applies). */
export function switchKind(query: TikvQuery, kind: QueryKind): TikvQuery {
  const next: TikvQuery = { ...query, kind };
  if (kind === 'observation') {
    next.observation = query.observation ?? 'get_stores';
  }
  if (next.format !== undefined && !FORMATS[kind].includes(next.format)) {
    delete next.format;
  }
  return next;
}

export type Props = QueryEditorProps<DataSource, TikvQuery, TikvOptions> & { fixedFormat?: boolean };

export function QueryEditor({ datasource, query, onChange, onRunQuery, fixedFormat }: Props) {
  const { subject, error: subjectError } = useSubject(datasource);
  // Text typed into number fields that is not a number never reaches the query; it is reported here instead.
  const [typed, setTyped] = useState<Record<string, string>>({});
  const kind: QueryKind = fixedFormat ? annotationKind(query) : (query.kind ?? 'observation');
  const problem = datasource.validate({ ...query, kind });

  const errorFor = (field: string) =>
    typed[field] !== undefined
      ? `"${typed[field]}" ${s.overrides.notANumber}`
      : problem?.field === field
        ? problem.error
        : undefined;

  const update = (next: TikvQuery) => {
    onChange(next);
    // Run only what the backend would accept; the editor shows why anything else is not run.
    if (datasource.filterQuery(next) && !datasource.validate(next)) {
      onRunQuery();
    }
  };

  const onNotANumber = (field: string, text: string | undefined) =>
    setTyped(({ [field]: _dropped, ...rest }) => (text === undefined ? rest : { ...rest, [field]: text }));

  const KindEditor = KIND_EDITORS[kind];
  return (
    <Stack direction="column" gap={0}>
      {subjectError && (
        <Alert severity="warning" title={s.subjectUnavailable}>
          {subjectError}
        </Alert>
      )}
      <InlineFieldRow>
        <InlineField
          label={s.kind.label}
          tooltip={fixedFormat ? s.kind.annotationTooltip : s.kind.tooltip}
          labelWidth={14}
        >
          <RadioButtonGroup
            options={fixedFormat ? ANNOTATION_KIND_OPTIONS : KIND_OPTIONS}
            value={kind}
            onChange={(k) =>
              update(
                fixedFormat && k === 'observation'
                  ? { ...switchKind(query, k), observation: 'get_forecasts' }
                  : switchKind(query, k)
              )
            }
          />
        </InlineField>
      </InlineFieldRow>
      <KindEditor
        query={{ ...query, kind }}
        subject={subject}
        errorFor={errorFor}
        onNotANumber={onNotANumber}
        onChange={update}
        fixedFormat={fixedFormat}
      />
      {kind !== 'audit' && (
        <StoreFilterField
          value={query.stores}
          error={errorFor('stores')}
          onChange={(stores) => update({ ...query, kind, stores })}
        />
      )}
    </Stack>
  );
}
