import type { DataFrame } from '@grafana/data';

import { storeDashboardUrl } from '../dashboards/names';
import { fieldValues } from './frames';

/** Fields holding a store id: stores and violations (`store_id`), hot regions (`leader_store_id`). */
const STORE_ID_FIELDS = new Set(['store_id', 'leader_store_id']);

/**
 * A FrameTable `cellLink`: store id cells link to the store dashboard for that store, on the cluster's data source
 * the page shows (`var-datasource`: the page's `?ds=` or the default data source).
 */
export function storeLinks(frame: DataFrame | undefined, datasourceUid: string | undefined) {
  return (field: string, row: number): string | undefined => {
    const value = STORE_ID_FIELDS.has(field) ? fieldValues(frame, field)?.[row] : undefined;
    return value == null ? undefined : storeDashboardUrl(Number(value), datasourceUid);
  };
}
