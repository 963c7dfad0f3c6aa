import type {
  ClusterError,
  ClusterErrorType,
  Finding,
  FindingCode,
} from '../model';
import { finding, shellQuote } from './common';

export const ERROR_FINDINGS: Record<
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
