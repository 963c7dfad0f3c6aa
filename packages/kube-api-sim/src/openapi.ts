import crypto from 'node:crypto';
import { ResourceRegistry, ResourceType, groupVersion } from './resources';

/**
 * OpenAPI v3, enough for kubectl: the root lists one document per group/version; each document has the
 * operations of its resources. kubectl reads the PATCH operations to learn that the server validates fields
 * itself (`fieldValidation`), so it skips client-side schema validation; their request bodies do not offer
 * strategic merge patch, so kubectl computes those from its compiled-in types.
 */
export function openApiV3Root(
  registry: ResourceRegistry,
): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  const gvs = new Set(
    registry.all().map(t => groupVersion(t.group, t.version)),
  );
  for (const gv of [...gvs].sort()) {
    const rel = gv.includes('/') ? `apis/${gv}` : `api/${gv}`;
    const doc = openApiV3Document(registry, gv);
    const hash = crypto
      .createHash('sha512')
      .update(JSON.stringify(doc))
      .digest('hex')
      .slice(0, 128)
      .toUpperCase();
    paths[rel] = { serverRelativeURL: `/openapi/v3/${rel}?hash=${hash}` };
  }
  return { paths };
}

const queryParam = (name: string, description: string) => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});

const writeParams = [
  queryParam(
    'dryRun',
    'When present, indicates that modifications should not be persisted.',
  ),
  queryParam(
    'fieldManager',
    'fieldManager is a name associated with the actor or entity that is making these changes.',
  ),
  queryParam(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields.',
  ),
];

function schemaName(t: ResourceType): string {
  const groupParts = (t.group || 'core').split('.').reverse().join('.');
  return `${groupParts}.${t.version}.${t.kind}`;
}

export function openApiV3Document(
  registry: ResourceRegistry,
  gv: string,
): Record<string, unknown> | undefined {
  const types = registry
    .all()
    .filter(t => groupVersion(t.group, t.version) === gv);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const prefix = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
  for (const t of types) {
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    const ref = { $ref: `#/components/schemas/${schemaName(t)}` };
    const json = { 'application/json': { schema: ref } };
    schemas[schemaName(t)] = {
      ...(t.schema ?? { type: 'object' }),
      'x-kubernetes-group-version-kind': [gvk],
    };
    const base = t.namespaced
      ? `${prefix}/namespaces/{namespace}/${t.plural}`
      : `${prefix}/${t.plural}`;
    const op = (action: string, extra: Record<string, unknown> = {}) => ({
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      responses: { '200': { description: 'OK', content: json } },
      ...extra,
    });
    const patchOp = op('patch', {
      parameters: [
        ...writeParams,
        queryParam('force', 'Force is going to "force" Apply requests.'),
      ],
      requestBody: {
        content: {
          'application/json-patch+json': { schema: { type: 'object' } },
          'application/merge-patch+json': { schema: { type: 'object' } },
          'application/apply-patch+yaml': { schema: { type: 'object' } },
        },
        required: true,
      },
    });
    paths[base] = {
      get: op('list'),
      post: op('post', {
        parameters: writeParams,
        requestBody: { content: json, required: true },
      }),
    };
    paths[`${base}/{name}`] = {
      get: op('get'),
      put: op('put', {
        parameters: writeParams,
        requestBody: { content: json, required: true },
      }),
      patch: patchOp,
      delete: op('delete'),
    };
    if (t.statusSubresource) {
      paths[`${base}/{name}/status`] = {
        get: op('get'),
        put: op('put', {
          parameters: writeParams,
          requestBody: { content: json, required: true },
        }),
        patch: patchOp,
      };
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.34.2' },
    paths,
    components: { schemas },
  };
}
