import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ClusterStatus,
  ClusterSummary,
  EntityStatusResponse,
  EntitySummaryResponse,
  ObjectListKind,
  ObjectPage,
  cardClusterStatus,
  limitClusterStatus,
  pageObjects,
  toClusterSummary,
} from '@golden-gitops/plugin-gitops-secrets-common';
import type {
  EntityObjectsQuery,
  EntityStatusOptions,
  GitopsSecretsApi,
  PickerCluster,
  PickerPage,
  PickerPageQuery,
  PickerStore,
  PickerStorePage,
  PickerTemplate,
  PickerTemplatePage,
} from '../api/types';
import { entityStatus } from './fixtures';

/** What the picker routes answer in {@link MockGitopsSecretsApi}. */
export interface MockPickerData {
  clusters?: PickerCluster[];
  /** cluster name → all its stores (filtered by namespace as the backend does). */
  stores?: Record<string, PickerStore[]>;
  /** cluster name → its templates and where they came from. */
  templates?: Record<
    string,
    {
      items: PickerTemplate[];
      source?: PickerTemplatePage['source'];
      message?: string;
    }
  >;
}

function paged<T>(items: T[], query?: PickerPageQuery): PickerPage<T> {
  const offset = query?.offset ?? 0;
  const limit = query?.limit ?? 100;
  return {
    total: items.length,
    offset,
    limit,
    items: items.slice(offset, offset + limit),
  };
}

/**
 * An in-memory GitopsSecretsApi: entity ref → its clusters' whole statuses, cut and paged as the backend does; the
 * picker routes answer from `picker`, filtered and paged as the backend does.
 */
export class MockGitopsSecretsApi implements GitopsSecretsApi {
  /** Entity refs of status and summary requests. */
  readonly calls: string[] = [];
  /** `cluster kind offset+limit` of every page request. */
  readonly pageCalls: string[] = [];

  /** `route query` of every picker request, e.g. `stores management namespace=payments`. */
  readonly pickerCalls: string[] = [];

  constructor(
    private readonly byEntity: Record<string, ClusterStatus[]>,
    private readonly picker: MockPickerData = {},
  ) {}

  async pickerClusters(
    query?: PickerPageQuery & { eso?: 'installed' | 'absent' },
  ): Promise<PickerPage<PickerCluster>> {
    this.pickerCalls.push(`clusters eso=${query?.eso ?? ''}`);
    const clusters = (this.picker.clusters ?? []).filter(
      c =>
        !query?.eso ||
        (query.eso === 'installed' ? c.eso.installed : !c.eso.installed),
    );
    return paged(clusters, query);
  }

  async pickerStores(
    cluster: string,
    query?: PickerPageQuery & { namespace?: string },
  ): Promise<PickerStorePage> {
    this.pickerCalls.push(
      `stores ${cluster} namespace=${query?.namespace ?? ''}`,
    );
    const all = this.picker.stores?.[cluster];
    if (!all) throw new Error(`No cluster ${cluster}`);
    const stores = all.filter(
      s =>
        s.kind === 'ClusterSecretStore' ||
        (query?.namespace !== undefined && s.namespace === query.namespace),
    );
    return { cluster, reachable: true, ...paged(stores, query) };
  }

  async pickerTemplates(
    cluster: string,
    query?: PickerPageQuery,
  ): Promise<PickerTemplatePage> {
    this.pickerCalls.push(`templates ${cluster}`);
    const found = this.picker.templates?.[cluster];
    if (!found) throw new Error(`No cluster ${cluster}`);
    return {
      ...paged(found.items, query),
      source: found.source ?? (found.items.length ? 'cluster' : 'none'),
      ...(found.message ? { message: found.message } : {}),
    };
  }

  async getEntityStatus(
    entity: CompoundEntityRef,
    options?: EntityStatusOptions,
  ): Promise<EntityStatusResponse> {
    const ref = stringifyEntityRef(entity);
    this.calls.push(ref);
    const clusters = this.byEntity[ref] ?? [];
    const limit = options?.limit;
    return entityStatus(
      ref,
      limit === undefined
        ? clusters
        : clusters.map(c => limitClusterStatus(c, limit)),
    );
  }

  async getEntitySummary(
    entity: CompoundEntityRef,
  ): Promise<EntitySummaryResponse> {
    const ref = stringifyEntityRef(entity);
    this.calls.push(ref);
    return entityStatus(
      ref,
      (this.byEntity[ref] ?? []).map(c =>
        cardClusterStatus(limitClusterStatus(c, 5)),
      ),
    );
  }

  async getEntityObjects<K extends ObjectListKind>(
    entity: CompoundEntityRef,
    query: EntityObjectsQuery & { kind: K },
  ): Promise<ObjectPage<K>> {
    const ref = stringifyEntityRef(entity);
    this.pageCalls.push(
      `${query.cluster} ${query.kind} ${query.offset ?? 0}+${
        query.limit ?? 50
      }`,
    );
    const found = (this.byEntity[ref] ?? []).find(
      c => c.cluster === query.cluster,
    );
    if (!found)
      throw new Error(`${ref} does not map to cluster ${query.cluster}`);
    return pageObjects(found, query.kind, query);
  }

  async getClusters(): Promise<ClusterSummary[]> {
    return this.all().map(toClusterSummary);
  }

  async getClusterStatus(cluster: string): Promise<ClusterStatus> {
    const found = this.all().find(c => c.cluster === cluster);
    if (!found) throw new Error(`No cluster ${cluster}`);
    return found;
  }

  private all(): ClusterStatus[] {
    return Object.values(this.byEntity).flat();
  }
}
