import { InputError } from '@backstage/errors';

/** A GitHub repository named by Backstage's `host?owner=…&repo=…` form. */
export interface RepoCoordinates {
  /** `github.com`, `ghe.example.com` or `127.0.0.1:8099` (port kept). */
  host: string;
  owner: string;
  repo: string;
}

// GitHub's own limits: logins up to 39 characters, repository names up to 100.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Parses the RepoUrlPicker value `host?owner=acme&repo=gitops`. Unlike the
 * scaffolder's generic `parseRepoUrl`, it checks that owner and repo are
 * valid GitHub names, so an injected path (`repo=../x`) never reaches a URL.
 */
export function parseRepoUrl(
  repoUrl: string,
  field = 'repoUrl',
): RepoCoordinates {
  if (typeof repoUrl !== 'string' || !repoUrl.includes('?')) {
    throw new InputError(
      `${field}: must look like "github.com?owner=<owner>&repo=<repo>" (got ${JSON.stringify(
        repoUrl,
      )})`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(`https://${repoUrl}`);
  } catch {
    throw new InputError(
      `${field}: ${JSON.stringify(
        repoUrl,
      )} is not a valid "host?owner=…&repo=…" value`,
    );
  }
  if (parsed.pathname !== '/' || parsed.username || parsed.password) {
    throw new InputError(
      `${field}: must be "host?owner=…&repo=…" without a path or credentials`,
    );
  }
  const owner = parsed.searchParams.get('owner') ?? '';
  const repo = parsed.searchParams.get('repo') ?? '';
  if (!owner)
    throw new InputError(`${field}: the "owner" parameter is missing`);
  if (!repo) throw new InputError(`${field}: the "repo" parameter is missing`);
  if (!OWNER.test(owner)) {
    throw new InputError(
      `${field}: owner ${JSON.stringify(
        owner,
      )} is not a valid GitHub owner name`,
    );
  }
  if (!REPO.test(repo) || repo === '.' || repo === '..') {
    throw new InputError(
      `${field}: repo ${JSON.stringify(
        repo,
      )} is not a valid GitHub repository name`,
    );
  }
  return { host: parsed.host, owner, repo };
}
