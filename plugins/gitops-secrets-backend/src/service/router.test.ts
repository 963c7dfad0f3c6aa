import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { SimFleet } from '@golden-gitops/kube-api-sim';
import { startFleet } from '@golden-gitops/kube-api-sim';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { EntityStatusResponse } from '@golden-gitops/plugin-gitops-secrets-common';
import express from 'express';
import request from 'supertest';
import { clusterResource, component } from '../__testUtils__/entities';
import {
  clusterConfig,
  eventually,
  externalSecret,
} from '../__testUtils__/sim';
import { Fleet } from '../cache/Fleet';
import { readSettings } from '../config/clusters';
import { AnswerCache } from './answerCache';
import { createRouter } from './router';
import { StatusService } from './StatusService';

jest.setTimeout(60_000);

const SHOP = '/entities/default/component/shop/status';

describe('status answers are serialized once per change', () => {
  let sim: SimFleet;
  let fleet: Fleet;
  let app: express.Express;
  let answers: AnswerCache;
  let now = Date.now();
  const summaryTtlMs = 10_000;

  beforeAll(async () => {
    sim = await startFleet([
      {
        name: 'edge',
        crdSets: ['external-secrets'],
        objects: [externalSecret('db', 'True'), externalSecret('api', 'True')],
      },
    ]);
    const settings = readSettings(
      new ConfigReader({
        gitopsSecrets: {
          clusters: [clusterConfig(sim.cluster('edge'))],
          cache: { summaryTtl: { milliseconds: summaryTtlMs } },
        },
      }),
    );
    const logger = mockServices.logger.mock();
    fleet = new Fleet({ settings, logger, now: () => now });
    answers = new AnswerCache();
    app = express().use(
      await createRouter({
        logger,
        httpAuth: mockServices.httpAuth(),
        permissions: mockServices.permissions(),
        catalog: catalogServiceMock({
          entities: [
            clusterResource('edge'),
            component('shop', {
              namespaces: 'apps',
              dependsOn: ['resource:default/edge'],
            }),
          ],
        }),
        status: new StatusService(fleet, logger, () => now),
        answerCache: answers,
      }),
    );
  });
  afterAll(async () => {
    fleet.stop();
    await sim.stop();
  });

  const get = (path: string) => request(app).get(path);

  it('sends the same bytes while nothing changed, a new answer after a watch event, and after summaryTtl', async () => {
    const edge = sim.cluster('edge');
    await get(SHOP).expect(200);
    const cache = fleet.peek('edge')!;
    const served = Object.values(
      cache.summary(undefined).servedVersions!,
    ).filter(Boolean).length;
    // Our side of every watch is open (what the simulator counts may run ahead of it).
    await eventually(() => cache.stats().watches === served);
    // Quiet from here: every watch is open, nothing changes on the cluster.
    const generation = cache.generation;

    const first = await get(SHOP).expect(200);
    expect(first.headers['content-type']).toBe(
      'application/json; charset=utf-8',
    );
    const body = first.body as EntityStatusResponse;
    expect(body.entityRef).toBe('component:default/shop');
    expect(body.clusters[0].eso!.counts).toMatchObject({
      total: 2,
      failing: 0,
    });
    const misses = answers.misses;
    const second = await get(SHOP).expect(200);
    expect(second.text).toBe(first.text);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(answers.misses).toBe(misses);
    expect(answers.hits).toBeGreaterThanOrEqual(1);
    expect(cache.generation).toBe(generation);

    // A client that has the answer gets 304.
    await get(SHOP).set('If-None-Match', first.headers.etag).expect(304);

    // Another limit is another answer.
    const cut = await get(`${SHOP}?limit=1`).expect(200);
    expect(cut.text).not.toBe(first.text);
    expect(
      (cut.body as EntityStatusResponse).clusters[0].truncated,
    ).toMatchObject({ limit: 1 });
    expect((await get(SHOP).expect(200)).text).toBe(first.text);

    // A watch event changes an object: the next answers say so.
    edge.upsert(externalSecret('db', 'False'));
    const changed = await eventually(async () => {
      const res = await get(SHOP).expect(200);
      expect(
        (res.body as EntityStatusResponse).clusters[0].eso!.counts.failing,
      ).toBe(1);
      return res;
    });
    expect(changed.headers.etag).not.toBe(first.headers.etag);
    expect(cache.generation).toBeGreaterThan(generation);
    expect((await get(SHOP).expect(200)).text).toBe(changed.text);

    // Time alone: once summaryTtl has passed the answer is computed again (observedAt moves on).
    now += summaryTtlMs;
    const later = await get(SHOP).expect(200);
    expect(later.text).not.toBe(changed.text);
    expect((later.body as EntityStatusResponse).clusters[0].observedAt).toBe(
      new Date(now).toISOString(),
    );
    expect((await get(SHOP).expect(200)).text).toBe(later.text);
  });

  it('does the same for a cluster status', async () => {
    const first = await get('/clusters/edge/status').expect(200);
    expect(first.headers['content-type']).toBe(
      'application/json; charset=utf-8',
    );
    expect(first.body.cluster).toBe('edge');
    const misses = answers.misses;
    const second = await get('/clusters/edge/status').expect(200);
    expect(second.text).toBe(first.text);
    expect(answers.misses).toBe(misses);
    sim.cluster('edge').upsert(externalSecret('api', 'False'));
    await eventually(async () => {
      const res = await get('/clusters/edge/status').expect(200);
      expect(res.body.eso.counts.failing).toBe(2);
    });
  });
  it('serves the card a summary of only what needs attention, with its ETag kept until a change', async () => {
    const SUMMARY = '/entities/default/component/shop/summary';
    // Both ExternalSecrets fail after the tests above.
    const first = await get(SUMMARY).expect(200);
    const body = first.body as EntityStatusResponse;
    expect(body.entityRef).toBe('component:default/shop');
    expect(body.clusters[0].eso!.externalSecrets.map(e => e.ref.name)).toEqual([
      'api',
      'db',
    ]);
    expect(body.clusters[0].truncated).toMatchObject({
      limit: 5,
      totals: { externalSecrets: 2 },
    });
    const misses = answers.misses;
    expect((await get(SUMMARY).expect(200)).text).toBe(first.text);
    expect(answers.misses).toBe(misses);
    await get(SUMMARY).set('If-None-Match', first.headers.etag).expect(304);

    // One recovers: it leaves the card's list, the counts follow.
    sim.cluster('edge').upsert(externalSecret('db', 'True'));
    const changed = await eventually(async () => {
      const res = await get(SUMMARY).expect(200);
      expect(
        (res.body as EntityStatusResponse).clusters[0].eso!.counts,
      ).toMatchObject({ total: 2, failing: 1 });
      return res;
    });
    expect(changed.headers.etag).not.toBe(first.headers.etag);
    expect(
      (
        changed.body as EntityStatusResponse
      ).clusters[0].eso!.externalSecrets.map(e => e.ref.name),
    ).toEqual(['api']);
  });
});
