/**
 * Every case of the corpus of real status texts (src/rules/__corpus__/status-texts.json):
 * the objects as a cluster would hold them → expected health, root-cause object, finding code,
 * category and fix. See docs/diagnoses.md for the table.
 */

import { readFileSync } from 'fs';
import { join } from 'path';
import type { Condition } from '../conditions';
import type { SlimEvent } from '../events';
import type { ObjectRef } from '../model';
import type { SlimObject } from '../slim';
import { summarizeCluster } from '../summarize';
import { SERVED_ALL, cond, healthyEso, obj } from '../testing/builders';

interface CorpusObject {
  kind: string;
  name: string;
  namespace?: string | null;
  ready?: [string, string, string] | null;
  reconciling?: boolean;
  stalled?: [string, string] | null;
  spec?: Record<string, unknown>;
}

interface CorpusCase {
  id: string;
  url: string;
  licence: string;
  source: string;
  note?: string;
  objects: CorpusObject[];
  events: Array<{
    kind: string;
    name: string;
    namespace?: string | null;
    type: string;
    reason: string;
    message: string;
  }>;
  expected: {
    root: string;
    health: string;
    code: string;
    category: string | null;
    fixIncludes: string[];
    blocks?: string[];
  };
}

const corpus: { cases: CorpusCase[] } = JSON.parse(
  readFileSync(join(__dirname, '__corpus__', 'status-texts.json'), 'utf8'),
);

const API_VERSION: Record<string, string> = {
  Kustomization: 'kustomize.toolkit.fluxcd.io/v1',
  HelmRelease: 'helm.toolkit.fluxcd.io/v2',
  GitRepository: 'source.toolkit.fluxcd.io/v1',
  OCIRepository: 'source.toolkit.fluxcd.io/v1',
  HelmRepository: 'source.toolkit.fluxcd.io/v1',
  HelmChart: 'source.toolkit.fluxcd.io/v1',
  Bucket: 'source.toolkit.fluxcd.io/v1',
  ExternalSecret: 'external-secrets.io/v1',
  SecretStore: 'external-secrets.io/v1',
  ClusterSecretStore: 'external-secrets.io/v1',
};

function toSlim(o: CorpusObject): SlimObject {
  const conditions: Condition[] = [];
  if (o.ready) {
    conditions.push(
      cond('Ready', o.ready[0] as Condition['status'], o.ready[1], o.ready[2]),
    );
  } else {
    conditions.push(cond('Ready', 'True', 'Succeeded'));
  }
  if (o.reconciling)
    conditions.push(
      cond('Reconciling', 'True', 'ProgressingWithRetry', 'retrying'),
    );
  if (o.stalled) conditions.push(cond('Stalled', 'True', ...o.stalled));
  const eso = API_VERSION[o.kind].startsWith('external-secrets.io');
  return obj(API_VERSION[o.kind], o.kind, o.name, {
    namespace: o.namespace ?? undefined,
    ...(eso ? {} : { generation: 1, status: { observedGeneration: 1 } }),
    spec: { interval: eso ? undefined : '5m', ...(o.spec ?? {}) },
    conditions,
  });
}

/** The fleet's own repository and Kustomization: healthy bystanders no fix may name. */
const BYSTANDERS = [
  toSlim({
    kind: 'GitRepository',
    name: 'flux-system',
    namespace: 'flux-system',
    spec: { url: 'ssh://git@github.com/org/fleet', ref: { branch: 'main' } },
  }),
  toSlim({
    kind: 'Kustomization',
    name: 'flux-system',
    namespace: 'flux-system',
    spec: {
      path: './clusters/mgmt',
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    },
  }),
];

function refString(r: ObjectRef): string {
  return [r.kind, r.namespace, r.name].filter(Boolean).join('/');
}

function run(c: CorpusCase) {
  const objects = c.objects.map(toSlim);
  const events: SlimEvent[] = c.events.map(e => ({
    involvedObject: {
      kind: e.kind,
      name: e.name,
      ...(e.namespace ? { namespace: e.namespace } : {}),
    },
    type: e.type,
    reason: e.reason,
    message: e.message,
  }));
  return summarizeCluster({
    cluster: 'mgmt',
    objects: [...healthyEso(), ...BYSTANDERS, ...objects],
    servedVersions: SERVED_ALL,
    now: new Date('2026-08-20T12:00:00Z'),
    events,
  });
}

describe('corpus of real status texts', () => {
  it('has at least 50 cases, each with its public URL and licence note', () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(50);
    for (const c of corpus.cases) {
      expect(c.url).toMatch(
        /^https:\/\/github\.com\/[^/]+\/[^/]+\/(issues|pull)\/\d+$/,
      );
      expect(c.licence).toBe('quoted from a public issue thread');
    }
    expect(new Set(corpus.cases.map(c => c.id)).size).toBe(corpus.cases.length);
  });

  it.each(corpus.cases.map(c => [c.id, c] as const))('%s', (_id, c) => {
    const status = run(c);
    const e = c.expected;
    // Health of the root-cause object.
    const all = [
      ...status.flux.objects,
      ...(status.eso?.stores ?? []),
      ...(status.eso?.externalSecrets ?? []),
    ];
    const root = all.find(o => refString(o.ref) === e.root);
    expect(root?.health).toBe(e.health);
    // One finding of the expected code names the root first.
    const matching = status.findings.filter(
      f =>
        f.code === e.code && f.objects[0] && refString(f.objects[0]) === e.root,
    );
    expect(matching.map(f => f.code)).toEqual([e.code]);
    const [f] = matching;
    expect(f.category ?? null).toBe(e.category);
    for (const text of e.fixIncludes) expect(f.fix).toContain(text);
    expect(f.blocks?.map(b => b.name)).toEqual(e.blocks);
    // At most one finding per root cause: no other finding leads with the same object.
    expect(
      status.findings.filter(
        g => g.objects[0] && refString(g.objects[0]) === e.root,
      ),
    ).toHaveLength(1);
    // No fix names an object outside the failure (the fleet's own repository is never advice).
    for (const g of status.findings) {
      expect(g.fix).not.toMatch(
        /(?:GitRepository|Kustomization) flux-system\/flux-system\b/,
      );
    }
    // The finding's detail carries the real text (condition or event), so the user sees the cause.
    expect(`${f.title} ${f.detail}`.length).toBeGreaterThan(20);
  });
});
