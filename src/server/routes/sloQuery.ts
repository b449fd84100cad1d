/**
 * The `slo` query kind (README "SLOs"): each store's error budgets for the cluster's SLOs, counted by Prometheus
 * (subject/tikv/slo/report.ts). PD names the stores behind Prometheus' instances, and the stores that exist now get
 * a row even without data; without PD the budgets still answer, by instance, with a warning.
 */
import type { DataFrameJSON } from '../../shared/schema/frames';
import type { QueryRequest, SloQuery } from '../../shared/schema/query';
import type { Notice } from '../../subject/tikv/frames/build';
import { budgetFrame, timeseriesFrames } from '../../subject/tikv/slo/frames';
import { sloBudgets, type SloReportOptions, sloTimeseries } from '../../subject/tikv/slo/report';
import type { ClusterParts } from '../clusters';
import { historyStores, reportNotices } from './historyStores';

export async function sloQueryFrames(
  c: ClusterParts & { prometheus: NonNullable<ClusterParts['prometheus']> },
  q: SloQuery,
  req: Pick<QueryRequest, 'from' | 'to'>,
  o: { scrapeIntervalMs: number; onPdError: () => void; signal?: AbortSignal }
): Promise<DataFrameJSON[]> {
  const notices: Notice[] = [];
  const { directory, entities } = await historyStores(c, o, notices);
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
    reportNotices(notices, r);
    return timeseriesFrames(r.series, frameOptions);
  }
  const r = await sloBudgets(options);
  recordedNotice(r.recorded);
  reportNotices(notices, r);
  return [budgetFrame(r.rows, frameOptions)];
}
