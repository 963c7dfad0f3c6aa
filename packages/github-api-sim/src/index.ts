/**
 * A GitHub REST API simulator backed by real bare git repositories, for tests and the local demo.
 *
 * @packageDocumentation
 */
export { startGithubApiSim } from './server';
export { allowFetchTo } from './testing';
export type {
  CreateRepoOptions,
  GithubApiSim,
  GithubApiSimOptions,
  GithubFaults,
  PullRequest,
  RequestCounters,
  TokenGrant,
} from './types';
