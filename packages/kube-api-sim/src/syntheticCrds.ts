import type { KubeObject } from './types';

/** Options of {@link syntheticCrds}. */
export interface SyntheticCrdOptions {
  /** Approximate JSON size of each CRD's OpenAPI schema in bytes (default 40,000). */
  schemaBytes?: number;
  /** Group suffix; CRD `i` is in group `g<i % 40>.<groupSuffix>` (default `synthetic.example.com`). */
  groupSuffix?: string;
}

/**
 * `count` SYNTHETIC CustomResourceDefinitions of unrelated groups (not modelled on any real provider), each
 * with a generated OpenAPI schema of about `schemaBytes`: the crowd of CRDs a real cluster carries beside the
 * ones a client reads (crossplane providers install hundreds to thousands, with schemas of tens to hundreds
 * of KB). Served by the simulator like any CRD once upserted.
 */
export function syntheticCrds(
  count: number,
  opts: SyntheticCrdOptions = {},
): KubeObject[] {
  const schemaBytes = opts.schemaBytes ?? 40_000;
  const suffix = opts.groupSuffix ?? 'synthetic.example.com';
  const properties: Record<string, unknown> = {};
  for (let p = 0, size = 0; size < schemaBytes; p++) {
    const prop = {
      type: 'string',
      description: `Synthetic field ${p}: generated text standing in for the long descriptions of real schemas.`,
    };
    properties[`field${p}`] = prop;
    size += JSON.stringify(prop).length + `"field${p}":,`.length;
  }
  const schema = {
    openAPIV3Schema: {
      type: 'object',
      properties: {
        spec: { type: 'object', properties },
        status: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
        },
      },
    },
  };
  const out: KubeObject[] = [];
  for (let i = 0; i < count; i++) {
    const group = `g${i % 40}.${suffix}`;
    const kind = `Widget${i}`;
    const plural = `widget${i}s`;
    out.push({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.${group}` },
      spec: {
        group,
        names: {
          kind,
          plural,
          listKind: `${kind}List`,
          singular: `widget${i}`,
        },
        scope: 'Cluster',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema,
            subresources: { status: {} },
          },
        ],
      },
    });
  }
  return out;
}
