import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ClusterStatus,
  ClusterSummary,
  EntityStatusResponse,
  toClusterSummary,
} from '@golden-gitops/plugin-gitops-secrets-common';
import type { GitopsSecretsApi } from '../api/types';
import { entityStatus } from './fixtures';

/** An in-memory GitopsSecretsApi: entity ref → its clusters' statuses. */
export class MockGitopsSecretsApi implements GitopsSecretsApi {
  readonly calls: string[] = [];

  constructor(private readonly byEntity: Record<string, ClusterStatus[]>) {}

  async getEntityStatus(
    entity: CompoundEntityRef,
  ): Promise<EntityStatusResponse> {
    const ref = stringifyEntityRef(entity);
    this.calls.push(ref);
    return entityStatus(ref, this.byEntity[ref] ?? []);
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
