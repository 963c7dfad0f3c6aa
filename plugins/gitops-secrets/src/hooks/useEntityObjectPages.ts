import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import type {
  ObjectListItems,
  ObjectListKind,
} from '@golden-gitops/plugin-gitops-secrets-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { gitopsSecretsApiRef } from '../api/types';

/** Entries per request: the most `…/objects` serves at once. */
export const OBJECT_PAGE_SIZE = 500;

/** What is loaded of one cluster's list. */
export interface ClusterObjects<K extends ObjectListKind> {
  cluster: string;
  items: Array<ObjectListItems[K]>;
  /** Entries the cluster has in all (the backend's `total`). */
  total: number;
  /** This cluster's pages could not be read; the other clusters' still show. */
  error?: string;
}

export interface ObjectPagesState<K extends ObjectListKind> {
  clusters: Array<ClusterObjects<K>>;
  loaded: number;
  total: number;
  loading: boolean;
  /** Load the next page of every cluster that has more. */
  loadMore: () => void;
  /** Load every remaining page. */
  loadAll: () => void;
}

/**
 * An entity's list (`kind`) on each of its clusters, read page by page from `…/objects`: the first page at once,
 * more on request. When `refreshKey` changes (the tab polled) the pages already loaded are read again, so a refresh
 * neither loses them nor shows them stale.
 */
export function useEntityObjectPages<K extends ObjectListKind>(
  entity: CompoundEntityRef,
  clusterNames: string[],
  kind: K,
  refreshKey: unknown,
): ObjectPagesState<K> {
  const api = useApi(gitopsSecretsApiRef);
  const [clusters, setClusters] = useState<Array<ClusterObjects<K>>>([]);
  const [loading, setLoading] = useState(true);
  const current = useRef(clusters);
  current.current = clusters;
  // A newer load (refresh, new subject) makes an older one's answers moot.
  const generation = useRef(0);
  const abort = useRef<AbortController>();
  const namesKey = clusterNames.join('\n');

  /** Entries [from, to) of one cluster's list (fewer when it has fewer). */
  const readRange = useCallback(
    async (
      cluster: string,
      from: number,
      to: number,
      signal: AbortSignal,
    ): Promise<ClusterObjects<K>> => {
      const items: Array<ObjectListItems[K]> = [];
      let total = 0;
      let offset = from;
      try {
        for (;;) {
          const page = await api.getEntityObjects(
            entity,
            { cluster, kind, offset, limit: OBJECT_PAGE_SIZE },
            { signal },
          );
          items.push(...page.items);
          total = page.total;
          offset += page.items.length;
          if (!page.items.length || offset >= Math.min(to, total)) break;
        }
        return { cluster, items, total };
      } catch (e) {
        return { cluster, items, total, error: (e as Error).message };
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, entity.kind, entity.namespace, entity.name, kind],
  );

  const run = useCallback(
    async (
      plan: (
        previous: ClusterObjects<K> | undefined,
        name: string,
      ) => { from: number; to: number } | undefined,
    ) => {
      abort.current?.abort();
      const controller = new AbortController();
      abort.current = controller;
      const gen = ++generation.current;
      setLoading(true);
      const before = current.current;
      const next = await Promise.all(
        namesKey
          .split('\n')
          .filter(Boolean)
          .map(async name => {
            const previous = before.find(c => c.cluster === name);
            const range = plan(previous, name);
            if (!range)
              return previous ?? { cluster: name, items: [], total: 0 };
            const read = await readRange(
              name,
              range.from,
              range.to,
              controller.signal,
            );
            return range.from === 0 || !previous
              ? read
              : { ...read, items: [...previous.items, ...read.items] };
          }),
      );
      if (gen !== generation.current) return;
      setClusters(next);
      setLoading(false);
    },
    [namesKey, readRange],
  );

  // First page, or on refresh every page loaded so far.
  useEffect(() => {
    run(previous => ({
      from: 0,
      to: Math.max(OBJECT_PAGE_SIZE, previous?.items.length ?? 0),
    }));
  }, [run, refreshKey]);
  useEffect(() => () => abort.current?.abort(), []);

  const more = (all: boolean) =>
    run(previous =>
      previous && previous.items.length < previous.total
        ? {
            from: previous.items.length,
            to: all ? previous.total : previous.items.length + OBJECT_PAGE_SIZE,
          }
        : undefined,
    );

  return {
    clusters,
    loaded: clusters.reduce((n, c) => n + c.items.length, 0),
    total: clusters.reduce((n, c) => n + c.total, 0),
    loading,
    loadMore: () => more(false),
    loadAll: () => more(true),
  };
}
