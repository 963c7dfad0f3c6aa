/** ESO release the bootstrap installs by default (chart and CRDs; the CRDs this project validates against are v2.9.0). */
export const DEFAULT_ESO_VERSION = '2.9.0';
/** ESO's Helm repository (HTTPS). */
export const ESO_HELM_REPOSITORY_URL = 'https://charts.external-secrets.io';
/** ESO's chart as an OCI artifact. */
export const ESO_OCI_CHART_URL =
  'oci://ghcr.io/external-secrets/charts/external-secrets';
/** ESO's git repository; its deploy/crds holds the CRD bundle of each release tag. */
export const ESO_GIT_URL =
  'https://github.com/external-secrets/external-secrets';
