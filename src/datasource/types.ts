/** The data source's saved query and settings, as Grafana stores them (the wire model is in src/shared/schema). */
import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';

import type { SavedQueryFields } from '../shared/interpolate';

/** A panel, Explore or annotation query (`src/shared/schema/query.ts` SavedQuery, plus Grafana's own keys). */
export interface TikvQuery extends DataQuery, Omit<SavedQueryFields, 'refId'> {}

export type QueryKind = TikvQuery['kind'];

/** `jsonData`: readable in the browser. */
export interface TikvOptions extends DataSourceJsonData {
  /** The backend proxy's origin as seen from the Grafana server, e.g. `http://tikv-operator:8080`. */
  backendUrl?: string;
  /**
   * The backend's cluster this data source reads and acts on (CLUSTER_NAME); sent as `cluster` with every request.
   * Empty: the backend's only cluster (one data source per cluster is how Grafana picks).
   */
  cluster?: string;
}

/** `secureJsonData`: written once, encrypted by Grafana, only injected by the proxy routes (plugin.json). */
export interface TikvSecureJsonData {
  apiToken?: string;
  actionsToken?: string;
}

/** A new query shows the stores table: the first thing an operator wants to see. */
export const DEFAULT_QUERY: Partial<TikvQuery> = { kind: 'observation', observation: 'get_stores' };

/**
 * What a variable query lists: stores (text = address, value = store_id), the stores' Prometheus instances, or the
 * data source's cluster's PROMETHEUS_SELECTOR (one value, '' when unset) for Prometheus panels (`${selector:raw}`).
 */
export const VARIABLE_VALUES = ['stores', 'instances', 'selector'] as const;
export type VariableValues = (typeof VARIABLE_VALUES)[number];

export interface TikvVariableQuery extends DataQuery {
  values?: VariableValues;
}
