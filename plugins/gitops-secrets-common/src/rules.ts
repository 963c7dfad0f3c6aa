/**
 * Findings: small pure functions, each producing findings of one code, run in
 * an explicit priority order ({@link RULES}) and then sorted by severity.
 */

import {
  ANNOTATION_CAPI_BOOTSTRAPPED,
  BOOTSTRAP_NAMES,
  ESO_GROUP,
  ESO_OPERATOR_APP_NAMES,
  LABEL_SECRET_MANAGER,
} from './annotations';
import {
  ConditionType,
  getCondition,
  isCapiClusterProvisioned,
  isReady,
  isSuspended,
  isTrue,
  objectHealth,
  toHealth,
} from './conditions';
import { formatDuration, parseGoDuration } from './duration';
import type {
  ClusterError,
  ClusterErrorType,
  Finding,
  FindingCode,
  ObjectRef,
} from './model';
import { FINDING_SEVERITY_ORDER } from './model';
import {
  ObjectIndex,
  bootstrapKustomization,
  dependencies,
  describeRef,
  displayName,
  isFluxApplier,
  matchesSelector,
  refOf,
} from './objects';
import type { SlimObject } from './slim';
import { WATCHED_KINDS } from './slim';
import type { ClusterView, EsoFacts } from './view';
import { resolveUnsupportedKind } from './view';
import { classifyFluxFailure } from './rules/fluxClasses';
import {
  failureReasons,
  failureTextWithEvents,
  helmReleaseFailed,
  kustomizationFailed,
  sourceFailed,
} from './rules/fluxFailure';
import { failingRoot, isChainObject } from './rules/graph';
import { classifyProviderError } from './rules/providerClasses';
import { esoConversionFailed } from './rules/esoConversionFailed';
import { esoCrdMissing } from './rules/esoCrdMissing';
import { storeUnverified } from './rules/storeUnverified';
import type { EventIndex } from './events';
import { MAX_OBJECTS, finding, kubectlLook, moreText, shellQuote } from './rules/common';
import {
  CRD_RACE_PATTERN,
  WEBHOOK_RACE_PATTERN,
  removedApiVersionsIn,
  unservedApiVersionsIn,
} from './rules/esoPatterns';

export { kubectlLook, shellQuote } from './rules/common';
export {
  CONVERSION_WEBHOOK_PATTERN,
  REMOVED_API_VERSIONS,
  removedApiVersionsIn,
  unservedApiVersionsIn,
} from './rules/esoPatterns';

/** Everything a rule may read. @public */
export interface RuleContext {
  cluster: string;
  now: Date;
  index: ObjectIndex;
  view: ClusterView;
  eso: EsoFacts;
  servedVersions: Record<string, string | null>;
  unsupported: Array<{ kind: string; servedVersions: string[] }>;
  error?: ClusterError;
  /** Events of failing objects, when the backend read them. */
  events?: EventIndex;
}

/** @public */
export interface Rule {
  code: FindingCode;
  /** When it fires, for the README and the UI. */
  when: string;
  run(ctx: RuleContext): Finding[];
}

/** An ExternalSecret without refreshInterval gets ESO's default. */
const DEFAULT_REFRESH_INTERVAL = '1h';

/** Ready and Stalled messages of an object that is not Ready: where Flux writes apply errors. */
function failureText(obj: SlimObject): string {
  if (isTrue(obj, ConditionType.Ready)) return '';
  return [
    getCondition(obj, ConditionType.Ready),
    getCondition(obj, ConditionType.Stalled),
  ]
    .map(c => c?.message)
    .filter((m): m is string => Boolean(m))
    .join('\n');
}

function readyMessage(obj: SlimObject | undefined): string | undefined {
  if (!obj) return undefined;
  const c = getCondition(obj, ConditionType.Ready);
  if (!c) return undefined;
  return c.message
    ? `${c.reason ?? c.status}: ${c.message}`
    : c.reason ?? c.status;
}

/** The fix of the object's failure class, when its failure is classified. */
function classifiedFix(ctx: RuleContext, obj: SlimObject): string | undefined {
  if (toHealth(objectHealth(obj)) !== 'Degraded') return undefined;
  const input = {
    obj,
    reasons: failureReasons(obj),
    text: failureTextWithEvents(ctx, obj),
  };
  const c = classifyFluxFailure(input);
  return c && c.cls.category !== 'reconcile-failed'
    ? c.cls.describe(input, c.match).fix
    : undefined;
}

function storeOf(
  index: ObjectIndex,
  es: SlimObject,
): { kind: string; name: string; obj?: SlimObject } {
  const ref = es.spec?.secretStoreRef;
  const kind = ref?.kind ?? 'SecretStore';
  const name = ref?.name ?? '';
  const obj =
    kind === 'ClusterSecretStore'
      ? index.get(ESO_GROUP, 'ClusterSecretStore', undefined, name)
      : index.get(ESO_GROUP, 'SecretStore', es.metadata.namespace, name);
  return { kind, name, obj };
}

/**
 * Stale: the ExternalSecret refreshes periodically and its last refresh is
 * more than twice its refreshInterval ago (exactly twice is not stale).
 * refreshInterval `0` and policies OnChange/CreatedOnce never refresh on a timer.
 *
 * @public
 */
export function isExternalSecretStale(es: SlimObject, now: Date): boolean {
  const policy = es.spec?.refreshPolicy ?? 'Periodic';
  if (policy !== 'Periodic') return false;
  const interval = parseGoDuration(
    es.spec?.refreshInterval ?? DEFAULT_REFRESH_INTERVAL,
  );
  if (interval === undefined || interval <= 0) return false;
  const refreshed = Date.parse(es.status?.refreshTime ?? '');
  if (Number.isNaN(refreshed)) return false;
  return now.getTime() - refreshed > 2 * interval;
}

function groupBy<T>(items: T[], keyOf: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

const BOOTSTRAP_HINT =
  `run the "ESO on Flux" bootstrap template, which writes three Kustomizations in ${BOOTSTRAP_NAMES.namespace}: ` +
  `${BOOTSTRAP_NAMES.crds} (CRDs from the git tag matching the chart, wait: true, prune: false) → ` +
  `${BOOTSTRAP_NAMES.operator} (the HelmRelease with installCRDs: false, wait: true) → ` +
  `${BOOTSTRAP_NAMES.crs} (stores and ExternalSecrets, dependsOn ${BOOTSTRAP_NAMES.operator})`;

// ---------------------------------------------------------------- cluster errors

const ERROR_FINDINGS: Record<
  ClusterErrorType,
  { code: FindingCode; title: string; fix: string; look?: string }
> = {
  UNREACHABLE: {
    code: 'CLUSTER_UNREACHABLE',
    title: 'Cluster is unreachable',
    fix: 'Check the cluster URL in the backend configuration and that the Backstage backend can reach the API server (DNS, firewall, VPN).',
    look: 'get --raw /readyz',
  },
  TIMEOUT: {
    code: 'CLUSTER_TIMEOUT',
    title: 'Cluster did not answer in time',
    fix: 'Check the API server load and the network path from the Backstage backend; raise the request timeout in the backend configuration if the cluster is large.',
    look: 'get --raw /readyz',
  },
  UNAUTHORIZED: {
    code: 'CLUSTER_UNAUTHORIZED',
    title: 'Cluster rejected the credentials',
    fix: "The backend's token for this cluster is missing, expired or wrong: renew it in the backend configuration.",
    look: 'auth whoami',
  },
  FORBIDDEN: {
    code: 'CLUSTER_FORBIDDEN',
    title: 'Cluster forbids reading the watched kinds',
    fix: "Grant the backend's identity get/list/watch on the watched kinds (Flux, ESO, CAPI objects, ESO's CRDs and Deployments in external-secrets) with a ClusterRole — never on Secrets.",
    look: 'auth can-i --list',
  },
  UNSUPPORTED_API: {
    code: 'UNSUPPORTED_API',
    title: 'Cluster serves only API versions this plugin does not read',
    fix: 'Upgrade the controllers (Flux 2.8+, ESO 0.17+, Cluster API 1.11+) so the current API versions are served.',
    look: 'api-versions',
  },
  NOT_CONFIGURED: {
    code: 'CLUSTER_NOT_CONFIGURED',
    title: 'Cluster is not configured in Backstage',
    fix: 'Add the cluster to the backend configuration, or correct the gitops-secrets.io/cluster-name annotation of the entity that names it.',
  },
  UNKNOWN: {
    code: 'CLUSTER_ERROR',
    title: 'Cluster could not be read',
    fix: 'See the backend logs for this cluster.',
    look: 'get --raw /readyz',
  },
};

/** The finding for a cluster-level error. @public */
export function clusterErrorFinding(
  cluster: string,
  error: ClusterError,
): Finding {
  const e = ERROR_FINDINGS[error.type] ?? ERROR_FINDINGS.UNKNOWN;
  return finding(e.code, 'error', {
    title: `${e.title}: ${cluster}`,
    detail: error.message,
    fix: e.fix,
    objects: [],
    command: e.look
      ? `kubectl --context ${shellQuote(cluster)} ${e.look}`
      : undefined,
  });
}

// ---------------------------------------------------------------- rules

const UPGRADE_ADVICE: Record<string, string> = {
  eso: 'Upgrade External Secrets Operator (0.17 or later serves external-secrets.io/v1; the bootstrap template pins a current chart and its CRDs)',
  flux: 'Upgrade Flux (2.8 or later serves only the v1/v2 APIs) and migrate the manifests in git to them',
  capi: 'Upgrade Cluster API',
  core: 'Upgrade the controller that owns this kind',
};

const unsupportedApi: Rule = {
  code: 'UNSUPPORTED_API',
  when: 'The cluster serves only removed versions of a watched kind (e.g. only external-secrets.io/v1beta1).',
  run(ctx) {
    return ctx.unsupported.map(u => {
      const kind = resolveUnsupportedKind(u.kind);
      const wanted = kind
        ? `${kind.group}/${kind.versions[0]}`
        : 'a current version';
      const kindName = kind?.kind ?? u.kind;
      const upgrade =
        UPGRADE_ADVICE[kind?.family ?? 'core'] ?? UPGRADE_ADVICE.core;
      return finding('UNSUPPORTED_API', 'error', {
        title: `${kindName} is served only as ${
          u.servedVersions.join(', ') || 'no version'
        }`,
        detail: `The cluster serves ${kindName} only in ${
          u.servedVersions.map(v => `${kind?.group ?? ''}/${v}`).join(', ') ||
          'no version'
        }; current releases serve ${wanted}, the only version this plugin reads.`,
        fix: `${upgrade}, then check the manifests in git use ${wanted}.`,
        objects: [],
        command: kind
          ? `kubectl --context ${shellQuote(ctx.cluster)} get crd ${
              kind.key
            } -o jsonpath='{.spec.versions[*].name}'`
          : undefined,
      });
    });
  },
};

const CRD_RACE = CRD_RACE_PATTERN;

/** Flux objects that fail because an ESO kind is unknown to the API server: something needs ESO. */
function objectsNeedingEso(ctx: RuleContext): SlimObject[] {
  return ctx.view.fluxObjects
    .filter(isFluxApplier)
    .filter(o => CRD_RACE.test(failureText(o)));
}

const esoNotInstalled: Rule = {
  code: 'ESO_NOT_INSTALLED',
  when: 'No ESO CRD exists and external-secrets.io is not served. Error when an install fails or something needs ESO; warning while an install is in progress; nothing when nothing asks for ESO (Flux-only clusters).',
  run(ctx) {
    if (ctx.eso.installed) return [];
    const esoUnsupported = ctx.unsupported.some(
      u => resolveUnsupportedKind(u.kind)?.family === 'eso',
    );
    if (esoUnsupported) return [];
    const crds = ctx.eso.crdsKustomization;
    const hr = ctx.eso.helmRelease;
    const needing = objectsNeedingEso(ctx);
    const title = `External Secrets Operator is not installed on ${ctx.cluster}`;
    if (crds) {
      return [
        finding('ESO_NOT_INSTALLED', 'error', {
          title,
          detail: `Kustomization ${displayName(
            refOf(crds),
          )} exists but the CRDs are not on the cluster yet (${
            readyMessage(crds) ?? 'no status'
          }).`,
          fix: `${
            classifiedFix(ctx, crds) ??
            `Make Kustomization ${displayName(refOf(crds))} Ready (see its message).`
          } If there is no such layout yet, ${BOOTSTRAP_HINT}.`,
          objects: [refOf(crds)],
          command: kubectlLook(ctx.cluster, refOf(crds)),
        }),
      ];
    }
    const lookCrd = `kubectl --context ${shellQuote(
      ctx.cluster,
    )} get crd externalsecrets.external-secrets.io`;
    if (hr) {
      const failing = toHealth(objectHealth(hr)) === 'Degraded';
      return [
        finding('ESO_NOT_INSTALLED', failing ? 'error' : 'warning', {
          title,
          detail: `HelmRelease ${displayName(refOf(hr))} ${
            failing ? 'fails to install it' : 'is still installing it'
          } (${
            readyMessage(hr) ?? 'no status'
          }); until its CRDs exist, ExternalSecrets cannot be created.`,
          fix: failing
            ? `${
                classifiedFix(ctx, hr) ??
                `Fix HelmRelease ${displayName(refOf(hr))} (see its message).`
              } To make the order explicit, ${BOOTSTRAP_HINT}.`
            : `Wait for HelmRelease ${displayName(
                refOf(hr),
              )}; to make the order explicit, ${BOOTSTRAP_HINT}.`,
          objects: [refOf(hr)],
          command: kubectlLook(ctx.cluster, refOf(hr)),
        }),
      ];
    }
    // Nothing installs ESO and nothing needs it (a Flux-only cluster, or a Component without secrets): no finding.
    if (!needing.length) return [];
    return [
      finding('ESO_NOT_INSTALLED', 'error', {
        title,
        detail: `The cluster has no CustomResourceDefinition in external-secrets.io, and nothing installs one, but ${needing
          .map(o => describeRef(refOf(o)))
          .join(', ')} applies ESO objects.`,
        fix: `To install it, ${BOOTSTRAP_HINT}.`,
        objects: needing.map(refOf),
        command: lookCrd,
      }),
    ];
  },
};

function dependsOnTransitively(
  index: ObjectIndex,
  from: SlimObject,
  target: SlimObject,
): boolean {
  const seen = new Set<SlimObject>();
  const stack = [from];
  while (stack.length) {
    const o = stack.pop()!;
    for (const d of dependencies(index, o)) {
      if (!d.obj || seen.has(d.obj)) continue;
      if (d.obj === target) return true;
      seen.add(d.obj);
      stack.push(d.obj);
    }
  }
  return false;
}

/** Whether the racing object waits for the CRDs Kustomization, for CRD_RACE's detail. */
function crdsDependency(
  index: ObjectIndex,
  obj: SlimObject,
  crds: SlimObject | undefined,
): string {
  if (!crds) return ' No Kustomization on the cluster applies the ESO CRDs.';
  const crdsName = describeRef(refOf(crds));
  if (crds !== obj && dependsOnTransitively(index, obj, crds)) {
    return ` It depends on ${crdsName}, which is not Ready yet.`;
  }
  return ` It does not depend on ${crdsName}.`;
}

const crdRace: Rule = {
  code: 'CRD_RACE',
  when: 'A Flux object fails with `no matches for kind "…" in version "external-secrets.io/…"` for a current version: it was applied before the CRDs.',
  run(ctx) {
    const out: Finding[] = [];
    const crds =
      ctx.eso.crdsKustomization ?? bootstrapKustomization(ctx.index, 'crds');
    for (const obj of ctx.view.fluxObjects.filter(isFluxApplier)) {
      const m = failureText(obj).match(CRD_RACE);
      // A removed version is not a race: REMOVED_API_VERSION explains it.
      if (!m || removedApiVersionsIn(m[2]).length) continue;
      const ref = refOf(obj);
      out.push(
        finding('CRD_RACE', 'error', {
          title: `${describeRef(ref)} was applied before the ESO CRDs`,
          detail: `${describeRef(ref)} applies a ${m[1]} (${
            m[2]
          }) but the API server does not know that kind yet: ${
            m[0]
          }.${crdsDependency(ctx.index, obj, crds)}`,
          fix:
            `Split the install so the custom resources wait for their CRDs: ${BOOTSTRAP_HINT}. ` +
            `Move the ${m[1]} objects out of ${describeRef(ref)} into ${
              BOOTSTRAP_NAMES.crs
            }, or give it dependsOn ${BOOTSTRAP_NAMES.operator}.`,
          objects: crds ? [ref, refOf(crds)] : [ref],
          command: kubectlLook(ctx.cluster, ref),
        }),
      );
    }
    return out;
  },
};

const WEBHOOK_RACE = WEBHOOK_RACE_PATTERN;

const webhookRace: Rule = {
  code: 'WEBHOOK_RACE',
  when: 'A Flux object fails calling an external-secrets.io webhook with connection refused / no endpoints available: the operator was not up yet.',
  run(ctx) {
    const out: Finding[] = [];
    const operator = bootstrapKustomization(ctx.index, 'operator');
    for (const obj of ctx.view.fluxObjects.filter(isFluxApplier)) {
      const m = failureText(obj).match(WEBHOOK_RACE);
      if (!m) continue;
      const ref = refOf(obj);
      const opName = operator
        ? displayName(refOf(operator))
        : `${BOOTSTRAP_NAMES.namespace}/${BOOTSTRAP_NAMES.operator}`;
      const dependsOnOperator =
        operator &&
        operator !== obj &&
        dependsOnTransitively(ctx.index, obj, operator);
      const operatorWaits = operator?.spec?.wait === true;
      const steps: string[] = [];
      if (!operator) {
        steps.push(
          `create Kustomization ${opName} wrapping the ESO HelmRelease with wait: true (${BOOTSTRAP_HINT})`,
        );
      } else if (!operatorWaits) {
        steps.push(
          `set wait: true on Kustomization ${opName} so it is Ready only once the webhook answers`,
        );
      }
      if (!dependsOnOperator)
        steps.push(`add dependsOn ${opName} to ${describeRef(ref)}`);
      if (!steps.length)
        steps.push(
          `nothing to change in git: ${describeRef(
            ref,
          )} retries once the webhook is up; check the operator pods if it does not`,
        );
      out.push(
        finding('WEBHOOK_RACE', 'error', {
          title: `${describeRef(ref)} ran before the ESO webhook was up`,
          detail: `The API server could not call webhook ${m[1]} (${
            m[2]
          }) while applying ${describeRef(ref)}.`,
          fix: `${steps.join('; ')}.`.replace(/^./, c => c.toUpperCase()),
          objects: operator ? [ref, refOf(operator)] : [ref],
          command: kubectlLook(ctx.cluster, ref),
        }),
      );
    }
    return out;
  },
};

const removedApiVersion: Rule = {
  code: 'REMOVED_API_VERSION',
  when: 'A Flux object fails because the API server does not serve a removed apiVersion (external-secrets.io/v1beta1, kustomize.toolkit.fluxcd.io/v1beta2, helm.toolkit.fluxcd.io/v2beta1, …): "no matches for kind … in version …", "could not find the requested resource". A version merely mentioned, as in a conversion webhook error, is not enough.',
  run(ctx) {
    const out: Finding[] = [];
    for (const obj of ctx.view.fluxObjects.filter(isFluxApplier)) {
      const found = unservedApiVersionsIn(failureText(obj));
      if (!found.length) continue;
      const ref = refOf(obj);
      const where = obj.spec?.path
        ? ` (path ${obj.spec.path}${
            obj.spec.sourceRef
              ? ` of ${obj.spec.sourceRef.kind ?? 'source'} ${
                  obj.spec.sourceRef.name
                }`
              : ''
          })`
        : '';
      out.push(
        finding('REMOVED_API_VERSION', 'error', {
          title: `${describeRef(ref)} applies ${found
            .map(f => f.apiVersion)
            .join(', ')}, no longer served`,
          detail: `The cluster no longer serves ${found
            .map(f => f.apiVersion)
            .join(', ')}, so ${describeRef(ref)} cannot apply its manifests.`,
          fix: `In the manifests ${describeRef(
            ref,
          )} applies${where}, change ${found
            .map(f => `apiVersion ${f.apiVersion} to ${f.replacement}`)
            .join(' and ')} (check each kind's changed fields), then commit.`,
          objects: [ref],
          command: kubectlLook(ctx.cluster, ref),
        }),
      );
    }
    return out;
  },
};

/** Root cause of a blocked Flux object. @public */
export type RootCause =
  | { type: 'notReady'; obj: SlimObject; path: SlimObject[] }
  | { type: 'missing'; ref: ObjectRef; from: SlimObject }
  | { type: 'cycle'; cycle: SlimObject[] };

/**
 * Follow dependsOn from a not-ready object to the first dependency that is not
 * Ready and whose own dependencies are, or to a missing dependency, or to a cycle.
 *
 * @public
 */
export function findRootCause(
  index: ObjectIndex,
  obj: SlimObject,
): RootCause | undefined {
  const walk = (
    current: SlimObject,
    path: SlimObject[],
  ): RootCause | undefined => {
    for (const d of dependencies(index, current)) {
      if (!d.obj) return { type: 'missing', ref: d.ref, from: current };
      const at = path.indexOf(d.obj);
      if (at >= 0) return { type: 'cycle', cycle: path.slice(at) };
      if (isReady(d.obj)) continue;
      return (
        walk(d.obj, [...path, d.obj]) ?? {
          type: 'notReady',
          obj: d.obj,
          path: [...path, d.obj],
        }
      );
    }
    return undefined;
  };
  return walk(obj, [obj]);
}

/** One key per root cause, so everything blocked by it shares a finding. */
function rootCauseKey(root: RootCause): string {
  if (root.type === 'notReady') return `n|${describeRef(refOf(root.obj))}`;
  if (root.type === 'missing') return `m|${describeRef(root.ref)}`;
  const members = root.cycle.map(o => describeRef(refOf(o))).sort();
  return `c|${members.join(',')}`;
}

const dependencyNotReady: Rule = {
  code: 'DEPENDENCY_NOT_READY',
  when: 'A Flux object waits on dependsOn and nothing on the way fails: names a missing dependency, a cycle, or the dependency still progressing. (A failing object up the chain gets its own finding, listing what it blocks.)',
  run(ctx) {
    const byRoot = new Map<
      string,
      { root: RootCause; blocked: SlimObject[] }
    >();
    for (const obj of ctx.view.fluxObjects.filter(isFluxApplier)) {
      if (isReady(obj) || isSuspended(obj) || !obj.spec?.dependsOn?.length)
        continue;
      // Something fails (it, or what it waits on through dependsOn, sources, charts, health checks):
      // that object's own finding names the cause and lists what it blocks.
      if (failingRoot(ctx.index, obj)) continue;
      const root = findRootCause(ctx.index, obj);
      if (!root) continue;
      const key = rootCauseKey(root);
      const entry = byRoot.get(key);
      if (entry) entry.blocked.push(obj);
      else byRoot.set(key, { root, blocked: [obj] });
    }
    const out: Finding[] = [];
    for (const { root, blocked } of byRoot.values()) {
      const blockedRefs = blocked.map(refOf);
      const blockedText = `${blockedRefs.map(describeRef).join(', ')}${moreText(
        blockedRefs.length,
      )}`;
      if (root.type === 'missing') {
        out.push(
          finding('DEPENDENCY_NOT_READY', 'error', {
            title: `${describeRef(root.ref)} does not exist`,
            detail: `${describeRef(refOf(root.from))} depends on ${describeRef(
              root.ref,
            )}, which is not on the cluster, so ${blockedText} will wait forever.`,
            fix: `Create ${describeRef(
              root.ref,
            )}, or correct the dependsOn entry (name, namespace) in ${describeRef(
              refOf(root.from),
            )}.`,
            objects: [root.ref, ...blockedRefs],
            command: kubectlLook(ctx.cluster, refOf(root.from)),
          }),
        );
      } else if (root.type === 'cycle') {
        const names = root.cycle.map(o => describeRef(refOf(o)));
        out.push(
          finding('DEPENDENCY_NOT_READY', 'error', {
            title: `dependsOn cycle: ${[...names, names[0]].join(' → ')}`,
            detail: `These objects wait on each other, so none becomes Ready; blocked: ${blockedText}.`,
            fix: `Remove one dependsOn edge of the cycle (e.g. from ${
              names[names.length - 1]
            } to ${names[0]}).`,
            objects: [
              ...root.cycle.map(refOf),
              ...blockedRefs.filter(r => !names.includes(describeRef(r))),
            ],
            command: kubectlLook(ctx.cluster, refOf(root.cycle[0])),
          }),
        );
      } else {
        const rootRef = refOf(root.obj);
        const health = toHealth(objectHealth(root.obj));
        out.push(
          finding(
            'DEPENDENCY_NOT_READY',
            health === 'Degraded' ? 'error' : 'warning',
            {
              title: `${describeRef(rootRef)} blocks ${
                blocked.length === 1
                  ? describeRef(blockedRefs[0])
                  : `${blocked.length} objects`
              }`,
              detail: `Root cause: ${describeRef(rootRef)} is not Ready (${
                readyMessage(root.obj) ?? 'no status yet'
              }). Waiting on it: ${blockedText}.`,
              fix:
                health === 'Degraded'
                  ? `Fix ${describeRef(
                      rootRef,
                    )} first (see its message); the objects depending on it follow on their next retry.`
                  : `Wait for ${describeRef(
                      rootRef,
                    )} to finish reconciling; if it does not, look at its message and events.`,
              objects: [rootRef, ...blockedRefs],
              command: kubectlLook(ctx.cluster, rootRef),
            },
          ),
        );
      }
    }
    return out;
  },
};

/** Where to change the CRD version: the dedicated CRD source's tag, else the manifests the CRDs Kustomization applies. */
function skewFix(eso: EsoFacts, chartVersion: string, crdVersion: string): string {
  const { crdsSource, crdsKustomization } = eso;
  if (crdsSource && !eso.crdsSourceShared) {
    return `Set ref.tag of ${describeRef(
      refOf(crdsSource),
    )} to v${chartVersion} (or pin the chart to ${crdVersion}) so both come from the same release.`;
  }
  if (crdsKustomization) {
    const path = crdsKustomization.spec?.path
      ? ` (path ${crdsKustomization.spec.path})`
      : '';
    return `Update the ESO CRD manifests that ${describeRef(
      refOf(crdsKustomization),
    )} applies${path} to release ${chartVersion} (or pin the chart to ${crdVersion}); its source is shared with other Kustomizations, so do not retag the source itself.`;
  }
  return `Install the CRDs of release ${chartVersion} (or pin the chart to ${crdVersion}).`;
}

const crdVersionSkew: Rule = {
  code: 'CRD_VERSION_SKEW',
  when: 'The ESO CRD version (label app.kubernetes.io/version, helm.sh/chart, or the git tag they come from) differs from the chart version, or the CRDs follow a branch.',
  run(ctx) {
    const {
      crdVersion,
      chartVersion,
      crdBranch,
      helmRelease,
      crdsKustomization,
      crdsSource,
    } = ctx.eso;
    const objects: ObjectRef[] = [crdsKustomization, crdsSource, helmRelease]
      .filter((o): o is SlimObject => Boolean(o))
      .map(refOf);
    const look = crdsSource
      ? kubectlLook(ctx.cluster, refOf(crdsSource))
      : kubectlLook(ctx.cluster, {
          kind: 'CustomResourceDefinition',
          apiVersion: 'apiextensions.k8s.io/v1',
          name: 'externalsecrets.external-secrets.io',
        });
    if (crdBranch && !crdVersion) {
      const src = crdsSource
        ? describeRef(refOf(crdsSource))
        : 'the CRD source';
      return [
        finding('CRD_VERSION_SKEW', 'warning', {
          title: `ESO CRDs follow branch ${crdBranch}`,
          detail: `The CRDs come from ${src} on branch ${crdBranch}, which moves independently of the chart${
            chartVersion ? ` (${chartVersion})` : ''
          }; unpinned CRDs drift (ShortNamesConflict loops were reported).`,
          fix: `Pin ${src} to ref.tag v${
            chartVersion ?? '<chart version>'
          } — the tag matching the HelmRelease chart version.`,
          objects,
          command: look,
        }),
      ];
    }
    if (!crdVersion || !chartVersion || crdVersion === chartVersion) return [];
    return [
      finding('CRD_VERSION_SKEW', 'warning', {
        title: `ESO CRDs are ${crdVersion} but the chart is ${chartVersion}`,
        detail: `CRD version read from ${
          ctx.eso.crdVersionSource
        }; the chart version from ${
          helmRelease ? describeRef(refOf(helmRelease)) : 'the HelmRelease'
        }. The operator may write fields the CRDs do not have, or the reverse.`,
        fix: skewFix(ctx.eso, chartVersion, crdVersion),
        objects: ctx.eso.crdsSourceShared
          ? objects.filter(o => !crdsSource || o.name !== crdsSource.metadata.name || o.kind !== crdsSource.kind)
          : objects,
        command: look,
      }),
    ];
  },
};

const operatorNotReady: Rule = {
  code: 'OPERATOR_NOT_READY',
  when: 'An ESO operator Deployment has fewer ready replicas than desired (or none is found while ESO is installed).',
  run(ctx) {
    if (!ctx.eso.installed) return [];
    const deployments = ctx.view.operatorDeployments;
    const hr = ctx.eso.helmRelease;
    const hrNote =
      hr && !isReady(hr)
        ? ` HelmRelease ${displayName(refOf(hr))} is not Ready: ${
            readyMessage(hr) ?? 'no status'
          }.`
        : '';
    const deploymentKey = WATCHED_KINDS.find(k => k.kind === 'Deployment')!.key;
    if (!deployments.length) {
      if (typeof ctx.servedVersions[deploymentKey] !== 'string') return [];
      return [
        finding('OPERATOR_NOT_READY', 'warning', {
          title: 'No ESO operator Deployment found',
          detail: `ESO's CRDs are installed but no Deployment labelled app.kubernetes.io/name in (${ESO_OPERATOR_APP_NAMES.join(
            ', ',
          )}) was found in any namespace.${hrNote}`,
          fix: hr
            ? `Make HelmRelease ${displayName(
                refOf(hr),
              )} Ready (see its message).`
            : `Install the operator: ${BOOTSTRAP_HINT}.`,
          objects: hr ? [refOf(hr)] : [],
          command: `kubectl --context ${shellQuote(
            ctx.cluster,
          )} get deployments -A -l app.kubernetes.io/name=external-secrets`,
        }),
      ];
    }
    const notReady = deployments.filter(
      d => (d.status?.readyReplicas ?? 0) < (d.spec?.replicas ?? 1),
    );
    if (!notReady.length) return [];
    const list = notReady
      .map(
        d =>
          `${displayName(refOf(d))} ${d.status?.readyReplicas ?? 0}/${
            d.spec?.replicas ?? 1
          } ready`,
      )
      .join(', ');
    const first = refOf(notReady[0]);
    return [
      finding('OPERATOR_NOT_READY', 'error', {
        title: `ESO operator is not ready (${list})`,
        detail: `ExternalSecrets are not synced and the webhook rejects or delays changes while the operator is down.${hrNote}`,
        fix: `Look at the pods of Deployment ${displayName(
          first,
        )} (image pull, crash loop, resources) and fix the HelmRelease values accordingly.`,
        objects: notReady.map(refOf),
        command: kubectlLook(ctx.cluster, first, 'describe'),
      }),
    ];
  },
};

/**
 * The provider error class of a store's or ExternalSecrets' failure, read from
 * their Ready messages and Warning events; the fix names the store.
 */
function providerError(
  ctx: RuleContext,
  store: SlimObject,
  objs: SlimObject[],
):
  | { category: string; summary: string; fix: string; event?: string }
  | undefined {
  const events = objs.flatMap(o => ctx.events?.warnings(o) ?? []);
  const texts = [
    ...objs.map(o => getCondition(o, ConditionType.Ready)?.message ?? ''),
    ...events,
  ].filter(Boolean);
  const c = classifyProviderError(texts);
  if (!c) return undefined;
  const event = events.find(e => c.cls.pattern.test(e));
  return {
    category: c.cls.category,
    summary: c.cls.summary(c.match),
    fix: c.cls.fix(c.match, describeRef(refOf(store))),
    ...(event ? { event } : {}),
  };
}

function reasonSuffix(reason: string | undefined): string {
  return reason ? ` (${reason})` : '';
}

function storeFix(store: SlimObject): string {
  const name = describeRef(refOf(store));
  if (store.spec?.provider === 'aws') {
    const nsNote =
      store.kind === 'ClusterSecretStore'
        ? ' (a ClusterSecretStore must set their namespace)'
        : '';
    return `Check spec.provider.aws of ${name}: service, region and role, and auth — auth.secretRef must name a Secret and keys that exist${nsNote}, or use auth.jwt.serviceAccountRef (IRSA) or no auth (pod identity).`;
  }
  return `Check spec.provider${
    store.spec?.provider ? `.${store.spec.provider}` : ''
  } of ${name} against the provider's documentation, and that the credentials it references exist.`;
}

const storeInvalid: Rule = {
  code: 'STORE_INVALID',
  when: 'A SecretStore or ClusterSecretStore is Ready=False (InvalidProviderConfig and other validation failures).',
  run(ctx) {
    const out: Finding[] = [];
    for (const store of ctx.view.stores) {
      const ready = getCondition(store, ConditionType.Ready);
      if (ready?.status !== 'False') continue;
      const ref = refOf(store);
      const users = ctx.view.externalSecrets
        .filter(es => storeOf(ctx.index, es).obj === store)
        .map(refOf);
      const provider = providerError(ctx, store, [store]);
      out.push(
        finding('STORE_INVALID', 'error', {
          title: `${describeRef(ref)} is invalid${
            provider ? `: ${provider.summary}` : reasonSuffix(ready.reason)
          }`,
          detail: `${ready.message ?? 'The store failed validation.'}${
            provider?.event ? ` Event: ${provider.event}` : ''
          }${
            users.length
              ? ` ${users.length} ExternalSecret(s) use it${moreText(
                  users.length,
                )}.`
              : ''
          }`,
          fix: provider?.fix ?? storeFix(store),
          objects: [ref, ...users],
          command: kubectlLook(ctx.cluster, ref, 'describe'),
          category: provider?.category,
        }),
      );
    }
    return out;
  },
};

const secretSyncError: Rule = {
  code: 'SECRET_SYNC_ERROR',
  when: 'An ExternalSecret is Ready=False (SecretSyncedError), or a ClusterExternalSecret has failed namespaces.',
  run(ctx) {
    const failing = ctx.view.externalSecrets.filter(
      es => getCondition(es, ConditionType.Ready)?.status === 'False',
    );
    const out: Finding[] = [];
    // One finding per store and provider error class: two keys failing for different reasons get different fixes.
    for (const group of groupBy(failing, es => {
      const s = storeOf(ctx.index, es);
      const storeObj = s.obj;
      const cls =
        storeObj && providerError(ctx, storeObj, [es])?.category;
      return `${s.kind}|${
        s.kind === 'SecretStore' ? es.metadata.namespace : ''
      }|${s.name}|${cls ?? ''}`;
    }).values()) {
      const first = group[0];
      const store = storeOf(ctx.index, first);
      let category: string | undefined;
      const storeText = `${store.kind} ${
        store.kind === 'SecretStore'
          ? displayName({
              namespace: first.metadata.namespace,
              name: store.name,
            })
          : store.name
      }`;
      const ready = getCondition(first, ConditionType.Ready);
      let cause: string;
      let fix: string;
      if (!store.obj) {
        cause = `${storeText} does not exist.`;
        fix = `Create ${storeText}, or correct spec.secretStoreRef of the ExternalSecret(s).`;
      } else if (
        getCondition(store.obj, ConditionType.Ready)?.status === 'False'
      ) {
        cause = `${storeText} is invalid (see STORE_INVALID).`;
        fix = `Fix ${storeText} first: ${storeFix(store.obj)}`;
      } else {
        const provider = providerError(ctx, store.obj, group);
        cause = `${ready?.reason ?? 'Error'}: ${
          ready?.message ?? 'no message'
        }${provider?.event ? ` Event: ${provider.event}` : ''}`;
        if (provider) {
          category = provider.category;
          cause = `${provider.summary}. ${cause}`;
          fix = provider.fix;
        } else {
          fix = `Check that the remote keys in spec.data / spec.dataFrom of ${describeRef(
            refOf(first),
          )} exist in the provider and that ${storeText}'s identity may read them${
            provider === undefined && !ctx.events
              ? ' (`kubectl describe` shows the provider\'s answer in the Events)'
              : ''
          }.`;
        }
      }
      const refs = group.map(refOf);
      out.push(
        finding('SECRET_SYNC_ERROR', 'error', {
          title:
            group.length === 1
              ? `${describeRef(refs[0])} fails to sync`
              : `${group.length} ExternalSecrets using ${storeText} fail to sync`,
          detail: `${cause}${
            group.length > 1
              ? ` Affected: ${refs
                  .map(r => displayName(r))
                  .slice(0, MAX_OBJECTS)
                  .join(', ')}${moreText(refs.length)}.`
              : ''
          }`,
          fix,
          objects: store.obj ? [...refs, refOf(store.obj)] : refs,
          command: kubectlLook(ctx.cluster, refs[0], 'describe'),
          category,
        }),
      );
    }
    for (const ces of ctx.view.clusterExternalSecrets) {
      const failed = ces.status?.failedNamespaces ?? [];
      if (!failed.length) continue;
      const ref = refOf(ces);
      out.push(
        finding('SECRET_SYNC_ERROR', 'error', {
          title: `${describeRef(ref)} fails in ${failed.length} namespace(s)`,
          detail: failed
            .map(f => `${f.namespace}: ${f.reason ?? 'failed'}`)
            .join('; '),
          fix: `Look at the ExternalSecret ${
            ces.spec?.externalSecretName ?? ces.metadata.name
          } in each failed namespace, and that the namespaces exist and match spec.namespaceSelectors.`,
          objects: [ref],
          command: kubectlLook(ctx.cluster, ref, 'describe'),
        }),
      );
    }
    return out;
  },
};

const secretStale: Rule = {
  code: 'SECRET_STALE',
  when: 'An ExternalSecret is Ready but its refreshTime is older than twice its refreshInterval (refreshInterval 0 never refreshes: never stale).',
  run(ctx) {
    const stale = ctx.view.externalSecrets.filter(
      es =>
        isTrue(es, ConditionType.Ready) && isExternalSecretStale(es, ctx.now),
    );
    const out: Finding[] = [];
    for (const group of groupBy(stale, es => {
      const s = storeOf(ctx.index, es);
      return `${s.kind}|${
        s.kind === 'SecretStore' ? es.metadata.namespace : ''
      }|${s.name}`;
    }).values()) {
      const first = group[0];
      const refs = group.map(refOf);
      const age = ctx.now.getTime() - Date.parse(first.status!.refreshTime!);
      const interval = first.spec?.refreshInterval ?? DEFAULT_REFRESH_INTERVAL;
      out.push(
        finding('SECRET_STALE', 'warning', {
          title:
            group.length === 1
              ? `${describeRef(refs[0])} has not refreshed for ${formatDuration(
                  age,
                )}`
              : `${group.length} ExternalSecrets have not refreshed on schedule`,
          detail: `Last refresh ${first.status!.refreshTime} (${formatDuration(
            age,
          )} ago) with refreshInterval ${interval}: the operator is not refreshing it, so a rotated value has not reached the Secret.${
            group.length > 1
              ? ` Affected: ${refs
                  .map(r => displayName(r))
                  .slice(0, MAX_OBJECTS)
                  .join(', ')}${moreText(refs.length)}.`
              : ''
          }`,
          fix: `Check the ESO controller is running and its logs for ${displayName(
            refs[0],
          )}; force a refresh by annotating it with force-sync=<timestamp>.`,
          objects: refs,
          command: kubectlLook(ctx.cluster, refs[0], 'describe'),
        }),
      );
    }
    return out;
  },
};

const objectSuspended: Rule = {
  code: 'OBJECT_SUSPENDED',
  when: 'A Flux object has spec.suspend: true, so changes in git are not applied.',
  run(ctx) {
    return ctx.view.fluxObjects.filter(isSuspended).map(obj => {
      const ref = refOf(obj);
      return finding('OBJECT_SUSPENDED', 'warning', {
        title: `${describeRef(ref)} is suspended`,
        detail: `Flux does not reconcile ${describeRef(
          ref,
        )}: changes in git are not applied and drift is not corrected.`,
        fix: `If it was not suspended on purpose, resume it: \`flux resume ${obj.kind.toLowerCase()} ${
          obj.metadata.name
        }${
          obj.metadata.namespace ? ` -n ${obj.metadata.namespace}` : ''
        }\`, and remove spec.suspend from git if it is set there.`,
        objects: [ref],
        command: kubectlLook(ctx.cluster, ref),
      });
    });
  },
};

/** GitopsCluster Ready reasons that mean waiting for the CAPI cluster, not a fault. */
const LEAF_WAITING_REASONS = new Set([
  'WaitingForSecret',
  'WaitingForCAPICluster',
  'WaitingForControlPlaneReadyStatus',
]);

function capiClusterOf(
  ctx: RuleContext,
  gc: SlimObject,
): SlimObject | undefined {
  const name = gc.spec?.capiClusterRef?.name;
  return name
    ? ctx.index.get('cluster.x-k8s.io', 'Cluster', gc.metadata.namespace, name)
    : undefined;
}

const leafNotBootstrapped: Rule = {
  code: 'LEAF_NOT_BOOTSTRAPPED',
  when: `A GitopsCluster lacks annotation ${ANNOTATION_CAPI_BOOTSTRAPPED} while its Cluster's control plane is initialized (warning), or is Ready=False for a reason other than waiting (error); info while the control plane is still coming up.`,
  run(ctx) {
    const out: Finding[] = [];
    const configs = ctx.index.list(
      'capi.weave.works',
      'ClusterBootstrapConfig',
    );
    for (const gc of ctx.view.gitopsClusters) {
      const ready = getCondition(gc, ConditionType.Ready);
      const failed =
        ready?.status === 'False' &&
        !LEAF_WAITING_REASONS.has(ready.reason ?? '');
      const bootstrapped = Boolean(
        gc.metadata.annotations?.[ANNOTATION_CAPI_BOOTSTRAPPED],
      );
      const capi = capiClusterOf(ctx, gc);
      const provisioned = isCapiClusterProvisioned(capi);
      if (bootstrapped && !failed) continue;
      const ref = refOf(gc);
      if (!failed && !provisioned) {
        // Expected while the cluster is created: say what it waits for, without alarm.
        out.push(
          finding('LEAF_NOT_BOOTSTRAPPED', 'info', {
            title: `Leaf cluster ${displayName(
              ref,
            )} is waiting for its control plane`,
            detail: `GitopsCluster ${displayName(
              ref,
            )} is not bootstrapped yet: ${
              readyMessage(gc) ?? 'no status'
            }. Flux bootstrap and the provider credentials follow once the control plane is initialized.`,
            fix: `Nothing to do while Cluster ${
              gc.spec?.capiClusterRef?.name ?? ref.name
            } provisions; if it stays like this, look at the Cluster's and its control plane's conditions.`,
            objects: [ref, ...(capi ? [refOf(capi)] : [])],
            command: capi
              ? kubectlLook(ctx.cluster, refOf(capi), 'describe')
              : kubectlLook(ctx.cluster, ref, 'describe'),
          }),
        );
        continue;
      }
      const selecting = configs.filter(
        c =>
          c.metadata.namespace === gc.metadata.namespace &&
          matchesSelector(c.spec?.clusterSelector, gc.metadata.labels),
      );
      const selectorsText = configs
        .filter(c => c.metadata.namespace === gc.metadata.namespace)
        .map(c =>
          Object.entries(c.spec?.clusterSelector?.matchLabels ?? {})
            .map(([k, v]) => `${k}: ${v}`)
            .join(', '),
        )
        .filter(Boolean);
      let fix: string;
      if (failed) {
        fix = `Fix what the GitopsCluster reports (${ready?.reason}): ${
          gc.spec?.secretRef
            ? `the kubeconfig Secret ${gc.spec.secretRef.name} must exist`
            : `Cluster ${
                gc.spec?.capiClusterRef?.name ?? ''
              } and its <name>-kubeconfig Secret must exist`
        }.`;
      } else if (!selecting.length) {
        fix = selectorsText.length
          ? `No ClusterBootstrapConfig in ${
              gc.metadata.namespace
            } selects it: add the label ${
              selectorsText[0]
            } to GitopsCluster ${displayName(ref)} in git.`
          : `Create a ClusterBootstrapConfig in ${
              gc.metadata.namespace
            } whose clusterSelector matches GitopsCluster ${displayName(
              ref,
            )} (e.g. weave.works/flux: bootstrap) and whose job runs flux bootstrap.`;
      } else {
        fix = `ClusterBootstrapConfig ${displayName(
          refOf(selecting[0]),
        )} selects it: look at the Job it created in ${
          gc.metadata.namespace
        } (flux bootstrap logs; the Git token it reads must be valid).`;
      }
      out.push(
        finding('LEAF_NOT_BOOTSTRAPPED', failed ? 'error' : 'warning', {
          title: `Leaf cluster ${displayName(ref)} is not bootstrapped`,
          detail: failed
            ? `GitopsCluster ${displayName(ref)} is not Ready: ${readyMessage(
                gc,
              )}.`
            : `Cluster ${
                capi ? displayName(refOf(capi)) : ''
              } is provisioned but GitopsCluster ${displayName(
                ref,
              )} has no ${ANNOTATION_CAPI_BOOTSTRAPPED} annotation: Flux has not been bootstrapped on it.`,
          fix,
          objects: [
            ref,
            ...(capi ? [refOf(capi)] : []),
            ...selecting.map(refOf),
          ],
          command: kubectlLook(ctx.cluster, ref, 'describe'),
        }),
      );
    }
    return out;
  },
};

/** ClusterResourceSets selecting a CAPI Cluster, and whether each applied all its resources to it. @public */
export function clusterResourceSetsFor(
  index: ObjectIndex,
  cluster: SlimObject,
): Array<{ crs: SlimObject; applied: boolean }> {
  const ns = cluster.metadata.namespace;
  const sets = index
    .list('addons.cluster.x-k8s.io', 'ClusterResourceSet')
    .filter(
      crs =>
        crs.metadata.namespace === ns &&
        matchesSelector(
          crs.spec?.clusterSelector,
          cluster.metadata.labels,
          false,
        ),
    );
  const bindings = index
    .list('addons.cluster.x-k8s.io', 'ClusterResourceSetBinding')
    .filter(
      b =>
        b.metadata.namespace === ns &&
        (b.spec?.clusterName ?? b.metadata.name) === cluster.metadata.name,
    );
  return sets.map(crs => {
    const entry = bindings
      .flatMap(b => b.spec?.bindings ?? [])
      .find(e => e.clusterResourceSetName === crs.metadata.name);
    const wanted = crs.spec?.resources ?? [];
    const applied =
      Boolean(entry) &&
      wanted.every(w =>
        entry!.resources.some(
          r => r.kind === w.kind && r.name === w.name && r.applied === true,
        ),
      );
    return { crs, applied };
  });
}

const leafCredentialsNotCopied: Rule = {
  code: 'LEAF_CREDENTIALS_NOT_COPIED',
  when: `A provisioned Cluster labelled ${LABEL_SECRET_MANAGER} is selected by no ClusterResourceSet, or one selecting it has no applied ClusterResourceSetBinding entry.`,
  run(ctx) {
    const out: Finding[] = [];
    for (const cluster of ctx.view.capiClusters) {
      const manager = cluster.metadata.labels?.[LABEL_SECRET_MANAGER];
      if (!manager || !isCapiClusterProvisioned(cluster)) continue;
      const ref = refOf(cluster);
      const sets = clusterResourceSetsFor(ctx.index, cluster);
      if (!sets.length) {
        out.push(
          finding('LEAF_CREDENTIALS_NOT_COPIED', 'error', {
            title: `No ClusterResourceSet copies ${manager} credentials to ${displayName(
              ref,
            )}`,
            detail: `Cluster ${displayName(
              ref,
            )} is labelled ${LABEL_SECRET_MANAGER}: ${manager} but no ClusterResourceSet in ${
              cluster.metadata.namespace
            } selects it, so its SecretStore has no credentials.`,
            fix: `Create a ClusterResourceSet in ${cluster.metadata.namespace} with clusterSelector.matchLabels ${LABEL_SECRET_MANAGER}: ${manager}, referencing the credentials Secret (type addons.cluster.x-k8s.io/resource-set).`,
            objects: [ref],
            command: `kubectl --context ${shellQuote(
              ctx.cluster,
            )} -n ${shellQuote(
              cluster.metadata.namespace ?? 'default',
            )} get clusterresourcesets.addons.cluster.x-k8s.io`,
          }),
        );
        continue;
      }
      const missing = sets.filter(s => !s.applied);
      if (!missing.length) continue;
      const names = missing.map(s => displayName(refOf(s.crs))).join(', ');
      out.push(
        finding('LEAF_CREDENTIALS_NOT_COPIED', 'error', {
          title: `Credentials not copied to leaf cluster ${displayName(ref)}`,
          detail: `ClusterResourceSet ${names} selects Cluster ${displayName(
            ref,
          )} but no ClusterResourceSetBinding records its resources as applied there.`,
          fix: `Check that the Secret(s) ClusterResourceSet ${names} references exist in ${cluster.metadata.namespace} with type addons.cluster.x-k8s.io/resource-set, and look at the CRS conditions for the apply error.`,
          objects: [ref, ...missing.map(s => refOf(s.crs))],
          command: kubectlLook(ctx.cluster, refOf(missing[0].crs), 'describe'),
        }),
      );
    }
    return out;
  },
};

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

function refKey(ref: ObjectRef): string {
  return `${ref.kind}|${ref.namespace ?? ''}|${ref.name}`;
}

/**
 * Root-cause following: every not-Ready Flux object whose trouble comes from a
 * failing object further up (dependsOn, source, chart, health-checked object)
 * is listed in that root's finding as blocked — one finding per root cause,
 * the blocked objects point at it. ExternalSecrets are grouped by store by
 * SECRET_SYNC_ERROR already.
 */
function annotateBlocked(ctx: RuleContext, findings: Finding[]): Finding[] {
  const blockedBy = new Map<string, ObjectRef[]>();
  for (const obj of ctx.view.fluxObjects) {
    if (!isChainObject(obj) || isReady(obj) || isSuspended(obj)) continue;
    const r = failingRoot(ctx.index, obj);
    if (!r || r.root === obj) continue;
    const k = refKey(refOf(r.root));
    const list = blockedBy.get(k);
    if (list) list.push(refOf(obj));
    else blockedBy.set(k, [refOf(obj)]);
  }
  if (!blockedBy.size) return findings;
  const claimed = new Set<string>();
  return findings.map(f => {
    const primary = f.objects[0];
    if (!primary) return f;
    const k = refKey(primary);
    const blocked = blockedBy.get(k);
    if (!blocked || claimed.has(k)) return f;
    claimed.add(k);
    const shown = blocked.slice(0, MAX_OBJECTS);
    return {
      ...f,
      detail: `${f.detail} Blocked by it: ${shown
        .map(describeRef)
        .join(', ')}${moreText(blocked.length)}.`,
      blocks: shown,
    };
  });
}
