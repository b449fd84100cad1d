/** Forecast warnings: the forecasts due within the horizon as annotation regions from now to when they are due. */
import { forecastFrames, forecastWarnings } from '../../../src/subject/tikv/frames/forecasts';
import type { ForecastsResult } from '../../../src/subject/tikv/observations/forecasts';

const NOW = 1_800_000_000_000;
const HOUR = 3600;

function result(rows: ForecastsResult['rows']): ForecastsResult {
  return {
    levels: [0.7, 0.8, 1],
    columns: ['time_to_70_seconds', 'time_to_80_seconds', 'time_to_100_seconds'],
    window: '6h',
    rows,
    at: NOW,
    pd_now: NOW + 500,
    warnings: [],
  };
}

const row = (store_id: number, times: Array<number | null>, down: number | null = null) => ({
  store_id,
  address: `tikv-${store_id}:20160`,
  used_ratio: 0.62,
  times: { time_to_70_seconds: times[0], time_to_80_seconds: times[1], time_to_100_seconds: times[2] },
  confidence: 0.81,
  down_in_seconds: down,
});

function rows(r: ForecastsResult, horizonHours: number) {
  const f = forecastWarnings('A', r, horizonHours * HOUR * 1000);
  const names = f.schema!.fields.map((x) => x.name);
  return f.data!.values![0].map((_, i) => Object.fromEntries(names.map((n, j) => [n, f.data!.values![j][i]])));
}

test('each crossing within the horizon is a region from now to the crossing; later ones and flat disks are not', () => {
  const r = result([row(1, [13 * HOUR + 300, 30 * HOUR, 80 * HOUR]), row(2, [null, null, null])]);
  expect(rows(r, 24)).toEqual([
    {
      time: NOW,
      timeEnd: NOW + (13 * HOUR + 300) * 1000,
      title: 'Store 1: disk reaches 70 % in 13h 5m',
      text: 'tikv-1:20160: disk used 62 % now, linear trend over 6h, fit confidence 81 %',
      tags: 'forecast,disk 70 %,store 1',
    },
  ]);
  expect(rows(r, 48).map((x) => x.title)).toEqual([
    'Store 1: disk reaches 70 % in 13h 5m',
    'Store 1: disk reaches 80 % in 30h 0m',
  ]);
});

test("PD's Down countdown of a disconnected store warns; a store already Down does not (store_down says so)", () => {
  const r = result([row(3, [null, null, null], 12 * 60 + 4), row(4, [null, null, null], 0)]);
  expect(rows(r, 24)).toEqual([
    {
      time: NOW,
      timeEnd: NOW + (12 * 60 + 4) * 1000,
      title: 'Store 3: PD marks it Down in 12m',
      text: 'tikv-3:20160 is disconnected; at max-store-down-time PD declares it Down and starts moving its replicas',
      tags: 'forecast,store_down,store 3',
    },
  ]);
});

test('the warnings frame comes only with a horizon, after the table', () => {
  const r = result([row(1, [HOUR, null, null])]);
  expect(forecastFrames('A', r).map((f) => f.schema!.name)).toEqual(['forecasts']);
  expect(forecastFrames('A', r, 24 * HOUR * 1000).map((f) => f.schema!.name)).toEqual(['forecasts', 'forecast_warnings']);
});
