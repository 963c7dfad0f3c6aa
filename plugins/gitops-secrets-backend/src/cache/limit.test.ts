import { KubeRequestError } from '../kube/KubeClient';
import { ConcurrencyLimit } from './limit';

/** A task that runs until released. */
function gate() {
  let release!: (v: string) => void;
  const done = new Promise<string>(r => {
    release = r;
  });
  return { release, done };
}

const flush = () => new Promise(r => setImmediate(r));

describe('ConcurrencyLimit', () => {
  it('runs at most max tasks at once, the others in arrival order as slots free up', async () => {
    const limit = new ConcurrencyLimit(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const results = gates.map((g, i) =>
      limit.run(async () => {
        started.push(i);
        return g.done;
      }),
    );
    await flush();
    expect(started).toEqual([0, 1]);
    expect(limit.running).toBe(2);
    expect(limit.waiting).toBe(2);

    gates[1].release('b');
    await flush();
    expect(started).toEqual([0, 1, 2]);
    gates[0].release('a');
    gates[2].release('c');
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[3].release('d');
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect(limit.peak).toBe(2);
    expect(limit.running).toBe(0);
  });

  it('frees the slot of a task that fails', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(
      limit.run(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await limit.run(async () => 'next')).toBe('next');
  });

  it('drops a waiting task whose signal aborts, without running it', async () => {
    const limit = new ConcurrencyLimit(1);
    const first = gate();
    const running = limit.run(() => first.done);
    const abort = new AbortController();
    let ran = false;
    const waiting = limit.run(async () => {
      ran = true;
    }, abort.signal);
    const after = limit.run(async () => 'after');
    await flush();
    abort.abort();
    const err = await waiting.catch(e => e);
    expect(err).toBeInstanceOf(KubeRequestError);
    expect(err.failure).toBe('aborted');
    expect(limit.waiting).toBe(1);
    first.release('first');
    expect(await running).toBe('first');
    expect(await after).toBe('after');
    expect(ran).toBe(false);
    await expect(
      limit.run(async () => 'x', abort.signal),
    ).rejects.toMatchObject({ failure: 'aborted' });
  });
});
