import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PolicyRule, SimFleet } from '@golden-gitops/kube-api-sim';
import { WATCHED_KINDS } from '@golden-gitops/plugin-gitops-secrets-common';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { startGitopsBackend } from './__testUtils__/backend';
import { startSimFleet } from './__testUtils__/sim';

jest.setTimeout(60_000);

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const docs = parseAllDocuments(
  fs.readFileSync(path.resolve(__dirname, '..', 'deploy', 'rbac.yaml'), 'utf8'),
).map(d => d.toJS());
const roles = docs.filter(d => d.kind === 'ClusterRole' || d.kind === 'Role');

/** The sim's token grant for the ServiceAccount of deploy/rbac.yaml: ClusterRole everywhere, Role in its namespace. */
function grantFromRbac(): PolicyRule[] {
  return roles.flatMap(role =>
    (role.rules as Rule[]).map(r => ({
      apiGroups: r.apiGroups,
      resources: r.resources,
      verbs: r.verbs,
      ...(role.kind === 'Role'
        ? { namespaces: [role.metadata.namespace] }
        : {}),
    })),
  );
}

describe('deploy/rbac.yaml', () => {
  it('grants get/list/watch on exactly the watched kinds, and nothing on secrets', () => {
    const granted = roles.flatMap(role =>
      (role.rules as Rule[]).flatMap(r =>
        r.apiGroups.flatMap(g =>
          r.resources.map(res => ({
            key: g ? `${res}.${g}` : res,
            verbs: [...r.verbs].sort(),
            namespace:
              role.kind === 'Role' ? role.metadata.namespace : undefined,
          })),
        ),
      ),
    );
    // Events of failing objects are read on demand: get/list only, never watched.
    const events = granted.filter(g => g.key === 'events');
    expect(events).toEqual([
      { key: 'events', verbs: ['get', 'list'], namespace: undefined },
    ]);
    const watched = granted.filter(g => g.key !== 'events');
    expect(watched.map(g => g.key).sort()).toEqual(
      WATCHED_KINDS.map(k => k.key).sort(),
    );
    for (const g of watched) {
      expect(g.verbs).toEqual(['get', 'list', 'watch']);
      expect(g.key.split('.')[0]).not.toMatch(/^(secrets|\*)$/);
      const kind = WATCHED_KINDS.find(k => k.key === g.key)!;
      expect(g.namespace).toBe(kind.namespace);
    }
    expect(JSON.stringify(roles)).not.toContain('"*"');
    // Bound to the ServiceAccount the file creates.
    const sa = docs.find(d => d.kind === 'ServiceAccount');
    for (const b of docs.filter(d => d.kind.endsWith('Binding'))) {
      expect(b.subjects).toEqual([
        {
          kind: 'ServiceAccount',
          name: sa.metadata.name,
          namespace: sa.metadata.namespace,
        },
      ]);
    }
  });

  describe('against a simulated cluster', () => {
    let fleet: SimFleet;
    let dir: string;
    beforeAll(async () => {
      fleet = await startSimFleet(['management']);
      fleet.cluster('management').addToken('reader', {
        user: 'system:serviceaccount:backstage:gitops-secrets-reader',
        rules: grantFromRbac(),
      });
      dir = fs.mkdtempSync(
        path.join(os.tmpdir(), 'gitops-secrets-kubeconfig-'),
      );
    });
    afterAll(async () => {
      await fleet.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it.each([
      [
        'a kubeconfig file and context (as the demo configures it)',
        (file: string) => ({
          gitopsSecrets: {
            clusters: [
              {
                name: 'management',
                kubeconfig: { path: file, context: 'management' },
              },
            ],
          },
        }),
      ],
      [
        "Backstage's kubernetes.clusterLocatorMethods (no gitopsSecrets.clusters)",
        () => {
          const c = fleet.cluster('management');
          return {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'management',
                      url: c.url,
                      authProvider: 'serviceAccount',
                      serviceAccountToken: 'reader',
                      caData: c.caData,
                    },
                  ],
                },
              ],
            },
          };
        },
      ],
    ])(
      'is enough to read every kind, configured with %s',
      async (_n, configFor) => {
        const file = path.join(dir, 'kubeconfig');
        fleet.writeKubeconfig(file, 'reader');
        const backend = await startGitopsBackend({
          config: configFor(file) as any,
        });
        try {
          const res = await request(backend.server).get(
            '/api/gitops-secrets/clusters/management/status',
          );
          expect(res.status).toBe(200);
          expect(res.body.error).toBeUndefined();
          expect(res.body.health).toBe('Healthy');
          expect(Object.keys(res.body.servedVersions)).toHaveLength(
            WATCHED_KINDS.length,
          );
          expect(res.body.eso.operator.ready).toBe(true);
        } finally {
          await backend.stop();
        }
      },
    );

    it('reports a missing kubeconfig file as NOT_CONFIGURED, without the file content', async () => {
      const backend = await startGitopsBackend({
        config: {
          gitopsSecrets: {
            clusters: [
              {
                name: 'x',
                kubeconfig: { path: path.join(dir, 'missing'), context: 'x' },
              },
            ],
          },
        },
      });
      try {
        const res = await request(backend.server).get(
          '/api/gitops-secrets/clusters/x/status',
        );
        expect(res.body.error).toEqual({
          type: 'NOT_CONFIGURED',
          message: `Cannot read the kubeconfig file ${path.join(
            dir,
            'missing',
          )} (ENOENT)`,
        });
        expect(res.body.findings.map((f: any) => f.code)).toEqual([
          'CLUSTER_NOT_CONFIGURED',
        ]);
      } finally {
        await backend.stop();
      }
    });
  });
});
