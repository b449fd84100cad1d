import React, { useEffect, useState } from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { InlineField, Input, SecretInput, Stack, Text } from '@grafana/ui';
import { lastValueFrom } from 'rxjs';

import { SubjectDescription } from '../../shared/schema/subject';
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

/**
 * The backend's clusters, read through the saved data source's proxy route (`GET /api/subject`); undefined until it
 * answers (a new, unsaved data source has no route yet).
 */
function useServedClusters(
  uid: string | undefined,
  hasBackend: boolean,
  version: number | undefined
): string[] | undefined {
  const [names, setNames] = useState<string[]>();
  useEffect(() => {
    if (!uid || !hasBackend) {
      return;
    }
    let live = true;
    // Inside the chain: a missing backendSrv (a harness without Grafana) is a failed listing, not a render error.
    Promise.resolve()
      .then(() =>
        lastValueFrom(
          getBackendSrv().fetch<unknown>({
            url: `/api/datasources/proxy/uid/${uid}/api/subject`,
            method: 'GET',
            showErrorAlert: false,
          })
        )
      )
      .then((r) => SubjectDescription.parse(r.data).clusters.map((c) => c.name))
      .then((n) => live && setNames(n))
      .catch(() => live && setNames(undefined));
    return () => {
      live = false;
    };
    // Asked again on save (the version goes up), not on each keystroke: the proxy route uses the saved URL.
  }, [uid, hasBackend, version]);
  return names;
}

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields, secureJsonData } = options;
  const [touched, setTouched] = useState(false);
  const backendUrl = jsonData.backendUrl ?? '';
  const urlError = touched && !isValidBackendUrl(backendUrl) ? s.backendUrl.invalid : undefined;
  const served = useServedClusters(options.uid, backendUrl !== '', options.version);

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
      <InlineField label={s.cluster.label} tooltip={s.cluster.tooltip} labelWidth={18} htmlFor={s.cluster.id}>
        <Input
          id={s.cluster.id}
          width={48}
          list={s.cluster.listId}
          value={jsonData.cluster ?? ''}
          placeholder={s.cluster.placeholder}
          onChange={(e) =>
            onOptionsChange({ ...options, jsonData: { ...jsonData, cluster: e.currentTarget.value.trim() } })
          }
        />
      </InlineField>
      <datalist id={s.cluster.listId}>
        {(served ?? []).map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <Text color="secondary">{served ? `${s.cluster.served}${served.join(', ')}` : s.cluster.unsaved}</Text>
    </Stack>
  );
}
