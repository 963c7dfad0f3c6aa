import {
  ANNOTATION_KUSTOMIZE_PRUNE,
  BOOTSTRAP_NAMES,
  LABEL_APP_NAME,
  LABEL_APP_VERSION,
} from '@golden-gitops/plugin-gitops-secrets-common';
import {
  ESO_GIT_URL,
  ESO_HELM_REPOSITORY_URL,
  ESO_OCI_CHART_URL,
} from './constants';
import {
  FluxKustomization,
  GitRepository,
  HealthCheckExpression,
  HelmRelease,
  HelmRepository,
  OCIRepository,
} from './types';

const NS = BOOTSTRAP_NAMES.namespace;
/** Name of every ESO source object (and the HelmRelease), as the status rules expect. */
const ESO = BOOTSTRAP_NAMES.helmRelease;

/** The GitRepository of ESO's repository at the tag matching the chart, fetching only deploy/crds. */
export function esoCrdsGitRepository(esoVersion: string): GitRepository {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: ESO, namespace: NS },
    spec: {
      url: ESO_GIT_URL,
      interval: '1h',
      timeout: '60s',
      // The tag of the chart's release: CRDs and operator always come from the same version.
      ref: { tag: `v${esoVersion}` },
      ignore: '/*\n!/deploy/crds/\n',
    },
  };
}

export function esoHelmRepository(): HelmRepository {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    metadata: { name: ESO, namespace: NS },
    spec: { url: ESO_HELM_REPOSITORY_URL, interval: '1h' },
  };
}

export function esoOciRepository(esoVersion: string): OCIRepository {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: { name: ESO, namespace: NS },
    spec: {
      url: ESO_OCI_CHART_URL,
      interval: '1h',
      ref: { tag: esoVersion },
      layerSelector: {
        mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
        operation: 'copy',
      },
    },
  };
}

/** Step 1: ESO's CRDs from git. prune: false and the prune annotation keep them (and every ExternalSecret) if this Kustomization is deleted. */
export function crdsKustomization(esoVersion: string): FluxKustomization {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: BOOTSTRAP_NAMES.crds, namespace: NS },
    spec: {
      interval: '1h',
      timeout: '5m',
      path: './deploy/crds',
      prune: false,
      // Ready only once every CRD is Established.
      wait: true,
      sourceRef: { kind: 'GitRepository', name: ESO },
      commonMetadata: {
        labels: {
          [LABEL_APP_NAME]: ESO,
          [LABEL_APP_VERSION]: `v${esoVersion}`,
        },
        annotations: { [ANNOTATION_KUSTOMIZE_PRUNE]: 'disabled' },
      },
    },
  };
}

/** Step 2: the Kustomization wrapping the HelmRelease; wait: true makes it Ready only when the release (and the webhook) is up. */
export function operatorKustomization(opts: {
  path: string;
  fluxSourceName: string;
  crdsFromGit: boolean;
}): FluxKustomization {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: BOOTSTRAP_NAMES.operator, namespace: NS },
    spec: {
      ...(opts.crdsFromGit
        ? { dependsOn: [{ name: BOOTSTRAP_NAMES.crds }] }
        : {}),
      interval: '10m',
      timeout: '10m',
      path: `./${opts.path}`,
      prune: true,
      wait: true,
      sourceRef: { kind: 'GitRepository', name: opts.fluxSourceName },
    },
  };
}

const READY = (status: 'True' | 'False') =>
  `status.conditions.exists(c, c.type == 'Ready' && c.status == '${status}')`;

/** ESO objects have no observedGeneration, so kstatus calls them current at once; check their Ready condition instead. */
export const ESO_HEALTH_CHECKS: HealthCheckExpression[] = [
  'ClusterSecretStore',
  'SecretStore',
  'ExternalSecret',
].map(kind => ({
  apiVersion: 'external-secrets.io/v1',
  kind,
  current: READY('True'),
  failed: READY('False'),
}));

/** Step 3: stores and ExternalSecrets, after the operator (and its webhook) is Ready. */
export function crsKustomization(opts: {
  path: string;
  fluxSourceName: string;
}): FluxKustomization {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: BOOTSTRAP_NAMES.crs, namespace: NS },
    spec: {
      dependsOn: [{ name: BOOTSTRAP_NAMES.operator }],
      interval: '10m',
      // A store whose credentials Secret is not created yet fails; retry soon rather than in 10m.
      retryInterval: '1m',
      timeout: '5m',
      path: `./${opts.path}`,
      prune: true,
      wait: true,
      healthCheckExprs: ESO_HEALTH_CHECKS,
      sourceRef: { kind: 'GitRepository', name: opts.fluxSourceName },
    },
  };
}

export function esoHelmRelease(opts: {
  esoVersion: string;
  chartSource: 'helm' | 'oci';
  operatorNamespace: string;
  crdsFromGit: boolean;
}): HelmRelease {
  const chart =
    opts.chartSource === 'oci'
      ? { chartRef: { kind: 'OCIRepository' as const, name: ESO } }
      : {
          chart: {
            spec: {
              chart: 'external-secrets',
              // Exact version: the CRDs' git tag follows it.
              version: opts.esoVersion,
              sourceRef: { kind: 'HelmRepository' as const, name: ESO },
              interval: '1h',
            },
          },
        };
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: ESO, namespace: NS },
    spec: {
      interval: '1h',
      releaseName: ESO,
      targetNamespace: opts.operatorNamespace,
      storageNamespace: opts.operatorNamespace,
      ...chart,
      // install.crds only governs a chart's crds/ folder; ESO renders its CRDs from templates, hence installCRDs below.
      install: {
        crds: opts.crdsFromGit ? 'Skip' : 'Create',
        remediation: { retries: 3 },
      },
      upgrade: {
        crds: opts.crdsFromGit ? 'Skip' : 'CreateReplace',
        remediation: { retries: 3 },
      },
      values: opts.crdsFromGit
        ? { installCRDs: false }
        : {
            installCRDs: true,
            // Keep the CRDs (and so every ExternalSecret) if the release is uninstalled.
            crds: { annotations: { 'helm.sh/resource-policy': 'keep' } },
          },
    },
  };
}
