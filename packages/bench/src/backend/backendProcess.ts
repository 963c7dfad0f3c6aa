/*
 * Child process running the backend under test: one Backstage backend (startTestBackend) with our
 * gitops-secrets backend and Backstage's Kubernetes backend side by side, on the same config and the same
 * in-memory catalog. Started with --expose-gc so memory can be read after a full collection. Protocol (IPC):
 *   parent → { type: 'start', config, entities, features: ('ours' | 'anchor')[] }
 *   child  → { type: 'ready', port, startMs }
 *   parent → { type: 'mem' }   child → { type: 'mem', rss, heapUsed, external, arrayBuffers } (bytes, after GC)
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
