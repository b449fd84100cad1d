/** The forecast arithmetic: time to a level from the fitted line, the fit's confidence, PD's Down countdown, names. */
import {
  downInSeconds,
  type Fit,
  fitConfidence,
  forecastColumn,
  forecastLevels,
  timeToLevel,
} from '../../../src/subject/tikv/observations/forecasts';

const CAP = 1e12;
/** A line rising 0.001 of the disk per second, at 50 % now. */
const rising: Fit = { slope: 0.001, usedNow: 0.5, samples: 61, varAvailable: 0, capacity: CAP };

test('time to a level: (level − now) / slope; 0 when already there; null when flat or falling', () => {
  expect(timeToLevel(rising, 0.7)).toBeCloseTo(200, 9);
  expect(timeToLevel(rising, 0.5)).toBe(0);
  expect(timeToLevel({ ...rising, usedNow: 0.75 }, 0.7)).toBe(0);
  expect(timeToLevel({ ...rising, slope: 0 }, 0.7)).toBeNull();
  expect(timeToLevel({ ...rising, slope: -0.001 }, 0.7)).toBeNull();
  expect(timeToLevel({ ...rising, slope: NaN }, 0.7)).toBeNull();
});

test('confidence = coverage × R²: a perfect line over a minute of a 6 h window is low but not zero', () => {
  // n samples 1 s apart on an exact line: var(available) = slope² · var(t), so R² = 1.
  const n = 61;
  const varT = (n * n - 1) / 12;
  const perfect = { ...rising, samples: n, varAvailable: (rising.slope * CAP) ** 2 * varT };
  expect(fitConfidence(perfect, 1000, 60_000)).toBeCloseTo(1, 6);
  expect(fitConfidence(perfect, 1000, 6 * 3_600_000)).toBeCloseTo(60 / 21_600, 6);
  // Noise four times the trend's variance: R² = 0.2.
  expect(fitConfidence({ ...perfect, varAvailable: perfect.varAvailable * 5 }, 1000, 60_000)).toBeCloseTo(0.2, 6);
  // A flat disk fits its line exactly: confidence is the coverage.
  expect(fitConfidence({ ...rising, slope: 0, varAvailable: 0, samples: 31 }, 1000, 60_000)).toBeCloseTo(0.5, 6);
});

test("Down countdown: max-store-down-time minus heartbeat age for Disconnected, 0 when Down, else null", () => {
  expect(downInSeconds({ state_name: 'Disconnected', heartbeat_age_seconds: 25 }, 1800)).toBe(1775);
  expect(downInSeconds({ state_name: 'Disconnected', heartbeat_age_seconds: 1900 }, 1800)).toBe(0);
  expect(downInSeconds({ state_name: 'Down', heartbeat_age_seconds: 4000 }, 1800)).toBe(0);
  expect(downInSeconds({ state_name: 'Up', heartbeat_age_seconds: 1 }, 1800)).toBeNull();
  expect(downInSeconds({ state_name: 'Offline', heartbeat_age_seconds: 100 }, 1800)).toBeNull();
  expect(downInSeconds({ state_name: 'Disconnected', heartbeat_age_seconds: null }, 1800)).toBeNull();
  // Ages on PD's whole-second Date header read 0–1 s short: centred on the half second.
  expect(downInSeconds({ state_name: 'Disconnected', heartbeat_age_seconds: 25 }, 1800, 0.5)).toBe(1774.5);
});

test('the first column follows the configured low_disk threshold', () => {
  expect(forecastLevels(0.7).map(forecastColumn)).toEqual(['time_to_70_seconds', 'time_to_80_seconds', 'time_to_100_seconds']);
  expect(forecastLevels(0.85).map(forecastColumn)).toEqual(['time_to_85_seconds', 'time_to_80_seconds', 'time_to_100_seconds']);
  expect(forecastLevels(0.8).map(forecastColumn)).toEqual(['time_to_80_seconds', 'time_to_100_seconds']);
  expect(forecastColumn(0.725)).toBe('time_to_72_5_seconds');
});
