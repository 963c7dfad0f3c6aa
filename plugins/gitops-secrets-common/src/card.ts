/**
 * The card's answer: what needs attention on each cluster, small whatever the cluster's size. The card shows
 * counts, findings and the worst objects; full lists are the tab's, paged through `…/objects`.
 */

import type {
  ClusterListTotals,
  ClusterStatus,
  Finding,
  Health,
} from './model';
import { keepMostImportant } from './keep';
import { clusterTallies } from './tallies';

/** @public */
export interface CardLimits {
  /** Entries kept per list (only those needing attention; leaf clusters worst first, healthy ones too). Default 5. */
  objects?: number;
  /** Findings kept per cluster, most urgent first (they come sorted). Default 20. */
  findings?: number;
  /** Object references kept per finding (`objects`, `blocks`). Default 5. */
  findingObjects?: number;
}

/** @public */
export const CARD_LIMITS: Required<CardLimits> = {
  objects: 5,
  findings: 20,
  findingObjects: 5,
};

/** Degraded, Progressing, Unknown, or synced but stale: worth a line on the card. */
function needsAttention(item: { health: Health; stale?: boolean }): boolean {
  return item.health !== 'Healthy' || item.stale === true;
}

/** The `n` worst entries needing attention, in list order. */
function worst<T extends { health: Health; stale?: boolean }>(
  list: T[],
  n: number,
): T[] {
  return keepMostImportant(list.filter(needsAttention), n);
}

function trimFinding(f: Finding, n: number): Finding {
  if (f.objects.length <= n && (f.blocks?.length ?? 0) <= n) return f;
  const out: Finding = { ...f, objects: f.objects.slice(0, n) };
  if (f.blocks) out.blocks = f.blocks.slice(0, n);
  return out;
}

/**
 * A cluster's status as the card needs it: each list holds only entries needing attention (at most
 * `limits.objects`; with a status already cut by `limitClusterStatus` to at least that many, those kept first are
 * the worst), the most urgent findings, and `truncated` with the exact totals and the chain's tallies — taken from
 * the input's `truncated` when it was cut, else counted here. `eso.counts` stays exact.
 *
 * @public
 */
export function cardClusterStatus(
  status: ClusterStatus,
  limits: CardLimits = {},
): ClusterStatus {
  const { objects, findings, findingObjects } = { ...CARD_LIMITS, ...limits };
  const totals: ClusterListTotals = status.truncated?.totals ?? {
    fluxObjects: status.flux.objects.length,
    externalSecrets: status.eso?.externalSecrets.length ?? 0,
    stores: status.eso?.stores.length ?? 0,
    leafClusters: status.leafClusters.length,
  };
  const out: ClusterStatus = {
    ...status,
    flux: { objects: worst(status.flux.objects, objects) },
    // Leaf clusters are few and the card names them, healthy or not: the worst `objects` of them.
    leafClusters: keepMostImportant(status.leafClusters, objects),
    findings: status.findings
      .slice(0, findings)
      .map(f => trimFinding(f, findingObjects)),
    truncated: {
      limit: objects,
      totals,
      tallies: status.truncated?.tallies ?? clusterTallies(status),
      ...(status.findings.length > findings
        ? { findings: status.findings.length }
        : {}),
    },
  };
  if (status.eso) {
    out.eso = {
      ...status.eso,
      stores: worst(status.eso.stores, objects),
      externalSecrets: worst(status.eso.externalSecrets, objects),
    };
  }
  return out;
}
