/**
 * The backend alone in a child process, for peak-memory measurement: configured from the environment like
 * `main.ts` (loadConfig + buildApp, live checker on), listening on 127.0.0.1:0. It tells its parent the URL over
 * IPC, answers `{type: 'usage'}` with its resource usage, and stops on SIGTERM or when the parent goes away.
 */
import { buildApp } from '../src/server/app';
import { loadConfig } from '../src/server/config';

export type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'usage'; maxRssKb: number; rssBytes: number }
  | { type: 'error'; message: string };

async function main(): Promise<void> {
  const send = (m: ChildMessage) => process.send?.(m);
  try {
    const app = buildApp(loadConfig(process.env, undefined));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const stop = () => void app.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('disconnect', stop);
    process.on('message', (m: { type?: string }) => {
      if (m?.type === 'usage') {
        send({ type: 'usage', maxRssKb: process.resourceUsage().maxRSS, rssBytes: process.memoryUsage().rss });
      }
    });
    send({ type: 'ready', url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
  } catch (err) {
    send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
}

void main();
