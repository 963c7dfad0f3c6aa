import path from 'node:path';
import type {
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_SOURCE_LOCATION,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  ClusterStatus,
  PickerCluster,
  PickerPage,
  PickerStore,
  PickerTemplatePage,
  StoreStatus,
} from '@golden-gitops/plugin-gitops-secrets-common';
import {
  KUBERNETES_CLUSTER_RESOURCE_TYPE,
  clusterNameOf,
} from '@golden-gitops/plugin-gitops-secrets-common';
import express from 'express';
import Router from 'express-promise-router';
import type { RepositoryTemplates } from './RepositoryTemplates';
import type { StatusService } from './StatusService';
import {
  TEMPLATE_KIND_KEYS,
  compareTemplates,
  isTemplate,
  toPickerTemplate,
} from './templates';

/*
 * Routes the scaffolder field extensions (pickers) read, under /picker: what the platform
 * already knows, so a form never asks a person to type it. The same permission as the status
 * routes (the checks are passed in from router.ts), paged, answered from the watch cache.
 */

/** Folder of the cluster in the GitOps repository (what the scaffolder actions call the cluster path). */
const ANNOTATION_CLUSTER_PATH = 'gitops-secrets.io/cluster-path';
const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 100;

export interface PickerRouteOptions {
  logger: LoggerService;
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
  /** Reads templates from the GitOps repository when a cluster cannot be read; absent: no fallback. */
  repositoryTemplates?: RepositoryTemplates;
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

const trimSlashes = (s: string) => s.replace(/^\/+|\/+$/g, '');

/** The `kubernetes-cluster` Resources of the catalog the caller may see, by cluster name (the first of each). */
async function clusterEntities(
  catalog: CatalogService,
  credentials: BackstageCredentials,
): Promise<Map<string, Entity>> {
  const { items } = await catalog.getEntities(
    {
      filter: {
        kind: 'resource',
        'spec.type': KUBERNETES_CLUSTER_RESOURCE_TYPE,
      },
    },
    { credentials },
  );
  const byCluster = new Map<string, Entity>();
  for (const e of items) {
    const name = clusterNameOf(e);
    if (name && !byCluster.has(name)) byCluster.set(name, e);
  }
  return byCluster;
}

/** The picker routes; router.ts mounts them under /picker. */
export function createPickerRouter(
  options: PickerRouteOptions,
): express.Router {
  const { httpAuth, catalog, status, logger } = options;
  const router = Router();

  /**
   * The templates of cluster `name`: from the cache when it holds a current list of every template kind the
   * cluster serves; otherwise from the folder in the repository that the cluster's catalog entity names.
   */
  async function templatesOf(
    name: string,
    credentials: BackstageCredentials,
  ): Promise<Omit<PickerTemplatePage, 'total' | 'offset' | 'limit'>> {
    const cached = await status.cachedObjects(name, TEMPLATE_KIND_KEYS);
    const states = TEMPLATE_KIND_KEYS.map(k => cached.kinds[k]);
    if (states.every(s => s === 'listed' || s === 'absent')) {
      const items = cached.objects
        .filter(isTemplate)
        .map(o => toPickerTemplate(o, 'cluster'))
        .sort(compareTemplates);
      return states.every(s => s === 'absent')
        ? {
            items,
            source: 'cluster',
            message: `Cluster '${name}' serves neither CAPITemplate nor GitOpsTemplate: Weave GitOps Enterprise's templates-controller is not installed there.`,
          }
        : { items, source: 'cluster' };
    }
    const failing = TEMPLATE_KIND_KEYS.filter(
      k => cached.kinds[k] === 'failing',
    );
    const reason = (
      cached.error?.message ?? 'its templates have not been listed yet'
    ).replace(/\.$/, '');
    const unread = failing.length
      ? `Cluster '${name}': the backend has no current list of ${failing.join(
          ' and ',
        )} (${reason}).`
      : `Cluster '${name}' cannot be read now (${reason}).`;
    const none = (why: string) => ({
      items: [],
      source: 'none' as const,
      message: `${unread} ${why}`,
    });
    if (!options.repositoryTemplates)
      return none('No repository reader is configured.');
    const entity = (await clusterEntities(catalog, credentials)).get(name);
    const location = entity?.metadata.annotations?.[ANNOTATION_SOURCE_LOCATION];
    if (!location?.startsWith('url:')) {
      return none(
        `Its catalog entity has no ${ANNOTATION_SOURCE_LOCATION} annotation (url:<its folder in the GitOps repository>) to read its templates from the repository instead.`,
      );
    }
    const url = location.slice('url:'.length);
    let read;
    try {
      read = await options.repositoryTemplates.read(url);
    } catch (e) {
      logger.warn(
        `gitops-secrets: reading the templates of cluster ${name} from ${url} failed: ${String(
          e,
        )}`,
      );
      return none(
        `Reading its templates from ${url} failed too (${
          (e as Error)?.name ?? 'Error'
        }).`,
      );
    }
    // Paths from the repository root, as the scaffolder actions name files, when the URL is the cluster's folder.
    const clusterPath = trimSlashes(
      entity?.metadata.annotations?.[ANNOTATION_CLUSTER_PATH] ?? '',
    );
    const rooted =
      clusterPath !== '' &&
      trimSlashes(url.split(/[?#]/)[0]).endsWith(`/${clusterPath}`);
    const items = read.templates
      .map(t =>
        toPickerTemplate(
          t.obj,
          'repository',
          rooted ? path.posix.join(clusterPath, t.file) : undefined,
        ),
      )
      .sort(compareTemplates);
    const skipped = read.skippedFiles
      ? ` ${read.skippedFiles} YAML file(s) too large or beyond the file limit were not read.`
      : '';
    return {
      items,
      source: 'repository',
      message: `${unread} Its templates are listed as the repository holds them at ${url}.${skipped}`,
    };
  }

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
    const entities = await clusterEntities(catalog, credentials);
    // Lists cut to nothing: the picker needs the counts, which stay exact.
    const statuses = await status.clusterStatuses(
      visible.map(cluster => ({ cluster })),
      0,
    );
    const clusters = statuses
      .map(s => {
        const e = entities.get(s.cluster);
        return toPickerCluster(
          s,
          e && {
            ref: stringifyEntityRef(e),
            clusterPath: e.metadata.annotations?.[ANNOTATION_CLUSTER_PATH],
          },
        );
      })
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

  /**
   * GET /picker/clusters/:name/templates?offset=&limit=
   * The CAPITemplates and GitOpsTemplates of a (management) cluster with their declared parameters: from the
   * cache; from the repository when the cluster cannot be read (`source` says which, `message` why).
   */
  router.get('/clusters/:name/templates', async (req, res) => {
    const paged = paging(req.query);
    const name = await options.requireCluster(req);
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { items, ...rest } = await templatesOf(name, credentials);
    const body: PickerTemplatePage = { ...page(items, paged), ...rest };
    res.json(body);
  });

  return router;
}
