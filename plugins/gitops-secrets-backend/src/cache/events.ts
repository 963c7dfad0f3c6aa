import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  SlimEvent,
  SlimObject,
} from '@golden-gitops/plugin-gitops-secrets-common';
import {
  isEsoObject,
  isFluxObject,
  objectHealth,
  slimEvent,
} from '@golden-gitops/plugin-gitops-secrets-common';
import type { KubeClient } from '../kube/KubeClient';
import { KubeRequestError } from '../kube/KubeClient';
import { ConcurrencyLimit } from './limit';

/** Events listed per object: the API answers a few, deduplicated by count; the rules read the newest 5. */
export const EVENTS_PER_OBJECT = 10;
/** Failing objects whose Events one cluster reads at most (ESO objects first: providers' errors are there). */
export const MAX_OBJECTS_WITH_EVENTS = 20;
/** Event lists in flight per cluster. */
const CONCURRENT_EVENT_LISTS = 4;

export interface FailingObjectEventsOptions {
  /** How long an object's Events are kept before they are read again (the summary's TTL). */
  ttlMs: number;
  logger: LoggerService;
  cluster: string;
  now?: () => number;
  maxObjects?: number;
}

interface Entry {
  at: number;
  events: SlimEvent[];
}

/** ESO and Flux objects the status model calls Degraded: the only ones whose Events are read. */
export function failingObjects(
  objects: readonly SlimObject[],
  max: number = MAX_OBJECTS_WITH_EVENTS,
): SlimObject[] {
  const failing = objects.filter(
    o => (isEsoObject(o) || isFluxObject(o)) && objectHealth(o) === 'Degraded',
  );
  // ESO first, then by key, so which objects fit under the cap does not depend on watch order.
  const rank = (o: SlimObject) => `${isEsoObject(o) ? 0 : 1}|${keyOf(o)}`;
  return failing
    .map(o => ({ o, r: rank(o) }))
    .sort((a, b) => a.r.localeCompare(b.r))
    .slice(0, max)
    .map(x => x.o);
}

function keyOf(o: SlimObject): string {
  return `${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}|${
    o.metadata.uid ?? ''
  }`;
}

/**
 * The core/v1 Events of one cluster's failing ESO and Flux objects, read on demand: one bounded list per
 * failing object (field selector on the involved object, as `kubectl describe` does), kept for a TTL beside
 * the summary. Never a watch, and nothing for healthy objects, so the cost follows the failures, not the
 * fleet. Needs `events` get/list only; without it the rules work from the conditions alone.
 */
export class FailingObjectEvents {
  private readonly entries = new Map<string, Entry>();
  private readonly limit = new ConcurrencyLimit(CONCURRENT_EVENT_LISTS);
  /** Until when reading is off: the identity may not list events (403) or the cluster serves none (404). */
  private disabledUntil = 0;
  private reading?: Promise<boolean>;
  /**
   * The failing objects of the last objects array seen: a cache hands out the same array while nothing changed,
   * and telling the failing ones apart reads every object's conditions (46,000 objects over the P1 fleet, most of
   * a status request's time when done per request).
   */
  private failing?: { of: readonly SlimObject[]; failing: SlimObject[] };
  /** Event lists sent (tests, diagnostics). */
  lists = 0;
  /** Times the failing objects were worked out (tests). */
  scans = 0;

  constructor(private readonly opts: FailingObjectEventsOptions) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Events of the failing objects last read; the summary passes them to the rules. */
  current(): SlimEvent[] {
    const out: SlimEvent[] = [];
    for (const e of this.entries.values()) out.push(...e.events);
    return out;
  }

  clear(): void {
    this.entries.clear();
    this.failing = undefined;
    this.disabledUntil = 0;
  }

  /**
   * Read the Events of failing objects not read within the TTL, and forget those of objects no longer failing.
   * Resolves true when what {@link current} returns changed. Never rejects; concurrent calls share one read.
   */
  refresh(
    client: KubeClient,
    objects: readonly SlimObject[],
    signal: AbortSignal,
  ): Promise<boolean> {
    if (this.reading) return this.reading;
    const run = this.read(client, objects, signal).finally(() => {
      this.reading = undefined;
    });
    this.reading = run;
    return run;
  }

  private async read(
    client: KubeClient,
    objects: readonly SlimObject[],
    signal: AbortSignal,
  ): Promise<boolean> {
    if (this.failing?.of !== objects) {
      this.scans++;
      this.failing = {
        of: objects,
        failing: failingObjects(objects, this.opts.maxObjects),
      };
    }
    const failing = this.failing.failing;
    const keep = new Set(failing.map(keyOf));
    let changed = false;
    for (const [k, e] of this.entries) {
      if (keep.has(k)) continue;
      this.entries.delete(k);
      if (e.events.length) changed = true;
    }
    const now = this.now();
    if (now < this.disabledUntil) return changed;
    const due = failing.filter(o => {
      const e = this.entries.get(keyOf(o));
      return !e || now - e.at >= this.opts.ttlMs;
    });
    const results = await Promise.all(
      due.map(o =>
        this.limit
          .run(() => this.list(client, o, signal), signal)
          .catch(err => this.failed(err)),
      ),
    );
    due.forEach((o, i) => {
      const events = results[i];
      const k = keyOf(o);
      const before = this.entries.get(k);
      // A failed read keeps what was read before, and waits a TTL before trying again.
      const next = events ?? before?.events ?? [];
      if (JSON.stringify(next) !== JSON.stringify(before?.events ?? []))
        changed = true;
      this.entries.set(k, { at: now, events: next });
    });
    return changed;
  }

  private async list(
    client: KubeClient,
    obj: SlimObject,
    signal: AbortSignal,
  ): Promise<SlimEvent[]> {
    const ns = obj.metadata.namespace;
    // Cluster-scoped objects' Events are recorded in `default`, naming no namespace: search every namespace.
    const path = ns
      ? `/api/v1/namespaces/${encodeURIComponent(ns)}/events`
      : '/api/v1/events';
    const fields = [
      `involvedObject.kind=${obj.kind}`,
      `involvedObject.name=${obj.metadata.name}`,
      `involvedObject.namespace=${ns ?? ''}`,
    ];
    // The uid tells this object from an earlier one of the same name.
    if (obj.metadata.uid) fields.push(`involvedObject.uid=${obj.metadata.uid}`);
    this.lists++;
    const body = (await client.getJson(
      path,
      { fieldSelector: fields.join(','), limit: String(EVENTS_PER_OBJECT) },
      signal,
    )) as { items?: unknown };
    const items = Array.isArray(body?.items) ? body.items : [];
    return items
      .map(slimEvent)
      .filter((e): e is SlimEvent => e !== undefined)
      .slice(0, EVENTS_PER_OBJECT);
  }

  private failed(err: unknown): undefined {
    if (
      err instanceof KubeRequestError &&
      err.failure === 'http' &&
      (err.status === 403 || err.status === 404)
    ) {
      if (this.now() >= this.disabledUntil) {
        this.opts.logger.warn(
          `gitops-secrets: cannot list Events on cluster ${this.opts.cluster} (HTTP ${err.status}); findings come from conditions only. Grant events get/list (deploy/rbac.yaml) for providers' errors.`,
        );
      }
      this.disabledUntil = this.now() + this.opts.ttlMs;
    }
    return undefined;
  }
}
