import { SharedRequests } from '../../../src/subject/http/sharedRequests';

/** A request that settles only when told, and records whether it was aborted. */
function pendingRequest() {
  const state = { started: 0, aborted: 0 };
  let resolve!: (v: string) => void;
  const start = (signal: AbortSignal) => {
    state.started++;
    return new Promise<string>((res, rej) => {
      resolve = res;
      signal.addEventListener('abort', () => {
        state.aborted++;
        rej(signal.reason);
      });
    });
  };
  return { state, start, resolve: (v: string) => resolve(v) };
}

test('identical callers share one request and all get its answer', async () => {
  const shared = new SharedRequests<string>();
  const r = pendingRequest();
  const a = shared.join('k', r.start);
  const b = shared.join('k', r.start, new AbortController().signal);
  r.resolve('answer');
  await expect(Promise.all([a, b])).resolves.toEqual(['answer', 'answer']);
  expect(r.state).toEqual({ started: 1, aborted: 0 });
  expect(shared.size).toBe(0);
});

test('one caller leaving does not abort the request; the last one leaving does, and the next caller starts afresh', async () => {
  const shared = new SharedRequests<string>();
  const r = pendingRequest();
  const first = new AbortController();
  const second = new AbortController();
  const a = shared.join('k', r.start, first.signal);
  const b = shared.join('k', r.start, second.signal);
  first.abort();
  await expect(a).rejects.toHaveProperty('name', 'AbortError');
  expect(r.state.aborted).toBe(0);
  second.abort();
  await expect(b).rejects.toHaveProperty('name', 'AbortError');
  expect(r.state.aborted).toBe(1);
  expect(shared.size).toBe(0);
  const again = pendingRequest();
  const c = shared.join('k', again.start);
  again.resolve('fresh');
  await expect(c).resolves.toBe('fresh');
});

test('a caller without a signal keeps the request alive whoever else leaves', async () => {
  const shared = new SharedRequests<string>();
  const r = pendingRequest();
  const leaving = new AbortController();
  const stays = shared.join('k', r.start);
  const left = shared.join('k', r.start, leaving.signal);
  leaving.abort();
  await expect(left).rejects.toHaveProperty('name', 'AbortError');
  expect(r.state.aborted).toBe(0);
  r.resolve('kept');
  await expect(stays).resolves.toBe('kept');
});
