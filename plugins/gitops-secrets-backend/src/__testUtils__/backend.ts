import type { Entity } from '@backstage/catalog-model';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { ServiceFactory } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { gitopsSecretsPlugin } from '../plugin';

export interface TestBackendOptions {
  /** The app config (a `gitopsSecrets` block, or `kubernetes` for the fallback). */
  config: NonNullable<
    Parameters<typeof mockServices.rootConfig.factory>[0]
  >['data'];
  entities?: Entity[];
  /** Replaces the permissions service (default: allow everything). */
  permissions?: ServiceFactory;
  /** Credentials of requests without an Authorization header (default: a user). */
  defaultCredentials?: BackstageCredentials;
}

/** The plugin in a test backend with a mock catalog; supertest against `server`. */
export async function startGitopsBackend(options: TestBackendOptions) {
  const backend = await startTestBackend({
    features: [
      gitopsSecretsPlugin,
      mockServices.rootConfig.factory({ data: options.config }),
      catalogServiceMock.factory({ entities: options.entities ?? [] }),
      mockServices.httpAuth.factory({
        defaultCredentials:
          options.defaultCredentials ?? mockCredentials.user(),
      }),
      ...(options.permissions ? [options.permissions] : []),
    ],
  });
  return backend;
}
