/** Running the rules on literal slim objects, for the rule tests (one file per rule under src/rules/). */
import type { Finding, FindingCode } from '../model';
import type { SlimObject } from '../slim';
import { summarizeCluster } from '../summarize';
import type { SummarizeClusterInput } from '../summarize';
import { SERVED_ALL, cond } from './builders';

export const NOW = new Date('2026-08-20T12:00:00Z');

export function run(
  objects: SlimObject[],
  extra: Partial<SummarizeClusterInput> = {},
) {
  return summarizeCluster({
    cluster: 'mgmt',
    objects,
    servedVersions: SERVED_ALL,
    now: NOW,
    ...extra,
  });
}

export function findings(
  objects: SlimObject[],
  code: FindingCode,
  extra: Partial<SummarizeClusterInput> = {},
): Finding[] {
  return run(objects, extra).findings.filter(f => f.code === code);
}

export const notReady = (reason: string, message: string) => [
  cond('Ready', 'False', reason, message),
];
