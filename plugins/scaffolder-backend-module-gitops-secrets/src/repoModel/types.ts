/*
 * What the repository model knows about one cluster of a GitOps repository:
 * everything Flux applies for it, read from the repository before an action
 * writes anything.
 */

/** The identity Kubernetes (and kustomize) give an object: two with the same id overwrite each other. */
export interface ObjectId {
  /** API group ('' for the core group). */
  group: string;
  kind: string;
  /** Undefined for cluster-scoped kinds (and when nothing sets it). */
  namespace?: string;
  name: string;
}

/** An object Flux applies for the cluster, where it was read and which Flux Kustomization applies it. */
export interface AppliedObject extends ObjectId {
  apiVersion: string;
  /** Repository-relative file the object is in. */
  file: string;
  /** `namespace/name` of the Flux Kustomization (or FluxInstance) whose build contains it. */
  appliedBy: string;
  /** The object as parsed (after postBuild substitution of known variables). */
  raw: Record<string, any>;
}

export interface SourceRef {
  kind: string;
  name: string;
  namespace?: string;
}

/** A Flux Kustomization (kustomize.toolkit.fluxcd.io) found on the way. */
export interface FluxKustomizationInfo extends AppliedObject {
  /** spec.path, normalised (no `./`); undefined when unset (the source's root). */
  path?: string;
  sourceRef?: SourceRef;
  dependsOn: Array<{ name: string; namespace?: string }>;
  serviceAccountName?: string;
  targetNamespace?: string;
  wait?: boolean;
  /** postBuild.substitute as given. */
  substitute: Record<string, string>;
  /** Whether postBuild.substituteFrom is set (values the repository does not hold). */
  substituteFrom: boolean;
  /** Whether it has spec.kubeConfig (it applies to another cluster). */
  remoteCluster: boolean;
}

/** A HelmRelease (helm.toolkit.fluxcd.io) and where its chart comes from. */
export interface HelmReleaseInfo extends AppliedObject {
  chart?: string;
  version?: string;
  /** spec.chart.spec.sourceRef, or spec.chartRef. */
  source?: SourceRef & { via: 'chart' | 'chartRef' };
  targetNamespace?: string;
  serviceAccountName?: string;
}

/** A Flux source (source.toolkit.fluxcd.io). */
export interface SourceInfo extends AppliedObject {
  url?: string;
  /** ref.tag / ref.semver / ref.branch, whichever is set. */
  ref?: string;
}

/** Flags the flux-system patches (or a FluxInstance) give the controllers. */
export interface ControllerFlags {
  /** `--no-cross-namespace-refs=true`: no sourceRef / dependsOn into another namespace. */
  noCrossNamespaceRefs: boolean;
  /** `--default-service-account=<name>`: Kustomizations and HelmReleases without serviceAccountName impersonate it. */
  defaultServiceAccount?: string;
  /** `--no-remote-bases=true`: kustomization.yaml may not name remote bases. */
  noRemoteBases: boolean;
  /** Files (or FluxInstance objects) the flags were read from. */
  from: string[];
}

/** External Secrets Operator as the repository already has it for this cluster. */
export interface EsoFound {
  /** HelmReleases of the external-secrets chart, from any source. */
  helmReleases: Array<{
    id: string;
    file: string;
    version?: string;
    source?: string;
    appliedBy: string;
  }>;
  /** ESO CRDs applied from Git (CustomResourceDefinitions of *.external-secrets.io). */
  crdFiles: string[];
  /** Stores and ExternalSecrets (any external-secrets.io kind that is not a CRD). */
  resources: Array<{
    id: string;
    apiVersion: string;
    file: string;
    appliedBy: string;
  }>;
  /** API versions the resources use, e.g. external-secrets.io/v1beta1. */
  apiVersions: string[];
  /** Resources on API versions ESO removed (v1alpha1, v1beta1). */
  removedApis: Array<{ id: string; apiVersion: string; file: string }>;
}

/** Why something could not be resolved: named in the dry run and PR body, never guessed. */
export interface Unresolved {
  kind:
    | 'remote-base'
    | 'missing'
    | 'substitution'
    | 'other-source'
    | 'unreadable'
    | 'not-kubernetes'
    | 'patches';
  /** File or object that refers to it. */
  where: string;
  message: string;
}

export interface ClusterModel {
  clusterPath: string;
  /**
   * What applies the cluster path: the Flux Kustomization (or FluxInstance
   * `spec.sync`) whose path it is; undefined when nothing in the repository
   * applies it.
   */
  entry?: {
    /** SharedBase: nothing applies it yet; the action was told other clusters will (sharedBase input). */
    kind: 'Kustomization' | 'FluxInstance' | 'SharedBase';
    name: string;
    namespace: string;
    file: string;
    sourceRef: SourceRef;
    /** The entry Kustomization's spec.targetNamespace: it moves every namespaced object under the path. */
    targetNamespace?: string;
  };
  /** Every path a Flux Kustomization or FluxInstance in the repository applies (for refusals). */
  appliedPaths: Array<{ path: string; by: string; file: string }>;
  /** Every object applied for the cluster. */
  objects: AppliedObject[];
  kustomizations: FluxKustomizationInfo[];
  helmReleases: HelmReleaseInfo[];
  sources: SourceInfo[];
  flags: ControllerFlags;
  eso: EsoFound;
  /** Object ids applied more than once for the cluster, with every place. */
  duplicates: Array<{ id: string; files: string[] }>;
  unresolved: Unresolved[];
  /** Folders built on the way (a kustomization.yaml or Flux's generated one), in visiting order. */
  builtDirs: string[];
  /** Folders whose kustomization.yaml sets `namespace:` (it moves every namespaced object built there). */
  kustomizeNamespaces: Record<string, string>;
  /** Every file the model read to build this (for trimming a corpus and for tests). */
  filesRead: string[];
}

/** How the model reads the repository: a listing and many files at once. */
export interface RepoReader {
  /** Every file path of the snapshot. */
  paths: string[];
  /** Contents of many files (absent: unreadable); called once with every manifest. */
  read(paths: string[]): Promise<Map<string, string>>;
}
