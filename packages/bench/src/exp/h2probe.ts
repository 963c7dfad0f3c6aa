/* Experiment (not committed): the native cost of TLS connections, h2 sessions and h2 watch streams alone. */
import http2 from 'node:http2';
import https from 'node:https';
import tls from 'node:tls';
import fs from 'node:fs';

const PATHS = [
  '/api/v1/namespaces',
  '/api/v1/events',
  '/apis/external-secrets.io/v1/externalsecrets',
  '/apis/external-secrets.io/v1/secretstores',
  '/apis/external-secrets.io/v1/clustersecretstores',
  '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations',
  '/apis/helm.toolkit.fluxcd.io/v2/helmreleases',
  '/apis/source.toolkit.fluxcd.io/v1/gitrepositories',
  '/apis/source.toolkit.fluxcd.io/v1/helmrepositories',
  '/apis/source.toolkit.fluxcd.io/v1/helmcharts',
  '/apis/source.toolkit.fluxcd.io/v1/buckets',
  '/apis/source.toolkit.fluxcd.io/v1/ocirepositories',
  '/apis/cluster.x-k8s.io/v1beta2/clusters',
  '/apis/cluster.x-k8s.io/v1beta2/machinedeployments',
  '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
  '/api/v1/namespaces?x=2',
  '/apis/external-secrets.io/v1/externalsecrets?x=2',
  '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations?x=2',
];

function status() {
  const s = fs.readFileSync('/proc/self/status', 'utf8');
  const kb = (k: string) =>
    Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)![1]) / 1024;
  return { anon: kb('RssAnon'), file: kb('RssFile') };
}
async function mem() {
  for (let i = 0; i < 4; i++) {
    (globalThis as any).gc();
    await new Promise(r => setTimeout(r, 50));
  }
  const m = process.memoryUsage();
  return {
    rss: m.rss / 2 ** 20,
    heapTotal: m.heapTotal / 2 ** 20,
    heapUsed: m.heapUsed / 2 ** 20,
    external: m.external / 2 ** 20,
    ...status(),
  };
}

process.on('message', async (msg: any) => {
  const { clusters, variant, streams, window } = msg;
  const keep: any[] = [];
  const ctxs = new Map<string, tls.SecureContext>();
  const ctxFor = (ca: string) => {
    let c = ctxs.get(ca);
    if (!c) {
      c = tls.createSecureContext({ ca: Buffer.from(ca, 'base64') });
      ctxs.set(ca, c);
    }
    return c;
  };
  // contexts first, so they are in the baseline
  for (const c of clusters) ctxFor(c.caData);
  const before = await mem();
  let opened = 0;
  await Promise.all(
    clusters.map(async (c: any) => {
      const u = new URL(c.url);
      const secureContext = ctxFor(c.caData);
      if (variant === 'h1') {
        const agent = new https.Agent({
          keepAlive: true,
          secureContext,
        } as any);
        keep.push(agent);
        for (let i = 0; i < streams; i++) {
          await new Promise<void>((resolve, reject) => {
            const req = https.request(
              {
                host: u.hostname,
                port: u.port,
                path: `${PATHS[i % PATHS.length]}${
                  PATHS[i % PATHS.length].includes('?') ? '&' : '?'
                }watch=1&allowWatchBookmarks=true`,
                agent,
                headers: { authorization: `Bearer ${c.adminToken}` },
              },
              res => {
                res.on('data', () => {});
                keep.push(res);
                opened++;
                resolve();
              },
            );
            req.on('error', reject);
            req.end();
          });
        }
        return;
      }
      const socket = tls.connect({
        host: u.hostname,
        port: Number(u.port),
        ALPNProtocols: ['h2'],
        secureContext,
        servername: undefined,
      });
      await new Promise<void>((res, rej) => {
        socket.once('secureConnect', () => res());
        socket.once('error', rej);
      });
      keep.push(socket);
      if (variant === 'tls') return;
      const session = http2.connect(c.url, {
        createConnection: () => socket,
        ...(window ? { settings: { initialWindowSize: window } } : {}),
        ...(msg.sessionOpts ?? {}),
      });
      await new Promise<void>(r => session.once('connect', () => r()));
      if (msg.connWindow) session.setLocalWindowSize(msg.connWindow);
      keep.push(session);
      if (variant === 'session') return;
      for (let i = 0; i < streams; i++) {
        const p = PATHS[i % PATHS.length];
        const s = session.request({
          ':path': `${p}${
            p.includes('?') ? '&' : '?'
          }watch=1&allowWatchBookmarks=true`,
          authorization: `Bearer ${c.adminToken}`,
        });
        await new Promise<void>((r, rej) => {
          s.once('response', () => r());
          s.once('error', rej);
        });
        s.on('data', () => {});
        keep.push(s);
        opened++;
      }
    }),
  );
  await new Promise(r => setTimeout(r, 1000));
  const after = await mem();
  process.send!({
    type: 'result',
    variant,
    streams,
    window,
    opened,
    before,
    after,
    perCluster: (after.rss - before.rss) / clusters.length,
  });
  process.exit(0);
});
