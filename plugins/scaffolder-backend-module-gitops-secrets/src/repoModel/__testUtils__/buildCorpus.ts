/*
 * Rebuilds test-data/real-repos/<name>/ from corpus.json: each repository at
 * its commit from a local mirror (the search tool's read-only `fetch`, under
 * /work/.mirror/<owner>+<repo>/repo, or MIRROR_ROOT), trimmed by trimCorpus.
 *
 *   npx sucrase-node src/repoModel/__testUtils__/buildCorpus.ts [name...]
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fluxBootstrapSync } from './fluxBootstrap';
import { KeepOnly, trimCorpus } from './trimCorpus';

export interface CorpusRepo {
  name: string;
  repository: string;
  commit: string;
  licence: string;
  layout: string;
  clusterPath: string;
  fluxBootstrap?: boolean;
  /** More clusters of the same repository kept in the trimmed tree (their cases use clusterPath only). */
  otherClusterPaths?: string[];
  keepOnly?: KeepOnly;
}

/** The gotk-sync.yaml `flux bootstrap` writes, for every cluster path of a corpus repository that ships a placeholder. */
export function bootstrapOverlay(repo: CorpusRepo): Record<string, string> {
  if (!repo.fluxBootstrap) return {};
  return Object.assign(
    {},
    ...[repo.clusterPath, ...(repo.otherClusterPaths ?? [])].map(p =>
      fluxBootstrapSync(p, repo.repository),
    ),
  );
}

export const CORPUS_DIR = path.resolve(
  __dirname,
  '../../../test-data/real-repos',
);

export function corpusRepos(): CorpusRepo[] {
  return JSON.parse(readFileSync(path.join(CORPUS_DIR, 'corpus.json'), 'utf8'))
    .repos;
}

async function main(names: string[]) {
  const mirrors = process.env.MIRROR_ROOT ?? '/work/.mirror';
  for (const repo of corpusRepos()) {
    if (names.length && !names.includes(repo.name)) continue;
    const git = path.join(mirrors, repo.repository.replace('/', '+'), 'repo');
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'corpus-'));
    const paths = execFileSync(
      'git',
      ['-C', git, 'ls-tree', '-r', '--name-only', repo.commit],
      { encoding: 'utf8', maxBuffer: 1 << 26 },
    )
      .split('\n')
      .filter(
        p =>
          /\.ya?ml$|^LICEN[CS]E|(^|\/)Kustomization$/.test(p) &&
          !p.startsWith('.'),
      );
    for (const p of paths) {
      const content = execFileSync(
        'git',
        ['-C', git, 'show', `${repo.commit}:${p}`],
        { maxBuffer: 1 << 26 },
      );
      mkdirSync(path.dirname(path.join(tmp, p)), { recursive: true });
      writeFileSync(path.join(tmp, p), content);
    }
    const clusterPaths = [repo.clusterPath, ...(repo.otherClusterPaths ?? [])];
    if (repo.fluxBootstrap) {
      for (const [p, c] of Object.entries(bootstrapOverlay(repo))) {
        mkdirSync(path.dirname(path.join(tmp, p)), { recursive: true });
        writeFileSync(path.join(tmp, p), c);
      }
    }
    const out = path.join(CORPUS_DIR, repo.name);
    rmSync(out, { recursive: true, force: true });
    const result = await trimCorpus(tmp, out, clusterPaths, repo.keepOnly);
    if (repo.fluxBootstrap) {
      // The corpus keeps the repository's own placeholder; tests add the bootstrap's file.
      for (const p of Object.keys(bootstrapOverlay(repo))) {
        if (paths.includes(p)) {
          writeFileSync(
            path.join(out, p),
            execFileSync('git', ['-C', git, 'show', `${repo.commit}:${p}`], {
              maxBuffer: 1 << 26,
            }),
          );
        } else rmSync(path.join(out, p));
      }
    }
    for (const licence of paths.filter(p => /^LICEN[CS]E/.test(p)))
      cpSync(path.join(tmp, licence), path.join(out, licence));
    writeFileSync(
      path.join(out, 'SOURCE.md'),
      `# ${repo.name}\n\nRepository: https://github.com/${
        repo.repository
      }\nCommit: ${repo.commit}\nLicence: ${
        repo.licence
      } (the repository's LICENSE is kept beside this file)\nLayout: ${
        repo.layout
      }\nCluster path: ${clusterPaths.join(', ')}\n\nTrimmed to the ${
        result.kept
      } files Flux applies for that cluster path (src/repoModel/__testUtils__/trimCorpus.ts)${
        repo.keepOnly
          ? `, keeping under ${
              repo.keepOnly.dir
            } (a Flux-generated build) only ${repo.keepOnly.children.join(
              ', ',
            )}`
          : ''
      }; every file is the original${
        result.stubs.length
          ? `, except ${result.stubs.join(
              ', ',
            )} (only its Namespace and Deployment objects kept, and it says so)`
          : ''
      }.\n`,
    );
    rmSync(tmp, { recursive: true, force: true });
    console.log(
      `${repo.name}: ${result.kept} files${
        result.stubs.length ? `, stubs ${result.stubs.join(' ')}` : ''
      }`,
    );
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch(e => {
    console.error(e);
    process.exit(1);
  });
}
