/*
 * Backstage's jest setup replaces `fetch` with one that rejects every request unless something has wrapped it (as
 * MSW does). Octokit uses the global `fetch`, so tests that talk to the simulator install a wrapper that passes
 * requests for allowed origins through; everything else is still rejected.
 */

const allowedOrigins = new Map<string, number>();
let unwrapped: typeof fetch | undefined;

function isAllowed(url: string): boolean {
  for (const origin of allowedOrigins.keys()) {
    if (url === origin || url.startsWith(`${origin}/`)) return true;
  }
  return false;
}

/** Lets `fetch` reach `origin` (e.g. `sim.url`). Returns a function that withdraws it; nests and overlaps safely. */
export function allowFetchTo(origin: string): () => void {
  if (!unwrapped) {
    const previous = globalThis.fetch;
    unwrapped = previous;
    globalThis.fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (!isAllowed(url)) {
        return Promise.reject(
          new Error(`Network requests are not allowed in tests: ${url}`),
        );
      }
      return previous(input, init);
    };
  }
  allowedOrigins.set(origin, (allowedOrigins.get(origin) ?? 0) + 1);
  let withdrawn = false;
  return () => {
    if (withdrawn) return;
    withdrawn = true;
    const count = (allowedOrigins.get(origin) ?? 1) - 1;
    if (count > 0) allowedOrigins.set(origin, count);
    else allowedOrigins.delete(origin);
    if (allowedOrigins.size === 0 && unwrapped) {
      globalThis.fetch = unwrapped;
      unwrapped = undefined;
    }
  };
}
