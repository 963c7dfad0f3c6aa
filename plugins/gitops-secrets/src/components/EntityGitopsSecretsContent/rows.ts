/**
 * Flat table rows across all of an entity's clusters, one per object, so the
 * tab can filter, search and page through what it has loaded.
 */
import type {
  EntityStatusResponse,
  StoreStatus,
  ExternalSecretStatus,
  FluxObjectStatus,
  Health,
  ObjectRef,
} from '@golden-gitops/plugin-gitops-secrets-common';

export type ExternalSecretState = 'Synced' | 'Stale' | 'Failing' | 'Pending';

export interface ExternalSecretRow {
  id: string;
  cluster: string;
  namespace: string;
  name: string;
  store: string;
  targetSecret: string;
  state: ExternalSecretState;
  reason: string;
  message: string;
  refreshInterval: string;
  refreshTime?: string;
}

export interface StoreRow {
  id: string;
  cluster: string;
  kind: string;
  namespace: string;
  name: string;
  provider: string;
  health: Health;
  reason: string;
  message: string;
}

export type FluxState = 'Ready' | 'Not ready' | 'Suspended';

export interface FluxRow {
  id: string;
  cluster: string;
  kind: string;
  namespace: string;
  name: string;
  health: Health;
  state: FluxState;
  revision: string;
  dependsOn: string;
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

const refId = (cluster: string, ref: ObjectRef) =>
  `${cluster}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;

export function externalSecretState(
  es: ExternalSecretStatus,
): ExternalSecretState {
  if (es.synced) return es.stale ? 'Stale' : 'Synced';
  return es.health === 'Degraded' ? 'Failing' : 'Pending';
}

export function fluxState(o: FluxObjectStatus): FluxState {
  if (o.suspended) return 'Suspended';
  return o.ready ? 'Ready' : 'Not ready';
}

function refName(ref: ObjectRef): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

export function externalSecretRow(
  cluster: string,
  es: ExternalSecretStatus,
): ExternalSecretRow {
  return {
    id: refId(cluster, es.ref),
    cluster,
    namespace: es.ref.namespace ?? '',
    name: es.ref.name,
    store: `${es.store.kind}/${es.store.name}`,
    targetSecret: es.targetSecret,
    state: externalSecretState(es),
    reason: es.reason ?? '',
    message: es.message ?? '',
    refreshInterval: es.refreshInterval ?? '',
    refreshTime: es.refreshTime ?? undefined,
  };
}

export function storeRow(cluster: string, s: StoreStatus): StoreRow {
  return {
    id: refId(cluster, s.ref),
    cluster,
    kind: s.ref.kind,
    namespace: s.ref.namespace ?? '',
    name: s.ref.name,
    provider: s.provider ?? '',
    health: s.health,
    reason: s.reason ?? '',
    message: s.message ?? '',
  };
}

export function fluxRow(cluster: string, o: FluxObjectStatus): FluxRow {
  return {
    id: refId(cluster, o.ref),
    cluster,
    kind: o.ref.kind,
    namespace: o.ref.namespace ?? '',
    name: o.ref.name,
    health: o.health,
    state: fluxState(o),
    revision: o.revision ?? '',
    dependsOn: o.dependsOn.map(refName).join(', '),
    reason: o.reason ?? '',
    message: o.message ?? '',
    lastTransitionTime: o.lastTransitionTime,
  };
}

export function externalSecretRows(
  status: EntityStatusResponse,
): ExternalSecretRow[] {
  return status.clusters.flatMap(c =>
    (c.eso?.externalSecrets ?? []).map(es => externalSecretRow(c.cluster, es)),
  );
}

export function storeRows(status: EntityStatusResponse): StoreRow[] {
  return status.clusters.flatMap(c =>
    (c.eso?.stores ?? []).map(s => storeRow(c.cluster, s)),
  );
}

export function fluxRows(status: EntityStatusResponse): FluxRow[] {
  return status.clusters.flatMap(c =>
    c.flux.objects.map(o => fluxRow(c.cluster, o)),
  );
}
