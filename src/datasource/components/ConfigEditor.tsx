import React, { useState } from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { InlineField, Input, SecretInput, Stack, Text } from '@grafana/ui';

import type { TikvOptions, TikvSecureJsonData } from '../types';
import { selectors } from './selectors';

const s = selectors.configEditor;

type Props = DataSourcePluginOptionsEditorProps<TikvOptions, TikvSecureJsonData>;
type Secret = keyof TikvSecureJsonData;

/** The proxy routes append `/api…` to this URL (plugin.json), so it must be an origin without path or query. */
export function isValidBackendUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.username === '' &&
      url.password === '' &&
      (url.pathname === '/' || url.pathname === '') &&
      url.search === '' &&
      url.hash === '' &&
      !text.endsWith('/')
    );
  } catch {
    return false;
  }
}

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields, secureJsonData } = options;
  const [touched, setTouched] = useState(false);
  const backendUrl = jsonData.backendUrl ?? '';
  const urlError = touched && !isValidBackendUrl(backendUrl) ? s.backendUrl.invalid : undefined;

  const setSecret = (key: Secret, value: string) =>
    onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, [key]: value } });
  // Reset forgets the stored secret: Grafana deletes a secure field that is unset and no longer marked configured.
  const resetSecret = (key: Secret) =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, [key]: false },
      secureJsonData: { ...secureJsonData, [key]: '' },
    });

  const secret = (key: Secret) => (
    <InlineField label={s[key].label} tooltip={s[key].tooltip} labelWidth={18} htmlFor={s[key].id}>
      <SecretInput
        id={s[key].id}
        width={48}
        isConfigured={Boolean(secureJsonFields?.[key])}
        value={secureJsonData?.[key] ?? ''}
        placeholder={s[key].placeholder}
        onChange={(e) => setSecret(key, e.currentTarget.value)}
        onReset={() => resetSecret(key)}
      />
    </InlineField>
  );

  return (
    <Stack direction="column" gap={1}>
      <Text color="secondary">{s.help}</Text>
      <InlineField
        label={s.backendUrl.label}
        tooltip={s.backendUrl.tooltip}
        labelWidth={18}
        htmlFor={s.backendUrl.id}
        invalid={Boolean(urlError)}
        error={urlError}
        required
      >
        <Input
          id={s.backendUrl.id}
          width={48}
          value={backendUrl}
          placeholder={s.backendUrl.placeholder}
          onChange={(e) =>
            onOptionsChange({ ...options, jsonData: { ...jsonData, backendUrl: e.currentTarget.value.trim() } })
          }
          onBlur={() => setTouched(true)}
        />
      </InlineField>
      {secret('apiToken')}
      {secret('actionsToken')}
    </Stack>
  );
}
