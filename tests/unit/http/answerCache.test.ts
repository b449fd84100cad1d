import { z } from 'zod';

import { AnswerCache } from '../../../src/subject/http/answerCache';

const answer = (bytes: number) => ({ data: 'x', bytes });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('keys that change on every refresh cannot accumulate: the byte budget evicts the least recently used', () => {
  const cache = new AnswerCache<{ data: string; bytes: number }>(60_000, 10_000);
  for (let i = 0; i < 1000; i++) {
    cache.set(`range-${i}`, answer(1000));
  }
  expect(cache.bytes).toBeLessThanOrEqual(10_000);
  expect(cache.size).toBe(10);
  expect(cache.get('range-999')).toBeDefined();
  expect(cache.get('range-0')).toBeUndefined();
});

test('an expired entry is gone without waiting for many others (ttl autopurge)', async () => {
  const cache = new AnswerCache<{ data: string; bytes: number }>(30, 1_000_000);
  cache.set('a', answer(10));
  expect(cache.get('a')).toBeDefined();
  await sleep(80);
  expect(cache.get('a')).toBeUndefined();
  expect(cache.size).toBe(0);
  expect(cache.bytes).toBe(0);
});

test('an answer larger than the whole budget is not cached; empty bodies still count', () => {
  const cache = new AnswerCache<{ data: string; bytes: number }>(60_000, 100);
  cache.set('big', answer(101));
  expect(cache.get('big')).toBeUndefined();
  for (let i = 0; i < 500; i++) {
    cache.set(`ping-${i}`, answer(0));
  }
  expect(cache.size).toBe(100);
});

test('the checked copies live in the entry: evicting it drops them', () => {
  const cache = new AnswerCache<{ data: string; bytes: number }>(60_000, 1000);
  const entry = cache.set('a', answer(600));
  entry.checked.set(z.string(), answer(600));
  expect(cache.get('a')?.checked.size).toBe(1);
  cache.set('b', answer(600));
  expect(cache.get('a')).toBeUndefined();
});

test('TTL 0 caches nothing', () => {
  const cache = new AnswerCache<{ data: string; bytes: number }>(0);
  cache.set('a', answer(1));
  expect(cache.get('a')).toBeUndefined();
});

test('clear(prefix) forgets one client’s entries in a shared cache, and keeps the others', () => {
  const cache = new AnswerCache<{ data: string; bytes: number }>(60_000, 10_000);
  cache.set('pd|http://pd|/stores', answer(10));
  cache.set('pd|http://pd|/config', answer(10));
  cache.set('prometheus|http://prom|/api/v1/query', answer(10));
  cache.clear('pd|http://pd|');
  expect(cache.get('pd|http://pd|/stores')).toBeUndefined();
  expect(cache.get('pd|http://pd|/config')).toBeUndefined();
  expect(cache.get('prometheus|http://prom|/api/v1/query')).toBeDefined();
});
