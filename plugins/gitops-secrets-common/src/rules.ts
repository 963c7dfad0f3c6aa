/**
 * Findings: one rule per file under `rules/`, each producing findings of one
 * code, run here in an explicit priority order ({@link RULES}) and then sorted
 * by severity. Root-cause following (`rules/blocked.ts`) then marks the objects
 * each finding's root cause blocks.
 */

import type { Finding } from './model';
import { FINDING_SEVERITY_ORDER } from './model';
import { annotateBlocked } from './rules/blocked';
import { clusterErrorFinding } from './rules/clusterError';
import { crdRace } from './rules/crdRace';
import { crdVersionSkew } from './rules/crdVersionSkew';
import { dependencyNotReady } from './rules/dependencyNotReady';
import { esoConversionFailed } from './rules/esoConversionFailed';
import { esoCrdMissing } from './rules/esoCrdMissing';
import { esoNotInstalled } from './rules/esoNotInstalled';
import {
  helmReleaseFailed,
  kustomizationFailed,
  sourceFailed,
} from './rules/fluxFailure';
import { leafCredentialsNotCopied } from './rules/leafCredentialsNotCopied';
import { leafNotBootstrapped } from './rules/leafNotBootstrapped';
import { objectSuspended } from './rules/objectSuspended';
import { operatorNotReady } from './rules/operatorNotReady';
import { removedApiVersion } from './rules/removedApiVersion';
import { secretStale } from './rules/secretStale';
import { secretSyncError } from './rules/secretSyncError';
import { storeInvalid } from './rules/storeInvalid';
import { storeUnverified } from './rules/storeUnverified';
import type { Rule, RuleContext } from './rules/types';
import { unsupportedApi } from './rules/unsupportedApi';
import { webhookRace } from './rules/webhookRace';

export type { Rule, RuleContext } from './rules/types';
export { kubectlLook, shellQuote } from './rules/common';
export { clusterErrorFinding } from './rules/clusterError';
export { clusterResourceSetsFor } from './rules/clusterResourceSets';
export { findRootCause } from './rules/dependencyNotReady';
export type { RootCause } from './rules/dependencyNotReady';
export { isExternalSecretStale } from './rules/helpers';
export {
  CONVERSION_WEBHOOK_PATTERN,
  REMOVED_API_VERSIONS,
  removedApiVersionsIn,
  unservedApiVersionsIn,
} from './rules/esoPatterns';

/**
 * Every rule, in priority order: cluster-wide causes first (nothing installed,
 * races, removed APIs), then what they cause (blocked dependencies, stores,
 * secrets), then leaf clusters. Findings keep this order within a severity.
 *
 * @public
 */
export const RULES: readonly Rule[] = [
  unsupportedApi,
  esoNotInstalled,
  esoCrdMissing,
  crdRace,
  webhookRace,
  removedApiVersion,
  esoConversionFailed,
  sourceFailed,
  kustomizationFailed,
  helmReleaseFailed,
  dependencyNotReady,
  crdVersionSkew,
  operatorNotReady,
  storeInvalid,
  storeUnverified,
  secretSyncError,
  secretStale,
  objectSuspended,
  leafNotBootstrapped,
  leafCredentialsNotCopied,
];

/** Sort by severity, keeping rule order within one severity (stable sort). @public */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      FINDING_SEVERITY_ORDER.indexOf(a.severity) -
      FINDING_SEVERITY_ORDER.indexOf(b.severity),
  );
}

/**
 * Run every rule. With a cluster error only the error's finding is returned:
 * rules do not diagnose from a cluster we could not read.
 *
 * @public
 */
export function runRules(ctx: RuleContext): Finding[] {
  if (ctx.error) return [clusterErrorFinding(ctx.cluster, ctx.error)];
  return sortFindings(
    annotateBlocked(
      ctx,
      RULES.flatMap(rule => rule.run(ctx)),
    ),
  );
}
