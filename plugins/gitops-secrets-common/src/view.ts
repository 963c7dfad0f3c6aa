/**
 * What one summary looks at: the objects visible under a Component's scope
 * (plus the ESO chain, which stays visible because it explains failures), and
 * facts about the ESO install derived once for all rules.
 */

import {
  BOOTSTRAP_NAMES,
  ESO_GROUP,
  LABEL_APP_VERSION,
  LABEL_HELM_CHART,
  LABEL_KUBERNETES_ID,
  LABEL_KUSTOMIZE_NAME,
} from './annotations';
import { isFluxObject } from './conditions';
import {
  ObjectIndex,
  bootstrapKustomization,
  dependencies,
  isEsoCrd,
  isEsoHelmRelease,
  isEsoOperatorDeployment,
  owningKustomization,
} from './objects';
import type { SlimObject } from './slim';
import { watchedKindByKey, WATCHED_KINDS } from './slim';

/** Narrow a cluster summary to one Component's objects. @public */
export interface SummaryScope {
  /** Objects in these namespaces belong to the Component. */
  namespaces?: string[];
  /** Objects labelled `backstage.io/kubernetes-id` with this value belong to the Component. */
  kubernetesId?: string;
}

/** @public */
export interface ClusterView {
  /** Kustomizations, HelmReleases and sources to show. */
  fluxObjects: SlimObject[];
  externalSecrets: SlimObject[];
  clusterExternalSecrets: SlimObject[];
  /** SecretStores and ClusterSecretStores to show. */
  stores: SlimObject[];
  operatorDeployments: SlimObject[];
  esoCrds: SlimObject[];
  gitopsClusters: SlimObject[];
  capiClusters: SlimObject[];
}

/** Facts about the ESO install. @public */
export interface EsoFacts {
  installed: boolean;
  /** Normalised ESO version of the installed CRDs. */
  crdVersion?: string;
  /** Where crdVersion was read, for the finding's detail. */
  crdVersionSource?: string;
  /** The CRDs follow a git branch instead of a tag. */
  crdBranch?: string;
  chartVersion?: string;
  helmRelease?: SlimObject;
  /** The Kustomization applying the CRDs (by owner label, else by bootstrap name). */
  crdsKustomization?: SlimObject;
  /** Its source (GitRepository/OCIRepository). */
  crdsSource?: SlimObject;
  /**
   * The CRD source is shared with other Kustomizations (e.g. the fleet repository `flux-system`): its tag or
   * branch says nothing about the ESO version, and retagging it would move everything else too.
   */
  crdsSourceShared?: boolean;
}

/** `v2.9.0`, `2.9.0@sha256:…`, `2.9.0+abc` → `2.9.0`. @public */
export function normalizeVersion(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const out = v
    .trim()
    .replace(/^v(?=\d)/, '')
    .replace(/[@+].*$/, '');
  return out || undefined;
}

const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** The object belongs to the scope (true when there is no scope). @public */
export function inScope(
  obj: SlimObject,
  scope: SummaryScope | undefined,
): boolean {
  const namespaces = scope?.namespaces ?? [];
  const id = scope?.kubernetesId;
  if (!namespaces.length && !id) return true;
  if (obj.metadata.namespace && namespaces.includes(obj.metadata.namespace))
    return true;
  if (id && obj.metadata.labels?.[LABEL_KUBERNETES_ID] === id) return true;
  return false;
}

function hasScope(scope: SummaryScope | undefined): boolean {
  return Boolean(scope?.namespaces?.length || scope?.kubernetesId);
}

function kindList(
  index: ObjectIndex,
  group: string,
  kind: string,
): SlimObject[] {
  return index.list(group, kind);
}

const HELM = 'helm.toolkit.fluxcd.io';

/** ESO is installed when its ExternalSecret API is served or any ESO CRD exists. @public */
export function esoFacts(
  index: ObjectIndex,
  servedVersions: Record<string, string | null>,
): EsoFacts {
  const esoCrds = kindList(
    index,
    'apiextensions.k8s.io',
    'CustomResourceDefinition',
  ).filter(isEsoCrd);
  const esKey = WATCHED_KINDS.find(k => k.kind === 'ExternalSecret')!.key;
  const facts: EsoFacts = {
    installed: typeof servedVersions[esKey] === 'string' || esoCrds.length > 0,
  };

  // Prefer the ExternalSecret CRD; any ESO CRD carries the same labels.
  const ordered = [...esoCrds].sort(
    (a, b) =>
      Number(b.spec?.names?.kind === 'ExternalSecret') -
      Number(a.spec?.names?.kind === 'ExternalSecret'),
  );
  for (const crd of ordered) {
    const label = crd.metadata.labels?.[LABEL_APP_VERSION];
    if (label) {
      facts.crdVersion = normalizeVersion(label);
      facts.crdVersionSource = `label ${LABEL_APP_VERSION} on CRD ${crd.metadata.name}`;
      break;
    }
    const chart = crd.metadata.labels?.[LABEL_HELM_CHART]?.match(
      /-(v?\d+\.\d+\.\d+\S*)$/,
    );
    if (chart) {
      facts.crdVersion = normalizeVersion(chart[1]);
      facts.crdVersionSource = `label ${LABEL_HELM_CHART} on CRD ${crd.metadata.name}`;
      break;
    }
  }

  const owner = ordered
    .map(crd => owningKustomization(index, crd))
    .find(Boolean);
  facts.crdsKustomization = owner ?? bootstrapKustomization(index, 'crds');
  const sourceRef = facts.crdsKustomization?.spec?.sourceRef;
  if (facts.crdsKustomization && sourceRef) {
    facts.crdsSource = index.resolve(facts.crdsKustomization, sourceRef);
  }
  if (facts.crdsSource) {
    const crdsSource = facts.crdsSource;
    facts.crdsSourceShared = index
      .list('kustomize.toolkit.fluxcd.io', 'Kustomization')
      .some(
        k =>
          k !== facts.crdsKustomization &&
          k.spec?.sourceRef !== undefined &&
          index.resolve(k, k.spec.sourceRef) === crdsSource,
      );
  }
  const ref = facts.crdsSourceShared ? undefined : facts.crdsSource?.spec?.ref;
  if (ref && !facts.crdVersion) {
    if (ref.tag) {
      facts.crdVersion = normalizeVersion(ref.tag);
      facts.crdVersionSource = `tag ${ref.tag} of ${facts.crdsSource!.kind} ${
        facts.crdsSource!.metadata.name
      }`;
    } else if (ref.branch && !ref.commit && !ref.semver && !ref.digest) {
      facts.crdBranch = ref.branch;
    }
  }

  const releases = kindList(index, HELM, 'HelmRelease').filter(
    isEsoHelmRelease,
  );
  facts.helmRelease =
    releases.find(r => r.metadata.namespace === BOOTSTRAP_NAMES.namespace) ??
    releases[0];
  const hr = facts.helmRelease;
  if (hr) {
    const pinned = hr.spec?.chart?.version;
    facts.chartVersion =
      normalizeVersion(hr.status?.history?.[0]?.chartVersion) ??
      normalizeVersion(hr.status?.lastAttemptedRevision) ??
      (pinned && EXACT_VERSION.test(pinned)
        ? normalizeVersion(pinned)
        : undefined);
  }
  return facts;
}

/**
 * The Flux objects that make up the ESO chain: the bootstrap Kustomizations,
 * the Kustomization owning the CRDs, the ESO HelmRelease and the Kustomization
 * that applied it, and their sources.
 */
function chainFluxObjects(index: ObjectIndex, facts: EsoFacts): SlimObject[] {
  const out: SlimObject[] = [];
  const add = (o: SlimObject | undefined) => {
    if (o && !out.includes(o)) out.push(o);
  };
  add(bootstrapKustomization(index, 'crds'));
  add(bootstrapKustomization(index, 'operator'));
  add(bootstrapKustomization(index, 'crs'));
  add(facts.crdsKustomization);
  if (facts.helmRelease) {
    add(facts.helmRelease);
    add(owningKustomization(index, facts.helmRelease));
  }
  for (const o of [...out]) addSources(index, o, add);
  return out;
}

function addSources(
  index: ObjectIndex,
  obj: SlimObject,
  add: (o: SlimObject | undefined) => void,
) {
  for (const ref of [
    obj.spec?.sourceRef,
    obj.spec?.chart?.sourceRef,
    obj.spec?.chartRef,
  ]) {
    if (ref) add(index.resolve(obj, ref));
  }
}

/** Objects the rules and the response look at, under the scope. @public */
export function buildView(
  index: ObjectIndex,
  facts: EsoFacts,
  scope?: SummaryScope,
): ClusterView {
  const scoped = hasScope(scope);
  const pick = (group: string, kind: string) =>
    kindList(index, group, kind).filter(o => !scoped || inScope(o, scope));

  const externalSecrets = pick(ESO_GROUP, 'ExternalSecret');
  const namespaces = scope?.namespaces ?? [];
  const clusterExternalSecrets = kindList(
    index,
    ESO_GROUP,
    'ClusterExternalSecret',
  ).filter(
    o =>
      !scoped ||
      inScope(o, scope) ||
      [
        ...(o.status?.provisionedNamespaces ?? []),
        ...(o.status?.failedNamespaces ?? []).map(f => f.namespace),
      ].some(ns => namespaces.includes(ns)),
  );

  // Stores: those in scope, those the shown ExternalSecrets use, and every ClusterSecretStore.
  const stores = new Set<SlimObject>(
    kindList(index, ESO_GROUP, 'ClusterSecretStore'),
  );
  for (const s of pick(ESO_GROUP, 'SecretStore')) stores.add(s);
  for (const es of externalSecrets) {
    const ref = es.spec?.secretStoreRef;
    if (!ref || (ref.kind ?? 'SecretStore') !== 'SecretStore') continue;
    const store = index.get(
      ESO_GROUP,
      'SecretStore',
      es.metadata.namespace,
      ref.name,
    );
    if (store) stores.add(store);
  }

  const allFlux = index.objects.filter(isFluxObject);
  let fluxObjects: SlimObject[];
  if (!scoped) {
    fluxObjects = allFlux;
  } else {
    const shown = new Set<SlimObject>();
    const queue: SlimObject[] = [];
    const add = (o: SlimObject | undefined) => {
      if (o && !shown.has(o)) {
        shown.add(o);
        queue.push(o);
      }
    };
    for (const o of allFlux) if (inScope(o, scope)) add(o);
    for (const o of chainFluxObjects(index, facts)) add(o);
    // The Kustomizations that applied the Component's ExternalSecrets.
    for (const es of externalSecrets) {
      if (es.metadata.labels?.[LABEL_KUSTOMIZE_NAME])
        add(owningKustomization(index, es));
    }
    // Dependencies and sources explain why a shown object waits.
    while (queue.length) {
      const o = queue.pop()!;
      for (const d of dependencies(index, o)) add(d.obj);
      addSources(index, o, add);
    }
    fluxObjects = allFlux.filter(o => shown.has(o));
  }

  return {
    fluxObjects,
    externalSecrets,
    clusterExternalSecrets,
    stores: [...stores],
    operatorDeployments: kindList(index, 'apps', 'Deployment').filter(
      isEsoOperatorDeployment,
    ),
    esoCrds: kindList(
      index,
      'apiextensions.k8s.io',
      'CustomResourceDefinition',
    ).filter(isEsoCrd),
    gitopsClusters: pick('gitops.weave.works', 'GitopsCluster'),
    capiClusters: pick('cluster.x-k8s.io', 'Cluster'),
  };
}

/** Resolve an `unsupported` entry's kind, given as a key (`externalsecrets.external-secrets.io`) or a Kind. @public */
export function resolveUnsupportedKind(kind: string) {
  return watchedKindByKey(kind) ?? WATCHED_KINDS.find(k => k.kind === kind);
}
