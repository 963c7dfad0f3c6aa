import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { loadCrds } from '@golden-gitops/crd-schemas';
import type { SimCluster, SimFleet } from '@golden-gitops/kube-api-sim';
import { startFleet, syntheticCrds } from '@golden-gitops/kube-api-sim';
import { WATCHED_KINDS } from '@golden-gitops/plugin-gitops-secrets-common';
import { clusterConfig, eventually } from '../__testUtils__/sim';
import type { ClusterDetails } from '../config/clusters';
import { readSettings } from '../config/clusters';
import type { KubeClient } from '../kube/KubeClient';
import { KubeConfigClient, KubeRequestError } from '../kube/KubeClient';
import { isNeededCrd } from './CrdTracker';
import { Fleet } from './Fleet';

// Parsing the upstream CRDs and 300 synthetic ones takes seconds on 2 loaded cores.
jest.setTimeout(90_000);

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const ES_CRD = 'externalsecrets.external-secrets.io';
const ES_KEY = 'externalsecrets.external-secrets.io';
const VERSION = 'app.kubernetes.io/version';

describe('isNeededCrd', () => {
  it.each([
    // CRDs of watched kinds: their coming and going reruns discovery.
    ['kustomizations.kustomize.toolkit.fluxcd.io', true],
    ['clusters.cluster.x-k8s.io', true],
    // ESO's CRDs, sub-groups too: the rules read them.
    [ES_CRD, true],
    ['ecrauthorizationtokens.generators.external-secrets.io', true],
    // Everything else.
    ['buckets.source.toolkit.fluxcd.io', false],
    ['widget1s.g1.synthetic.example.com', false],
    ['externalsecrets.external-secrets.io.example.com', false],
  ])('%s → %s', (name, needed) => {
    expect(isNeededCrd(name)).toBe(needed);
  });

  it('covers the CRD of every watched custom kind', () => {
    for (const k of WATCHED_KINDS) {
      if (k.group.endsWith('.k8s.io') || !k.group.includes('.')) continue;
      expect(isNeededCrd(k.key)).toBe(true);
    }
  });
});

describe('CRDs by name', () => {
  let sim: SimFleet;
  beforeAll(async () => {
    sim = await startFleet([
      { name: 'crowded', crdSets: ['flux', 'external-secrets'] },
      { name: 'full-only', crdSets: ['flux', 'external-secrets'] },
    ]);
    for (const name of ['crowded', 'full-only']) {
      for (const crd of syntheticCrds(300, { schemaBytes: 20_000 }))
        sim.cluster(name).upsert(crd);
    }
  });
  afterAll(() => sim.stop());

  /**
   * A fleet on one cluster; `metadata: false` plays a server that does not offer the metadata form (it
   * answers the plain JSON offered second), by never asking for it.
   */
  function fleetOn(
    cluster: SimCluster,
    metadata = true,
    failGets?: { on: boolean },
  ) {
    const settings = readSettings(
      new ConfigReader({
        gitopsSecrets: {
          clusters: [clusterConfig(cluster)],
          backoff: { initial: '50ms', max: '200ms' },
        },
      }),
    );
    const clientFactory = (d: ClusterDetails): KubeClient => {
      const real = KubeConfigClient.fromCluster(d);
      if (failGets) {
        return {
          getJson: (path, query, signal, o) =>
            failGets.on && path.startsWith(`${CRDS}/`)
              ? Promise.reject(
                  new KubeRequestError('http', 'GET answered HTTP 500', 500),
                )
              : real.getJson(path, query, signal, o),
          getList: real.getList.bind(real),
          watch: real.watch.bind(real),
          close: () => real.close(),
        };
      }
      if (metadata) return real;
      const plain = <T extends { accept?: string }>(o?: T) =>
        o ? { ...o, accept: undefined } : o;
      return {
        getJson: (path, query, signal, o) =>
          real.getJson(path, query, signal, plain(o)),
        getList: (path, query, onItem, signal, o) =>
          real.getList(path, query, onItem, signal, plain(o)),
        watch: (path, query, onEvent, signal, idle, o) =>
          real.watch(path, query, onEvent, signal, idle, plain(o)),
        close: () => real.close(),
      };
    };
    return new Fleet({
      settings,
      logger: mockServices.logger.mock(),
      clientFactory,
    });
  }

  const codes = (s: { findings: Array<{ code: string }> }) =>
    s.findings.map(f => f.code);
  const crdGets = (c: SimCluster) =>
    Object.entries(c.counters().byPath)
      .filter(([k]) => k.startsWith(`get ${CRDS}/`))
      .map(([k, n]) => [k.slice(`get ${CRDS}/`.length), n] as const);
  const getCount = (c: SimCluster) =>
    crdGets(c).reduce((sum, [, n]) => sum + n, 0);
  const crdBytes = (c: SimCluster) =>
    Object.entries(c.counters().bytesByPath)
      .filter(([k]) => k.includes(CRDS))
      .reduce((sum, [, n]) => sum + n, 0);

  it('among 300 unrelated CRDs reads only the needed ones in full, once each', async () => {
    const crowded = sim.cluster('crowded');
    crowded.resetCounters();
    const fleet = fleetOn(crowded);
    try {
      const cache = fleet.acquire('crowded')!;
      expect(await cache.whenSettled()).toBe(true);
      const needed = (
        crowded.list(
          'apiextensions.k8s.io/v1',
          'CustomResourceDefinition',
        ) as any[]
      )
        .map(c => c.metadata.name as string)
        .filter(isNeededCrd)
        .sort();
      expect(needed).toContain(ES_CRD);
      expect(needed.length).toBeLessThan(40);
      // Only the CRDs the model keeps (ESO's) are read in full; those of the other watched kinds by name only.
      const kept = needed.filter(n => n.endsWith('.external-secrets.io'));
      expect(kept.length).toBeGreaterThan(3);
      expect(
        crdGets(crowded)
          .map(([n]) => n)
          .sort(),
      ).toEqual(kept);
      expect(crdGets(crowded).every(([, n]) => n === 1)).toBe(true);
      // Listed as metadata: a first page of 20 (the form is not known yet), then the rest at once.
      expect(crowded.counters().byPath[`list ${CRDS}`]).toBe(2);
      expect(needed.length).toBeGreaterThan(kept.length);
      // The model has ESO's CRDs, served versions and all.
      const s = cache.summary(undefined);
      expect(s.servedVersions?.[ES_KEY]).toBe('v1');
      expect(codes(s)).not.toContain('ESO_CRD_MISSING');
      expect(
        cache
          .objects()
          .filter(o => o.kind === 'CustomResourceDefinition')
          .map(o => o.metadata.name)
          .sort(),
      ).toEqual(kept);
      // Bytes: ESO's CRDs in full and a line of metadata per CRD, not 300 schemas of 20 KB.
      const keptBytes = kept
        .map(n =>
          JSON.stringify(
            crowded.get(
              'apiextensions.k8s.io/v1',
              'CustomResourceDefinition',
              undefined,
              n,
            ),
          ),
        )
        .reduce((sum, j) => sum + Buffer.byteLength(j), 0);
      expect(crdBytes(crowded)).toBeLessThan(keptBytes + 340 * 1_000);
    } finally {
      fleet.stop();
    }
  });

  it.each([
    ['a server answering metadata', true],
    ['a server answering only full objects', false],
  ])(
    'on %s: a needed CRD removed, changed and added again reruns discovery and the findings follow',
    async (_what, metadata) => {
      const cluster = sim.cluster(metadata ? 'crowded' : 'full-only');
      const esCrd = loadCrds(['external-secrets']).find(
        c => c.metadata.name === ES_CRD,
      )!;
      const fleet = fleetOn(cluster, metadata);
      try {
        const cache = fleet.acquire(cluster.name)!;
        expect(await cache.whenSettled()).toBe(true);
        expect(cache.summary(undefined).servedVersions?.[ES_KEY]).toBe('v1');
        // Against full objects nothing is read by name; against metadata, ESO's CRDs are.
        expect(crdGets(cluster).length > 0).toBe(metadata);
        cluster.resetCounters();

        // Removed: ExternalSecret is no longer served, ESO_CRD_MISSING names it.
        cluster.remove(
          'apiextensions.k8s.io/v1',
          'CustomResourceDefinition',
          undefined,
          ES_CRD,
        );
        await eventually(() => {
          const s = cache.summary(undefined);
          expect(s.servedVersions?.[ES_KEY]).toBeUndefined();
          expect(codes(s)).toContain('ESO_CRD_MISSING');
        });

        // Back, serving only a removed version: discovery again, UNSUPPORTED_API instead.
        cluster.upsert({
          ...(esCrd as any),
          spec: {
            ...esCrd.spec,
            versions: esCrd.spec.versions
              .map(v => ({
                ...v,
                name: 'v1beta1',
                served: true,
                storage: true,
              }))
              .slice(0, 1),
          },
        });
        await eventually(() => {
          const s = cache.summary(undefined);
          expect(codes(s)).not.toContain('ESO_CRD_MISSING');
          expect(s.findings.map(f => f.title)).toContain(
            'ExternalSecret is served only as v1beta1',
          );
        });

        // Updated to serve v1 again.
        cluster.upsert(esCrd as any);
        await eventually(() => {
          const s = cache.summary(undefined);
          expect(s.servedVersions?.[ES_KEY]).toBe('v1');
          expect(codes(s)).not.toContain('UNSUPPORTED_API');
        });
        // Unrelated CRDs changing cost no reads in full, nor discovery.
        const discoveries = cluster.counters().byVerb.discovery ?? 0;
        const gets = getCount(cluster);
        for (const crd of syntheticCrds(5, { schemaBytes: 20_000 })) {
          cluster.upsert({
            ...crd,
            metadata: { ...crd.metadata, labels: { touched: 'yes' } },
          });
        }
        cluster.upsert({
          ...(esCrd as any),
          metadata: {
            ...esCrd.metadata,
            labels: { ...esCrd.metadata.labels, [VERSION]: 'v9.9.9' },
          },
        });
        // The last change (a needed CRD's label) is read once it shows; the five before it were not.
        await eventually(() =>
          cache
            .objects()
            .some(
              o =>
                o.metadata.name === ES_CRD &&
                o.metadata.labels?.[VERSION] === 'v9.9.9',
            ),
        );
        expect(cluster.counters().byVerb.discovery ?? 0).toBe(discoveries);
        expect(getCount(cluster)).toBe(metadata ? gets + 1 : 0);
      } finally {
        fleet.stop();
      }
    },
  );

  it('a CRD that fails to read is reported and keeps what was read before, until a read succeeds', async () => {
    const cluster = sim.cluster('crowded');
    const failGets = { on: false };
    const fleet = fleetOn(cluster, true, failGets);
    const esCrd = () =>
      cluster.get(
        'apiextensions.k8s.io/v1',
        'CustomResourceDefinition',
        undefined,
        ES_CRD,
      )!;
    const labelOf = (cache: ReturnType<Fleet['acquire']>) =>
      cache!.objects().find(o => o.metadata.name === ES_CRD)?.metadata.labels?.[
        VERSION
      ];
    try {
      const cache = fleet.acquire('crowded')!;
      expect(await cache.whenSettled()).toBe(true);
      failGets.on = true;
      const before = labelOf(cache);
      cluster.upsert({
        ...esCrd(),
        metadata: {
          ...esCrd().metadata,
          labels: { ...esCrd().metadata.labels, [VERSION]: 'v8.8.8' },
        },
      });
      const failing = await eventually(() => {
        const s = cache.summary(undefined);
        expect(s.error?.message).toContain(
          'customresourcedefinitions.apiextensions.k8s.io',
        );
        return s;
      });
      // Not read is not gone: no ESO_CRD_MISSING, the CRD as it was.
      expect(codes(failing)).not.toContain('ESO_CRD_MISSING');
      expect(labelOf(cache)).toBe(before);
      failGets.on = false;
      await eventually(() => {
        expect(labelOf(cache)).toBe('v8.8.8');
        expect(cache.summary(undefined).error).toBeUndefined();
      });
    } finally {
      fleet.stop();
    }
  });

  it('a CRD of a watched kind that is followed by resourceVersion only (Flux) going and coming back reruns discovery', async () => {
    const cluster = sim.cluster('crowded');
    const KS_CRD = 'kustomizations.kustomize.toolkit.fluxcd.io';
    const ks = loadCrds(['flux']).find(c => c.metadata.name === KS_CRD)!;
    const fleet = fleetOn(cluster);
    try {
      const cache = fleet.acquire('crowded')!;
      expect(await cache.whenSettled()).toBe(true);
      expect(cache.summary(undefined).servedVersions?.[KS_CRD]).toBe('v1');
      cluster.resetCounters();
      cluster.remove(
        'apiextensions.k8s.io/v1',
        'CustomResourceDefinition',
        undefined,
        KS_CRD,
      );
      await eventually(() =>
        expect(
          cache.summary(undefined).servedVersions?.[KS_CRD],
        ).toBeUndefined(),
      );
      cluster.upsert(ks as any);
      await eventually(() =>
        expect(cache.summary(undefined).servedVersions?.[KS_CRD]).toBe('v1'),
      );
      // Never read in full: its resourceVersion told the change, discovery what is served.
      expect(crdGets(cluster).filter(([n]) => n === KS_CRD)).toEqual([]);
    } finally {
      fleet.stop();
    }
  });

  it('asks for plain JSON after a server refuses the metadata form with 406', async () => {
    const cluster = sim.cluster('crowded');
    const settings = readSettings(
      new ConfigReader({
        gitopsSecrets: {
          clusters: [clusterConfig(cluster)],
          backoff: { initial: '50ms', max: '200ms' },
        },
      }),
    );
    const refused: string[] = [];
    const refuse = (o?: { accept?: string }) => {
      if (!o?.accept?.includes('PartialObjectMetadata')) return undefined;
      refused.push(o.accept);
      return Promise.reject(
        new KubeRequestError('http', 'answered HTTP 406', 406),
      );
    };
    const fleet = new Fleet({
      settings,
      logger: mockServices.logger.mock(),
      clientFactory: (d: ClusterDetails): KubeClient => {
        const real = KubeConfigClient.fromCluster(d);
        return {
          getJson: (path, query, signal, o) =>
            refuse(o) ?? real.getJson(path, query, signal, o),
          getList: (path, query, onItem, signal, o) =>
            refuse(o) ?? real.getList(path, query, onItem, signal, o),
          watch: (path, query, onEvent, signal, idle, o) =>
            refuse(o) ?? real.watch(path, query, onEvent, signal, idle, o),
          close: () => real.close(),
        };
      },
    });
    try {
      const cache = fleet.acquire('crowded')!;
      await eventually(() => {
        const s = cache.summary(undefined);
        expect(s.error).toBeUndefined();
        expect(s.servedVersions?.[ES_KEY]).toBe('v1');
        expect(codes(s)).not.toContain('ESO_CRD_MISSING');
      });
      expect(refused).toHaveLength(1);
      expect(cache.objects().some(o => o.metadata.name === ES_CRD)).toBe(true);
    } finally {
      fleet.stop();
    }
  });
});
