import type { Entity } from '@backstage/catalog-model';

/** A `kubernetes-cluster` Resource naming its cluster by annotation (as examples/entities.yaml does). */
export function clusterResource(
  name: string,
  clusterName: string = name,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'gitops-secrets.io/cluster-name': clusterName },
    },
    spec: { type: 'kubernetes-cluster', owner: 'group:default/platform-team' },
  };
}

/** A Component with a scope, depending on cluster Resources (relations as the catalog would build them). */
export function component(
  name: string,
  opts: {
    namespaces?: string;
    kubernetesId?: string;
    dependsOn?: string[];
  },
): Entity {
  const annotations: Record<string, string> = {};
  if (opts.namespaces)
    annotations['gitops-secrets.io/namespaces'] = opts.namespaces;
  if (opts.kubernetesId)
    annotations['backstage.io/kubernetes-id'] = opts.kubernetesId;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:default/team-payments',
      dependsOn: opts.dependsOn ?? [],
    },
    relations: (opts.dependsOn ?? []).map(targetRef => ({
      type: 'dependsOn',
      targetRef,
    })),
  };
}
