import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import {
  createClientCert,
  createSimCa,
  startCluster,
  type SimCluster,
} from '@golden-gitops/kube-api-sim';
import { readSettings, type ClusterDetails } from '../config/clusters';
import { clusterConfig, writeKubeconfig } from '../__testUtils__/sim';
import { CachedCredential } from './credentials';
import { KubeConfigClient } from './KubeClient';

jest.setTimeout(60_000);

const TOKEN = 'reader-token-that-must-reach-the-server';
const READER = {
  user: 'reader',
  rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list'] }],
};
const CA = createSimCa();
/** A client certificate the simulator maps to the reader (by its common name). */
const CERT = createClientCert(CA, 'reader');
const base64 = (text: string) => Buffer.from(text).toString('base64');

/**
 * Every way a credential is configured must end up on the request: the simulator answers 401 to a
 * request without it, so each row fails if credentials stop reaching the request (a client-node
 * upgrade, a refactor of requestAuth). On both protocols: an API server that speaks HTTP/2 (headers
 * per stream, the client certificate on the session's connection) and one that refuses it.
 */
describe.each([
  { protocol: 'h2', http2: true },
  { protocol: 'http/1.1', http2: false },
] as const)(
  'credentials reach the request over $protocol',
  ({ protocol, http2 }) => {
    let sim: SimCluster;
    let dir: string;

    beforeAll(async () => {
      sim = await startCluster(
        {
          name: 'edge',
          http2,
          tokens: { [TOKEN]: READER },
          clientCerts: { reader: READER },
        },
        CA,
      );
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-creds-'));
    });
    afterAll(async () => {
      await sim?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const kubeconfig = (name: string, user: object) =>
      writeKubeconfig(path.join(dir, `${name}.json`), sim, user);

    const own = (cluster: object): ClusterDetails =>
      readSettings(new ConfigReader({ gitopsSecrets: { clusters: [cluster] } }))
        .clusters[0];

    const cases: Array<[string, () => ClusterDetails]> = [
      [
        'a serviceAccountToken',
        () => own(clusterConfig(sim, { token: TOKEN })),
      ],
      [
        'a kubeconfig token',
        () =>
          own({
            name: 'edge',
            kubeconfig: { path: kubeconfig('token', { token: TOKEN }) },
          }),
      ],
      [
        'a kubeconfig token file',
        () => {
          const tokenFile = path.join(dir, 'token');
          // client-node reads `token-file` as is, once, when the kubeconfig is loaded (a trailing newline is not trimmed).
          fs.writeFileSync(tokenFile, TOKEN);
          return own({
            name: 'edge',
            kubeconfig: {
              path: kubeconfig('token-file', { 'token-file': tokenFile }),
            },
          });
        },
      ],
      [
        'a kubeconfig client certificate',
        () =>
          own({
            name: 'edge',
            kubeconfig: {
              path: kubeconfig('cert', {
                'client-certificate-data': base64(CERT.certPem),
                'client-key-data': base64(CERT.keyPem),
              }),
            },
          }),
      ],
      [
        "a Backstage strategy's x509 client certificate",
        () => ({
          name: 'edge',
          source: 'test',
          timeoutMs: 10_000,
          auth: {
            type: 'strategy',
            url: sim.url,
            caData: sim.caData,
            skipTLSVerify: false,
            authProvider: 'test',
            credentials: new CachedCredential(async () => ({
              type: 'x509 client certificate',
              cert: CERT.certPem,
              key: CERT.keyPem,
            })),
          },
        }),
      ],
      [
        'a kubeconfig exec plugin',
        () => {
          const script = path.join(dir, 'exec.js');
          fs.writeFileSync(
            script,
            `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: ${JSON.stringify(
              TOKEN,
            )} } }));`,
          );
          return own({
            name: 'edge',
            kubeconfig: {
              path: kubeconfig('exec', {
                exec: {
                  apiVersion: 'client.authentication.k8s.io/v1',
                  command: process.execPath,
                  args: [script],
                  interactiveMode: 'Never',
                },
              }),
            },
          });
        },
      ],
      [
        "a Backstage strategy's bearer token",
        () => ({
          name: 'edge',
          source: 'test',
          timeoutMs: 10_000,
          auth: {
            type: 'strategy',
            url: sim.url,
            caData: sim.caData,
            skipTLSVerify: false,
            authProvider: 'test',
            credentials: new CachedCredential(async () => ({
              type: 'bearer token',
              token: TOKEN,
            })),
          },
        }),
      ],
    ];

    it.each(cases)('%s', async (_what, details) => {
      const client = KubeConfigClient.fromCluster(details());
      try {
        await expect(
          client.getJson('/api/v1/namespaces'),
        ).resolves.toMatchObject({
          kind: 'NamespaceList',
        });
        expect(client.protocol).toBe(protocol);
      } finally {
        client.close();
      }
    });

    it('(the simulator refuses the same request without the credential)', async () => {
      const client = KubeConfigClient.fromCluster(
        own({ name: 'edge', kubeconfig: { path: kubeconfig('none', {}) } }),
      );
      try {
        await expect(
          client.getJson('/api/v1/namespaces'),
        ).rejects.toMatchObject({
          failure: 'http',
          status: 401,
        });
      } finally {
        client.close();
      }
    });

    it('drops a cached credential the server refused, and the next request fetches a new one', async () => {
      // The first credential claims to be valid for an hour (a JWT's exp) but was revoked.
      const exp = Math.floor(Date.now() / 1000) + 3600;
      const b64 = (o: object) =>
        Buffer.from(JSON.stringify(o)).toString('base64url');
      const revoked = `${b64({ alg: 'none' })}.${b64({ exp })}.x`;
      const issued = [revoked, TOKEN];
      const credentials = new CachedCredential(async () => ({
        type: 'bearer token',
        token: issued.shift()!,
      }));
      const client = KubeConfigClient.fromCluster({
        name: 'edge',
        source: 'test',
        timeoutMs: 10_000,
        auth: {
          type: 'strategy',
          url: sim.url,
          caData: sim.caData,
          skipTLSVerify: false,
          authProvider: 'test',
          credentials,
        },
      });
      try {
        await expect(
          client.getJson('/api/v1/namespaces'),
        ).rejects.toMatchObject({
          status: 401,
        });
        await expect(
          client.getJson('/api/v1/namespaces'),
        ).resolves.toMatchObject({
          kind: 'NamespaceList',
        });
        expect(credentials.fetches).toBe(2);
        // The renewed token went on the same connection: headers are per request, not per session.
        expect(client.sessionsCreated).toBe(protocol === 'h2' ? 1 : 0);
      } finally {
        client.close();
      }
    });
  },
);
