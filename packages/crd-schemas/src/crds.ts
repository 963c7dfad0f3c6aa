import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The CRD sets shipped in `crds/`, one folder each. */
export const CRD_SETS = [
  'flux',
  'external-secrets',
  'cluster-api',
  'cluster-api-provider-aws',
  'weave-gitops-enterprise',
] as const;
export type CrdSet = (typeof CRD_SETS)[number];

/** The subset of `apiextensions.k8s.io/v1` CustomResourceDefinition this project reads. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: {
      kind: string;
      listKind?: string;
      plural: string;
      singular?: string;
      shortNames?: string[];
      categories?: string[];
    };
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      deprecated?: boolean;
      schema?: { openAPIV3Schema?: Record<string, unknown> };
      subresources?: { status?: object; scale?: object };
    }>;
  };
}

/** Absolute path of the folder holding the CRD sets. */
// A plain Node library that is never bundled, so __dirname is its real folder.
// eslint-disable-next-line no-restricted-syntax
export const crdsDir = path.resolve(__dirname, '..', 'crds');

const cache = new Map<CrdSet, CustomResourceDefinition[]>();

/** Reads the CRDs of the given sets (all sets by default), parsed once per process. */
export function loadCrds(
  sets: readonly CrdSet[] = CRD_SETS,
): CustomResourceDefinition[] {
  return sets.flatMap(set => {
    let crds = cache.get(set);
    if (!crds) {
      const dir = path.join(crdsDir, set);
      if (!fs.existsSync(dir)) {
        throw new Error(
          `Unknown CRD set '${set}'; known: ${CRD_SETS.join(', ')}`,
        );
      }
      crds = fs
        .readdirSync(dir)
        .filter(f => f.endsWith('.yaml'))
        .sort()
        .flatMap(f =>
          parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8'))
            .map(d => d.toJS() as CustomResourceDefinition | null)
            .filter(
              (d): d is CustomResourceDefinition =>
                !!d && d.kind === 'CustomResourceDefinition',
            ),
        );
      cache.set(set, crds);
    }
    return crds;
  });
}

/** Finds the CRD that defines `apiVersion`/`kind`, whether or not that version is served. */
export function findCrd(
  apiVersion: string,
  kind: string,
): CustomResourceDefinition | undefined {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return loadCrds().find(
    c => c.spec.group === group && c.spec.names.kind === kind,
  );
}
