import { InputError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { redactSecrets, registerSecret } from './errors';
import { parseRepoUrl } from './parseRepoUrl';

/**
 * The Octokit the actions use: REST methods plus retry and throttling. Typed as the REST Octokit: the two plugins
 * change behaviour, not the API the actions call, and their inferred types would make the published .d.ts import
 * Octokit's internal packages (`octokit`, `@octokit/core`), which adopters do not have as dependencies.
 */
export const GitopsOctokit: typeof Octokit = Octokit.plugin(throttling, retry);
/** @public */
export type GitopsOctokitClient = InstanceType<typeof GitopsOctokit>;

/** Creates an authenticated Octokit for the repository a `repoUrl` names. */
export type OctokitFactory = (opts: {
  repoUrl: string;
  token?: string;
}) => Promise<{
  octokit: Octokit;
  owner: string;
  repo: string;
  host: string;
}>;

/** Options of {@link createOctokitFactory}. */
export interface OctokitFactoryOptions {
  integrations: ScmIntegrationRegistry;
  credentialsProvider?: GithubCredentialsProvider;
  /** Retries after a secondary rate limit or a 5xx (default 3). */
  retries?: number;
  /**
   * Milliseconds per second of `retry-after` (and per backoff step). Default
   * 1000; tests shrink it so retried faults do not slow them down.
   */
  retryAfterBaseValueMs?: number;
  /**
   * Space write requests one second apart, as GitHub asks of integrations that
   * create content (default true). Tests turn it off.
   */
  paceWrites?: boolean;
  /** Receives warnings about retries (never the token). */
  logger?: { warn(message: string): void };
}

// plugin-throttling schedules each request through Bottleneck groups; this stand-in runs a job at once.
const immediateGroup = {
  key: () => ({
    schedule: (
      _options: unknown,
      fn: (...args: unknown[]) => unknown,
      ...args: unknown[]
    ) => fn(...args),
  }),
};

/** A GraphQL operation that only reads: `query …` or the `{ … }` shorthand. */
function isQuery(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  const code = text.replace(/#[^\n]*/g, '').trimStart();
  return code.startsWith('{') || /^query\b/.test(code);
}

/** `paced`, except that queries are sent with `reader`. */
function queriesVia(
  paced: GitopsOctokitClient['graphql'],
  reader: GitopsOctokitClient['graphql'],
): GitopsOctokitClient['graphql'] {
  const graphql = (query: unknown, parameters?: unknown) => {
    const text =
      typeof query === 'string' ? query : (query as { query?: unknown })?.query;
    return (isQuery(text) ? reader : paced)(query as any, parameters as any);
  };
  return Object.assign(graphql, {
    defaults: paced.defaults,
    endpoint: paced.endpoint,
  }) as GitopsOctokitClient['graphql'];
}

/**
 * Rewrites every error of the HTTP layer before it surfaces: the configured token (and anything shaped like a
 * credential) is replaced in its message and in GitHub's answer, whatever path the error takes afterwards. The
 * error object is kept (status, headers) so the retry and throttling plugins still see it.
 */
function redactErrors(octokit: GitopsOctokitClient) {
  octokit.hook.error('request', error => {
    const e = error as {
      message?: string;
      response?: { data?: { message?: unknown } };
    };
    if (typeof e.message === 'string') {
      try {
        e.message = redactSecrets(e.message);
      } catch {
        // A read-only message: GithubPublishError redacts it again.
      }
    }
    const data = e.response?.data;
    if (data && typeof data.message === 'string')
      data.message = redactSecrets(data.message);
    throw error;
  });
}

/**
 * Builds an {@link OctokitFactory}: credentials from `integrations.github`
 * through `DefaultGithubCredentialsProvider` (token or GitHub App), the API
 * base URL of the matching integration (GitHub Enterprise; `octokit.graphql`
 * derives `…/api/graphql` from it), retry with backoff on 5xx, and throttling
 * that waits out secondary rate limits and paces writes (GraphQL queries are
 * not paced).
 */
export function createOctokitFactory(
  options: OctokitFactoryOptions,
): OctokitFactory {
  const {
    integrations,
    retries = 3,
    retryAfterBaseValueMs = 1000,
    paceWrites = true,
    logger,
  } = options;
  const credentialsProvider =
    options.credentialsProvider ??
    DefaultGithubCredentialsProvider.fromIntegrations(integrations);

  return async ({ repoUrl, token }) => {
    const { host, owner, repo } = parseRepoUrl(repoUrl);
    const integration = integrations.github.byHost(host);
    if (!integration) {
      throw new InputError(
        `repoUrl: no GitHub integration is configured for host ${host} (integrations.github in app-config)`,
      );
    }
    let auth = token;
    if (!auth) {
      const credentials = await credentialsProvider.getCredentials({
        url: `https://${host}/${encodeURIComponent(owner)}/${encodeURIComponent(
          repo,
        )}`,
      });
      auth = credentials.token;
    }
    if (!auth) {
      throw new InputError(
        `repoUrl: no GitHub credentials for ${host}/${owner}/${repo}; configure a token or a GitHub App under integrations.github`,
      );
    }
    registerSecret(auth);
    // A header value with a line break or space is refused by fetch, which quotes it whole in its error: refuse it
    // here, without showing it.
    // eslint-disable-next-line no-control-regex
    if (/[\s\u0000-\u001f\u007f]/.test(auth)) {
      throw new InputError(
        `${
          token ? 'token' : `the GitHub credentials configured for ${host}`
        }: must not contain spaces, line breaks or control characters (the value is not shown)`,
      );
    }
    const throttle = {
      retryAfterBaseValue: retryAfterBaseValueMs,
      fallbackSecondaryRateRetryAfter: 60,
      onSecondaryRateLimit: (
        retryAfter: number,
        requestOptions: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        logger?.warn(
          `GitHub secondary rate limit on ${requestOptions.method} ${
            requestOptions.url
          }; retry ${retryCount + 1}/${retries} in ${retryAfter}s`,
        );
        return retryCount < retries;
      },
      onRateLimit: (
        retryAfter: number,
        requestOptions: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        logger?.warn(
          `GitHub rate limit exhausted on ${requestOptions.method} ${requestOptions.url}; resets in ${retryAfter}s`,
        );
        // Waiting up to two minutes is fine inside a task; longer is better reported.
        return retryCount < 1 && retryAfter <= 120;
      },
    };
    const unpaced = { write: immediateGroup, notifications: immediateGroup };
    const create = (paced: boolean) =>
      new GitopsOctokit({
        auth,
        baseUrl: integration.config.apiBaseUrl,
        request: { timeout: 60_000 },
        retry: { retries, retryAfterBaseValue: retryAfterBaseValueMs },
        throttle: { ...(paced ? {} : unpaced), ...throttle } as any,
      });
    const octokit = create(paceWrites);
    redactErrors(octokit);
    if (paceWrites) {
      // plugin-throttling paces every GraphQL request like a write (it cannot tell a query from a mutation), which
      // would hold the first write a second behind the snapshot query. Queries go through a twin with the same
      // retries and rate-limit handling, without the write pacing; mutations stay paced.
      const reader = create(false);
      redactErrors(reader);
      octokit.graphql = queriesVia(octokit.graphql, reader.graphql);
    }
    return { octokit: octokit as unknown as Octokit, owner, repo, host };
  };
}
