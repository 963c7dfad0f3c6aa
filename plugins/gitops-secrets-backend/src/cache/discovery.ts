import type { WatchedKind } from '@golden-gitops/plugin-gitops-secrets-common';
import { WATCHED_KINDS } from '@golden-gitops/plugin-gitops-secrets-common';
import type { KubeClient } from '../kube/KubeClient';
import { KubeRequestError } from '../kube/KubeClient';

/** What one cluster serves of the watched kinds. */
export interface Discovery {
  /** Watched kind key → the version to read, or null when none of the versions we read is served. */
  served: Record<string, string | null>;
  /** Kinds served only in versions we do not read (e.g. only `external-secrets.io/v1beta1`). */
  unsupported: Array<{ kind: string; servedVersions: string[] }>;
}

interface ApiGroupList {
  groups?: Array<{
    name?: string;
    versions?: Array<{ version?: string }>;
  }>;
}

interface ApiResourceList {
  resources?: Array<{ name?: string; verbs?: string[] }>;
}

/**
 * Ask the API server which versions of each watched kind it serves (legacy
 * discovery: `/apis`, then `/apis/<group>/<version>` for the versions that
 * matter). A kind we read in one version and the server serves only in
 * another is reported as unsupported, not as absent.
 */
export async function discover(
  client: KubeClient,
  signal?: AbortSignal,
  kinds: readonly WatchedKind[] = WATCHED_KINDS,
): Promise<Discovery> {
  const groupList = (await client.getJson('/apis', {}, signal)) as ApiGroupList;
  if (!groupList || !Array.isArray(groupList.groups)) {
    throw new KubeRequestError(
      'malformed',
      'GET /apis did not answer an APIGroupList',
    );
  }
  const groupVersions = new Map<string, string[]>();
  for (const g of groupList.groups) {
    if (typeof g?.name !== 'string') continue;
    groupVersions.set(
      g.name,
      (g.versions ?? [])
        .map(v => v?.version)
        .filter((v): v is string => typeof v === 'string'),
    );
  }

  // One request per group/version, shared by the kinds of that group.
  const resourceLists = new Map<string, Promise<Set<string>>>();
  const pluralsOf = (group: string, version: string): Promise<Set<string>> => {
    const key = `${group}/${version}`;
    let p = resourceLists.get(key);
    if (!p) {
      p = client
        .getJson(`/apis/${group}/${version}`, {}, signal)
        .then(body => {
          const list = (body as ApiResourceList)?.resources ?? [];
          return new Set(
            list
              .filter(
                r =>
                  typeof r?.name === 'string' &&
                  (!r.verbs ||
                    (r.verbs.includes('list') && r.verbs.includes('watch'))),
              )
              .map(r => r.name as string),
          );
        })
        .catch(e => {
          // The group version went away between the two requests.
          if (e instanceof KubeRequestError && e.status === 404)
            return new Set<string>();
          throw e;
        });
      resourceLists.set(key, p);
    }
    return p;
  };

  const out: Discovery = { served: {}, unsupported: [] };
  await Promise.all(
    kinds.map(async kind => {
      const versions = groupVersions.get(kind.group);
      out.served[kind.key] = null;
      if (!versions) return;
      for (const v of kind.versions) {
        if (
          versions.includes(v) &&
          (await pluralsOf(kind.group, v)).has(kind.plural)
        ) {
          out.served[kind.key] = v;
          return;
        }
      }
      const others: string[] = [];
      for (const v of versions) {
        if (kind.versions.includes(v)) continue;
        if ((await pluralsOf(kind.group, v)).has(kind.plural)) others.push(v);
      }
      if (others.length) {
        out.unsupported.push({ kind: kind.key, servedVersions: others });
      }
    }),
  );
  // Stable order for the response, whatever order the requests finished in.
  out.unsupported.sort((a, b) => a.kind.localeCompare(b.kind));
  return out;
}
