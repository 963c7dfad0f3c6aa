import fs from 'node:fs';
import { Child } from '../util/child';
import { timedRequest } from '../util/http';
import { startBackend, waitForSync } from '../status/statusBench';
const N = Number(process.env.N ?? 200);
function smaps(pid: number) {
  const out: Record<string, number> = {};
  let cur = '';
  for (const line of fs
    .readFileSync(`/proc/${pid}/smaps`, 'utf8')
    .split('\n')) {
    const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) {
      cur = m[1] || '[anon]';
      continue;
    }
    const r = /^Rss:\s+(\d+) kB/.exec(line);
    if (r) out[cur] = (out[cur] ?? 0) + Number(r[1]) / 1024;
  }
  return out;
}
(async () => {
  const fleet = new Child('fleet', 'fleet/fleetProcess', {});
  const ready: any = await fleet.request(
    {
      type: 'start',
      fleet: 'x',
      size: {
        clusters: N,
        externalSecrets: 0,
        kustomizations: 0,
        helmReleases: 0,
        teams: 1,
      },
      blackholed: [],
    },
    'ready',
    900_000,
  );
  console.log(
    `fleet ${ready.clusters.length} in ${(ready.seedMs / 1000).toFixed(1)} s`,
  );
  const opts: any = {
    clusterTimeoutMs: 30000,
    requestTimeoutMs: 60000,
    syncTimeoutMs: 180000,
    verbose: false,
    log: console.log,
    configOverride: JSON.parse(process.env.CFG ?? '{}'),
  };
  const b = await startBackend(ready.clusters, opts, ['ours']);
  const pid = (b.backend as any).pid;
  const d0: any = await b.backend.request(
    { type: 'diag', snapshot: process.env.SNAP0 },
    'diag',
    120000,
  );
  const before: any = await b.mem();
  const s0 = smaps(pid);
  const count256 = () => {
    let n = 0,
      rss = 0,
      cur = false;
    for (const line of fs
      .readFileSync(`/proc/${pid}/smaps`, 'utf8')
      .split('\n')) {
      const m = /^([0-9a-f]+)-([0-9a-f]+) rw-p \S+ \S+ 0\s*$/.exec(line);
      if (/^[0-9a-f]+-[0-9a-f]+ /.test(line))
        cur = !!m && parseInt(m[2], 16) - parseInt(m[1], 16) === 262144;
      if (cur) {
        const r = /^Rss:\s+(\d+) kB/.exec(line);
        if (r) {
          n++;
          rss += Number(r[1]) / 1024;
        }
      }
    }
    return `${n} maps ${rss.toFixed(0)} MB`;
  };
  console.log('256k before', count256());
  await timedRequest({ ...b.req.ours, timeoutMs: 60000 });
  const sync = await waitForSync(
    b.req.ours.url,
    ready.clusters.map((c: any) => c.name),
    0,
    opts,
  );
  const rssNow = () =>
    Number(
      /^VmRSS:\s+(\d+)/m.exec(
        fs.readFileSync(`/proc/${pid}/status`, 'utf8'),
      )![1],
    ) / 1024;
  for (let t = 0; t < Number(process.env.SETTLE ?? 0); t += 10) {
    console.log(`t+${t}s rss ${rssNow().toFixed(0)} MB, 256k: ${count256()}`);
    await new Promise(r => setTimeout(r, 10000));
  }
  await new Promise(r => setTimeout(r, 3000));
  const d1: any = await b.backend.request(
    { type: 'diag', snapshot: process.env.SNAP },
    'diag',
    120000,
  );
  const after: any = await b.mem();
  const s1 = smaps(pid);
  console.log('256k after', count256());
  const mb = (x: number) => (x / 1048576).toFixed(1);
  console.log(
    `synced=${sync.synced} rss ${mb(before.rss)}→${mb(
      after.rss,
    )} per cluster ${((after.rss - before.rss) / N / 1024).toFixed(
      0,
    )} kB; anon ${mb(before.rssAnon)}→${mb(after.rssAnon)}; heapTotal ${mb(
      before.heapTotal,
    )}→${mb(after.heapTotal)} used ${mb(before.heapUsed)}→${mb(
      after.heapUsed,
    )} ext ${mb(before.external)}→${mb(after.external)} ab ${mb(
      before.arrayBuffers,
    )}→${mb(after.arrayBuffers)}`,
  );
  console.log('spaces before', JSON.stringify(d0.spaces));
  console.log('spaces after ', JSON.stringify(d1.spaces));
  console.log('resources', JSON.stringify(d1.resources));
  const keys = new Set([...Object.keys(s0), ...Object.keys(s1)]);
  const diff = [...keys]
    .map(k => [k, (s1[k] ?? 0) - (s0[k] ?? 0)] as [string, number])
    .filter(x => Math.abs(x[1]) > 1)
    .sort((a, b) => b[1] - a[1]);
  console.log(
    'smaps growth (MB)',
    JSON.stringify(diff.map(([k, v]) => [k, Number(v.toFixed(1))])),
  );
  if (process.env.MAPS) {
    // anon mappings by virtual size class, with RSS
    let cur: any = null;
    const rows: any[] = [];
    for (const line of fs
      .readFileSync(`/proc/${pid}/smaps`, 'utf8')
      .split('\n')) {
      const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
      if (m) {
        cur = {
          size: (parseInt(m[2], 16) - parseInt(m[1], 16)) / 1024,
          perm: m[3],
          name: m[4] || '[anon]',
        };
        rows.push(cur);
        continue;
      }
      const r = /^Rss:\s+(\d+) kB/.exec(line);
      if (r && cur) cur.rss = Number(r[1]);
    }
    const g: Record<string, { n: number; rss: number }> = {};
    for (const r of rows.filter(
      r => r.name === '[anon]' || r.name === '[heap]',
    )) {
      const k = `${r.name} ${r.perm} ${
        r.size >= 65536
          ? '64M+'
          : r.size >= 1024
          ? Math.round(r.size / 1024) + 'M'
          : Math.round(r.size) + 'k'
      }`;
      g[k] ??= { n: 0, rss: 0 };
      g[k].n++;
      g[k].rss += r.rss / 1024;
    }
    console.log(
      Object.entries(g)
        .sort((a, b) => b[1].rss - a[1].rss)
        .slice(0, 25)
        .map(([k, v]) => `${k}: n=${v.n} rss=${v.rss.toFixed(1)}MB`)
        .join('\n'),
    );
    const tasks = fs
      .readdirSync(`/proc/${pid}/task`)
      .map(t => fs.readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim());
    console.log('threads', tasks.join(','));
  }
  if (process.env.TRIM) {
    const { execSync } = require('node:child_process');
    console.log(
      execSync(
        `gdb -p ${pid} -batch -ex 'call (int)malloc_trim(0)' 2>&1 | tail -2`,
      ).toString(),
    );
    const t: any = await b.mem();
    const s2 = smaps(pid);
    console.log(
      `after malloc_trim: rss ${mb(t.rss)} anon ${mb(t.rssAnon)}; [heap] ${s2[
        '[heap]'
      ]?.toFixed(1)} [anon] ${s2['[anon]']?.toFixed(1)}`,
    );
  }
  await b.backend.stop().catch(() => undefined);
  await fleet.stop();
  process.exit(0);
})();
