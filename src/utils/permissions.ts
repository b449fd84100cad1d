/**
 * What the signed-in user may do. The data source's `api/actions` route needs the Admin role (its `reqRole` in
 * src/datasource/plugin.json; Grafana's data source proxy also lets a Grafana server admin through), so an offer
 * of an action is shown only to those users: a Viewer or Editor would only meet Grafana's 403.
 */
import { config } from '@grafana/runtime';

export function canRunActions(): boolean {
  const user = config.bootData?.user;
  return user?.orgRole === 'Admin' || user?.isGrafanaAdmin === true;
}
