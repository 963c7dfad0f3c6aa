import { AnswerCache } from './answerCache';

describe('AnswerCache', () => {
  it('serializes once while the parts are the same objects, again when one is replaced', () => {
    const cache = new AnswerCache();
    const a = { cluster: 'a', n: 1 };
    const b = { cluster: 'b', n: 1 };
    const build = jest.fn(() => ({ clusters: [a, b] }));
    const first = cache.get('k', [a, b], build);
    expect(JSON.parse(first.body.toString('utf8'))).toEqual({
      clusters: [a, b],
    });
    expect(first.etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
    expect(cache.get('k', [a, b], build)).toBe(first);
    expect(build).toHaveBeenCalledTimes(1);

    // Equal content in a new object is a new part: summaries are replaced, never mutated.
    const b2 = { cluster: 'b', n: 2 };
    const second = cache.get('k', [a, b2], () => ({ clusters: [a, b2] }));
    expect(second).not.toBe(first);
    expect(second.etag).not.toBe(first.etag);
    expect(JSON.parse(second.body.toString('utf8')).clusters[1].n).toBe(2);
    // Order and count matter too.
    const third = cache.get('k', [b2, a], () => ({ clusters: [b2, a] }));
    expect(third).not.toBe(second);
    expect(cache.get('k', [b2], () => ({ clusters: [b2] }))).not.toBe(third);
    expect(cache).toMatchObject({ hits: 1, misses: 4, size: 1 });
  });

  it('keeps at most maxEntries answers, dropping the least recently used', () => {
    const cache = new AnswerCache({ maxEntries: 2 });
    const p = {};
    const a = cache.get('a', [p], () => 'a');
    cache.get('b', [p], () => 'b');
    expect(cache.get('a', [p], () => 'a')).toBe(a); // a is now the most recent
    cache.get('c', [p], () => 'c'); // drops b
    expect(cache.size).toBe(2);
    expect(cache.get('a', [p], () => 'a')).toBe(a);
    const build = jest.fn(() => 'b');
    cache.get('b', [p], build);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('keeps at most maxBytes, and never an answer larger than that', () => {
    const cache = new AnswerCache({ maxBytes: 100 });
    const p = {};
    cache.get('a', [p], () => 'x'.repeat(40)); // 42 bytes with the quotes
    cache.get('b', [p], () => 'y'.repeat(40));
    expect(cache.bytes).toBe(84);
    cache.get('c', [p], () => 'z'.repeat(40)); // drops a
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBe(84);
    const big = cache.get('d', [p], () => 'w'.repeat(200));
    expect(big.body.length).toBe(202);
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBe(84);
    const build = jest.fn(() => 'w'.repeat(200));
    cache.get('d', [p], build);
    expect(build).toHaveBeenCalledTimes(1);
  });
});
