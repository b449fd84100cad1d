// force timezone to UTC to allow tests to work regardless of local timezone
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');

// d3-color >= 3.1.1 ships `.mjs` as its main entry; the scaffold's transform regex never matches `.mjs`.
const swcTransform = base.transform['^.+\\.(t|j)sx?$'];
const transform = { ...base.transform, '^.+\\.mjs$': swcTransform };

const nodeProject = (displayName, dir, extra = {}) => ({
  displayName,
  transform,
  testEnvironment: 'node',
  testMatch: [`<rootDir>/tests/${dir}/**/*.test.ts`],
  setupFilesAfterEnv: ['<rootDir>/tests/support/jest-node-setup.ts'],
  ...extra,
});

module.exports = {
  // Each project runs in the environment it needs: editors under jsdom, the backend and its clients under node.
  projects: [
    {
      ...base,
      displayName: 'ui',
      transform,
      setupFilesAfterEnv: ['<rootDir>/jest-setup.js'],
      testMatch: ['<rootDir>/src/**/*.test.{ts,tsx}'],
    },
    nodeProject('unit', 'unit'),
    nodeProject('integration', 'integration'),
    nodeProject('browser', 'browser'),
  ],
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.js'],
};
