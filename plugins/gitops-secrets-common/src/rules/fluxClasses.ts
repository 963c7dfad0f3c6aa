/**
 * Failure classes of Flux objects: what a Ready/Stalled reason and message
 * mean, and the fix and `flux` command right for that case. Each class names
 * the general situation it handles (a file listed but missing, a health check
 * timing out, retries exhausted…), never one repository's layout.
 */

import type { SlimObject } from '../slim';
import { displayName } from '../objects';

/** What a class reads: the object, its failure reason(s) and all failure text (conditions and Warning events). @public */
export interface FailureInput {
  obj: SlimObject;
  /** Ready (and Stalled) reasons. */
  reasons: string[];
  text: string;
  /** Source the object reads (Kustomization sourceRef, HelmRelease chart source), for the fix. */
  source?: { kind: string; name: string; namespace?: string };
}

/** @public */
export interface FailureClass {
  /** Stable id, e.g. `build-missing-file`; shown as the finding's category. */
  category: string;
  kinds: readonly string[];
  /** The general class of failure, for docs/diagnoses.md. */
  when: string;
  test(input: FailureInput): RegExpMatchArray | boolean | null;
  describe(
    input: FailureInput,
    match: RegExpMatchArray | null,
  ): { title: string; fix: string };
}

const KS = ['Kustomization'] as const;
const HR = ['HelmRelease'] as const;
const SOURCES = [
  'GitRepository',
  'OCIRepository',
  'HelmRepository',
  'HelmChart',
  'Bucket',
] as const;

const FLUX_SOURCE_ARG: Record<string, string> = {
  GitRepository: 'git',
  OCIRepository: 'oci',
  HelmRepository: 'helm',
  HelmChart: 'chart',
  Bucket: 'bucket',
};

/** The `flux reconcile` command for an object, with flags. @public */
export function fluxReconcile(obj: SlimObject, flags: string[] = []): string {
  const ns = obj.metadata.namespace ? ` -n ${obj.metadata.namespace}` : '';
  const FLUX_APPLIER_ARG: Record<string, string> = {
    Kustomization: 'kustomization',
    HelmRelease: 'helmrelease',
  };
  const what =
    FLUX_APPLIER_ARG[obj.kind] ??
    `source ${FLUX_SOURCE_ARG[obj.kind] ?? obj.kind.toLowerCase()}`;
  return `flux reconcile ${what} ${obj.metadata.name}${ns}${
    flags.length ? ` ${flags.join(' ')}` : ''
  }`;
}

const has = (input: FailureInput, ...reasons: string[]) =>
  input.reasons.some(r => reasons.includes(r));

function where(input: FailureInput): string {
  const path = input.obj.spec?.path;
  const src = input.source
    ? `${input.source.kind} ${displayName(input.source)}`
    : 'its source';
  return path ? `path ${path} of ${src}` : src;
}

function name(obj: SlimObject): string {
  return `${obj.kind} ${displayName({
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
  })}`;
}

/** A file kustomize could not find: the last `lstat|open <path>: no such file or directory` in the message. */
const MISSING_FILE =
  /(?:lstat|open|stat)\s+(\S+?):\s+no such file or directory|()(?:file|path) '?([^'\s]+)'? (?:does not exist|not found)/;

/** The path as written in the repository: drop the controller's temporary checkout directory. */
function repoPath(p: string | undefined): string | undefined {
  if (!p) return undefined;
  return p.replace(/^\/tmp\/[^/]+\//, '').replace(/^\/tmp\/[^/]+$/, '.');
}

function lastMissingFile(text: string): string | undefined {
  const all = [...text.matchAll(new RegExp(MISSING_FILE.source, 'g'))];
  const last = all[all.length - 1];
  return repoPath(last?.[1] ?? last?.[2] ?? last?.[3]);
}

/** Objects a health check names: `Kind/namespace/name status: 'X'`. @public */
export function healthCheckObjects(
  text: string,
): Array<{ kind: string; namespace?: string; name: string; status?: string }> {
  const out: Array<{
    kind: string;
    namespace?: string;
    name: string;
    status?: string;
  }> = [];
  const re =
    /\b([A-Z][A-Za-z]+)\/(?:([a-z0-9][a-z0-9.-]*)\/)?([a-z0-9][a-z0-9.-]*)(?: status: '([A-Za-z]+)')?/g;
  const list = text.match(/timeout waiting for: \[([^\]]*)\]/)?.[1] ?? text;
  if (!/Health ?check|timeout waiting for/i.test(text)) return out;
  for (const m of list.matchAll(re)) {
    out.push({
      kind: m[1],
      namespace: m[2],
      name: m[3],
      ...(m[4] ? { status: m[4] } : {}),
    });
  }
  return out;
}

/**
 * Classes in the order they are tried: the first that matches wins, so the
 * more specific ones come first.
 *
 * @public
 */
export const FLUX_FAILURE_CLASSES: readonly FailureClass[] = [
  // ------------------------------------------------------------ Kustomization
  {
    category: 'build-remote-fetch',
    kinds: KS,
    when: 'kustomize build failed fetching a remote base or resource (a git or https URL in kustomization.yaml).',
    test: i =>
      /kustomize build failed|BuildFailed|accumulat/.test(
        `${i.reasons.join(' ')} ${i.text}`,
      ) &&
      i.text.match(
        /(git (?:fetch|clone|cmd)[^\n]*|(?:https?|ssh):\/\/[^\s'"]+)[\s\S]*?(exit status \d+|timeout|i\/o timeout|no such host|could not read|not found|403|401|404|failed to run|no such file or directory|encounters a format error)/,
      ),
    describe: (i, m) => ({
      title: `${name(i.obj)} cannot fetch a remote base`,
      fix: `A remote resource in the kustomization.yaml at ${where(
        i,
      )} could not be fetched by kustomize-controller (${
        m?.[2] ?? 'fetch failed'
      }). kustomize-controller fetches remote bases itself, without the source's credentials: vendor the base into the repository or point it at a reachable URL with a pinned ref, commit, then run \`${fluxReconcile(
        i.obj,
        ['--with-source'],
      )}\`.`,
    }),
  },
  {
    category: 'build-duplicate-resource',
    kinds: KS,
    when: 'kustomize build failed because the same object is listed twice.',
    test: i =>
      i.text.match(/may not add resource with an already registered id: (\S+)/),
    describe: (i, m) => ({
      title: `${name(i.obj)}: an object is included twice`,
      fix: `${
        m?.[1] ?? 'An object'
      } is reached twice from the kustomization.yaml at ${where(
        i,
      )} (listed directly and through a base, or in two bases): keep one, commit, then run \`${fluxReconcile(
        i.obj,
        ['--with-source'],
      )}\`.`,
    }),
  },
  {
    category: 'build-missing-file',
    kinds: KS,
    when: 'kustomize build failed because a file or directory listed in kustomization.yaml (or spec.path) does not exist in the source revision.',
    test: i =>
      (has(i, 'BuildFailed') || /kustomize build failed/.test(i.text)) &&
      i.text.match(MISSING_FILE),
    describe: i => {
      const file = lastMissingFile(i.text);
      return {
        title: `${name(i.obj)}: ${file ?? 'a listed file'} does not exist`,
        fix: `${
          file ? `${file}` : 'A file listed in kustomization.yaml'
        } is listed (resources/patches/components) but missing at ${where(
          i,
        )}: add the file, or remove or correct the entry in kustomization.yaml, commit, then run \`${fluxReconcile(
          i.obj,
          ['--with-source'],
        )}\`.`,
      };
    },
  },
  {
    category: 'build-invalid-yaml',
    kinds: KS,
    when: 'kustomize build failed parsing a manifest (YAML syntax error).',
    test: i =>
      i.text.match(
        /(?:yaml: line (\d+): [^'"\n]+)|error converting YAML to JSON|mapping values are not allowed/,
      ),
    describe: (i, m) => ({
      title: `${name(i.obj)}: invalid YAML${m?.[1] ? ` at line ${m[1]}` : ''}`,
      fix: `Fix the YAML syntax (${
        m?.[0] ?? 'parse error'
      }) in the manifests at ${where(
        i,
      )} — \`kustomize build\` on that path reproduces it — commit, then run \`${fluxReconcile(
        i.obj,
        ['--with-source'],
      )}\`.`,
    }),
  },
  {
    category: 'build-wrong-path-type',
    kinds: KS,
    when: 'kustomize build failed because a directory was listed where a file is expected, or a file where a directory (a kustomization root) is expected.',
    test: i =>
      (has(i, 'BuildFailed') || /kustomize build failed/.test(i.text)) &&
      i.text.match(
        /'([^']+)' must be a directory to be a root|must build at directory: '?([^':]+)'?: file is not directory|([^\s']+): not a directory/,
      ),
    describe: (i, m) => ({
      title: `${name(i.obj)}: ${
        repoPath(m?.[1] ?? m?.[2] ?? m?.[3]) ?? 'a path'
      } has the wrong type`,
      fix: `kustomization.yaml at ${where(i)} lists ${
        repoPath(m?.[1] ?? m?.[2] ?? m?.[3]) ?? 'an entry'
      } as a resource directory (a kustomization root) but it is a file, or the reverse: list plain manifests under resources only if they are files, directories only if they contain a kustomization.yaml; commit, then run \`${fluxReconcile(
        i.obj,
        ['--with-source'],
      )}\`.`,
    }),
  },
  {
    category: 'decryption-failed',
    kinds: KS,
    when: 'SOPS decryption failed (the decryption Secret is missing or holds the wrong key).',
    test: i =>
      i.text.match(
        /(?:failed to decrypt|decryption failed|sops[^\n]*(?:error|failed)|Failed to get the data key)/i,
      ),
    describe: i => ({
      title: `${name(i.obj)} cannot decrypt its secrets`,
      fix: `Check spec.decryption.secretRef of ${name(
        i.obj,
      )}: the Secret must exist in ${
        i.obj.metadata.namespace
      } and hold the private key the files were encrypted for; then run \`${fluxReconcile(
        i.obj,
      )}\`.`,
    }),
  },
  {
    category: 'build-failed',
    kinds: KS,
    when: 'kustomize build failed for another reason (BuildFailed).',
    test: i => has(i, 'BuildFailed') || /kustomize build failed/.test(i.text),
    describe: i => ({
      title: `${name(i.obj)} cannot build its manifests`,
      fix: `Run \`kustomize build\` on ${where(
        i,
      )} to reproduce the error in the message, fix it in git, then run \`${fluxReconcile(
        i.obj,
        ['--with-source'],
      )}\`.`,
    }),
  },
  {
    category: 'health-check-failed',
    kinds: KS,
    when: 'The manifests were applied but the objects under health check (wait: true or spec.healthChecks) did not become ready within spec.timeout; the message names them.',
    test: i =>
      has(i, 'HealthCheckFailed') ||
      /Health check failed|timeout waiting for: \[/.test(i.text),
    describe: i => {
      const objs = healthCheckObjects(i.text);
      const list = objs.length
        ? objs
            .map(
              o =>
                `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}${
                  o.status ? ` (${o.status})` : ''
                }`,
            )
            .join(', ')
        : 'the objects it waits for';
      return {
        title: `${name(i.obj)}: ${list} did not become ready`,
        fix: `The apply succeeded but ${list} did not become ready within spec.timeout (${
          i.obj.spec?.timeout ?? i.obj.spec?.interval ?? 'the interval'
        }). Look at ${
          objs.length === 1 ? 'it' : 'them'
        } (\`kubectl describe\`, pod events) and fix the cause; raise spec.timeout only if ${
          objs.length === 1 ? 'it becomes' : 'they become'
        } ready later by themselves. Then run \`${fluxReconcile(i.obj)}\`.`,
      };
    },
  },
  {
    category: 'immutable-field',
    kinds: KS,
    when: 'The apply was rejected because it changes an immutable field (a Job template, a Service clusterIP, a Deployment selector…).',
    test: i => i.text.match(/field is immutable|spec\.selector[^\n]*immutable/),
    describe: i => ({
      title: `${name(i.obj)} changes an immutable field`,
      fix: `The object in the message cannot be updated in place: recreate it (delete it and let ${name(
        i.obj,
      )} apply it again), or set spec.force: true on ${name(
        i.obj,
      )} to let Flux recreate objects with immutable changes; then run \`${fluxReconcile(
        i.obj,
      )}\`.`,
    }),
  },
  {
    category: 'missing-kind',
    kinds: [...KS, ...HR],
    when: "The apply needs a kind the API server does not know (its CRD is not installed yet) — for kinds other than ESO's (CRD_RACE handles those).",
    test: i =>
      i.text.match(/no matches for kind "([^"]+)" in version "([^"]+)"/),
    describe: (i, m) => ({
      title: `${name(i.obj)} applies ${
        m?.[1] ?? 'a kind'
      } before its CRD exists`,
      fix: `${m?.[1] ?? 'The kind'} (${
        m?.[2] ?? ''
      }) is not served: install its CRD first and give ${name(
        i.obj,
      )} a dependsOn on the Kustomization or HelmRelease that installs it (with wait: true), or correct the apiVersion; then run \`${fluxReconcile(
        i.obj,
      )}\`.`,
    }),
  },
  {
    category: 'admission-denied',
    kinds: [...KS, ...HR],
    when: 'An admission webhook or policy (Kyverno, Gatekeeper…) denied an object.',
    test: i =>
      i.text.match(
        /admission webhook "([^"]+)" denied the request|denied by ([\w-]+)/,
      ),
    describe: (i, m) => ({
      title: `${name(i.obj)}: ${
        m?.[1] ?? 'an admission webhook'
      } denied an object`,
      fix: `Change the object the message names so that ${
        m?.[1] ?? 'the admission policy'
      } accepts it (the denial reason is in the message), commit, then run \`${fluxReconcile(
        i.obj,
        i.obj.kind === 'Kustomization' ? ['--with-source'] : [],
      )}\`.`,
    }),
  },
  {
    category: 'apply-invalid',
    kinds: KS,
    when: 'The server-side apply dry run rejected an object (schema validation, unknown field, namespace not found…).',
    test: i =>
      (has(i, 'ReconciliationFailed') ||
        /dry-run failed|is invalid/.test(i.text)) &&
      i.text.match(
        /(\S+) dry-run failed|(?:^|\s)(\S+\/\S+) is invalid|namespaces? "([^"]+)" not found/,
      ),
    describe: (i, m) => ({
      title: `${name(i.obj)}: the API server rejected ${
        m?.[1] ?? m?.[2] ?? 'an object'
      }`,
      fix: `Correct ${
        m?.[3]
          ? `the namespace ${m[3]} (create it first or fix the reference)`
          : m?.[1] ?? m?.[2] ?? 'the object'
      } at ${where(
        i,
      )} as the message says (\`kubectl apply --dry-run=server\` reproduces it), commit, then run \`${fluxReconcile(
        i.obj,
        ['--with-source'],
      )}\`.`,
    }),
  },
  {
    category: 'prune-failed',
    kinds: KS,
    when: 'Garbage collection of removed objects failed.',
    test: i =>
      has(i, 'PruneFailed') || /prune failed|failed to delete/.test(i.text),
    describe: i => ({
      title: `${name(i.obj)} cannot delete objects removed from git`,
      fix: `Look at the objects the message names (a finalizer, or RBAC of kustomize-controller's service account on them); remove the finalizer or grant the delete, then run \`${fluxReconcile(
        i.obj,
      )}\`.`,
    }),
  },
  // ------------------------------------------------------------ HelmRelease
  {
    category: 'helm-pending-operation',
    kinds: HR,
    when: 'Helm refuses to act because a previous install/upgrade/rollback was interrupted and left the release locked (pending-*).',
    test: i =>
      /another operation \(install\/upgrade\/rollback\) is in progress|has no deployed releases/.test(
        i.text,
      ),
    describe: i => ({
      title: `${name(
        i.obj,
      )}: the Helm release is locked by an interrupted operation`,
      fix: `Run \`${fluxReconcile(i.obj, [
        '--force',
      ])}\` (helm-controller ≥ 1.0 unlocks a pending release on a forced reconcile); with an older controller, \`helm rollback ${
        i.obj.spec?.releaseName ?? i.obj.metadata.name
      } -n ${
        i.obj.spec?.targetNamespace ?? i.obj.metadata.namespace
      }\` to the last deployed revision first.`,
    }),
  },
  {
    category: 'helm-ownership-conflict',
    kinds: HR,
    when: 'An object the chart renders already exists and belongs to another release or to no release.',
    test: i =>
      i.text.match(
        /(\S+ "[^"]+"[^\n]*?) exists and cannot be imported into the current release|invalid ownership metadata/,
      ),
    describe: (i, m) => ({
      title: `${name(i.obj)}: an object it renders is owned by someone else`,
      fix: `${
        m?.[1] ?? 'An object the chart renders'
      } already exists outside this release: delete it, or label/annotate it for the release (meta.helm.sh/release-name, meta.helm.sh/release-namespace, app.kubernetes.io/managed-by: Helm) if it should be adopted; then run \`${fluxReconcile(
        i.obj,
        ['--force'],
      )}\`.`,
    }),
  },
  {
    category: 'helm-render-failed',
    kinds: HR,
    when: 'The chart did not render with the given values (template error, values schema).',
    test: i =>
      i.text.match(
        /execution error at \(([^)]+)\)|values don't meet the specifications of the schema|template: ([^:]+):\d+|parse error at/,
      ),
    describe: i => ({
      title: `${name(i.obj)}: the chart does not render with its values`,
      fix: `Fix spec.values / spec.valuesFrom of ${name(
        i.obj,
      )} as the chart's error says (\`helm template\` with the same values reproduces it), commit, then run \`${fluxReconcile(
        i.obj,
      )}\`.`,
    }),
  },
  {
    category: 'helm-chart-not-found',
    kinds: HR,
    when: 'The chart or chart version the HelmRelease asks for does not exist in the repository.',
    test: i =>
      i.text.match(
        /no chart version found for ([^\s,]+)|no '([^']+)' chart with version matching '([^']+)'|chart "([^"]+)"[^\n]*not found|invalid chart reference/,
      ),
    describe: i => ({
      title: `${name(i.obj)}: chart ${i.obj.spec?.chart?.chart ?? ''} ${
        i.obj.spec?.chart?.version ?? ''
      } is not in the repository`,
      fix: `Set spec.chart.spec.chart and spec.chart.spec.version of ${name(
        i.obj,
      )} to a chart and version ${
        i.source ? `${i.source.kind} ${displayName(i.source)}` : 'the source'
      } serves (\`helm search repo --versions\`), commit, then run \`${fluxReconcile(
        i.obj,
        ['--with-source'],
      )}\`.`,
    }),
  },
  {
    category: 'helm-retries-exhausted',
    kinds: HR,
    when: 'Install or upgrade failed and the remediation retries are used up: helm-controller stops trying until something changes.',
    test: i =>
      has(i, 'RetriesExceeded') ||
      /(install|upgrade) retries exhausted|Failed to (install|upgrade) after \d+ attempt/i.test(
        i.text,
      ),
    describe: i => ({
      title: `${name(i.obj)}: Helm ${
        /upgrade/i.test(i.text) ? 'upgrade' : 'install'
      } failed and retries are exhausted`,
      fix: `Find the first failure in \`kubectl describe helmrelease\` events or status.history (often a workload that never became ready), fix it in git, then run \`${fluxReconcile(
        i.obj,
        ['--reset'],
      )}\` to clear the failure count (or \`--force\` for a one-off ${
        /upgrade/i.test(i.text) ? 'upgrade' : 'install'
      }). To let it retry by itself, set spec.${
        /upgrade/i.test(i.text) ? 'upgrade' : 'install'
      }.remediation.retries (and remediateLastFailure).`,
    }),
  },
  {
    category: 'helm-timeout',
    kinds: HR,
    when: "Install or upgrade failed because the chart's workloads did not become ready within spec.timeout.",
    test: i =>
      (has(i, 'InstallFailed', 'UpgradeFailed') ||
        /Helm (install|upgrade) failed/.test(i.text)) &&
      /context deadline exceeded|timed out waiting for the condition|would exceed context deadline/.test(
        i.text,
      ),
    describe: i => ({
      title: `${name(i.obj)}: the release did not become ready in time`,
      fix: `The chart's workloads in namespace ${
        i.obj.spec?.targetNamespace ?? i.obj.metadata.namespace
      } did not become ready within spec.timeout (${
        i.obj.spec?.timeout ?? '5m'
      }): look at their pods (image pull, crash loop, pending scheduling) and fix the values; then run \`${fluxReconcile(
        i.obj,
        ['--force'],
      )}\`.`,
    }),
  },
  {
    category: 'helm-install-failed',
    kinds: HR,
    when: 'Helm install or upgrade failed for another reason (InstallFailed, UpgradeFailed, RollbackFailed, TestFailed).',
    test: i =>
      has(
        i,
        'InstallFailed',
        'UpgradeFailed',
        'RollbackFailed',
        'TestFailed',
      ) || /Helm (install|upgrade|rollback|test) failed/.test(i.text),
    describe: i => ({
      title: `${name(i.obj)}: Helm ${
        /upgrade/i.test(`${i.reasons.join(' ')} ${i.text}`)
          ? 'upgrade'
          : 'install'
      } failed`,
      fix: `Fix what the message says in the chart values of ${name(
        i.obj,
      )}, commit, then run \`${fluxReconcile(i.obj, [
        '--force',
      ])}\`; set spec.install/upgrade.remediation to roll back or retry automatically.`,
    }),
  },
  {
    category: 'reconcile-failed',
    kinds: [...KS, ...HR],
    when: 'Any other Kustomization or HelmRelease failure.',
    test: () => true,
    describe: i => ({
      title: `${name(i.obj)} fails to reconcile`,
      fix: `Fix what the message says for ${name(
        i.obj,
      )}, commit, then run \`${fluxReconcile(
        i.obj,
        i.obj.kind === 'Kustomization' ? ['--with-source'] : ['--force'],
      )}\`.`,
    }),
  },
  // ------------------------------------------------------------ sources
  {
    category: 'source-auth-failed',
    kinds: SOURCES,
    when: 'The source rejected the credentials (git, Helm/OCI registry, bucket).',
    test: i =>
      /authentication required|authentication failed|Invalid username or password|could not read Username|unable to authenticate|ssh: handshake failed|permission denied \(publickey\)|\b401\b|UNAUTHORIZED|unauthorized|denied: requested access|DENIED: denied|\b403\b Forbidden|AccessDenied|SignatureDoesNotMatch/i.test(
        i.text,
      ) || has(i, 'AuthenticationFailed'),
    describe: i => ({
      title: `${name(i.obj)}: the ${
        i.obj.spec?.url ? new URL(safeUrl(i.obj.spec.url)).host : 'source'
      } rejected the credentials`,
      fix: `Renew the credentials in the Secret spec.secretRef of ${name(
        i.obj,
      )} names${
        i.obj.kind === 'GitRepository'
          ? ' (e.g. `flux create secret git`, with a token or deploy key that can read the repository)'
          : ''
      }, or add spec.secretRef if the ${
        i.obj.kind === 'GitRepository' ? 'repository' : 'registry'
      } is private; then run \`${fluxReconcile(i.obj)}\`.`,
    }),
  },
  {
    category: 'source-ref-not-found',
    kinds: SOURCES,
    when: 'The branch, tag, semver range, commit, chart version or OCI tag asked for does not exist.',
    test: i =>
      i.text.match(
        /couldn't find remote ref "?([^\s"']+)|reference not found|unable to resolve[^\n]*(?:tag|ref)|no matching tags?|no tags found|MANIFEST_UNKNOWN|manifest unknown|revision[^\n]*not found|no chart version found for ([^\s,]+)|no '([^']+)' chart with version matching/,
      ),
    describe: i => ({
      title: `${name(i.obj)}: the requested ${
        i.obj.kind === 'HelmChart' ? 'chart version' : 'ref'
      } does not exist`,
      fix: `Point ${
        i.obj.kind === 'HelmChart' ? 'spec.version' : 'spec.ref'
      } of ${name(i.obj)} at a ${
        i.obj.kind === 'HelmChart' ? 'version' : 'branch/tag'
      } that exists (${
        JSON.stringify(i.obj.spec?.ref ?? {}) === '{}'
          ? 'see the message'
          : `now ${JSON.stringify(i.obj.spec?.ref)}`
      }), or push it; then run \`${fluxReconcile(i.obj)}\`.`,
    }),
  },
  {
    category: 'source-tls',
    kinds: SOURCES,
    when: 'TLS verification of the source host failed (self-signed or private CA).',
    test: i =>
      /x509:|certificate signed by unknown authority|tls: /.test(i.text),
    describe: i => ({
      title: `${name(i.obj)}: TLS verification failed`,
      fix: `Give ${name(
        i.obj,
      )} the host's CA: spec.certSecretRef (ca.crt) naming a Secret in ${
        i.obj.metadata.namespace
      } (for "certificate has expired or is not yet valid", check the server certificate and the node clock instead); then run \`${fluxReconcile(
        i.obj,
      )}\`.`,
    }),
  },
  {
    category: 'source-unreachable',
    kinds: SOURCES,
    when: 'The source host could not be reached (DNS, connection refused, timeout).',
    test: i =>
      /no such host|i\/o timeout|connection refused|connection reset|dial tcp|TLS handshake timeout|network is unreachable|context deadline exceeded/.test(
        i.text,
      ),
    describe: i => ({
      title: `${name(i.obj)}: the source host cannot be reached`,
      fix: `Check spec.url of ${name(i.obj)} (${
        i.obj.spec?.url ?? 'see the message'
      }) and that source-controller can reach it (DNS, egress NetworkPolicy, proxy); then run \`${fluxReconcile(
        i.obj,
      )}\`.`,
    }),
  },
  {
    category: 'source-not-found',
    kinds: SOURCES,
    when: 'The repository, index, artifact or bucket at spec.url does not exist.',
    test: i =>
      /\b404\b|Not Found|not found|repository not found|does not exist|NoSuchBucket|failed to fetch Helm repository index/.test(
        i.text,
      ),
    describe: i => ({
      title: `${name(i.obj)}: nothing at ${i.obj.spec?.url ?? 'spec.url'}`,
      fix: `Correct spec.url of ${name(i.obj)} (${
        i.obj.spec?.url ?? 'see the message'
      }) — for a HelmRepository the URL of the index, for an OCIRepository oci://<registry>/<repository> — then run \`${fluxReconcile(
        i.obj,
      )}\`.`,
    }),
  },
  {
    category: 'source-failed',
    kinds: SOURCES,
    when: 'Any other source failure.',
    test: () => true,
    describe: i => ({
      title: `${name(i.obj)} cannot fetch its artifact`,
      fix: `Fix what the message says for ${name(
        i.obj,
      )}, then run \`${fluxReconcile(i.obj)}\`.`,
    }),
  },
];

function safeUrl(url: string): string {
  const ssh = url.match(/^[\w.-]+@([\w.-]+):/);
  if (ssh) return `ssh://${ssh[1]}`;
  try {
    return new URL(url).toString();
  } catch {
    return 'https://source';
  }
}

/** The first class matching the object's failure, with its match. @public */
export function classifyFluxFailure(
  input: FailureInput,
): { cls: FailureClass; match: RegExpMatchArray | null } | undefined {
  for (const cls of FLUX_FAILURE_CLASSES) {
    if (!cls.kinds.includes(input.obj.kind)) continue;
    const r = cls.test(input);
    if (r) return { cls, match: typeof r === 'boolean' ? null : r };
  }
  return undefined;
}
