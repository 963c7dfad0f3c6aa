import { ApiError } from '../errors';
import type { Route } from '../router';
import { userJson } from '../shapes';

export const userRoutes: Route[] = [
  {
    method: 'GET',
    template: '/user',
    async handler(ctx) {
      const grant = ctx.identity.grant;
      if (!grant) throw new ApiError(401, 'Requires authentication');
      return {
        body: {
          ...userJson(ctx.sim, grant.login),
          name: grant.login,
          email: null,
        },
      };
    },
  },
  {
    method: 'GET',
    template: '/users/{username}',
    async handler(ctx) {
      return { body: userJson(ctx.sim, ctx.params.username) };
    },
  },
  {
    method: 'GET',
    template: '/rate_limit',
    async handler(ctx) {
      const limit = ctx.identity.token ? 5000 : 60;
      const reset = Math.floor(Date.now() / 1000) + 3600;
      const core = { limit, used: 0, remaining: limit, reset };
      return { body: { resources: { core, graphql: core }, rate: core } };
    },
  },
];
