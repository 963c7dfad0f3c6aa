import { resolveUnsupportedKind } from '../view';
import { finding, shellQuote } from './common';
import type { Rule } from './types';

export const UPGRADE_ADVICE: Record<string, string> = {
  eso: 'Upgrade External Secrets Operator (0.17 or later serves external-secrets.io/v1; the bootstrap template pins a current chart and its CRDs)',
  flux: 'Upgrade Flux (2.8 or later serves only the v1/v2 APIs) and migrate the manifests in git to them',
  capi: 'Upgrade Cluster API',
  core: 'Upgrade the controller that owns this kind',
};

export const unsupportedApi: Rule = {
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
