import React from 'react';
import { type AppPluginMeta, locationUtil, type PluginConfigPageProps } from '@grafana/data';
import { LinkButton, Stack, Text } from '@grafana/ui';

import { DATASOURCE_PLUGIN_ID } from '../../shared/names';
import { tikvDataSources } from '../../utils/tikvDataSource';
import { testIds } from '../testIds';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<{}>> {}

/**
 * The app keeps no settings of its own: the backend URL and tokens belong to the data source (one per cluster),
 * whose proxy routes inject the tokens. Links carry Grafana's sub-path (`root_url` `…/grafana/`: config.appSubUrl).
 */
const AppConfig = (_props: AppConfigProps) => {
  const list = tikvDataSources();
  return (
    <div data-testid={testIds.appConfig.container}>
      <Stack direction="column" gap={2}>
        <Text>
          The app reads each cluster through a TiKV Operator data source: set its backend URL and API token there.
        </Text>
        {list.length === 0 ? (
          <Text color="warning">No data source of type {DATASOURCE_PLUGIN_ID} exists yet.</Text>
        ) : (
          <ul>
            {list.map((s) => (
              <li key={s.uid}>
                <a href={locationUtil.assureBaseUrl(`/connections/datasources/edit/${s.uid}`)}>{s.name}</a>
              </li>
            ))}
          </ul>
        )}
        <div>
          <LinkButton icon="plus" href={locationUtil.assureBaseUrl('/connections/datasources/new')}>
            Add a TiKV Operator data source
          </LinkButton>
        </div>
      </Stack>
    </div>
  );
};

export default AppConfig;
