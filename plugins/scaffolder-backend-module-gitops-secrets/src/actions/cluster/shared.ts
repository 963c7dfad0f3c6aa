import { InputError } from '@backstage/errors';
import { parseAllDocuments } from 'yaml';
import { FileChange, GitopsRepo } from '../../github';
import {
  addKustomizeResources,
  kustomizeConfig,
  toYaml,
} from '../../manifests/secrets/yaml';

/*
 * Repository reads and kustomization wiring both cluster actions share. Everything here only
 * reads the base branch; the actions publish the resulting files in one commit.
 */

/** A Kubernetes object found in the repository, with the file it is in. */
export interface FoundObject {
  path: string;
  object: Record<string, any>;
}

/**
 * Every object in the YAML files under `dir` (not under `flux-system/`, which holds Flux's
 * own large manifests). Files that do not parse are skipped and reported in `unreadable`.
 */
export async function scanObjects(
  repo: GitopsRepo,
  dir: string,
  limit = 500,
): Promise<{
  objects: FoundObject[];
  unreadable: string[];
  truncated: boolean;
}> {
  const all = (await repo.listFiles(dir)).filter(
    p => /\.ya?ml$/.test(p) && !p.split('/').includes('flux-system'),
  );
  // Bounded: one read per file; a management folder with more is unusual and is reported.
  const files = all.slice(0, limit);
  const objects: FoundObject[] = [];
  const unreadable: string[] = [];
  const contents = await Promise.all(files.map(f => repo.readFile(f)));
  files.forEach((path, i) => {
    const text = contents[i];
    if (text === undefined) return;
    const docs = parseAllDocuments(text);
    for (const doc of docs) {
      if (doc.errors.length) {
        unreadable.push(path);
        return;
      }
      const object = doc.toJS();
      if (
        object &&
        typeof object === 'object' &&
        typeof object.kind === 'string'
      )
        objects.push({ path, object });
    }
  });
  return { objects, unreadable, truncated: all.length > files.length };
}

const isUnder = (path: string, dir: string) =>
  path === dir || path.startsWith(`${dir}/`);

/**
 * Makes `entries` (paths relative to `dir`) part of what Flux applies:
 * - `dir/kustomization.yaml` exists → the entries are added to its resources;
 * - `dir` holds no file yet → a kustomization.yaml listing them is created, and `dir` is added
 *   to `parent/kustomization.yaml` when that file exists;
 * - `dir` holds files but no kustomization.yaml → nothing to do: Flux applies every file of a
 *   folder without one (creating one would stop it applying the others).
 */
export async function wireIntoKustomizations(
  repo: GitopsRepo,
  opts: { dir: string; entries: string[]; parent?: string },
): Promise<{ files: FileChange[]; notes: string[] }> {
  const { dir, entries, parent } = opts;
  const files: FileChange[] = [];
  const notes: string[] = [];
  const kustomizationPath = `${dir}/kustomization.yaml`;
  const existing = await repo.readFile(kustomizationPath);
  let listed = false;
  if (existing !== undefined) {
    const updated = addKustomizeResources(kustomizationPath, existing, entries);
    if (updated !== existing)
      files.push({ path: kustomizationPath, content: updated, update: true });
    listed = true;
  } else {
    const present = await repo.listFiles(dir);
    if (present.length === 0) {
      files.push({
        path: kustomizationPath,
        content: toYaml([kustomizeConfig(entries)]),
      });
      listed = true;
    } else {
      notes.push(
        `${dir}/ has no kustomization.yaml, so Flux applies every file in it, including the new ones.`,
      );
    }
  }
  if (listed && parent && isUnder(dir, parent) && dir !== parent) {
    const parentPath = `${parent}/kustomization.yaml`;
    const parentText = await repo.readFile(parentPath);
    if (parentText !== undefined) {
      const relative = dir.slice(parent.length + 1);
      const updated = addKustomizeResources(parentPath, parentText, [relative]);
      if (updated !== parentText)
        files.push({ path: parentPath, content: updated, update: true });
    }
  }
  return { files, notes };
}

/** Joins repository paths, dropping empty segments. */
export const joinPath = (...parts: string[]) =>
  parts
    .flatMap(p => p.split('/'))
    .filter(Boolean)
    .join('/');

/** Relative path of `path` inside `dir`. */
export const relativeTo = (dir: string, path: string) => {
  if (!isUnder(path, dir)) throw new InputError(`${path} is not inside ${dir}`);
  return path.slice(dir.length + 1);
};

export { isUnder };

/** A fenced block for PR descriptions. */
export const fence = (lang: string, body: string) =>
  `\`\`\`${lang}\n${body}\n\`\`\``;
