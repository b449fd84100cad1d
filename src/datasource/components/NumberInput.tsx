import React, { useState } from 'react';
import { Input } from '@grafana/ui';

interface Props {
  id: string;
  value?: number;
  placeholder?: string;
  width?: number;
  invalid?: boolean;
  /** Called on blur with the parsed number (undefined when emptied); not called while the text is not a number. */
  onCommit: (value: number | undefined) => void;
  onNotANumber: (text: string | undefined) => void;
}

/** A text input for a number that commits on blur, as Grafana's editors do for typed values. */
export function NumberInput({ id, value, placeholder, width = 12, invalid, onCommit, onNotANumber }: Props) {
  const [text, setText] = useState(value === undefined ? '' : String(value));
  // A new value from outside (undo, another editor) replaces what was typed (React: "adjusting state on prop change").
  const [shown, setShown] = useState(value);
  if (value !== shown) {
    setShown(value);
    setText(value === undefined ? '' : String(value));
  }

  const commit = () => {
    const trimmed = text.trim();
    const parsed = trimmed === '' ? undefined : Number(trimmed);
    if (parsed !== undefined && !Number.isFinite(parsed)) {
      onNotANumber(trimmed);
      return;
    }
    onNotANumber(undefined);
    if (parsed !== value) {
      onCommit(parsed);
    }
  };

  return (
    <Input
      id={id}
      width={width}
      value={text}
      placeholder={placeholder}
      invalid={invalid}
      onChange={(e) => setText(e.currentTarget.value)}
      onBlur={commit}
    />
  );
}
