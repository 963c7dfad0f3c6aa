import {
  entityStatus,
  erroredCluster,
  failingSecretCluster,
  managementCluster,
} from '../../testing/fixtures';
import { externalSecretRows, fluxRows, storeRows } from './rows';

describe('rows', () => {
  const status = entityStatus('component:default/a', [
    managementCluster(),
    failingSecretCluster(),
    erroredCluster(),
  ]);

  it('gives every ExternalSecret a state: Synced, Stale, Failing', () => {
    const rows = externalSecretRows(status);
    const byName = Object.fromEntries(rows.map(r => [r.name, r]));
    expect(byName['db-credentials'].state).toBe('Synced');
    expect(byName['smtp-credentials'].state).toBe('Stale');
    expect(byName['portal-db'].state).toBe('Failing');
    expect(byName['portal-db'].store).toBe(
      'ClusterSecretStore/aws-secrets-manager',
    );
    // One row per object per cluster, ids unique across clusters.
    expect(new Set(rows.map(r => r.id)).size).toBe(rows.length);
  });

  it('flattens stores and Flux objects with their cluster', () => {
    const stores = storeRows(status);
    expect(
      stores.map(s => `${s.cluster}:${s.name}:${s.health}`).sort(),
    ).toEqual([
      'invalid-store:aws-secrets-manager:Degraded',
      'management:aws-secrets-manager:Healthy',
    ]);
    const flux = fluxRows(status);
    const operator = flux.find(
      f => f.cluster === 'management' && f.name === 'external-secrets-operator',
    )!;
    expect(operator.state).toBe('Ready');
    expect(operator.dependsOn).toBe('flux-system/external-secrets-crds');
    // The errored cluster has no rows.
    expect(flux.some(f => f.cluster === 'blackholed')).toBe(false);
  });
});
