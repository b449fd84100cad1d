import Fastify, { type FastifyInstance } from 'fastify';

import { bearerOf, requireBearer, tokenMatcher } from '../../../src/server/auth';
import { errorHandler } from '../../../src/server/errorHandler';
import { actionsRoutes } from '../../../src/server/routes/actions';

const READ = 'read-token-0123456789';
const ACTIONS = 'actions-token-9876543210';

/** A running app and a fetch against it (fastify's inject needs light-my-request, whose ESM-only cookie jest cannot load). */
async function appWith(actions: { enabled: boolean; token?: string }): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ logger: false });
  app.setErrorHandler(errorHandler);
  await app.register(
    async (api) => {
      api.addHook('onRequest', requireBearer(READ, 'API_TOKEN'));
      api.get('/health', async () => ({ ok: true }));
    },
    { prefix: '/api' }
  );
  await app.register(actionsRoutes, { prefix: '/api/actions', ...actions, readToken: READ });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}

async function call(app: { url: string }, method: string, path: string, token?: string) {
  const res = await fetch(app.url + path, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { statusCode: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('bearer tokens', () => {
  test('tokenMatcher accepts only the exact token, whatever the lengths', () => {
    expect(tokenMatcher(READ)(READ)).toBe(true);
    expect(tokenMatcher(READ)(READ.slice(0, -1))).toBe(false);
    expect(tokenMatcher(READ)(`${READ}x`)).toBe(false);
    expect(tokenMatcher(READ)('')).toBe(false);
    expect(tokenMatcher(READ)(undefined)).toBe(false);
  });

  test('bearerOf reads "Bearer <token>" case-insensitively and nothing else', async () => {
    const app = Fastify();
    app.get('/', async (req) => ({ token: bearerOf(req) ?? null }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const token = async (authorization?: string) =>
      ((await (await fetch(url, { headers: authorization ? { authorization } : {} })).json()) as { token: string | null }).token;
    expect(await token(`Bearer ${READ}`)).toBe(READ);
    expect(await token(`bearer ${READ}`)).toBe(READ);
    expect(await token(`Basic ${READ}`)).toBeNull();
    expect(await token('Bearer')).toBeNull();
    expect(await token(`Bearer ${READ} extra`)).toBeNull();
    expect(await token()).toBeNull();
    await app.close();
  });
});

describe('auth contexts', () => {
  let app: { app: FastifyInstance; url: string };
  beforeAll(async () => {
    app = await appWith({ enabled: true, token: ACTIONS });
  });
  afterAll(() => app.app.close());

  test('a read route answers with the read token and refuses without it (401, Bearer challenge)', async () => {
    expect((await call(app, 'GET', '/api/health', READ)).statusCode).toBe(200);
    for (const token of [undefined, 'wrong-token', ACTIONS]) {
      const res = await call(app, 'GET', '/api/health', token);
      expect(res.statusCode).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.body).toMatchObject({ statusCode: 401, code: 'TKO_ERR_UNAUTHORIZED', error: 'Unauthorized' });
    }
  });

  test('the read token is refused on /api/actions with 403 saying why', async () => {
    expect((await call(app, 'GET', '/api/actions', READ)).statusCode).toBe(403);
    const res = await call(app, 'POST', '/api/actions/transfer_leader', READ);
    expect(res.statusCode).toBe(403);
    expect(res.body.code).toBe('TKO_ERR_FORBIDDEN');
    expect(res.body.message).toMatch(/read token.*refused on \/api\/actions/);
  });

  test('/api/actions needs the actions token (401 without it) and passes with it', async () => {
    expect((await call(app, 'POST', '/api/actions/x')).statusCode).toBe(401);
    const ok = await call(app, 'POST', '/api/actions/x', ACTIONS);
    expect(ok.statusCode).toBe(404);
    expect(ok.body.code).toBe('TKO_ERR_NOT_FOUND');
  });

  test('with actions disabled, /api/actions answers 403 action disabled', async () => {
    const off = await appWith({ enabled: false });
    const res = await call(off, 'POST', '/api/actions/x', ACTIONS);
    expect(res.statusCode).toBe(403);
    expect(res.body.code).toBe('TKO_ERR_ACTION_DISABLED');
    await off.app.close();
  });
});
