/*
 * Checks every action runs on the repository model before it writes: each
 * refusal is an InputError naming the files and objects, and nothing is
 * written. Each check names the general class of breakage it prevents.
 */
import { InputError } from '@backstage/errors';
import { parseAllDocuments } from 'yaml';
import { esoInstalled, groupOf, idKey, isClusterScoped } from './build';
import { ClusterModel, SourceRef } from './types';

/** The objects an action would write, by file. */
export type WrittenFiles = Array<{ path: string; objects: object[] }>;

const MAX_LISTED = 15;

function list(items: string[]): string {
  const shown = items.slice(0, MAX_LISTED).map(i => `  - ${i}`);
  if (items.length > MAX_LISTED)
    shown.push(`  - … and ${items.length - MAX_LISTED} more`);
  return shown.join('\n');
}

/**
 * The cluster path must be what a Flux Kustomization or FluxInstance of this
 * repository applies, on the cluster itself: otherwise nothing would apply
 * what the action writes (a typo, a flux-operator layout without that
 * folder) or Flux objects would land where no Flux runs (a hub's spoke).
 */
export function checkClusterPath(
  model: ClusterModel,
  field: string,
  where: string,
): void {
  if (!model.entry) {
    const applied = model.appliedPaths.map(
      a => `${a.path || '/'} (${a.by}, ${a.file})`,
    );
    throw new InputError(
      `${field}: no Flux Kustomization or FluxInstance in ${where} applies ${
        model.clusterPath
      }, so nothing would apply what this action writes there.${
        applied.length
          ? ` Paths the repository's Flux objects apply:\n${list(applied)}`
          : ' The repository has no Flux Kustomization or FluxInstance at all (a placeholder gotk-sync.yaml is filled in by `flux bootstrap`).'
      }`,
    );
  }
  if (model.entry.targetNamespace) {
    throw new InputError(
      `${field}: ${model.clusterPath} is applied by Kustomization ${model.entry.namespace}/${model.entry.name} (${model.entry.file}) with targetNamespace ${model.entry.targetNamespace}, which would move the Flux objects this action writes out of flux-system and away from their sources. Use a cluster path applied without targetNamespace (the cluster's own root).`,
    );
  }
  const remote = model.kustomizations.find(
    k =>
      k.name === model.entry!.name &&
      k.namespace === model.entry!.namespace &&
      k.remoteCluster,
  );
  if (
    remote ||
    model.unresolved.some(
      u =>
        u.where.startsWith(
          `Kustomization ${model.entry!.namespace}/${model.entry!.name} (${
            model.entry!.file
          })`,
        ) && /another cluster/.test(u.message),
    )
  ) {
    throw new InputError(
      `${field}: ${model.clusterPath} is applied by Kustomization ${model.entry.namespace}/${model.entry.name} (${model.entry.file}) to another cluster through spec.kubeConfig; no Flux runs there to reconcile the Flux objects this action writes. Run it for the cluster path of the cluster that runs Flux (the hub).`,
    );
  }
}

/**
 * No object the action writes may have the group, kind, namespace and name
 * of one the cluster already applies from another file: two appliers
 * overwrite each other on every reconcile, and kustomize refuses to build a
 * folder that lists both. Objects in files the action rewrites are its own.
 */
export function checkCollisions(
  model: ClusterModel,
  written: WrittenFiles,
): void {
  const ownFiles = new Set(written.map(w => w.path));
  const existing = new Map<string, string[]>();
  for (const o of model.objects) {
    if (ownFiles.has(o.file)) continue;
    const k = idKey(o);
    existing.set(k, [
      ...(existing.get(k) ?? []),
      `${o.file} (applied by ${o.appliedBy})`,
    ]);
  }
  const clashes: string[] = [];
  for (const w of written) {
    for (const raw of w.objects as Array<Record<string, any>>) {
      const id = writtenId(raw);
      const found = existing.get(idKey(id));
      if (found)
        clashes.push(
          `${idKey(id)} in ${w.path}: already in ${found.join(', ')}`,
        );
    }
  }
  if (clashes.length) {
    throw new InputError(
      `the cluster ${
        model.clusterPath
      } already applies objects this pull request would write again (two appliers would overwrite each other):\n${list(
        clashes,
      )}`,
    );
  }
}

function writtenId(raw: Record<string, any>) {
  return {
    group: groupOf(String(raw.apiVersion ?? '')),
    kind: String(raw.kind),
    namespace: isClusterScoped(String(raw.kind))
      ? undefined
      : raw.metadata?.namespace,
    name: String(raw.metadata?.name ?? ''),
  };
}

/** sourceRef / chartRef of a written Flux object, with the namespace it resolves in. */
function refsOf(
  raw: Record<string, any>,
): Array<SourceRef & { field: string }> {
  const ns = raw.metadata?.namespace ?? 'flux-system';
  const spec = raw.spec ?? {};
  const refs: Array<SourceRef & { field: string }> = [];
  const add = (ref: any, field: string) => {
    if (ref?.kind && ref?.name)
      refs.push({
        kind: ref.kind,
        name: ref.name,
        namespace: ref.namespace ?? ns,
        field,
      });
  };
  if (
    raw.kind === 'Kustomization' &&
    groupOf(raw.apiVersion) === 'kustomize.toolkit.fluxcd.io'
  )
    add(spec.sourceRef, 'spec.sourceRef');
  if (raw.kind === 'HelmRelease') {
    add(spec.chart?.spec?.sourceRef, 'spec.chart.spec.sourceRef');
    add(spec.chartRef, 'spec.chartRef');
  }
  return refs;
}

/**
 * Every sourceRef and chartRef written must name a source the cluster has
 * (or the pull request adds): a Kustomization of a missing source never
 * becomes Ready, and nothing after it in the chain runs.
 */
export function checkSourceRefs(
  model: ClusterModel,
  written: WrittenFiles,
  field: (ref: SourceRef) => string,
): void {
  const have = new Set(
    model.sources.map(
      s => `${s.kind} ${s.namespace ?? 'flux-system'}/${s.name}`,
    ),
  );
  for (const w of written)
    for (const raw of w.objects as Array<Record<string, any>>)
      if (groupOf(String(raw.apiVersion ?? '')) === 'source.toolkit.fluxcd.io')
        have.add(
          `${raw.kind} ${raw.metadata?.namespace ?? 'flux-system'}/${
            raw.metadata?.name
          }`,
        );
  const missing: string[] = [];
  const fields = new Set<string>();
  for (const w of written) {
    for (const raw of w.objects as Array<Record<string, any>>) {
      for (const ref of refsOf(raw)) {
        const key = `${ref.kind} ${ref.namespace}/${ref.name}`;
        if (!have.has(key)) {
          missing.push(
            `${raw.kind} ${raw.metadata?.name} (${w.path}) ${ref.field} → ${key}`,
          );
          fields.add(field(ref));
        }
      }
    }
  }
  if (missing.length) {
    const known = [...have].sort();
    throw new InputError(
      `${[...fields].join(', ')}: names a source the cluster ${
        model.clusterPath
      } does not have:\n${list(missing)}\nSources it has:\n${list(
        known.length ? known : ['none'],
      )}`,
    );
  }
}

/**
 * The lockdown the flux-system patches (or a multitenant FluxInstance) set:
 * under `--default-service-account` a Kustomization or HelmRelease without
 * serviceAccountName impersonates that account and is denied; under
 * `--no-cross-namespace-refs` a reference into another namespace is refused.
 */
export function checkLockdown(
  model: ClusterModel,
  written: WrittenFiles,
): void {
  const problems: string[] = [];
  for (const w of written) {
    for (const raw of w.objects as Array<Record<string, any>>) {
      const isFlux =
        (raw.kind === 'Kustomization' &&
          groupOf(raw.apiVersion) === 'kustomize.toolkit.fluxcd.io') ||
        (raw.kind === 'HelmRelease' &&
          groupOf(raw.apiVersion) === 'helm.toolkit.fluxcd.io');
      if (!isFlux) continue;
      const ns = raw.metadata?.namespace ?? 'flux-system';
      if (model.flags.defaultServiceAccount && !raw.spec?.serviceAccountName)
        problems.push(
          `${raw.kind} ${ns}/${raw.metadata?.name} (${w.path}) has no serviceAccountName, so it would impersonate ${ns}/${model.flags.defaultServiceAccount} (--default-service-account) and be denied`,
        );
      if (model.flags.noCrossNamespaceRefs)
        for (const ref of refsOf(raw))
          if (ref.namespace !== ns)
            problems.push(
              `${raw.kind} ${ns}/${raw.metadata?.name} (${w.path}) ${ref.field} points into namespace ${ref.namespace} (--no-cross-namespace-refs)`,
            );
    }
  }
  if (problems.length) {
    throw new InputError(
      `the cluster ${
        model.clusterPath
      } runs Flux locked down (${model.flags.from.join(
        ', ',
      )}) and this change would be refused:\n${list(
        problems,
      )}\nSet serviceAccountName to the account the repository's other Kustomizations use.`,
    );
  }
}

/** The serviceAccountName the repository's own Flux Kustomizations in `namespace` use (most common), when it sets one. */
export function conventionServiceAccount(
  model: ClusterModel,
  namespace = 'flux-system',
): { name: string; from: string[] } | undefined {
  const counts = new Map<string, string[]>();
  for (const k of model.kustomizations) {
    if ((k.namespace ?? 'flux-system') !== namespace || !k.serviceAccountName)
      continue;
    counts.set(k.serviceAccountName, [
      ...(counts.get(k.serviceAccountName) ?? []),
      `Kustomization ${k.name} (${k.file})`,
    ]);
  }
  const best = [...counts.entries()].sort(
    (a, b) => b[1].length - a[1].length,
  )[0];
  return best ? { name: best[0], from: best[1] } : undefined;
}

/**
 * ESO already installed for the cluster (by anything but files this action
 * writes): a second installation would fight the first over the same CRDs,
 * webhook and release. Refused with what exists and what to do.
 */
export function checkNoSecondEso(
  model: ClusterModel,
  written: WrittenFiles,
): void {
  const own = new Set(written.map(w => w.path));
  const foreign = {
    ...model.eso,
    helmReleases: model.eso.helmReleases.filter(h => !own.has(h.file)),
    crdFiles: model.eso.crdFiles.filter(f => !own.has(f.split(' ')[0])),
  };
  if (!esoInstalled({ ...model, eso: foreign })) return;
  const found = [
    ...foreign.helmReleases.map(
      h =>
        `${h.id} (${h.file}, applied by ${h.appliedBy}), chart ${
          h.version ?? 'version not pinned'
        }${h.source ? ` from ${h.source}` : ''}`,
    ),
    ...foreign.crdFiles.map(f => `ESO CRDs from ${f}`),
  ];
  const resources = model.eso.resources.filter(r => !own.has(r.file));
  throw new InputError(
    `External Secrets Operator is already installed for ${
      model.clusterPath
    }; a second installation beside it would fight it over the same CRDs, webhook and release:\n${list(
      found,
    )}\n${
      resources.length
        ? `It serves ${
            resources.length
          } store(s) and ExternalSecret(s) on ${model.eso.apiVersions.join(
            ', ',
          )}.`
        : 'No store or ExternalSecret uses it yet.'
    }${
      model.eso.removedApis.length
        ? ` ${
            model.eso.removedApis.length
          } of them use API versions ESO removed (${[
            ...new Set(model.eso.removedApis.map(r => r.apiVersion)),
          ].join(', ')}), e.g. ${model.eso.removedApis[0].id} in ${
            model.eso.removedApis[0].file
          }: migrate them to external-secrets.io/v1 before upgrading ESO (mode: migrate-apis, from chart 0.16.0).`
        : ''
    } To make this installation race-free in place (CRDs in their own step, operator waited for, stores after it), run with mode: adopt; to add an ExternalSecret, use gitops:secrets:add-external-secret with a store listed above; to change the installation otherwise, edit the files named above.`,
  );
}

/** The objects of files an action writes (kustomization.yaml updates hold none), for the checks above. */
export function writtenObjects(
  files: Array<{ path: string; content: string }>,
): WrittenFiles {
  return files.map(f => ({
    path: f.path,
    objects: parseAllDocuments(f.content)
      .filter(d => !d.errors.length)
      .map(d => d.toJS())
      .filter(
        o =>
          o &&
          typeof o === 'object' &&
          typeof o.kind === 'string' &&
          typeof o.apiVersion === 'string' &&
          !String(o.apiVersion).startsWith('kustomize.config.k8s.io/'),
      ),
  }));
}

/** Kustomizations on a dependsOn cycle (each waits for itself: none ever becomes Ready). */
export function dependsOnCycles(model: ClusterModel): string[] {
  const key = (ns: string | undefined, name: string) =>
    `${ns ?? 'flux-system'}/${name}`;
  const edges = new Map<string, string[]>();
  for (const k of model.kustomizations)
    edges.set(
      key(k.namespace, k.name),
      k.dependsOn.map(d => key(d.namespace ?? k.namespace, d.name)),
    );
  const onCycle = new Set<string>();
  for (const start of edges.keys()) {
    const seen = new Set<string>();
    const stack = [...(edges.get(start) ?? [])];
    while (stack.length) {
      const k = stack.pop()!;
      if (k === start) {
        onCycle.add(start);
        break;
      }
      if (seen.has(k)) continue;
      seen.add(k);
      stack.push(...(edges.get(k) ?? []));
    }
  }
  return [...onCycle].sort();
}

/**
 * The repository as the pull request leaves it, built again: no object id
 * applied twice that was not before, no new dependsOn cycle, and every
 * Kustomization named in `applied` applied for the cluster. Catches what the
 * per-object checks cannot: an edit that makes a folder list a file twice, a
 * step that nothing applies, a wait that never ends.
 */
export function checkResult(
  before: ClusterModel,
  after: ClusterModel,
  applied: string[],
): void {
  const was = new Set(before.duplicates.map(d => d.id));
  const problems = after.duplicates
    .filter(d => !was.has(d.id))
    .map(d => `${d.id} would be applied twice: ${d.files.join(', ')}`);
  const cyclesBefore = new Set(dependsOnCycles(before));
  for (const k of dependsOnCycles(after))
    if (!cyclesBefore.has(k))
      problems.push(
        `Kustomization ${k} would wait for itself through dependsOn`,
      );
  const have = new Set(
    after.kustomizations.map(k => `${k.namespace ?? 'flux-system'}/${k.name}`),
  );
  for (const a of applied)
    if (![...have].some(h => h === a || h.endsWith(`/${a}`)))
      problems.push(
        `Kustomization ${a} would not be applied for ${after.clusterPath}`,
      );
  if (problems.length)
    throw new InputError(
      `the change, built as Flux would build ${
        after.clusterPath
      }, would break it:\n${list(problems)}`,
    );
}
