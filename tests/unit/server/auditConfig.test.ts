/** The audit store's variables (AUDIT_*): PostgreSQL URL, password file, CA file, timeouts. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig } from '../../../src/server/config';

describe('audit configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('defaults: SQLite at ./audit.db, no URL, bounded timeouts', () => {
    const c = loadConfig({});
    expect(c.audit).toEqual({
      url: undefined,
      pathIgnored: false,
      password: undefined,
      caFile: undefined,
      timeoutMs: 5000,
      lockWaitMs: 2000,
      recoveryIntervalMs: 10_000,
    });
  });

  test('AUDIT_DB_URL wins over AUDIT_DB_PATH, and the config says the path is ignored', () => {
    expect(
      loadConfig({ AUDIT_DB_URL: 'postgres://tko@db:5432/audit', AUDIT_DB_PATH: '/data/audit.db' }).audit
    ).toMatchObject({
      url: 'postgres://tko@db:5432/audit',
      pathIgnored: true,
    });
    expect(loadConfig({ AUDIT_DB_URL: 'postgresql://tko@db/audit' }).audit.pathIgnored).toBe(false);
  });

  test('the password file is read (one trailing newline dropped); the CA file must be readable', () => {
    const pw = join(dir, 'pw');
    writeFileSync(pw, 's3cret-value\n');
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
    expect(loadConfig({ AUDIT_DB_PASSWORD_FILE: pw, AUDIT_DB_CA_FILE: ca }).audit).toMatchObject({
      password: 's3cret-value',
      caFile: ca,
    });
    expect(() => loadConfig({ AUDIT_DB_PASSWORD_FILE: join(dir, 'none') })).toThrow(
      /^AUDIT_DB_PASSWORD_FILE: cannot read .*ENOENT/
    );
    expect(() => loadConfig({ AUDIT_DB_CA_FILE: join(dir, 'none') })).toThrow(
      /^AUDIT_DB_CA_FILE: cannot read .*ENOENT/
    );
  });

  test('a URL that is not postgres:// is refused naming the variable, without its password', () => {
    let message = '';
    try {
      loadConfig({ AUDIT_DB_URL: 'mysql://root:hunter2@db/audit' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^AUDIT_DB_URL: must be a postgres:\/\/ URL/);
    expect(message).not.toContain('hunter2');
  });

  test.each([
    ['AUDIT_DB_TIMEOUT_MS', '0', /must be positive/],
    ['AUDIT_LOCK_WAIT_MS', '-1', /must be 0 or more/],
    ['AUDIT_RECOVERY_INTERVAL_MS', '10', /must be at least 100/],
  ])('%s=%s is refused', (name, value, why) => {
    expect(() => loadConfig({ [name]: value })).toThrow(why);
  });
});
