/**
 * Message patterns of the ESO-specific failures, shared by the ESO rules and
 * the Flux failure rules (which leave these objects to the ESO rules).
 */

import { WATCHED_KINDS } from '../slim';

/** A current ESO kind applied before its CRD exists. @public */
export const CRD_RACE_PATTERN =
  /no matches for kind "([^"]+)" in version "((?:[a-z0-9-]+\.)*external-secrets\.io\/[^"]+)"/;

/** ESO's admission webhook called before the operator answers. @public */
export const WEBHOOK_RACE_PATTERN =
  /failed calling webhook "([^"]*external-secrets\.io)"[\s\S]*?(connection refused|no endpoints available)/;

/**
 * The API server could not convert between ESO's CRD versions: the CRDs name a
 * conversion webhook the installed operator does not serve (CRDs and operator
 * from different releases, or the webhook disabled/absent).
 * @public
 */
export const CONVERSION_WEBHOOK_PATTERN =
  /conversion webhook for ((?:[a-z0-9-]+\.)*external-secrets\.io\/\w+), Kind=(\w+) failed: ([^\n]*)/;

/** Every removed apiVersion of a watched kind, with its replacement. @public */
export const REMOVED_API_VERSIONS: ReadonlyArray<{
  apiVersion: string;
  replacement: string;
}> = (() => {
  const out: Array<{ apiVersion: string; replacement: string }> = [];
  for (const k of WATCHED_KINDS) {
    for (const v of k.removedVersions ?? []) {
      const apiVersion = `${k.group}/${v}`;
      if (!out.some(o => o.apiVersion === apiVersion)) {
        out.push({ apiVersion, replacement: `${k.group}/${k.versions[0]}` });
      }
    }
  }
  return out;
})();

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Removed apiVersions a message mentions, as whole tokens (not `generators.external-secrets.io/v1alpha1`). @public */
export function removedApiVersionsIn(
  message: string,
): Array<{ apiVersion: string; replacement: string }> {
  return REMOVED_API_VERSIONS.filter(r =>
    new RegExp(`(?<![\\w.-])${escapeRegExp(r.apiVersion)}(?![\\w.])`).test(
      message,
    ),
  );
}

/**
 * Removed apiVersions the message says are not served: the API server answered
 * "no matches for kind … in version …" or "could not find the requested
 * resource" for them. A version merely mentioned — as in a conversion webhook
 * error between two served versions — is not a removed API.
 *
 * @public
 */
export function unservedApiVersionsIn(
  message: string,
): Array<{ apiVersion: string; replacement: string }> {
  if (CONVERSION_WEBHOOK_PATTERN.test(message)) return [];
  const out: Array<{ apiVersion: string; replacement: string }> = [];
  const noMatch = /no matches for kind "[^"]+" in version "([^"]+)"/g;
  for (const m of message.matchAll(noMatch)) {
    for (const r of removedApiVersionsIn(`"${m[1]}"`))
      if (!out.includes(r)) out.push(r);
  }
  // kubectl/kustomize-controller phrasing when a whole group version is gone.
  const gone =
    /(?:the server could not find the requested resource|no kind "\w+" is registered for version|resource mapping not found)[^\n]*/g;
  for (const m of message.matchAll(gone)) {
    for (const r of removedApiVersionsIn(message))
      if (!out.includes(r) && m) out.push(r);
  }
  // "apiVersion: x/v1beta1 … is not served" style messages.
  if (/not served|is no longer served|unable to recognize/.test(message)) {
    for (const r of removedApiVersionsIn(message))
      if (!out.includes(r)) out.push(r);
  }
  return out;
}

/** The object's failure belongs to an ESO-specific rule (race, removed API, conversion webhook). @public */
export function isEsoSpecificFailure(text: string): boolean {
  return (
    CRD_RACE_PATTERN.test(text) ||
    WEBHOOK_RACE_PATTERN.test(text) ||
    CONVERSION_WEBHOOK_PATTERN.test(text) ||
    unservedApiVersionsIn(text).length > 0
  );
}
