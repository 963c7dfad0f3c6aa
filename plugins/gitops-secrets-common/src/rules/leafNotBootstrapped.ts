import { ANNOTATION_CAPI_BOOTSTRAPPED } from '../annotations';
import {
  ConditionType,
  getCondition,
  isCapiClusterProvisioned,
} from '../conditions';
import type { Finding } from '../model';
import { displayName, matchesSelector, refOf } from '../objects';
import type { SlimObject } from '../slim';
import { finding, kubectlLook } from './common';
import { readyMessage } from './helpers';
import type { Rule, RuleContext } from './types';

/** GitopsCluster Ready reasons that mean waiting for the CAPI cluster, not a fault. */
export const LEAF_WAITING_REASONS = new Set([
  'WaitingForSecret',
  'WaitingForCAPICluster',
  'WaitingForControlPlaneReadyStatus',
]);

export function capiClusterOf(
  ctx: RuleContext,
  gc: SlimObject,
): SlimObject | undefined {
  const name = gc.spec?.capiClusterRef?.name;
  return name
    ? ctx.index.get('cluster.x-k8s.io', 'Cluster', gc.metadata.namespace, name)
    : undefined;
}

export const leafNotBootstrapped: Rule = {
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
