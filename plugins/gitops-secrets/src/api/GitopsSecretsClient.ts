import { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { NotFoundError, ResponseError } from '@backstage/errors';
import type {
  ClusterStatus,
  ClusterSummary,
  EntityStatusResponse,
  EntitySummaryResponse,
  ObjectListKind,
  ObjectPage,
} from '@golden-gitops/plugin-gitops-secrets-common';
import type {
  EntityObjectsQuery,
  EntityStatusOptions,
  GitopsSecretsApi,
  GitopsSecretsRequestOptions,
  PickerCluster,
  PickerPage,
  PickerPageQuery,
  PickerStorePage,
  PickerTemplatePage,
} from './types';

/** The backend plugin's id, as mounted under `/api/<id>`. */
const PLUGIN_ID = 'gitops-secrets';

/**
 * {@link GitopsSecretsApi} over HTTP: the backend's base URL comes from the
 * discovery API and every request goes through the fetch API, so it carries
 * the user's Backstage token.
 *
 * @public
 */
export class GitopsSecretsClient implements GitopsSecretsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getEntityStatus(
    entity: CompoundEntityRef,
    options?: EntityStatusOptions,
  ): Promise<EntityStatusResponse> {
    const query: Record<string, string> =
      options?.limit === undefined ? {} : { limit: String(options.limit) };
    return this.get<EntityStatusResponse>(
      entityPath(entity, 'status', query),
      options,
    );
  }

  async getEntitySummary(
    entity: CompoundEntityRef,
    options?: GitopsSecretsRequestOptions,
  ): Promise<EntitySummaryResponse> {
    return this.get<EntitySummaryResponse>(
      entityPath(entity, 'summary'),
      options,
    );
  }

  async getEntityObjects<K extends ObjectListKind>(
    entity: CompoundEntityRef,
    query: EntityObjectsQuery & { kind: K },
    options?: GitopsSecretsRequestOptions,
  ): Promise<ObjectPage<K>> {
    const params: Record<string, string> = {
      cluster: query.cluster,
      kind: query.kind,
    };
    if (query.offset !== undefined) params.offset = String(query.offset);
    if (query.limit !== undefined) params.limit = String(query.limit);
    if (query.q) params.q = query.q;
    if (query.health?.length) params.health = query.health.join(',');
    return this.get<ObjectPage<K>>(
      entityPath(entity, 'objects', params),
      options,
    );
  }

  async getClusters(
    options?: GitopsSecretsRequestOptions,
  ): Promise<ClusterSummary[]> {
    const body = await this.get<
      ClusterSummary[] | { clusters: ClusterSummary[] }
    >('clusters', options);
    // Accept both a bare list and `{ clusters }`, so a wrapped answer does not break the card.
    return Array.isArray(body) ? body : body.clusters;
  }

  async getClusterStatus(
    cluster: string,
    options?: GitopsSecretsRequestOptions,
  ): Promise<ClusterStatus> {
    return this.get<ClusterStatus>(
      `clusters/${encodeURIComponent(cluster)}/status`,
      options,
    );
  }

  async pickerClusters(
    query?: PickerPageQuery & { eso?: 'installed' | 'absent' },
    options?: GitopsSecretsRequestOptions,
  ): Promise<PickerPage<PickerCluster>> {
    const params = pageParams(query);
    if (query?.eso) params.eso = query.eso;
    return this.get(withQuery('picker/clusters', params), options);
  }

  async pickerStores(
    cluster: string,
    query?: PickerPageQuery & { namespace?: string },
    options?: GitopsSecretsRequestOptions,
  ): Promise<PickerStorePage> {
    const params = pageParams(query);
    if (query?.namespace) params.namespace = query.namespace;
    return this.get(
      withQuery(
        `picker/clusters/${encodeURIComponent(cluster)}/stores`,
        params,
      ),
      options,
    );
  }

  async pickerTemplates(
    cluster: string,
    query?: PickerPageQuery,
    options?: GitopsSecretsRequestOptions,
  ): Promise<PickerTemplatePage> {
    return this.get(
      withQuery(
        `picker/clusters/${encodeURIComponent(cluster)}/templates`,
        pageParams(query),
      ),
      options,
    );
  }

  private async get<T>(
    path: string,
    options?: GitopsSecretsRequestOptions,
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl(PLUGIN_ID);
    const response = await this.fetchApi.fetch(`${baseUrl}/${path}`, {
      signal: options?.signal,
    });
    if (!response.ok) throw await toError(response);
    return (await response.json()) as T;
  }
}

/** `entities/:namespace/:kind/:name/<route>?query`, each segment encoded. */
function entityPath(
  entity: CompoundEntityRef,
  route: string,
  query: Record<string, string> = {},
): string {
  // Kinds are case-insensitive in Backstage; the lower-case form is the canonical URL segment.
  const path = [
    'entities',
    entity.namespace || 'default',
    entity.kind.toLocaleLowerCase('en-US'),
    entity.name,
    route,
  ]
    .map(encodeURIComponent)
    .join('/');
  const search = new URLSearchParams(query).toString();
  return search ? `${path}?${search}` : path;
}

function pageParams(query?: PickerPageQuery): Record<string, string> {
  const params: Record<string, string> = {};
  if (query?.offset !== undefined) params.offset = String(query.offset);
  if (query?.limit !== undefined) params.limit = String(query.limit);
  return params;
}

function withQuery(path: string, query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return search ? `${path}?${search}` : path;
}

/**
 * A 404 without Backstage's JSON error body comes from the app backend's
 * fallback, not from our router: the backend plugin is not installed.
 */
async function toError(response: Response): Promise<Error> {
  const isBackstageError = (response.headers.get('content-type') ?? '')
    .toLowerCase()
    .includes('application/json');
  if (response.status === 404 && !isBackstageError) {
    return new NotFoundError(
      'The gitops-secrets backend plugin answered 404: make sure @golden-gitops/plugin-gitops-secrets-backend is installed in the backend.',
    );
  }
  return ResponseError.fromResponse(response);
}
