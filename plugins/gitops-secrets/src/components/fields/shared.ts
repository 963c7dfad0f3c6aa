import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { ApiHolder } from '@backstage/core-plugin-api';
import { useApi } from '@backstage/core-plugin-api';
import { useEffect, useState } from 'react';
import { gitopsSecretsApiRef } from '../../api';
import type {
  GitopsSecretsApi,
  PickerCluster,
  PickerPage,
  PickerPageQuery,
  PickerTemplate,
  PickerTemplatePage,
} from '../../api';
import { errorMessage } from '../shared/errorMessage';

/** The most the picker routes answer per request: pages are read until `total`. */
export const PICKER_PAGE = 500;

/** Every entry of a paged picker route, PICKER_PAGE at a time. */
export async function readAll<T>(
  read: (query: PickerPageQuery) => Promise<PickerPage<T>>,
): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    const page = await read({ offset: items.length, limit: PICKER_PAGE });
    items.push(...page.items);
    if (!page.items.length || items.length >= page.total) return items;
  }
}

/** All clusters the caller may read, with or without ESO. */
export function allPickerClusters(
  api: GitopsSecretsApi,
  eso?: 'installed' | 'absent',
  signal?: AbortSignal,
): Promise<PickerCluster[]> {
  return readAll(q =>
    api.pickerClusters({ ...q, ...(eso ? { eso } : {}) }, { signal }),
  );
}

/** An entity ref in its canonical form (`resource:default/x`), or undefined when it is not one. */
export function canonicalRef(ref: unknown): string | undefined {
  if (typeof ref !== 'string' || !ref) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, {
        defaultKind: 'resource',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/** The configured cluster whose catalog entity is `ref` (what a cluster field holds). */
export function clusterOfRef(
  clusters: PickerCluster[],
  ref: unknown,
): PickerCluster | undefined {
  const wanted = canonicalRef(ref);
  if (!wanted) return undefined;
  return clusters.find(c => canonicalRef(c.entityRef) === wanted);
}

/** A sibling field's value from the whole form (the scaffolder puts every step's data in `formContext.formData`). */
export function siblingValue(formContext: unknown, field: string): unknown {
  const data = (
    formContext as { formData?: Record<string, unknown> } | undefined
  )?.formData;
  return data?.[field];
}

/** All templates of a management cluster, with where the list came from (the first page says). */
export async function allPickerTemplates(
  api: GitopsSecretsApi,
  cluster: string,
  signal?: AbortSignal,
): Promise<{
  items: PickerTemplate[];
  source: PickerTemplatePage['source'];
  message?: string;
}> {
  let first: PickerTemplatePage | undefined;
  const items = await readAll(async q => {
    const page = await api.pickerTemplates(cluster, q, { signal });
    first ??= page;
    return page;
  });
  return {
    items,
    source: first?.source ?? 'none',
    ...(first?.message ? { message: first.message } : {}),
  };
}

/** The gitops-secrets API from a validator's context; undefined when the app has not registered it. */
export function apiFrom(apiHolder: ApiHolder): GitopsSecretsApi | undefined {
  return apiHolder.get(gitopsSecretsApiRef);
}

/** A load in a field: the value, or why there is none. Reloads when `deps` change; aborts the stale request. */
export function useLoad<T>(
  load: ((signal: AbortSignal) => Promise<T>) | undefined,
  deps: unknown[],
): { loading: boolean; value?: T; error?: string } {
  const [state, setState] = useState<{
    loading: boolean;
    value?: T;
    error?: string;
  }>({ loading: !!load });
  useEffect(() => {
    if (!load) {
      setState({ loading: false });
      return undefined;
    }
    const controller = new AbortController();
    setState(s => ({ ...s, loading: true, error: undefined }));
    load(controller.signal).then(
      value => {
        if (!controller.signal.aborted) setState({ loading: false, value });
      },
      error => {
        if (!controller.signal.aborted)
          setState({ loading: false, error: errorMessage(error) });
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}

/** The clusters a cluster field offers, loaded once per `eso` filter. */
export function usePickerClusters(eso?: 'installed' | 'absent') {
  const api = useApi(gitopsSecretsApiRef);
  return useLoad(signal => allPickerClusters(api, eso, signal), [api, eso]);
}

/** A short line of a cluster's live state, for options and helper texts. */
export function describeCluster(c: PickerCluster): string {
  if (!c.reachable) return `${c.health}, not reachable`;
  const flux = c.flux.objects
    ? `Flux: ${c.flux.objects} objects`
    : 'Flux: no objects seen';
  const eso = !c.eso.installed
    ? 'ESO: not installed'
    : `ESO: ${c.eso.ready ? 'ready' : 'not ready'}, ${c.eso.stores} store${
        c.eso.stores === 1 ? '' : 's'
      }`;
  return `${c.health} · ${flux} · ${eso}`;
}
