import { createRouteRef } from '@backstage/core-plugin-api';

/** Where the legacy app mounts the entity content tab. */
export const rootRouteRef = createRouteRef({ id: 'gitops-secrets' });
