/**
 * Annotations and labels the gitops-secrets plugins read, and the names the
 * scaffolder actions write, so the status rules recognise the bootstrap chain.
 */

/** On a `Resource` of type `kubernetes-cluster`: the cluster name as configured in the backend. @public */
export const ANNOTATION_CLUSTER_NAME = 'gitops-secrets.io/cluster-name';

/** On a `Component`: comma-separated namespaces whose ExternalSecrets and Flux objects belong to it. @public */
export const ANNOTATION_NAMESPACES = 'gitops-secrets.io/namespaces';

/** On a `Component`: the value of {@link LABEL_KUBERNETES_ID} carried by its objects (Backstage's own annotation). @public */
export const ANNOTATION_KUBERNETES_ID = 'backstage.io/kubernetes-id';

/** On a `Component`: Backstage's own namespace annotation; read as one more namespace of the Component. @public */
export const ANNOTATION_KUBERNETES_NAMESPACE =
  'backstage.io/kubernetes-namespace';

/** Resource `spec.type` of a cluster entity (the Backstage convention). @public */
export const KUBERNETES_CLUSTER_RESOURCE_TYPE = 'kubernetes-cluster';

/** On Kubernetes objects: which Backstage component they belong to. @public */
export const LABEL_KUBERNETES_ID = 'backstage.io/kubernetes-id';

/** Names the bootstrap template and scaffolder actions write (ESO's own three-step Flux layout). @public */
export const BOOTSTRAP_NAMES = {
  /** Namespace of the three Flux Kustomizations. */
  namespace: 'flux-system',
  /** Kustomization applying ESO's CRDs from the git tag matching the chart (wait: true, prune: false). */
  crds: 'external-secrets-crds',
  /** Kustomization wrapping the ESO HelmRelease (wait: true, so it is Ready only once the webhook answers). */
  operator: 'external-secrets-operator',
  /** Kustomization applying the stores and ExternalSecrets; dependsOn the operator. */
  crs: 'external-secrets-crs',
  /** HelmRelease (and chart) name of the operator. */
  helmRelease: 'external-secrets',
  /** Namespace the operator runs in. */
  operatorNamespace: 'external-secrets',
} as const;

/** API group of the External Secrets Operator (generators live in a sub-group). @public */
export const ESO_GROUP = 'external-secrets.io';

/** WGE's cluster-bootstrap-controller sets this on a GitopsCluster once its bootstrap Job succeeded. @public */
export const ANNOTATION_CAPI_BOOTSTRAPPED = 'capi.weave.works/bootstrapped';

/** Label on a CAPI Cluster that asks for provider credentials to be copied in by a ClusterResourceSet. @public */
export const LABEL_SECRET_MANAGER = 'secretmanager';

// Labels read from objects: names, versions and owners.
/** @public */
export const LABEL_APP_NAME = 'app.kubernetes.io/name';
/** @public */
export const LABEL_APP_VERSION = 'app.kubernetes.io/version';
/** @public */
export const LABEL_HELM_CHART = 'helm.sh/chart';
/** Set by kustomize-controller on everything a Kustomization applies. @public */
export const LABEL_KUSTOMIZE_NAME = 'kustomize.toolkit.fluxcd.io/name';
/** @public */
export const LABEL_KUSTOMIZE_NAMESPACE =
  'kustomize.toolkit.fluxcd.io/namespace';
/** Set by helm-controller on everything a HelmRelease installs. @public */
export const LABEL_HELM_NAME = 'helm.toolkit.fluxcd.io/name';
/** @public */
export const LABEL_HELM_NAMESPACE = 'helm.toolkit.fluxcd.io/namespace';
/** Annotation that stops Flux pruning an object (used to protect ESO's CRDs). @public */
export const ANNOTATION_KUSTOMIZE_PRUNE = 'kustomize.toolkit.fluxcd.io/prune';

/** `app.kubernetes.io/name` values of the ESO chart's Deployments. @public */
export const ESO_OPERATOR_APP_NAMES = [
  'external-secrets',
  'external-secrets-webhook',
  'external-secrets-cert-controller',
] as const;

/**
 * Parse {@link ANNOTATION_NAMESPACES}: comma separated, blanks ignored,
 * duplicates removed, order kept.
 *
 * @public
 */
export function parseNamespacesAnnotation(value: string | undefined): string[] {
  if (!value) return [];
  const seen = new Set<string>();
  for (const part of value.split(',')) {
    const ns = part.trim();
    if (ns) seen.add(ns);
  }
  return [...seen];
}
