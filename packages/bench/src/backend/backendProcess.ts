/*
 * Child process running the backend under test: one Backstage backend (startTestBackend) with our
 * gitops-secrets backend and Backstage's Kubernetes backend side by side, on the same config and the same
 * in-memory catalog. Started with --expose-gc so memory can be read after a full collection. Protocol (IPC):
 *   parent → { type: 'start', config, entities, features: ('ours' | 'anchor')[] }
 *   child  → { type: 'ready', port, startMs }
 *   parent → { type: 'mem' }   child → { type: 'mem', rss, heapUsed, external, arrayBuffers } (bytes, after GC)
 *   parent → { type: 'settle', maxMs }   child → { type: 'settled', waitedMs, fellMb } (then ask for 'mem')
 *   parent → { type: 'stop' }  (the child stops the backend and exits)
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';

type Message =
  | {
      type: 'start';
      id: number;
      config: Record<string, unknown>;
      entities: Entity[];
      features: Array<'ours' | 'anchor'>;
    }
  | { type: 'mem'; id: number }
  | { type: 'settle'; id: number; maxMs: number }
  | { type: 'stop' };

let backend: Awaited<ReturnType<typeof startTestBackend>> | undefined;

function send(msg: unknown) {
  process.send!(msg);
}

/**
 * RSS split as Linux counts it (bytes): anonymous memory (heaps, buffers) versus file-backed pages (code of the node
 * binary and libraries, paged in on first use — e.g. OpenSSL's TLS client code on the first HTTPS request).
 */
function procStatus(): { rssAnon?: number; rssFile?: number } {
  try {
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const kb = (key: string) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) * 1024 : undefined;
    };
    return { rssAnon: kb('RssAnon'), rssFile: kb('RssFile') };
  } catch {
    return {};
  }
}

async function fullGc() {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the backend process needs --expose-gc');
  // Several passes with pauses let finalizers and weak references settle.
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise(r => setTimeout(r, 50));
  }
}

function rssNow(): number {
  return process.memoryUsage.rss();
}

/**
 * Wait, without forcing a collection, until V8 has given back the pages it freed. After a burst of garbage (a fleet's
 * first lists) V8 keeps the emptied 256 KiB pages of its heap mapped and resident — hundreds of MB for 200 clusters —
 * until its memory reducer runs, some 10–30 s later on an otherwise quiet process. RSS read before that is the peak,
 * not what the cache costs to hold. Settled: RSS fell by ≥ 5% and then held within 1% for three reads 2 s apart, or
 * `maxMs` passed (nothing to give back).
 */
async function settle(
  maxMs: number,
): Promise<{ waitedMs: number; fellMb: number }> {
  const t0 = Date.now();
  const first = rssNow();
  let last = first;
  let fell = false;
  let steady = 0;
  while (Date.now() - t0 < maxMs) {
    await new Promise(r => setTimeout(r, 2000));
    const now = rssNow();
    if (now < first * 0.95) fell = true;
    steady = Math.abs(now - last) <= last * 0.01 ? steady + 1 : 0;
    last = now;
    if (fell && steady >= 3) break;
  }
  return { waitedMs: Date.now() - t0, fellMb: (first - last) / 2 ** 20 };
}

async function start(msg: Extract<Message, { type: 'start' }>) {
  const t0 = performance.now();
  const features: unknown[] = [
    mockServices.rootConfig.factory({ data: msg.config as any }),
    catalogServiceMock.factory({ entities: msg.entities }),
  ];
  if (msg.features.includes('ours')) {
    features.push(import('@golden-gitops/plugin-gitops-secrets-backend'));
  }
  if (msg.features.includes('anchor')) {
    features.push(import('@backstage/plugin-kubernetes-backend'));
  }
  backend = await startTestBackend({ features: features as any });
  const address = backend.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  send({ type: 'ready', id: msg.id, port, startMs: performance.now() - t0 });
}

process.on('message', (msg: Message) => {
  (async () => {
    if (msg.type === 'start') await start(msg);
    else if (msg.type === 'mem') {
      await fullGc();
      const m = process.memoryUsage();
      send({
        type: 'mem',
        id: msg.id,
        ...procStatus(),
        rss: m.rss,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
      });
    } else if (msg.type === 'settle') {
      send({ type: 'settled', id: msg.id, ...(await settle(msg.maxMs)) });
    } else if (msg.type === 'stop') {
      // Hung requests to a black-holed cluster may keep stop() waiting; exit regardless after a while.
      setTimeout(() => process.exit(0), 5000).unref();
      await backend?.stop().catch(() => undefined);
      process.exit(0);
    }
  })().catch(error => {
    send({ type: 'error', message: String(error?.stack ?? error) });
  });
});

process.on('disconnect', () => process.exit(0));
