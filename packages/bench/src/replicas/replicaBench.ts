/*
 * P5r replicas: three backend replicas sharing the clusters through Backstage's scheduler (PostgreSQL) and cache
 * (Redis), against a simulated fleet. Needs a running Redis and PostgreSQL (scripts/services.sh writes their
 * addresses). Measures open watches per cluster with one replica (no sharing) and with three, the p95 of status
 * reads on a replica that owns the cluster and on one that does not, and the failover time when the replica
 * owning the most clusters is killed (SIGKILL), checking every answer read meanwhile: current and the same as
 * before, or marked stale (TIMEOUT error, cache age > 0) — never different and unmarked.
 */
import knexFactory from 'knex';
import { startFleet, type SimFleet } from '@golden-gitops/kube-api-sim';
import { clusterOptions, type FleetSize } from '../fleet/generate';
import { Child } from '../util/child';
import { timedRequest } from '../util/http';
import { latencyStats, type LatencyStats } from '../util/stats';

export interface Services {
  redisUrl: string;
  pgHost: string;
  pgPort: number;
  pgUser: string;
}

export interface ReplicaBenchOptions {
  services: Services;
  size: FleetSize;
  replicas: number;
  /** Status reads per measured replica (owner, non-owner). */
  reads: number;
  heartbeat: string;
  log: (line: string) => void;
  verbose?: boolean;
}

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface ReplicaBenchResult {
  clusters: number;
  objectsPerCluster: number;
  replicas: number;
  heartbeat: string;
  /** Open watches per cluster with one replica (sharing off). */
  watchesOneReplica: Record<string, number>;
  /** Open watches per cluster with the replicas sharing (steady state). */
  watchesShared: Record<string, number>;
  /** Clusters each replica owned before the kill. */
  ownedPerReplica: number[];
  readsOwner: LatencyStats;
  readsNonOwner: LatencyStats;
  /** Seconds from SIGKILL until each of the dead replica's clusters is watched again and answered current. */
  failoverS: number[];
  answersDuringFailover: { current: number; stale: number; wrong: number };
  checks: Check[];
}

interface Replica {
  child: Child;
  port: number;
  pid: number;
  base: string;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined | false>,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

async function getJson(url: string): Promise<any> {
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/** What must be the same on every replica and before/after a failover (observedAt is the time of the answer). */
function content(status: any): string {
  const {
    observedAt: _o,
    cacheAgeSeconds: _c,
    error: _e,
    health: _h,
    reachable: _r,
    ...rest
  } = status;
  return JSON.stringify(rest);
}

export async function runReplicaBench(
  opts: ReplicaBenchOptions,
): Promise<ReplicaBenchResult> {
  const { log, size } = opts;
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail?: string) => {
    checks.push({ name, ok, detail });
    log(`${ok ? 'ok' : 'FAILED'}: ${name}${detail ? ` (${detail})` : ''}`);
  };
  const dbName = `gg_replicas_${Date.now()}`;
  const started: Replica[] = [];
  let fleet: SimFleet | undefined;
  let db: ReturnType<typeof knexFactory> | undefined;
  const startReplica = async (
    config: Record<string, unknown>,
    name: string,
  ) => {
    const child = new Child(name, 'replicas/replicaProcess.ts', {
      verbose: opts.verbose,
    });
    const ready = await child.request<any>(
      { type: 'start', config },
      'ready',
      180_000,
    );
    const r = {
      child,
      port: ready.port,
      pid: ready.pid,
      base: `http://127.0.0.1:${ready.port}/api/gitops-secrets`,
    };
    started.push(r);
    log(`${name} ready on port ${r.port} in ${Math.round(ready.startMs)} ms`);
    return r;
  };
  try {
    log(`simulated fleet: ${size.clusters} clusters`);
    fleet = await startFleet(
      Array.from({ length: size.clusters }, (_, i) => clusterOptions(i, size)),
    );
    const sims = fleet.clusters;
    const names = sims.map(c => c.name);
    const clusters = sims.map(c => ({
      name: c.name,
      url: c.url,
      serviceAccountToken: c.adminToken,
      caData: c.caData,
    }));
    const objectsPerCluster =
      size.externalSecrets + size.kustomizations + size.helmReleases;

    // One replica, sharing off: the set of watches a cluster needs.
    const one = await startReplica({ gitopsSecrets: { clusters } }, 'single');
    const baseline = new Map<string, string>();
    for (const n of names) {
      // The reference answer: once the cluster is listed (a cold cache answers TIMEOUT with what it has so far).
      const reference = await waitFor(`${n} listed`, 120_000, async () => {
        const s = await getJson(`${one.base}/clusters/${n}/status`);
        return s.error ? undefined : content(s);
      });
      baseline.set(n, reference);
    }
    const watchesOneReplica: Record<string, number> = {};
    for (const c of sims) {
      watchesOneReplica[c.name] = await waitFor(
        `watches on ${c.name}`,
        30_000,
        async () => {
          const w = c.counters().openWatches;
          await sleep(500);
          return w > 0 && w === c.counters().openWatches ? w : undefined;
        },
      );
    }
    await one.child.stop();
    started.splice(started.indexOf(one), 1);
    await waitFor('single replica watches closed', 30_000, async () =>
      sims.every(c => c.counters().openWatches === 0),
    );

    // Shared: N replicas on PostgreSQL and Redis.
    const pgConnection = {
      host: opts.services.pgHost,
      port: opts.services.pgPort,
      user: opts.services.pgUser,
    };
    const admin = knexFactory({
      client: 'pg',
      connection: { ...pgConnection, database: 'postgres' },
    });
    await admin.raw(`CREATE DATABASE ${dbName}`);
    await admin.destroy();
    const sharedConfig = {
      backend: {
        database: {
          client: 'pg',
          connection: {
            host: opts.services.pgHost,
            port: opts.services.pgPort,
            user: opts.services.pgUser,
            database: dbName,
          },
          // One database for every plugin, tables in a schema per plugin: nothing to create per run.
          pluginDivisionMode: 'schema',
        },
        cache: { store: 'redis', connection: opts.services.redisUrl },
      },
      gitopsSecrets: {
        clusters,
        replicas: { enabled: true, heartbeatInterval: opts.heartbeat },
      },
    };
    // The first replica creates the schemas and tables; the others start together.
    const replicas = [await startReplica(sharedConfig, 'replica-1')];
    replicas.push(
      ...(await Promise.all(
        Array.from({ length: opts.replicas - 1 }, (_, i) =>
          startReplica(sharedConfig, `replica-${i + 2}`),
        ),
      )),
    );
    const ownersDb = knexFactory({
      client: 'pg',
      connection: { ...pgConnection, database: dbName },
    });
    db = ownersDb;
    const owners = async (): Promise<Map<string, Replica>> => {
      const rows = await ownersDb
        .withSchema('gitops-secrets')
        .select('cluster', 'replica_id')
        .from('gitops_secrets_cluster_owners');
      const out = new Map<string, Replica>();
      for (const row of rows) {
        const pid = Number(String(row.replica_id).split('-').slice(-2)[0]);
        const r = replicas.find(x => x.pid === pid);
        if (r) out.set(row.cluster, r);
      }
      return out;
    };
    await waitFor(
      'every cluster assigned to a live replica',
      60_000,
      async () => {
        const o = await owners();
        return names.every(n => o.has(n)) ? o : undefined;
      },
    );
    const watchesMatch = () =>
      sims.every(c => c.counters().openWatches === watchesOneReplica[c.name]);
    await waitFor('one set of watches per cluster', 60_000, async () =>
      watchesMatch(),
    );
    // Still one set a few heartbeats later (no replica watching a cluster it does not own).
    await sleep(3 * 1000 * Number.parseFloat(opts.heartbeat));
    const watchesShared: Record<string, number> = {};
    for (const c of sims) watchesShared[c.name] = c.counters().openWatches;
    check(
      `open watches per cluster with ${opts.replicas} replicas equal one replica's set`,
      watchesMatch(),
      `one replica ${JSON.stringify(
        watchesOneReplica,
      )}; shared ${JSON.stringify(watchesShared)}`,
    );

    // Every replica answers every cluster the same as the single replica did.
    const mismatches: string[] = [];
    await waitFor(
      'every replica answers every cluster current',
      60_000,
      async () => {
        mismatches.length = 0;
        for (const r of replicas) {
          for (const n of names) {
            const s = await getJson(`${r.base}/clusters/${n}/status`);
            if (s.error || content(s) !== baseline.get(n))
              mismatches.push(
                `${n} on port ${r.port}${
                  s.error ? `: ${s.error.message}` : ''
                }`,
              );
          }
        }
        return mismatches.length === 0;
      },
    ).catch(() => undefined);
    check(
      'every replica answers every cluster like the single replica',
      mismatches.length === 0,
      mismatches.slice(0, 3).join('; ') || undefined,
    );

    const ownerMap = await owners();
    const ownedPerReplica = replicas.map(
      r => names.filter(n => ownerMap.get(n) === r).length,
    );
    // Status reads: one cluster, on its owner and on a replica that does not own it.
    const probe = names[0];
    const owner = ownerMap.get(probe)!;
    const other = replicas.find(r => r !== owner)!;
    const reads = async (r: Replica) => {
      const ms: number[] = [];
      for (let i = 0; i < opts.reads; i++) {
        const s = await timedRequest({
          url: `${r.base}/clusters/${probe}/status?limit=20`,
          timeoutMs: 15_000,
        });
        if (s.status !== 200)
          throw new Error(`status read: ${s.status} ${s.error ?? ''}`);
        ms.push(s.ms);
      }
      return latencyStats(ms);
    };
    const readsOwner = await reads(owner);
    const readsNonOwner = await reads(other);

    // Kill the replica owning the most clusters.
    const victim =
      replicas[ownedPerReplica.indexOf(Math.max(...ownedPerReplica))];
    const moved = names.filter(n => ownerMap.get(n) === victim);
    const survivors = replicas.filter(r => r !== victim);
    log(
      `killing replica on port ${victim.port} (pid ${
        victim.pid
      }), owner of ${moved.join(', ')}`,
    );
    const t0 = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    started.splice(started.indexOf(victim), 1);
    const answers = { current: 0, stale: 0, wrong: 0 };
    const wrongs: string[] = [];
    const done = new Map<string, number>();
    while (done.size < moved.length && Date.now() - t0 < 60_000) {
      for (const n of moved) {
        if (done.has(n)) continue;
        for (const r of survivors) {
          const s = await getJson(`${r.base}/clusters/${n}/status`).catch(
            e => ({ fetchError: String(e) }),
          );
          if (s.fetchError) {
            answers.wrong++;
            wrongs.push(`${n}: ${s.fetchError}`);
          } else if (s.error) {
            // Marked: health Unknown with an error saying why (owner silent, cluster being listed), and its age.
            answers.stale++;
          } else if (content(s) === baseline.get(n)) {
            answers.current++;
          } else {
            answers.wrong++;
            wrongs.push(`${n}: ${JSON.stringify(s.error ?? {}).slice(0, 200)}`);
          }
        }
        const c = sims.find(x => x.name === n)!;
        const s = await getJson(
          `${survivors[0].base}/clusters/${n}/status`,
        ).catch(() => undefined);
        const newOwner = (await owners().catch(() => undefined))?.get(n);
        // Taken over: a live replica owns it, watches it with one full set, and answers it current.
        if (
          newOwner &&
          newOwner !== victim &&
          c.counters().openWatches === watchesOneReplica[n] &&
          s &&
          !s.error &&
          s.cacheAgeSeconds === 0
        ) {
          done.set(n, (Date.now() - t0) / 1000);
        }
      }
      await sleep(250);
    }
    const failoverS = moved.map(n => done.get(n) ?? Number.POSITIVE_INFINITY);
    check(
      `a killed replica's ${moved.length} cluster(s) are watched again and answered current within 30 s`,
      failoverS.every(s => s <= 30),
      `failover ${failoverS.map(s => s.toFixed(1)).join(', ')} s`,
    );
    check(
      'answers during the failover are current or marked stale, never wrong',
      answers.wrong === 0 && answers.current + answers.stale > 0,
      `${answers.current} current, ${answers.stale} stale, ${
        answers.wrong
      } wrong${wrongs.length ? `: ${wrongs.slice(0, 2).join('; ')}` : ''}`,
    );
    await sleep(1000);
    check(
      'after the failover, still one set of watches per cluster',
      watchesMatch(),
      JSON.stringify(
        Object.fromEntries(sims.map(c => [c.name, c.counters().openWatches])),
      ),
    );
    return {
      clusters: names.length,
      objectsPerCluster,
      replicas: opts.replicas,
      heartbeat: opts.heartbeat,
      watchesOneReplica,
      watchesShared,
      ownedPerReplica,
      readsOwner,
      readsNonOwner,
      failoverS,
      answersDuringFailover: answers,
      checks,
    };
  } finally {
    await db?.destroy().catch(() => undefined);
    await Promise.all(started.map(r => r.child.stop().catch(() => undefined)));
    await fleet?.stop().catch(() => undefined);
  }
}
