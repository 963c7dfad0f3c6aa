import type {
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  ClusterStatus,
  Health,
  StoreStatus,
} from '@golden-gitops/plugin-gitops-secrets-common';
import {
  KUBERNETES_CLUSTER_RESOURCE_TYPE,
  clusterNameOf,
} from '@golden-gitops/plugin-gitops-secrets-common';
import express from 'express';
import Router from 'express-promise-router';
import type { StatusService } from './StatusService';

/*
 * Routes the scaffolder field extensions (pickers) read, under /picker: what the platform
 * already knows, so a form never asks a person to type it. The same permission as the status
 * routes (the checks are passed in from router.ts), paged, answered from the watch cache.
 */

/** Folder of the cluster in the GitOps repository (what the scaffolder actions call the cluster path). */
const ANNOTATION_CLUSTER_PATH = 'gitops-secrets.io/cluster-path';
const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 100;

/** One cluster as the GitopsClusterPicker lists it. */
export interface PickerCluster {
  /** Name configured in the backend. */
  name: string;
  /** Its catalog entity (`resource:<namespace>/<name>`), when the catalog has one. */
  entityRef?: string;
  /** Its folder in the GitOps repository (`gitops-secrets.io/cluster-path`). */
  clusterPath?: string;
  reachable: boolean;
  health: Health;
  /** Flux objects seen on the cluster (0: no Flux, or none this backend can read). */
  flux: { objects: number };
  eso: { installed: boolean; ready: boolean; stores: number };
}

/** One store as the SecretStorePicker lists it. */
export interface PickerStore {
  kind: 'ClusterSecretStore' | 'SecretStore';
  name: string;
  namespace?: string;
  provider?: string;
  health: Health;
  ready: boolean;
  reason?: string;
  message?: string;
}

/** A page of picker entries. */
export interface PickerPage<T> {
  total: number;
  offset: number;
  limit: number;
  items: T[];
}

export interface PickerRouteOptions {
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  status: StatusService;
  /** router.ts's check: the clusters of `names` the caller may read. */
  readableClusters(
    credentials: BackstageCredentials,
    names: string[],
  ): Promise<Set<string>>;
  /** router.ts's check of `req.params.name`: the cluster name, or NotAllowed/NotFound. */
  requireCluster(req: express.Request): Promise<string>;
}

function single(query: express.Request['query'], key: string) {
  const v = query[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string')
    throw new InputError(`Query parameter '${key}' must be given once`);
  return v;
}

function paging(query: express.Request['query']) {
  const int = (key: string, fallback: number, max: number) => {
    const v = single(query, key);
    if (v === undefined || v === '') return fallback;
    if (!/^\d+$/.test(v) || Number(v) > max)
      throw new InputError(
        `Invalid '${key}' query parameter '${v}': an integer from 0 to ${max}`,
      );
    return Number(v);
  };
  return {
    offset: int('offset', 0, Number.MAX_SAFE_INTEGER),
    limit: int('limit', DEFAULT_LIMIT, MAX_LIMIT),
  };
}

function page<T>(
  items: T[],
  { offset, limit }: { offset: number; limit: number },
): PickerPage<T> {
  return {
    total: items.length,
    offset,
    limit,
    items: items.slice(offset, offset + limit),
  };
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function toPickerCluster(
  s: ClusterStatus,
  entity?: { ref: string; clusterPath?: string },
): PickerCluster {
  const stores = s.truncated?.totals.stores ?? s.eso?.stores.length ?? 0;
  return {
    name: s.cluster,
    ...(entity ? { entityRef: entity.ref } : {}),
    ...(entity?.clusterPath ? { clusterPath: entity.clusterPath } : {}),
    reachable: s.reachable,
    health: s.health,
    flux: {
      objects: s.truncated?.totals.fluxObjects ?? s.flux.objects.length,
    },
    eso: {
      installed: !!s.eso?.installed,
      ready: !!s.eso?.operator.ready,
      stores,
    },
  };
}

function toPickerStore(s: StoreStatus): PickerStore {
  return {
    kind: s.ref.kind as PickerStore['kind'],
    name: s.ref.name,
    ...(s.ref.namespace ? { namespace: s.ref.namespace } : {}),
    ...(s.provider ? { provider: s.provider } : {}),
    health: s.health,
    ready: s.health === 'Healthy',
    ...(s.reason ? { reason: s.reason } : {}),
    ...(s.message ? { message: s.message } : {}),
  };
}

/** The picker routes; router.ts mounts them under /picker. */
export function createPickerRouter(
  options: PickerRouteOptions,
): express.Router {
  const { httpAuth, catalog, status } = options;
  const router = Router();

  /**
   * GET /picker/clusters?eso=installed|absent&offset=&limit=
   * The configured clusters the caller may read, with their catalog entity and folder, and
   * their Flux and ESO state from the cache.
   */
  router.get('/clusters', async (req, res) => {
    const eso = single(req.query, 'eso');
    if (eso !== undefined && eso !== 'installed' && eso !== 'absent')
      throw new InputError(
        `Invalid 'eso' query parameter '${eso}': allowed are installed, absent`,
      );
    const paged = paging(req.query);
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const names = status.clusterNames();
    const allowed = await options.readableClusters(credentials, names);
    const visible = names.filter(n => allowed.has(n)).sort();
    const { items: entities } = await catalog.getEntities(
      {
        filter: {
          kind: 'resource',
          'spec.type': KUBERNETES_CLUSTER_RESOURCE_TYPE,
        },
      },
      { credentials },
    );
    const byCluster = new Map<string, { ref: string; clusterPath?: string }>();
    for (const e of entities) {
      const name = clusterNameOf(e);
      if (name && !byCluster.has(name))
        byCluster.set(name, {
          ref: stringifyEntityRef(e),
          clusterPath: e.metadata.annotations?.[ANNOTATION_CLUSTER_PATH],
        });
    }
    // Lists cut to nothing: the picker needs the counts, which stay exact.
    const statuses = await status.clusterStatuses(
      visible.map(cluster => ({ cluster })),
      0,
    );
    const clusters = statuses
      .map(s => toPickerCluster(s, byCluster.get(s.cluster)))
      .filter(
        c =>
          eso === undefined ||
          (eso === 'installed' ? c.eso.installed : !c.eso.installed),
      );
    res.json(page(clusters, paged));
  });

  /**
   * GET /picker/clusters/:name/stores?namespace=&offset=&limit=
   * The cluster's ClusterSecretStores, and the SecretStores of `namespace`, with their Ready state.
   */
  router.get('/clusters/:name/stores', async (req, res) => {
    const namespace = single(req.query, 'namespace');
    if (namespace !== undefined && !NAMESPACE.test(namespace))
      throw new InputError(
        `Invalid 'namespace' query parameter '${namespace}': a DNS-1123 label`,
      );
    const paged = paging(req.query);
    const name = await options.requireCluster(req);
    const cluster = await status.clusterStatus(name);
    const stores = (cluster.eso?.stores ?? [])
      .filter(
        s =>
          s.ref.kind === 'ClusterSecretStore' ||
          (s.ref.kind === 'SecretStore' &&
            namespace !== undefined &&
            s.ref.namespace === namespace),
      )
      .map(toPickerStore)
      .sort(
        (a, b) =>
          a.kind.localeCompare(b.kind) ||
          (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
          a.name.localeCompare(b.name),
      );
    res.json({
      cluster: name,
      reachable: cluster.reachable,
      ...page(stores, paged),
    });
  });

  return router;
}
