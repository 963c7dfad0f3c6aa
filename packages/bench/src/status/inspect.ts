/*
 * Reading the two plugins' answers: enough to tell that an answer is complete (every reachable cluster answered with
 * the entity's objects) and what it says about the black-holed cluster.
 */

export interface OursView {
  clusters: number;
  reachable: string[];
  errors: Record<string, string>;
  /** ExternalSecrets shown per cluster. */
  externalSecrets: Record<string, number>;
  fluxObjects: Record<string, number>;
}

export function inspectOurs(text: string): OursView {
  const body = JSON.parse(text);
  if (!body || !Array.isArray(body.clusters)) {
    throw new Error(`unexpected answer: ${text.slice(0, 200)}`);
  }
  const view: OursView = {
    clusters: body.clusters.length,
    reachable: [],
    errors: {},
    externalSecrets: {},
    fluxObjects: {},
  };
  for (const c of body.clusters) {
    if (c.reachable) view.reachable.push(c.cluster);
    if (c.error) view.errors[c.cluster] = c.error.type;
    // counts.total: the list itself is capped (defaultListLimit).
    view.externalSecrets[c.cluster] =
      c.eso?.counts?.total ?? c.eso?.externalSecrets?.length ?? 0;
    view.fluxObjects[c.cluster] = c.flux?.objects?.length ?? 0;
  }
  return view;
}

export interface AnchorView {
  clusters: number;
  /** Custom resources returned per cluster. */
  resources: Record<string, number>;
  /** Per-cluster errors the anchor reported (it reports fetch errors per resource). */
  errors: Record<string, number>;
  /** The first error's type and message, e.g. `FETCH_ERROR: …`. */
  firstError?: string;
}

export function inspectAnchor(text: string): AnchorView {
  const body = JSON.parse(text);
  if (!body || !Array.isArray(body.items)) {
    throw new Error(`unexpected answer: ${text.slice(0, 200)}`);
  }
  const view: AnchorView = {
    clusters: body.items.length,
    resources: {},
    errors: {},
  };
  for (const item of body.items) {
    const name = item.cluster?.name;
    view.resources[name] = (item.resources ?? []).reduce(
      (n: number, r: { resources?: unknown[] }) =>
        n + (r.resources?.length ?? 0),
      0,
    );
    view.errors[name] = (item.errors ?? []).length;
    const e = item.errors?.[0];
    if (e && !view.firstError) {
      view.firstError = `${name}: ${e.errorType ?? 'error'}${
        e.statusCode ? ` ${e.statusCode}` : ''
      }${e.message ? ` ${String(e.message).slice(0, 120)}` : ''}`;
    }
  }
  return view;
}
