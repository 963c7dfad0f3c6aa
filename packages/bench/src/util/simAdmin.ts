/*
 * The simulated clusters' admin API (`/_sim/counters`, `/_sim/faults`) over HTTPS with the fleet's CA.
 */
import https from 'node:https';

export interface SimClusterInfo {
  name: string;
  url: string;
  caData: string;
  adminToken: string;
}

export interface SimCounters {
  total: number;
  byVerb: Record<string, number>;
  byPath: Record<string, number>;
  /** Response body bytes, all requests and per `${verb} ${path}`. */
  bytes: number;
  bytesByPath: Record<string, number>;
  openWatches: number;
  /** TLS connections and HTTP/2 sessions and streams open now (absent from simulators before HTTP/2). */
  openConnections?: number;
  openH2Sessions?: number;
  openH2Streams?: number;
}

function call<T>(
  c: SimClusterInfo,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, c.url),
      {
        method,
        ca: Buffer.from(c.caData, 'base64'),
        // A connection per call, closed after it: connections open on a cluster are the backend's (P6 counts them).
        agent: false,
        headers: {
          authorization: `Bearer ${c.adminToken}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        timeout: 30_000,
      },
      res => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', d => (data += d));
        res.on('end', () => {
          if ((res.statusCode ?? 500) >= 300) {
            reject(
              new Error(
                `${c.name} ${method} ${path}: ${res.statusCode} ${data.slice(
                  0,
                  200,
                )}`,
              ),
            );
          } else resolve(data ? JSON.parse(data) : (undefined as T));
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`${c.name} ${method} ${path}: timeout`)),
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

export const simAdmin = {
  /** A Kubernetes API GET with the admin token (e.g. a list). */
  get: <T = any>(c: SimClusterInfo, path: string) => call<T>(c, 'GET', path),
  counters: (c: SimClusterInfo) =>
    call<SimCounters>(c, 'GET', '/_sim/counters'),
  reset: (c: SimClusterInfo) => call<void>(c, 'POST', '/_sim/counters/reset'),
  setFaults: (c: SimClusterInfo, faults: Record<string, unknown>) =>
    call<void>(c, 'PUT', '/_sim/faults', faults),
};

/** Sum of counters over clusters, with per-cluster open watches. */
export async function fleetCounters(clusters: SimClusterInfo[]) {
  const all = await Promise.all(clusters.map(c => simAdmin.counters(c)));
  const sum = {
    total: 0,
    list: 0,
    watch: 0,
    get: 0,
    discovery: 0,
    openWatches: 0,
    openConnections: 0,
    openH2Sessions: 0,
    openH2Streams: 0,
  };
  for (const c of all) {
    sum.total += c.total;
    sum.list += c.byVerb.list ?? 0;
    sum.watch += c.byVerb.watch ?? 0;
    sum.get += c.byVerb.get ?? 0;
    sum.discovery += c.byVerb.discovery ?? 0;
    sum.openWatches += c.openWatches;
    sum.openConnections += c.openConnections ?? 0;
    sum.openH2Sessions += c.openH2Sessions ?? 0;
    sum.openH2Streams += c.openH2Streams ?? 0;
  }
  return { sum, perCluster: all };
}

export async function resetFleetCounters(clusters: SimClusterInfo[]) {
  await Promise.all(clusters.map(c => simAdmin.reset(c)));
}
