/*
 * The load driver: timed HTTP requests to the backend under test, sequential or with N in flight.
 */

export interface Sample {
  ms: number;
  status: number;
  bytes: number;
  /** Set when the request failed or timed out before an answer. */
  error?: string;
  /** Set when the answer arrived but is incomplete (the spec's `check` said why). */
  problem?: string;
}

export interface RequestSpec {
  url: string;
  method?: 'GET' | 'POST';
  body?: unknown;
  /** Abort (and record an error) after this long. */
  timeoutMs: number;
  /** Inspects a 200 answer; returns why it is incomplete, or undefined. */
  check?: (text: string) => string | undefined;
}

/** One request, timed from send until the whole body has arrived. */
export async function timedRequest(
  spec: RequestSpec,
): Promise<Sample & { text?: string }> {
  const t0 = performance.now();
  try {
    const res = await fetch(spec.url, {
      method: spec.method ?? 'GET',
      headers: spec.body ? { 'content-type': 'application/json' } : undefined,
      body: spec.body ? JSON.stringify(spec.body) : undefined,
      signal: AbortSignal.timeout(spec.timeoutMs),
    });
    const text = await res.text();
    const ms = performance.now() - t0;
    let problem: string | undefined;
    if (res.status === 200 && spec.check) {
      try {
        problem = spec.check(text);
      } catch (error) {
        problem = String((error as Error).message ?? error);
      }
    }
    return {
      ms,
      status: res.status,
      bytes: Buffer.byteLength(text),
      text,
      problem,
    };
  } catch (error) {
    const e = error as Error;
    return {
      ms: performance.now() - t0,
      status: 0,
      bytes: 0,
      error:
        e.name === 'TimeoutError'
          ? `no answer within ${spec.timeoutMs} ms`
          : String(e.message ?? e),
    };
  }
}

/** `n` requests one after another. */
export async function runSequential(
  spec: RequestSpec,
  n: number,
): Promise<Sample[]> {
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const { text: _text, ...sample } = await timedRequest(spec);
    out.push(sample);
  }
  return out;
}

/** `total` requests with `concurrency` in flight at any time (closed loop: each worker sends its next on an answer). */
export async function runConcurrent(
  spec: RequestSpec,
  total: number,
  concurrency: number,
): Promise<{ samples: Sample[]; wallMs: number }> {
  const out: Sample[] = [];
  let started = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (started < total) {
      started++;
      const { text: _text, ...sample } = await timedRequest(spec);
      out.push(sample);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, worker),
  );
  return { samples: out, wallMs: performance.now() - t0 };
}
