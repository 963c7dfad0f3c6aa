// Runs @kubernetes/client-node (an ESM package) against simulated clusters, outside jest.
// Usage: node client-node.mjs KUBECONFIG_FILE CONTEXT OTHER_CONTEXT
// Prints one JSON object with what the client saw; the jest test (src/clientNode.test.ts) judges it.
import fs from 'node:fs';
import https from 'node:https';
import {
  CustomObjectsApi,
  KubeConfig,
  makeInformer,
} from '@kubernetes/client-node';

const [file, context, otherContext] = process.argv.slice(2);
const kc = new KubeConfig();
kc.loadFromString(fs.readFileSync(file, 'utf8'));
kc.setCurrentContext(context);

const out = {};
const ES = {
  group: 'external-secrets.io',
  version: 'v1',
  plural: 'externalsecrets',
};

function admin(method, path, body) {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${cluster.server}${path}`,
      {
        method,
        ca: Buffer.from(cluster.caData, 'base64'),
        headers: {
          Authorization: `Bearer ${user.token}`,
          'Content-Type': 'application/json',
        },
      },
      res => {
        let text = '';
        res.on('data', c => (text += c));
        res.on('end', () => resolve(text ? JSON.parse(text) : undefined));
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

function externalSecret(name, ready = 'True') {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: 'apps' },
    spec: {
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws' },
      target: { name },
    },
    status: {
      conditions: [{ type: 'Ready', status: ready, reason: 'SecretSynced' }],
    },
  };
}

async function waitForAsync(predicate, what, timeoutMs = 5000) {
  const started = Date.now();
  while (!(await predicate())) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 20));
  }
}

function waitFor(predicate, what, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (predicate()) resolve();
      else if (Date.now() - started > timeoutMs)
        reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

const api = kc.makeApiClient(CustomObjectsApi);

// CustomObjectsApi list/get and the error it throws for a missing object
const list = await api.listNamespacedCustomObject({ ...ES, namespace: 'apps' });
out.listed = list.items.map(i => i.metadata.name);
out.listKind = list.kind;
const got = await api.getNamespacedCustomObject({
  ...ES,
  namespace: 'apps',
  name: 'db',
});
out.got = { name: got.metadata.name, ready: got.status.conditions[0].status };
try {
  await api.getNamespacedCustomObject({
    ...ES,
    namespace: 'apps',
    name: 'missing',
  });
  out.missing = 'no error';
} catch (e) {
  out.missing = { code: e.code, body: JSON.parse(e.body) };
}

// the other context reaches the other cluster
const other = new KubeConfig();
other.loadFromString(fs.readFileSync(file, 'utf8'));
other.setCurrentContext(otherContext);
const otherList = await other
  .makeApiClient(CustomObjectsApi)
  .listClusterCustomObject({
    group: 'kustomize.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'kustomizations',
  });
out.otherCluster = otherList.items.map(i => i.metadata.name);

// informer: ADDED / MODIFIED / DELETED
const events = [];
const errors = [];
const informer = makeInformer(
  kc,
  '/apis/external-secrets.io/v1/externalsecrets',
  () => api.listClusterCustomObject(ES),
);
informer.on('add', o => events.push(`add ${o.metadata.name}`));
informer.on('update', o =>
  events.push(`update ${o.metadata.name} ${o.status?.conditions?.[0]?.status}`),
);
informer.on('delete', o => events.push(`delete ${o.metadata.name}`));
informer.on('error', e => errors.push(String(e?.message ?? e)));
// client-node's ListWatch.stop() aborts only the watch request it already holds: called while a
// relist is still opening the next watch, that watch opens afterwards and stays open. So stop only
// once the server sees the informer's watch, then wait until the server sees it end.
const openWatches = async () =>
  (await admin('GET', '/_sim/counters')).openWatches;
async function stopInformer() {
  await waitForAsync(async () => (await openWatches()) >= 1, 'watch open');
  await informer.stop();
  await waitForAsync(async () => (await openWatches()) === 0, 'watch closed');
}
await informer.start();
await waitFor(() => events.length >= 1, 'initial add');

await admin('POST', '/_sim/objects', externalSecret('cache'));
await waitFor(() => events.includes('add cache'), 'add cache');
await admin('POST', '/_sim/objects', externalSecret('cache', 'False'));
await waitFor(() => events.includes('update cache False'), 'update cache');
await admin(
  'DELETE',
  '/_sim/objects?apiVersion=external-secrets.io/v1&kind=ExternalSecret&namespace=apps&name=cache',
);
await waitFor(() => events.includes('delete cache'), 'delete cache');
out.informerEvents = [...events];

// a dropped watch resumes from its resourceVersion, without relisting
await admin('POST', '/_sim/counters/reset');
await admin('PUT', '/_sim/faults', { dropWatchesAfterMs: 100 });
await new Promise(r => setTimeout(r, 350));
await admin('PUT', '/_sim/faults', {});
await admin('POST', '/_sim/objects', externalSecret('after-drop'));
await waitFor(() => events.includes('add after-drop'), 'add after-drop');
const dropCounters = await admin('GET', '/_sim/counters');
out.afterDrop = {
  lists: dropCounters.byVerb.list ?? 0,
  watches: dropCounters.byVerb.watch ?? 0,
};

// 410 Gone (expireWatchHistory): the informer relists and sees what it missed
await stopInformer();
await admin('POST', '/_sim/counters/reset');
await admin('PUT', '/_sim/faults', { expireWatchHistory: true });
await admin('POST', '/_sim/objects', externalSecret('missed'));
await admin(
  'DELETE',
  '/_sim/objects?apiVersion=external-secrets.io/v1&kind=ExternalSecret&namespace=apps&name=after-drop',
);
await informer.start();
await waitFor(
  () => events.includes('add missed') && events.includes('delete after-drop'),
  'relist after 410',
);
const goneCounters = await admin('GET', '/_sim/counters');
const faults = await admin('GET', '/_sim/faults');
out.after410 = {
  lists: goneCounters.byVerb.list ?? 0,
  faultConsumed: faults.expireWatchHistory === false,
  cached: informer
    .list('apps')
    .map(o => o.metadata.name)
    .sort(),
};

// 410 Gone from history trimmed while the informer was away.
// Churn only once the server has seen the watch end, or a late event could advance the informer's
// resourceVersion past the trimmed history and make the relist unnecessary.
await stopInformer();
await admin('POST', '/_sim/counters/reset');
for (let i = 0; i < 8; i++)
  await admin('POST', '/_sim/objects', externalSecret(`churn-${i}`));
await informer.start();
await waitFor(
  () => events.includes('add churn-7'),
  'relist after history trimmed',
);
const trimmedCounters = await admin('GET', '/_sim/counters');
out.afterTrim = {
  lists: trimmedCounters.byVerb.list ?? 0,
  cachedCount: informer.list('apps').length,
};

await informer.stop();
out.errors = errors;
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
