import { Child } from '../util/child';
const N = Number(process.env.N ?? 200);
const VARIANTS = JSON.parse(
  process.env.VARIANTS ??
    '[{"variant":"tls"},{"variant":"session"},{"variant":"watches","streams":18},{"variant":"watches","streams":18,"window":1048576,"connWindow":8388608}]',
);
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
  for (const v of VARIANTS) {
    const p = new Child('probe', 'exp/h2probe', { execArgv: ['--expose-gc'] });
    const r: any = await p.request(
      { ...v, clusters: ready.clusters },
      'result',
      600_000,
    );
    const f = (x: number) => x.toFixed(1);
    console.log(
      JSON.stringify(v),
      `opened=${r.opened}`,
      `rss ${f(r.before.rss)}→${f(r.after.rss)} (${f(
        r.perCluster * 1000,
      )} kB/cluster)`,
      `anon ${f(r.before.anon)}→${f(r.after.anon)}`,
      `heapTotal ${f(r.before.heapTotal)}→${f(r.after.heapTotal)} used ${f(
        r.before.heapUsed,
      )}→${f(r.after.heapUsed)} ext ${f(r.before.external)}→${f(
        r.after.external,
      )}`,
    );
    await p.stop().catch(() => undefined);
  }
  await fleet.stop();
  process.exit(0);
})();
