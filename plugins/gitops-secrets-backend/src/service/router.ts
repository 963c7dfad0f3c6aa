import type {
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  ClusterListResponse,
  EntityStatusResponse,
  EntitySummaryResponse,
  Health,
  ObjectListKind,
} from '@golden-gitops/plugin-gitops-secrets-common';
import {
  CARD_LIMITS,
  HEALTH_PRIORITY,
  KUBERNETES_CLUSTER_RESOURCE_TYPE,
  OBJECT_LIST_KINDS,
  cardClusterStatus,
  clusterNameOf,
  gitopsSecretsStatusReadPermission,
  pageObjects,
  summarizeEntity,
  toClusterSummary,
} from '@golden-gitops/plugin-gitops-secrets-common';
import express from 'express';
import Router from 'express-promise-router';
import { DEFAULTS } from '../config/clusters';
import type { StatusService } from './StatusService';
import type { SerializedAnswer } from './answerCache';
import { AnswerCache } from './answerCache';
import { resolveEntityTargets } from './entityMapping';
import { createPickerRouter } from './pickerRoutes';
import type { RepositoryTemplates } from './RepositoryTemplates';

export interface RouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  status: StatusService;
  /** Entries per list in status answers when `?limit=` is absent. */
  defaultListLimit?: number;
  /** Where serialized status answers are kept (default: a new one of 100 answers). */
  answerCache?: AnswerCache;
  /** Reads a cluster's templates from the GitOps repository when the cluster cannot be read (template picker). */
  repositoryTemplates?: RepositoryTemplates;
}

const MAX_PAGE_LIMIT = 500;
const DEFAULT_PAGE_LIMIT = 50;
const MAX_QUERY_LENGTH = 200;
/** Most entries per list a card summary may ask for: it lists the worst few; whole lists page through `/objects`. */
const MAX_SUMMARY_LIMIT = 50;

type Query = express.Request['query'];

/** Send JSON serialized earlier; with its ETag set, Express neither hashes the body again nor fails a conditional GET. */
function sendAnswer(res: express.Response, answer: SerializedAnswer): void {
  res.set('Content-Type', 'application/json; charset=utf-8');
  res.set('ETag', answer.etag);
  res.send(answer.body);
}

function single(query: Query, key: string): string | undefined {
  const v = query[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    throw new InputError(`Query parameter '${key}' must be given once`);
  }
  return v;
}

function intParam(
  query: Query,
  key: string,
  fallback: number,
  max: number,
): number {
  const v = single(query, key);
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) > max) {
    throw new InputError(
      `Invalid '${key}' query parameter '${v}': an integer from 0 to ${max}`,
    );
  }
  return Number(v);
}

function healthParam(query: Query): Health[] | undefined {
  const v = single(query, 'health');
  if (!v) return undefined;
  const out: Health[] = [];
  for (const part of v
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)) {
    if (!(HEALTH_PRIORITY as readonly string[]).includes(part)) {
      throw new InputError(
        `Invalid 'health' query parameter '${part}': allowed are ${HEALTH_PRIORITY.join(
          ', ',
        )}`,
      );
    }
    out.push(part as Health);
  }
  return out;
}

function listKindParam(query: Query): ObjectListKind {
  const v = single(query, 'kind');
  if (!v || !(OBJECT_LIST_KINDS as readonly string[]).includes(v)) {
    throw new InputError(
      `Invalid 'kind' query parameter${
        v ? ` '${v}'` : ' (missing)'
      }: allowed are ${OBJECT_LIST_KINDS.join(', ')}`,
    );
  }
  return v as ObjectListKind;
}

function qParam(query: Query): string | undefined {
  const v = single(query, 'q');
  if (v && v.length > MAX_QUERY_LENGTH) {
    throw new InputError(
      `Invalid 'q' query parameter: at most ${MAX_QUERY_LENGTH} characters`,
    );
  }
  return v;
}

/**
 * Routes under /api/gitops-secrets. Thin: check credentials and the
 * permission, resolve the entity, delegate to the StatusService.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, catalog, status } = options;
  const defaultListLimit =
    options.defaultListLimit ?? DEFAULTS.defaultListLimit;
  const answers = options.answerCache ?? new AnswerCache();
  const router = Router();
  router.use(express.json());

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const credentialsOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  /** The clusters (of `names`) the caller may read. */
  async function readableClusters(
    credentials: BackstageCredentials,
    names: string[],
  ): Promise<Set<string>> {
    const [decision] = await permissions.authorizeConditional(
      [{ permission: gitopsSecretsStatusReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.ALLOW) return new Set(names);
    if (decision.result === AuthorizeResult.DENY) return new Set();
    // Conditional: decide per cluster on its catalog entity. Only `kubernetes-cluster` Resources stand for a
    // cluster (one filter object: its keys are ANDed; an array of filters would be ORed).
    const { items } = await catalog.getEntities(
      {
        filter: {
          kind: 'resource',
          'spec.type': KUBERNETES_CLUSTER_RESOURCE_TYPE,
        },
      },
      { credentials },
    );
    const candidates = items
      .map(e => ({ entity: e, cluster: clusterNameOf(e) }))
      .filter(
        (c): c is { entity: Entity; cluster: string } =>
          !!c.cluster && names.includes(c.cluster),
      );
    if (!candidates.length) return new Set();
    const decisions = await permissions.authorize(
      candidates.map(c => ({
        permission: gitopsSecretsStatusReadPermission,
        resourceRef: stringifyEntityRef(c.entity),
      })),
      { credentials },
    );
    return new Set(
      candidates
        .filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW)
        .map(c => c.cluster),
    );
  }

  async function requireCluster(req: express.Request): Promise<string> {
    const credentials = await credentialsOf(req);
    const name = req.params.name;
    const allowed = await readableClusters(credentials, [name]);
    if (!allowed.has(name)) {
      throw new NotAllowedError(
        `Not allowed to read the GitOps secrets status of cluster '${name}'`,
      );
    }
    if (!status.isConfigured(name)) {
      throw new NotFoundError(`No cluster named '${name}' is configured`);
    }
    return name;
  }

  router.get('/clusters', async (req, res) => {
    const credentials = await credentialsOf(req);
    const names = status.clusterNames();
    const allowed = await readableClusters(credentials, names);
    const visible = names.filter(n => allowed.has(n));
    if (names.length && !visible.length) {
      throw new NotAllowedError(
        'Not allowed to read the GitOps secrets status of any cluster',
      );
    }
    // Only the summary is shown: lists cut to nothing.
    const statuses = await status.clusterStatuses(
      visible.map(cluster => ({ cluster })),
      0,
    );
    const body: ClusterListResponse = {
      clusters: statuses.map(toClusterSummary),
    };
    res.json(body);
  });

  router.get('/clusters/:name/status', async (req, res) => {
    const limit = intParam(
      req.query,
      'limit',
      defaultListLimit,
      DEFAULTS.maxListLimit,
    );
    const name = await requireCluster(req);
    const cluster = await status.clusterStatus(name, undefined, limit);
    sendAnswer(
      res,
      answers.get(
        JSON.stringify(['cluster', name, limit]),
        [cluster],
        () => cluster,
      ),
    );
  });

  router.get('/clusters/:name/objects', async (req, res) => {
    const kind = listKindParam(req.query);
    const query = {
      offset: intParam(req.query, 'offset', 0, Number.MAX_SAFE_INTEGER),
      limit: intParam(req.query, 'limit', DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT),
      q: qParam(req.query),
      health: healthParam(req.query),
    };
    const name = await requireCluster(req);
    res.json(pageObjects(await status.clusterStatus(name), kind, query));
  });

  /** Check the permission on the entity, then fetch it with the caller's credentials. */
  async function requireEntity(
    req: express.Request,
  ): Promise<{ entity: Entity; credentials: BackstageCredentials }> {
    const credentials = await credentialsOf(req);
    const ref = stringifyEntityRef({
      kind: req.params.kind,
      namespace: req.params.namespace,
      name: req.params.name,
    });
    const [decision] = await permissions.authorize(
      [{ permission: gitopsSecretsStatusReadPermission, resourceRef: ref }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed to read the GitOps secrets status of ${ref}`,
      );
    }
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) throw new NotFoundError(`Entity ${ref} not found`);
    return { entity, credentials };
  }

  router.get('/entities/:namespace/:kind/:name/status', async (req, res) => {
    const limit = intParam(
      req.query,
      'limit',
      defaultListLimit,
      DEFAULTS.maxListLimit,
    );
    const { entity, credentials } = await requireEntity(req);
    const targets = await resolveEntityTargets(entity, catalog, credentials);
    const clusters = await status.clusterStatuses(targets, limit);
    const entityRef = stringifyEntityRef(entity);
    // Serialized once per change of the clusters' summaries, not once per request.
    const answer = answers.get(
      JSON.stringify(['entity', entityRef, limit]),
      clusters,
      (): EntityStatusResponse => ({
        entityRef,
        clusters,
        health: summarizeEntity(clusters),
      }),
    );
    sendAnswer(res, answer);
  });

  // What the card reads: counts, findings and the worst few objects per cluster, small however big the clusters.
  router.get('/entities/:namespace/:kind/:name/summary', async (req, res) => {
    const limit = intParam(
      req.query,
      'limit',
      CARD_LIMITS.objects,
      MAX_SUMMARY_LIMIT,
    );
    const { entity, credentials } = await requireEntity(req);
    const targets = await resolveEntityTargets(entity, catalog, credentials);
    // Cut to `limit` (problems first, tallies of the whole lists) by the cluster caches, which keep cut statuses
    // until something changes; the card form is made from those and serialized once per change.
    const clusters = await status.clusterStatuses(targets, limit);
    const entityRef = stringifyEntityRef(entity);
    const answer = answers.get(
      JSON.stringify(['summary', entityRef, limit]),
      clusters,
      (): EntitySummaryResponse => ({
        entityRef,
        clusters: clusters.map(c => cardClusterStatus(c, { objects: limit })),
        health: summarizeEntity(clusters),
      }),
    );
    sendAnswer(res, answer);
  });

  router.get('/entities/:namespace/:kind/:name/objects', async (req, res) => {
    const kind = listKindParam(req.query);
    const cluster = single(req.query, 'cluster');
    if (!cluster) {
      throw new InputError(
        `Missing 'cluster' query parameter: the name of one of the entity's clusters`,
      );
    }
    const query = {
      offset: intParam(req.query, 'offset', 0, Number.MAX_SAFE_INTEGER),
      limit: intParam(req.query, 'limit', DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT),
      q: qParam(req.query),
      health: healthParam(req.query),
    };
    const { entity, credentials } = await requireEntity(req);
    const targets = await resolveEntityTargets(entity, catalog, credentials);
    const target = targets.find(t => t.cluster === cluster);
    if (!target) {
      throw new InputError(
        `${stringifyEntityRef(entity)} does not map to cluster '${cluster}'${
          targets.length
            ? `; its clusters are: ${targets.map(t => t.cluster).join(', ')}`
            : '; it maps to no cluster'
        }`,
      );
    }
    res.json(
      pageObjects(
        await status.clusterStatus(target.cluster, target.scope),
        kind,
        query,
      ),
    );
  });

  router.use(
    '/picker',
    createPickerRouter({
      logger: options.logger,
      httpAuth,
      catalog,
      status,
      readableClusters,
      requireCluster,
      repositoryTemplates: options.repositoryTemplates,
    }),
  );

  return router;
}
