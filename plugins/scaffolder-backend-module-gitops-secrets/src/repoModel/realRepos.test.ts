/*
 * The secrets actions on real public Flux repositories (test-data/real-repos,
 * see corpus.json and each folder's SOURCE.md), each seeded into the GitHub
 * simulator. For each repository: what the model finds, and what
 * gitops:secrets:bootstrap does — a pull request whose written objects
 * validate against their CRDs, whose changed folders build with
 * `kubectl kustomize` wherever they built before, that applies no object id
 * twice and keeps every line of the files it extends; or a refusal that
 * says why, with nothing written.
 */
import { validateAny } from '@golden-gitops/crd-schemas';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { createAddExternalSecretAction } from '../actions/secrets/addExternalSecret';
import { createBootstrapAction } from '../actions/secrets/bootstrap';
import { createAddTemplateAction } from '../actions/cluster/addTemplate';
import { createCreateLeafAction } from '../actions/cluster/createLeaf';
import {
  AWS_STORE,
  hasKubectl,
  parseObjects,
} from '../actions/secrets/__testUtils__/fixtures';
import {
  Harness,
  mockContext,
  startHarness,
} from '../github/__testUtils__/harness';
import { buildClusterModel, esoInstalled } from './build';
import { readerFromFiles } from './readers';
import {
  bootstrapOverlay,
  corpusRepos,
  CORPUS_DIR,
  CorpusRepo,
} from './__testUtils__/buildCorpus';

jest.setTimeout(300_000);
const run = promisify(execFile);

/** What each repository is expected to give: the bootstrap's outcome, or the refusal's gist. */
const EXPECTED: Record<
  string,
  {
    entry: 'Kustomization' | 'FluxInstance';
    eso: boolean;
    removedApis?: boolean;
    serviceAccountName?: string;
    bootstrap: 'created' | RegExp;
    /** Default: refused, no store and no ESO. */
    addExternalSecret?: 'created' | RegExp;
    /** The files the bootstrap writes into the repository's own controllers → configs chain. */
    chain?: string[];
    /** Namespace of the ExternalSecret added (default: default). */
    esNamespace?: string;
  }
> = {
  'flux2-kustomize-helm-example-2025': {
    entry: 'Kustomization',
    eso: false,
    bootstrap: 'created',
    chain: [
      'infrastructure/configs/cluster-secret-store-aws-secrets-manager.yaml',
      'infrastructure/configs/kustomization.yaml',
      'infrastructure/controllers/external-secrets.yaml',
      'infrastructure/controllers/kustomization.yaml',
    ],
  },
  'flux2-kustomize-helm-example': {
    entry: 'Kustomization',
    eso: false,
    bootstrap: 'created',
  },
  'flux2-multi-tenancy': {
    entry: 'Kustomization',
    eso: false,
    serviceAccountName: 'kustomize-controller',
    bootstrap: 'created',
  },
  'd2-fleet': {
    entry: 'FluxInstance',
    eso: false,
    // multitenant FluxInstance: the account its own Kustomization (tenants) uses; sourceRef the OCIRepository it syncs.
    serviceAccountName: 'flux-operator',
    bootstrap: 'created',
  },
  'flux2-hub-spoke-example': {
    entry: 'Kustomization',
    eso: false,
    bootstrap: 'created',
  },
  'flux2-monitoring-example': {
    entry: 'Kustomization',
    eso: false,
    bootstrap: 'created',
  },
  'gitops-istio': { entry: 'Kustomization', eso: false, bootstrap: 'created' },
  'k3s-fluxcd-vinolab': {
    entry: 'Kustomization',
    eso: true,
    addExternalSecret: 'created',
    bootstrap:
      /already installed for clusters\/super6[\s\S]*HelmRelease infra\/external-secrets \(infra\/controllers\/base\/external-secrets\.yaml, applied by flux-system\/infra-controllers\), chart 0\.18\.2/,
  },
  'onedr0p-home-ops': {
    entry: 'FluxInstance',
    eso: true,
    esNamespace: 'external-secrets',
    addExternalSecret: 'created',
    bootstrap:
      /External Secrets Operator is already installed for kubernetes\/flux\/cluster[\s\S]*HelmRelease external-secrets\/external-secrets/,
  },
  'onedr0p-home-ops-2024': {
    entry: 'Kustomization',
    eso: true,
    addExternalSecret:
      /is applied into namespace external-secrets \(targetNamespace of Kustomization [^)]*\), so an ExternalSecret for namespace default cannot go there/,
    removedApis: true,
    bootstrap: /already installed[\s\S]*removed \(external-secrets\.io\/v1/,
  },
  'bjw-s-home-ops': {
    entry: 'Kustomization',
    eso: true,
    addExternalSecret:
      /is applied into namespace security \(targetNamespace of Kustomization [^)]*\), so an ExternalSecret for namespace default cannot go there/,
    removedApis: true,
    bootstrap: /already installed[\s\S]*HelmRelease security\/external-secrets/,
  },
  'bjw-s-home-ops-2024': {
    entry: 'Kustomization',
    eso: true,
    addExternalSecret:
      /is applied into namespace security \(targetNamespace of Kustomization [^)]*\), so an ExternalSecret for namespace default cannot go there/,
    removedApis: true,
    bootstrap: /already installed[\s\S]*removed/,
  },
  'buroa-k8s-gitops': {
    entry: 'FluxInstance',
    eso: true,
    bootstrap: /already installed/,
    addExternalSecret:
      /is applied into namespace external-secrets \(targetNamespace of Kustomization [^)]*\), so an ExternalSecret for namespace default cannot go there/,
  },
  'radix-flux': {
    entry: 'Kustomization',
    eso: true,
    bootstrap:
      /already installed for clusters\/development[\s\S]*HelmRelease external-secrets\/external-secrets-operator \(components\/third-party\/externalsecrets\/operator\/helmRelease\.yaml/,
    // Its SecretStore is a shared component applied into three namespaces.
    addExternalSecret:
      /components\/third-party\/externalsecrets\/stores\/secretstore\.yaml is built 3 times/,
  },
  'kochhaus-home': {
    entry: 'FluxInstance',
    eso: true,
    bootstrap: /already installed/,
    addExternalSecret: 'created',
  },
  // The second cluster-level kustomization.yaml (besides radix-flux), and without ESO: the bootstrap's files must
  // join the resources it lists.
  'pumba98-flux2-gitops': {
    entry: 'Kustomization',
    eso: false,
    bootstrap: 'created',
  },
};

async function readTree(
  dir: string,
  prefix = '',
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(path.join(dir, prefix), {
    withFileTypes: true,
  })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(out, await readTree(dir, rel));
    else out[rel] = await readFile(path.join(dir, rel), 'utf8');
  }
  return out;
}

/** The files of `branch` in the simulator's repository, as a person cloning it sees them. */
async function branchTree(
  h: Harness,
  fullName: string,
  branch: string,
): Promise<Record<string, string>> {
  return Object.fromEntries(
    Object.entries(await readTree(await h.clone(fullName, branch))).filter(
      ([p]) => !p.startsWith('.git/'),
    ),
  );
}

async function corpusFiles(repo: CorpusRepo, bootstrapped = true) {
  const files = await readTree(path.join(CORPUS_DIR, repo.name));
  return bootstrapped ? { ...files, ...bootstrapOverlay(repo) } : files;
}

const store = AWS_STORE;

/**
 * Whether `kubectl kustomize dir` builds (the error when not), as Flux's kustomize-controller builds it: files outside
 * the folder may be loaded (e.g. `resources: [../namespaces.yaml]`), which kustomize's default restrictor refuses.
 */
async function builds(dir: string): Promise<true | string> {
  try {
    await run(
      'kubectl',
      ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', dir],
      { maxBuffer: 1 << 26 },
    );
    return true;
  } catch (error: any) {
    return String(error.stderr ?? error.message).split('\n')[0];
  }
}

/** Every line of `before` appears in `after`, in order. */
function keepsLines(before: string, after: string): string[] {
  const out = after.split('\n');
  let i = 0;
  const lost: string[] = [];
  for (const line of before.split('\n')) {
    const at = out.indexOf(line, i);
    if (at < 0) lost.push(line);
    else i = at + 1;
  }
  return lost;
}

/**
 * What is wrong with a pull request the action opened (empty when nothing): written objects its CRDs reject, lines
 * of extended files lost, object ids applied twice, changed folders that built before and do not now.
 */
async function problemsOf(
  h: Harness,
  repo: CorpusRepo,
  fullName: string,
  files: Record<string, string>,
  outputs: Record<string, unknown>,
  kubectl: boolean,
  /** A migration rewrites apiVersion lines of files it did not write: those checks are its own. */
  opts: {
    writtenByUs: boolean;
    /** Lines an edit of a person's file replaces on purpose (a scalar set in place). */
    replaced?: RegExp;
  } = { writtenByUs: true },
): Promise<string[]> {
  const problems: string[] = [];
  const changed = outputs.changedFiles as string[];
  const dir = await h.clone(fullName, outputs.branchName as string);
  for (const file of changed) {
    const text = await readFile(path.join(dir, file), 'utf8');
    if (!opts.writtenByUs) continue;
    for (const o of parseObjects(text)) {
      if (
        o.kind === 'Kustomization' &&
        o.apiVersion.startsWith('kustomize.config')
      )
        continue;
      // Objects with postBuild variables the repository does not hold are not final manifests.
      if (JSON.stringify(o).includes('${')) continue;
      const result = validateAny(o);
      // An object of the repository's that its CRD already rejected before (e.g. on a Flux API removed since) is
      // the repository's to fix; every new object, and every one that validated before, must validate.
      const before = parseObjects(files[file] ?? '').find(
        b => b.kind === o.kind && b.metadata?.name === o.metadata?.name,
      );
      if (!result.valid && !(before && !validateAny(before).valid))
        problems.push(
          `${file}: ${o.kind} ${o.metadata?.name} invalid: ${JSON.stringify(
            result,
          )}`,
        );
    }
    const lost = (
      files[file] === undefined ? [] : keepsLines(files[file], text)
    ).filter(l => !opts.replaced?.test(l));
    if (lost.length) problems.push(`${file}: lines lost: ${lost.join(' | ')}`);
  }
  const tree = Object.fromEntries(
    Object.entries(await readTree(dir)).filter(([p]) => !p.startsWith('.git/')),
  );
  const after = await buildClusterModel(
    readerFromFiles(tree),
    repo.clusterPath,
  );
  for (const d of after.duplicates)
    problems.push(`applied twice: ${d.id} in ${d.files.join(', ')}`);
  if (kubectl) {
    const base = await h.clone(fullName, 'main');
    const folders = new Set([
      repo.clusterPath,
      ...changed.map(f => path.posix.dirname(f)),
    ]);
    for (const folder of folders) {
      if (
        !['kustomization.yaml', 'kustomization.yml'].some(k =>
          existsSync(path.join(dir, folder, k)),
        )
      )
        continue;
      const before = existsSync(path.join(base, folder))
        ? await builds(path.join(base, folder))
        : true;
      const now = await builds(path.join(dir, folder));
      if (before === true && now !== true)
        problems.push(`${folder} built before and does not now: ${now}`);
    }
  }
  return problems;
}

const created = (name: string) => EXPECTED[name].bootstrap === 'created';

describe('the repository model on real repositories', () => {
  const repos = corpusRepos();

  it('has at least 12 repositories, each with its source, commit and licence noted', () => {
    expect(repos.length).toBeGreaterThanOrEqual(12);
    for (const r of repos) {
      expect(r.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(r.licence).toBeTruthy();
      expect(existsSync(path.join(CORPUS_DIR, r.name, 'SOURCE.md'))).toBe(true);
      expect(EXPECTED[r.name]).toBeDefined();
    }
  });

  it.each(repos.map(r => [r.name, r] as const))(
    '%s: finds what applies the cluster path, the lockdown and ESO as installed',
    async (_name, repo) => {
      const files = await corpusFiles(repo);
      const model = await buildClusterModel(
        readerFromFiles(files),
        repo.clusterPath,
      );
      const expected = EXPECTED[repo.name];
      expect({
        entry: model.entry?.kind,
        eso: esoInstalled(model),
        removedApis: model.eso.removedApis.length > 0,
        duplicates: model.duplicates,
        lockedDown: !!model.flags.defaultServiceAccount,
      }).toEqual({
        entry: expected.entry,
        eso: expected.eso,
        removedApis: !!expected.removedApis,
        duplicates: [],
        lockedDown: !!expected.serviceAccountName,
      });
    },
  );

  it('names kustomize patches on kinds it reads, not those on the controllers (synthetic)', async () => {
    const files: Record<string, string> = {
      'clusters/c/kustomization.yaml': [
        'resources: [flux-system, apps.yaml, infra]',
        'patches:',
        '  - target: { kind: Kustomization, name: apps }',
        '    patch: |-',
        '      - op: add',
        '        path: /spec/dependsOn',
        '        value: [{ name: infra }]',
        '  - target: { kind: Deployment, name: kustomize-controller }',
        '    patch: |-',
        '      - op: add',
        '        path: /spec/template/spec/containers/0/args/-',
        '        value: --no-remote-bases=true',
      ].join('\n'),
      'clusters/c/flux-system/gotk-sync.yaml': [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: GitRepository',
        'metadata: { name: flux-system, namespace: flux-system }',
        'spec: { url: https://example.com/fleet.git, ref: { branch: main }, interval: 1m }',
        '---',
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata: { name: flux-system, namespace: flux-system }',
        'spec: { path: ./clusters/c, sourceRef: { kind: GitRepository, name: flux-system }, interval: 10m, prune: true }',
      ].join('\n'),
      'clusters/c/apps.yaml': [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata: { name: apps, namespace: flux-system }',
        'spec: { path: ./apps, sourceRef: { kind: GitRepository, name: flux-system }, interval: 10m, prune: true }',
      ].join('\n'),
      'clusters/c/infra/kustomization.yaml': [
        'resources: [release.yaml]',
        'patchesStrategicMerge: [values.yaml]',
      ].join('\n'),
      'clusters/c/infra/release.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x, namespace: default }',
      'clusters/c/infra/values.yaml':
        'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: { name: r, namespace: default }\nspec: { values: { a: 1 } }',
    };
    const model = await buildClusterModel(readerFromFiles(files), 'clusters/c');
    expect(
      model.unresolved
        .filter(u => u.kind === 'patches')
        .map(u => `${u.where}: ${u.message}`),
    ).toEqual([
      'clusters/c/kustomization.yaml: kustomize patches on Kustomization change the objects built here; they are read as written',
      'clusters/c/infra/kustomization.yaml: kustomize patches on HelmRelease change the objects built here; they are read as written',
    ]);
  });

  it('names the Flux spec.patches it does not apply, and the variables they may set (pumba98-flux2-gitops)', async () => {
    // Its `apps` Kustomization patches every child Kustomization with postBuild.substituteFrom: the children's
    // variables are not "from nowhere", and the model must not say so.
    const repo = repos.find(r => r.name === 'pumba98-flux2-gitops')!;
    const model = await buildClusterModel(
      readerFromFiles(await corpusFiles(repo)),
      repo.clusterPath,
    );
    expect(
      model.unresolved
        .filter(u => u.kind === 'patches')
        .map(u => `${u.where}: ${u.message}`),
    ).toEqual([
      'Kustomization flux-system/apps (base/fallback/apps.yaml): spec.patches (1, on Kustomization) change the objects it applies; they are read as written',
      // kustomize patches: this one replaces bind9-app's dependsOn for the cluster.
      'cluster-apps/fallback/kustomization.yaml: kustomize patches on Kustomization change the objects built here; they are read as written',
      'apps/system-upgrade-controller/kustomization.yaml: kustomize patches on Namespace change the objects built here; they are read as written',
    ]);
    const substitution = model.unresolved.filter(
      u => u.kind === 'substitution',
    );
    expect(substitution.length).toBeGreaterThan(0);
    expect(
      substitution.filter(
        u =>
          !u.message.includes(
            'the spec.patches of Kustomization flux-system/apps (not applied)',
          ),
      ),
    ).toEqual([]);
  });

  it.each(repos.filter(r => r.fluxBootstrap).map(r => [r.name, r] as const))(
    '%s as published (placeholder gotk-sync.yaml): nothing applies the cluster path',
    async (_name, repo) => {
      const model = await buildClusterModel(
        readerFromFiles(await corpusFiles(repo, false)),
        repo.clusterPath,
      );
      expect(model.entry).toBeUndefined();
    },
  );
});

describe('gitops:secrets:bootstrap on real repositories (GitHub simulator)', () => {
  let h: Harness;
  let kubectl = false;
  beforeAll(async () => {
    h = await startHarness();
    kubectl = await hasKubectl();
  });
  afterAll(async () => {
    await h?.stop();
  });
  const bootstrap = () =>
    createBootstrapAction({
      integrations: h.integrations,
      octokitFactory: h.octokitFactory,
    });

  it.each(
    corpusRepos()
      .filter(r => created(r.name))
      .map(r => [r.name, r] as const),
  )(
    '%s: a pull request that validates, builds, applies nothing twice and keeps every line',
    async (_name, repo) => {
      const expected = EXPECTED[repo.name];
      const files = await corpusFiles(repo);
      const { fullName } = await h.newRepo('real', files);
      const m = mockContext({
        repoUrl: h.repoUrl(fullName),
        clusterPath: repo.clusterPath,
        store,
      });
      await bootstrap().handler(m.ctx as any);
      expect(m.outputs.outcome).toBe('created');
      expect(
        await problemsOf(h, repo, fullName, files, m.outputs, kubectl),
      ).toEqual([]);

      const tree = await branchTree(
        h,
        fullName,
        m.outputs.branchName as string,
      );
      const after = await buildClusterModel(
        readerFromFiles(tree),
        repo.clusterPath,
      );
      // One ESO, ours; under --default-service-account every Flux object it wrote carries the repository's account.
      expect(after.eso.helmReleases.map(x => x.id)).toEqual([
        'HelmRelease flux-system/external-secrets',
      ]);
      const written = (m.outputs.changedFiles as string[]).flatMap(f =>
        parseObjects(tree[f]),
      );
      const accounts = written
        .filter(
          o =>
            /toolkit\.fluxcd\.io/.test(o.apiVersion) &&
            ['Kustomization', 'HelmRelease'].includes(o.kind),
        )
        .map(o => o.spec.serviceAccountName);
      expect(new Set(accounts)).toEqual(new Set([expected.serviceAccountName]));
      const [pr] = h.sim.listPulls(fullName);
      expect({
        chain: [...(m.outputs.changedFiles as string[])]
          .sort()
          .filter(f => !f.startsWith(repo.clusterPath)),
        shared: /These folders are shared/.test(pr.body ?? ''),
        found: (pr.body ?? '').includes(
          '## What the repository holds for this cluster',
        ),
      }).toEqual({
        chain: expected.chain ?? [],
        shared: !!expected.chain,
        found: true,
      });
    },
  );

  it.each(
    corpusRepos()
      .filter(r => !created(r.name))
      .map(r => [r.name, r] as const),
  )('%s: refused, saying why, with nothing written', async (_name, repo) => {
    const { fullName } = await h.newRepo('real', await corpusFiles(repo));
    const m = mockContext({
      repoUrl: h.repoUrl(fullName),
      clusterPath: repo.clusterPath,
      store,
    });
    await expect(bootstrap().handler(m.ctx as any)).rejects.toThrow(
      EXPECTED[repo.name].bootstrap as RegExp,
    );
    expect(h.writes()).toEqual({});
  });

  it.each(
    corpusRepos()
      .filter(r => r.fluxBootstrap)
      .map(r => [r.name, r] as const),
  )(
    '%s as published (placeholder gotk-sync.yaml): refused, naming the paths that are applied',
    async (_name, repo) => {
      const { fullName } = await h.newRepo(
        'real',
        await corpusFiles(repo, false),
      );
      const m = mockContext({
        repoUrl: h.repoUrl(fullName),
        clusterPath: repo.clusterPath,
        store,
      });
      await expect(bootstrap().handler(m.ctx as any)).rejects.toThrow(
        new RegExp(
          `clusterPath: no Flux Kustomization or FluxInstance in ${fullName}@main applies ${repo.clusterPath}`,
        ),
      );
      expect(h.writes()).toEqual({});
    },
  );

  it('refuses a cluster path that a hub applies to another cluster through kubeConfig', async () => {
    const repo = corpusRepos().find(r => r.name === 'flux2-hub-spoke-example')!;
    const { fullName } = await h.newRepo('real', await corpusFiles(repo));
    const m = mockContext({
      repoUrl: h.repoUrl(fullName),
      clusterPath: 'clusters/staging/tenants',
      store,
    });
    await expect(bootstrap().handler(m.ctx as any)).rejects.toThrow(
      /clusters\/staging\/tenants is applied by Kustomization staging\/tenants \(hub\/staging\.yaml\) to another cluster through spec\.kubeConfig/,
    );
    // The hub applies infra-controllers itself, but moves everything into the spoke's namespace.
    const m2 = mockContext({
      repoUrl: h.repoUrl(fullName),
      clusterPath: 'clusters/staging/infra-controllers',
      store,
    });
    await expect(bootstrap().handler(m2.ctx as any)).rejects.toThrow(
      /with targetNamespace staging/,
    );
    expect(h.writes()).toEqual({});
  });

  it('into the repository chain, re-running after the merge changes nothing (the ESO it added is its own)', async () => {
    const repo = corpusRepos().find(
      r => r.name === 'flux2-kustomize-helm-example-2025',
    )!;
    const {
      fullName,
      octokit,
      owner,
      repo: name,
    } = await h.newRepo('real', await corpusFiles(repo));
    const input = {
      repoUrl: h.repoUrl(fullName),
      clusterPath: repo.clusterPath,
      store,
    };
    const first = mockContext(input);
    await bootstrap().handler(first.ctx as any);
    await octokit.pulls.merge({
      owner,
      repo: name,
      pull_number: first.outputs.pullRequestNumber as number,
    });
    const again = mockContext(input);
    await bootstrap().handler(again.ctx as any);
    expect(again.outputs.outcome).toBe('nothing-to-change');
  });

  it('refuses a fluxSourceName that names no source of the cluster, listing the sources it has', async () => {
    const repo = corpusRepos().find(
      r => r.name === 'flux2-monitoring-example',
    )!;
    const { fullName } = await h.newRepo('real', await corpusFiles(repo));
    const m = mockContext({
      repoUrl: h.repoUrl(fullName),
      clusterPath: repo.clusterPath,
      store,
      fluxSourceName: 'flux-sytem',
    });
    await expect(bootstrap().handler(m.ctx as any)).rejects.toThrow(
      /^fluxSourceName: names a source the cluster clusters\/test does not have:\n.*spec\.sourceRef → GitRepository flux-system\/flux-sytem[\s\S]*Sources it has:[\s\S]*GitRepository flux-system\/flux-system/,
    );
    expect(h.writes()).toEqual({});
  });

  /** mode migrate-apis: every manifest on a removed ESO API moves to v1, one line each, nothing else changes. */
  async function expectMigrated(
    repo: CorpusRepo,
    files: Record<string, string>,
  ) {
    const { fullName } = await h.newRepo('real-migrate', files);
    const m = mockContext({
      repoUrl: h.repoUrl(fullName),
      clusterPath: repo.clusterPath,
      store,
      mode: 'migrate-apis',
    });
    await bootstrap().handler(m.ctx as any);
    expect(m.outputs.outcome).toBe('created');
    expect(
      await problemsOf(h, repo, fullName, files, m.outputs, kubectl, {
        writtenByUs: false,
      }),
    ).toEqual([]);
    const tree = await branchTree(h, fullName, m.outputs.branchName as string);
    const after = await buildClusterModel(
      readerFromFiles(tree),
      repo.clusterPath,
    );
    expect(after.eso.removedApis).toEqual([]);
    // Only apiVersion lines changed.
    const changedLines = (m.outputs.changedFiles as string[]).flatMap(f => {
      const a = files[f].split('\n');
      return tree[f].split('\n').filter((line, i) => line !== a[i]);
    });
    expect(changedLines.length).toBeGreaterThan(0);
    expect(
      changedLines.filter(
        l => !/^\s*apiVersion: external-secrets\.io\/v1\s*$/.test(l),
      ),
    ).toEqual([]);
  }

  it.each(
    corpusRepos()
      .filter(r => EXPECTED[r.name].removedApis)
      .map(r => [r.name, r] as const),
  )(
    '%s, mode migrate-apis: refused, its chart does not serve external-secrets.io/v1 yet',
    async (_name, repo) => {
      const { fullName } = await h.newRepo(
        'real-migrate',
        await corpusFiles(repo),
      );
      const m = mockContext({
        repoUrl: h.repoUrl(fullName),
        clusterPath: repo.clusterPath,
        store,
        mode: 'migrate-apis',
      });
      await expect(bootstrap().handler(m.ctx as any)).rejects.toThrow(
        /is chart 0\.(9|10)\.\d+, which does not serve external-secrets\.io\/v1 \(served from 0\.16\.0\)[\s\S]*Upgrade the chart to 0\.16\.2 first/,
      );
      expect(h.writes()).toEqual({});
    },
  );

  it('bjw-s-home-ops at chart 0.16.2 (synthetic version), mode migrate-apis: every manifest on a removed ESO API moves to v1, one line each', async () => {
    const { repo, files } = await bjwsAt0162();
    await expectMigrated(repo, files);
  });

  it('mode migrate-apis where no ESO is installed is refused, with nothing written', async () => {
    const repo = corpusRepos().find(r => r.name === 'gitops-istio')!;
    const { fullName } = await h.newRepo(
      'real-migrate',
      await corpusFiles(repo),
    );
    const m = mockContext({
      repoUrl: h.repoUrl(fullName),
      clusterPath: repo.clusterPath,
      store,
      mode: 'migrate-apis',
    });
    await expect(bootstrap().handler(m.ctx as any)).rejects.toThrow(
      /mode: migrate-apis moves an installed ESO's manifests to external-secrets\.io\/v1, but no ESO is installed for clusters\/my-cluster/,
    );
    expect(h.writes()).toEqual({});
  });

  it('layout own-chain writes our own chain even where the repository has one', async () => {
    const repo = corpusRepos().find(
      r => r.name === 'flux2-kustomize-helm-example-2025',
    )!;
    const { fullName } = await h.newRepo('real', await corpusFiles(repo));
    const m = mockContext({
      repoUrl: h.repoUrl(fullName),
      clusterPath: repo.clusterPath,
      store,
      layout: 'own-chain',
    });
    await bootstrap().handler(m.ctx as any);
    expect(m.outputs.changedFiles).toContain(
      'clusters/staging/external-secrets/crds.yaml',
    );
    expect(
      (m.outputs.changedFiles as string[]).some(f =>
        f.startsWith('infrastructure/'),
      ),
    ).toBe(false);
  });

  it('says in the dry run what it found (ESO, lockdown, what it could not resolve)', async () => {
    const repo = corpusRepos().find(r => r.name === 'flux2-multi-tenancy')!;
    const { fullName } = await h.newRepo('real', await corpusFiles(repo));
    const m = mockContext(
      { repoUrl: h.repoUrl(fullName), clusterPath: repo.clusterPath, store },
      { isDryRun: true },
    );
    await bootstrap().handler(m.ctx as any);
    const found = (m.outputs.repository as string[]).join('\n');
    expect(found).toMatch(
      /locked down \(clusters\/staging\/flux-system\/kustomization\.yaml\): --default-service-account=default, --no-cross-namespace-refs, --no-remote-bases/,
    );
    expect(found).toMatch(
      /serviceAccountName kustomize-controller on every Flux object written \(as Kustomization/,
    );
    expect(found).toMatch(/External Secrets Operator: none found/);
    expect(found).toMatch(
      /OCIRepository flux-system\/kyverno-controller, not this repository/,
    );
    expect(h.writes()).toEqual({});
  });
});

describe('gitops:secrets:add-external-secret on real repositories (GitHub simulator)', () => {
  let h: Harness;
  let kubectl = false;
  beforeAll(async () => {
    h = await startHarness();
    kubectl = await hasKubectl();
  });
  afterAll(async () => {
    await h?.stop();
  });
  const addExternalSecret = () =>
    createAddExternalSecretAction({
      integrations: h.integrations,
      octokitFactory: h.octokitFactory,
    });
  const esCreated = (name: string) =>
    EXPECTED[name].addExternalSecret === 'created';

  const namespaceOf = (
    repo: CorpusRepo,
    found?: { kind: string; namespace?: string },
  ) =>
    EXPECTED[repo.name].esNamespace ??
    (found?.kind === 'SecretStore' ? found.namespace! : 'default');

  /** The action's input: the repository's own first store, when it has one. */
  async function setUp(repo: CorpusRepo) {
    const files = await corpusFiles(repo);
    const model = await buildClusterModel(
      readerFromFiles(files),
      repo.clusterPath,
    );
    // A ClusterSecretStore first; else a SecretStore, in its own namespace.
    const found =
      model.objects.find(o => o.kind === 'ClusterSecretStore') ??
      model.objects.find(o => o.kind === 'SecretStore');
    const { fullName } = await h.newRepo('real-es', files);
    const m = mockContext({
      repoUrl: h.repoUrl(fullName),
      clusterPath: repo.clusterPath,
      name: 'backstage-test',
      namespace: namespaceOf(repo, found),
      storeRef: {
        kind: found?.kind ?? 'ClusterSecretStore',
        name: found?.name ?? 'aws-secrets-manager',
      },
      data: [{ secretKey: 'password', remoteRef: { key: 'backstage-test' } }],
    });
    return { files, fullName, m };
  }

  it.each(
    corpusRepos()
      .filter(r => esCreated(r.name))
      .map(r => [r.name, r] as const),
  )(
    '%s: an ExternalSecret beside the store, after the operator',
    async (_name, repo) => {
      const { files, fullName, m } = await setUp(repo);
      await addExternalSecret().handler(m.ctx as any);
      expect(m.outputs.outcome).toBe('created');
      expect(
        await problemsOf(h, repo, fullName, files, m.outputs, kubectl),
      ).toEqual([]);
      const tree = await branchTree(
        h,
        fullName,
        m.outputs.branchName as string,
      );
      const after = await buildClusterModel(
        readerFromFiles(tree),
        repo.clusterPath,
      );
      expect(
        after.objects
          .filter(
            o => o.kind === 'ExternalSecret' && o.name === 'backstage-test',
          )
          .map(o => o.namespace),
      ).toEqual([m.ctx.input.namespace]);
    },
  );

  it.each(
    corpusRepos()
      .filter(r => !esCreated(r.name))
      .map(r => [r.name, r] as const),
  )('%s: refused, saying why, with nothing written', async (_name, repo) => {
    const { m } = await setUp(repo);
    await expect(addExternalSecret().handler(m.ctx as any)).rejects.toThrow(
      (EXPECTED[repo.name].addExternalSecret as RegExp | undefined) ??
        /applies no ClusterSecretStore named "aws-secrets-manager"\. Stores it applies: none\. ESO is not installed/,
    );
    expect(h.writes()).toEqual({});
  });
});

/** mode adopt on each corpus repository with ESO: both pull requests, or the refusal of the first that is refused. */
const ADOPT: Record<
  string,
  { keepCrds: 'created' | RegExp; split?: 'created' | RegExp }
> = {
  'onedr0p-home-ops': { keepCrds: 'created', split: 'created' },
  'buroa-k8s-gitops': { keepCrds: 'created', split: 'created' },
  'kochhaus-home': { keepCrds: 'created', split: 'created' },
  'radix-flux': { keepCrds: 'created', split: 'created' },
  'onedr0p-home-ops-2024': {
    keepCrds:
      /is chart 0\.9\.18: ESO's CRDs before 0\.16\.1 use a conversion webhook/,
  },
  'bjw-s-home-ops': { keepCrds: /is chart 0\.10\.4/ },
  'bjw-s-home-ops-2024': { keepCrds: /is chart 0\.9\.18/ },
  // Its ESO HelmRelease is a base both clusters build: the hand-over would leave the other without CRD updates.
  'k3s-fluxcd-vinolab': {
    keepCrds: 'created',
    split: /also applied for other clusters[\s\S]*clusters\/mockpie/,
  },
};

/**
 * bjw-s-home-ops with its ESO chart at 0.16.2 instead of 0.10.4 (synthetic: one version line changed, to have a
 * real layout on removed APIs that adopt can take; 0.16.2 serves v1beta1 and v1).
 */
async function bjwsAt0162() {
  const repo = corpusRepos().find(r => r.name === 'bjw-s-home-ops')!;
  const files = await corpusFiles(repo);
  const hr =
    'kubernetes/main/apps/security/external-secrets/app/helmrelease.yaml';
  expect(files[hr]).toMatch(/version: 0\.10\.4/);
  return {
    repo,
    files: {
      ...files,
      [hr]: files[hr].replace('version: 0.10.4', 'version: 0.16.2'),
    },
  };
}

describe('gitops:secrets:bootstrap mode adopt on real repositories (GitHub simulator)', () => {
  let h: Harness;
  let kubectl = false;
  beforeAll(async () => {
    h = await startHarness();
    kubectl = await hasKubectl();
  });
  afterAll(async () => {
    await h?.stop();
  });
  const bootstrap = () =>
    createBootstrapAction({
      integrations: h.integrations,
      octokitFactory: h.octokitFactory,
    });

  /** Runs adopt, merges its pull request, and returns the outputs and the tree after the merge. */
  async function adoptAndMerge(
    gh: Awaited<ReturnType<Harness['newRepo']>>,
    repo: CorpusRepo,
    files: Record<string, string>,
  ) {
    const m = mockContext({
      repoUrl: h.repoUrl(gh.fullName),
      clusterPath: repo.clusterPath,
      store,
      mode: 'adopt',
    });
    const before = h.sim.counters().total;
    await bootstrap().handler(m.ctx as any);
    const requests = h.sim.counters().total - before;
    expect(m.outputs.outcome).toBe('created');
    expect(
      await problemsOf(h, repo, gh.fullName, files, m.outputs, kubectl, {
        writtenByUs: true,
        replaced:
          /^\s*(installCRDs: true|wait: false|apiVersion: external-secrets\.io\/v1(alpha1|beta1))\s*$/,
      }),
    ).toEqual([]);
    await gh.octokit.pulls.merge({
      owner: gh.owner,
      repo: gh.repo,
      pull_number: m.outputs.pullRequestNumber as number,
    });
    const tree = await branchTree(h, gh.fullName, 'main');
    return { m, tree, requests };
  }

  async function expectAdopted(
    repo: CorpusRepo,
    files: Record<string, string>,
    expected: { keepCrds: 'created' | RegExp; split?: 'created' | RegExp },
  ) {
    const gh = await h.newRepo('real-adopt', files);
    const input = {
      repoUrl: h.repoUrl(gh.fullName),
      clusterPath: repo.clusterPath,
      store,
      mode: 'adopt',
    };
    if (expected.keepCrds !== 'created') {
      await expect(
        bootstrap().handler(mockContext(input).ctx as any),
      ).rejects.toThrow(expected.keepCrds);
      expect(h.writes()).toEqual({});
      return;
    }
    const first = await adoptAndMerge(gh, repo, files);
    // Step 1 changes only the chart's values: the live CRDs get helm.sh/resource-policy: keep.
    const before = await buildClusterModel(
      readerFromFiles(files),
      repo.clusterPath,
    );
    const hrFile = before.eso.helmReleases[0].file;
    expect(first.m.outputs.changedFiles).toEqual([hrFile]);
    const hr = parseObjects(first.tree[hrFile]).find(
      o => o.kind === 'HelmRelease',
    )!;
    expect(hr.spec.values.crds.annotations).toEqual({
      'helm.sh/resource-policy': 'keep',
    });
    if (expected.split !== 'created') {
      await expect(
        bootstrap().handler(mockContext(input).ctx as any),
      ).rejects.toThrow(expected.split);
      return;
    }
    const second = await adoptAndMerge(gh, repo, first.tree);
    // The issue's budget for a bootstrap PR holds for each adopt PR too (one GraphQL query per 250 manifests).
    expect([first.requests, second.requests].map(r => r <= 10)).toEqual([
      true,
      true,
    ]);
    const after = await buildClusterModel(
      readerFromFiles(second.tree),
      repo.clusterPath,
    );
    const op = before.kustomizations.find(
      k =>
        `${k.namespace ?? 'flux-system'}/${k.name}` ===
        before.eso.helmReleases[0].appliedBy,
    )!;
    const opAfter = after.kustomizations.find(
      k => k.name === op.name && k.file === op.file,
    )!;
    const crds = after.kustomizations.find(
      k => k.name === 'external-secrets-crds',
    )!;
    const source = after.sources.find(s => s.name === 'external-secrets-crds')!;
    const hrAfter = after.helmReleases.find(x => x.file === hrFile)!;
    expect({
      crdsApplied: !!crds && crds.appliedBy === opAfter.appliedBy,
      crdsWait: crds?.wait,
      tag: source?.ref,
      operatorWaits: opAfter.wait,
      operatorDependsOn: opAfter.dependsOn
        .map(d => d.name)
        .includes('external-secrets-crds'),
      installCRDs: hrAfter.raw.spec.values.installCRDs,
      removedApis: after.eso.removedApis.length,
      oneEso: after.eso.helmReleases.length,
      duplicates: after.duplicates,
    }).toEqual({
      crdsApplied: true,
      crdsWait: true,
      tag: `v${before.eso.helmReleases[0].version}`,
      operatorWaits: true,
      operatorDependsOn: true,
      installCRDs: false,
      removedApis: 0,
      oneEso: 1,
      duplicates: [],
    });
    // Every Kustomization applying ESO objects now waits for the operator, except those the PR names.
    const body = h.sim.listPulls(gh.fullName).slice(-1)[0].body ?? '';
    const key = (k: { namespace?: string; name: string }) =>
      `${k.namespace ?? 'flux-system'}/${k.name}`;
    const reaches = (from: string): boolean => {
      const seen = new Set<string>();
      const stack = [from];
      while (stack.length) {
        const k = stack.pop()!;
        if (k === key(opAfter)) return true;
        if (seen.has(k)) continue;
        seen.add(k);
        const info = after.kustomizations.find(x => key(x) === k);
        for (const d of info?.dependsOn ?? [])
          stack.push(
            `${d.namespace ?? info!.namespace ?? 'flux-system'}/${d.name}`,
          );
      }
      return false;
    };
    const notWaiting = [
      ...new Set(after.eso.resources.map(r => r.appliedBy)),
    ].filter(k => !reaches(k));
    for (const k of notWaiting) expect(body).toContain(`applied by ${k}`);
    // Re-running after both merges changes nothing.
    const again = mockContext(input);
    await bootstrap().handler(again.ctx as any);
    expect(again.outputs.outcome).toBe('nothing-to-change');
  }

  it.each(Object.entries(ADOPT))('%s', async (name, expected) => {
    const repo = corpusRepos().find(r => r.name === name)!;
    await expectAdopted(repo, await corpusFiles(repo), expected);
  });

  it('bjw-s-home-ops at chart 0.16.2 (synthetic version): adopted, and its v1beta1 manifests move to v1', async () => {
    const { repo, files } = await bjwsAt0162();
    await expectAdopted(repo, files, { keepCrds: 'created', split: 'created' });
  });

  it('where no ESO is installed: refused, nothing to adopt', async () => {
    const repo = corpusRepos().find(r => r.name === 'gitops-istio')!;
    const files = await corpusFiles(repo);
    await expectAdopted(repo, files, {
      keepCrds:
        /no HelmRelease of the external-secrets chart applies for clusters\/my-cluster; there is nothing to adopt/,
    });
  });
});

/**
 * The cluster actions with each corpus repository's cluster as the management cluster: add-template, merged, then
 * create-leaf from that template (without the shared secrets bootstrap, which the corpus does not hold). Every
 * repository gets both pull requests, checked like the secrets actions', and what they write is applied for the
 * management cluster.
 */
describe('gitops:cluster:* on real repositories (GitHub simulator)', () => {
  let h: Harness;
  let kubectl = false;
  beforeAll(async () => {
    h = await startHarness();
    kubectl = await hasKubectl();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it.each(corpusRepos().map(r => [r.name, r] as const))(
    '%s: add-template, then create-leaf: pull requests that validate, build, apply nothing twice and are applied',
    async (_name, repo) => {
      const files = await corpusFiles(repo);
      const gh = await h.newRepo('real-cluster', files);
      const actions = {
        addTemplate: createAddTemplateAction({
          integrations: h.integrations,
          octokitFactory: h.octokitFactory,
        }),
        createLeaf: createCreateLeafAction({
          integrations: h.integrations,
          octokitFactory: h.octokitFactory,
        }),
      };
      const base = {
        repoUrl: h.repoUrl(gh.fullName),
        managementClusterPath: repo.clusterPath,
      };
      const add = mockContext(base);
      await actions.addTemplate.handler(add.ctx as any);
      expect(add.outputs.outcome).toBe('created');
      expect(
        await problemsOf(h, repo, gh.fullName, files, add.outputs, kubectl),
      ).toEqual([]);
      await gh.octokit.pulls.merge({
        owner: gh.owner,
        repo: gh.repo,
        pull_number: add.outputs.pullRequestNumber as number,
      });
      const merged = await branchTree(h, gh.fullName, 'main');
      const leaf = mockContext({
        ...base,
        templateName: 'leaf-cluster',
        secretsBootstrap: false,
        parameters: {
          CLUSTER_NAME: 'backstage-leaf-1',
          NAMESPACE: 'default',
          KUBERNETES_VERSION: 'v1.35.0',
          CONTROL_PLANE_MACHINE_COUNT: '1',
          WORKER_MACHINE_COUNT: 1,
        },
      });
      await actions.createLeaf.handler(leaf.ctx as any);
      expect(leaf.outputs.outcome).toBe('created');
      expect(
        await problemsOf(h, repo, gh.fullName, merged, leaf.outputs, kubectl),
      ).toEqual([]);
      // What both pull requests wrote is applied for the management cluster (not left in a folder nothing builds).
      const after = await branchTree(
        h,
        gh.fullName,
        leaf.outputs.branchName as string,
      );
      const model = await buildClusterModel(
        readerFromFiles(after),
        repo.clusterPath,
      );
      const applied = new Set(model.objects.map(o => o.file));
      const written = [
        ...(add.outputs.changedFiles as string[]),
        ...(leaf.outputs.changedFiles as string[]),
      ].filter(f =>
        parseObjects(after[f] ?? '').some(
          o => !o.apiVersion.startsWith('kustomize.config'),
        ),
      );
      expect(written.filter(f => !applied.has(f))).toEqual([]);
    },
  );
});
