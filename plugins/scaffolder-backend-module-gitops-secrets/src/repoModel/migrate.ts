/*
 * Manifests on ESO API versions ESO no longer serves (external-secrets.io
 * v1alpha1, v1beta1: "no matches for kind … in version …" since ESO 0.17),
 * moved to external-secrets.io/v1. Only the apiVersion line changes, so
 * comments and every other line stay; each migrated object, as Flux builds
 * it, must then validate against ESO's v1 CRD. Objects whose fields v1 does not accept as
 * they are (typically v1alpha1 shapes) are refused by name, with the
 * schema's errors: the change they need is a person's to make.
 */
import { validateAny } from '@golden-gitops/crd-schemas';
import { parseAllDocuments } from 'yaml';
import type { FileChange } from '../github';
import { ESO_SERVED_VERSION } from './build';
import { ClusterModel } from './types';

const REMOVED =
  /^(\s*apiVersion:\s*["']?)external-secrets\.io\/v1(alpha1|beta1)(["']?\s*(#.*)?)$/;

export interface EsoMigration {
  files: FileChange[];
  /** `file: Kind name (from → v1)` for each object moved. */
  migrated: string[];
  /** Objects v1 rejects as they are, with the schema's errors. */
  problems: string[];
}

export async function migrateRemovedEsoApis(
  model: ClusterModel,
  readFile: (path: string) => Promise<string | undefined>,
): Promise<EsoMigration> {
  const out: EsoMigration = { files: [], migrated: [], problems: [] };
  const files = [...new Set(model.eso.removedApis.map(r => r.file))].sort();
  for (const path of files) {
    const before = await readFile(path);
    if (before === undefined) continue;
    // Document by document, so a PushSecret (still v1alpha1) in the same file keeps its apiVersion.
    const after = before
      .split(/^(?=---)/m)
      .map(chunk => {
        const o = parseAllDocuments(chunk)[0]?.toJS();
        const served = o && ESO_SERVED_VERSION[o.kind];
        return served === 'v1' &&
          /^external-secrets\.io\/v1(alpha1|beta1)$/.test(String(o.apiVersion))
          ? chunk
              .split('\n')
              .map(line => line.replace(REMOVED, '$1external-secrets.io/v1$3'))
              .join('\n')
          : chunk;
      })
      .join('');
    if (after === before) {
      out.problems.push(
        `${path}: its removed apiVersion is not on a line of its own; change it by hand`,
      );
      continue;
    }
    out.files.push({ path, content: after, update: true });
  }
  // Validate each object as Flux builds it (postBuild variables substituted), once per build.
  const seen = new Set<string>();
  for (const o of model.objects) {
    const served = ESO_SERVED_VERSION[o.kind];
    const version = o.apiVersion.split('/')[1];
    if (
      o.group !== 'external-secrets.io' ||
      served !== 'v1' ||
      version === 'v1'
    )
      continue;
    const label = `${o.file}: ${o.kind} ${
      o.namespace ? `${o.namespace}/` : ''
    }${o.name}`;
    if (seen.has(label)) continue;
    seen.add(label);
    const migrated = { ...o.raw, apiVersion: 'external-secrets.io/v1' };
    if (JSON.stringify(migrated).includes('${')) {
      out.migrated.push(
        `${label} (not validated: postBuild variables the repository does not hold)`,
      );
      continue;
    }
    const result = validateAny(migrated);
    if (result.valid) out.migrated.push(label);
    else out.problems.push(`${label}: ${result.errors.slice(0, 3).join('; ')}`);
  }
  return out;
}
