import {
  FileChange,
  GitopsRepo,
  planChanges,
  conflictError,
  PublishResult,
} from '../../github';
import { z } from '../../validation';

/** Outputs both secrets actions give. */
export const publishOutputSchema = z.object({
  outcome: z
    .enum([
      'created',
      'updated',
      'unchanged',
      'nothing-to-change',
      'would-change',
    ])
    .describe(
      'created / updated / unchanged: the pull request; nothing-to-change: the target branch already has it (no PR); would-change: dry run.',
    ),
  message: z.string().describe('One line saying what happened.'),
  pullRequestUrl: z
    .string()
    .optional()
    .describe('Web URL of the pull request.'),
  pullRequestNumber: z
    .number()
    .optional()
    .describe('Number of the pull request.'),
  branchName: z.string().describe('The branch holding the change.'),
  targetBranch: z.string().describe('The branch the pull request targets.'),
  commitSha: z.string().optional().describe('Head commit of the branch.'),
  changedFiles: z
    .array(z.string())
    .describe('Files that differ from the target branch.'),
  files: z
    .array(
      z.object({
        path: z.string().describe('Path from the repository root.'),
        content: z.string().describe('The file as it would be written.'),
      }),
    )
    .optional()
    .describe('Dry run only: every rendered file with its content.'),
  repository: z
    .array(z.string())
    .optional()
    .describe(
      'Dry run only: what the action found in the repository for this cluster (what applies it, lockdown, ESO installed, what it could not resolve).',
    ),
});

/** Slug of a path for branch names: clusters/a/b → clusters-a-b. */
export function slug(path: string): string {
  return path.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
}

type Output = (name: string, value: any) => void;

/** Dry run: report the rendered files and what would change; no write. */
export async function outputDryRun(
  output: Output,
  repo: GitopsRepo,
  branchName: string,
  files: FileChange[],
  overwrite: boolean | undefined,
) {
  const plan = await planChanges(repo, files, overwrite);
  if (plan.conflicts.length) throw conflictError(repo, plan.conflicts);
  const changed = plan.changed.map(f => f.path);
  output('outcome', changed.length ? 'would-change' : 'nothing-to-change');
  output(
    'message',
    changed.length
      ? `Dry run: would commit ${changed.length} file(s) to ${branchName} and open a pull request against ${repo.baseBranch}`
      : `Dry run: nothing to change, ${repo.baseBranch} already has these files`,
  );
  output('branchName', branchName);
  output('targetBranch', repo.baseBranch);
  output('changedFiles', changed);
  output(
    'files',
    files.map(f => ({ path: f.path, content: f.content })),
  );
}

export function outputResult(
  output: Output,
  repo: GitopsRepo,
  result: PublishResult,
) {
  output('outcome', result.outcome);
  output(
    'message',
    result.outcome === 'nothing-to-change'
      ? `Nothing to change: ${repo.baseBranch} of ${repo.owner}/${repo.repo} already has these files; no pull request was opened`
      : `Pull request #${result.pullRequestNumber} ${result.outcome}: ${result.pullRequestUrl}`,
  );
  output('branchName', result.branchName);
  output('targetBranch', repo.baseBranch);
  output('changedFiles', result.changedFiles);
  if (result.pullRequestUrl) output('pullRequestUrl', result.pullRequestUrl);
  if (result.pullRequestNumber !== undefined)
    output('pullRequestNumber', result.pullRequestNumber);
  if (result.commitSha) output('commitSha', result.commitSha);
}
