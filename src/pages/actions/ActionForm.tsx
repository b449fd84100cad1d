import React from 'react';
import { Field, Input, RadioButtonGroup, Stack } from '@grafana/ui';

import type { ActionName } from '../../shared/names';
import { copy } from '../../components/testIds';
import { ACTION_FIELDS, type FormValues } from './actionFields';

interface Props {
  action: ActionName;
  values: FormValues;
  /** The field the last Check found wrong, with its message. */
  problem?: { field: string; error: string };
  onChange: (values: FormValues) => void;
}

/** One field per PD parameter of the action, labelled with PD's own name. */
export function ActionForm({ action, values, problem, onChange }: Props) {
  const set = (name: string, value: string) => onChange({ ...values, [name]: value });
  return (
    <Stack direction="row" gap={2} wrap="wrap">
      {ACTION_FIELDS[action].map((f) => {
        if (f.type === 'keys' && !f.when(values)) {
          return null;
        }
        // `tikv-action-param-…`: PD parameter names (`name`) must not collide with the page's own ids.
        const id = `tikv-action-param-${f.name}`;
        const error = problem?.field === f.name ? problem.error : undefined;
        return (
          <Field
            key={f.name}
            label={f.name}
            description={f.hint}
            htmlFor={f.type === 'choice' ? undefined : id}
            invalid={Boolean(error)}
            error={error}
          >
            {f.type === 'choice' ? (
              <RadioButtonGroup
                options={f.options.map((value) => ({ label: copy.actions.modes[value] ?? value, value }))}
                value={values[f.name]}
                onChange={(v) => set(f.name, v)}
              />
            ) : (
              <Input
                id={id}
                width={f.type === 'keys' ? 48 : f.type === 'text' ? 32 : 20}
                value={values[f.name] ?? ''}
                inputMode={f.type === 'number' ? 'decimal' : undefined}
                onChange={(e) => set(f.name, e.currentTarget.value)}
              />
            )}
          </Field>
        );
      })}
    </Stack>
  );
}
