import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { SimCluster } from './types';

/** Helpers for this package's tests: raw HTTPS requests to a simulated cluster, trusting its CA. */

export interface SimResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface RequestOptions {
  /** Bearer token; the cluster's admin token by default, `null` for none. */
  token?: string | null;
  body?: unknown;
  contentType?: string;
  accept?: string;
  timeoutMs?: number;
}

export function request(
  cluster: SimCluster,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<SimResponse> {
  const token = opts.token === undefined ? cluster.adminToken : opts.token;
  let payload: string | undefined;
  if (typeof opts.body === 'string') payload = opts.body;
  else if (opts.body !== undefined) payload = JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${cluster.url}${path}`,
      {
        method,
        ca: Buffer.from(cluster.caData, 'base64'),
        agent: false,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(payload !== undefined
            ? { 'Content-Type': opts.contentType ?? 'application/json' }
            : {}),
          ...(opts.accept ? { Accept: opts.accept } : {}),
        },
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = undefined;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            body,
          });
        });
        res.on('error', reject);
      },
    );
    if (opts.timeoutMs) {
      req.setTimeout(opts.timeoutMs, () =>
        req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)),
      );
    }
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export interface WatchEvent {
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  object: any;
}

export interface OpenWatch {
  status: Promise<number>;
  events: WatchEvent[];
  /** Resolves when `predicate` holds for the events so far (or rejects after `timeoutMs`). */
  until(
    predicate: (events: WatchEvent[]) => boolean,
    timeoutMs?: number,
  ): Promise<WatchEvent[]>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens a watch stream and collects its newline-delimited JSON events. */
export function openWatch(
  cluster: SimCluster,
  path: string,
  token?: string,
): OpenWatch {
  const events: WatchEvent[] = [];
  const waiters: Array<() => void> = [];
  let resolveStatus!: (n: number) => void;
  let resolveEnded!: () => void;
  const status = new Promise<number>(r => (resolveStatus = r));
  const ended = new Promise<void>(r => (resolveEnded = r));
  const req = https.request(`${cluster.url}${path}`, {
    method: 'GET',
    ca: Buffer.from(cluster.caData, 'base64'),
    agent: false,
    headers: { Authorization: `Bearer ${token ?? cluster.adminToken}` },
  });
  req.on('response', res => {
    resolveStatus(res.statusCode ?? 0);
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) events.push(JSON.parse(line));
      waiters.forEach(w => w());
    });
    res.on('end', () => {
      resolveEnded();
      waiters.forEach(w => w());
    });
    res.on('error', () => resolveEnded());
  });
  req.on('error', () => {
    resolveStatus(0);
    resolveEnded();
  });
  req.end();
  return {
    status,
    events,
    ended,
    until(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `watch condition not met; events: ${JSON.stringify(
                  events.map(e => e.type),
                )}`,
              ),
            ),
          timeoutMs,
        );
        const check = () => {
          if (!predicate(events)) return false;
          clearTimeout(timer);
          resolve(events);
          return true;
        };
        if (!check()) waiters.push(() => void check());
      });
    },
    close() {
      req.destroy();
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise(r => setTimeout(r, ms));
}
