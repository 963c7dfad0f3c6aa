/*
 * `mode: adopt`: an ESO installation the repository already has, made
 * race-free in place instead of installed a second time. The chart's CRDs
 * move into a Flux Kustomization of their own at the chart's version
 * (git tag v<version>, wait: true, never pruned), the Kustomization applying
 * the operator's HelmRelease waits for it and for the release, and each
 * Kustomization applying stores or ExternalSecrets dependsOn the operator's.
 * Manifests on removed ESO APIs move to external-secrets.io/v1 (migrate.ts).
 *
 * Handing CRDs from Helm to Flux takes two pull requests. Helm deletes what a
 * new chart render no longer holds unless the live object carries
 * `helm.sh/resource-policy: keep` — and deleting ESO's CRDs deletes every
 * store and ExternalSecret and the Secrets they own. Nothing orders one
 * commit's Kustomizations against each other (the operator's may reconcile
 * the new revision before its parent applies its new dependsOn), so the
 * first pull request only makes the chart annotate its CRDs `keep` (safe in
 * any order); the second, run once that is reconciled, hands them over.
 *
 * Every edit of a person's file inserts lines or replaces one scalar
 * (yamlEdit.ts): comments and every other line stay.
 */
import { InputError } from '@backstage/errors';
import { BOOTSTRAP_NAMES } from '@golden-gitops/plugin-gitops-secrets-common';
import { stringify } from 'yaml';
import type { FileChange } from '../github';
import {
  crdsKustomization,
  esoCrdsGitRepository,
} from '../manifests/secrets/flux';
import { migrateRemovedEsoApis } from './migrate';
import { ClusterModel, FluxKustomizationInfo } from './types';
import { addToSeq, setIn } from './yamlEdit';
import type { WrittenFiles } from './checks';

/** First ESO release serving external-secrets.io/v1 (its v0.16.0 deploy/crds bundle). */
export const ESO_V1_SERVED_SINCE = '0.16.0';
/**
 * First ESO release whose CRDs need no conversion webhook (v0.16.1's bundle
 * has none; earlier ones carry `conversion.strategy: Webhook`, whose service
 * and caBundle the operator patches at run time — Flux re-applying the bundle
 * would reset them on every reconcile).
 */
export const ESO_CRDS_STANDALONE_SINCE = '0.16.1';

const KEEP = 'helm.sh/resource-policy';
const CRDS = BOOTSTRAP_NAMES.crds;

/** -1, 0 or 1; undefined unless both are exact x.y.z versions. */
export function compareVersions(a: string, b: string): number | undefined {
  const parse = (v: string) =>
    /^v?(\d+)\.(\d+)\.(\d+)$/.exec(v)?.slice(1).map(Number);
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return undefined;
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

export interface AdoptPlan {
  /**
   * keep-crds: the first pull request (the chart annotates its CRDs keep); split: the hand-over of the CRDs to a
   * step of their own; order: the CRDs already have their own step, only the order and API versions change.
   */
  phase: 'keep-crds' | 'split' | 'order';
  files: FileChange[];
  /** Objects the plan adds (for the source, lockdown and collision checks). */
  added: WrittenFiles;
  /** What changes, one line each, for the PR body and dry run. */
  changes: string[];
  /** What it leaves as it is, and why. */
  leftAsIs: string[];
  /** The installation adopted. */
  installation: { id: string; file: string; version: string; by: string };
}

const keyOf = (k: { namespace?: string; name: string }) =>
  `${k.namespace ?? 'flux-system'}/${k.name}`;

function refuse(message: string): never {
  throw new InputError(`mode: adopt: ${message} Nothing was written.`);
}

/**
 * The adoption of the cluster's ESO installation, or an InputError saying
 * why it cannot be adopted here. `readFile` reads the target branch.
 */
export async function planAdopt(
  model: ClusterModel,
  readFile: (path: string) => Promise<string | undefined>,
  opts: { serviceAccountName?: string } = {},
): Promise<AdoptPlan> {
  const found = model.eso.helmReleases;
  if (!found.length)
    refuse(
      `no HelmRelease of the external-secrets chart applies for ${
        model.clusterPath
      }${
        model.eso.crdFiles.length
          ? ` (ESO CRDs come from ${model.eso.crdFiles.join(', ')})`
          : ''
      }; there is nothing to adopt. Use mode install.`,
    );
  if (found.length > 1)
    refuse(
      `${found.length} HelmReleases of the external-secrets chart apply for ${
        model.clusterPath
      } (${found
        .map(f => `${f.id} in ${f.file}`)
        .join(
          '; ',
        )}); two operators fight over the same CRDs and webhook. Remove one by hand first.`,
    );
  const eso = found[0];
  const hr = model.helmReleases.find(
    h => `HelmRelease ${keyOf(h)}` === eso.id && h.file === eso.file,
  )!;
  const where = `${eso.id} (${eso.file})`;
  const version = (eso.version ?? '').replace(/^v/, '');
  if (compareVersions(version, '0.0.0') === undefined)
    refuse(
      `${where} does not pin an exact chart version (${
        eso.version ?? 'none'
      }); the CRDs' own step must come from the same version. Pin the chart to an exact version first.`,
    );
  const values = hr.raw.spec?.values ?? {};
  // Where the CRDs come from: the chart, or Flux Kustomizations applying them from Git (ESO's repository, or CRD
  // files of this one).
  const esoGit = model.sources.filter(
    s =>
      s.kind === 'GitRepository' &&
      !!s.url &&
      /external-secrets\/external-secrets(\.git)?\/?$/.test(s.url),
  );
  const crdSteps = model.kustomizations.filter(
    k =>
      (k.sourceRef?.kind === 'GitRepository' &&
        esoGit.some(
          g =>
            g.name === k.sourceRef!.name &&
            (g.namespace ?? 'flux-system') ===
              (k.sourceRef!.namespace ?? k.namespace ?? 'flux-system'),
        )) ||
      model.objects.some(
        o =>
          o.kind === 'CustomResourceDefinition' &&
          /\.external-secrets\.io$/.test(o.name) &&
          o.appliedBy === keyOf(k),
      ),
  );
  const chartInstalls = values.installCRDs !== false;
  if (chartInstalls && crdSteps.length)
    refuse(
      `ESO's CRDs are installed twice: by the chart of ${where} and by ${crdSteps
        .map(k => `Kustomization ${keyOf(k)} (${k.file})`)
        .join(
          ', ',
        )}. Set values.installCRDs: false on the HelmRelease by hand once the CRDs carry "${KEEP}: keep", then run mode adopt again.`,
    );
  if (!chartInstalls && !crdSteps.length)
    refuse(
      `the chart of ${where} does not install the CRDs (values.installCRDs: false) and no Flux Kustomization of this cluster applies them${
        model.eso.crdFiles.length
          ? ` (CRDs found: ${model.eso.crdFiles.join(', ')})`
          : ''
      }; adopt cannot tell what installs them.`,
    );
  if (chartInstalls && compareVersions(version, ESO_CRDS_STANDALONE_SINCE)! < 0)
    refuse(
      `${where} is chart ${version}: ESO's CRDs before ${ESO_CRDS_STANDALONE_SINCE} use a conversion webhook the operator patches at run time, which Flux would reset when applying them on their own, and external-secrets.io/v1 is served only from ${ESO_V1_SERVED_SINCE}. Upgrade the chart to 0.16.2 (it serves v1beta1 and v1 and its CRDs need no webhook), then run mode adopt again: it moves the CRDs into their own step and the manifests on removed APIs to v1.`,
    );
  if (
    model.eso.removedApis.length &&
    compareVersions(version, ESO_V1_SERVED_SINCE)! < 0
  )
    refuse(
      `${where} is chart ${version}, which does not serve external-secrets.io/v1 (served from ${ESO_V1_SERVED_SINCE}), and ${model.eso.removedApis.length} manifest(s) use removed ESO APIs. Upgrade the chart to 0.16.2 first, then run mode adopt again.`,
    );
  const operator = model.kustomizations.find(k => keyOf(k) === eso.appliedBy);
  if (!operator || operator.appliedBy === keyOf(operator))
    refuse(
      `${where} is applied by ${
        operator
          ? `Kustomization ${keyOf(operator)} (${
              operator.file
            }), which applies itself`
          : eso.appliedBy
      }: the cluster's root. Its CRDs' step would be applied by the Kustomization waiting for it. Give the operator a Flux Kustomization of its own (e.g. apps/external-secrets/ks.yaml), then run mode adopt again.`,
    );
  const installation = {
    id: eso.id,
    file: eso.file,
    version,
    by: `Kustomization ${keyOf(operator)} (${operator.file})`,
  };

  // The working copy of every file touched, edited in turn.
  const texts = new Map<string, string>();
  const originals = new Map<string, string>();
  const textOf = async (path: string) => {
    if (!texts.has(path)) {
      const t = await readFile(path);
      if (t === undefined) refuse(`${path} could not be read.`);
      texts.set(path, t);
      originals.set(path, t);
    }
    return texts.get(path)!;
  };
  const edit = async (path: string, f: (t: string) => string) => {
    const before = await textOf(path);
    try {
      texts.set(path, f(before));
    } catch (e: any) {
      refuse(
        `${path} could not be edited without rewriting it (${e.message}); change it by hand.`,
      );
    }
  };
  const hrSel = { kind: 'HelmRelease', name: String(hr.raw.metadata?.name) };
  const changes: string[] = [];
  const leftAsIs: string[] = [];
  const files = () =>
    [...texts.entries()]
      .filter(([p, t]) => originals.get(p) !== t)
      .map(([path, content]) => ({ path, content, update: true }));

  if (chartInstalls && values.crds?.annotations?.[KEEP] !== 'keep') {
    await edit(hr.file, t =>
      setIn(t, hrSel, ['spec', 'values', 'crds', 'annotations', KEEP], 'keep'),
    );
    changes.push(
      `${where}: values.crds.annotations "${KEEP}: keep", so Helm never deletes ESO's CRDs (and with them every store, ExternalSecret and the Secrets they own) once they are handed to their own step.`,
    );
    return {
      phase: 'keep-crds',
      files: files(),
      added: [],
      changes,
      leftAsIs: [
        `Step 1 of 2. Once this is merged and ${
          eso.id
        } is Ready on the cluster, run mode adopt again: the next pull request moves the CRDs into a Kustomization of their own at tag v${version}, makes ${keyOf(
          operator,
        )} wait for them, and the Kustomizations applying stores and ExternalSecrets wait for the operator.`,
      ],
      installation,
    };
  }

  const opSel = {
    kind: 'Kustomization',
    name: String(operator.raw.metadata?.name),
  };
  const byKey = new Map(model.kustomizations.map(k => [keyOf(k), k]));
  const dependsOnKeys = (k: FluxKustomizationInfo) =>
    k.dependsOn.map(
      d => `${d.namespace ?? k.namespace ?? 'flux-system'}/${d.name}`,
    );
  const reaches = (from: string, to: string) => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length) {
      const k = stack.pop()!;
      if (k === to) return true;
      if (seen.has(k)) continue;
      seen.add(k);
      const info = byKey.get(k);
      if (info) stack.push(...dependsOnKeys(info));
    }
    return false;
  };
  const added: WrittenFiles = [];
  if (chartInstalls) {
    // The hand-over. The CRDs' step goes into the file defining the operator's Kustomization: whatever applies that
    // applies it too, in the same namespace.
    const ns = operator.raw.metadata?.namespace as string | undefined;
    const account =
      model.flags.defaultServiceAccount &&
      (opts.serviceAccountName ?? operator.serviceAccountName);
    const source = esoCrdsGitRepository(version);
    source.metadata = { name: CRDS, ...(ns ? { namespace: ns } : {}) };
    const crds = crdsKustomization(version);
    crds.metadata = { name: CRDS, ...(ns ? { namespace: ns } : {}) };
    crds.spec.sourceRef = { kind: 'GitRepository', name: CRDS };
    crds.spec.commonMetadata!.annotations = {
      ...crds.spec.commonMetadata!.annotations,
      [KEEP]: 'keep',
    };
    if (account)
      (crds as any).spec = { serviceAccountName: account, ...crds.spec };
    await edit(operator.file, t =>
      addToSeq(
        t,
        opSel,
        ['spec', 'dependsOn'],
        { name: CRDS },
        d => d?.name === CRDS,
      ),
    );
    if (operator.wait !== true)
      await edit(operator.file, t => setIn(t, opSel, ['spec', 'wait'], true));
    await edit(
      operator.file,
      t =>
        `${t.replace(
          /\n*$/,
          '\n',
        )}---\n# ESO's CRDs at the chart's version (${version}), applied before the operator and never pruned;\n# added by the Backstage action gitops:secrets:bootstrap (mode adopt).\n${stringify(
          source,
        )}---\n${stringify(crds)}`,
    );
    changes.push(
      `${
        operator.file
      }: GitRepository and Kustomization ${CRDS} (ESO's deploy/crds at tag v${version}, wait: true, prune: false, kept by Helm and kustomize); Kustomization ${keyOf(
        operator,
      )} dependsOn it${
        operator.wait !== true ? ' and waits for the release (wait: true)' : ''
      }.`,
    );
    await edit(hr.file, t =>
      setIn(t, hrSel, ['spec', 'values', 'installCRDs'], false),
    );
    changes.push(
      `${where}: values.installCRDs false — the CRDs now come from ${CRDS} (the live CRDs carry "${KEEP}: keep", so Helm leaves them).`,
    );

    added.push({ path: operator.file, objects: [source, crds] });
  } else {
    // The CRDs already have a step of their own: at the chart's version, and the operator waits for it.
    for (const step of crdSteps) {
      if (keyOf(step) === keyOf(operator))
        refuse(
          `Kustomization ${keyOf(operator)} (${
            operator.file
          }) applies ESO's CRDs and the operator together; move the CRDs into a Kustomization of their own first.`,
        );
      const src = esoGit.find(g => g.name === step.sourceRef?.name);
      const tag = src?.raw?.spec?.ref?.tag;
      if (src && typeof tag === 'string' && tag.replace(/^v/, '') !== version) {
        await edit(src.file, t =>
          setIn(
            t,
            { kind: 'GitRepository', name: src.name },
            ['spec', 'ref', 'tag'],
            `v${version}`,
          ),
        );
        changes.push(
          `${src.file}: GitRepository ${keyOf(
            src,
          )} at tag v${version} (was ${tag}), the chart's version.`,
        );
      }
      if (!reaches(keyOf(operator), keyOf(step))) {
        const dep: Record<string, string> = { name: step.name };
        if (
          (step.namespace ?? 'flux-system') !==
          (operator.namespace ?? 'flux-system')
        )
          dep.namespace = step.namespace ?? 'flux-system';
        await edit(operator.file, t =>
          addToSeq(
            t,
            opSel,
            ['spec', 'dependsOn'],
            dep,
            d => d?.name === dep.name,
          ),
        );
        changes.push(
          `${operator.file}: Kustomization ${keyOf(operator)} dependsOn ${keyOf(
            step,
          )}, which applies ESO's CRDs.`,
        );
      }
    }
    if (operator.wait !== true) {
      await edit(operator.file, t => setIn(t, opSel, ['spec', 'wait'], true));
      changes.push(
        `${operator.file}: Kustomization ${keyOf(
          operator,
        )} waits for the release and its webhook (wait: true).`,
      );
    }
  }

  // Every Kustomization applying ESO objects waits for the operator, unless it already does (transitively), or
  // cannot (it applies the operator's Kustomization itself, or the operator waits for it).
  const ancestors = new Set<string>();
  for (let k = byKey.get(keyOf(operator)); k && !ancestors.has(k.appliedBy); ) {
    ancestors.add(k.appliedBy);
    k = byKey.get(k.appliedBy);
  }
  const appliers = new Map<string, number>();
  for (const r of model.eso.resources)
    appliers.set(r.appliedBy, (appliers.get(r.appliedBy) ?? 0) + 1);
  let waiting = 0;
  for (const [key, count] of [...appliers.entries()].sort()) {
    const k = byKey.get(key);
    const what = `${count} ESO object(s) applied by ${key}`;
    if (key === keyOf(operator))
      leftAsIs.push(
        `${what}: applied together with the operator, so they cannot wait for it; move them into a Kustomization that dependsOn ${keyOf(
          operator,
        )}.`,
      );
    else if (!k || ancestors.has(key))
      leftAsIs.push(
        `${what}: it applies the operator's Kustomization itself, so it cannot wait for it (Flux retries them until the CRDs exist).`,
      );
    else if (reaches(key, keyOf(operator))) waiting += 1;
    else if (reaches(keyOf(operator), key))
      leftAsIs.push(
        `${what}: the operator's Kustomization waits for it, so it cannot wait for the operator.`,
      );
    else if (
      model.flags.noCrossNamespaceRefs &&
      (k.namespace ?? 'flux-system') !== (operator.namespace ?? 'flux-system')
    )
      leftAsIs.push(
        `${what}: in another namespace than the operator's Kustomization, and --no-cross-namespace-refs forbids the dependsOn.`,
      );
    else {
      const dep: Record<string, string> = { name: operator.name };
      if (
        (k.namespace ?? 'flux-system') !== (operator.namespace ?? 'flux-system')
      )
        dep.namespace = operator.namespace ?? 'flux-system';
      await edit(k.file, t =>
        addToSeq(
          t,
          { kind: 'Kustomization', name: String(k.raw.metadata?.name) },
          ['spec', 'dependsOn'],
          dep,
          d =>
            d?.name === dep.name &&
            (d?.namespace ?? dep.namespace) === dep.namespace,
        ),
      );
      changes.push(
        `${k.file}: Kustomization ${key} dependsOn ${keyOf(
          operator,
        )} (${count} ESO object(s)).`,
      );
    }
  }
  if (waiting)
    changes.push(
      `${waiting} other Kustomization(s) applying ESO objects already wait for ${keyOf(
        operator,
      )}.`,
    );

  if (model.eso.removedApis.length) {
    const migration = await migrateRemovedEsoApis(model, textOf);
    if (migration.problems.length)
      refuse(
        `these manifests on removed ESO APIs need changes external-secrets.io/v1 requires beyond the apiVersion; change them by hand:\n${migration.problems
          .map(p => `  - ${p}`)
          .join('\n')}`,
      );
    for (const f of migration.files) texts.set(f.path, f.content);
    changes.push(
      `${migration.migrated.length} object(s) on removed ESO APIs move to external-secrets.io/v1 (only their apiVersion line changes).`,
    );
  }
  return {
    phase: chartInstalls ? 'split' : 'order',
    files: files(),
    added,
    changes,
    leftAsIs,
    installation,
  };
}
