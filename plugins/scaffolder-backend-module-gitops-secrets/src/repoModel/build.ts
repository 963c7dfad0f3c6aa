/*
 * Builds the model of one cluster from the repository's files, as Flux would:
 * start at the Flux Kustomization (or FluxInstance `spec.sync`) that applies
 * the cluster path, build each folder like kustomize (its kustomization.yaml,
 * or the one Flux generates where there is none), and follow every Flux
 * Kustomization found on the way whose source is the same repository. Pure:
 * the files are read once, up front, in one batch.
 */
import { posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  AppliedObject,
  ClusterModel,
  ControllerFlags,
  EsoFound,
  FluxKustomizationInfo,
  HelmReleaseInfo,
  RepoReader,
  SourceInfo,
  SourceRef,
  Unresolved,
} from './types';

/** Kustomize's names for its build file, in the order it looks for them. */
export const KUSTOMIZATION_FILES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];

/** Manifests larger than this are not read (e.g. `gotk-components.yaml`); reaching one is reported as unresolved. */
export const MAX_MANIFEST_BYTES = 256 * 1024;

/** Kinds without a namespace (the ones GitOps repositories commonly hold). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'ClusterSecretStore',
  'ClusterExternalSecret',
  'ClusterPushSecret',
  'ClusterGenerator',
  'StorageClass',
  'PriorityClass',
  'PersistentVolume',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'IngressClass',
  'GatewayClass',
  'RuntimeClass',
  'CSIDriver',
  'ClusterIssuer',
  'ClusterPolicy',
  'ClusterPolicyReport',
  'PodSecurityPolicy',
]);

const SOURCE_KINDS = new Set([
  'GitRepository',
  'HelmRepository',
  'OCIRepository',
  'Bucket',
  'HelmChart',
  'ExternalArtifact',
]);

/**
 * Kinds whose fields the model reads (what applies what, sources, ESO): a kustomize patch on one of them changes
 * what the model would find. Patches on other kinds (the controllers' Deployments in flux-system) do not.
 */
const MODELLED_KINDS = new Set([
  ...SOURCE_KINDS,
  'Kustomization',
  'HelmRelease',
  'FluxInstance',
  'ExternalSecret',
  'SecretStore',
  'ClusterSecretStore',
  'ClusterExternalSecret',
  'Namespace',
]);

/**
 * The version ESO serves for each kind of external-secrets.io (ESO 2.9's CRDs): v1alpha1 and v1beta1 of the
 * stores and ExternalSecrets are no longer served, while PushSecrets are still v1alpha1.
 */
export const ESO_SERVED_VERSION: Record<string, string> = {
  ExternalSecret: 'v1',
  SecretStore: 'v1',
  ClusterSecretStore: 'v1',
  ClusterExternalSecret: 'v1',
  PushSecret: 'v1alpha1',
  ClusterPushSecret: 'v1alpha1',
};

export function isManifestPath(path: string): boolean {
  return (
    /\.ya?ml$/.test(path) &&
    !path.split('/').some(segment => segment.startsWith('.'))
  );
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function idKey(o: {
  group: string;
  kind: string;
  namespace?: string;
  name: string;
}): string {
  return `${o.kind}${o.group ? `.${o.group}` : ''} ${
    o.namespace ? `${o.namespace}/` : ''
  }${o.name}`;
}

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/** Remote kustomize resources: URLs and `github.com/…` style bases. */
export function isRemoteResource(entry: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ||
    /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(entry) ||
    /^git@/.test(entry) ||
    /[?&]ref=/.test(entry)
  );
}

function parseObjects(text: string): Array<Record<string, any>> {
  try {
    return parseAllDocuments(text)
      .filter(d => !d.errors.length)
      .map(d => d.toJS())
      .filter(
        (o): o is Record<string, any> =>
          !!o &&
          typeof o === 'object' &&
          !Array.isArray(o) &&
          typeof o.kind === 'string' &&
          typeof o.apiVersion === 'string',
      );
  } catch {
    return [];
  }
}

/**
 * The FluxInstance spec an object declares: a FluxInstance itself, or a
 * HelmRelease of flux-operator's `flux-instance` chart (its `values.instance`).
 */
export function fluxInstanceSpec(
  o: Record<string, any>,
): Record<string, any> | undefined {
  const group = groupOf(String(o.apiVersion ?? ''));
  if (group === 'fluxcd.controlplane.io' && o.kind === 'FluxInstance')
    return o.spec ?? {};
  if (
    group === 'helm.toolkit.fluxcd.io' &&
    o.kind === 'HelmRelease' &&
    o.spec?.values?.instance &&
    typeof o.spec.values.instance === 'object'
  )
    return o.spec.values.instance;
  return undefined;
}

function normalisePath(path: string): string {
  const n = posix.normalize(path.replace(/^\.\//, '')).replace(/\/+$/, '');
  return n === '.' ? '' : n.replace(/^\.\//, '');
}

/** Flux's postBuild substitution of `${VAR}`, `${VAR:=default}`, `${VAR:-default}` (`$${VAR}` is an escape). */
export function substitute(
  text: string,
  vars: Record<string, string>,
): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const out = text.replace(
    /(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[=-]([^}]*))?\}/g,
    (match, escape: string, name: string, fallback: string | undefined) => {
      if (escape) return match.slice(1);
      if (name in vars) return vars[name];
      if (fallback !== undefined) return fallback;
      missing.add(name);
      return match;
    },
  );
  return { text: out, missing: [...missing] };
}

const FLAG_PATTERNS = {
  noCrossNamespaceRefs: /--no-cross-namespace-refs(=true)?(?![=\w-])/,
  noRemoteBases: /--no-remote-bases(=true)?(?![=\w-])/,
  defaultServiceAccount: /--default-service-account=([A-Za-z0-9.-]+)/,
};

interface Context {
  /** `namespace/name` of the Flux object applying this build. */
  appliedBy: string;
  /** The source that is this repository (the entry's). */
  root: SourceRef & { namespace: string };
  /** Namespace forced on namespaced objects (Flux targetNamespace, then the outermost kustomize `namespace:`). */
  namespace?: string;
  vars: Record<string, string>;
  substituteFrom: boolean;
  /** The applier has Flux `spec.patches`: they may change the Flux objects this build finds (not applied here). */
  patches?: boolean;
  /** `namespace/name` of the Kustomization whose `spec.patches` may have changed the applier's own spec. */
  patchedBy?: string;
}

/** Builds the model of `clusterPath` from every manifest of the repository. */
export async function buildClusterModel(
  reader: RepoReader,
  clusterPathInput: string,
  opts: {
    sizes?: Map<string, number>;
    /**
     * The folder is a shared base other clusters' Flux will apply (e.g. leaf
     * clusters through gitops:cluster:create-leaf): when nothing applies it
     * yet, build it as applied from this GitRepository (in flux-system),
     * and say so.
     */
    sharedBaseSource?: string;
  } = {},
): Promise<ClusterModel> {
  const clusterPath = normalisePath(clusterPathInput);
  const fileSet = new Set(reader.paths);
  const dirSet = new Set<string>(['']);
  for (const p of reader.paths) {
    let d = posix.dirname(p);
    while (d !== '.' && !dirSet.has(d)) {
      dirSet.add(d);
      d = posix.dirname(d);
    }
  }
  const tooLarge = new Set(
    reader.paths.filter(
      p => isManifestPath(p) && (opts.sizes?.get(p) ?? 0) > MAX_MANIFEST_BYTES,
    ),
  );
  const toRead = reader.paths.filter(
    p =>
      (isManifestPath(p) || posix.basename(p) === 'Kustomization') &&
      !tooLarge.has(p),
  );
  const contents = await reader.read(toRead);
  const filesRead = new Set<string>();
  const read = (p: string) => {
    const text = contents.get(p);
    if (text !== undefined) filesRead.add(p);
    return text;
  };

  const unresolved: Unresolved[] = [];
  const unresolvedKeys = new Set<string>();
  const note = (u: Unresolved) => {
    const key = `${u.kind}|${u.where}|${u.message}`;
    if (unresolvedKeys.has(key)) return;
    unresolvedKeys.add(key);
    unresolved.push(u);
  };

  // Every path a Flux object applies, repository-wide: the entry and the refusal's list.
  const appliedPaths: ClusterModel['appliedPaths'] = [];
  let entry: ClusterModel['entry'];
  let entryRaw: Record<string, any> | undefined;
  for (const p of toRead) {
    const text = contents.get(p);
    if (
      !text ||
      !/kind:\s*(Kustomization|FluxInstance)\b|^\s+instance:/m.test(text)
    )
      continue;
    for (const o of parseObjects(text)) {
      const group = groupOf(o.apiVersion);
      const name = String(o.metadata?.name ?? '');
      const namespace = String(o.metadata?.namespace ?? 'flux-system');
      if (
        group === 'kustomize.toolkit.fluxcd.io' &&
        o.kind === 'Kustomization'
      ) {
        if (typeof o.spec?.path !== 'string' && o.spec?.path !== undefined)
          continue;
        // sourceRef is required: without it this is a kustomize patch of a Kustomization, not one Flux applies.
        if (!o.spec?.sourceRef) continue;
        const path = normalisePath(String(o.spec?.path ?? ''));
        if (/\$\{/.test(path)) continue;
        appliedPaths.push({
          path,
          by: `Kustomization ${namespace}/${name}`,
          file: p,
        });
        const better =
          !entry ||
          (entryRaw?.spec?.kubeConfig && !o.spec?.kubeConfig) ||
          (name === 'flux-system' && entry.name !== 'flux-system');
        if (path === clusterPath && better) {
          entry = {
            kind: 'Kustomization',
            name,
            namespace,
            file: p,
            sourceRef: {
              kind: String(o.spec?.sourceRef?.kind ?? 'GitRepository'),
              name: String(o.spec?.sourceRef?.name ?? ''),
              namespace: String(o.spec?.sourceRef?.namespace ?? namespace),
            },
            targetNamespace: o.spec?.targetNamespace,
          };
          entryRaw = o;
        }
      } else if (typeof fluxInstanceSpec(o)?.sync?.path === 'string') {
        const sync = fluxInstanceSpec(o)!.sync;
        const path = normalisePath(sync.path);
        appliedPaths.push({
          path,
          by: `${o.kind} ${namespace}/${name}`,
          file: p,
        });
        if (
          path === clusterPath &&
          (!entry || entry.kind !== 'Kustomization')
        ) {
          entry = {
            kind: 'FluxInstance',
            name,
            namespace,
            file: p,
            sourceRef: {
              kind: String(sync.kind ?? 'GitRepository'),
              name: String(sync.name ?? 'flux-system'),
              namespace,
            },
          };
          entryRaw = o;
        }
      }
    }
  }
  appliedPaths.sort((a, b) => a.path.localeCompare(b.path));

  const objects: AppliedObject[] = [];
  const kustomizations: FluxKustomizationInfo[] = [];
  const helmReleases: HelmReleaseInfo[] = [];
  const sources: SourceInfo[] = [];
  const flags: ControllerFlags = {
    noCrossNamespaceRefs: false,
    noRemoteBases: false,
    from: [],
  };
  const builtDirs: string[] = [];
  const kustomizeNamespaces: Record<string, string> = {};
  const visited = new Set<string>();
  const queue: Array<{ dir: string; ctx: Context; by: string }> = [];

  const scanFlags = (text: string, where: string) => {
    let found = false;
    if (FLAG_PATTERNS.noCrossNamespaceRefs.test(text)) {
      flags.noCrossNamespaceRefs = true;
      found = true;
    }
    if (FLAG_PATTERNS.noRemoteBases.test(text)) {
      flags.noRemoteBases = true;
      found = true;
    }
    const sa = FLAG_PATTERNS.defaultServiceAccount.exec(text);
    if (sa) {
      flags.defaultServiceAccount = sa[1];
      found = true;
    }
    if (found && !flags.from.includes(where)) flags.from.push(where);
  };

  /** What a FluxInstance (or flux-instance HelmRelease) does: controller flags, and the source and Kustomization of spec.sync. */
  const instancesDone = new Set<string>();
  const instanceEffects = (
    raw: Record<string, any>,
    file: string,
    ns: string,
  ) => {
    const name = String(raw.metadata?.name ?? '');
    const key = `${file}|${ns}/${name}`;
    if (instancesDone.has(key)) return;
    instancesDone.add(key);
    const spec = fluxInstanceSpec(raw)!;
    {
      const cluster = spec.cluster ?? {};
      if (cluster.multitenant) {
        flags.noCrossNamespaceRefs = true;
        flags.defaultServiceAccount = String(
          cluster.tenantDefaultServiceAccount ?? 'default',
        );
        flags.from.push(`${raw.kind} ${ns}/${name} (${file})`);
      }
      if (spec.kustomize?.patches)
        scanFlags(JSON.stringify(spec.kustomize.patches), file);
      if (spec.sync?.kind) {
        // The source and Kustomization the operator creates from spec.sync.
        const syncName = String(spec.sync.name ?? 'flux-system');
        const synthetic = (
          kind: string,
          apiVersion: string,
        ): AppliedObject => ({
          group: groupOf(apiVersion),
          kind,
          apiVersion,
          namespace: ns,
          name: syncName,
          file,
          appliedBy: `${ns}/${name}`,
          raw: {},
        });
        const src = synthetic(
          String(spec.sync.kind),
          'source.toolkit.fluxcd.io/v1',
        );
        objects.push(src);
        sources.push({ ...src, url: spec.sync.url, ref: spec.sync.ref });
        objects.push(
          synthetic('Kustomization', 'kustomize.toolkit.fluxcd.io/v1'),
        );
      }
    }
  };

  const record = (
    raw: Record<string, any>,
    file: string,
    ctx: Context,
    namespaceOverride: string | undefined,
  ) => {
    const group = groupOf(raw.apiVersion);
    // kustomize's namespace transformer (and Flux's targetNamespace) also renames Namespace objects.
    const name =
      raw.kind === 'Namespace' && group === '' && namespaceOverride
        ? namespaceOverride
        : String(raw.metadata?.name ?? '');
    const scoped = isClusterScoped(raw.kind);
    const namespace = scoped
      ? undefined
      : namespaceOverride ?? (raw.metadata?.namespace as string | undefined);
    const base: AppliedObject = {
      group,
      kind: raw.kind,
      apiVersion: raw.apiVersion,
      namespace,
      name,
      file,
      appliedBy: ctx.appliedBy,
      raw,
    };
    objects.push(base);
    const spec = raw.spec ?? {};
    if (
      group === 'kustomize.toolkit.fluxcd.io' &&
      raw.kind === 'Kustomization'
    ) {
      const ns = namespace ?? 'flux-system';
      const info: FluxKustomizationInfo = {
        ...base,
        path:
          typeof spec.path === 'string' ? normalisePath(spec.path) : undefined,
        sourceRef: spec.sourceRef
          ? {
              kind: String(spec.sourceRef.kind),
              name: String(spec.sourceRef.name),
              namespace: spec.sourceRef.namespace,
            }
          : undefined,
        dependsOn: Array.isArray(spec.dependsOn)
          ? spec.dependsOn.map((d: any) => ({
              name: String(d?.name),
              namespace: d?.namespace,
            }))
          : [],
        serviceAccountName: spec.serviceAccountName,
        targetNamespace: spec.targetNamespace,
        wait: spec.wait,
        substitute:
          spec.postBuild?.substitute &&
          typeof spec.postBuild.substitute === 'object'
            ? Object.fromEntries(
                Object.entries(spec.postBuild.substitute).map(([k, v]) => [
                  k,
                  String(v),
                ]),
              )
            : {},
        substituteFrom: Array.isArray(spec.postBuild?.substituteFrom),
        remoteCluster: !!spec.kubeConfig,
      };
      kustomizations.push(info);
      const label = `Kustomization ${ns}/${name}`;
      const ref = info.sourceRef;
      const sameRepo =
        ref &&
        ref.kind === ctx.root.kind &&
        ref.name === ctx.root.name &&
        (ref.namespace ?? ns) === ctx.root.namespace;
      if (info.remoteCluster) {
        note({
          kind: 'other-source',
          where: `${label} (${file})`,
          message: `applies ${
            info.path ?? '/'
          } to another cluster (spec.kubeConfig); not followed`,
        });
      } else if (!sameRepo) {
        note({
          kind: 'other-source',
          where: `${label} (${file})`,
          message: `applies ${info.path ?? '/'} from ${ref?.kind ?? '?'} ${
            ref?.namespace ?? ns
          }/${
            ref?.name ?? '?'
          }, not this repository; its objects are not known`,
        });
      } else {
        const patches = Array.isArray(spec.patches) ? spec.patches : [];
        if (patches.length) {
          // Flux patches what it builds (often the child Kustomizations' postBuild or dependsOn): named, not applied.
          const targets = [
            ...new Set(
              patches.map((x: any) => String(x?.target?.kind ?? 'any kind')),
            ),
          ];
          note({
            kind: 'patches',
            where: `${label} (${file})`,
            message: `spec.patches (${patches.length}, on ${targets.join(
              ', ',
            )}) change the objects it applies; they are read as written`,
          });
        }
        queue.push({
          dir: info.path ?? '',
          by: label,
          ctx: {
            appliedBy: `${ns}/${name}`,
            root: ctx.root,
            namespace: info.targetNamespace,
            vars: info.substitute,
            substituteFrom: info.substituteFrom,
            patches: patches.length > 0,
            patchedBy: ctx.patches ? ctx.appliedBy : undefined,
          },
        });
      }
    } else if (
      group === 'helm.toolkit.fluxcd.io' &&
      raw.kind === 'HelmRelease'
    ) {
      const chartSpec = spec.chart?.spec;
      let source: HelmReleaseInfo['source'];
      if (spec.chartRef) {
        source = {
          kind: String(spec.chartRef.kind),
          name: String(spec.chartRef.name),
          namespace: spec.chartRef.namespace,
          via: 'chartRef',
        };
      } else if (chartSpec?.sourceRef) {
        source = {
          kind: String(chartSpec.sourceRef.kind),
          name: String(chartSpec.sourceRef.name),
          namespace: chartSpec.sourceRef.namespace,
          via: 'chart',
        };
      }
      helmReleases.push({
        ...base,
        chart: chartSpec?.chart,
        version: chartSpec?.version,
        source,
        targetNamespace: spec.targetNamespace,
        serviceAccountName: spec.serviceAccountName,
      });
    } else if (
      group === 'source.toolkit.fluxcd.io' &&
      SOURCE_KINDS.has(raw.kind)
    ) {
      const ref = spec.ref ?? {};
      sources.push({
        ...base,
        url: spec.url,
        ref: ref.tag ?? ref.semver ?? ref.branch ?? ref.digest,
      });
    }
    if (fluxInstanceSpec(raw))
      instanceEffects(raw, file, namespace ?? 'flux-system');
  };

  const addFile = (
    path: string,
    ctx: Context,
    namespace: string | undefined,
    via: string,
  ) => {
    if (tooLarge.has(path)) {
      note({
        kind: 'unreadable',
        where: via,
        message: `${path} is larger than ${
          MAX_MANIFEST_BYTES / 1024
        } KiB and was not read`,
      });
      return;
    }
    const text = read(path);
    if (text === undefined) {
      note({
        kind: 'unreadable',
        where: via,
        message: `${path} could not be read`,
      });
      return;
    }
    const { text: substituted, missing } = substitute(text, ctx.vars);
    if (missing.length) {
      let from = 'nowhere the repository shows';
      if (ctx.substituteFrom)
        from = 'postBuild.substituteFrom (outside the repository)';
      else if (ctx.patchedBy)
        from = `the spec.patches of Kustomization ${ctx.patchedBy} (not applied) or ${from}`;
      note({
        kind: 'substitution',
        where: path,
        message: `variables ${missing
          .map(v => `\${${v}}`)
          .join(', ')} come from ${from} of ${ctx.appliedBy}`,
      });
    }
    for (const o of parseObjects(substituted)) record(o, path, ctx, namespace);
  };

  const kustomizationFile = (dir: string) =>
    KUSTOMIZATION_FILES.map(f => (dir ? `${dir}/${f}` : f)).find(f =>
      fileSet.has(f),
    );

  const buildDir = (dir: string, ctx: Context, via: string, depth = 0) => {
    const key = `${dir}|${ctx.appliedBy}`;
    if (visited.has(key) || depth > 50) return;
    visited.add(key);
    const kfile = kustomizationFile(dir);
    if (kfile) {
      builtDirs.push(dir);
      const text = read(kfile);
      const doc = text ? parseObjects(text)[0] ?? safeFirst(text) : undefined;
      if (!doc) {
        note({
          kind: 'unreadable',
          where: via,
          message: `${kfile} is not a kustomization`,
        });
        return;
      }
      if (doc.patches || doc.patchesJson6902 || doc.patchesStrategicMerge) {
        scanFlags(
          JSON.stringify([
            doc.patches,
            doc.patchesJson6902,
            doc.patchesStrategicMerge,
          ]),
          kfile,
        );
        const patchedKinds = new Set<string>();
        const kindsOf = (yamlText: string | undefined) => {
          for (const o of yamlText ? parseObjects(yamlText) : [])
            if (typeof o.kind === 'string') patchedKinds.add(o.kind);
        };
        for (const patch of [
          ...(Array.isArray(doc.patches) ? doc.patches : []),
          ...(Array.isArray(doc.patchesJson6902) ? doc.patchesJson6902 : []),
        ]) {
          const pt =
            typeof patch?.path === 'string'
              ? read(normalisePath(posix.join(dir, patch.path)))
              : undefined;
          if (pt) scanFlags(pt, normalisePath(posix.join(dir, patch.path)));
          if (typeof patch?.target?.kind === 'string')
            patchedKinds.add(patch.target.kind);
          else if (patch?.target === undefined)
            kindsOf(typeof patch?.patch === 'string' ? patch.patch : pt);
        }
        for (const e of Array.isArray(doc.patchesStrategicMerge)
          ? doc.patchesStrategicMerge
          : [])
          if (typeof e === 'string')
            kindsOf(
              e.includes('\n') ? e : read(normalisePath(posix.join(dir, e))),
            );
        const modelled = [...patchedKinds].filter(k => MODELLED_KINDS.has(k));
        if (modelled.length)
          // kustomize patches are not applied by the model: say so where they touch what it reads.
          note({
            kind: 'patches',
            where: kfile,
            message: `kustomize patches on ${modelled
              .sort()
              .join(
                ', ',
              )} change the objects built here; they are read as written`,
          });
      }
      if (typeof doc.namespace === 'string')
        kustomizeNamespaces[dir] = doc.namespace;
      const namespace =
        ctx.namespace ??
        (typeof doc.namespace === 'string' ? doc.namespace : undefined);
      const entries = [
        ...(Array.isArray(doc.resources) ? doc.resources : []),
        ...(Array.isArray(doc.bases) ? doc.bases : []),
        ...(Array.isArray(doc.components) ? doc.components : []),
      ].filter((e): e is string => typeof e === 'string');
      for (const e of entries) {
        if (isRemoteResource(e)) {
          note({
            kind: 'remote-base',
            where: kfile,
            message: `remote base ${e} is not read`,
          });
          continue;
        }
        const p = normalisePath(posix.join(dir, e));
        if (fileSet.has(p)) addFile(p, ctx, namespace, kfile);
        else if (dirSet.has(p))
          buildDir(p, { ...ctx, namespace }, kfile, depth + 1);
        else
          note({
            kind: 'missing',
            where: kfile,
            message: `${e} (${p}) does not exist`,
          });
      }
      return;
    }
    if (!dirSet.has(dir)) {
      note({
        kind: 'missing',
        where: via,
        message: `folder ${dir || '/'} does not exist`,
      });
      return;
    }
    // No kustomization.yaml: Flux generates one with every manifest below, stopping at folders that have their own.
    builtDirs.push(dir);
    const walk = (d: string) => {
      const prefix = d ? `${d}/` : '';
      const children = new Set<string>();
      for (const p of reader.paths) {
        if (!p.startsWith(prefix)) continue;
        const rest = p.slice(prefix.length);
        const slash = rest.indexOf('/');
        if (slash < 0) {
          if (isManifestPath(p))
            addFile(
              p,
              ctx,
              ctx.namespace,
              `${dir || '/'} (generated kustomization)`,
            );
        } else children.add(prefix + rest.slice(0, slash));
      }
      for (const child of [...children].sort()) {
        if (child.split('/').some(s => s.startsWith('.'))) continue;
        if (kustomizationFile(child))
          buildDir(child, ctx, `${dir} (generated kustomization)`, depth + 1);
        else walk(child);
      }
    };
    walk(dir);
  };

  if (!entry && opts.sharedBaseSource) {
    entry = {
      kind: 'SharedBase',
      name: opts.sharedBaseSource,
      namespace: 'flux-system',
      file: clusterPath,
      sourceRef: {
        kind: 'GitRepository',
        name: opts.sharedBaseSource,
        namespace: 'flux-system',
      },
    };
    note({
      kind: 'other-source',
      where: clusterPath,
      message: `nothing in the repository applies ${clusterPath} yet; built as a shared base that other clusters apply from GitRepository flux-system/${opts.sharedBaseSource}`,
    });
    sources.push({
      group: 'source.toolkit.fluxcd.io',
      kind: 'GitRepository',
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      namespace: 'flux-system',
      name: opts.sharedBaseSource,
      file: `${clusterPath} (the applying cluster's own flux-system)`,
      appliedBy: 'flux-system/flux-system',
      raw: {},
    });
  }
  if (entry) {
    const spec = entryRaw?.spec ?? {};
    const root = {
      ...entry.sourceRef,
      namespace: entry.sourceRef.namespace ?? entry.namespace,
    };
    const ctx: Context = {
      appliedBy: `${entry.namespace}/${entry.name}`,
      root,
      namespace:
        entry.kind === 'Kustomization' ? spec.targetNamespace : undefined,
      vars:
        entry.kind === 'Kustomization' && spec.postBuild?.substitute
          ? spec.postBuild.substitute
          : {},
      substituteFrom:
        entry.kind === 'Kustomization' &&
        Array.isArray(spec.postBuild?.substituteFrom),
      patches:
        entry.kind === 'Kustomization' &&
        Array.isArray(spec.patches) &&
        spec.patches.length > 0,
    };
    if (entry.kind === 'FluxInstance' && entryRaw) {
      // The source and Kustomization it creates, also when the instance itself is applied from elsewhere.
      instanceEffects(entryRaw, entry.file, entry.namespace);
    }
    if (entry.kind === 'Kustomization' && spec.kubeConfig) {
      note({
        kind: 'other-source',
        where: `Kustomization ${entry.namespace}/${entry.name} (${entry.file})`,
        message: `applies ${clusterPath} to another cluster (spec.kubeConfig): no Flux runs there to apply Flux objects`,
      });
    }
    queue.push({
      dir: clusterPath,
      ctx,
      by: `${entry.kind} ${entry.namespace}/${entry.name}`,
    });
    while (queue.length) {
      const next = queue.shift()!;
      buildDir(next.dir, next.ctx, next.by);
    }
  }

  // The FluxInstance object appears twice when it also lives under the cluster path: keep one.
  const seen = new Set<string>();
  const unique = objects.filter(o => {
    const k = `${idKey(o)}|${o.file}|${o.appliedBy}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });

  const byId = new Map<string, string[]>();
  for (const o of unique) {
    const k = idKey(o);
    byId.set(k, [...(byId.get(k) ?? []), `${o.file} (via ${o.appliedBy})`]);
  }
  const duplicates = [...byId.entries()]
    .filter(([, files]) => files.length > 1)
    .map(([id, files]) => ({ id, files }));

  return {
    clusterPath,
    entry,
    appliedPaths,
    objects: unique,
    kustomizations,
    helmReleases,
    sources: dedupeBy(sources, s => `${idKey(s)}|${s.file}`),
    flags,
    eso: findEso(unique, helmReleases, sources),
    duplicates,
    unresolved,
    builtDirs,
    kustomizeNamespaces,
    filesRead: [...filesRead].sort(),
  };
}

function dedupeBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter(i => {
    const k = key(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A kustomization.yaml without apiVersion/kind (kustomize accepts that). */
function safeFirst(text: string): Record<string, any> | undefined {
  try {
    const doc = parseAllDocuments(text)[0]?.toJS();
    return doc && typeof doc === 'object' ? doc : undefined;
  } catch {
    return undefined;
  }
}

const ESO_CHART_URL = /external-secrets\/(charts\/)?external-secrets\/?$/;

/** ESO as installed for the cluster: its HelmRelease (any source), CRDs from Git, stores and ExternalSecrets. */
export function findEso(
  objects: AppliedObject[],
  helmReleases: HelmReleaseInfo[],
  sources: SourceInfo[],
): EsoFound {
  const sourceOf = (hr: HelmReleaseInfo) =>
    hr.source
      ? sources.find(
          s =>
            s.kind === hr.source!.kind &&
            s.name === hr.source!.name &&
            (s.namespace ?? 'flux-system') ===
              (hr.source!.namespace ?? hr.namespace ?? 'flux-system'),
        )
      : undefined;
  const found: EsoFound = {
    helmReleases: [],
    crdFiles: [],
    resources: [],
    apiVersions: [],
    removedApis: [],
  };
  for (const hr of helmReleases) {
    const src = sourceOf(hr);
    const isEso =
      hr.chart === 'external-secrets' ||
      (hr.source?.via === 'chartRef' &&
        !!src?.url &&
        ESO_CHART_URL.test(src.url));
    if (!isEso) continue;
    found.helmReleases.push({
      id: `HelmRelease ${hr.namespace ?? 'flux-system'}/${hr.name}`,
      file: hr.file,
      version:
        hr.version ?? (hr.source?.via === 'chartRef' ? src?.ref : undefined),
      source: hr.source
        ? `${hr.source.kind} ${hr.source.name}${
            src?.url ? ` (${src.url})` : ''
          }`
        : undefined,
      appliedBy: hr.appliedBy,
    });
  }
  const versions = new Set<string>();
  for (const o of objects) {
    if (
      o.kind === 'CustomResourceDefinition' &&
      /\.external-secrets\.io$/.test(o.name)
    ) {
      if (!found.crdFiles.includes(o.file)) found.crdFiles.push(o.file);
      continue;
    }
    if (
      o.group !== 'external-secrets.io' &&
      o.group !== 'generators.external-secrets.io'
    )
      continue;
    const id = idKey(o);
    found.resources.push({
      id,
      apiVersion: o.apiVersion,
      file: o.file,
      appliedBy: o.appliedBy,
    });
    versions.add(o.apiVersion);
    const version = o.apiVersion.split('/')[1] ?? '';
    const served = ESO_SERVED_VERSION[o.kind];
    if (o.group === 'external-secrets.io' && served && version !== served) {
      found.removedApis.push({ id, apiVersion: o.apiVersion, file: o.file });
    }
  }
  for (const s of sources) {
    if (
      s.kind === 'GitRepository' &&
      s.url &&
      /external-secrets\/external-secrets(\.git)?\/?$/.test(s.url)
    ) {
      const label = `${s.file} (GitRepository ${s.name}: ${s.url})`;
      if (!found.crdFiles.includes(label)) found.crdFiles.push(label);
    }
  }
  found.apiVersions = [...versions].sort();
  return found;
}

/** Whether the model found ESO installed for the cluster (operator or CRDs). */
export function esoInstalled(model: ClusterModel): boolean {
  return model.eso.helmReleases.length > 0 || model.eso.crdFiles.length > 0;
}
