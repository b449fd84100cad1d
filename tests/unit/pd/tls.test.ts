/** TLS to PD with a CA and a client certificate (tests/support/selfSigned.ts makes them with openssl). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { UpstreamUnreachableError } from '../../../src/shared/errors';
import { PDClient } from '../../../src/subject/pd/client';
import { startPdFixtureServer, type PdFixtureServer } from '../../support/pdFixtureServer';
import { selfSigned } from '../../support/selfSigned';

let dir: string;
let server: { key: string; cert: string };
let clientCert: { key: string; cert: string };
let pd: PdFixtureServer;
let mtls: PdFixtureServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pd-tls-'));
  server = selfSigned(dir, 'pd-server');
  clientCert = selfSigned(dir, 'operator-client');
  pd = await startPdFixtureServer({ tls: server });
  mtls = await startPdFixtureServer({ tls: { ...server, clientCa: clientCert.cert } });
});

afterAll(async () => {
  await pd?.close();
  await mtls?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('PD over TLS', () => {
  it('reads PD when the CA that signed its certificate is given', async () => {
    const c = new PDClient({ urls: [pd.url], tls: { ca: server.cert } });
    try {
      const a = await c.getCluster();
      expect(a.origin).toBe(pd.url);
      expect(a.data.id).toBe('7291847362517380123');
    } finally {
      await c.close();
    }
  });

  it('refuses a certificate no trusted CA signed', async () => {
    const c = new PDClient({ urls: [pd.url] });
    try {
      const err = await c.getCluster().catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(UpstreamUnreachableError);
      expect((err as Error).message).toMatch(
        /^PD \/cluster: unreachable \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/
      );
    } finally {
      await c.close();
    }
  });

  it('presents a client certificate and key for mutual TLS', async () => {
    const withCert = new PDClient({
      urls: [mtls.url],
      tls: { ca: server.cert, cert: clientCert.cert, key: clientCert.key },
    });
    const without = new PDClient({ urls: [mtls.url], tls: { ca: server.cert } });
    try {
      expect((await withCert.getVersion()).data.version).toBe('v8.5.1');
      await expect(without.getVersion()).rejects.toBeInstanceOf(UpstreamUnreachableError);
    } finally {
      await withCert.close();
      await without.close();
    }
  });
});
