/*
 * Trims a checkout of a public GitOps repository to what Flux applies for the
 * given cluster paths (the files the repository model reads, plus every file
 * of each folder kustomize builds, for generators and patch files), so the
 * corpus under test-data/real-repos stays small and every file in it is the
 * original. Manifests too large to keep (Flux's gotk-components.yaml) are
 * replaced by their Namespace and Deployment objects, and the replacement says so.
 *
 *   npx sucrase-node src/repoModel/__testUtils__/trimCorpus.ts <checkout> <out> <clusterPath>...
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import {
  buildClusterModel,
  KUSTOMIZATION_FILES,
  MAX_MANIFEST_BYTES,
} from '../build';
import { readerFromDir } from '../readers';

/** Folders of a Flux-generated build (no kustomization.yaml) to keep only some children of, to keep the corpus small. */
export interface KeepOnly {
  dir: string;
  children: string[];
}

export async function trimCorpus(
  src: string,
  out: string,
  clusterPaths: string[],
  keepOnly?: KeepOnly,
) {
  const { reader, sizes } = await readerFromDir(src);
  const keep = new Set<string>();
  const stubs = new Set<string>();
  for (const clusterPath of clusterPaths) {
    const model = await buildClusterModel(reader, clusterPath, { sizes });
    if (!model.entry) throw new Error(`${clusterPath}: nothing applies it`);
    model.filesRead.forEach(f => keep.add(f));
    keep.add(model.entry.file);
    for (const dir of model.builtDirs) {
      const hasKustomization = KUSTOMIZATION_FILES.some(f =>
        reader.paths.includes(dir ? `${dir}/${f}` : f),
      );
      if (!hasKustomization) continue;
      const prefix = dir ? `${dir}/` : '';
      for (const p of reader.paths) {
        if (p.startsWith(prefix) && !p.slice(prefix.length).includes('/')) {
          if ((sizes.get(p) ?? 0) > MAX_MANIFEST_BYTES) stubs.add(p);
          else keep.add(p);
        }
      }
    }
  }
  if (keepOnly) {
    // Only under a generated build: dropping a child there leaves every kustomization.yaml intact.
    if (
      KUSTOMIZATION_FILES.some(f =>
        reader.paths.includes(`${keepOnly.dir}/${f}`),
      )
    )
      throw new Error(
        `${keepOnly.dir} has a kustomization.yaml: cannot drop children`,
      );
    for (const p of [...keep]) {
      if (!p.startsWith(`${keepOnly.dir}/`)) continue;
      const child = p.slice(keepOnly.dir.length + 1).split('/')[0];
      if (
        p.slice(keepOnly.dir.length + 1).includes('/') &&
        !keepOnly.children.includes(child)
      )
        keep.delete(p);
    }
  }
  for (const p of [...keep].sort()) {
    await mkdir(path.dirname(path.join(out, p)), { recursive: true });
    await copyFile(path.join(src, p), path.join(out, p));
  }
  for (const p of [...stubs].sort()) {
    const text = await readFile(path.join(src, p), 'utf8');
    const kept = parseAllDocuments(text)
      .map(d => d.toJS())
      .filter(o => o && (o.kind === 'Namespace' || o.kind === 'Deployment'));
    await mkdir(path.dirname(path.join(out, p)), { recursive: true });
    await writeFile(
      path.join(out, p),
      `# Trimmed for the test corpus: of the original ${Math.round(
        Buffer.byteLength(text) / 1024,
      )} KiB only the Namespace and Deployment objects are kept.\n${kept
        .map(o => `---\n${stringify(o)}`)
        .join('')}`,
    );
  }
  return { kept: keep.size, stubs: [...stubs] };
}

if (require.main === module) {
  const [src, out, ...paths] = process.argv.slice(2);
  trimCorpus(src, out, paths).then(
    r => console.log(JSON.stringify(r)),
    e => {
      console.error(e);
      process.exit(1);
    },
  );
}
