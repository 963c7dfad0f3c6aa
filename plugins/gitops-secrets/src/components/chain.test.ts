import { chainSteps } from './chain';
import {
  crdRaceCluster,
  failingSecretCluster,
  managementCluster,
  noEsoCluster,
} from '../testing/fixtures';

describe('chainSteps', () => {
  it('lists a management cluster in flow order: sources → CRDs → operator → stores → ExternalSecrets → leaf clusters', () => {
    const cluster = managementCluster();
    expect(cluster.health).toBe('Healthy');
    const steps = chainSteps(cluster);
    expect(steps.map(s => s.key)).toEqual([
      'sources',
      'crds',
      'operator',
      'stores',
      'externalSecrets',
      'leafClusters',
    ]);
    expect(steps.every(s => s.state === 'ok')).toBe(true);
    const by = Object.fromEntries(steps.map(s => [s.key, s]));
    expect(by.crds.summary).toBe(`v${cluster.eso!.crdVersion}`);
    expect(by.operator.summary).toBe('3/3 deployments ready');
    expect(by.externalSecrets.summary).toBe('2/2 synced, 0 failing, 0 stale');
    expect(by.externalSecrets.time).toEqual({
      label: 'last refresh',
      value: cluster.eso!.lastRefresh,
    });
    expect(by.leafClusters.summary).toBe('2 leaf clusters: 2/2 bootstrapped');
  });

  it('counts failing and stale ExternalSecrets and marks the step failing', () => {
    const cluster = failingSecretCluster();
    const es = chainSteps(cluster).find(s => s.key === 'externalSecrets')!;
    const { total, synced, failing, stale } = cluster.eso!.counts;
    expect({ total, synced, failing, stale }).toEqual({
      total: 2,
      synced: 1,
      failing: 1,
      stale: 1,
    });
    expect(es.summary).toBe('1/2 synced, 1 failing, 1 stale');
    expect(es.state).toBe('error');
    expect(chainSteps(cluster).find(s => s.key === 'stores')!.state).toBe(
      'error',
    );
  });

  it('stops after the CRDs when ESO is not installed', () => {
    for (const cluster of [noEsoCluster(), crdRaceCluster()]) {
      expect(cluster.eso?.installed).toBe(false);
      const steps = chainSteps(cluster);
      expect(steps.map(s => s.key)).toEqual(['sources', 'crds']);
      expect(steps[1]).toMatchObject({
        state: 'absent',
        summary: 'not installed',
      });
    }
  });

  it('flags CRD version skew on the CRDs step', () => {
    const cluster = managementCluster();
    const skewed = {
      ...cluster,
      eso: { ...cluster.eso!, crdVersion: '2.8.0', chartVersion: '2.9.0' },
      findings: [
        {
          code: 'CRD_VERSION_SKEW' as const,
          severity: 'warning' as const,
          title: 't',
          detail: 'd',
          fix: 'f',
          objects: [],
        },
      ],
    };
    expect(chainSteps(skewed)[1]).toMatchObject({
      state: 'warning',
      summary: 'v2.8.0 (chart 2.9.0)',
    });
  });
});
