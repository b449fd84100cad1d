import React, { useState } from 'react';
import { InlineField, Input } from '@grafana/ui';

import { selectors } from './selectors';

const s = selectors.queryEditor.stores;

interface Props {
  value?: string;
  error?: string;
  onChange: (stores: string | undefined) => void;
}

/** Store ids or template variables; committed on blur (a text input must not run a query per keystroke). */
export function StoreFilterField({ value, error, onChange }: Props) {
  const [text, setText] = useState(value ?? '');
  const [shown, setShown] = useState(value);
  if (value !== shown) {
    setShown(value);
    setText(value ?? '');
  }
  return (
    <InlineField
      label={s.label}
      tooltip={s.tooltip}
      labelWidth={14}
      htmlFor={s.id}
      invalid={Boolean(error)}
      error={error}
    >
      <Input
        id={s.id}
        width={32}
        value={text}
        placeholder={s.placeholder}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={() => {
          const next = text.trim() === '' ? undefined : text.trim();
          if (next !== value) {
            onChange(next);
          }
        }}
      />
    </InlineField>
  );
}
