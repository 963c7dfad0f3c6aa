/**
 * ESO_CONVERSION_FAILED: the API server could not call the conversion webhook
 * ESO's CRDs declare. That is version skew between the CRDs and the operator
 * (or a webhook switched off while the CRDs still point at it) — not a removed
 * API: both versions in the message are served, the conversion between them fails.
 */

import { describeRef, displayName, isFluxApplier, refOf } from '../objects';
import type { Finding, ObjectRef } from '../model';
import type { Rule } from './types';
import { finding, shellQuote } from './common';
import { CONVERSION_WEBHOOK_PATTERN } from './esoPatterns';
import { failureTextWithEvents } from './fluxFailure';

/** `service "x" not found` or the service host in the webhook URL. */
function webhookService(reason: string): string | undefined {
  const missing = reason.match(/service "([^"]+)" not found/);
  if (missing) return missing[1];
  const host = reason.match(/https:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc/);
  return host ? `${host[2]}/${host[1]}` : undefined;
}

/** @public */
export const esoConversionFailed: Rule = {
  code: 'ESO_CONVERSION_FAILED',
  when: 'A Flux object (or an event of it) fails with `conversion webhook for external-secrets.io/…, Kind=… failed`: the ESO CRDs and the operator disagree (version skew, or the webhook disabled while the CRDs still name it).',
  run(ctx) {
    const hits: Array<{ obj: ObjectRef; m: RegExpMatchArray }> = [];
    for (const obj of ctx.view.fluxObjects.filter(isFluxApplier)) {
      const m = failureTextWithEvents(ctx, obj).match(
        CONVERSION_WEBHOOK_PATTERN,
      );
      if (m) hits.push({ obj: refOf(obj), m });
    }
    // The same failure may show on the ESO objects themselves (their Events).
    for (const obj of [...ctx.view.externalSecrets, ...ctx.view.stores]) {
      const m = (ctx.events?.warnings(obj) ?? [])
        .join('\n')
        .match(CONVERSION_WEBHOOK_PATTERN);
      if (m) hits.push({ obj: refOf(obj), m });
    }
    if (!hits.length) return [];
    const { crdVersion, chartVersion, helmRelease, crdsKustomization } =
      ctx.eso;
    const first = hits[0];
    const service = webhookService(first.m[3]);
    const skew =
      crdVersion && chartVersion && crdVersion !== chartVersion
        ? ` The CRDs are ${crdVersion}, the chart ${chartVersion}.`
        : '';
    const involved: ObjectRef[] = [
      ...hits.map(h => h.obj),
      ...(crdsKustomization ? [refOf(crdsKustomization)] : []),
      ...(helmRelease ? [refOf(helmRelease)] : []),
    ];
    let installer = 'whatever installs the ESO CRDs';
    if (crdsKustomization)
      installer = `Kustomization ${displayName(refOf(crdsKustomization))}`;
    else if (helmRelease)
      installer = `HelmRelease ${displayName(
        refOf(helmRelease),
      )} (installCRDs)`;
    const out: Finding[] = [
      finding('ESO_CONVERSION_FAILED', 'error', {
        title: `ESO's CRDs and operator disagree: the ${first.m[2]} conversion webhook fails`,
        detail: `${hits
          .map(h => describeRef(h.obj))
          .join(', ')}: conversion webhook for ${first.m[1]}, Kind=${
          first.m[2]
        } failed: ${first.m[3]}.${skew} The CRDs name a conversion webhook${
          service ? ` (service ${service})` : ''
        } that the running operator does not serve.`,
        fix: `Install the CRDs from the same ESO release as the operator through ${installer}${
          chartVersion ? ` (chart ${chartVersion})` : ''
        }, and keep the webhook enabled while the CRDs declare a conversion webhook — with webhook.create=false also set crds.conversion.enabled=false. Do not change apiVersions in git: both versions are served.`,
        objects: involved,
        command: `kubectl --context ${shellQuote(
          ctx.cluster,
        )} get crd ${first.m[2].toLowerCase()}s.external-secrets.io -o jsonpath='{.spec.conversion}'`,
        category:
          service && /not found/.test(first.m[3])
            ? 'webhook-service-missing'
            : 'version-skew',
      }),
    ];
    return out;
  },
};
