/**
 * The baselines' HTTP GET: undici's `request`, uncompressed like the backend's upstream layer (global fetch would
 * ask for gzip, and Prometheus would spend the baseline's time compressing), on undici's keep-alive global agent.
 */
import { request } from 'undici';

export async function getJson(url: string): Promise<unknown> {
  const res = await request(url, { headers: { accept: 'application/json' } });
  const text = await res.body.text();
  if (res.statusCode !== 200) {
    throw new Error(`GET ${url} answered ${res.statusCode}: ${text.slice(0, 200)}`);
  }
  return JSON.parse(text);
}
