/**
 * Metadata-only answers (`Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`), what
 * client-go's metadata client and metadata informers ask for: objects reduced to apiVersion, kind and metadata.
 * As the apiserver: a list asks for the List form, a get or a watch for the single-object form (each watch event
 * is one object); the other form is refused with 406 NotAcceptable, not answered as plain JSON.
 */
import { ApiError } from './status';
import type { Stored } from './store';

export type MetadataForm =
  | 'PartialObjectMetadata'
  | 'PartialObjectMetadataList';

/** Group versions of meta.k8s.io that carry PartialObjectMetadata. */
const META_VERSIONS = new Set(['v1', 'v1beta1']);

/**
 * The metadata form the Accept header asks for, and its meta.k8s.io version. Like `wantsTable`, the first media
 * range decides; a range naming another group or version is not a metadata request.
 */
export function wantsMetadata(
  accept: string | undefined,
): { form: MetadataForm; version: string } | undefined {
  const first = accept?.split(',')[0];
  if (!first) return undefined;
  const [type, ...rest] = first.split(';').map(p => p.trim());
  if (type !== 'application/json') return undefined;
  const params = new Map(
    rest.map(p => {
      const eq = p.indexOf('=');
      return eq < 0
        ? ([p, ''] as const)
        : ([p.slice(0, eq).trim(), p.slice(eq + 1).trim()] as const);
    }),
  );
  const as = params.get('as');
  if (as !== 'PartialObjectMetadata' && as !== 'PartialObjectMetadataList')
    return undefined;
  const version = params.get('v') ?? '';
  if (params.get('g') !== 'meta.k8s.io' || !META_VERSIONS.has(version))
    return undefined;
  return { form: as, version };
}

function notAcceptable(message: string): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: 'NotAcceptable',
    code: 406,
  });
}

/** Throws the apiserver's 406 when the form does not fit the answer (a list, or one object / watch events). */
export function checkMetadataForm(form: MetadataForm, isList: boolean): void {
  if (isList && form === 'PartialObjectMetadata') {
    throw notAcceptable(
      'you requested PartialObjectMetadata, but the requested object is a list',
    );
  }
  if (!isList && form === 'PartialObjectMetadataList') {
    throw notAcceptable(
      'you requested PartialObjectMetadataList, but the requested object is not a list',
    );
  }
}

/** The JSON of one stored object as PartialObjectMetadata (cached beside its full JSON). */
export function partialMetadataJson(s: Stored, version = 'v1'): string {
  const key = `meta.k8s.io/${version}#PartialObjectMetadata`;
  let j = s.json.get(key);
  if (j === undefined) {
    j = JSON.stringify({
      kind: 'PartialObjectMetadata',
      apiVersion: `meta.k8s.io/${version}`,
      metadata: s.obj.metadata,
    });
    s.json.set(key, j);
  }
  return j;
}

/** The head of a PartialObjectMetadataList, up to the opening bracket of its items. */
export function partialMetadataListHead(
  metadata: Record<string, unknown>,
  version = 'v1',
): string {
  return `{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/${version}","metadata":${JSON.stringify(
    metadata,
  )},"items":[`;
}
