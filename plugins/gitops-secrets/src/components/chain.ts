/**
 * From a ClusterStatus to the steps the card shows, in the order secrets flow:
 * sources → CRDs → operator → stores → ExternalSecrets → leaf clusters.
 * Pure, so the order and the counting are tested without rendering.
 */
import {
  ClusterStatus,
  Health,
  LeafClusterStatus,
  mergeHealth,
} from '@golden-gitops/plugin-gitops-secrets-common';

/** How a step looks: its icon and its words. */
export type StepState =
  | 'ok'
  | 'progressing'
  | 'warning'
  | 'error'
  | 'unknown'
  | 'absent';

export type StepKey =
  | 'sources'
  | 'crds'
  | 'operator'
  | 'stores'
  | 'externalSecrets'
  | 'leafClusters';

export interface ChainStep {
  key: StepKey;
  label: string;
  state: StepState;
  summary: string;
  /** A time to show after the summary, e.g. the last ExternalSecret refresh. */
  time?: { label: string; value: string };
}

/** Flux source kinds: where manifests and charts come from. */
export const SOURCE_KINDS = [
  'GitRepository',
  'HelmRepository',
  'OCIRepository',
  'HelmChart',
  'Bucket',
];

const HEALTH_STATE: Record<Health, StepState> = {
  Healthy: 'ok',
  Progressing: 'progressing',
  Degraded: 'error',
  Unknown: 'unknown',
};

function stateOf(healths: Health[]): StepState {
  return healths.length ? HEALTH_STATE[mergeHealth(healths)] : 'absent';
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function leafBootstrapSummary(leaves: LeafClusterStatus[]): string {
  const bootstrapped = leaves.filter(l => l.bootstrapped).length;
  const needCreds = leaves.filter(l => l.credentialsRequired);
  const copied = needCreds.filter(l => l.credentialsCopied).length;
  const parts = [`${bootstrapped}/${leaves.length} bootstrapped`];
  if (needCreds.length)
    parts.push(`credentials copied ${copied}/${needCreds.length}`);
  return parts.join(', ');
}

/** The chain of one reachable cluster. Without ESO only sources and CRDs are listed: the rest cannot exist. */
export function chainSteps(cluster: ClusterStatus): ChainStep[] {
  const steps: ChainStep[] = [];
  const sources = cluster.flux.objects.filter(o =>
    SOURCE_KINDS.includes(o.ref.kind),
  );
  const readySources = sources.filter(s => s.health === 'Healthy').length;
  steps.push({
    key: 'sources',
    label: 'Sources',
    state: stateOf(sources.map(s => s.health)),
    summary: sources.length
      ? `${readySources}/${sources.length} ready`
      : 'no Flux sources',
  });

  const eso = cluster.eso;
  if (!eso) return steps;
  const skew = cluster.findings.some(f => f.code === 'CRD_VERSION_SKEW');
  let crdSummary = 'not installed';
  if (eso.installed) {
    crdSummary = eso.crdVersion ? `v${eso.crdVersion}` : 'version unknown';
    if (eso.chartVersion && eso.chartVersion !== eso.crdVersion)
      crdSummary += ` (chart ${eso.chartVersion})`;
  }
  let crdState: StepState = 'absent';
  if (eso.installed) crdState = skew ? 'warning' : 'ok';
  steps.push({
    key: 'crds',
    label: 'ESO CRDs',
    state: crdState,
    summary: crdSummary,
  });
  if (!eso.installed) return steps;

  const deployments = eso.operator.deployments;
  const readyDeployments = deployments.filter(d => d.ready >= d.desired).length;
  let operatorState: StepState = 'unknown';
  if (deployments.length) operatorState = eso.operator.ready ? 'ok' : 'error';
  steps.push({
    key: 'operator',
    label: 'Operator',
    state: operatorState,
    summary: deployments.length
      ? `${readyDeployments}/${deployments.length} deployments ready`
      : 'no operator deployment found',
  });

  const validStores = eso.stores.filter(s => s.health === 'Healthy').length;
  steps.push({
    key: 'stores',
    label: 'Secret stores',
    state: stateOf(eso.stores.map(s => s.health)),
    summary: eso.stores.length
      ? `${validStores}/${eso.stores.length} valid`
      : 'no stores',
  });

  const { total, synced, failing, stale } = eso.counts;
  // Zeros are shown too: "0 failing" is an answer, not noise.
  const esSummary = `${synced}/${total} synced, ${failing} failing, ${stale} stale`;
  let esState: StepState = 'absent';
  if (total) {
    if (failing) esState = 'error';
    else if (stale) esState = 'warning';
    else if (synced < total) esState = 'progressing';
    else esState = 'ok';
  }
  steps.push({
    key: 'externalSecrets',
    label: 'ExternalSecrets',
    state: esState,
    summary: total ? esSummary : 'no ExternalSecrets',
    ...(eso.lastRefresh
      ? { time: { label: 'last refresh', value: eso.lastRefresh } }
      : {}),
  });

  if (cluster.leafClusters.length) {
    steps.push({
      key: 'leafClusters',
      label: 'Leaf clusters',
      state: stateOf(cluster.leafClusters.map(l => l.health)),
      summary: `${plural(
        cluster.leafClusters.length,
        'leaf cluster',
      )}: ${leafBootstrapSummary(cluster.leafClusters)}`,
    });
  }
  return steps;
}
