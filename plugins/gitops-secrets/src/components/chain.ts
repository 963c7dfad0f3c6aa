/**
 * From a ClusterStatus to the steps the card shows, in the order secrets flow:
 * sources → CRDs → operator → stores → ExternalSecrets → leaf clusters.
 * Pure, so the order and the counting are tested without rendering.
 */
import {
  ClusterStatus,
  ClusterTallies,
  FLUX_SOURCE_KINDS,
  Health,
  ListTally,
  clusterTallies,
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
export const SOURCE_KINDS = FLUX_SOURCE_KINDS;

const HEALTH_STATE: Record<Health, StepState> = {
  Healthy: 'ok',
  Progressing: 'progressing',
  Degraded: 'error',
  Unknown: 'unknown',
};

function stateOf(tally: ListTally): StepState {
  return tally.total && tally.health ? HEALTH_STATE[tally.health] : 'absent';
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function leafBootstrapSummary(
  leaves: ClusterTallies['leafClusters'],
): string {
  const parts = [`${leaves.bootstrapped}/${leaves.total} bootstrapped`];
  if (leaves.credentialsRequired)
    parts.push(
      `credentials copied ${leaves.credentialsCopied}/${leaves.credentialsRequired}`,
    );
  return parts.join(', ');
}

/** The chain of one reachable cluster. Without ESO only sources and CRDs are listed: the rest cannot exist. */
export function chainSteps(cluster: ClusterStatus): ChainStep[] {
  const steps: ChainStep[] = [];
  // Counted on the whole lists: a cut answer (the card's summary, `?limit=`) carries them in `truncated`.
  const tallies = cluster.truncated?.tallies ?? clusterTallies(cluster);
  const sources = tallies.sources;
  steps.push({
    key: 'sources',
    label: 'Sources',
    state: stateOf(sources),
    summary: sources.total
      ? `${sources.healthy}/${sources.total} ready`
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

  const stores = tallies.stores;
  steps.push({
    key: 'stores',
    label: 'Secret stores',
    state: stateOf(stores),
    summary: stores.total
      ? `${stores.healthy}/${stores.total} valid`
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

  const leaves = tallies.leafClusters;
  if (leaves.total) {
    steps.push({
      key: 'leafClusters',
      label: 'Leaf clusters',
      state: stateOf(leaves),
      summary: `${plural(leaves.total, 'leaf cluster')}: ${leafBootstrapSummary(
        leaves,
      )}`,
    });
  }
  return steps;
}
