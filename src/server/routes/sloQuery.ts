/**
 * The `slo` query kind (README "SLOs"): each store's error budgets for the cluster's SLOs, counted by Prometheus
 * (subject/tikv/slo/report.ts). PD names the stores behind Prometheus' instances, and the stores that exist now get
 * a row even without data; without PD the budgets still answer, by instance, with a warning.
 */
import { describeError } from '../../shared/errors';
import type { DataFrameJSON } from '../../shared/schema/frames';
import type { QueryRequest, SloQuery } from '../../shared/schema/query';
import { expectedToServe, isTiFlash } from '../../subject/pd/storeState';
import { InstanceDirectory } from '../../subject/tikv/instances';
import { budgetFrame, type Notice, timeseriesFrames } from '../../subject/tikv/slo/frames';
import { sloBudgets, type SloReportOptions, sloTimeseries } from '../../subject/tikv/slo/report';
import type { ClusterParts } from '../clusters';

export async function sloQueryFrames(
  c: ClusterParts & { prometheus: NonNullable<ClusterParts['prometheus']> },
  q: SloQuery,
  req: Pick<QueryRequest, 'from' | 'to'>,
  o: { scrapeIntervalMs: number; onPdError: () => void; signal?: AbortSignal }
): Promise<DataFrameJSON[]> {
  const notices: Notice[] = [];
  let directory: InstanceDirectory | undefined;
  let entities: Array<{ store_id: number; address: string }> = [];
  try {
    const stores = await c.pd.getStores({ states: ['Up', 'Offline', 'Tombstone'] });
    directory = new InstanceDirectory(stores.data.stores, c.config.instanceMapping);
    entities = stores.data.stores
      .filter((s) => expectedToServe(s.store, isTiFlash(s.store), c.config.includeTiFlash))
      .map((s) => ({ store_id: s.store.id, address: s.store.address }));
  } catch (err) {
    o.onPdError();
    notices.push({ severity: 'warning', text: `store ids unknown, shown by instance: ${describeError(err)}` });
  }
  const options: SloReportOptions = {
    prometheus: c.prometheus,
    slos: c.slos,
    wanted: q.slos,
    range: { from: req.from, to: req.to },
    scrapeIntervalMs: o.scrapeIntervalMs,
    rateWindow: c.rateWindow,
    resolveInstance: (instance) => directory?.byInstance(instance),
    storeIds: q.storeIds,
    entities,
    signal: o.signal,
  };
  const frameOptions = { refId: q.refId, cluster: c.name, notices };
  const recordedNotice = (recorded: string[]) => {
    if (recorded.length > 0) {
      notices.push({
        severity: 'info',
        text: `${recorded.join(', ')}: read from the recording rule tikv_operator:slo_bad:bool`,
      });
    }
  };
  if (q.format === 'timeseries') {
    const r = await sloTimeseries(options);
    recordedNotice(r.recorded);
    notices.push(...r.notices.map((text) => ({ severity: 'warning', text })));
    notices.push(...r.warnings.map((text) => ({ severity: 'info', text: `Prometheus: ${text}` })));
    return timeseriesFrames(r.series, frameOptions);
  }
  const r = await sloBudgets(options);
  recordedNotice(r.recorded);
  notices.push(...r.notices.map((text) => ({ severity: 'warning', text })));
  notices.push(...r.warnings.map((text) => ({ severity: 'info', text: `Prometheus: ${text}` })));
  return [budgetFrame(r.rows, frameOptions)];
}
