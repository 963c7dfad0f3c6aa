import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { SimFleet } from '@golden-gitops/kube-api-sim';
import { startFleet } from '@golden-gitops/kube-api-sim';
import express from 'express';
import request from 'supertest';
import {
  clusterConfig,
  externalSecret,
  writeKubeconfig,
} from './__testUtils__/sim';
import { Fleet } from './cache/Fleet';
import { readSettings } from './config/clusters';
import { createRouter } from './service/router';
import { StatusService } from './service/StatusService';

jest.setTimeout(60_000);

/**
 * Adversarial: a planted secret in every credential path must appear in no answer, log line or error.
 * Every planted value contains PLANTED; the checks look for that marker and for each line of the secret.
 */
const PLANTED = 'PLANTEDsecret';
const TOKEN_CRLF = `${PLANTED}-token-a\r\nX-Leak: ${PLANTED}-token-b`;
const WRONG_TOKEN = `${PLANTED}-wrong-token`;
const KEY_PEM = `-----BEGIN PRIVATE KEY-----\n${PLANTED}-client-key\n-----END PRIVATE KEY-----\n`;
const CERT_PEM = `-----BEGIN CERTIFICATE-----\n${PLANTED}-client-cert\n-----END CERTIFICATE-----\n`;
const b64 = (s: string) => Buffer.from(s).toString('base64');

function expectNoSecret(text: string) {
  expect(text).not.toContain(PLANTED);
  // Nor the secrets' base64 (a kubeconfig's *-data fields).
  for (const s of [KEY_PEM, CERT_PEM]) expect(text).not.toContain(b64(s));
}

describe('no secret in any answer, log or error', () => {
  let sim: SimFleet;
  let dir: string;

  beforeAll(async () => {
    sim = await startFleet([
      {
        name: 'edge',
        crdSets: ['external-secrets'],
        objects: [externalSecret('db', 'True')],
      },
    ]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-secrets-'));
  });
  afterAll(async () => {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A kubeconfig (JSON is YAML) for the simulated cluster with the given user. */
  function kubeconfig(name: string, user: Record<string, string>): string {
    return writeKubeconfig(
      path.join(dir, `${name}.yaml`),
      sim.cluster('edge'),
      user,
    );
  }

  it('refuses a configured token with a line break at startup, naming the key and not the value', () => {
    const edge = sim.cluster('edge');
    let error: Error | undefined;
    try {
      readSettings(
        new ConfigReader({
          gitopsSecrets: {
            clusters: [clusterConfig(edge, { token: TOKEN_CRLF })],
          },
        }),
      );
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toBe(
      "'gitopsSecrets.clusters[0].serviceAccountToken' contains a line break or control character; a bearer token is one line of printable characters",
    );
    expectNoSecret(`${error?.message}\n${error?.stack}`);
  });

  it('keeps a planted token and client key out of answers and logs, and still says what is wrong', async () => {
    const edge = sim.cluster('edge');
    const settings = readSettings(
      new ConfigReader({
        gitopsSecrets: {
          timeout: '3s',
          cache: { backoff: { initial: '20ms', max: '100ms' } },
          clusters: [
            // The kubeconfig path is not checked at startup: the token reaches the HTTP layer.
            {
              name: 'kubeconfig-crlf-token',
              kubeconfig: {
                path: kubeconfig('crlf', { token: TOKEN_CRLF }),
              },
            },
            {
              name: 'kubeconfig-client-key',
              kubeconfig: {
                path: kubeconfig('key', {
                  'client-certificate-data': b64(CERT_PEM),
                  'client-key-data': b64(KEY_PEM),
                }),
              },
            },
            clusterConfig(edge, { name: 'wrong-token', token: WRONG_TOKEN }),
            {
              name: 'kubeconfig-wrong-token',
              kubeconfig: { path: kubeconfig('wrong', { token: WRONG_TOKEN }) },
            },
          ],
        },
      }),
    );
    const lines: string[] = [];
    const logger: LoggerService = {
      debug: (m, meta) => lines.push(JSON.stringify([m, meta])),
      info: (m, meta) => lines.push(JSON.stringify([m, meta])),
      warn: (m, meta) => lines.push(JSON.stringify([m, meta])),
      error: (m, meta) => lines.push(JSON.stringify([m, meta])),
      child: () => logger,
    };
    const fleet = new Fleet({ settings, logger });
    const app = express().use(
      await createRouter({
        logger,
        httpAuth: mockServices.httpAuth(),
        permissions: mockServices.permissions(),
        catalog: catalogServiceMock({ entities: [] }),
        status: new StatusService(fleet, logger),
      }),
    );
    try {
      const expected: Record<string, [string, RegExp]> = {
        'kubeconfig-crlf-token': [
          'NOT_CONFIGURED',
          /credentials cannot be sent: a header would contain a line break/,
        ],
        'kubeconfig-client-key': ['NOT_CONFIGURED', /Cannot build credentials/],
        'wrong-token': ['UNAUTHORIZED', /rejected the backend's credentials/],
        'kubeconfig-wrong-token': [
          'UNAUTHORIZED',
          /rejected the backend's credentials/,
        ],
      };
      const answers: string[] = [];
      for (const [name, [type, message]] of Object.entries(expected)) {
        const res = await request(app).get(`/clusters/${name}/status`);
        expect(res.status).toBe(200);
        answers.push(res.text);
        expect(res.body.error.type).toBe(type);
        expect(res.body.error.message).toMatch(message);
        for (const kind of ['externalsecrets', 'stores', 'flux']) {
          const page = await request(app).get(
            `/clusters/${name}/objects?kind=${kind}`,
          );
          answers.push(page.text);
        }
      }
      answers.push((await request(app).get('/clusters')).text);
      expectNoSecret(answers.join('\n'));
      const logged = lines.join('\n');
      expect(logged).toMatch(/kubeconfig-crlf-token|wrong-token/);
      expectNoSecret(logged);
    } finally {
      fleet.stop();
    }
  });
});
