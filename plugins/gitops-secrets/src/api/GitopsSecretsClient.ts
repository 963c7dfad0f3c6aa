import { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { NotFoundError, ResponseError } from '@backstage/errors';
import type {
  ClusterStatus,
  ClusterSummary,
  EntityStatusResponse,
} from '@golden-gitops/plugin-gitops-secrets-common';
import type { GitopsSecretsApi, GitopsSecretsRequestOptions } from './types';

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
    options?: GitopsSecretsRequestOptions,
  ): Promise<EntityStatusResponse> {
    // Kinds are case-insensitive in Backstage; the lower-case form is the canonical URL segment.
    const path = [
      'entities',
      entity.namespace || 'default',
      entity.kind.toLocaleLowerCase('en-US'),
      entity.name,
      'status',
    ]
      .map(encodeURIComponent)
      .join('/');
    return this.get<EntityStatusResponse>(path, options);
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
