import { KubeRequestError } from '../kube/KubeClient';

/**
 * At most `max` tasks at once; the others wait their turn in arrival order.
 * A waiting task whose signal aborts leaves the queue and rejects with an
 * `aborted` KubeRequestError. Used per cluster so that the first lists of
 * every kind do not all start (and all run into the timeout) together.
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  /** The most tasks ever running at once (tests, diagnostics). */
  peak = 0;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError('ConcurrencyLimit needs a positive integer');
    }
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Run `task` once a slot is free; the slot is held until its promise settles. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private take(): void {
    this.active++;
    if (this.active > this.peak) this.peak = this.active;
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) {
      return Promise.reject(
        new KubeRequestError('aborted', 'request cancelled'),
      );
    }
    if (this.active < this.max) {
      this.take();
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', waiter.abort);
          this.take();
          resolve();
        },
        abort: () => {
          const i = this.queue.indexOf(waiter.grant);
          if (i >= 0) this.queue.splice(i, 1);
          reject(new KubeRequestError('aborted', 'request cancelled'));
        },
      };
      this.queue.push(waiter.grant);
      signal?.addEventListener('abort', waiter.abort, { once: true });
    });
  }

  private release(): void {
    this.active--;
    this.queue.shift()?.();
  }
}
