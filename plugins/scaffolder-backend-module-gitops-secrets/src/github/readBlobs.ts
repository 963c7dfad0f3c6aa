/*
 * Many blobs in few requests: one GraphQL query per chunk of blob SHAs, one
 * alias per blob (`b0: object(oid: "…") { … on Blob { text } }`). The
 * repository model reads every manifest of a GitOps repository this way
 * instead of one `GET git/blobs/{sha}` per file.
 */
import { Octokit } from '@octokit/rest';

/** Blobs per query: ~300 manifests of a typical GitOps repository take two requests. */
export const BLOBS_PER_QUERY = 250;

interface BlobResult {
  text: string | null;
  isBinary: boolean | null;
  isTruncated: boolean;
}

/**
 * Texts of the blobs `shas` (deduplicated), keyed by SHA. A blob GitHub
 * truncates, a binary blob or one it does not return is absent from the map:
 * callers report it as unread rather than guess its content.
 */
export async function readBlobTexts(
  octokit: Octokit,
  owner: string,
  repo: string,
  shas: string[],
  perQuery = BLOBS_PER_QUERY,
): Promise<Map<string, string>> {
  const unique = [...new Set(shas)].filter(s => /^[0-9a-f]{40}$/.test(s));
  const out = new Map<string, string>();
  for (let start = 0; start < unique.length; start += perQuery) {
    const chunk = unique.slice(start, start + perQuery);
    const fields = chunk
      .map(
        (sha, i) =>
          `b${i}: object(oid: "${sha}") { ... on Blob { text isBinary isTruncated } }`,
      )
      .join('\n    ');
    const query = `query GitopsBlobs($owner: String!, $name: String!) {\n  repository(owner: $owner, name: $name) {\n    ${fields}\n  }\n}`;
    const result = await octokit.graphql<{
      repository: Record<string, BlobResult | null> | null;
    }>(query, { owner, name: repo });
    chunk.forEach((sha, i) => {
      const blob = result.repository?.[`b${i}`];
      if (blob && typeof blob.text === 'string' && !blob.isTruncated) {
        out.set(sha, blob.text);
      }
    });
  }
  return out;
}
