export interface Config {
  /**
   * The gitops-secrets backend: ESO, Flux and leaf-cluster status read from the clusters below.
   * When `clusters` is absent, the clusters of `kubernetes.clusterLocatorMethods` (Backstage's
   * Kubernetes plugin: types `config` and `catalog`, authenticated by its AuthenticationStrategies;
   * that plugin's config schema marks their secrets) are used, so clusters are configured once.
   */
  gitopsSecrets?: {
    /**
     * The clusters to read. Each needs either `url` (with a service account token, or the pod's own
     * token when running in the cluster) or `kubeconfig`.
     */
    clusters?: Array<{
      /**
       * Name used in the API, in findings' kubectl commands (`--context <name>`), and by the
       * `gitops-secrets.io/cluster-name` annotation of `kubernetes-cluster` Resources.
       */
      name: string;
      /** Title shown instead of the name. */
      title?: string;
      /** API server URL, e.g. https://10.0.0.1:6443. Required unless `kubeconfig` is given. */
      url?: string;
      /**
       * `serviceAccount` (default with `url`): a bearer token, from `serviceAccountToken` or, when
       * absent, the pod's token file. `kubeconfig` (default with `kubeconfig`): a kubeconfig file and
       * context, so exec plugins and client certificates work.
       */
      authProvider?: 'serviceAccount' | 'kubeconfig';
      /**
       * Bearer token of the service account the backend reads with (see deploy/rbac.yaml). Never logged.
       * @visibility secret
       */
      serviceAccountToken?: string;
      /** A kubeconfig file (path relative to the backend's working directory) and the context to use. */
      kubeconfig?: {
        path: string;
        /** Context in the file; default: its current-context. */
        context?: string;
      };
      /**
       * Base64-encoded PEM of the API server's CA.
       * @visibility secret
       */
      caData?: string;
      /** Path of a PEM file with the API server's CA. */
      caFile?: string;
      /** Do not verify the API server's certificate. Logged as a warning; never use in production. */
      skipTLSVerify?: boolean;
      /**
       * How long a request waits for this cluster before reporting it as TIMEOUT (also each
       * Kubernetes request's timeout). Overrides `gitopsSecrets.timeout`. E.g. `5s`, `{ seconds: 5 }`.
       */
      timeout?:
        | string
        | { milliseconds?: number; seconds?: number; minutes?: number };
    }>;
    /**
     * How often clusters from the `catalog` locator and from cluster suppliers added through
     * `gitopsSecretsClusterSupplierExtensionPoint` are looked up again (default 1m).
     */
    clusterRefreshInterval?:
      | string
      | { milliseconds?: number; seconds?: number; minutes?: number };
    /** Default per-cluster timeout (default 5s). */
    timeout?:
      | string
      | { milliseconds?: number; seconds?: number; minutes?: number };
    cache?: {
      /**
       * A cluster's watches stop after it has not been asked about for this long (default 10m);
       * the next request lists again.
       */
      idleTimeout?:
        | string
        | { seconds?: number; minutes?: number; hours?: number };
      /**
       * Objects per list page when (re)listing (default 100). Each page is read whole before it is
       * parsed: smaller pages leave less native memory behind, at one request per page.
       */
      pageSize?: number;
      /**
       * List requests (pages) in flight at once per cluster (default 4); the other kinds' lists wait
       * their turn, each request's timeout starting when it is sent.
       */
      maxConcurrentLists?: number;
      /** Reconnect backoff after a failed list or watch: first delay (default 1s), doubling up to `max` (default 30s). */
      backoff?: {
        initial?: string | { milliseconds?: number; seconds?: number };
        max?:
          | string
          | { milliseconds?: number; seconds?: number; minutes?: number };
      };
      /**
       * How long a computed summary is reused while nothing changed on the cluster (default 10s).
       * Bounds how late a time-based finding (a stale ExternalSecret) appears.
       */
      summaryTtl?: string | { milliseconds?: number; seconds?: number };
    };
    /**
     * Several backend replicas sharing the clusters (see the README, "Running several replicas"): each
     * cluster is watched by one replica, assigned by a global task of Backstage's scheduler; the owner
     * publishes its statuses through Backstage's cache service and the others answer from it. Needs
     * `backend.database` on PostgreSQL and `backend.cache` on Redis or Valkey shared by every replica.
     * Off by default: a single replica neither uses the database nor the cache.
     */
    replicas?: {
      /** Share the clusters between the replicas (default false). */
      enabled?: boolean;
      /**
       * How often each replica writes its heartbeat and republishes unchanged statuses (default 5s). A
       * replica silent for two heartbeats plus 2 s is taken as dead and its clusters move.
       */
      heartbeatInterval?:
        | string
        | { milliseconds?: number; seconds?: number; minutes?: number };
    };
    /** Entries kept per list in status answers unless `?limit=` says otherwise (default 100, max 1000). */
    defaultListLimit?: number;
  };
}
