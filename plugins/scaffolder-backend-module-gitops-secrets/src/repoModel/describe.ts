/*
 * What the model found, for the dry run (`repository` output) and the pull
 * request description: the entry, the lockdown, ESO as installed, and what
 * it could not resolve. Said always, so a reviewer sees what the action saw.
 */
import { ClusterModel } from './types';

const MAX_LINES = 12;

/** One line per finding, plain text. */
export function describeModel(
  model: ClusterModel,
  extra: string[] = [],
): string[] {
  const lines: string[] = [];
  const e = model.entry;
  if (!e) lines.push(`Nothing in the repository applies ${model.clusterPath}.`);
  else if (e.kind === 'SharedBase')
    lines.push(
      `${model.clusterPath} is not applied by anything in the repository yet: written as a shared base other clusters apply (sharedBase).`,
    );
  else
    lines.push(
      `${model.clusterPath} is applied by ${e.kind} ${e.namespace}/${e.name} (${e.file}) from ${e.sourceRef.kind} ${e.sourceRef.name}; ${model.objects.length} objects, ${model.kustomizations.length} Flux Kustomizations and ${model.helmReleases.length} HelmReleases apply for this cluster.`,
    );
  const f = model.flags;
  if (f.defaultServiceAccount || f.noCrossNamespaceRefs || f.noRemoteBases) {
    lines.push(
      `Flux is locked down (${f.from.join(', ')}): ${[
        f.defaultServiceAccount &&
          `--default-service-account=${f.defaultServiceAccount}`,
        f.noCrossNamespaceRefs && '--no-cross-namespace-refs',
        f.noRemoteBases && '--no-remote-bases',
      ]
        .filter(Boolean)
        .join(', ')}.`,
    );
  }
  const eso = model.eso;
  if (eso.helmReleases.length || eso.crdFiles.length || eso.resources.length) {
    lines.push(
      `External Secrets Operator found: ${
        [
          ...eso.helmReleases.map(
            h => `${h.id} chart ${h.version ?? '(unpinned)'} (${h.file})`,
          ),
          ...eso.crdFiles.map(c => `CRDs from ${c}`),
        ].join('; ') || 'no installation'
      }; ${eso.resources.length} store(s)/ExternalSecret(s)${
        eso.apiVersions.length ? ` on ${eso.apiVersions.join(', ')}` : ''
      }${
        eso.removedApis.length
          ? `, ${eso.removedApis.length} on removed API versions`
          : ''
      }.`,
    );
  } else {
    lines.push('External Secrets Operator: none found for this cluster.');
  }
  lines.push(...extra);
  if (model.duplicates.length)
    lines.push(
      `Already applied twice before this change: ${model.duplicates
        .slice(0, 5)
        .map(d => d.id)
        .join(', ')}${model.duplicates.length > 5 ? ', …' : ''}.`,
    );
  const unresolved = model.unresolved;
  if (unresolved.length) {
    lines.push(
      `Not resolved (${unresolved.length}); the checks do not cover what these apply:`,
    );
    for (const u of unresolved.slice(0, MAX_LINES))
      lines.push(`- ${u.where}: ${u.message}`);
    if (unresolved.length > MAX_LINES)
      lines.push(`- … and ${unresolved.length - MAX_LINES} more`);
  }
  return lines;
}

/** The same as a pull-request section (Markdown). */
export function modelSection(
  model: ClusterModel,
  extra: string[] = [],
): string {
  return `## What the repository holds for this cluster\n\n${describeModel(
    model,
    extra,
  )
    .map(l => (l.startsWith('- ') ? l : `${l}\n`))
    .join('\n')}`;
}
