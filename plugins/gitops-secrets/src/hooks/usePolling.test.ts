import { act, renderHook } from '@testing-library/react';
import { nextPollDelay, usePolling } from './usePolling';

function defineHidden(hidden: boolean) {
  Object.defineProperty(document, 'visibilityState', {
    configurable: true,
    get: () => (hidden ? 'hidden' : 'visible'),
  });
}

function setHidden(hidden: boolean) {
  defineHidden(hidden);
  document.dispatchEvent(new Event('visibilitychange'));
}

/** Lets resolved promises settle inside act. */
const flush = () => act(async () => {});

describe('nextPollDelay', () => {
  it('is the interval after success and doubles per failure, capped', () => {
    expect(nextPollDelay(30_000, 0)).toBe(30_000);
    expect(nextPollDelay(30_000, 1)).toBe(60_000);
    expect(nextPollDelay(30_000, 2)).toBe(120_000);
    expect(nextPollDelay(30_000, 3)).toBe(240_000);
    expect(nextPollDelay(30_000, 4)).toBe(300_000);
    expect(nextPollDelay(30_000, 50)).toBe(300_000);
    expect(nextPollDelay(30_000, 3, 90_000)).toBe(90_000);
  });
});

// Fake timers: the hook's schedule is driven step by step, nothing waits on the clock.
describe('usePolling', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    defineHidden(false);
  });
  afterEach(() => {
    jest.useRealTimers();
    defineHidden(false);
  });

  it('loads at once, then every interval', async () => {
    let n = 0;
    const load = jest.fn(async () => ++n);
    const { result } = renderHook(() =>
      usePolling(load, [], { intervalMs: 1000 }),
    );
    await flush();
    expect(result.current.value).toBe(1);
    expect(result.current.loading).toBe(false);
    expect(result.current.lastUpdated).toBeInstanceOf(Date);

    await act(async () => {
      jest.advanceTimersByTime(999);
    });
    expect(load).toHaveBeenCalledTimes(1);
    await act(async () => {
      jest.advanceTimersByTime(1);
    });
    await flush();
    expect(load).toHaveBeenCalledTimes(2);
    expect(result.current.value).toBe(2);
  });

  it('does not poll while the tab is hidden, and polls on return when overdue', async () => {
    const load = jest.fn(async () => 'v');
    renderHook(() => usePolling(load, [], { intervalMs: 1000 }));
    await flush();
    expect(load).toHaveBeenCalledTimes(1);

    act(() => setHidden(true));
    await act(async () => {
      jest.advanceTimersByTime(10_000);
    });
    expect(load).toHaveBeenCalledTimes(1);

    act(() => setHidden(false));
    await act(async () => {
      jest.advanceTimersByTime(0);
    });
    await flush();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('backs off after errors, keeps the last value, and recovers', async () => {
    let fail = false;
    const load = jest.fn(async () => {
      if (fail) throw new Error('backend down');
      return 'ok';
    });
    const { result } = renderHook(() =>
      usePolling(load, [], { intervalMs: 1000 }),
    );
    await flush();
    fail = true;

    await act(async () => {
      jest.advanceTimersByTime(1000);
    });
    await flush();
    expect(load).toHaveBeenCalledTimes(2);
    expect(result.current.error?.message).toBe('backend down');
    expect(result.current.value).toBe('ok');
    expect(result.current.failures).toBe(1);

    // One failure: the next poll waits 2 × interval.
    await act(async () => {
      jest.advanceTimersByTime(1999);
    });
    expect(load).toHaveBeenCalledTimes(2);
    await act(async () => {
      jest.advanceTimersByTime(1);
    });
    await flush();
    expect(load).toHaveBeenCalledTimes(3);
    expect(result.current.failures).toBe(2);

    // Two failures: 4 × interval.
    fail = false;
    await act(async () => {
      jest.advanceTimersByTime(3999);
    });
    expect(load).toHaveBeenCalledTimes(3);
    await act(async () => {
      jest.advanceTimersByTime(1);
    });
    await flush();
    expect(load).toHaveBeenCalledTimes(4);
    expect(result.current.error).toBeUndefined();
    expect(result.current.failures).toBe(0);
  });

  it('refresh loads now and aborts an older request', async () => {
    const signals: AbortSignal[] = [];
    const resolvers: Array<(v: string) => void> = [];
    const load = jest.fn(
      (signal: AbortSignal) =>
        new Promise<string>(resolve => {
          signals.push(signal);
          resolvers.push(resolve);
        }),
    );
    const { result } = renderHook(() =>
      usePolling(load, [], { intervalMs: 0 }),
    );
    expect(load).toHaveBeenCalledTimes(1);
    act(() => result.current.refresh());
    expect(load).toHaveBeenCalledTimes(2);
    expect(signals[0].aborted).toBe(true);

    // The older answer arriving late does not overwrite the newer one.
    await act(async () => {
      resolvers[1]('new');
      resolvers[0]('old');
    });
    expect(result.current.value).toBe('new');
  });

  it('starts over when the subject changes', async () => {
    const load = jest.fn(async () => 'x');
    const { result, rerender } = renderHook(
      ({ id }) =>
        usePolling(async () => `${id}:${await load()}`, [id], {
          intervalMs: 0,
        }),
      { initialProps: { id: 'a' } },
    );
    await flush();
    expect(result.current.value).toBe('a:x');
    rerender({ id: 'b' });
    expect(result.current.value).toBeUndefined();
    await flush();
    expect(result.current.value).toBe('b:x');
  });
});
