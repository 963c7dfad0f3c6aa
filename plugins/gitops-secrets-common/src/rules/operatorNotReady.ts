import { ESO_OPERATOR_APP_NAMES } from '../annotations';
import { isReady } from '../conditions';
import { displayName, refOf } from '../objects';
import { WATCHED_KINDS } from '../slim';
import { finding, kubectlLook, shellQuote } from './common';
import { BOOTSTRAP_HINT, readyMessage } from './helpers';
import type { Rule } from './types';

export const operatorNotReady: Rule = {
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
