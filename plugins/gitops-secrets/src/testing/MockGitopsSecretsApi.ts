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
} from '../api/types';
import { entityStatus } from './fixtures';

/** An in-memory GitopsSecretsApi: entity ref → its clusters' whole statuses, cut and paged as the backend does. */
export class MockGitopsSecretsApi implements GitopsSecretsApi {
  /** Entity refs of status and summary requests. */
  readonly calls: string[] = [];
  /** `cluster kind offset+limit` of every page request. */
  readonly pageCalls: string[] = [];

  constructor(private readonly byEntity: Record<string, ClusterStatus[]>) {}

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
