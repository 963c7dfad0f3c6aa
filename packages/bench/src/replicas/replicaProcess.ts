/*
 * Child process: one backend replica with the gitops-secrets plugin on Backstage's real database, cache and
 * scheduler services (PostgreSQL and Redis from the config), a mock catalog and mock auth (requests need no token).
 * Protocol (IPC):
 *   parent → { type: 'start', config }   child → { type: 'ready', port, pid, startMs }
 *   parent → { type: 'stop' }             (the child stops the backend and exits)
 * The test kills replicas with SIGKILL to see what happens when one dies.
 */
import { cacheServiceFactory } from '@backstage/backend-defaults/cache';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';

type Message =
  | { type: 'start'; id: number; config: Record<string, unknown> }
  | { type: 'stop' };

let backend: Awaited<ReturnType<typeof startTestBackend>> | undefined;

function send(msg: unknown) {
  process.send!(msg);
}

async function start(msg: Extract<Message, { type: 'start' }>) {
  const t0 = performance.now();
  const shared = Boolean((msg.config.gitopsSecrets as any)?.replicas?.enabled);
  backend = await startTestBackend({
    features: [
      mockServices.rootConfig.factory({ data: msg.config as any }),
      catalogServiceMock.factory({ entities: [] }),
      // One replica without sharing runs on the test backend's in-memory services, as the embedded default does.
      ...(shared
        ? [databaseServiceFactory, cacheServiceFactory, schedulerServiceFactory]
        : []),
      import('@golden-gitops/plugin-gitops-secrets-backend'),
    ] as any,
  });
  const address = backend.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  send({
    type: 'ready',
    id: msg.id,
    port,
    pid: process.pid,
    startMs: performance.now() - t0,
  });
}

process.on('message', (msg: Message) => {
  (async () => {
    if (msg.type === 'start') await start(msg);
    else if (msg.type === 'stop') {
      setTimeout(() => process.exit(0), 5000).unref();
      await backend?.stop().catch(() => undefined);
      process.exit(0);
    }
  })().catch(error => {
    send({ type: 'error', message: String(error?.stack ?? error) });
  });
});

process.on('disconnect', () => process.exit(0));
